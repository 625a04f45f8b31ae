//! One file of the site as read from disk: its text and where its front matter and
//! body lie, so that every later diagnostic can point at a line of it.

use crate::diagnostics::{Diagnostic, Pos};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root.
    pub path: PathBuf,
    pub text: String,
}

/// A Markdown file split at its `---` fences.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub front_matter: &'a str,
    /// 1-based line of the first front-matter line (the line after the opening `---`).
    pub front_matter_line: usize,
    pub body: &'a str,
    /// 1-based line of the first body line.
    pub body_line: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        // A byte-order mark is an editor's habit, not content.
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        SourceFile { path, text }
    }

    pub fn error(&self, code: &'static str, message: impl Into<String>, pos: Pos) -> Diagnostic {
        Diagnostic::error(code, message).at(&self.path, &self.text, pos)
    }

    pub fn warning(&self, code: &'static str, message: impl Into<String>, pos: Pos) -> Diagnostic {
        Diagnostic::warning(code, message).at(&self.path, &self.text, pos)
    }

    pub fn line_len(&self, line: usize) -> usize {
        self.text
            .lines()
            .nth(line.saturating_sub(1))
            .map_or(0, |l| l.chars().count())
    }

    /// Splits `---`-fenced YAML front matter from the Markdown body.
    pub fn split_front_matter(&self) -> Result<Split<'_>, Diagnostic> {
        let text = self.text.as_str();
        let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
        if text[..first_line_end].trim_end() != "---" {
            let len = self.line_len(1).max(1);
            return Err(self
                .error(
                    "E0101",
                    "missing front matter: the file must start with a `---` line",
                    Pos::new(1, 1, len),
                )
                .label("expected `---` here")
                .hint("start the file with `---`, then the YAML keys (at least `title:`), then a closing `---` line"));
        }
        let mut offset = first_line_end;
        let mut line = 2;
        while offset < text.len() {
            let end = text[offset..]
                .find('\n')
                .map_or(text.len(), |i| offset + i + 1);
            let content = text[offset..end].trim_end();
            if content == "---" || content == "..." {
                return Ok(Split {
                    front_matter: &text[first_line_end..offset],
                    front_matter_line: 2,
                    body: &text[end..],
                    body_line: line + 1,
                });
            }
            offset = end;
            line += 1;
        }
        Err(self
            .error(
                "E0101",
                "unterminated front matter: no closing `---` line",
                Pos::new(1, 1, 3),
            )
            .label("front matter opened here")
            .hint("add a line with only `---` after the last YAML key"))
    }
}

/// Path relative to `root`, for messages and URLs.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("notes/a.md"), text.to_string())
    }

    #[test]
    fn splits_at_fences_and_counts_lines() {
        let f = file("---\ntitle: A\ntags: [x]\n---\n# Body\n");
        let split = f.split_front_matter().unwrap();
        assert_eq!(split.front_matter, "title: A\ntags: [x]\n");
        assert_eq!(split.body, "# Body\n");
        assert_eq!(split.body_line, 5);
    }

    #[test]
    fn handles_bom_and_crlf() {
        let f = file("\u{feff}---\r\ntitle: A\r\n---\r\nText\r\n");
        let split = f.split_front_matter().unwrap();
        assert_eq!(split.front_matter, "title: A\r\n");
        assert_eq!(split.body, "Text\r\n");
    }

    #[test]
    fn reports_missing_and_unterminated_front_matter() {
        let missing = file("# Just a heading\n").split_front_matter().unwrap_err();
        assert_eq!(
            (missing.code, missing.line, missing.column),
            ("E0101", 1, 1)
        );
        let open = file("---\ntitle: A\n").split_front_matter().unwrap_err();
        assert!(open.message.contains("unterminated"));
    }
}

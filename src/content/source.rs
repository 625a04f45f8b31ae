//! One file of the site as read from disk: its text and where its front matter and
//! body lie, so that every later diagnostic can point at a line of it.

use crate::diagnostics::{Diagnostic, Pos};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The longest line (in bytes) that a diagnostic quotes.
pub const MAX_QUOTED_LINE: usize = 4096;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root.
    pub path: PathBuf,
    pub text: String,
    /// Where each line starts (byte offsets), found at the first diagnostic: each
    /// diagnostic then costs its own line, not a search of the file from its start
    /// (which, for a file with a problem on each of many lines, would take hours).
    line_starts: OnceLock<Vec<u32>>,
    /// Unique to each reading of a file (clones share it), so caches of what was
    /// derived from a file can tell a re-read from the same text without hashing it.
    pub revision: u64,
}

/// The next [`SourceFile::revision`].
static REVISIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

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
        SourceFile {
            path,
            text,
            line_starts: OnceLock::new(),
            revision: REVISIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    pub fn error(&self, code: &'static str, message: impl Into<String>, pos: Pos) -> Diagnostic {
        self.place(Diagnostic::error(code, message), pos)
    }

    pub fn warning(&self, code: &'static str, message: impl Into<String>, pos: Pos) -> Diagnostic {
        self.place(Diagnostic::warning(code, message), pos)
    }

    /// Points `d` at `pos`, handing it only the line it shows. A line longer than
    /// [`MAX_QUOTED_LINE`] is not quoted: the place is still given (`file:line:col`),
    /// but thousands of problems on one huge line must not each copy it.
    fn place(&self, d: Diagnostic, pos: Pos) -> Diagnostic {
        if pos.line == 0 {
            return d.at(&self.path, "", pos);
        }
        let line = self.line(pos.line).unwrap_or("");
        let quoted = if line.len() > MAX_QUOTED_LINE {
            ""
        } else {
            line
        };
        let mut d = d.at(&self.path, quoted, Pos::new(1, pos.col, pos.len));
        d.line = pos.line;
        d
    }

    /// Line `n` (1-based) without its line ending, like `text.lines().nth(n - 1)`.
    pub fn line(&self, n: usize) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i as u32 + 1))
                .collect()
        });
        let start = *starts.get(n.checked_sub(1)?)? as usize;
        // The text is public: if it was changed since, search it the slow way.
        let Some(rest) = self.text.get(start..).filter(|_| start < self.text.len()) else {
            return self.text.lines().nth(n - 1);
        };
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    pub fn line_len(&self, line: usize) -> usize {
        self.line(line).map_or(0, |l| l.chars().count())
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

/// Path relative to `root`, for messages and URLs. These are text: a name that is not
/// UTF-8 (possible on Unix) has its bad bytes shown as U+FFFD, so that every diagnostic
/// and page can name it (such a file cannot be an item: its id is not a slug, E0109).
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    match rel.to_str() {
        Some(_) => rel.to_path_buf(),
        None => PathBuf::from(rel.to_string_lossy().into_owned()),
    }
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

    #[cfg(unix)]
    #[test]
    fn relative_paths_are_text_even_when_a_name_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let root = Path::new("/site");
        let path = Path::new("/site/notes").join(std::ffi::OsStr::from_bytes(b"caf\xe9.md"));
        assert_eq!(relative(root, &path), PathBuf::from("notes/caf\u{FFFD}.md"));
        assert_eq!(
            relative(root, Path::new("/site/notes/a.md")),
            PathBuf::from("notes/a.md")
        );
    }

    #[test]
    fn lines_are_found_like_str_lines() {
        for text in ["a\nb\r\n\nc", "a\n", "", "\n\n", "x\r\ny\r\n"] {
            let f = file(text);
            for n in 0..6 {
                assert_eq!(
                    f.line(n),
                    n.checked_sub(1).and_then(|i| text.lines().nth(i)),
                    "{text:?} line {n}"
                );
            }
        }
        let d = file("---\ntitle: A\n\tbad\n---\n").error("E0102", "m", Pos::new(3, 1, 1));
        assert_eq!((d.line, d.column), (3, 1));
        assert!(
            d.render_human().contains("3 |  bad"),
            "{}",
            d.render_human()
        );
        // A huge line is not quoted; its place is still given.
        let huge = format!("a\n{}\n", "x".repeat(MAX_QUOTED_LINE + 1));
        let d = file(&huge)
            .error("E0305", "m", Pos::new(2, 5000, 1))
            .label("here");
        assert_eq!((d.line, d.column), (2, 5000));
        let shown = d.render_human();
        assert!(shown.len() < 200, "{shown}");
        assert!(shown.contains("--> notes/a.md:2:5000"), "{shown}");
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

//! Diagnostics: what is wrong, where (file:line:col), and how to fix it.
//! Every stage reports through these; one renderer prints them like `rustc`.

use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file: 1-based line and column (in characters), and how many
/// characters the caret underlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize, len: usize) -> Self {
        Pos { line, col, len }
    }
}

/// A second place that explains the first (the other file of a duplicate id, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Path relative to the site root, with `/` separators.
    pub file: Option<PathBuf>,
    pub line: usize,
    pub column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip)]
    source_line: Option<String>,
    #[serde(skip)]
    underline: usize,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: None,
            line: 0,
            column: 0,
            label: None,
            hint: None,
            related: Vec::new(),
            source_line: None,
            underline: 0,
        }
    }

    /// Points the diagnostic at `pos` in `text`, the whole content of `file`.
    pub fn at(mut self, file: &Path, text: &str, pos: Pos) -> Self {
        self.file = Some(file.to_path_buf());
        self.line = pos.line;
        self.column = pos.col;
        self.underline = pos.len;
        if pos.line > 0 {
            self.source_line = text.lines().nth(pos.line - 1).map(|l| l.to_string());
        }
        self
    }

    /// Names a file without a place in it (a missing file, a whole-file problem).
    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(mut self, file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file: file.to_path_buf(),
            line: pos.line,
            column: pos.col,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (Option<&PathBuf>, usize, usize, Severity, &'static str, &str) {
        (
            self.file.as_ref(),
            self.line,
            self.column,
            self.severity,
            self.code,
            &self.message,
        )
    }

    /// Renders like rustc:
    /// ```text
    /// error[E0104]: unknown key `chnage` in cycle front matter
    ///  --> cycles/hand-hygiene-2.md:4:1
    ///   |
    /// 4 | chnage: hand-hygiene
    ///   | ^^^^^^ unknown key
    ///   |
    ///   = help: did you mean `change`?
    /// ```
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{severity}[{}]: {}", self.code, self.message);
        let gutter = " ".repeat(self.line.max(1).to_string().len());
        if let Some(file) = &self.file {
            let place = if self.line > 0 {
                format!(
                    "{}:{}:{}",
                    display_path(file),
                    self.line,
                    self.column.max(1)
                )
            } else {
                display_path(file)
            };
            let _ = writeln!(out, "{gutter}--> {place}");
        }
        if let Some(source_line) = &self.source_line {
            let shown = source_line.replace('\t', " ");
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{} | {}", self.line, shown);
            let col = self.column.max(1);
            let width = self.underline.max(1);
            let label = self.label.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "{gutter} | {}{} {}",
                " ".repeat(col - 1),
                "^".repeat(width),
                label
            );
            // Trailing space after an empty label is noise.
            if label.is_empty() {
                out.pop();
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
            }
        } else if let Some(label) = &self.label {
            let _ = writeln!(out, "{gutter} = note: {label}");
        }
        for related in &self.related {
            let _ = writeln!(
                out,
                "{gutter} = note: {} ({}:{}:{})",
                related.message,
                display_path(&related.file),
                related.line,
                related.column.max(1)
            );
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "{gutter} = help: {hint}");
        }
        out
    }
}

/// Paths in diagnostics always use `/`, whatever the platform, so output is stable.
pub fn display_path(path: &Path) -> String {
    // Most paths are already as their components would print them.
    if let Some(text) = path.to_str() {
        let plain = !cfg!(windows)
            && !text.contains("//")
            && !text.contains("/./")
            && text != "/"
            && !(text.len() > 1 && (text.ends_with('/') || text.ends_with("/.")));
        if plain {
            return text.to_string();
        }
    }
    by_components(path)
}

fn by_components(path: &Path) -> String {
    path.components()
        .map(|c| match c {
            // Joined with "/" below, the root becomes the leading slash.
            std::path::Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Sorts diagnostics by file, line and column so that output never depends on the
/// order the files were read in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// The closing line of a `check` or a failed `build`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = count(diagnostics);
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => "no problems found".to_string(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// A JSON array of the diagnostics, sorted by place: a stable format for other tools.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diagnostics).expect("diagnostics serialize") + "\n"
}

/// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`),
/// so that problems show on the pull request's lines. `site` is the site folder as given
/// on the command line, which paths are joined to (workflows run at the repository root).
pub fn render_github(diagnostics: &[Diagnostic], site: &Path) -> String {
    // The escapes GitHub's runner expects in workflow-command data and properties.
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            let path = if site.as_os_str().is_empty() || site == Path::new(".") {
                file.clone()
            } else {
                site.join(file)
            };
            props.push(format!("file={}", property(&display_path(&path))));
            if d.line > 0 {
                props.push(format!("line={}", d.line));
                props.push(format!("col={}", d.column.max(1)));
            }
        }
        props.push(format!(
            "title={}",
            property(&format!("cyclebook {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str(&format!("\nhelp: {hint}"));
        }
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&message));
    }
    out
}

/// Edit distance counting a swap of neighbours as one edit (optimal string
/// alignment), since `titel` for `title` is the commonest typo.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The closest candidate, if close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_path_takes_plain_paths_as_they_are_and_others_by_component() {
        let parts = [
            "", "a", "b.md", ".", "..", "/", "//", "./", "/.", "x y", "é",
        ];
        let mut checked = 0;
        for a in parts {
            for b in parts {
                for c in parts {
                    let text = format!("{a}{b}{c}");
                    let path = Path::new(&text);
                    assert_eq!(display_path(path), by_components(path), "{text:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, parts.len().pow(3));
        assert_eq!(display_path(Path::new("notes/./a//b/")), "notes/a/b");
        assert_eq!(display_path(Path::new("/")), "");
    }

    #[test]
    fn renders_like_rustc_with_caret_under_the_span() {
        let text = "---\ntitle: A\nchnage: x\n---\n";
        let d = Diagnostic::error("E0104", "unknown key `chnage` in cycle front matter")
            .at(Path::new("cycles/a.md"), text, Pos::new(3, 1, 6))
            .label("unknown key")
            .hint("did you mean `change`?");
        assert_eq!(
            d.render_human(),
            "error[E0104]: unknown key `chnage` in cycle front matter\n \
             --> cycles/a.md:3:1\n  |\n3 | chnage: x\n  | ^^^^^^ unknown key\n  \
             = help: did you mean `change`?\n"
        );
    }

    #[test]
    fn renders_github_workflow_commands_with_escapes() {
        let d = Diagnostic::error("E0104", "unknown key `a,b`: 100%")
            .at(Path::new("cycles/a.md"), "x", Pos::new(1, 2, 1))
            .hint("try\nthis");
        assert_eq!(
            render_github(&[d], Path::new("site")),
            "::error file=site/cycles/a.md,line=1,col=2,title=cyclebook E0104::unknown key `a,b`: 100%25%0Ahelp: try%0Athis\n"
        );
    }

    #[test]
    fn suggests_only_close_words() {
        let keys = ["title", "change", "status"];
        assert_eq!(did_you_mean("chnage", keys), Some("change"));
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("colour", keys), None);
    }

    #[test]
    fn sorts_by_place() {
        let mut ds = vec![
            Diagnostic::error("E1", "b").at(Path::new("b.md"), "x", Pos::new(1, 1, 1)),
            Diagnostic::error("E1", "a2").at(Path::new("a.md"), "x\ny", Pos::new(2, 1, 1)),
            Diagnostic::error("E1", "a1").at(Path::new("a.md"), "x", Pos::new(1, 1, 1)),
        ];
        sort(&mut ds);
        let order: Vec<_> = ds.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["a1", "a2", "b"]);
        assert_eq!(summary(&ds), "3 errors");
    }
}

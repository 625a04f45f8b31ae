//! Test harness: sites (fixtures, copies of fixtures, or sites written from a list of
//! files), builds into temporary folders, pages to assert on, and the real binary.
//!
//! A test reads like a story:
//! `Site::fixture("linked").build().page("cycles/huddle-2/index.html").contains("…")`.

#![allow(dead_code)]

use cyclebook::diagnostics::Diagnostic;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// `tests/fixtures/<name>`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

pub fn example_site_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site")
}

/// Copies a folder recursively (fixtures are small).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `root`, by `/`-separated relative path, with its bytes.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                let key = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(key, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Asserts two trees hold the same files with the same bytes, naming the first difference.
pub fn assert_same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
    let names_a: Vec<&String> = a.keys().collect();
    let names_b: Vec<&String> = b.keys().collect();
    assert_eq!(names_a, names_b, "the two builds wrote different files");
    for (name, bytes) in a {
        if bytes != &b[name] {
            let first = bytes
                .iter()
                .zip(&b[name])
                .position(|(x, y)| x != y)
                .unwrap_or(bytes.len().min(b[name].len()));
            let from = first.saturating_sub(80);
            panic!(
                "{name} differs between builds at byte {first}:\n--- first\n{}\n--- second\n{}",
                String::from_utf8_lossy(&bytes[from..(first + 80).min(bytes.len())]),
                String::from_utf8_lossy(&b[name][from..(first + 80).min(b[name].len())])
            );
        }
    }
}

/// A site folder to check or build.
pub struct Site {
    root: PathBuf,
    _dir: Option<TempDir>,
}

impl Site {
    /// A fixture, used in place: only for tests that do not change it.
    pub fn fixture(name: &str) -> Site {
        let root = fixture_path(name);
        assert!(
            root.join("cyclebook.yml").is_file(),
            "no fixture {}",
            root.display()
        );
        Site { root, _dir: None }
    }

    /// A private copy of a fixture that the test may change.
    pub fn fixture_copy(name: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(name);
        copy_dir(&fixture_path(name), &root);
        Site {
            root,
            _dir: Some(dir),
        }
    }

    /// The repository's example site, in place.
    pub fn example() -> Site {
        Site {
            root: example_site_path(),
            _dir: None,
        }
    }

    /// A private copy of the example site that the test may change.
    pub fn example_copy() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("example-site");
        copy_dir(&example_site_path(), &root);
        Site {
            root,
            _dir: Some(dir),
        }
    }

    /// A site written from `(path, content)` pairs into a fresh temporary folder.
    /// A `cyclebook.yml` with a title is added unless one is given.
    pub fn from_files(files: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(&root).unwrap();
        let site = Site {
            root,
            _dir: Some(dir),
        };
        if !files.iter().any(|(p, _)| *p == "cyclebook.yml") {
            // Small counts in test data are not of people: no W0601 unless a test asks.
            site.write(
                "cyclebook.yml",
                "title: One-off test site\nprivacy: { suppress_below: 0 }\n",
            );
        }
        for (path, content) in files {
            site.write(path, content);
        }
        site
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The temporary folder that holds the site (a place for outputs beside it).
    pub fn parent(&self) -> &Path {
        self.root.parent().unwrap()
    }

    pub fn write(&self, rel: &str, content: &str) -> &Self {
        assert!(
            self._dir.is_some(),
            "refusing to change a fixture in place: use Site::fixture_copy"
        );
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.root.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Builds with the library into a fresh temporary folder; panics with every
    /// diagnostic if the build fails.
    pub fn build(&self) -> Built {
        self.build_with(None)
    }

    pub fn build_with_base_url(&self, base_url: &str) -> Built {
        self.build_with(Some(base_url))
    }

    fn build_with(&self, base_url: Option<&str>) -> Built {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let options = cyclebook::BuildOptions {
            site: self.root.clone(),
            out: Some(out.clone()),
            base_url: base_url.map(str::to_string),
            // Fixtures live inside cyclebook's own repository: its history is not theirs.
            git: false,
            allow_identifiers: false,
        };
        match cyclebook::build(&options) {
            Ok(report) => {
                assert_eq!(report.out, out);
                Built {
                    _dir: dir,
                    out,
                    pages: report.pages,
                    files: report.files,
                    warnings: report.diagnostics,
                }
            }
            Err(cyclebook::Error::Content(diagnostics)) => {
                panic!("build failed:\n{}", render_all(&diagnostics))
            }
            Err(e) => panic!("build failed: {e}"),
        }
    }

    /// `cyclebook::check`, expecting success; returns the warnings.
    pub fn check_ok(&self) -> Vec<Diagnostic> {
        match cyclebook::check(&self.root, false, false) {
            Ok(warnings) => warnings,
            Err(cyclebook::Error::Content(diagnostics)) => {
                panic!("check failed:\n{}", render_all(&diagnostics))
            }
            Err(e) => panic!("check failed: {e}"),
        }
    }

    /// `cyclebook::check`, expecting content errors; returns every diagnostic.
    pub fn check_err(&self) -> Vec<Diagnostic> {
        match cyclebook::check(&self.root, false, false) {
            Ok(warnings) => {
                panic!("check passed, but errors were expected (warnings: {warnings:?})")
            }
            Err(cyclebook::Error::Content(diagnostics)) => diagnostics,
            Err(e) => panic!("expected content errors, got: {e}"),
        }
    }

    /// The one error of `check`, asserting there is exactly one.
    pub fn only_error(&self) -> Diagnostic {
        let all = self.check_err();
        assert_eq!(
            all.len(),
            1,
            "expected exactly one diagnostic:\n{}",
            render_all(&all)
        );
        all.into_iter().next().unwrap()
    }
}

pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(Diagnostic::render_human)
        .collect::<Vec<_>>()
        .join("\n")
}

/// (code, file, line, column) of a diagnostic: what a test usually asserts.
pub fn place(d: &Diagnostic) -> (&'static str, String, usize, usize) {
    let file = d
        .file
        .as_ref()
        .map(|f| cyclebook::diagnostics::display_path(f))
        .unwrap_or_default();
    (d.code, file, d.line, d.column)
}

/// A site built into a temporary folder.
pub struct Built {
    _dir: TempDir,
    pub out: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
}

impl Built {
    pub fn exists(&self, rel: &str) -> bool {
        self.out.join(rel).exists()
    }

    pub fn bytes(&self, rel: &str) -> Vec<u8> {
        fs::read(self.out.join(rel)).unwrap_or_else(|e| {
            panic!(
                "{rel} was not built ({e}); built files:\n{}",
                self.listing()
            )
        })
    }

    pub fn page(&self, rel: &str) -> Page {
        let html =
            String::from_utf8(self.bytes(rel)).unwrap_or_else(|_| panic!("{rel} is not UTF-8"));
        Page {
            name: rel.to_string(),
            html,
        }
    }

    pub fn site_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes("site.json")).expect("site.json is JSON")
    }

    /// The entry of `site.json`'s `items` with this id.
    pub fn item(&self, id: &str) -> serde_json::Value {
        let json = self.site_json();
        let items = json["items"].as_array().expect("items is a list");
        let found: Vec<_> = items.iter().filter(|i| i["id"] == id).collect();
        assert_eq!(
            found.len(),
            1,
            "site.json should hold exactly one item `{id}`"
        );
        found[0].clone()
    }

    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.out)
    }

    fn listing(&self) -> String {
        self.tree().keys().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// An output page's text, with assertions that show the page when they fail.
#[derive(Clone)]
pub struct Page {
    pub name: String,
    pub html: String,
}

impl Page {
    #[track_caller]
    pub fn contains(&self, needle: &str) -> &Self {
        assert!(
            self.html.contains(needle),
            "{} should contain\n  {needle}\nbut is:\n{}",
            self.name,
            self.html
        );
        self
    }

    #[track_caller]
    pub fn lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.html.contains(needle),
            "{} should not contain\n  {needle}\nbut is:\n{}",
            self.name,
            self.html
        );
        self
    }

    pub fn count(&self, needle: &str) -> usize {
        self.html.matches(needle).count()
    }

    /// The part of the page from the first `start` to the next `end` after it (inclusive).
    #[track_caller]
    pub fn section(&self, start: &str, end: &str) -> Page {
        let from = self
            .html
            .find(start)
            .unwrap_or_else(|| panic!("{} has no `{start}`:\n{}", self.name, self.html));
        let to = self.html[from + start.len()..]
            .find(end)
            .map(|i| from + start.len() + i + end.len())
            .unwrap_or_else(|| panic!("{} has no `{end}` after `{start}`", self.name));
        Page {
            name: format!("{} [{start} … {end}]", self.name),
            html: self.html[from..to].to_string(),
        }
    }

    /// Asserts the needles appear in this order.
    #[track_caller]
    pub fn in_order(&self, needles: &[&str]) -> &Self {
        let mut at = 0;
        for needle in needles {
            match self.html[at..].find(needle) {
                Some(i) => at += i + needle.len(),
                None => panic!("{} should contain, in order, {needles:?}; `{needle}` is missing or out of order:\n{}", self.name, self.html),
            }
        }
        self
    }
}

/// What a run of the real binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn exits(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the `cyclebook` binary built by Cargo for these tests. `build` and `check` get
/// `--no-git`: fixtures live inside cyclebook's own repository, whose history is not
/// theirs (and is a shallow clone in some CI). `tests/history.rs` uses [`cyclebook_git`].
pub fn cyclebook<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(Command::new(env!("CARGO_BIN_EXE_cyclebook")).args(without_git(args)))
}

/// Runs the `cyclebook` binary as a user would, reading git history.
pub fn cyclebook_git<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(Command::new(env!("CARGO_BIN_EXE_cyclebook")).args(args))
}

/// Runs the `cyclebook` binary in `dir`, for relative paths and the default site `.`.
pub fn cyclebook_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(Command::new(env!("CARGO_BIN_EXE_cyclebook"))
        .current_dir(dir)
        .args(without_git(args)))
}

fn without_git<I, S>(args: I) -> Vec<std::ffi::OsString>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut args: Vec<std::ffi::OsString> =
        args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    if args.first().is_some_and(|a| a == "build" || a == "check") {
        args.push("--no-git".into());
    }
    args
}

fn run(command: &mut Command) -> Run {
    let output = command
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the cyclebook binary runs");
    Run {
        code: output
            .status
            .code()
            .expect("cyclebook exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Entries of a folder by name, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

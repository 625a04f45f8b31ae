//! Load: walk the site's folders, split front matter from bodies, read CSVs, and
//! build the typed items. Problems become diagnostics; loading never stops at the first.

pub mod frontmatter;
pub mod items;
pub mod measure_data;
mod quick_yaml;
pub mod source;

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Pos};
use crate::hash::FastMap;
use frontmatter::Fields;
use items::{Details, Item, Kind};
use rayon::prelude::*;
use source::{relative, SourceFile};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Everything read from a site folder, before links are resolved.
#[derive(Debug)]
pub struct Content {
    pub root: PathBuf,
    pub config: Config,
    pub config_file: SourceFile,
    pub items: Vec<std::sync::Arc<Item>>,
    /// Files under `static/`: (path in the output, file on disk).
    pub static_files: Vec<(PathBuf, PathBuf)>,
    /// Template overrides by template name (`cycle.html`), from the site's theme and `templates/`.
    pub templates: BTreeMap<String, SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Failures that stop loading altogether (exit code 2).
#[derive(Debug)]
pub enum LoadError {
    NotASite(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotASite(p) => write!(
                f,
                "{} is not a cyclebook site: no {CONFIG_FILE} there (create one with at least `title: …`)",
                p.display()
            ),
            LoadError::Io(p, e) => write!(f, "cannot read {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// Ids are slugs: lowercase ASCII letters and digits in hyphen-separated words.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A slug made from any text (`Falls huddle #2` → `falls-huddle-2`).
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The largest Markdown, YAML or template file cyclebook reads, in bytes.
pub const MAX_TEXT_BYTES: u64 = 5 * 1024 * 1024;
/// The largest CSV file cyclebook reads, in bytes.
pub const MAX_CSV_BYTES: u64 = 50 * 1024 * 1024;

/// `bytes` in megabytes (of 1,048,576 bytes), rounded up to one decimal so that a file
/// just over a limit never reads as being at it.
fn megabytes(bytes: u64) -> String {
    let tenths = (bytes.saturating_mul(10)).div_ceil(1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// 1-based line and column (in characters) of byte `at` of `bytes`, whose first `at`
/// bytes are UTF-8. A byte-order mark does not count as a column.
fn position_of(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = std::str::from_utf8(&bytes[..at]).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let on_line = &before[line_start..];
    let on_line = if line == 1 {
        on_line.strip_prefix('\u{feff}').unwrap_or(on_line)
    } else {
        on_line
    };
    (line, on_line.chars().count() + 1)
}

/// The text of a file that is not valid text, made showable for a diagnostic.
fn showable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\0', "\u{2400}")
}

/// Reads a file of the site as UTF-8 text. Refuses (with a diagnostic) what is not a
/// regular file, what is larger than its limit (checked before reading, so a huge file
/// costs nothing), and what is not UTF-8 text: another encoding, or NUL bytes (UTF-16
/// without a byte-order mark, or a binary file).
fn read_text(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    use std::io::Read;
    let rel = relative(root, path);
    let cannot_read = |e: std::io::Error| {
        Diagnostic::error("E0001", format!("cannot read this file: {e}")).in_file(&rel)
    };
    let limit = if has_ext(path, "csv") {
        MAX_CSV_BYTES
    } else {
        MAX_TEXT_BYTES
    };
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let metadata = file.metadata().map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(
            Diagnostic::error("E0001", "cannot read this file: it is not a regular file")
                .in_file(&rel)
                .hint("site content must be ordinary files"),
        );
    }
    let too_large = |size: u64| {
        let hint = if limit == MAX_CSV_BYTES {
            "keep older rows in an archive outside the site, or summarise them (one row per week or month)"
        } else {
            "split the text into several files, and put large attachments in static/"
        };
        Diagnostic::error(
            "E0003",
            format!(
                "file is too large ({}, the limit is {})",
                megabytes(size),
                megabytes(limit)
            ),
        )
        .in_file(&rel)
        .hint(hint)
    };
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // The file may grow while it is read: never read more than the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    let not_text = |at: usize, message: &str, label: &str, hint: &str| {
        let (line, col) = position_of(&bytes, at);
        SourceFile::new(rel.clone(), showable(&bytes))
            .error("E0002", message, Pos::new(line, col, 1))
            .label(label)
            .hint(hint)
    };
    const RESAVE: &str = "re-save the file as UTF-8 (in Excel: \"CSV UTF-8\"; in most editors: File → Save with encoding → UTF-8)";
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            Diagnostic::error("E0002", "this file is not UTF-8 text: it is UTF-16")
                .in_file(&rel)
                .label("UTF-16 byte-order mark")
                .hint(RESAVE),
        );
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(not_text(
                e.valid_up_to(),
                "this file is not UTF-8 text",
                "first byte that is not UTF-8",
                RESAVE,
            ))
        }
    };
    if let Some(at) = text.find('\0') {
        return Err(not_text(
            at,
            "this file is not UTF-8 text: it contains a NUL byte",
            "NUL byte",
            "the file may be UTF-16 text, or not text at all; re-save it as UTF-8 (File → Save with encoding → UTF-8)",
        ));
    }
    let text = String::from_utf8(bytes).expect("checked above");
    Ok(SourceFile::new(rel, text))
}

/// What a symbolic link found in the site is reported as. Links are never followed: one
/// that leads outside the site (or whose target cannot be found inside it) is an error,
/// since following it could publish any file of the machine; one within the site is
/// skipped with a warning.
fn symlink_diagnostic(root: &Path, link: &Path) -> Diagnostic {
    let rel = relative(root, link);
    let target = std::fs::read_link(link).unwrap_or_default();
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let resolved = std::fs::canonicalize(link).ok().or_else(|| {
        // A link to nothing: where it would lead, without following anything further.
        let parent = link.parent()?;
        let parent = std::fs::canonicalize(parent).ok()?;
        let mut out = PathBuf::new();
        for c in parent.join(&target).components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        Some(out)
    });
    let inside = resolved.is_some_and(|r| r.starts_with(&real_root));
    let shown = crate::diagnostics::display_path(&rel);
    if inside {
        Diagnostic::warning(
            "W0001",
            "symbolic link skipped: site content must be real files inside the site",
        )
        .in_file(&rel)
        .label(format!("links to {}", target.display()))
        .hint("copy the file into the site instead of linking to it")
    } else {
        Diagnostic::error(
            "E0004",
            format!(
                "symbolic link `{shown}` leads outside the site, to {}",
                target.display()
            ),
        )
        .in_file(&rel)
        .label("not followed")
        .hint("cyclebook reads only files inside the site folder: copy the file into the site, or remove the link")
    }
}

/// The first symbolic link on the way from `root` down to `dir` (`dir` included).
fn symlink_on_the_way(root: &Path, dir: &Path) -> Option<PathBuf> {
    let mut at = root.to_path_buf();
    for component in relative(root, dir).components() {
        at.push(component);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(at);
        }
    }
    None
}

/// Whether a folder is a site built by cyclebook (`-o` pointed inside the site): it is
/// never read back as content.
fn is_built_site(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(crate::write::MARKER)).is_ok()
}

/// Files under `dir`, sorted by path so every run sees the same order. Symbolic links
/// are not followed (see [`symlink_diagnostic`]); hidden files and folders, and folders
/// that cyclebook built, are skipped.
fn files_under(root: &Path, dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if let Some(link) = symlink_on_the_way(root, dir) {
        diagnostics.push(symlink_diagnostic(root, &link));
        return Vec::new();
    }
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name();
    // Hidden files and folders, editors' backups (`plan.pdf~`) and built sites are
    // not the site's: `serve`'s watcher ignores the same.
    for entry in walker.into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0
            || !(name.starts_with('.')
                || name.ends_with('~')
                || e.file_type().is_dir() && is_built_site(e.path()))
    }) {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(e) if e.path_is_symlink() => diagnostics.push(symlink_diagnostic(root, e.path())),
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(|p| relative(root, p)).unwrap_or_default();
                diagnostics.push(
                    Diagnostic::error("E0001", format!("cannot read this folder: {e}"))
                        .in_file(&path),
                );
            }
        }
    }
    files
}

fn skipped_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.starts_with('_') || name == "readme.md"
}

/// A file's size, modification time and (on Unix) inode and change time: what tells a
/// file edited or replaced (editors save by renaming a new file over the old one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
    changed: i64,
    changed_ns: i64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::symlink_metadata(path).ok()?;
    #[cfg(unix)]
    let (inode, changed, changed_ns) = {
        use std::os::unix::fs::MetadataExt;
        (m.ino(), m.ctime(), m.ctime_nsec())
    };
    #[cfg(not(unix))]
    let (inode, changed, changed_ns) = (0, 0, 0);
    Some(Stamp {
        len: m.len(),
        modified: m.modified().ok(),
        inode,
        changed,
        changed_ns,
    })
}

/// One item file as last read: what it gave, and the stamps of the files it came from.
#[derive(Debug, Clone)]
struct CachedItem {
    stamps: Vec<Option<Stamp>>,
    item: Option<std::sync::Arc<Item>>,
    diagnostics: Vec<Diagnostic>,
}

/// Items read by an earlier [`load_cached`], by file: a file whose stamps have not
/// changed (and that was not named in [`LoadCache::forget`]) is not read again.
#[derive(Debug, Default)]
pub struct LoadCache {
    /// By path, as bytes (hashing a `Path` parses it).
    items: FastMap<OsString, CachedItem>,
    /// How many item files the last load read from disk (the rest came from the cache).
    pub last_read: usize,
    /// What the last walk of the item folders found, for a load that need not walk.
    walk: Option<Walk>,
    /// Set by [`LoadCache::only_modified`]: the next load reuses `walk`.
    skip_walk: bool,
    /// Whether the last load walked the item folders (false: it trusted the watcher).
    pub last_walked: bool,
}

/// The item files one walk found, in walk order, and what it reported on the way.
#[derive(Debug)]
struct Walk {
    jobs: Vec<(PathBuf, Kind, bool)>,
    /// Every file an item is read from (a measure's CSV too).
    files: crate::hash::FastSet<OsString>,
    diagnostics: Vec<Diagnostic>,
}

impl LoadCache {
    /// Drops what was read from these files (absolute paths), e.g. ones a file watcher
    /// reported: an edit within the file system's timestamp granularity that keeps
    /// the size is otherwise invisible.
    pub fn forget<'a>(&mut self, paths: impl IntoIterator<Item = &'a Path>) {
        for path in paths {
            self.items.remove(path.as_os_str());
            // A measure's entry is keyed by its Markdown file but also made of its CSV.
            if has_ext(path, "csv") {
                self.items.remove(path.with_extension("md").as_os_str());
            }
        }
    }

    /// [`LoadCache::forget`], told (by a file watcher) that nothing else changed since
    /// the last load: if every path is a file an item was read from and still is a
    /// regular file (the content of files changed, no file came or went), the next load
    /// reads these files again and trusts the rest without walking the folders or
    /// looking at each file. Returns whether it will; anything else (a new, removed or
    /// renamed file, a folder, settings, templates) leaves the next load a full one.
    pub fn only_modified<'a>(&mut self, paths: impl IntoIterator<Item = &'a Path>) -> bool {
        let paths: Vec<&Path> = paths.into_iter().collect();
        let known = |path: &Path| {
            self.walk
                .as_ref()
                .is_some_and(|walk| walk.files.contains(path.as_os_str()))
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        };
        self.skip_walk = !paths.is_empty() && paths.iter().all(|p| known(p));
        self.forget(paths);
        self.skip_walk
    }

    /// Takes out what was read from `path`, if its files are unchanged.
    fn take(&mut self, path: &Path, stamps: &[Option<Stamp>]) -> Option<CachedItem> {
        self.items
            .remove(path.as_os_str())
            .filter(|c| c.stamps.iter().all(Option::is_some) && c.stamps == stamps)
    }
}

/// Reads the whole site, from disk.
pub fn load(root: &Path) -> Result<Content, LoadError> {
    load_cached(root, &mut LoadCache::default())
}

/// Reads the site, taking unchanged item files from `cache` and refreshing it.
pub fn load_cached(root: &Path, cache: &mut LoadCache) -> Result<Content, LoadError> {
    let config_path = root.join(CONFIG_FILE);
    if !config_path.is_file() {
        return Err(LoadError::NotASite(root.to_path_buf()));
    }
    let mut diagnostics = Vec::new();
    // `cyclebook.yml` may be a link within the site, but never to a file outside it.
    let config_link = std::fs::symlink_metadata(&config_path)
        .is_ok_and(|m| m.file_type().is_symlink())
        .then(|| symlink_diagnostic(root, &config_path))
        .filter(Diagnostic::is_error);
    let config_text = match config_link {
        Some(d) => Err(d),
        None => read_text(root, &config_path),
    };
    let config_file = match config_text {
        Ok(f) => f,
        Err(d) => {
            diagnostics.push(d);
            SourceFile::new(PathBuf::from(CONFIG_FILE), String::new())
        }
    };
    let (config, config_diagnostics) = match too_deep(&config_file, &config_file.text, 1) {
        Some(d) => (Config::default(), vec![d]),
        None => Config::parse(&config_file),
    };
    diagnostics.extend(config_diagnostics);

    let walk = match (std::mem::take(&mut cache.skip_walk), cache.walk.take()) {
        (true, Some(walk)) => {
            cache.last_walked = false;
            walk
        }
        _ => {
            cache.last_walked = true;
            walk_items(root)
        }
    };
    diagnostics.extend(walk.diagnostics.iter().cloned());
    if cache.last_walked {
        read_items(root, &walk, cache);
    } else {
        read_modified_items(root, &walk, cache);
    }
    let mut items = Vec::with_capacity(walk.jobs.len());
    for (path, _, _) in &walk.jobs {
        let entry = &cache.items[path.as_os_str()];
        items.extend(entry.item.clone());
        diagnostics.extend(entry.diagnostics.iter().cloned());
    }
    cache.walk = Some(walk);
    let static_dir = root.join("static");
    let static_files = files_under(root, &static_dir, &mut diagnostics)
        .into_iter()
        .map(|p| (relative(&static_dir, &p), p))
        .collect();

    let mut templates = BTreeMap::new();
    if config.theme != "default" && !is_folder_name(&config.theme) {
        diagnostics.push(
            config_file
                .error(
                    "E0107",
                    format!("theme `{}` is not the name of a folder", config.theme),
                    theme_pos(&config_file),
                )
                .hint("name a folder of themes/, e.g. `theme: ward7` for themes/ward7/templates/"),
        );
    } else if config.theme != "default" {
        let theme_dir = root.join("themes").join(&config.theme).join("templates");
        if theme_dir.is_dir() {
            collect_templates(root, &theme_dir, &mut templates, &mut diagnostics);
        } else {
            diagnostics.push(
                config_file
                    .error("E0107", format!("theme `{}` not found", config.theme), theme_pos(&config_file))
                    .hint(format!("the built-in theme is `default`; a site theme lives in themes/{}/templates/", config.theme)),
            );
        }
    }
    collect_templates(
        root,
        &root.join("templates"),
        &mut templates,
        &mut diagnostics,
    );

    Ok(Content {
        root: root.to_path_buf(),
        config,
        config_file,
        items,
        static_files,
        templates,
        diagnostics,
    })
}

/// Finds the files that make items, in the order items come in.
fn walk_items(root: &Path) -> Walk {
    let mut walk = Walk {
        jobs: Vec::new(),
        files: Default::default(),
        diagnostics: Vec::new(),
    };
    for kind in Kind::ALL {
        let dir = root.join(kind.folder());
        let files = files_under(root, &dir, &mut walk.diagnostics);
        for path in &files {
            if has_ext(path, "md") && !skipped_name(path) {
                walk.jobs.push((path.clone(), kind, false));
            }
        }
        if kind == Kind::Measure {
            for csv in files.iter().filter(|p| has_ext(p, "csv")) {
                // A CSV beside a Markdown file (even a skipped link) is that measure's data.
                if std::fs::symlink_metadata(csv.with_extension("md")).is_err() {
                    walk.jobs.push((csv.clone(), kind, true));
                } else {
                    walk.files.insert(csv.clone().into_os_string());
                }
            }
        }
    }
    // Only the data of a measure that is read (not beside a skipped file) counts.
    let jobs: crate::hash::FastSet<&std::ffi::OsStr> = walk
        .jobs
        .iter()
        .map(|(path, _, _)| path.as_os_str())
        .collect();
    walk.files
        .retain(|csv| jobs.contains(Path::new(csv).with_extension("md").as_os_str()));
    walk.files.extend(
        walk.jobs
            .iter()
            .map(|(path, _, _)| path.clone().into_os_string()),
    );
    walk
}

/// The stamps of the files item `path` is read from.
fn stamps_of(path: &Path, kind: Kind, lone_csv: bool) -> Vec<Option<Stamp>> {
    let mut stamps = vec![stamp(path)];
    if kind == Kind::Measure && !lone_csv {
        stamps.push(stamp(&path.with_extension("csv")));
    }
    stamps
}

/// Reads one item file (and a measure's CSV).
fn read_entry(
    root: &Path,
    path: &Path,
    kind: Kind,
    lone_csv: bool,
    stamps: Vec<Option<Stamp>>,
) -> CachedItem {
    let mut found = Vec::new();
    let item = if lone_csv {
        lone_csv_measure(root, path, &mut found)
    } else {
        match read_text(root, path) {
            Ok(file) => read_item(root, kind, file, &mut found),
            Err(d) => {
                found.push(d);
                None
            }
        }
    };
    CachedItem {
        stamps,
        item: item.map(std::sync::Arc::new),
        diagnostics: found,
    }
}

/// Stats every item file of `walk`, and reads and parses the changed ones, on all cores.
fn read_items(root: &Path, walk: &Walk, cache: &mut LoadCache) {
    let stamps: Vec<Vec<Option<Stamp>>> = walk
        .jobs
        .par_iter()
        .map(|(path, kind, lone_csv)| stamps_of(path, *kind, *lone_csv))
        .collect();
    let cached: Vec<Option<CachedItem>> = walk
        .jobs
        .iter()
        .zip(&stamps)
        .map(|((path, _, _), stamps)| cache.take(path, stamps))
        .collect();
    let entries: Vec<(CachedItem, bool)> = walk
        .jobs
        .par_iter()
        .zip(stamps)
        .zip(cached)
        .map(|(((path, kind, lone_csv), stamps), cached)| match cached {
            Some(entry) => (entry, false),
            None => (read_entry(root, path, *kind, *lone_csv, stamps), true),
        })
        .collect();
    // The cache keeps only files that are still there.
    cache.items = FastMap::default();
    cache.last_read = 0;
    for ((path, _, _), (entry, read)) in walk.jobs.iter().zip(entries) {
        cache.last_read += usize::from(read);
        cache.items.insert(path.clone().into_os_string(), entry);
    }
}

/// Reads the item files of `walk` that the cache no longer holds (those named in
/// [`LoadCache::only_modified`]); the rest are trusted as they are.
fn read_modified_items(root: &Path, walk: &Walk, cache: &mut LoadCache) {
    let missing: Vec<&(PathBuf, Kind, bool)> = walk
        .jobs
        .iter()
        .filter(|(path, _, _)| !cache.items.contains_key(path.as_os_str()))
        .collect();
    let read: Vec<CachedItem> = missing
        .par_iter()
        .map(|(path, kind, lone_csv)| {
            read_entry(
                root,
                path,
                *kind,
                *lone_csv,
                stamps_of(path, *kind, *lone_csv),
            )
        })
        .collect();
    cache.last_read = read.len();
    for ((path, _, _), entry) in missing.into_iter().zip(read) {
        cache.items.insert(path.clone().into_os_string(), entry);
    }
}

/// One plain folder name: no separators, no `..`, not hidden.
fn is_folder_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', ':', '\0'])
}

fn theme_pos(config_file: &SourceFile) -> Pos {
    let line = config_file
        .text
        .lines()
        .position(|l| l.starts_with("theme:"))
        .map_or(1, |i| i + 1);
    Pos::new(line, 1, 5)
}

fn collect_templates(
    root: &Path,
    dir: &Path,
    templates: &mut BTreeMap<String, SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for path in files_under(root, dir, diagnostics) {
        let name = crate::diagnostics::display_path(&relative(dir, &path));
        match read_text(root, &path) {
            Ok(file) => {
                templates.insert(name, file);
            }
            Err(d) => diagnostics.push(d),
        }
    }
}

fn read_measure_data(
    root: &Path,
    csv: &Path,
    measure: &mut items::Measure,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match read_text(root, csv) {
        Ok(file) => {
            let (data, csv_diagnostics) =
                measure_data::parse_csv(&file, &measure.columns, measure.chart);
            measure.data = data;
            diagnostics.extend(csv_diagnostics);
        }
        Err(d) => diagnostics.push(d),
    }
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn check_id(file: &SourceFile, diagnostics: &mut Vec<Diagnostic>) -> String {
    let id = file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_slug(&id) {
        diagnostics.push(
            Diagnostic::error(
                "E0109",
                format!("`{id}` is not a valid id: file names are the ids of items"),
            )
            .in_file(&file.path)
            .hint(format!(
                "rename the file to `{}` (lowercase letters, digits and hyphens)",
                slugify(&id)
            )),
        );
    }
    id
}

fn read_item(
    root: &Path,
    kind: Kind,
    source: SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Item> {
    let file = &source;
    let id = check_id(file, diagnostics);
    let split = match file.split_front_matter() {
        Ok(s) => s,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    let what = match kind {
        Kind::Aim => "aim front matter",
        Kind::Change => "change idea front matter",
        Kind::Cycle => "cycle front matter",
        Kind::Measure => "measure front matter",
        Kind::Note => "note front matter",
    };
    if let Some(d) = too_deep(file, split.front_matter, split.front_matter_line) {
        diagnostics.push(d);
        return None;
    }
    let mut fields = match Fields::parse(file, split.front_matter, split.front_matter_line, what) {
        Ok(f) => f,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    fields.deny_unknown_keys(items::allowed_keys(kind));
    let title = fields
        .required_string("title")
        .unwrap_or_else(|| id.clone());
    let summary = fields.string("summary");
    let tags = read_tags(&mut fields);
    let details = match kind {
        Kind::Cycle => Details::Cycle(items::read_cycle(&mut fields)),
        Kind::Note => Details::Note(items::read_note(&mut fields)),
        Kind::Measure => {
            let mut measure = items::read_measure(&mut fields, file.path.with_extension("csv"));
            let csv_abs = root.join(&measure.csv_path);
            let csv = crate::diagnostics::display_path(&measure.csv_path);
            match std::fs::symlink_metadata(&csv_abs) {
                Ok(m) if m.is_file() => {
                    read_measure_data(root, &csv_abs, &mut measure, &mut fields.diagnostics);
                    items::check_settings_against_data(&mut fields, &measure);
                }
                // Reported where the folder is read; said again here, where it matters.
                Ok(m) if m.file_type().is_symlink() => {
                    let d = file
                        .error("E0300", format!("measure `{id}` has no data: {csv} is a symbolic link, which is not followed"), Pos::new(1, 1, 3))
                        .label("measure defined here")
                        .hint(format!("replace the link with the file itself: copy the CSV to {csv}"));
                    fields.diagnostics.push(d);
                }
                _ => {
                    let d = file
                        .error("E0300", format!("measure `{id}` has no data: {csv} is missing"), Pos::new(1, 1, 3))
                        .label("measure defined here")
                        .hint(format!("add {csv} with a header line `date,value` (and `denominator` for proportions and rates)"));
                    fields.diagnostics.push(d);
                }
            }
            Details::Measure(Box::new(measure))
        }
        Kind::Change => Details::Change(items::read_change(&mut fields)),
        Kind::Aim => Details::Aim(items::read_aim(&mut fields)),
    };
    let front_matter = fields.to_json();
    diagnostics.extend(fields.finish());
    let (body_start, body_line) = (file.text.len() - split.body.len(), split.body_line);
    let title = title.trim().to_string();
    Some(Item {
        id,
        kind,
        source,
        title,
        summary,
        tags,
        body_start,
        body_line,
        front_matter,
        details,
    })
}

/// How deeply `[…]` and `{…}` may nest in YAML. The YAML parser gives up at 128 levels,
/// but takes time that grows with the square of the depth to get there (minutes for a
/// line of 100,000 `[`), so deeper YAML is refused before it is parsed.
pub const MAX_YAML_NESTING: usize = 100;

/// An E0102 error if `yaml` (whose first line is line `first_line` of `file`) nests
/// brackets deeper than [`MAX_YAML_NESTING`]: at the first bracket too deep. Quoted
/// text and comments do not count.
fn too_deep(file: &SourceFile, yaml: &str, first_line: usize) -> Option<Diagnostic> {
    // The depth cannot pass the number of opening brackets: front matter has a few.
    let openings = yaml.bytes().filter(|&b| b == b'[' || b == b'{').count();
    if openings <= MAX_YAML_NESTING {
        return None;
    }
    let (mut depth, mut line, mut col) = (0usize, first_line, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = ' ';
    let mut chars = yaml.chars();
    while let Some(c) = chars.next() {
        col += 1;
        match (quote, c) {
            // A line ends a comment, not a quoted scalar (which may span lines).
            (_, '\n') => (line, col, comment) = (line + 1, 0, false),
            _ if comment => {}
            (Some('"'), '\\') => {
                if chars.next() == Some('\n') {
                    (line, col) = (line + 1, 0);
                } else {
                    col += 1;
                }
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if matches!(previous, ' ' | '\t' | '\n' | '[' | '{' | ',' | ':') => {
                quote = Some(c);
            }
            (None, '#') if previous == ' ' || previous == '\t' || col == 1 => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_YAML_NESTING {
                    return Some(
                        file.error(
                            "E0102",
                            format!("malformed YAML: brackets nested more than {MAX_YAML_NESTING} deep"),
                            Pos::new(line, col, 1),
                        )
                        .label("nested too deeply")
                        .hint("write lists and settings with fewer levels of `[…]` and `{…}`; quote text that contains brackets"),
                    );
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    None
}

fn read_tags(fields: &mut Fields) -> Vec<String> {
    let mut tags = Vec::new();
    for (tag, pos) in fields.string_list("tags") {
        let tag = tag.trim().to_string();
        if slugify(&tag).is_empty() {
            let d = fields
                .file
                .error(
                    "E0107",
                    format!("tag `{tag}` has no letters or digits"),
                    pos,
                )
                .hint("tags are short words such as `falls` or `night-shift`");
            fields.diagnostics.push(d);
        } else if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

fn lone_csv_measure(root: &Path, csv: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Item> {
    if skipped_name(csv) {
        return None;
    }
    let rel = relative(root, csv);
    let probe = SourceFile::new(rel.clone(), String::new());
    let id = check_id(&probe, diagnostics);
    let mut measure = items::default_measure(rel.clone());
    read_measure_data(root, csv, &mut measure, diagnostics);
    let title = {
        let mut t = id.replace('-', " ");
        if let Some(first) = t.get(0..1) {
            t.replace_range(0..1, &first.to_uppercase());
        }
        t
    };
    Some(Item {
        id,
        kind: Kind::Measure,
        source: SourceFile::new(rel.clone(), String::new()),
        title,
        summary: None,
        tags: Vec::new(),
        body_start: 0,
        body_line: 1,
        front_matter: serde_json::json!({}),
        details: Details::Measure(Box::new(measure)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_so_a_file_over_a_limit_never_reads_as_at_it() {
        assert_eq!(megabytes(MAX_TEXT_BYTES), "5 MB");
        assert_eq!(megabytes(MAX_TEXT_BYTES + 1), "5.1 MB");
        assert_eq!(megabytes(100 * 1024 * 1024), "100 MB");
        assert_eq!(megabytes(0), "0 MB");
    }

    #[test]
    fn positions_count_characters_and_not_the_byte_order_mark() {
        let bytes = "\u{feff}ab\ncé\u{1F600}x".as_bytes();
        assert_eq!(position_of(bytes, 3), (1, 1));
        assert_eq!(position_of(bytes, 5), (1, 3));
        let x = bytes.len() - 1;
        assert_eq!(position_of(bytes, x), (2, 4));
    }

    #[test]
    fn yaml_nested_too_deeply_is_refused_before_parsing() {
        let file = SourceFile::new(PathBuf::from("n.md"), String::new());
        let deep = format!("title: x\nextra: {}\n", "[".repeat(MAX_YAML_NESTING + 1));
        let d = too_deep(&file, &deep, 2).expect("too deep");
        assert_eq!((d.code, d.line, d.column), ("E0102", 3, 108));
        // Brackets in quotes and comments, and balanced ones, are fine.
        let quoted = format!(
            "title: \"{0}\"\nsummary: '{0}'\n# {0}\nextra: {1}\n",
            "[".repeat(500),
            "[1], ".repeat(500)
        );
        assert!(too_deep(&file, &quoted, 1).is_none());
        let nested = format!(
            "a: {}{}\n",
            "[".repeat(MAX_YAML_NESTING),
            "]".repeat(MAX_YAML_NESTING)
        );
        assert!(too_deep(&file, &nested, 1).is_none());
    }

    #[test]
    fn theme_names_are_single_folder_names() {
        assert!(is_folder_name("ward7"));
        assert!(is_folder_name("Ward 7 theme"));
        for bad in [
            "", "..", ".", ".hidden", "a/b", "../x", "/etc", "a\\b", "c:x",
        ] {
            assert!(!is_folder_name(bad), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("falls-huddle-2"));
        assert!(!is_slug("Falls-huddle"));
        assert!(!is_slug("falls--huddle"));
        assert!(!is_slug("falls_huddle"));
        assert_eq!(slugify("Falls huddle #2 (night)"), "falls-huddle-2-night");
        assert_eq!(slugify("  "), "");
    }
}

//! Load: walk the site's folders, split front matter from bodies, read CSVs, and
//! build the typed items. Problems become diagnostics; loading never stops at the first.

pub mod frontmatter;
pub mod items;
pub mod measure_data;
pub mod source;

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Pos};
use frontmatter::Fields;
use items::{Details, Item, Kind};
use source::{relative, SourceFile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Everything read from a site folder, before links are resolved.
#[derive(Debug)]
pub struct Content {
    pub root: PathBuf,
    pub config: Config,
    pub config_file: SourceFile,
    pub items: Vec<Item>,
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

fn read_text(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let rel = relative(root, path);
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error("E0001", format!("cannot read this file: {e}")).in_file(&rel)
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(rel, text)),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let col = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Err(Diagnostic::error("E0002", "this file is not UTF-8 text")
                .at(&rel, &text, Pos::new(line, col, 1))
                .label("first byte that is not UTF-8")
                .hint("re-save the file as UTF-8 (in Excel: \"CSV UTF-8\"; in most editors: File → Save with encoding → UTF-8)"))
        }
    }
}

/// Files under `dir`, sorted by path so every run sees the same order.
fn files_under(root: &Path, dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let walker = WalkDir::new(dir).follow_links(false).sort_by_file_name();
    for entry in walker
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(e) if e.path_is_symlink() => diagnostics.push(
                Diagnostic::warning(
                    "W0001",
                    "symbolic link skipped: site content must be real files inside the site",
                )
                .in_file(&relative(root, e.path()))
                .hint("copy the file into the site instead of linking to it"),
            ),
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

pub fn load(root: &Path) -> Result<Content, LoadError> {
    let config_path = root.join(CONFIG_FILE);
    if !config_path.is_file() {
        return Err(LoadError::NotASite(root.to_path_buf()));
    }
    let mut diagnostics = Vec::new();
    let config_file = match read_text(root, &config_path) {
        Ok(f) => f,
        Err(d) => {
            diagnostics.push(d);
            SourceFile::new(PathBuf::from(CONFIG_FILE), String::new())
        }
    };
    let (config, config_diagnostics) = Config::parse(&config_file);
    diagnostics.extend(config_diagnostics);

    let mut items = Vec::new();
    for kind in Kind::ALL {
        let dir = root.join(kind.folder());
        let files = files_under(root, &dir, &mut diagnostics);
        let csvs: Vec<&PathBuf> = files.iter().filter(|p| has_ext(p, "csv")).collect();
        for path in files
            .iter()
            .filter(|p| has_ext(p, "md") && !skipped_name(p))
        {
            let file = match read_text(root, path) {
                Ok(f) => f,
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            };
            if let Some(item) = read_item(root, kind, &file, &mut diagnostics) {
                items.push(item);
            }
        }
        if kind == Kind::Measure {
            for csv in csvs {
                if csv.with_extension("md").is_file() {
                    continue;
                }
                if let Some(item) = lone_csv_measure(root, csv, &mut diagnostics) {
                    items.push(item);
                }
            }
        }
    }
    let static_dir = root.join("static");
    let static_files = files_under(root, &static_dir, &mut diagnostics)
        .into_iter()
        .map(|p| (relative(&static_dir, &p), p))
        .collect();

    let mut templates = BTreeMap::new();
    if config.theme != "default" {
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
    file: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Item> {
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
            if csv_abs.is_file() {
                read_measure_data(root, &csv_abs, &mut measure, &mut fields.diagnostics);
                items::check_settings_against_data(&mut fields, &measure);
            } else {
                let csv = crate::diagnostics::display_path(&measure.csv_path);
                let d = file
                    .error("E0300", format!("measure `{id}` has no data: {csv} is missing"), Pos::new(1, 1, 3))
                    .label("measure defined here")
                    .hint(format!("add {csv} with a header line `date,value` (and `denominator` for proportions and rates)"));
                fields.diagnostics.push(d);
            }
            Details::Measure(Box::new(measure))
        }
        Kind::Change => Details::Change(items::read_change(&mut fields)),
        Kind::Aim => Details::Aim(items::read_aim(&mut fields)),
    };
    let front_matter = fields.to_json();
    diagnostics.extend(fields.finish());
    Some(Item {
        id,
        kind,
        source: file.clone(),
        title: title.trim().to_string(),
        summary,
        tags,
        body: split.body.to_string(),
        body_line: split.body_line,
        front_matter,
        details,
    })
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
        body: String::new(),
        body_line: 1,
        front_matter: serde_json::json!({}),
        details: Details::Measure(Box::new(measure)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

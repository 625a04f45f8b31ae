//! Scaffolding: `cyclebook init` writes a new site (a small worked example that builds
//! cleanly), `cyclebook new` writes one item from its kind's scaffold.
//!
//! Scaffolds are text with `{{ name }}` placeholders (see [`fill`]): the theme's, in
//! `themes/default/scaffolds/<kind>.md`, or the site's own `scaffolds/<kind>.md`, which
//! wins. The loader reads only the content folders, `static/` and `templates/`, so a
//! site's `scaffolds/` folder is never read as content.

use crate::config::CONFIG_FILE;
use crate::content::items::{Item, Kind};
use crate::content::{self, is_slug, slugify};
use crate::date::Date;
use crate::diagnostics::{did_you_mean, display_path};
use crate::resolve::{self, Library};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder of a site's own scaffolds.
pub const SCAFFOLDS_DIR: &str = "scaffolds";

/// Ids made from titles are cut (at a hyphen) to this many characters.
pub const MAX_ID_LEN: usize = 60;

/// The theme's scaffold of a kind.
fn builtin_scaffold(kind: Kind) -> &'static str {
    match kind {
        Kind::Aim => include_str!("../themes/default/scaffolds/aim.md"),
        Kind::Change => include_str!("../themes/default/scaffolds/change.md"),
        Kind::Cycle => include_str!("../themes/default/scaffolds/cycle.md"),
        Kind::Measure => include_str!("../themes/default/scaffolds/measure.md"),
        Kind::Note => include_str!("../themes/default/scaffolds/note.md"),
    }
}

/// The theme's scaffold of a new measure's CSV file (its header line).
const BUILTIN_MEASURE_CSV: &str = include_str!("../themes/default/scaffolds/measure.csv");

/// The files of a new site: (path in the site, template). Placeholders are filled by
/// [`init`]; the workflow is written as it is (its `${{ … }}` are GitHub's).
const INIT_FILES: [(&str, &str); 9] = [
    (
        "cyclebook.yml",
        include_str!("../themes/default/init/cyclebook.yml"),
    ),
    (
        "aims/med-rec-95.md",
        include_str!("../themes/default/init/aim.md"),
    ),
    (
        "changes/daily-med-rec-list.md",
        include_str!("../themes/default/init/change.md"),
    ),
    (
        "cycles/daily-list-1.md",
        include_str!("../themes/default/init/cycle.md"),
    ),
    (
        "measures/med-rec-24h.md",
        include_str!("../themes/default/init/measure.md"),
    ),
    (
        "notes/lesson-daily-list.md",
        include_str!("../themes/default/init/note.md"),
    ),
    (
        "README.md",
        include_str!("../themes/default/init/README.md"),
    ),
    (
        ".gitignore",
        include_str!("../themes/default/init/gitignore"),
    ),
    (
        ".github/workflows/cyclebook.yml",
        include_str!("../themes/default/init/workflow.yml"),
    ),
];

/// The example measure's CSV in a new site, written after its `.md`.
const INIT_CSV: &str = "measures/med-rec-24h.csv";

/// The id of the example change idea of a new site (for the "next steps").
pub const INIT_CHANGE: &str = "daily-med-rec-list";

/// Synthetic weekly (numerator, denominator) pairs for the example measure: ten weeks
/// around 57%, then ten around 79% once the example cycle starts. Every count and every
/// complement is 5 or more, so small-number suppression withholds nothing.
const INIT_DATA: [(u32, u32); 20] = [
    (15, 27),
    (17, 29),
    (14, 26),
    (16, 28),
    (18, 30),
    (15, 25),
    (17, 31),
    (16, 27),
    (14, 28),
    (18, 29),
    (21, 28),
    (23, 30),
    (22, 27),
    (24, 31),
    (22, 29),
    (23, 28),
    (25, 32),
    (22, 27),
    (24, 30),
    (23, 29),
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Why `init` or `new` could not write what was asked (exit code 2).
#[derive(Debug)]
pub enum ScaffoldError {
    /// `init`: the folder already has files (other than dotfiles) in it.
    NotEmpty {
        dir: PathBuf,
        found: String,
    },
    /// `init`: the path is there and is not a folder.
    NotAFolder(PathBuf),
    /// `new`: the folder has no `cyclebook.yml`.
    NotASite(PathBuf),
    /// The title has no letters or digits to make an id from.
    NoId {
        title: String,
    },
    /// `--id` is not a slug.
    BadId {
        id: String,
        suggestion: String,
    },
    /// `--id` names an id the site already uses.
    IdTaken {
        id: String,
        by: String,
    },
    /// `--change` was given for a kind other than a cycle.
    ChangeNotForKind(Kind),
    /// `--change` names no item.
    UnknownChange {
        id: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// `--change` names an item that is not a change idea.
    NotAChange {
        id: String,
        kind: Kind,
        suggestion: Option<String>,
    },
    /// A file is already where the new one would go.
    Exists(PathBuf),
    /// A scaffold uses a placeholder that does not exist.
    Placeholder {
        file: PathBuf,
        line: usize,
        name: String,
        known: Vec<&'static str>,
    },
    Read(PathBuf, std::io::Error),
    Write(PathBuf, std::io::Error),
    /// The site could not be loaded (to find the ids in use).
    Load(content::LoadError),
}

/// "a PDSA cycle", "an aim": for messages.
fn a_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Aim => "an aim",
        Kind::Change => "a change idea",
        Kind::Cycle => "a PDSA cycle",
        Kind::Measure => "a measure",
        Kind::Note => "a note",
    }
}

impl fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScaffoldError::NotEmpty { dir, found } => write!(
                f,
                "refusing to start a site in {}: the folder is not empty (it has `{found}`); choose a new or empty folder, e.g. `cyclebook init my-site`",
                dir.display()
            ),
            ScaffoldError::NotAFolder(p) => {
                write!(f, "cannot start a site in {}: it is a file, not a folder", p.display())
            }
            ScaffoldError::NotASite(p) => write!(
                f,
                "{} is not a cyclebook site: no {CONFIG_FILE} there (start one with `cyclebook init`, or give the site's folder with --site)",
                p.display()
            ),
            ScaffoldError::NoId { title } => write!(
                f,
                "cannot make an id from the title \"{title}\": it has no letters a-z or digits; give one with --id, e.g. --id falls-huddle-1"
            ),
            ScaffoldError::BadId { id, suggestion } => {
                write!(f, "`{id}` is not a valid id: ids are lowercase letters, digits and single hyphens")?;
                if !suggestion.is_empty() {
                    write!(f, ", e.g. `{suggestion}`")?;
                }
                Ok(())
            }
            ScaffoldError::IdTaken { id, by } => write!(
                f,
                "the id `{id}` is already used by {by}; choose another with --id, or leave --id out to get a free one"
            ),
            ScaffoldError::ChangeNotForKind(kind) => write!(
                f,
                "--change is for new cycles only, not for {}",
                a_kind(*kind)
            ),
            ScaffoldError::UnknownChange {
                id,
                suggestion,
                known,
            } => {
                write!(f, "`{id}` is not a change idea of this site")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None if known.is_empty() => write!(
                        f,
                        "; it has none yet: create one with `cyclebook new change \"Title\"`"
                    ),
                    None => write!(f, "; its change ideas are: {}", known.join(", ")),
                }
            }
            ScaffoldError::NotAChange {
                id,
                kind,
                suggestion,
            } => {
                write!(
                    f,
                    "`{id}` is {}, not a change idea: --change names the change idea the cycle tests",
                    a_kind(*kind)
                )?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => Ok(()),
                }
            }
            ScaffoldError::Exists(p) => {
                write!(f, "refusing to overwrite {}: it already exists", p.display())
            }
            ScaffoldError::Placeholder {
                file,
                line,
                name,
                known,
            } => {
                write!(
                    f,
                    "{}:{line}: unknown placeholder `{{{{ {name} }}}}`",
                    file.display()
                )?;
                if let Some(close) = did_you_mean(name, known.iter().copied()) {
                    write!(f, "; did you mean `{{{{ {close} }}}}`?")?;
                }
                write!(f, " (the placeholders are: {})", known.join(", "))
            }
            ScaffoldError::Read(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            ScaffoldError::Write(p, e) => write!(f, "cannot write {}: {e}", p.display()),
            ScaffoldError::Load(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ScaffoldError {}

/// `rel`, a path inside `base`, as a path from the current folder, with `base` as the
/// user gave it (`.` is left out): what `init` and `new` print.
pub fn path_from(base: &Path, rel: &Path) -> PathBuf {
    if base.as_os_str().is_empty() || base == Path::new(".") {
        rel.to_path_buf()
    } else {
        base.join(rel)
    }
}

/// Where an unknown placeholder was found: (line, name).
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownPlaceholder {
    pub line: usize,
    pub name: String,
}

/// `{{ name }}` at the start of `s`: the name and the length of the whole placeholder.
/// Names are lowercase letters, digits and `_`; anything else (GitHub's
/// `${{ runner.os }}`, Tera's `{{ page.title }}`) is not a placeholder and is kept.
fn placeholder_at(s: &str) -> Option<(&str, usize)> {
    let rest = s.strip_prefix("{{")?;
    let end = rest.find("}}")?;
    let name = rest[..end].trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    valid.then_some((name, end + 4))
}

/// Fills the `{{ name }}` placeholders of a scaffold with `values`, in one pass (text
/// put in is never read for placeholders again). Spaces inside the braces are optional.
///
/// - A placeholder alone on its line whose value is empty removes the line; one whose
///   value has several lines indents each of them like the placeholder.
/// - Trailing spaces are removed from lines where something was put in, so `change:
///   {{ change }}` with no change becomes `change:` (a key with no value: not given).
/// - A name that is not in `values` is an error.
pub fn fill(template: &str, values: &[(&str, String)]) -> Result<String, UnknownPlaceholder> {
    let lookup = |name: &str, line: usize| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| UnknownPlaceholder {
                line,
                name: name.to_string(),
            })
    };
    let mut out = String::with_capacity(template.len() + 256);
    for (index, raw) in template.split_inclusive('\n').enumerate() {
        let line = index + 1;
        let (text, ending) = match raw.strip_suffix("\r\n") {
            Some(t) => (t, "\r\n"),
            None => match raw.strip_suffix('\n') {
                Some(t) => (t, "\n"),
                None => (raw, ""),
            },
        };
        let trimmed = text.trim();
        if let Some((name, _)) = placeholder_at(trimmed).filter(|(_, l)| *l == trimmed.len()) {
            let value = lookup(name, line)?;
            if value.is_empty() {
                continue;
            }
            let indent = &text[..text.len() - text.trim_start().len()];
            let newline = if ending.is_empty() { "\n" } else { ending };
            let lines: Vec<&str> = value.lines().collect();
            for (i, v) in lines.iter().enumerate() {
                if !v.is_empty() {
                    out.push_str(indent);
                    out.push_str(v);
                }
                out.push_str(if i + 1 == lines.len() {
                    ending
                } else {
                    newline
                });
            }
            continue;
        }
        let mut rest = text;
        let mut filled = String::new();
        let mut replaced = false;
        while let Some(at) = rest.find("{{") {
            filled.push_str(&rest[..at]);
            match placeholder_at(&rest[at..]) {
                Some((name, len)) => {
                    filled.push_str(lookup(name, line)?);
                    rest = &rest[at + len..];
                    replaced = true;
                }
                None => {
                    filled.push_str("{{");
                    rest = &rest[at + 2..];
                }
            }
        }
        filled.push_str(rest);
        if replaced {
            let kept = filled.trim_end_matches([' ', '\t']).len();
            filled.truncate(kept);
        }
        out.push_str(&filled);
        out.push_str(ending);
    }
    Ok(out)
}

/// A text as a YAML scalar: as it is when it is a slug starting with a letter (ids,
/// most tags), otherwise double-quoted (a JSON string is a valid YAML one).
fn yaml_scalar(text: &str) -> String {
    let plain = is_slug(text)
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && !matches!(text, "true" | "false" | "null");
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
    }
}

/// `[a, "b c"]`, or nothing for an empty list (the key is then not given).
fn yaml_flow_list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = items.iter().map(|s| yaml_scalar(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// One `- "…"` line per entry: a block list, for sentences such as predictions.
fn yaml_block_list(items: &[String]) -> String {
    items
        .iter()
        .map(|p| format!("- {}", serde_json::to_string(p).unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A Markdown ATX heading: (level, text without closing `#`s or a `{#anchor}`).
fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    if line.len() - t.len() > 3 {
        return None;
    }
    let level = t.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let mut text = rest.trim();
    if let Some(open) = text.rfind('{').filter(|_| text.ends_with('}')) {
        text = text[..open].trim_end();
    }
    Some((level, text.trim_end_matches('#').trim_end()))
}

/// The text of a body's "Plan" section (its first heading whose first word is "Plan",
/// up to the next heading of the same or a higher level), without blank lines around
/// it; empty when there is none. Headings inside fenced code blocks do not count.
pub fn plan_section(body: &str) -> String {
    let mut fence: Option<char> = None;
    let mut level: Option<usize> = None;
    let mut lines: Vec<&str> = Vec::new();
    for line in body.lines() {
        let t = line.trim_start();
        let fence_mark = ["```", "~~~"]
            .iter()
            .find(|m| t.starts_with(**m))
            .and_then(|m| m.chars().next());
        let in_code = fence.is_some();
        match (fence, fence_mark) {
            (None, Some(c)) => fence = Some(c),
            (Some(open), Some(c)) if open == c => fence = None,
            _ => {}
        }
        let head = if in_code || fence_mark.is_some() {
            None
        } else {
            heading(line)
        };
        match (level, head) {
            (Some(l), Some((h, _))) if h <= l => break,
            (Some(_), _) => lines.push(line),
            (None, Some((h, text))) => {
                let lower = text.to_lowercase();
                let is_plan = lower
                    .strip_prefix("plan")
                    .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric()));
                if is_plan {
                    level = Some(h);
                }
            }
            (None, None) => {}
        }
    }
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// Every id in use (or that would not work as a new file's name), with what uses it:
/// the site's items and drivers, and the names of the files in the content folders
/// (including files the loader skipped or could not read).
fn ids_in_use(site: &Path, library: &Library) -> BTreeMap<String, String> {
    let mut taken = BTreeMap::new();
    for kind in Kind::ALL {
        let dir = site.join(kind.folder());
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .min_depth(1)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            let is_item_file = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("csv"));
            if let (true, Some(stem)) = (is_item_file, path.file_stem()) {
                let rel = path.strip_prefix(site).unwrap_or(path);
                taken
                    .entry(stem.to_string_lossy().to_lowercase())
                    .or_insert_with(|| display_path(rel));
            }
        }
    }
    for item in &library.items {
        taken
            .entry(item.id.clone())
            .or_insert_with(|| display_path(item.path()));
    }
    for (id, driver) in &library.drivers {
        let aim = &library.items[driver.aim];
        taken
            .entry(id.clone())
            .or_insert_with(|| format!("a driver in {}", display_path(aim.path())));
    }
    // `README.md` is never read as an item, in any letter case.
    taken
        .entry("readme".to_string())
        .or_insert_with(|| "README.md files, which cyclebook does not read as items".into());
    taken
}

/// The title's slug, cut at a hyphen to [`MAX_ID_LEN`] characters.
fn slug_of_title(title: &str) -> String {
    let slug = slugify(title);
    if slug.len() <= MAX_ID_LEN {
        return slug;
    }
    let cut = slug[..=MAX_ID_LEN].rfind('-').unwrap_or(MAX_ID_LEN);
    slug[..cut].trim_end_matches('-').to_string()
}

/// A free id for `title`: its slug, or the slug with `-2`, `-3`… when that is taken.
pub fn free_id(title: &str, is_taken: impl Fn(&str) -> bool) -> Option<String> {
    let base = slug_of_title(title);
    if base.is_empty() {
        return None;
    }
    if !is_taken(&base) {
        return Some(base);
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !is_taken(id))
}

/// What `cyclebook new` is asked to write.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub kind: Kind,
    pub title: String,
    /// The site folder (the one with `cyclebook.yml`).
    pub site: PathBuf,
    /// The id to use instead of one made from the title.
    pub id: Option<String>,
    /// Cycles only: the change idea the cycle tests; its ramp's latest cycle prefills it.
    pub change: Option<String>,
    /// The date written into the new file (`started` of a cycle, `date` of a note).
    pub today: Date,
}

/// What `cyclebook new` wrote.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    /// The files written, relative to the site folder (a measure has two).
    pub files: Vec<PathBuf>,
    /// For a cycle: the cycle of the ramp it follows, if any.
    pub follows: Option<String>,
    /// Where the scaffold came from (`scaffolds/cycle.md` when the site has its own).
    pub scaffold: Option<PathBuf>,
}

/// Reads the site's own scaffold `scaffolds/<name>`, if it has one.
fn site_scaffold(site: &Path, name: &str) -> Result<Option<(PathBuf, String)>, ScaffoldError> {
    let rel = Path::new(SCAFFOLDS_DIR).join(name);
    let path = site.join(&rel);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| ScaffoldError::Read(path, e))?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(Some((rel, text)))
}

/// Fills a scaffold, turning an unknown placeholder into an error naming the file.
fn fill_scaffold(
    file: &Path,
    template: &str,
    values: &[(&'static str, String)],
) -> Result<String, ScaffoldError> {
    fill(template, values).map_err(|u| ScaffoldError::Placeholder {
        file: file.to_path_buf(),
        line: u.line,
        name: u.name,
        known: values.iter().map(|(n, _)| *n).collect(),
    })
}

/// Creates a new file, never replacing anything (the folders on the way are created).
fn create_file(site: &Path, rel: &Path, text: &str) -> Result<(), ScaffoldError> {
    let path = site.join(rel);
    let shown = path_from(site, rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ScaffoldError::Write(shown.clone(), e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(shown.clone()),
            _ => ScaffoldError::Write(shown.clone(), e),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| ScaffoldError::Write(shown, e))
}

/// Ramp values of a new cycle testing change idea `id`: what its latest cycle gives.
fn ramp_values(library: &Library, id: &str) -> Result<RampStart, ScaffoldError> {
    let changes: Vec<&str> = library
        .items
        .iter()
        .filter(|i| i.kind == Kind::Change)
        .map(|i| i.id.as_str())
        .collect();
    let Some(&index) = library.by_id.get(id) else {
        return Err(ScaffoldError::UnknownChange {
            id: id.to_string(),
            suggestion: did_you_mean(id, changes.iter().copied()).map(str::to_string),
            known: changes.iter().map(|c| c.to_string()).collect(),
        });
    };
    let item = &library.items[index];
    if item.kind != Kind::Change {
        // A cycle's own change idea is the likeliest meaning.
        let suggestion = item
            .cycle()
            .and_then(|c| c.change.as_ref())
            .map(|r| r.id.clone())
            .filter(|c| changes.contains(&c.as_str()))
            .or_else(|| did_you_mean(id, changes.iter().copied()).map(str::to_string));
        return Err(ScaffoldError::NotAChange {
            id: id.to_string(),
            kind: item.kind,
            suggestion,
        });
    }
    let ramp = library.ramps.get(&index).map(Vec::as_slice).unwrap_or(&[]);
    let latest: Option<&Item> = ramp.last().map(|&i| &*library.items[i]);
    Ok(match latest {
        None => RampStart {
            change: id.to_string(),
            latest: None,
            note: format!(
                "The first cycle testing [[{id}]]. Start small: one patient, one shift, one bay."
            ),
            ..RampStart::default()
        },
        Some(prev) => {
            let cycle = prev.cycle();
            let decision = cycle
                .and_then(|c| c.decision)
                .map(|d| format!(" (its decision: **{}**)", d.as_str()))
                .unwrap_or_default();
            let of = if ramp.len() == 1 {
                format!("the first cycle testing [[{id}]]")
            } else {
                format!("the latest of the {} cycles testing [[{id}]]", ramp.len())
            };
            RampStart {
                change: id.to_string(),
                latest: Some(prev.id.clone()),
                measures: cycle
                    .map(|c| c.measures.iter().map(|r| r.id.clone()).collect())
                    .unwrap_or_default(),
                team: cycle.map(|c| c.team.clone()).unwrap_or_default(),
                tags: prev.tags.clone(),
                predictions: cycle.map(|c| c.predictions.clone()).unwrap_or_default(),
                plan: plan_section(prev.body()),
                note: format!(
                    "This cycle ramps up from [[{}]], {of}{decision}. Its plan, predictions, measures, team and tags are copied here as a starting point: change them for what this cycle tests next.",
                    prev.id
                ),
            }
        }
    })
}

/// What a new cycle takes from the ramp it joins.
#[derive(Debug, Default)]
struct RampStart {
    change: String,
    latest: Option<String>,
    measures: Vec<String>,
    team: Vec<String>,
    tags: Vec<String>,
    predictions: Vec<String>,
    plan: String,
    note: String,
}

/// The placeholders of a new item's scaffold (see [`fill`]): `id`, `title`,
/// `title_yaml` and `today` for every kind; for cycles also `change`, `follows`,
/// `measures`, `team`, `tags`, `predictions`, `plan` and `ramp_note`, empty unless the
/// cycle joins a ramp.
fn item_values(
    kind: Kind,
    id: &str,
    title: &str,
    today: Date,
    ramp: &RampStart,
) -> Vec<(&'static str, String)> {
    let mut values: Vec<(&'static str, String)> = vec![
        ("id", id.to_string()),
        ("title", title.to_string()),
        ("title_yaml", yaml_scalar_quoted(title)),
        ("today", today.to_string()),
    ];
    if kind == Kind::Cycle {
        values.extend([
            ("change", ramp.change.clone()),
            ("follows", ramp.latest.clone().unwrap_or_default()),
            ("measures", yaml_flow_list(&ramp.measures)),
            ("team", yaml_flow_list(&ramp.team)),
            ("tags", yaml_flow_list(&ramp.tags)),
            ("predictions", yaml_block_list(&ramp.predictions)),
            ("plan", ramp.plan.clone()),
            ("ramp_note", ramp.note.clone()),
        ]);
    }
    values
}

/// `cyclebook new`: writes one item (and a measure's CSV) from its scaffold, under a
/// free id. Never replaces a file.
pub fn new_item(request: &NewItem) -> Result<Created, ScaffoldError> {
    let site = request.site.as_path();
    if !site.join(CONFIG_FILE).is_file() {
        return Err(ScaffoldError::NotASite(site.to_path_buf()));
    }
    if request.change.is_some() && request.kind != Kind::Cycle {
        return Err(ScaffoldError::ChangeNotForKind(request.kind));
    }
    let title = request.title.trim();
    // The site as it is, errors and all: only its ids, drivers and ramps are needed.
    let loaded = content::load(site).map_err(ScaffoldError::Load)?;
    let static_paths: Vec<PathBuf> = loaded
        .static_files
        .iter()
        .map(|(out, _)| out.clone())
        .collect();
    let (library, _) = resolve::resolve(loaded.items, &static_paths);
    let taken = ids_in_use(site, &library);

    let id = match &request.id {
        Some(id) => {
            let id = id.trim();
            if !is_slug(id) {
                return Err(ScaffoldError::BadId {
                    id: id.to_string(),
                    suggestion: slugify(id),
                });
            }
            if let Some(by) = taken.get(id) {
                return Err(ScaffoldError::IdTaken {
                    id: id.to_string(),
                    by: by.clone(),
                });
            }
            id.to_string()
        }
        None => free_id(title, |id| taken.contains_key(id)).ok_or_else(|| ScaffoldError::NoId {
            title: title.to_string(),
        })?,
    };

    let ramp = match &request.change {
        Some(change) => ramp_values(&library, change.trim())?,
        None => RampStart::default(),
    };
    let values = item_values(request.kind, &id, title, request.today, &ramp);

    let name = format!("{}.md", request.kind.as_str());
    let (scaffold_file, template) = match site_scaffold(site, &name)? {
        Some((rel, text)) => (Some(rel), text),
        None => (None, builtin_scaffold(request.kind).to_string()),
    };
    let shown_scaffold = scaffold_file
        .clone()
        .unwrap_or_else(|| Path::new("themes/default").join(SCAFFOLDS_DIR).join(&name));
    let text = fill_scaffold(&shown_scaffold, &template, &values)?;
    let rel = Path::new(request.kind.folder()).join(format!("{id}.md"));
    let mut files = vec![(rel, text)];
    if request.kind == Kind::Measure {
        let (csv_file, csv) = match site_scaffold(site, "measure.csv")? {
            Some((rel, text)) => (rel, text),
            None => (
                Path::new("themes/default/scaffolds/measure.csv").to_path_buf(),
                BUILTIN_MEASURE_CSV.to_string(),
            ),
        };
        let csv = fill_scaffold(&csv_file, &csv, &values)?;
        files.push((
            Path::new(request.kind.folder()).join(format!("{id}.csv")),
            csv,
        ));
    }
    // Nothing is written unless every file can be.
    for (rel, _) in &files {
        if std::fs::symlink_metadata(site.join(rel)).is_ok() {
            return Err(ScaffoldError::Exists(path_from(site, rel)));
        }
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for (rel, text) in &files {
        if let Err(e) = create_file(site, rel, text) {
            for done in &written {
                let _ = std::fs::remove_file(site.join(done));
            }
            return Err(e);
        }
        written.push(rel.clone());
    }
    Ok(Created {
        id,
        files: written,
        follows: ramp.latest,
        scaffold: scaffold_file,
    })
}

/// A title as a double-quoted YAML scalar, whatever it holds.
fn yaml_scalar_quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// What `cyclebook init` wrote.
#[derive(Debug, Clone, Default)]
pub struct Initialized {
    /// The files written, relative to the new site's folder, in a reading order.
    pub files: Vec<PathBuf>,
    /// Dotfiles that were there already and were left as they were (`.gitignore`).
    pub kept: Vec<PathBuf>,
}

/// The site's title made from its folder's name: `ward-7_lhs` → "Ward 7 lhs".
fn title_from_folder(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            std::fs::canonicalize(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_default();
    let words: Vec<&str> = name
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let mut title = words.join(" ");
    match title.chars().next() {
        Some(first) => {
            let upper: String = first.to_uppercase().collect();
            title.replace_range(..first.len_utf8(), &upper);
            title
        }
        None => "Our learning system".to_string(),
    }
}

/// The first entry of `dir` that is not a dotfile, if any.
fn first_visible_entry(dir: &Path) -> Result<Option<String>, ScaffoldError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ScaffoldError::Read(dir.to_path_buf(), e))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names.into_iter().next())
}

/// `cyclebook init`: writes a new site into `dir` (created if needed): settings, one
/// aim with a driver diagram, a change idea, a cycle, a measure with synthetic data and
/// a lesson, dated around `today`, that check and build without a warning; a README for
/// the team, a `.gitignore` and a GitHub Actions workflow. `dir` must be new, empty, or
/// hold only dotfiles (`.git`); dotfiles already there are kept as they are.
pub fn init(dir: &Path, today: Date) -> Result<Initialized, ScaffoldError> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(ScaffoldError::NotAFolder(dir.to_path_buf())),
        Ok(_) => {
            if let Some(found) = first_visible_entry(dir)? {
                return Err(ScaffoldError::NotEmpty {
                    dir: dir.to_path_buf(),
                    found,
                });
            }
        }
        Err(_) => {
            std::fs::create_dir_all(dir).map_err(|e| ScaffoldError::Write(dir.to_path_buf(), e))?
        }
    }
    let title = title_from_folder(dir);
    let values = init_values(&title, today);
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for (rel, template) in INIT_FILES {
        let text = if rel.starts_with(".github/") {
            template.to_string()
        } else {
            let shown = Path::new("themes/default/init").join(rel);
            fill_scaffold(&shown, template, &values)?
        };
        files.push((PathBuf::from(rel), text));
        if rel == "measures/med-rec-24h.md" {
            files.push((PathBuf::from(INIT_CSV), init_csv(today)));
        }
    }
    let mut done = Initialized::default();
    for (rel, text) in files {
        if std::fs::symlink_metadata(dir.join(&rel)).is_ok() {
            done.kept.push(rel);
            continue;
        }
        create_file(dir, &rel, &text)?;
        done.files.push(rel);
    }
    Ok(done)
}

/// The Monday of the week before `today`'s: the example data's last week.
fn last_full_week(today: Date) -> Date {
    today.add_days(-i64::from(today.weekday() - 1) - 7)
}

/// The Monday of week `i` (0 to 19) of the example data.
fn init_week(today: Date, i: usize) -> Date {
    last_full_week(today).add_days(-7 * (INIT_DATA.len() - 1 - i) as i64)
}

/// The example measure's CSV: twenty weeks up to last week.
fn init_csv(today: Date) -> String {
    let mut csv = String::from("date,value,denominator,note\n");
    for (i, (value, denominator)) in INIT_DATA.iter().enumerate() {
        let note = if i == 12 {
            "Pharmacist covering another ward for two days"
        } else {
            ""
        };
        csv.push_str(&format!(
            "{},{value},{denominator},{note}\n",
            init_week(today, i)
        ));
    }
    csv
}

/// The placeholders of the new site's files.
fn init_values(title: &str, today: Date) -> Vec<(&'static str, String)> {
    let started = init_week(today, 10);
    // The aim's deadline: the end of the month a year from now.
    let (year, month) = (today.year + 1, today.month);
    let next_month = if month == 12 {
        Date::new(year + 1, 1, 1)
    } else {
        Date::new(year, month + 1, 1)
    };
    let by = next_month.map_or(today.add_days(365), |d| d.add_days(-1));
    vec![
        ("site_title", title.to_string()),
        ("site_title_yaml", yaml_scalar_quoted(title)),
        ("today", today.to_string()),
        ("by", by.to_string()),
        (
            "by_month",
            format!("{} {}", MONTHS[(by.month - 1) as usize], by.year),
        ),
        ("cycle_started", started.to_string()),
        // Four weeks of weekdays: Monday of week 1 to Friday of week 4.
        ("cycle_ended", started.add_days(25).to_string()),
        ("note_date", init_week(today, 14).to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn placeholders_are_filled_with_or_without_spaces() {
        let v = values(&[("id", "huddle-1"), ("title", "Huddle {{ id }}")]);
        assert_eq!(
            fill("a {{id}} b {{ title }}\n", &v).unwrap(),
            "a huddle-1 b Huddle {{ id }}\n"
        );
        // Not placeholders: kept as written.
        let kept = "key: ${{ runner.os }} {{ Page.Title }} {{}} {{ x\n";
        assert_eq!(fill(kept, &v).unwrap(), kept);
    }

    #[test]
    fn unknown_placeholders_are_errors_with_their_line() {
        let v = values(&[("title", "T")]);
        assert_eq!(
            fill("---\ntitle: {{ titel }}\n", &v).unwrap_err(),
            UnknownPlaceholder {
                line: 2,
                name: "titel".into()
            }
        );
    }

    #[test]
    fn empty_values_remove_their_own_line_and_leave_bare_keys() {
        let v = values(&[("change", ""), ("note", ""), ("list", "- \"a\"\n- \"b\"")]);
        assert_eq!(
            fill(
                "change: {{ change }}\n\n{{ note }}\nx\npredictions:\n  {{ list }}\nend",
                &v
            )
            .unwrap(),
            "change:\n\nx\npredictions:\n  - \"a\"\n  - \"b\"\nend"
        );
        assert_eq!(
            fill("a\r\n  {{ list }}\r\nb\r\n", &v).unwrap(),
            "a\r\n  - \"a\"\r\n  - \"b\"\r\nb\r\n"
        );
    }

    #[test]
    fn yaml_values_are_quoted_only_when_needed() {
        assert_eq!(yaml_scalar("falls-rate"), "falls-rate");
        assert_eq!(yaml_scalar("ward manager"), "\"ward manager\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("2026"), "\"2026\"");
        assert_eq!(yaml_scalar("say \"hi\": now"), r#""say \"hi\": now""#);
        assert_eq!(
            yaml_flow_list(&["a", "nurse in charge"]),
            "[a, \"nurse in charge\"]"
        );
        assert_eq!(yaml_flow_list::<&str>(&[]), "");
        let parsed: serde_yaml::Value =
            serde_yaml::from_str(&format!("t: {}", yaml_scalar_quoted("a: \"b\" # c\\d"))).unwrap();
        assert_eq!(parsed["t"].as_str(), Some("a: \"b\" # c\\d"));
    }

    #[test]
    fn the_plan_section_is_found_up_to_the_next_heading() {
        let body = "Intro\n\n## Plan {#plan}\n\nTest on bay A.\n\n### Who\n\nNurses.\n```\n## Not a heading\n```\n\n## Do\n\nDone.\n";
        assert_eq!(
            plan_section(body),
            "Test on bay A.\n\n### Who\n\nNurses.\n```\n## Not a heading\n```"
        );
        assert_eq!(plan_section("## Planning ahead\n\nx\n"), "");
        assert_eq!(plan_section("# Plan: small test\nA\n# Do\n"), "A");
        assert_eq!(plan_section("No headings"), "");
    }

    #[test]
    fn free_ids_take_the_next_number() {
        let taken = ["huddle", "huddle-2"];
        let is_taken = |id: &str| taken.contains(&id);
        assert_eq!(free_id("Huddle", is_taken).as_deref(), Some("huddle-3"));
        assert_eq!(
            free_id("Huddle test", is_taken).as_deref(),
            Some("huddle-test")
        );
        assert_eq!(free_id("!!!", is_taken), None);
        let long = free_id(&"word ".repeat(30), |_| false).unwrap();
        assert!(long.len() <= MAX_ID_LEN && is_slug(&long), "{long}");
    }

    #[test]
    fn site_titles_come_from_folder_names() {
        assert_eq!(title_from_folder(Path::new("/x/ward-7_lhs")), "Ward 7 lhs");
        assert_eq!(title_from_folder(Path::new("hf clinic")), "Hf clinic");
    }

    #[test]
    fn every_builtin_scaffold_fills_without_unknown_placeholders() {
        let today = Date::new(2026, 3, 4).unwrap();
        for (rel, template) in INIT_FILES {
            if !rel.starts_with(".github/") {
                fill(template, &init_values("T", today)).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
            }
        }
        for kind in Kind::ALL {
            let ramp = RampStart {
                change: "c".into(),
                latest: Some("c-1".into()),
                measures: vec!["m".into()],
                team: vec!["nurse in charge".into()],
                tags: vec!["t".into()],
                predictions: vec!["Under 5 minutes".into()],
                plan: "Bay A.".into(),
                note: "Ramps up.".into(),
            };
            for ramp in [RampStart::default(), ramp] {
                let v = item_values(kind, "x", "X", today, &ramp);
                fill(builtin_scaffold(kind), &v)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", kind.as_str()));
            }
        }
        // Example data: twenty Mondays, the last one the week before today's.
        let csv = init_csv(today);
        assert_eq!(csv.lines().count(), 21);
        assert!(csv.ends_with("2026-02-23,23,29,\n"), "{csv}");
        assert_eq!(init_week(today, 0).weekday(), 1);
    }
}

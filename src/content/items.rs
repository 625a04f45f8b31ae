//! The typed items of a learning system (cycles, notes, measures, change ideas, aims)
//! and how each is read from its front matter.

use super::frontmatter::{Fields, Ref};
use super::measure_data::MeasureData;
use super::source::SourceFile;
use crate::date::Date;
use crate::diagnostics::Pos;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Aim,
    Change,
    Cycle,
    Measure,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Aim,
        Kind::Change,
        Kind::Cycle,
        Kind::Measure,
        Kind::Note,
    ];

    /// The folder the kind lives in, and the URL segment of its pages.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Aim => "aims",
            Kind::Change => "changes",
            Kind::Cycle => "cycles",
            Kind::Measure => "measures",
            Kind::Note => "notes",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Aim => "aim",
            Kind::Change => "change",
            Kind::Cycle => "cycle",
            Kind::Measure => "measure",
            Kind::Note => "note",
        }
    }

    /// What readers call it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Aim => "Aim",
            Kind::Change => "Change idea",
            Kind::Cycle => "PDSA cycle",
            Kind::Measure => "Measure",
            Kind::Note => "Note",
        }
    }

    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Aim => "Aims",
            Kind::Change => "Change ideas",
            Kind::Cycle => "PDSA cycles",
            Kind::Measure => "Measures",
            Kind::Note => "Notes and lessons",
        }
    }
}

/// Declares an enum of front-matter words with its list of allowed spellings.
macro_rules! words {
    ($name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const WORDS: &'static [&'static str] = &[$($word),+];
            pub fn from_word(word: &str) -> Option<Self> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }
    };
}

words!(CycleStatus { Planned = "planned", Doing = "doing", Studying = "studying", Done = "done", Abandoned = "abandoned" });

impl CycleStatus {
    /// How pages and search results name the status.
    pub fn label(self) -> &'static str {
        match self {
            CycleStatus::Planned => "Planned",
            CycleStatus::Doing => "Doing",
            CycleStatus::Studying => "Studying",
            CycleStatus::Done => "Done",
            CycleStatus::Abandoned => "Abandoned",
        }
    }
}
words!(Decision { Adopt = "adopt", Adapt = "adapt", Abandon = "abandon" });
words!(NoteKind { Note = "note", Lesson = "lesson" });
words!(MeasureKind { Outcome = "outcome", Process = "process", Balancing = "balancing" });
words!(Improvement { Increase = "increase", Decrease = "decrease", Neutral = "neutral" });
words!(RuleProfile { Anhoej = "anhoej", Mdc = "mdc" });
words!(ChangeStatus { Idea = "idea", Testing = "testing", Implementing = "implementing", Adopted = "adopted", Abandoned = "abandoned" });
words!(ChartType {
    Run = "run", I = "i", Mr = "mr", Xmr = "xmr", Xbar = "xbar", S = "s", T = "t",
    P = "p", Pp = "pp", C = "c", U = "u", Up = "up", G = "g",
});

impl CycleStatus {
    pub fn is_active(self) -> bool {
        matches!(self, CycleStatus::Doing | CycleStatus::Studying)
    }
}

impl ChartType {
    /// Charts whose points are a numerator over a denominator.
    pub fn needs_denominator(self) -> bool {
        matches!(
            self,
            ChartType::P | ChartType::Pp | ChartType::U | ChartType::Up
        )
    }

    /// Several rows of one period: observations of a subgroup (xbar, s) or counts to
    /// sum (c, p, pp, u, up). Charts of individual values take one row per period.
    pub fn allows_repeated_periods(self) -> bool {
        matches!(
            self,
            ChartType::Xbar
                | ChartType::S
                | ChartType::C
                | ChartType::P
                | ChartType::Pp
                | ChartType::U
                | ChartType::Up
        )
    }
}

/// Fields every kind has.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub kind: Kind,
    /// The file the item was read from (path relative to the site root, and text).
    pub source: SourceFile,
    pub title: String,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    /// Where the body starts in `source.text`: the body is the rest of the file, kept
    /// once (a copy of every body was a quarter of a large site's loaded memory).
    pub body_start: usize,
    /// File line of the first body line, so body diagnostics point into the file.
    pub body_line: usize,
    pub front_matter: serde_json::Value,
    pub details: Details,
}

impl Item {
    pub fn path(&self) -> &std::path::Path {
        &self.source.path
    }

    /// The Markdown after the front matter.
    pub fn body(&self) -> &str {
        &self.source.text[self.body_start..]
    }

    /// The page's address relative to the site root, e.g. `cycles/falls-huddle-1/`.
    pub fn href(&self) -> String {
        format!("{}/{}/", self.kind.folder(), self.id)
    }

    pub fn cycle(&self) -> Option<&Cycle> {
        match &self.details {
            Details::Cycle(c) => Some(c),
            _ => None,
        }
    }

    pub fn note(&self) -> Option<&Note> {
        match &self.details {
            Details::Note(n) => Some(n),
            _ => None,
        }
    }

    pub fn measure(&self) -> Option<&Measure> {
        match &self.details {
            Details::Measure(m) => Some(m),
            _ => None,
        }
    }

    pub fn change(&self) -> Option<&Change> {
        match &self.details {
            Details::Change(c) => Some(c),
            _ => None,
        }
    }

    pub fn aim(&self) -> Option<&Aim> {
        match &self.details {
            Details::Aim(a) => Some(a),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Details {
    Cycle(Cycle),
    Note(Note),
    Measure(Box<Measure>),
    Change(Change),
    Aim(Aim),
}

#[derive(Debug, Clone)]
pub struct Cycle {
    pub change: Option<Ref>,
    pub status: CycleStatus,
    pub started: Option<Date>,
    pub ended: Option<Date>,
    pub follows: Option<Ref>,
    pub decision: Option<Decision>,
    pub predictions: Vec<String>,
    pub measures: Vec<Ref>,
    pub team: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub date: Option<Date>,
    pub kind: NoteKind,
    pub cycles: Vec<Ref>,
    pub measures: Vec<Ref>,
}

#[derive(Debug, Clone)]
pub struct Columns {
    pub date: String,
    pub value: String,
    pub denominator: String,
    pub note: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            date: "date".into(),
            value: "value".into(),
            denominator: "denominator".into(),
            note: "note".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub measure_kind: Option<MeasureKind>,
    pub unit: Option<String>,
    pub definition: Option<String>,
    pub chart: ChartType,
    pub improvement: Improvement,
    pub target: Option<f64>,
    pub multiply: f64,
    pub freeze: Option<usize>,
    pub rebase: Vec<Date>,
    pub exclude: Vec<Date>,
    pub rules: Option<RuleProfile>,
    /// Small-number suppression for this measure, overriding `privacy.suppress_below`
    /// (`Some(0)` turns it off).
    pub suppress_below: Option<usize>,
    pub columns: Columns,
    /// The CSV's path relative to the site root, and its rows; `None` when missing.
    pub csv_path: PathBuf,
    pub data: Option<MeasureData>,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub drivers: Vec<Ref>,
    pub status: Option<ChangeStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    pub id: String,
    pub title: String,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct PrimaryDriver {
    pub driver: Driver,
    pub secondary: Vec<Driver>,
}

#[derive(Debug, Clone)]
pub struct Aim {
    pub measure: Option<Ref>,
    pub target: Option<f64>,
    pub by: Option<Date>,
    pub drivers: Vec<PrimaryDriver>,
}

const COMMON_KEYS: [&str; 4] = ["title", "tags", "summary", "extra"];

pub const CYCLE_KEYS: &[&str] = &[
    "title",
    "tags",
    "summary",
    "extra",
    "change",
    "status",
    "started",
    "ended",
    "follows",
    "decision",
    "predictions",
    "measures",
    "team",
];
pub const NOTE_KEYS: &[&str] = &[
    "title", "tags", "summary", "extra", "date", "kind", "cycles", "measures",
];
pub const MEASURE_KEYS: &[&str] = &[
    "title",
    "tags",
    "summary",
    "extra",
    "kind",
    "unit",
    "definition",
    "chart",
    "improvement",
    "target",
    "multiply",
    "freeze",
    "rebase",
    "exclude",
    "rules",
    "columns",
    "suppress_below",
];
pub const CHANGE_KEYS: &[&str] = &["title", "tags", "summary", "extra", "drivers", "status"];
pub const AIM_KEYS: &[&str] = &[
    "title", "tags", "summary", "extra", "measure", "target", "by", "drivers",
];

pub fn allowed_keys(kind: Kind) -> &'static [&'static str] {
    debug_assert!(COMMON_KEYS.iter().all(|k| CYCLE_KEYS.contains(k)));
    match kind {
        Kind::Cycle => CYCLE_KEYS,
        Kind::Note => NOTE_KEYS,
        Kind::Measure => MEASURE_KEYS,
        Kind::Change => CHANGE_KEYS,
        Kind::Aim => AIM_KEYS,
    }
}

fn choice<T>(
    f: &mut Fields,
    key: &str,
    words: &[&'static str],
    from: fn(&str) -> Option<T>,
) -> Option<T> {
    f.choice(key, words).and_then(from)
}

pub fn read_cycle(f: &mut Fields) -> Cycle {
    let status = choice(f, "status", CycleStatus::WORDS, CycleStatus::from_word);
    if status.is_none() && !f.contains("status") && !f.has_key_close_to("status") {
        let pos = f.pos_of_key("title");
        let d = f
            .file
            .warning("W0101", "cycle has no `status`; taken as `planned`", pos)
            .hint("add `status:` with one of planned, doing, studying, done, abandoned");
        f.diagnostics.push(d);
    }
    Cycle {
        change: f.single_ref("change"),
        status: status.unwrap_or(CycleStatus::Planned),
        started: f.date("started").map(|d| d.0),
        ended: f.date("ended").map(|d| d.0),
        follows: f.single_ref("follows"),
        decision: choice(f, "decision", Decision::WORDS, Decision::from_word),
        predictions: f
            .string_list("predictions")
            .into_iter()
            .map(|p| p.0)
            .collect(),
        measures: f.refs("measures"),
        team: f.string_list("team").into_iter().map(|p| p.0).collect(),
    }
}

pub fn read_note(f: &mut Fields) -> Note {
    Note {
        date: f.date("date").map(|d| d.0),
        kind: choice(f, "kind", NoteKind::WORDS, NoteKind::from_word).unwrap_or(NoteKind::Note),
        cycles: f.refs("cycles"),
        measures: f.refs("measures"),
    }
}

pub fn read_measure(f: &mut Fields, csv_path: PathBuf) -> Measure {
    let mut columns = Columns::default();
    if let Some(value) = f.raw("columns").cloned() {
        if let Some(map) = f.sub_mapping("columns", &value) {
            let allowed = ["date", "value", "denominator", "note"];
            for (key, v) in &map {
                let key_text = super::frontmatter::scalar_text(key).unwrap_or_default();
                let path = format!("columns.{key_text}");
                let Some(name) = super::frontmatter::scalar_text(v) else {
                    f.type_error_at(&path, "a column name", v);
                    continue;
                };
                match key_text.as_str() {
                    "date" => columns.date = name,
                    "value" => columns.value = name,
                    "denominator" => columns.denominator = name,
                    "note" => columns.note = name,
                    other => f.unknown_nested_key(&path, other, &allowed, "`columns`"),
                }
            }
        }
    }
    let multiply = f.number("multiply").unwrap_or(1.0);
    if multiply <= 0.0 {
        f.error_at_value("multiply", "E0107", "`multiply` must be above 0".into());
    }
    Measure {
        measure_kind: choice(f, "kind", MeasureKind::WORDS, MeasureKind::from_word),
        unit: f.string("unit"),
        definition: f.string("definition"),
        chart: choice(f, "chart", ChartType::WORDS, ChartType::from_word).unwrap_or(ChartType::Run),
        improvement: choice(f, "improvement", Improvement::WORDS, Improvement::from_word)
            .unwrap_or(Improvement::Neutral),
        target: f.number("target"),
        multiply: if multiply > 0.0 { multiply } else { 1.0 },
        freeze: f.positive_integer("freeze"),
        rebase: f.date_list("rebase"),
        exclude: f.date_list("exclude"),
        rules: choice(f, "rules", RuleProfile::WORDS, RuleProfile::from_word),
        suppress_below: f.whole_number("suppress_below"),
        columns,
        csv_path,
        data: None,
    }
}

/// Warns where a measure's settings name periods its data do not have, which would
/// otherwise silently do nothing.
pub fn check_settings_against_data(f: &mut Fields, m: &Measure) {
    let Some(data) = m.data.as_ref().filter(|d| !d.points.is_empty()) else {
        return;
    };
    let periods: std::collections::BTreeSet<Date> = data.points.iter().map(|p| p.date).collect();
    let (first, last) = (
        *periods.first().expect("points"),
        *periods.last().expect("points"),
    );
    for (i, date) in m.exclude.iter().enumerate() {
        if !periods.contains(date) {
            let pos = f.pos_of_value(&format!("exclude[{i}]"));
            let d = f.file
                .warning("W0303", format!("`exclude` names {date}, which is not a period of the data, so nothing is excluded"), pos)
                .hint("write the period exactly as in the CSV's date column (the first day of a month or ISO week)");
            f.diagnostics.push(d);
        }
    }
    for (i, date) in m.rebase.iter().enumerate() {
        if *date <= first || *date > last {
            let pos = f.pos_of_value(&format!("rebase[{i}]"));
            let side = if *date <= first {
                "on or before the first"
            } else {
                "after the last"
            };
            let d = f.file
                .warning("W0304", format!("`rebase` date {date} is {side} period of the data, so no new phase starts"), pos)
                .hint(format!("a rebase starts a new phase at the first period on or after its date; the data run from {first} to {last}"));
            f.diagnostics.push(d);
        }
    }
    if let Some(freeze) = m.freeze.filter(|n| *n > periods.len()) {
        let pos = f.pos_of_value("freeze");
        let d = f.file
            .warning("W0305", format!("`freeze: {freeze}` is more than the {} periods of the data", periods.len()), pos)
            .hint("freeze names how many of the first points form the baseline; the limits use all the data until there are that many");
        f.diagnostics.push(d);
    }
}

/// A measure that is only a CSV: every setting at its default.
pub fn default_measure(csv_path: PathBuf) -> Measure {
    Measure {
        measure_kind: None,
        unit: None,
        definition: None,
        chart: ChartType::Run,
        improvement: Improvement::Neutral,
        target: None,
        multiply: 1.0,
        freeze: None,
        rebase: Vec::new(),
        exclude: Vec::new(),
        rules: None,
        suppress_below: None,
        columns: Columns::default(),
        csv_path,
        data: None,
    }
}

pub fn read_change(f: &mut Fields) -> Change {
    Change {
        drivers: f.refs("drivers"),
        status: choice(f, "status", ChangeStatus::WORDS, ChangeStatus::from_word),
    }
}

pub fn read_aim(f: &mut Fields) -> Aim {
    let mut drivers = Vec::new();
    if let Some(value) = f.raw("drivers").cloned() {
        match value {
            serde_yaml::Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("drivers[{i}]");
                    if let Some(primary) = read_driver(f, &path, item, true) {
                        drivers.push(primary);
                    }
                }
            }
            other => f.type_error_at("drivers", "a list of primary drivers", &other),
        }
    }
    Aim {
        measure: f.single_ref("measure"),
        target: f.number("target"),
        by: f.date("by").map(|d| d.0),
        drivers,
    }
}

fn read_driver(
    f: &mut Fields,
    path: &str,
    value: &serde_yaml::Value,
    primary: bool,
) -> Option<PrimaryDriver> {
    let map = f.sub_mapping(path, value)?;
    let allowed: &[&str] = if primary {
        &["id", "title", "secondary"]
    } else {
        &["id", "title"]
    };
    let mut id = None;
    let mut title = None;
    let mut secondary = Vec::new();
    for (key, v) in &map {
        let key_text = super::frontmatter::scalar_text(key).unwrap_or_default();
        let key_path = format!("{path}.{key_text}");
        match key_text.as_str() {
            "id" | "title" => match super::frontmatter::scalar_text(v) {
                Some(text) if key_text == "id" => id = Some((text, f.pos_of_value(&key_path))),
                Some(text) => title = Some(text),
                None => f.type_error_at(&key_path, "text", v),
            },
            "secondary" if primary => match v {
                serde_yaml::Value::Sequence(items) => {
                    for (j, item) in items.iter().enumerate() {
                        let item_path = format!("{key_path}[{j}]");
                        if let Some(d) = read_driver(f, &item_path, item, false) {
                            secondary.push(d.driver);
                        }
                    }
                }
                serde_yaml::Value::Null => {}
                other => f.type_error_at(&key_path, "a list of secondary drivers", other),
            },
            other => {
                let within = if primary {
                    "a primary driver"
                } else {
                    "a secondary driver"
                };
                f.unknown_nested_key(&key_path, other, allowed, within);
            }
        }
    }
    let Some((id, pos)) = id else {
        let d = f.error_at_key(path, "E0106", "driver is missing required key `id`".into());
        d.hint = Some(
            "give each driver an `id` (a slug such as `reliable-risk-assessment`) and a `title`"
                .into(),
        );
        return None;
    };
    if !super::is_slug(&id) {
        let d = f.error_at_value(
            &format!("{path}.id"),
            "E0109",
            format!("driver id `{id}` is not a slug"),
        );
        d.hint = Some(format!(
            "use lowercase letters, digits and hyphens, e.g. `{}`",
            super::slugify(&id)
        ));
    }
    let title = title.unwrap_or_else(|| {
        let d = f.error_at_key(
            path,
            "E0106",
            format!("driver `{id}` is missing required key `title`"),
        );
        d.hint = Some("add `title:` with what must be true, in the team's words".into());
        id.clone()
    });
    Some(PrimaryDriver {
        driver: Driver { id, title, pos },
        secondary,
    })
}

//! The pages of the site: one context per page, rendered through the theme's templates.
//! The URL layout here is a public contract (see docs/reference.md).

use super::chart;
use super::driver;
use super::incremental::{self, Dep, Fingerprints, RenderCache, Unit};
use super::markdown::{self, LinkTarget, Resolved};
use super::measure::{self, AnnotatedCycle, MeasureView};
use super::timeline;
use super::{template_diagnostic, template_sources, Output, Sink, SiteFiles};
use crate::config::{Config, Visibility};
use crate::content::items::{ChartType, CycleStatus, Details, Item, Kind, Measure, NoteKind};
use crate::content::source::SourceFile;
use crate::date::Date;
use crate::diagnostics::{display_path, Diagnostic};
use crate::git::{Commit, History};
use crate::resolve::Library;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tera::value::Key;

pub const GENERATOR: &str = concat!("cyclebook ", env!("CARGO_PKG_VERSION"));

#[derive(Serialize, Clone, Hash)]
struct DateView {
    iso: String,
    display: String,
}

fn date_view(d: Option<Date>) -> Option<DateView> {
    d.map(|d| DateView {
        iso: d.to_string(),
        display: d.display(),
    })
}

#[derive(Serialize, Clone, Hash)]
struct TagLink {
    name: String,
    href: String,
}

/// What every listing shows of an item.
#[derive(Serialize, Clone, Hash)]
struct Card {
    id: String,
    kind: &'static str,
    kind_label: &'static str,
    title: String,
    href: String,
    summary: Option<String>,
    tags: Vec<TagLink>,
    status: Option<&'static str>,
    status_label: Option<&'static str>,
    decision: Option<&'static str>,
    decision_label: Option<&'static str>,
    date: Option<DateView>,
    end_date: Option<DateView>,
    note_kind: Option<&'static str>,
    measure_kind: Option<&'static str>,
    change: Option<String>,
}

fn decision_label(d: crate::content::items::Decision) -> &'static str {
    use crate::content::items::Decision;
    match d {
        Decision::Adopt => "Adopt",
        Decision::Adapt => "Adapt",
        Decision::Abandon => "Abandon",
    }
}

struct Site<'a> {
    library: &'a Library,
    config: &'a Config,
    tera: &'a tera::Tera,
    sources: BTreeMap<String, (PathBuf, String)>,
    files: SiteFiles,
    diagnostics: Vec<Diagnostic>,
    /// Each measure's analysis, by item index, computed once for every page that shows it.
    views: Vec<Option<Arc<MeasureView>>>,
    /// The `site.json` entry of the item page being rendered.
    site_json_entry: Option<Arc<str>>,
    /// What the search index keeps between builds (words met, the last index); refreshed
    /// by the search unit.
    search: super::search::Cache,
    /// The git history, unless the site is not in git or `--no-git` was given.
    history: Option<&'a History>,
    /// Each item's card as a template value, made once per build and shared by every
    /// page that lists it (Tera values are reference-counted, so a copy is cheap).
    cards: Arc<Vec<OnceLock<tera::Value>>>,
    /// Whether cards carry `html` (see [`Site::card`]): not when the site overrides
    /// `partials/card.html`, which may read any variable of the page including it.
    card_html: bool,
    /// The `site` variable of every page.
    site_value: Arc<OnceLock<tera::Value>>,
    /// `nav` and `feeds` by section (and whether the page is the 404 page): the same
    /// for every page of a section.
    chrome: Arc<std::sync::Mutex<ChromeBySection>>,
    /// Each measure's annotated cycles (see [`Site::annotated_cycles`]), by item index.
    annotated: Arc<Vec<OnceLock<Arc<Vec<AnnotatedCycle>>>>>,
    /// Each commit of the history as an item page's `history` shows it, by index in
    /// `history.commits`: the same few commits are on thousands of pages.
    commit_values: Arc<Vec<OnceLock<tera::Value>>>,
}

/// A Tera map of `pairs`. Values that are already Tera values are shared, not copied.
pub(super) fn tmap<const N: usize>(pairs: [(&'static str, tera::Value); N]) -> tera::Value {
    let mut map = tera::Map::with_capacity(N);
    for (key, value) in pairs {
        map.insert(tera::value::Key::Str(key), value);
    }
    tera::Value::from(map)
}

/// `value` (a map, such as a card) with `pairs` added.
fn with_fields<const N: usize>(
    value: tera::Value,
    pairs: [(&'static str, tera::Value); N],
) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.reserve(N);
    for (key, value) in pairs {
        map.insert(tera::value::Key::Str(key), value);
    }
    tera::Value::from(map)
}

/// Any serializable value as a template value.
fn tv<T: Serialize + ?Sized>(value: &T) -> tera::Value {
    tera::Value::from_serializable(value)
}

/// How many commits `/recent/` and its feed list.
const RECENT_COMMITS: usize = 50;

#[derive(Serialize)]
struct CommitView {
    id: String,
    short: String,
    date: DateView,
    datetime: String,
    author: String,
    subject: String,
    url: Option<String>,
}

fn commit_view(config: &Config, c: &Commit) -> CommitView {
    CommitView {
        id: c.id.clone(),
        short: c.short.clone(),
        date: DateView {
            iso: c.date().to_string(),
            display: c.date().display(),
        },
        datetime: c.rfc3339(),
        author: c.author.clone(),
        subject: c.subject.clone(),
        url: config.commit_url(&c.id),
    }
}

/// The source files an item is made of: a measure is its definition and its data.
fn source_paths(item: &Item) -> Vec<&Path> {
    let mut paths = vec![item.path()];
    if let Some(m) = item.measure() {
        if m.csv_path != item.path() {
            paths.push(&m.csv_path);
        }
    }
    paths
}

fn chart_label(chart: ChartType) -> &'static str {
    match chart {
        ChartType::Run => "Run chart (median)",
        ChartType::I => "I chart (individual values)",
        ChartType::Mr => "MR chart (moving ranges)",
        ChartType::Xmr => "XmR chart (individual values and moving ranges)",
        ChartType::Xbar => "X-bar chart (subgroup means)",
        ChartType::S => "S chart (subgroup standard deviations)",
        ChartType::T => "T chart (time between events)",
        ChartType::P => "P chart (proportions)",
        ChartType::Pp => "P′ chart (proportions, Laney)",
        ChartType::C => "C chart (counts)",
        ChartType::U => "U chart (rates)",
        ChartType::Up => "U′ chart (rates, Laney)",
        ChartType::G => "G chart (cases between events)",
    }
}

fn tag_links(tags: &[String]) -> Vec<TagLink> {
    tags.iter()
        .map(|t| TagLink {
            name: t.clone(),
            href: format!("tags/{}/", crate::content::slugify(t)),
        })
        .collect()
}

/// A fingerprint of what [`card_unrecorded`] reads, without building the card: every
/// field of a card comes from these.
fn card_fingerprint(library: &Library, i: usize) -> u64 {
    let item = &library.items[i];
    let common = (&item.id, item.kind, &item.title, &item.summary, &item.tags);
    match &item.details {
        Details::Cycle(c) => {
            let change = c
                .change
                .as_ref()
                .and_then(|r| library.get(&r.id))
                .filter(|i| i.kind == Kind::Change)
                .map(|i| &i.title);
            incremental::fingerprint((
                common,
                c.status.as_str(),
                c.decision.map(|d| d.as_str()),
                c.started,
                c.ended,
                change,
            ))
        }
        Details::Note(n) => incremental::fingerprint((common, n.date, n.kind.as_str())),
        Details::Measure(m) => {
            incremental::fingerprint((common, m.measure_kind.map(|k| k.as_str())))
        }
        Details::Change(c) => incremental::fingerprint((common, c.status.map(|s| s.as_str()))),
        Details::Aim(a) => incremental::fingerprint((common, a.by)),
    }
}

fn card_unrecorded(library: &Library, i: usize) -> Card {
    let item = &library.items[i];
    let mut card = Card {
        id: item.id.clone(),
        kind: item.kind.as_str(),
        kind_label: item.kind.label(),
        title: item.title.clone(),
        href: item.href(),
        summary: item.summary.clone(),
        tags: tag_links(&item.tags),
        status: None,
        status_label: None,
        decision: None,
        decision_label: None,
        date: None,
        end_date: None,
        note_kind: None,
        measure_kind: None,
        change: None,
    };
    match &item.details {
        Details::Cycle(c) => {
            card.status = Some(c.status.as_str());
            card.status_label = Some(c.status.label());
            card.decision = c.decision.map(|d| d.as_str());
            card.decision_label = c.decision.map(decision_label);
            card.date = date_view(c.started);
            card.end_date = date_view(c.ended);
            card.change = c
                .change
                .as_ref()
                .and_then(|r| library.get(&r.id))
                .filter(|i| i.kind == Kind::Change)
                .map(|i| i.title.clone());
        }
        Details::Note(n) => {
            card.date = date_view(n.date);
            card.note_kind = Some(n.kind.as_str());
        }
        Details::Measure(m) => card.measure_kind = m.measure_kind.map(|k| k.as_str()),
        Details::Change(c) => card.status = c.status.map(|s| s.as_str()),
        Details::Aim(a) => card.date = date_view(a.by),
    }
    card
}

/// The notes among `notes` of kind `kind`, in the order given.
fn of_note_kind<'a>(
    library: &'a Library,
    notes: &'a [usize],
    kind: NoteKind,
) -> impl Iterator<Item = usize> + 'a {
    notes
        .iter()
        .copied()
        .filter(move |i| library.items[*i].note().is_some_and(|n| n.kind == kind))
}

/// An item's entry in `site.json`, borrowed from the library. Fields in alphabetical
/// order, as serde_json's sorted maps printed the `json!` object it was made as; those
/// skipped when `None` belong to some kinds only, or need the git history.
#[derive(Serialize)]
struct SiteJsonEntry<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    authors: Option<Vec<AuthorEntry<'a>>>,
    backlinks: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csv: Option<String>,
    front_matter: &'a Value,
    id: &'a str,
    kind: &'a str,
    links: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Option<&'a str>>,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ramp: Option<Vec<&'a str>>,
    summary: Option<&'a str>,
    tags: &'a [String],
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<Option<String>>,
    url: String,
}

#[derive(Serialize)]
struct AuthorEntry<'a> {
    commits: usize,
    name: &'a str,
}

/// A driver in `site.json` (fields in alphabetical order, like the rest of the file).
#[derive(Serialize)]
struct DriverEntry<'a> {
    aim: &'a str,
    changes: Vec<&'a str>,
    id: &'a str,
    level: &'static str,
    primaries: &'a [String],
    title: &'a str,
}

/// A tag in `site.json`.
#[derive(Serialize)]
struct TagEntry<'a> {
    items: Vec<&'a str>,
    name: &'a str,
    url: String,
}

/// The ids of `items`, for `site.json`.
fn ids_of<'a>(library: &'a Library, items: &[usize]) -> Vec<&'a str> {
    items
        .iter()
        .map(|&i| library.items[i].id.as_str())
        .collect()
}

/// `value` as compact JSON: `site.json` holds one item, driver or tag per line.
fn compact(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("JSON values serialize")
}

/// `values` as a JSON array, one value per line.
fn array_by_line<T: Serialize>(values: impl Iterator<Item = T>) -> String {
    let mut out = String::from("[");
    for (n, value) in values.enumerate() {
        out.push_str(if n == 0 { "\n" } else { ",\n" });
        out.push_str(&compact(&value));
    }
    out.push_str(if out.len() > 1 { "\n]" } else { "]" });
    out
}

/// `nav` and `feeds` by (section, is the 404 page).
type ChromeBySection = std::collections::HashMap<(String, bool), [tera::Value; 2]>;

/// The partial each card of a list is rendered with.
const CARD_TEMPLATE: &str = "partials/card.html";
/// The `root` of item and tag pages, where most lists of cards are.
const CARD_HTML_ROOT: &str = "../../";

/// `../` once per folder level of `href`.
fn root_for(href: &str) -> String {
    "../".repeat(href.matches('/').count())
}

fn permalink(config: &Config, href: &str) -> Value {
    config
        .base_url
        .as_ref()
        .map_or(Value::Null, |base| Value::String(format!("{base}{href}")))
}

/// The site-wide Atom feeds: (address relative to the root, what it follows).
const LESSONS_FEED: &str = "notes/lessons.xml";
const CYCLES_FEED: &str = "cycles/atom.xml";
const RECENT_FEED: &str = "recent/atom.xml";
/// What the lessons, cycles and recent feeds follow, after the site's title in their titles.
const FEED_NAMES: [&str; 3] = ["lessons", "PDSA cycles", "recent changes"];
/// How many entries the lessons and cycles feeds hold.
const FEED_ENTRIES: usize = 50;

/// A date as an Atom (RFC 3339) time: its first moment, in UTC.
fn feed_time(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

impl Site<'_> {
    /// The feeds the site publishes (none for an internal site), the one that follows
    /// `section` (a page address's first folder) first: feed readers offer the first.
    fn feeds(&self, section: &str) -> Vec<Value> {
        if self.config.visibility == Visibility::Internal {
            return Vec::new();
        }
        let title = &self.config.title;
        let mut feeds: Vec<(&str, String)> = vec![
            (LESSONS_FEED, format!("{title}: {}", FEED_NAMES[0])),
            (CYCLES_FEED, format!("{title}: {}", FEED_NAMES[1])),
        ];
        if self.history.is_some() {
            feeds.push((RECENT_FEED, format!("{title}: {}", FEED_NAMES[2])));
        }
        feeds.sort_by_key(|(feed, _)| {
            !feed.starts_with(&format!("{section}/")) || section.is_empty()
        });
        feeds
            .into_iter()
            .map(|(href, title)| json!({ "href": href, "title": title }))
            .collect()
    }

    /// What every listing shows of item `i`; noted as read by the page being rendered.
    fn card(&self, i: usize) -> tera::Value {
        if incremental::is_recording() {
            incremental::read(Dep::Card(self.library.items[i].id.clone()));
        }
        self.cards[i]
            .get_or_init(|| {
                let card = tv(&card_unrecorded(self.library, i));
                if self.card_html {
                    self.with_html(card)
                } else {
                    card
                }
            })
            .clone()
    }

    /// `card` with `html`: `root` and `text`, the card as `partials/card.html` renders
    /// it on pages of that `root`. Most lists of cards are on item and tag pages (the
    /// backlinks, the tag's items), where `partials/card_list.html` then prints it
    /// instead of running the partial for each of the ~10 lists an item is in. On a
    /// template error the card is left without, and the partial reports the error.
    fn with_html(&self, card: tera::Value) -> tera::Value {
        let mut ctx = tera::Context::new();
        ctx.insert_value("card", card.clone());
        ctx.insert("root", CARD_HTML_ROOT);
        match self.tera.render(CARD_TEMPLATE, &ctx) {
            Ok(text) => {
                let html = tmap([("root", tv(CARD_HTML_ROOT)), ("text", tv(&text))]);
                with_fields(card, [("html", html)])
            }
            Err(_) => card,
        }
    }

    /// Item `i`'s card as data, noted as read.
    fn card_struct(&self, i: usize) -> Card {
        incremental::read(Dep::Card(self.library.items[i].id.clone()));
        card_unrecorded(self.library, i)
    }

    fn cards(&self, indices: impl IntoIterator<Item = usize>) -> Vec<tera::Value> {
        indices.into_iter().map(|i| self.card(i)).collect()
    }

    /// Change ideas' cards, each with `tested`: where the latest cycle of its ramp leaves it.
    fn tested_cards(&self, changes: impl IntoIterator<Item = usize>) -> Vec<tera::Value> {
        changes
            .into_iter()
            .map(|ci| {
                let (state, cycles) = driver::tested(self.library, ci);
                let tested = tmap([
                    ("state", tv(state.as_str())),
                    ("label", tv(state.label())),
                    ("cycles", tv(&cycles)),
                    ("text", tv(&driver::state_text(state, cycles))),
                ]);
                with_fields(self.card(ci), [("tested", tested)])
            })
            .collect()
    }

    fn base_context(&self, href: &str, page_kind: &str, title: &str) -> tera::Context {
        self.page_context(href, page_kind, title, None)
    }

    /// The variables of every page; `summary` describes the page (else the site does).
    fn page_context(
        &self,
        href: &str,
        page_kind: &str,
        title: &str,
        summary: Option<&str>,
    ) -> tera::Context {
        let config = self.config;
        let mut ctx = tera::Context::new();
        let root = root_for(href);
        let site = self.site_value.get_or_init(|| {
            tv(&json!({
                "title": config.title,
                "description": config.description,
                "base_url": config.base_url,
                "repo_url": config.repo_url,
                "language": config.language,
                "generator": GENERATOR,
                "visibility": match config.visibility { Visibility::Public => "public", Visibility::Internal => "internal" },
                "extra": config.extra,
            }))
        });
        ctx.insert_value("site", site.clone());
        let section = href.split('/').next().unwrap_or("");
        let not_found = page_kind == "404";
        let [nav, feeds] = self
            .chrome
            .lock()
            .expect("no panic while held")
            .entry((section.to_string(), not_found))
            .or_insert_with(|| self.chrome_of(section, not_found))
            .clone();
        ctx.insert_value("nav", nav);
        ctx.insert_value("feeds", feeds);
        ctx.insert("root", &root);
        let description = summary
            .or(config.description.as_deref())
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
        let is_item = Kind::ALL.iter().any(|k| k.as_str() == page_kind);
        ctx.insert(
            "page",
            &json!({
                "kind": page_kind,
                "title": title,
                "href": href,
                "permalink": permalink(config, href),
                "description": description,
                "og_type": if is_item { "article" } else { "website" },
            }),
        );
        ctx
    }

    /// The section links (`section`'s marked as the current one, unless on the 404
    /// page) and the feeds, the section's first.
    fn chrome_of(&self, section: &str, not_found: bool) -> [tera::Value; 2] {
        let nav: Vec<Value> = [
            ("", "Dashboard"),
            ("aims", "Aims"),
            ("changes", "Change ideas"),
            ("cycles", "Cycles"),
            ("measures", "Measures"),
            ("notes", "Notes"),
            ("tags", "Tags"),
            ("recent", "Recent changes"),
        ]
        .iter()
        .filter(|(folder, _)| *folder != "recent" || self.history.is_some())
        .map(|(folder, label)| {
            json!({
                "label": label,
                "href": if folder.is_empty() { String::new() } else { format!("{folder}/") },
                "active": *folder == section && !not_found,
            })
        })
        .collect();
        [tv(&nav), tv(&self.feeds(section))]
    }

    fn render_unit(&mut self, unit: &Unit) {
        match unit {
            Unit::Item(id) => {
                if let Some(&i) = self.library.by_id.get(id) {
                    self.item_page(i);
                }
            }
            Unit::Cycles => self.cycles_page(),
            Unit::Notes => self.notes_page(),
            Unit::Measures => self.measures_page(),
            Unit::Changes => self.changes_page(),
            Unit::Aims => self.aims_page(),
            Unit::Tags => self.tags_page(),
            Unit::Tag(slug) => self.tag_page(slug),
            Unit::Dashboard => self.dashboard(),
            Unit::Recent => self.recent(),
            Unit::NotFound => self.not_found(),
            Unit::Search => self.search_page(),
        }
    }

    fn render(&mut self, template: &str, ctx: &tera::Context, out_path: &str) {
        match self.tera.render(template, ctx) {
            Ok(html) => {
                self.files.insert(
                    PathBuf::from(out_path),
                    Output::Bytes(Arc::new(html.into_bytes())),
                );
            }
            Err(e) => self
                .diagnostics
                .push(template_diagnostic(&e, &self.sources, Some(out_path))),
        }
    }

    fn body_html(&self, item: &Item, root: &str) -> markdown::Rendered {
        let library = self.library;
        let resolve = |target: &LinkTarget| -> Option<Resolved> {
            if incremental::is_recording() {
                incremental::read(Dep::Link(target.clone()));
            }
            let destination = library.link_destination(target)?;
            Some(Resolved {
                href: format!("{root}{}", destination.href),
                title: destination.title,
            })
        };
        // Embedded charts get ids unique on the page, in the order they appear.
        let embedded = std::cell::Cell::new(0usize);
        let embed = |block: &markdown::ChartBlock| -> Option<String> {
            incremental::read(Dep::Item(block.measure.clone()));
            let m = *library.by_id.get(&block.measure)?;
            let measure_item = &library.items[m];
            let view = self.views[m]
                .as_ref()?
                .published(crate::privacy::suppression::threshold(
                    self.config.suppress_below,
                    measure_item.measure().and_then(|x| x.suppress_below),
                ));
            let unit = measure_item
                .measure()
                .and_then(|x| x.unit.clone())
                .unwrap_or_default();
            let range = view.window(block.from, block.to);
            if range.is_empty() {
                return None;
            }
            embedded.set(embedded.get() + 1);
            let id = format!("embed-{}-{}", measure_item.id, embedded.get());
            let cycles = self.annotated_cycles(m);
            let description = format!(
                "{} from {} to {}",
                measure_item.title,
                view.labels[range.start],
                view.labels[range.end - 1]
            );
            let caption_note = view
                .suppression_caption(range.clone())
                .map(|note| {
                    format!(
                        r#" <span class="suppression-note">{}</span>"#,
                        chart::escape(&note)
                    )
                })
                .unwrap_or_default();
            let (svg, _) = view.svgs(
                &id,
                &measure_item.title,
                &unit,
                &cycles,
                root,
                range,
                &description,
            );
            Some(format!(
                r#"{svg}<figcaption><a href="{root}{}">{}</a>{caption_note}</figcaption>"#,
                measure_item.href(),
                chart::escape(&measure_item.title)
            ))
        };
        markdown::render_with_charts(
            item.body(),
            item.path(),
            self.config.trusted_html,
            &resolve,
            &embed,
        )
    }

    fn item_page(&mut self, i: usize) {
        let library = self.library;
        let item = &library.items[i];
        incremental::read(Dep::Item(item.id.clone()));
        let href = item.href();
        let root = root_for(&href);
        let mut ctx = self.page_context(
            &href,
            item.kind.as_str(),
            &item.title,
            item.summary.as_deref(),
        );
        let body = self.body_html(item, &root);
        let backlinks = &library.backlinks[i];
        // The page's item: its card, with everything the page shows besides.
        let mut fields = self.card(i).into_map().unwrap_or_default();
        let mut put = |key: &'static str, value: tera::Value| {
            fields.insert(tera::value::Key::Str(key), value);
        };
        put("content", tera::Value::from(body.html));
        put("toc", tv(&body.headings));
        put("source_path", tv(&display_path(item.path())));
        put(
            "source_url",
            tv(&self.config.source_url(&display_path(item.path()))),
        );
        put(
            "backlinks",
            tera::Value::from(self.cards(backlinks.iter().copied())),
        );
        put(
            "links",
            tera::Value::from(self.cards(library.outgoing[i].iter().copied())),
        );
        put("history", self.history_fields(item));
        put(
            "extra",
            item.front_matter.get("extra").map_or_else(|| tv(&()), tv),
        );
        let of_kind = |kind: Kind| -> tera::Value {
            tera::Value::from(
                self.cards(
                    backlinks
                        .iter()
                        .copied()
                        .filter(|b| library.items[*b].kind == kind),
                ),
            )
        };
        let refs = |ids: &[crate::content::frontmatter::Ref]| -> tera::Value {
            tera::Value::from(self.cards(ids.iter().filter_map(|r| {
                incremental::read(Dep::Card(r.id.clone()));
                library.by_id.get(&r.id).copied()
            })))
        };
        let template = match &item.details {
            Details::Cycle(c) => {
                let change = c
                    .change
                    .as_ref()
                    .and_then(|r| {
                        incremental::read(Dep::Card(r.id.clone()));
                        library.by_id.get(&r.id).copied()
                    })
                    .filter(|ci| library.items[*ci].kind == Kind::Change);
                put("change", tera::Value::from(change.map(|ci| self.card(ci))));
                put("started", tv(&date_view(c.started)));
                put("ended", tv(&date_view(c.ended)));
                put("predictions", tv(&c.predictions));
                put("team", tv(&c.team));
                put("measures", refs(&c.measures));
                put("notes", of_kind(Kind::Note));
                let (prev, next) = library.neighbours.get(&i).copied().unwrap_or((None, None));
                put("prev", tera::Value::from(prev.map(|p| self.card(p))));
                put("next", tera::Value::from(next.map(|n| self.card(n))));
                let ramp = change.and_then(|ci| {
                    let order = library.ramps.get(&ci)?;
                    let position = order.iter().position(|x| *x == i)? + 1;
                    Some(tmap([
                        ("change", self.card(ci)),
                        ("position", tv(&position)),
                        ("total", tv(&order.len())),
                    ]))
                });
                put("ramp", tera::Value::from(ramp));
                "cycle.html"
            }
            Details::Note(n) => {
                put("cycles", refs(&n.cycles));
                put("measures", refs(&n.measures));
                "note.html"
            }
            Details::Measure(m) => {
                self.measure_fields(i, m, &root, &mut fields);
                "measure.html"
            }
            Details::Change(c) => {
                let drivers: Vec<tera::Value> = c
                    .drivers
                    .iter()
                    .filter_map(|r| {
                        incremental::read(Dep::Driver(r.id.clone()));
                        library.drivers.get(&r.id)
                    })
                    .map(|d| {
                        tmap([
                            ("id", tv(&d.id)),
                            ("title", tv(&d.title)),
                            ("primary", tv(&d.primary)),
                            (
                                "href",
                                tv(&format!("{}#driver-{}", library.items[d.aim].href(), d.id)),
                            ),
                            ("aim", self.card(d.aim)),
                        ])
                    })
                    .collect();
                put("drivers", tera::Value::from(drivers));
                let ramp = library.ramps.get(&i).cloned().unwrap_or_default();
                put("cycles", tera::Value::from(self.cards(ramp)));
                put("notes", of_kind(Kind::Note));
                "change.html"
            }
            Details::Aim(a) => {
                let measure = a.measure.as_ref().and_then(|r| {
                    incremental::read(Dep::Card(r.id.clone()));
                    library.by_id.get(&r.id).copied()
                });
                put("measure", tera::Value::from(measure.map(|m| self.card(m))));
                put("target", tv(&a.target));
                put("by", tv(&date_view(a.by)));
                // A secondary driver under several primaries is anchored at its first place.
                let mut anchored = std::collections::BTreeSet::new();
                let drivers: Vec<tera::Value> = a
                    .drivers
                    .iter()
                    .map(|p| {
                        let secondary: Vec<tera::Value> = p
                            .secondary
                            .iter()
                            .map(|s| {
                                incremental::read(Dep::Driver(s.id.clone()));
                                let changes = library
                                    .changes_by_driver
                                    .get(&s.id)
                                    .cloned()
                                    .unwrap_or_default();
                                let anchor = if anchored.insert(s.id.clone()) {
                                    format!("driver-{}", s.id)
                                } else {
                                    format!("driver-{}-under-{}", s.id, p.driver.id)
                                };
                                tmap([
                                    ("id", tv(&s.id)),
                                    ("title", tv(&s.title)),
                                    ("anchor", tv(&anchor)),
                                    ("changes", tera::Value::from(self.tested_cards(changes))),
                                ])
                            })
                            .collect();
                        incremental::read(Dep::Driver(p.driver.id.clone()));
                        let changes = library
                            .changes_by_driver
                            .get(&p.driver.id)
                            .cloned()
                            .unwrap_or_default();
                        tmap([
                            ("id", tv(&p.driver.id)),
                            ("title", tv(&p.driver.title)),
                            ("secondary", tera::Value::from(secondary)),
                            ("changes", tera::Value::from(self.tested_cards(changes))),
                        ])
                    })
                    .collect();
                put("drivers", tera::Value::from(drivers));
                put(
                    "driver_svg",
                    tv(&driver::diagram(library, i).map(|d| d.to_svg(&root))),
                );
                "aim.html"
            }
        };
        ctx.insert_value("item", tera::Value::from(fields));
        self.render(template, &ctx, &format!("{href}index.html"));
        self.site_json_entry = Some(self.site_json_entry_of(i));
    }

    /// Created, updated, authors and commits of an item's files; `null` without git.
    fn history_fields(&self, item: &Item) -> tera::Value {
        let Some(history) = self.history else {
            return tera::Value::none();
        };
        let paths = source_paths(item);
        let source = display_path(item.path());
        let Some(file) = history.files_together(&paths) else {
            return tmap([
                ("committed", tera::Value::from(false)),
                ("shallow", tera::Value::from(history.shallow)),
            ]);
        };
        // Keys in alphabetical order, as the JSON object this was once made from had.
        let mut view = tera::Map::with_capacity(8);
        let mut put = |key: &'static str, value: tera::Value| {
            view.insert(Key::Str(key), value);
        };
        put(
            "authors",
            tera::Value::from(
                file.authors
                    .iter()
                    .map(|(name, commits)| {
                        tmap([
                            ("commits", tera::Value::from(*commits)),
                            ("name", tera::Value::from(*name)),
                        ])
                    })
                    .collect::<Vec<_>>(),
            ),
        );
        put(
            "commits",
            tera::Value::from(
                file.indices
                    .iter()
                    .map(|&i| self.commit_value(history, i))
                    .collect::<Vec<_>>(),
            ),
        );
        put("committed", tera::Value::from(true));
        put(
            "created",
            tera::Value::from(file.created_index.map(|i| self.commit_value(history, i))),
        );
        if let Some(m) = item.measure() {
            // The newest commit of the data file: its `updated`.
            let data = history
                .file(&m.csv_path)
                .and_then(|f| f.indices.first().copied());
            put(
                "data_updated",
                tera::Value::from(data.map(|i| self.commit_value(history, i))),
            );
        }
        put(
            "history_url",
            tera::Value::from(self.config.history_url(&source)),
        );
        put("shallow", tera::Value::from(history.shallow));
        put(
            "updated",
            tera::Value::from(file.indices.first().map(|&i| self.commit_value(history, i))),
        );
        tera::Value::from(view)
    }

    /// The commit at `index` in `history.commits` as the `history` of item pages shows
    /// it: made once. Through a JSON value, for the alphabetical key order it always had.
    fn commit_value(&self, history: &History, index: usize) -> tera::Value {
        self.commit_values[index]
            .get_or_init(|| tv(&json!(commit_view(self.config, &history.commits[index]))))
            .clone()
    }

    /// `/sitemap.xml` for search engines: every page, when the site is public and its
    /// address (`base_url`) is known.
    /// `generated`: pages already handed to the sink, besides those in `files`.
    /// `sitemap.xml`: every page's address. `generated` holds the pages that went to
    /// the sink, the rest are in `self.files`.
    fn sitemap(&mut self, generated: &std::collections::HashSet<PathBuf>, cache: &mut RenderCache) {
        let Some(base) = &self.config.base_url else {
            return;
        };
        if self.config.visibility == Visibility::Internal {
            return;
        }
        let make = || {
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            // In the order of paths (by component), which for these paths (made here,
            // without `.` or doubled slashes) is that of their `/`-separated parts:
            // ordering `Path`s themselves re-parses their components at each comparison.
            let mut pages: Vec<String> = self
                .files
                .keys()
                .chain(generated)
                .map(|path| display_path(path))
                .filter(|path| path.ends_with("index.html"))
                .collect();
            pages.sort_unstable_by(|a, b| a.split('/').cmp(b.split('/')));
            pages.dedup();
            for path in pages {
                let Some(dir) = path.strip_suffix("index.html") else {
                    continue;
                };
                xml.push_str(&format!(
                    "  <url><loc>{}</loc></url>\n",
                    chart::escape(&format!("{base}{dir}"))
                ));
            }
            xml.push_str("</urlset>\n");
            xml
        };
        // A rebuild keeps the files in order (nothing went to a sink): the same paths
        // give the same sitemap.
        let xml: Arc<str> = if generated.is_empty() {
            use std::hash::{Hash, Hasher};
            let mut h = crate::hash::FastHasher::default();
            base.hash(&mut h);
            self.files.keys().for_each(|path| path.hash(&mut h));
            cache.site_wide("sitemap.xml", h.finish(), make)
        } else {
            make().into()
        };
        self.files.insert(
            PathBuf::from("sitemap.xml"),
            Output::Parts(Arc::new(vec![xml])),
        );
    }

    /// `/recent/` and its Atom feed: the latest commits and the items each touched.
    fn recent(&mut self) {
        let Some(history) = self.history else { return };
        let library = self.library;
        // Which items the commits' files belong to.
        for kind in Kind::ALL {
            incremental::read(Dep::Kind(kind));
        }
        // Hashed: ordered maps compare paths component by component, and every commit's
        // paths are looked up.
        let mut item_of_path: crate::hash::FastMap<&Path, usize> = Default::default();
        for (i, item) in library.items.iter().enumerate() {
            for path in source_paths(item) {
                item_of_path.insert(path, i);
            }
        }
        let commits: Vec<tera::Value> = history
            .commits
            .iter()
            .take(RECENT_COMMITS)
            .enumerate()
            .map(|(index, c)| {
                // A shallow clone's boundary commit seems to touch every file; say nothing.
                if history.boundary.contains(&index) {
                    let none = tv(&Vec::<()>::new());
                    return with_fields(
                        tv(&commit_view(self.config, c)),
                        [
                            ("items", none.clone()),
                            ("other_files", none),
                            ("boundary", tv(&true)),
                        ],
                    );
                }
                let mut touched: Vec<usize> = c
                    .paths
                    .iter()
                    .filter_map(|p| item_of_path.get(p.as_path()).copied())
                    .collect();
                touched.sort_unstable();
                touched.dedup();
                let others = c
                    .paths
                    .iter()
                    .filter(|p| !item_of_path.contains_key(p.as_path()))
                    .map(|p| display_path(p))
                    .collect::<Vec<_>>();
                with_fields(
                    tv(&commit_view(self.config, c)),
                    [
                        ("items", tera::Value::from(self.cards(touched))),
                        ("other_files", tv(&others)),
                        ("boundary", tv(&false)),
                    ],
                )
            })
            .collect();
        let mut ctx = self.base_context("recent/", "recent", "Recent changes");
        ctx.insert("commits", &commits);
        ctx.insert("feed_href", "recent/atom.xml");
        self.render("recent.html", &ctx, "recent/index.html");
        // An internal site keeps its feeds to itself.
        if self.config.visibility == Visibility::Internal {
            return;
        }
        let mut feed = self.base_context("recent/atom.xml", "feed", "Recent changes");
        feed.insert("commits", &commits);
        feed.insert("updated", &history.commits.first().map(Commit::rfc3339));
        self.render("atom.xml", &feed, "recent/atom.xml");
    }

    /// The cycles that name measure `i`, in start order, as its chart marks them; made
    /// once per build, however many pages embed the chart.
    fn annotated_cycles(&self, i: usize) -> Arc<Vec<AnnotatedCycle>> {
        let library = self.library;
        let cycles = library.cycles_for_measure(i);
        if incremental::is_recording() {
            for &c in &cycles {
                incremental::read(Dep::Card(library.items[c].id.clone()));
            }
        }
        self.annotated[i]
            .get_or_init(|| {
                Arc::new(
                    cycles
                        .into_iter()
                        .map(|c| {
                            let item = &library.items[c];
                            let cycle = item.cycle();
                            AnnotatedCycle {
                                id: item.id.clone(),
                                title: item.title.clone(),
                                href: item.href(),
                                started: cycle.and_then(|c| c.started),
                                ended: cycle.and_then(|c| c.ended),
                                decision: cycle.and_then(|c| c.decision),
                            }
                        })
                        .collect(),
                )
            })
            .clone()
    }

    fn measure_fields(&mut self, i: usize, m: &Measure, root: &str, fields: &mut tera::Map) {
        let library = self.library;
        let item = &library.items[i];
        let unit = m.unit.clone().unwrap_or_default();
        let percent = measure::shows_percent(m);
        let cycles = self.annotated_cycles(i);
        fields.insert(Key::Str("unit"), tv(&m.unit));
        fields.insert(Key::Str("definition"), tv(&m.definition));
        fields.insert(Key::Str("chart"), tv(&m.chart.as_str()));
        fields.insert(Key::Str("chart_label"), tv(&chart_label(m.chart)));
        fields.insert(Key::Str("improvement"), tv(&m.improvement.as_str()));
        fields.insert(Key::Str("target"), tv(&m.target));
        fields.insert(
            Key::Str("target_display"),
            tv(&m.target.map(|t| chart::format_number(t, percent))),
        );
        fields.insert(Key::Str("multiply"), tv(&m.multiply));
        fields.insert(Key::Str("percent"), tv(&percent));
        fields.insert(
            Key::Str("has_denominator"),
            tv(&m.data.as_ref().is_some_and(|d| d.has_denominator)),
        );
        fields.insert(
            Key::Str("csv_href"),
            tv(&format!("{}{}.csv", item.href(), item.id)),
        );
        fields.insert(
            Key::Str("data_json_href"),
            tv(&format!("{}data.json", item.href())),
        );
        // The page lists the annotated cycles with the numbers their chart markers carry.
        let markers: Vec<(String, usize)> = self.views[i]
            .as_ref()
            .map(|view| {
                view.annotations(&cycles, "")
                    .into_iter()
                    .map(|a| (a.href, a.number))
                    .collect()
            })
            .unwrap_or_default();
        let annotated: Vec<tera::Value> = cycles
            .iter()
            .map(|c| {
                let marker = markers
                    .iter()
                    .find(|(href, _)| *href == c.href)
                    .map(|(_, n)| *n);
                with_fields(self.card(library.by_id[&c.id]), [("marker", tv(&marker))])
            })
            .collect();
        fields.insert(Key::Str("cycles"), tera::Value::from(annotated));
        let backlinks = &library.backlinks[i];
        let of_kind = |kind: Kind| {
            self.cards(
                backlinks
                    .iter()
                    .copied()
                    .filter(|b| library.items[*b].kind == kind),
            )
        };
        fields.insert(Key::Str("notes"), tera::Value::from(of_kind(Kind::Note)));
        fields.insert(Key::Str("aims"), tera::Value::from(of_kind(Kind::Aim)));
        let below =
            crate::privacy::suppression::threshold(self.config.suppress_below, m.suppress_below);
        let view = self.views[i].as_ref().map(|view| view.published(below));
        match &view {
            Some(view) => {
                let page_fields = view.page_fields(
                    &format!("chart-{}", item.id),
                    &item.title,
                    &unit,
                    &cycles,
                    root,
                );
                fields.extend(
                    page_fields
                        .into_iter()
                        .map(|(key, value)| (Key::from(key), value)),
                );
                let data = view.data_json(&item.id, &item.title, m, &cycles);
                let mut text = serde_json::to_string_pretty(&data).expect("data.json serializes");
                text.push('\n');
                self.files.insert(
                    PathBuf::from(format!("{}data.json", item.href())),
                    Output::Bytes(Arc::new(text.into_bytes())),
                );
            }
            None => {
                for key in [
                    "chart_svg",
                    "mr_svg",
                    "latest",
                    "variation",
                    "assurance",
                    "suppression",
                ] {
                    fields.insert(Key::Str(key), tv(&()));
                }
                for key in ["reading", "points", "phases", "chart_notes"] {
                    fields.insert(Key::Str(key), tv(&Vec::<()>::new()));
                }
                fields.insert(Key::Str("legend"), tv(&json!({})));
                fields.insert(Key::Str("centre_name"), tv(&"median"));
                fields.insert(Key::Str("has_limits"), tv(&false));
                fields.insert(
                    Key::Str("profile"),
                    tv(&m.rules.unwrap_or(self.config.rules).as_str()),
                );
            }
        }
        // Under suppression the download is regenerated with withheld cells; otherwise it
        // is the source file.
        if let Some(data) = &m.data {
            let text = view
                .as_ref()
                .and_then(|view| view.published_csv(m))
                .unwrap_or_else(|| data.raw.clone());
            self.files.insert(
                PathBuf::from(format!("{}{}.csv", item.href(), item.id)),
                Output::Bytes(Arc::new(text.into_bytes())),
            );
        }
    }

    /// Measures in the order a reader should look at them: concerns first, then by title.
    fn measures_by_attention(&self) -> Vec<usize> {
        let library = self.library;
        let mut order: Vec<usize> = library.of_kind(Kind::Measure).map(|(i, _)| i).collect();
        order.sort_by_key(|i| {
            (
                self.views[*i].as_ref().map_or(6, |v| v.attention()),
                library.items[*i].title.to_lowercase(),
            )
        });
        order
    }

    /// A measure's card with its current state: latest value, icons, sparkline.
    fn measure_card(&self, i: usize) -> tera::Value {
        let item = &self.library.items[i];
        incremental::read(Dep::Item(item.id.clone()));
        let below = crate::privacy::suppression::threshold(
            self.config.suppress_below,
            item.measure().and_then(|m| m.suppress_below),
        );
        let summary = self.views[i]
            .as_ref()
            .map(|view| view.published(below).summary_fields())
            .unwrap_or_default();
        let summary_field = |key: &str| tv(&summary.get(key).cloned().unwrap_or(Value::Null));
        let card = self.card(i);
        let card = match item.measure() {
            Some(m) => with_fields(
                card,
                [
                    ("unit", tv(&m.unit)),
                    ("points", tv(&m.data.as_ref().map_or(0, |d| d.points.len()))),
                ],
            ),
            None => card,
        };
        with_fields(
            card,
            [
                ("latest", summary_field("latest")),
                ("variation", summary_field("variation")),
                ("assurance", summary_field("assurance")),
                ("sparkline", summary_field("sparkline")),
                (
                    "attention",
                    tv(&summary.get("attention").cloned().unwrap_or(json!(6))),
                ),
            ],
        )
    }

    fn sorted_by_date_desc(&self, kind: Kind) -> Vec<usize> {
        let library = self.library;
        let mut indices: Vec<usize> = library.of_kind(kind).map(|(i, _)| i).collect();
        let date = |i: usize| -> Option<Date> {
            match &library.items[i].details {
                Details::Cycle(c) => c.started,
                Details::Note(n) => n.date,
                _ => None,
            }
        };
        indices.sort_by(|a, b| {
            date(*b)
                .cmp(&date(*a))
                .then_with(|| library.items[*a].id.cmp(&library.items[*b].id))
        });
        indices
    }

    /// `/cycles/`, grouped by where each cycle is in PDSA.
    fn cycles_page(&mut self) {
        let library = self.library;
        incremental::read(Dep::Kind(Kind::Cycle));
        let cycles = self.sorted_by_date_desc(Kind::Cycle);
        let status_of = |i: usize| library.items[i].cycle().map(|c| c.status);
        let groups: Vec<tera::Value> = [
            (
                "In progress",
                vec![CycleStatus::Doing, CycleStatus::Studying],
            ),
            ("Planned", vec![CycleStatus::Planned]),
            ("Done", vec![CycleStatus::Done]),
            ("Abandoned", vec![CycleStatus::Abandoned]),
        ]
        .into_iter()
        .map(|(label, statuses)| {
            let members: Vec<usize> = cycles
                .iter()
                .copied()
                .filter(|i| status_of(*i).is_some_and(|s| statuses.contains(&s)))
                .collect();
            tmap([
                ("label", tv(label)),
                ("items", tera::Value::from(self.cards(members))),
            ])
        })
        .collect();
        let mut ctx = self.base_context("cycles/", "cycles", Kind::Cycle.plural_label());
        ctx.insert("items", &self.cards(cycles.iter().copied()));
        ctx.insert("groups", &groups);
        let card_value = |i: usize| {
            incremental::read(Dep::Card(library.items[i].id.clone()));
            serde_json::to_value(card_unrecorded(library, i)).expect("card serializes")
        };
        ctx.insert("timeline", &timeline::timeline(library, &card_value));
        ctx.insert("feed_href", CYCLES_FEED);
        self.render("cycles.html", &ctx, "cycles/index.html");

        // The feed: the cycles that started or ended most recently, by that date.
        let mut dated: Vec<(Date, usize)> = cycles
            .iter()
            .filter_map(|&i| {
                let c = library.items[i].cycle()?;
                Some((c.ended.or(c.started)?, i))
            })
            .collect();
        dated.sort_by(|(da, a), (db, b)| {
            db.cmp(da)
                .then_with(|| library.items[*a].id.cmp(&library.items[*b].id))
        });
        let entries: Vec<Value> = dated
            .into_iter()
            .take(FEED_ENTRIES)
            .map(|(date, i)| {
                let card = self.card_struct(i);
                let mut text = card.status_label.unwrap_or_default().to_string();
                if let Some(decision) = card.decision_label {
                    text.push_str(&format!(", decision: {decision}"));
                }
                if let Some(change) = &card.change {
                    text.push_str(&format!(". Change idea: {change}"));
                }
                text.push('.');
                if let Some(summary) = &card.summary {
                    text.push(' ');
                    text.push_str(summary);
                }
                self.feed_entry(card, date, text)
            })
            .collect();
        let subtitle = "PDSA cycles as they start and end, newest first.";
        let names = (Kind::Cycle.plural_label(), FEED_NAMES[1]);
        self.feed(CYCLES_FEED, "cycles/", names, subtitle, entries);
    }

    /// An Atom feed entry for an item's card, dated `date`.
    fn feed_entry(&self, card: Card, date: Date, text: String) -> Value {
        let (url, id) = match &self.config.base_url {
            Some(base) => (
                format!("{base}{}", card.href),
                format!("{base}{}", card.href),
            ),
            // Relative to the feed, which is one folder down from the root.
            None => (
                format!("../{}", card.href),
                format!("urn:cyclebook:{}:{}", card.kind, card.id),
            ),
        };
        let mut v = serde_json::to_value(card).expect("card serializes");
        v["url"] = json!(url);
        v["atom_id"] = json!(id);
        v["updated"] = json!(feed_time(date));
        v["text"] = json!(text);
        v
    }

    /// Writes the Atom feed at `href` (none for an internal site) of `name` ("lessons"),
    /// titled like the link to it in every page's head: `entries` from
    /// [`Site::feed_entry`], newest first, for the listing page at `listing`.
    fn feed(
        &mut self,
        href: &str,
        listing: &str,
        (title, name): (&str, &str),
        subtitle: &str,
        entries: Vec<Value>,
    ) {
        if self.config.visibility == Visibility::Internal {
            return;
        }
        let config = self.config;
        let updated = entries
            .first()
            .and_then(|e| e["updated"].as_str().map(str::to_string))
            // Atom needs a time even with no entries: the earliest, so it never looks new.
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
        let mut ctx = self.base_context(href, "feed", title);
        ctx.insert(
            "feed",
            &json!({
                "title": format!("{}: {name}", config.title),
                "subtitle": subtitle,
                "id": config.base_url.as_ref().map_or_else(|| format!("urn:cyclebook:feed:{href}"), |b| format!("{b}{href}")),
                "alternate": config.base_url.as_ref().map_or_else(|| format!("../{listing}"), |b| format!("{b}{listing}")),
                "updated": updated,
            }),
        );
        ctx.insert("entries", &entries);
        self.render("feed.xml", &ctx, href);
    }

    fn notes_page(&mut self) {
        let library = self.library;
        incremental::read(Dep::Kind(Kind::Note));
        let notes = self.sorted_by_date_desc(Kind::Note);
        let lessons: Vec<usize> = of_note_kind(library, &notes, NoteKind::Lesson).collect();
        // Each lesson with what it draws on: the cycles and measures it names, then
        // those it links to.
        let lesson_cards: Vec<tera::Value> = lessons
            .iter()
            .map(|&i| {
                let (cycles, measures) = self.sources(i);
                with_fields(
                    self.card(i),
                    [
                        ("cycles", tera::Value::from(self.cards(cycles))),
                        ("measures", tera::Value::from(self.cards(measures))),
                    ],
                )
            })
            .collect();
        let mut ctx = self.base_context("notes/", "notes", Kind::Note.plural_label());
        ctx.insert("items", &self.cards(notes.iter().copied()));
        ctx.insert("lessons", &lesson_cards);
        ctx.insert(
            "notes",
            &self.cards(of_note_kind(library, &notes, NoteKind::Note)),
        );
        ctx.insert("feed_href", LESSONS_FEED);
        self.render("notes.html", &ctx, "notes/index.html");

        // The feed: dated lessons, newest first (the order of `notes`).
        let entries: Vec<Value> = lessons
            .iter()
            .filter_map(|&i| Some((library.items[i].note()?.date?, i)))
            .take(FEED_ENTRIES)
            .map(|(date, i)| {
                let card = self.card_struct(i);
                let text = card.summary.clone().unwrap_or_default();
                self.feed_entry(card, date, text)
            })
            .collect();
        let subtitle = "What the teams learned: the conclusions worth carrying to the next team.";
        let names = ("Lessons", FEED_NAMES[0]);
        self.feed(LESSONS_FEED, "notes/", names, subtitle, entries);
    }

    /// The cycles and measures a note draws on: those its front matter names, in order,
    /// then those its body links to, in site order. Notes them as read.
    fn sources(&self, i: usize) -> (Vec<usize>, Vec<usize>) {
        let library = self.library;
        let item = &library.items[i];
        incremental::read(Dep::Sources(item.id.clone()));
        let Some(note) = item.note() else {
            return (Vec::new(), Vec::new());
        };
        let of_kind = |named: &[crate::content::frontmatter::Ref], kind: Kind| {
            let mut found: Vec<usize> = named
                .iter()
                .filter_map(|r| library.by_id.get(&r.id).copied())
                .filter(|t| library.items[*t].kind == kind)
                .collect();
            for &t in &library.outgoing[i] {
                if library.items[t].kind == kind && !found.contains(&t) {
                    found.push(t);
                }
            }
            found
        };
        (
            of_kind(&note.cycles, Kind::Cycle),
            of_kind(&note.measures, Kind::Measure),
        )
    }

    /// Small multiples, the measures that need attention first.
    fn measures_page(&mut self) {
        incremental::read(Dep::Kind(Kind::Measure));
        let by_attention = self.measures_by_attention();
        let measure_cards: Vec<tera::Value> =
            by_attention.iter().map(|i| self.measure_card(*i)).collect();
        let mut ctx = self.base_context("measures/", "measures", Kind::Measure.plural_label());
        ctx.insert("items", &measure_cards);
        self.render("measures.html", &ctx, "measures/index.html");
    }

    fn changes_page(&mut self) {
        let library = self.library;
        incremental::read(Dep::Kind(Kind::Change));
        let changes: Vec<tera::Value> = library
            .of_kind(Kind::Change)
            .map(|(i, item)| {
                // Its ramp.
                incremental::read(Dep::Item(item.id.clone()));
                let ramp = library.ramps.get(&i).cloned().unwrap_or_default();
                with_fields(
                    self.card(i),
                    [("cycles", tera::Value::from(self.cards(ramp)))],
                )
            })
            .collect();
        let mut ctx = self.base_context("changes/", "changes", Kind::Change.plural_label());
        ctx.insert("items", &changes);
        self.render("changes.html", &ctx, "changes/index.html");
    }

    fn aims_page(&mut self) {
        let library = self.library;
        incremental::read(Dep::Kind(Kind::Aim));
        let mut ctx = self.base_context("aims/", "aims", Kind::Aim.plural_label());
        ctx.insert(
            "items",
            &self.cards(library.of_kind(Kind::Aim).map(|(i, _)| i)),
        );
        self.render("aims.html", &ctx, "aims/index.html");
    }

    fn tags_page(&mut self) {
        let library = self.library;
        incremental::read(Dep::Tags);
        let tags: Vec<Value> = library
            .tags
            .values()
            .map(|t| json!({ "name": t.name, "slug": t.slug, "href": format!("tags/{}/", t.slug), "count": t.items.len() }))
            .collect();
        let mut ctx = self.base_context("tags/", "tags", "Tags");
        ctx.insert("tags", &tags);
        self.render("tags.html", &ctx, "tags/index.html");
    }

    fn tag_page(&mut self, slug: &str) {
        let library = self.library;
        incremental::read(Dep::Tag(slug.to_string()));
        if let Some(tag) = library.tags.get(slug) {
            let href = format!("tags/{}/", tag.slug);
            let mut ctx = self.base_context(&href, "tag", &format!("Tagged “{}”", tag.name));
            let groups: Vec<tera::Value> = Kind::ALL
                .iter()
                .filter_map(|kind| {
                    let members: Vec<usize> = tag
                        .items
                        .iter()
                        .copied()
                        .filter(|i| library.items[*i].kind == *kind)
                        .collect();
                    (!members.is_empty()).then(|| {
                        tmap([
                            ("label", tv(kind.plural_label())),
                            ("items", tera::Value::from(self.cards(members))),
                        ])
                    })
                })
                .collect();
            ctx.insert(
                "tag",
                &json!({ "name": tag.name, "slug": tag.slug, "count": tag.items.len() }),
            );
            ctx.insert("items", &self.cards(tag.items.iter().copied()));
            ctx.insert("groups", &groups);
            self.render("tag.html", &ctx, &format!("{href}index.html"));
        }
    }

    fn dashboard(&mut self) {
        let library = self.library;
        for kind in Kind::ALL {
            incremental::read(Dep::Kind(kind));
        }
        let cycles = self.sorted_by_date_desc(Kind::Cycle);
        let active: Vec<usize> = cycles
            .iter()
            .copied()
            .filter(|i| {
                library.items[*i]
                    .cycle()
                    .is_some_and(|c| c.status.is_active())
            })
            .collect();
        let notes = self.sorted_by_date_desc(Kind::Note);
        let lessons: Vec<usize> = of_note_kind(library, &notes, NoteKind::Lesson)
            .take(5)
            .collect();
        let recent_notes: Vec<usize> = notes.iter().copied().take(5).collect();
        let recent_decisions: Vec<usize> = {
            let mut done: Vec<usize> = library
                .of_kind(Kind::Cycle)
                .filter(|(_, item)| {
                    item.cycle()
                        .is_some_and(|c| c.decision.is_some() && c.ended.is_some())
                })
                .map(|(i, _)| i)
                .collect();
            done.sort_by(|a, b| {
                library.items[*b]
                    .cycle()
                    .and_then(|c| c.ended)
                    .cmp(&library.items[*a].cycle().and_then(|c| c.ended))
                    .then_with(|| library.items[*a].id.cmp(&library.items[*b].id))
            });
            done.into_iter().take(5).collect()
        };
        let by_attention = self.measures_by_attention();
        let measures: Vec<tera::Value> =
            by_attention.iter().map(|i| self.measure_card(*i)).collect();
        let mut ctx = self.base_context("", "index", &self.config.title);
        ctx.insert("active_cycles", &self.cards(active));
        ctx.insert("recent_lessons", &self.cards(lessons));
        ctx.insert("recent_notes", &self.cards(recent_notes));
        ctx.insert("recent_decisions", &self.cards(recent_decisions));
        ctx.insert("measures", &measures);
        ctx.insert(
            "aims",
            &self.cards(library.of_kind(Kind::Aim).map(|(i, _)| i)),
        );
        ctx.insert(
            "changes",
            &self.cards(library.of_kind(Kind::Change).map(|(i, _)| i)),
        );
        let count = |kind: Kind| library.of_kind(kind).count();
        ctx.insert(
            "counts",
            &json!({ "aims": count(Kind::Aim), "changes": count(Kind::Change), "cycles": count(Kind::Cycle), "measures": count(Kind::Measure), "notes": count(Kind::Note) }),
        );
        self.render("index.html", &ctx, "index.html");
    }

    /// `/search/` and the index its script reads (see `search.rs`).
    fn search_page(&mut self) {
        let index = super::search::Index::build(self.library, &mut self.search);
        let mut ctx = self.base_context("search/", "search", "Search");
        index.insert_context(&mut ctx);
        self.render("search.html", &ctx, "search/index.html");
        self.files.extend(index.files);
    }

    fn not_found(&mut self) {
        // Served at any depth, so its links start from the site's absolute path.
        let mut ctx = self.base_context("", "404", "Page not found");
        let base_path = self
            .config
            .base_url
            .as_deref()
            .and_then(|u| u.splitn(4, '/').nth(3))
            .map_or("/".to_string(), |p| format!("/{p}"));
        ctx.insert("root", &base_path);
        self.render("404.html", &ctx, "404.html");
    }

    /// Item `i`'s entry in `site.json`, one line of compact JSON, so the file can be
    /// assembled from entries kept between rebuilds.
    fn site_json_entry_of(&self, i: usize) -> Arc<str> {
        let library = self.library;
        let item = &library.items[i];
        let ids = |items: &[usize]| ids_of(library, items);
        let mut entry = SiteJsonEntry {
            authors: None,
            backlinks: ids(&library.backlinks[i]),
            created: None,
            csv: None,
            front_matter: &item.front_matter,
            id: &item.id,
            kind: item.kind.as_str(),
            links: ids(&library.outgoing[i]),
            next: None,
            path: display_path(item.path()),
            points: None,
            previous: None,
            ramp: None,
            summary: item.summary.as_deref(),
            tags: &item.tags,
            title: &item.title,
            updated: None,
            url: format!("/{}", item.href()),
        };
        if let Some(history) = self.history {
            let file = history.files_together(&source_paths(item));
            let date = |c: Option<&Commit>| c.map(|c| c.date().to_string());
            entry.created = Some(date(file.as_ref().and_then(|f| f.created)));
            entry.updated = Some(date(file.as_ref().and_then(|f| f.updated)));
            entry.authors = Some(file.map_or_else(Vec::new, |f| {
                f.authors
                    .into_iter()
                    .map(|(name, commits)| AuthorEntry { commits, name })
                    .collect()
            }));
        }
        if item.kind == Kind::Cycle {
            let (prev, next) = library.neighbours.get(&i).copied().unwrap_or((None, None));
            entry.previous = Some(prev.map(|p| library.items[p].id.as_str()));
            entry.next = Some(next.map(|n| library.items[n].id.as_str()));
        }
        if item.kind == Kind::Change {
            entry.ramp = Some(library.ramps.get(&i).map_or_else(Vec::new, |r| ids(r)));
        }
        if let Some(m) = item.measure() {
            entry.csv = Some(format!("/{}{}.csv", item.href(), item.id));
            entry.points = Some(m.data.as_ref().map_or(0, |d| d.points.len()));
        }
        compact(&entry).into()
    }

    /// `site.json`: the entries of every item, in library order, then `ending` (the
    /// drivers and tags, from [`Site::site_json_ending`]). Compact, one item per line:
    /// a tenth of a 100,000-item site's output was pretty-printing's spaces, and a line
    /// per item still diffs and greps well. The entries are the parts kept anyway, so
    /// the file is written from them, not assembled.
    fn site_json(&self, entries: &[Arc<str>], ending: Arc<str>) -> Output {
        let site = json!({ "title": self.config.title, "description": self.config.description, "base_url": self.config.base_url, "generator": GENERATOR });
        let mut head = String::from("{\"site\":");
        head.push_str(&compact(&site));
        head.push_str(",\n\"items\":");
        head.push_str(if entries.is_empty() { "[]" } else { "[\n" });
        let between: Arc<str> = Arc::from(",\n");
        let mut parts = Vec::with_capacity(entries.len() * 2 + 3);
        parts.push(Arc::from(head));
        for (n, entry) in entries.iter().enumerate() {
            if n > 0 {
                parts.push(between.clone());
            }
            parts.push(entry.clone());
        }
        if !entries.is_empty() {
            parts.push(Arc::from("\n]"));
        }
        parts.push(ending);
        Output::Parts(Arc::new(parts))
    }

    /// The end of `site.json`: drivers and tags.
    fn site_json_ending(&self) -> String {
        let library = self.library;
        let ids = |items: &[usize]| ids_of(library, items);
        let mut ending = String::from(",\n\"drivers\":");
        ending.push_str(&array_by_line(library.drivers.values().map(|d| {
            DriverEntry {
                aim: &library.items[d.aim].id,
                changes: library
                    .changes_by_driver
                    .get(&d.id)
                    .map_or_else(Vec::new, |c| ids(c)),
                id: &d.id,
                level: if d.primary { "primary" } else { "secondary" },
                primaries: &d.parents,
                title: &d.title,
            }
        })));
        ending.push_str(",\n\"tags\":");
        ending.push_str(&array_by_line(library.tags.values().map(|t| TagEntry {
            items: ids(&t.items),
            name: &t.name,
            url: format!("/tags/{}/", t.slug),
        })));
        ending.push_str("}\n");
        ending
    }
}

/// Renders every page of the site into memory, reusing from `cache` the pages whose
/// inputs did not change. Template problems come back as diagnostics naming the
/// template file and line. With a `sink`, the pages go there as they are made, are
/// neither returned nor cached, and what each read is not recorded: a one-off build.
pub fn render_site(
    library: &Library,
    config: &Config,
    overrides: &BTreeMap<String, SourceFile>,
    static_files: &[(PathBuf, PathBuf)],
    history: Option<&History>,
    cache: &mut RenderCache,
    sink: Option<&Sink>,
) -> Result<SiteFiles, Vec<Diagnostic>> {
    let tera = super::templates(overrides)?;
    let sources = template_sources(overrides);
    cache.begin(incremental::global_fingerprint(
        config,
        &sources,
        static_files,
        history,
    ));
    let views = cache.views(library, config.rules);
    let mut site = Site {
        library,
        config,
        tera: &tera,
        sources,
        files: SiteFiles::new(),
        diagnostics: Vec::new(),
        history,
        views,
        site_json_entry: None,
        search: match sink {
            Some(_) => super::search::Cache::one_off(),
            None => std::mem::take(&mut cache.search),
        },
        cards: Arc::new((0..library.items.len()).map(|_| OnceLock::new()).collect()),
        card_html: !overrides.contains_key(CARD_TEMPLATE),
        site_value: Default::default(),
        chrome: Default::default(),
        annotated: Arc::new((0..library.items.len()).map(|_| OnceLock::new()).collect()),
        commit_values: Arc::new(
            (0..history.map_or(0, |h| h.commits.len()))
                .map(|_| OnceLock::new())
                .collect(),
        ),
    };
    let card_fingerprint = |i: usize| card_fingerprint(library, i);
    let now = Fingerprints::new(library, history, &card_fingerprint);
    cache.answer_all(&now);
    let mut units: Vec<Unit> = library
        .items
        .iter()
        .map(|item| Unit::Item(item.id.clone()))
        .collect();
    units.extend([
        Unit::Cycles,
        Unit::Notes,
        Unit::Measures,
        Unit::Changes,
        Unit::Aims,
        Unit::Tags,
    ]);
    units.extend(library.tags.keys().map(|slug| Unit::Tag(slug.clone())));
    units.extend([Unit::Dashboard, Unit::Recent, Unit::NotFound, Unit::Search]);
    // Which units must be rendered again (in unit order), then those on all cores, each
    // thread with a `Site` of its own; their results are stored in unit order, so the
    // output does not depend on the number of threads.
    let stale: Vec<usize> = (0..units.len())
        .filter(|&u| cache.reuse(&units[u], &now).is_none())
        .collect();
    struct Done {
        files: Vec<(PathBuf, Output)>,
        site_json: Option<Arc<str>>,
        reads: std::collections::HashSet<Dep>,
        diagnostics: Vec<Diagnostic>,
    }
    // Paths of the files that went to the sink.
    let generated = std::sync::Mutex::new(std::collections::HashSet::new());
    let render_one = |site: &mut Site, unit: &Unit| -> Done {
        let reads = match sink {
            None => incremental::recording(|| site.render_unit(unit)),
            Some(_) => {
                site.render_unit(unit);
                Default::default()
            }
        };
        let mut files: Vec<(PathBuf, Output)> =
            std::mem::take(&mut site.files).into_iter().collect();
        if let Some(sink) = sink {
            for (path, output) in &files {
                sink(path, output);
            }
            let mut generated = generated.lock().expect("no panic while held");
            generated.extend(files.drain(..).map(|(path, _)| path));
        }
        Done {
            files,
            site_json: site.site_json_entry.take(),
            reads,
            diagnostics: std::mem::take(&mut site.diagnostics),
        }
    };
    // The search index keeps a cache in `site` and runs on all cores itself: it is
    // rendered beside the other units (its assembly is serial), not after them.
    let (mut parallel, serial): (Vec<usize>, Vec<usize>) =
        stale.into_iter().partition(|&u| units[u] != Unit::Search);
    // The listings, a few large pages, first: started last, one of them kept a core
    // busy after the other had run out of pages.
    parallel.sort_by_key(|&u| matches!(units[u], Unit::Item(_)));
    let (sources, views, cards, site_value, annotated, chrome, commit_values) = (
        site.sources.clone(),
        site.views.clone(),
        site.cards.clone(),
        site.site_value.clone(),
        site.annotated.clone(),
        site.chrome.clone(),
        site.commit_values.clone(),
    );
    let card_html = site.card_html;
    let fork = || Site {
        library,
        config,
        tera: &tera,
        sources: sources.clone(),
        files: SiteFiles::new(),
        diagnostics: Vec::new(),
        history,
        views: views.clone(),
        site_json_entry: None,
        search: Default::default(),
        cards: cards.clone(),
        card_html,
        site_value: site_value.clone(),
        annotated: annotated.clone(),
        commit_values: commit_values.clone(),
        chrome: chrome.clone(),
    };
    let (mut done, serial_done): (BTreeMap<usize, Done>, Vec<(usize, Done)>) = rayon::join(
        || {
            use rayon::prelude::*;
            parallel
                .par_iter()
                .map_init(fork, |forked, &u| (u, render_one(forked, &units[u])))
                .collect()
        },
        || {
            serial
                .iter()
                .map(|&u| (u, render_one(&mut site, &units[u])))
                .collect()
        },
    );
    done.extend(serial_done);
    let mut entries = Vec::with_capacity(library.items.len());
    for (u, unit) in units.iter().enumerate() {
        let site_json = match done.remove(&u) {
            Some(rendered) if sink.is_some() => {
                site.diagnostics.extend(rendered.diagnostics);
                rendered.site_json
            }
            Some(rendered) => {
                let site_json = cache.store(
                    unit.clone(),
                    rendered.files,
                    rendered.site_json,
                    rendered.reads,
                    &now,
                    &rendered.diagnostics,
                );
                site.diagnostics.extend(rendered.diagnostics);
                site_json
            }
            None => cache.stored_site_json(unit),
        };
        entries.extend(site_json);
    }
    cache.retain(&units.into_iter().collect());
    if sink.is_none() {
        cache.search = std::mem::take(&mut site.search);
    }
    site.files = match sink {
        None => cache.files().clone(),
        Some(_) => SiteFiles::new(),
    };
    let generated = generated.into_inner().expect("no panic while held");
    // `check` finds static files in the way from the planned list: it must be exact.
    debug_assert!({
        let planned = planned_paths(library, config, history.is_some());
        generated
            .iter()
            .chain(site.files.keys())
            .all(|p| p.starts_with("search") || planned.contains(p))
    });
    // The end of `site.json` shows the drivers and tags: made again when what the pages
    // showing them read of them changed.
    let mut shown = vec![Dep::Tags];
    shown.extend(library.tags.keys().map(|slug| Dep::Tag(slug.clone())));
    shown.extend(library.drivers.keys().map(|id| Dep::Driver(id.clone())));
    let ending = cache.site_wide("site.json", now.of_all(&shown), || site.site_json_ending());
    let site_json = site.site_json(&entries, ending);
    site.files.insert(PathBuf::from("site.json"), site_json);
    site.sitemap(&generated, cache);
    for (name, text) in super::assets() {
        site.files.insert(
            Path::new("assets").join(name),
            Output::Bytes(Arc::new(text.as_bytes().to_vec())),
        );
    }
    let collisions = if static_files.is_empty() {
        Vec::new()
    } else {
        static_collisions(library, config, static_files, history.is_some())
    };
    for (out, from) in static_files {
        if !collisions.iter().any(|(path, _)| path == out) {
            site.files.insert(out.clone(), Output::Copy(from.clone()));
        }
    }
    site.diagnostics
        .extend(collisions.into_iter().map(|(_, diagnostic)| diagnostic));
    if site.diagnostics.is_empty() {
        Ok(site.files)
    } else {
        // One broken template fails every page that uses it: report each place once.
        let mut seen = std::collections::BTreeSet::new();
        site.diagnostics.retain(|d| {
            seen.insert((
                d.file.clone(),
                d.line,
                d.column,
                d.message
                    .split(" while rendering")
                    .next()
                    .unwrap_or("")
                    .to_string(),
            ))
        });
        Err(site.diagnostics)
    }
}

/// Every file rendering writes, besides the theme's assets and the search index (which
/// has the `search/` folder to itself), worked out from the library without rendering:
/// `check` compares static files with it.
pub fn planned_paths(
    library: &Library,
    config: &Config,
    has_history: bool,
) -> std::collections::HashSet<PathBuf> {
    let public = config.visibility == Visibility::Public;
    let mut paths: Vec<String> = Vec::with_capacity(library.items.len() + 32);
    for item in &library.items {
        let href = item.href();
        paths.push(format!("{href}index.html"));
        if let Some(m) = item.measure() {
            if m.data.is_some() {
                paths.push(format!("{href}data.json"));
                paths.push(format!("{href}{}.csv", item.id));
            }
        }
    }
    for listing in [
        "cycles", "notes", "measures", "changes", "aims", "tags", "search",
    ] {
        paths.push(format!("{listing}/index.html"));
    }
    paths.extend(
        library
            .tags
            .keys()
            .map(|slug| format!("tags/{slug}/index.html")),
    );
    paths.extend(["index.html", "404.html", "site.json"].map(String::from));
    if public {
        paths.extend([CYCLES_FEED, LESSONS_FEED].map(String::from));
        if config.base_url.is_some() {
            paths.push("sitemap.xml".into());
        }
    }
    if has_history {
        paths.push("recent/index.html".into());
        if public {
            paths.push(RECENT_FEED.into());
        }
    }
    paths.into_iter().map(PathBuf::from).collect()
}

/// Static files that would replace a generated page or data file (the theme's assets
/// may be replaced; the search index's folder is cyclebook's own), with their errors.
pub fn static_collisions(
    library: &Library,
    config: &Config,
    static_files: &[(PathBuf, PathBuf)],
    has_history: bool,
) -> Vec<(PathBuf, Diagnostic)> {
    let planned = planned_paths(library, config, has_history);
    static_files
        .iter()
        .filter(|(out, _)| planned.contains(out) || out.starts_with("search"))
        .map(|(out, _)| {
            let diagnostic = Diagnostic::error(
                "E0402",
                format!(
                    "static file would replace the generated {}",
                    display_path(out)
                ),
            )
            .in_file(&Path::new("static").join(out))
            .hint(if out.starts_with("search") {
                "rename or move the file: the search/ folder holds cyclebook's search index"
            } else {
                "rename or move the file: cyclebook writes this path itself"
            });
            (out.clone(), diagnostic)
        })
        .collect()
}

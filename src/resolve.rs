//! Resolve: ids, links and backlinks, ramps (cycle order under a change idea), driver
//! diagrams and tags, filled once into a [`Library`] that rendering only reads.

use crate::content::frontmatter::Ref;
use crate::content::items::{CycleStatus, Details, Item, Kind};
use crate::content::slugify;
use crate::diagnostics::{did_you_mean, display_path, Diagnostic};
use crate::hash::FastMap;
use crate::render::markdown::{scan_body, BodyLink, LinkTarget};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Where a body link leads, as a path relative to the site root.
#[derive(Debug, Clone)]
pub struct Destination {
    pub href: String,
    /// The target's title, for the link's text and tooltip (empty for files).
    pub title: String,
}

/// What a body link leads to (see [`Library::link_end`]).
#[derive(Debug, Clone, Copy)]
pub enum LinkEnd<'a> {
    Item(usize),
    Driver(&'a DriverInfo),
    /// A published file, by its output path.
    File(&'a str),
}

/// Where a driver sits in its aim's diagram.
#[derive(Debug, Clone)]
pub struct DriverInfo {
    pub id: String,
    pub title: String,
    pub aim: usize,
    pub primary: bool,
    /// For a secondary driver: the primaries it serves.
    pub parents: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    pub items: Vec<usize>,
}

#[derive(Debug, Default, Clone)]
pub struct Library {
    /// Sorted by kind, then id: the order of every listing that has no better one.
    pub items: Vec<Arc<Item>>,
    pub by_id: FastMap<String, usize>,
    by_path: FastMap<PathBuf, usize>,
    /// Files a body may link to (site-relative source path → output path).
    published_files: HashMap<PathBuf, String>,
    /// Items each item links to (front matter and body), sorted, without repeats.
    pub outgoing: Vec<Vec<usize>>,
    pub backlinks: Vec<Vec<usize>>,
    /// Per change idea: its cycles in ramp order.
    pub ramps: HashMap<usize, Vec<usize>>,
    /// Per cycle: (previous, next) in its ramp.
    pub neighbours: HashMap<usize, (Option<usize>, Option<usize>)>,
    pub drivers: BTreeMap<String, DriverInfo>,
    /// Change ideas by the driver they serve.
    pub changes_by_driver: BTreeMap<String, Vec<usize>>,
    /// By tag slug.
    pub tags: BTreeMap<String, Tag>,
    /// Per measure: the cycles that name it, in start-date order.
    measure_cycles: HashMap<usize, Vec<usize>>,
    /// The bodies parsed for their links, as plain text for the search index.
    pub body_texts: BodyTexts,
}

/// By item: the plain text of its body, kept from the parse that found its links
/// until the search index takes it, with the revision of the file it was read from.
/// (Parsing each body once less was a twentieth of a build.) An item whose body was
/// not parsed has none, and the index parses it itself.
#[derive(Debug, Default, Clone)]
pub struct BodyTexts(Arc<Vec<Mutex<Option<KeptText>>>>);

/// A body's text and the revision of the file it was read from.
type KeptText = (u64, String);

impl BodyTexts {
    /// Item `i`'s body text, if kept and still that of `revision`; no longer kept after.
    pub fn take(&self, i: usize, revision: u64) -> Option<String> {
        let slot = self.0.get(i)?;
        let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match slot.take() {
            Some((kept, text)) if kept == revision => Some(text),
            _ => None,
        }
    }

    /// Keeps item `i`'s body text, replacing what was kept.
    fn keep(&self, i: usize, revision: u64, text: String) {
        if let Some(slot) = self.0.get(i) {
            *slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((revision, text));
        }
    }
}

impl Library {
    pub fn get(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|i| &*self.items[*i])
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (usize, &Item)> {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, item)| item.kind == kind)
            .map(|(i, item)| (i, &**item))
    }

    /// What a body link leads to, without working out its address: `None` if nothing,
    /// else the item (a driver's aim) or, for a published file, its output path.
    pub fn link_end(&self, target: &LinkTarget) -> Option<LinkEnd<'_>> {
        match target {
            LinkTarget::Wiki { id, .. } => match self.by_id.get(id) {
                Some(&i) => Some(LinkEnd::Item(i)),
                None => self.drivers.get(id).map(LinkEnd::Driver),
            },
            LinkTarget::File { path, .. } => self.by_path.get(path).map(|&i| LinkEnd::Item(i)),
            LinkTarget::Asset { path, .. } => self
                .published_files
                .get(path)
                .map(|href| LinkEnd::File(href)),
            LinkTarget::Chart(block) => self
                .by_id
                .get(&block.measure)
                .filter(|&&i| self.items[i].kind == Kind::Measure)
                .map(|&i| LinkEnd::Item(i)),
            LinkTarget::OutsideSite { .. } | LinkTarget::BadChart { .. } => None,
        }
    }

    /// Where a body link goes: an item's page, a driver's place in its aim's diagram,
    /// or a published file (a `static/` file, a measure's CSV).
    pub fn link_destination(&self, target: &LinkTarget) -> Option<Destination> {
        let (href, title) = match self.link_end(target)? {
            LinkEnd::Item(i) => (self.items[i].href(), self.items[i].title.clone()),
            LinkEnd::Driver(d) => (
                format!("{}#driver-{}", self.items[d.aim].href(), d.id),
                d.title.clone(),
            ),
            LinkEnd::File(href) => (href.to_string(), String::new()),
        };
        let fragment = match target {
            LinkTarget::Wiki { fragment, .. }
            | LinkTarget::File { fragment, .. }
            | LinkTarget::Asset { fragment, .. } => fragment.as_deref(),
            _ => None,
        };
        Some(Destination {
            href: match fragment {
                Some(f) => format!("{href}#{f}"),
                None => href,
            },
            title,
        })
    }

    /// Cycles that name a measure, in start-date order: the chart's annotations.
    pub fn cycles_for_measure(&self, measure: usize) -> Vec<usize> {
        self.measure_cycles
            .get(&measure)
            .cloned()
            .unwrap_or_default()
    }
}

/// What a front-matter reference may point at.
#[derive(Clone, Copy)]
enum Expect {
    Kind(Kind),
    Driver,
}

impl Expect {
    fn describe(self) -> &'static str {
        match self {
            Expect::Kind(Kind::Cycle) => "cycle",
            Expect::Kind(Kind::Measure) => "measure",
            Expect::Kind(Kind::Change) => "change idea",
            Expect::Kind(Kind::Note) => "note",
            Expect::Kind(Kind::Aim) => "aim",
            Expect::Driver => "driver",
        }
    }
}

struct Resolver<'a> {
    library: &'a mut Library,
    diagnostics: Vec<Diagnostic>,
    links: BTreeSet<(usize, usize)>,
    /// Each item's body links, by item index.
    scanned: Vec<Arc<Vec<BodyLink>>>,
}

/// The links found in each body, by file and [`SourceFile::revision`]: a body is only
/// parsed again when its file was read again.
///
/// [`SourceFile::revision`]: crate::content::source::SourceFile::revision
#[derive(Debug, Default)]
pub struct LinkCache {
    /// By the revision of the file the body was read from.
    bodies: HashMap<u64, Arc<Vec<BodyLink>>>,
    /// The last resolve, which a resolve of nearly the same items patches.
    last: Option<Last>,
    /// Whether the last resolve patched the one before (rather than resolving anew).
    pub last_patched: bool,
    /// Whether to keep the bodies' text for the search index ([`Library::body_texts`]):
    /// not when nothing will be rendered.
    pub keep_body_texts: bool,
}

#[derive(Debug)]
struct Last {
    /// The items given, in the order given.
    items: Vec<Arc<Item>>,
    static_files: Vec<PathBuf>,
    library: Arc<Library>,
    diagnostics: Vec<Diagnostic>,
}

/// Resolves `items`; `static_files` are the site's `static/` files as output paths.
pub fn resolve(items: Vec<Arc<Item>>, static_files: &[PathBuf]) -> (Library, Vec<Diagnostic>) {
    let (library, diagnostics) = resolve_cached(items, static_files, &mut LinkCache::default());
    (Arc::unwrap_or_clone(library), diagnostics)
}

/// [`resolve`], taking unchanged bodies' links from `cache` and refreshing it. When the
/// items are those of the last resolve but for edits that leave every relation as it
/// was (see [`patch`]), the last library is patched instead: the same result, without
/// resolving the whole site again.
pub fn resolve_cached(
    items: Vec<Arc<Item>>,
    static_files: &[PathBuf],
    cache: &mut LinkCache,
) -> (Arc<Library>, Vec<Diagnostic>) {
    cache.last_patched = false;
    if let Some(mut last) = cache.last.take() {
        let keep_texts = cache.keep_body_texts;
        if patch(
            &mut last,
            &items,
            static_files,
            &mut cache.bodies,
            keep_texts,
        ) {
            cache.last_patched = true;
            let result = (last.library.clone(), last.diagnostics.clone());
            cache.last = Some(last);
            return result;
        }
    }
    let given = items.clone();
    let (library, diagnostics) = resolve_anew(items, static_files, cache);
    let library = Arc::new(library);
    cache.last = Some(Last {
        items: given,
        static_files: static_files.to_vec(),
        library: library.clone(),
        diagnostics: diagnostics.clone(),
    });
    (library, diagnostics)
}

/// The links of an item's body, and its plain text if `with_text`.
fn scan(item: &Item, with_text: bool) -> (Vec<BodyLink>, Option<String>) {
    scan_body(item.body(), item.body_line, item.path(), with_text)
}

/// Brings `last` up to date with `items` if they differ from its items only in files
/// read again whose edits keep everything resolving reads of them: the id, kind and
/// path, tags, front-matter references, the targets of body links, and a cycle's
/// status, decision and dates. Only notes, cycles and change ideas qualify (an aim
/// declares drivers; a measure's data are checked against other bodies' charts), and
/// only while no diagnostic of the last resolve concerns their file, so that the
/// diagnostics stay exactly those of a full resolve. Returns false, changing nothing,
/// when it cannot.
fn patch(
    last: &mut Last,
    items: &[Arc<Item>],
    static_files: &[PathBuf],
    bodies: &mut HashMap<u64, Arc<Vec<BodyLink>>>,
    keep_texts: bool,
) -> bool {
    if last.items.len() != items.len() || last.static_files != static_files {
        return false;
    }
    // (position given, position in the library, new body links)
    let mut edits = Vec::new();
    for (k, (old, new)) in last.items.iter().zip(items).enumerate() {
        if Arc::ptr_eq(old, new) {
            continue;
        }
        let Some(&i) = last.library.by_path.get(old.path()) else {
            return false; // a duplicate id, left out of the library
        };
        let concerned = |d: &Diagnostic| {
            d.file.as_deref() == Some(old.path()) || d.related.iter().any(|r| r.file == old.path())
        };
        if old.path() != new.path()
            || !Arc::ptr_eq(&last.library.items[i], old)
            || !same_relations(old, new)
            || last.diagnostics.iter().any(concerned)
        {
            return false;
        }
        let Some(old_links) = bodies.get(&old.source.revision) else {
            return false;
        };
        let (links, text) = scan(new, keep_texts);
        if !old_links
            .iter()
            .map(|l| &l.target)
            .eq(links.iter().map(|l| &l.target))
        {
            return false;
        }
        edits.push((k, i, links, text));
    }
    if !edits.is_empty() {
        let library = Arc::make_mut(&mut last.library);
        for (k, i, links, text) in edits {
            if let Some(text) = text {
                library.body_texts.keep(i, items[k].source.revision, text);
            }
            bodies.remove(&last.items[k].source.revision);
            bodies.insert(items[k].source.revision, Arc::new(links));
            library.items[i] = items[k].clone();
            last.items[k] = items[k].clone();
        }
    }
    true
}

/// Whether resolving reads the same of `b` as of `a` (see [`patch`]).
fn same_relations(a: &Item, b: &Item) -> bool {
    let ids = |refs: &[Ref]| refs.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    let id = |r: &Option<Ref>| r.as_ref().map(|r| r.id.clone());
    a.id == b.id
        && a.kind == b.kind
        && a.tags == b.tags
        && match (&a.details, &b.details) {
            (Details::Note(x), Details::Note(y)) => {
                ids(&x.cycles) == ids(&y.cycles) && ids(&x.measures) == ids(&y.measures)
            }
            (Details::Cycle(x), Details::Cycle(y)) => {
                id(&x.change) == id(&y.change)
                    && id(&x.follows) == id(&y.follows)
                    && ids(&x.measures) == ids(&y.measures)
                    && (x.status, x.decision, x.started, x.ended)
                        == (y.status, y.decision, y.started, y.ended)
                    && a.front_matter.get("status").is_some()
                        == b.front_matter.get("status").is_some()
            }
            (Details::Change(x), Details::Change(y)) => ids(&x.drivers) == ids(&y.drivers),
            _ => false,
        }
}

/// Resolves `items` from scratch (but for the body links in `cache`).
fn resolve_anew(
    mut items: Vec<Arc<Item>>,
    static_files: &[PathBuf],
    cache: &mut LinkCache,
) -> (Library, Vec<Diagnostic>) {
    items.sort_by(|a, b| (a.kind, &a.id, a.path()).cmp(&(b.kind, &b.id, b.path())));
    let mut library = Library::default();
    let mut diagnostics = Vec::new();

    // Ids: the first of a duplicated id (in path order) keeps it. Only items sharing an
    // id are put in path order (comparing paths is slow, and duplicates are rare).
    let mut sharing: HashMap<&str, Vec<usize>> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        sharing.entry(item.id.as_str()).or_default().push(i);
    }
    let mut shared: Vec<usize> = sharing
        .into_values()
        .filter(|group| group.len() > 1)
        .flatten()
        .collect();
    shared.sort_by(|a, b| items[*a].path().cmp(items[*b].path()));
    let mut first_by_id: HashMap<String, usize> = HashMap::new();
    let mut duplicates = BTreeSet::new();
    for i in shared {
        let item = &items[i];
        if let Some(&first) = first_by_id.get(&item.id) {
            let other = &items[first];
            diagnostics.push(
                item.source
                    .error(
                        "E0201",
                        format!(
                            "duplicate id `{}`: ids must be unique across the site",
                            item.id
                        ),
                        crate::diagnostics::Pos::new(1, 1, 3),
                    )
                    .label(format!(
                        "this {} has the id `{}`",
                        item.kind.as_str(),
                        item.id
                    ))
                    .related(
                        other.path(),
                        crate::diagnostics::Pos::new(1, 1, 3),
                        format!(
                            "first used by the {} at {}",
                            other.kind.as_str(),
                            display_path(other.path())
                        ),
                    )
                    .hint("rename one of the files: the file name is the id"),
            );
            duplicates.insert(i);
        } else {
            first_by_id.insert(item.id.clone(), i);
        }
    }
    library.items = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !duplicates.contains(i))
        .map(|(_, item)| item)
        .collect();
    for (i, item) in library.items.iter().enumerate() {
        library.by_id.insert(item.id.clone(), i);
        library.by_path.insert(item.path().to_path_buf(), i);
        if let Some(m) = item.measure() {
            library.published_files.insert(
                m.csv_path.clone(),
                format!("{}{}.csv", item.href(), item.id),
            );
        }
    }
    for file in static_files {
        library
            .published_files
            .insert(PathBuf::from("static").join(file), display_path(file));
    }

    collect_drivers(&mut library, &mut diagnostics);

    // Bodies read again are parsed for links on all cores; the rest come from the cache.
    let (scanned, texts): (Vec<Arc<Vec<BodyLink>>>, Vec<_>) = {
        use rayon::prelude::*;
        let (bodies, keep_texts) = (&cache.bodies, cache.keep_body_texts);
        library
            .items
            .par_iter()
            .map(|item| match bodies.get(&item.source.revision) {
                Some(links) => (links.clone(), Mutex::new(None)),
                None => {
                    let (links, text) = scan(item, keep_texts);
                    let text = text.map(|text| (item.source.revision, text));
                    (Arc::new(links), Mutex::new(text))
                }
            })
            .unzip()
    };
    library.body_texts = BodyTexts(Arc::new(texts));
    cache.bodies = library
        .items
        .iter()
        .zip(&scanned)
        .map(|(item, links)| (item.source.revision, links.clone()))
        .collect();
    let mut resolver = Resolver {
        library: &mut library,
        diagnostics,
        links: BTreeSet::new(),
        scanned,
    };
    resolver.references();
    resolver.body_links();
    let Resolver {
        diagnostics: mut diags,
        links,
        ..
    } = resolver;

    let n = library.items.len();
    library.outgoing = vec![Vec::new(); n];
    library.backlinks = vec![Vec::new(); n];
    for (from, to) in links {
        if from != to {
            library.outgoing[from].push(to);
            library.backlinks[to].push(from);
        }
    }
    check_cycles(&library, &mut diags);
    build_ramps(&mut library, &mut diags);
    collect_tags(&mut library);
    collect_measure_cycles(&mut library);
    (library, diags)
}

fn collect_drivers(library: &mut Library, diagnostics: &mut Vec<Diagnostic>) {
    for (aim_index, item) in library.items.iter().enumerate() {
        let Some(aim) = item.aim() else { continue };
        for primary in &aim.drivers {
            let d = &primary.driver;
            if let Some(existing) = library.drivers.get(&d.id) {
                let where_ = &library.items[existing.aim];
                diagnostics.push(
                    item.source
                        .error("E0201", format!("duplicate driver id `{}`", d.id), d.pos)
                        .label("used again here")
                        .related(
                            where_.path(),
                            crate::diagnostics::Pos::new(1, 1, 3),
                            format!("first used in aim `{}`", where_.id),
                        )
                        .hint("each primary driver needs its own id"),
                );
                continue;
            }
            if library.by_id.contains_key(&d.id) {
                diagnostics.push(
                    item.source
                        .error(
                            "E0201",
                            format!("driver id `{}` is also the id of an item", d.id),
                            d.pos,
                        )
                        .hint("rename the driver so that `[[id]]` links are not ambiguous"),
                );
            }
            library.drivers.insert(
                d.id.clone(),
                DriverInfo {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    aim: aim_index,
                    primary: true,
                    parents: Vec::new(),
                },
            );
        }
        for primary in &aim.drivers {
            for s in &primary.secondary {
                match library.drivers.get_mut(&s.id) {
                    Some(info) if !info.primary && info.aim == aim_index => {
                        // A secondary driver may serve several primaries.
                        if info.title != s.title {
                            diagnostics.push(
                                item.source
                                    .warning("W0201", format!("secondary driver `{}` has two titles", s.id), s.pos)
                                    .hint(format!("it is titled \"{}\" elsewhere in this aim; give both the same title", info.title)),
                            );
                        }
                        info.parents.push(primary.driver.id.clone());
                    }
                    Some(_) => diagnostics.push(
                        item.source
                            .error("E0201", format!("duplicate driver id `{}`", s.id), s.pos)
                            .hint("a secondary driver may appear under several primaries of one aim, but ids cannot repeat otherwise"),
                    ),
                    None => {
                        if library.by_id.contains_key(&s.id) {
                            diagnostics.push(
                                item.source
                                    .error("E0201", format!("driver id `{}` is also the id of an item", s.id), s.pos)
                                    .hint("rename the driver so that `[[id]]` links are not ambiguous"),
                            );
                        }
                        library.drivers.insert(
                            s.id.clone(),
                            DriverInfo { id: s.id.clone(), title: s.title.clone(), aim: aim_index, primary: false, parents: vec![primary.driver.id.clone()] },
                        );
                    }
                }
            }
        }
    }
}

impl Resolver<'_> {
    /// Resolves one front-matter reference, reporting unknown ids and wrong kinds.
    fn reference(&mut self, from: usize, key: &str, r: &Ref, expect: Expect) -> Option<usize> {
        let library = &*self.library;
        let item = &library.items[from];
        if let Expect::Driver = expect {
            if let Some(driver) = library.drivers.get(&r.id) {
                return Some(driver.aim);
            }
            let hint = match did_you_mean(&r.id, library.drivers.keys().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None if library.drivers.is_empty() => {
                    "drivers are declared in an aim's `drivers:` list (aims/*.md)".into()
                }
                None => format!(
                    "known drivers: {}",
                    library
                        .drivers
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.diagnostics.push(
                item.source
                    .error(
                        "E0202",
                        format!("`{key}` names unknown driver `{}`", r.id),
                        r.pos,
                    )
                    .label("no driver has this id")
                    .hint(hint),
            );
            return None;
        }
        let Expect::Kind(kind) = expect else {
            unreachable!()
        };
        match library.by_id.get(&r.id) {
            Some(&target) if library.items[target].kind == kind => Some(target),
            Some(&target) => {
                let other = &library.items[target];
                self.diagnostics.push(
                    item.source
                        .error(
                            "E0203",
                            format!(
                                "`{key}` must name a {}, but `{}` is a {}",
                                expect.describe(),
                                r.id,
                                other.kind.as_str()
                            ),
                            r.pos,
                        )
                        .label(format!("expected a {}", expect.describe()))
                        .related(
                            other.path(),
                            crate::diagnostics::Pos::new(1, 1, 3),
                            format!("`{}` is defined here", r.id),
                        ),
                );
                None
            }
            None => {
                let candidates = library.of_kind(kind).map(|(_, i)| i.id.as_str());
                let hint = match did_you_mean(&r.id, candidates) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("create {}/{}.md, or correct the id", kind.folder(), r.id),
                };
                let (code, message) = if key == "change" && item.kind == Kind::Cycle {
                    (
                        "E0204",
                        format!("this cycle's change idea `{}` does not exist", r.id),
                    )
                } else {
                    (
                        "E0202",
                        format!("`{key}` names unknown {} `{}`", expect.describe(), r.id),
                    )
                };
                self.diagnostics.push(
                    item.source
                        .error(code, message, r.pos)
                        .label(format!("no {} has this id", expect.describe()))
                        .hint(hint),
                );
                None
            }
        }
    }

    fn references(&mut self) {
        for i in 0..self.library.items.len() {
            let mut refs: Vec<(&'static str, Ref, Expect)> = Vec::new();
            match &self.library.items[i].details {
                Details::Cycle(c) => {
                    refs.extend(
                        c.change
                            .iter()
                            .map(|r| ("change", r.clone(), Expect::Kind(Kind::Change))),
                    );
                    refs.extend(
                        c.follows
                            .iter()
                            .map(|r| ("follows", r.clone(), Expect::Kind(Kind::Cycle))),
                    );
                    refs.extend(
                        c.measures
                            .iter()
                            .map(|r| ("measures", r.clone(), Expect::Kind(Kind::Measure))),
                    );
                }
                Details::Note(n) => {
                    refs.extend(
                        n.cycles
                            .iter()
                            .map(|r| ("cycles", r.clone(), Expect::Kind(Kind::Cycle))),
                    );
                    refs.extend(
                        n.measures
                            .iter()
                            .map(|r| ("measures", r.clone(), Expect::Kind(Kind::Measure))),
                    );
                }
                Details::Change(c) => {
                    refs.extend(
                        c.drivers
                            .iter()
                            .map(|r| ("drivers", r.clone(), Expect::Driver)),
                    );
                }
                Details::Aim(a) => {
                    refs.extend(
                        a.measure
                            .iter()
                            .map(|r| ("measure", r.clone(), Expect::Kind(Kind::Measure))),
                    );
                }
                Details::Measure(_) => {}
            }
            for (key, r, expect) in refs {
                if let Some(target) = self.reference(i, key, &r, expect) {
                    self.links.insert((i, target));
                    if let Expect::Driver = expect {
                        self.library
                            .changes_by_driver
                            .entry(r.id.clone())
                            .or_default()
                            .push(i);
                    }
                }
            }
        }
        for changes in self.library.changes_by_driver.values_mut() {
            changes.dedup();
        }
    }

    fn body_links(&mut self) {
        for i in 0..self.library.items.len() {
            let scanned = self.scanned[i].clone();
            for link in scanned.iter() {
                if let Some(end) = self.library.link_end(&link.target) {
                    match end {
                        LinkEnd::Item(target) => {
                            self.links.insert((i, target));
                        }
                        LinkEnd::Driver(d) => {
                            self.links.insert((i, d.aim));
                        }
                        LinkEnd::File(_) => {}
                    }
                    if let LinkTarget::Chart(block) = &link.target {
                        self.check_chart_window(i, block, link.pos);
                    }
                    continue;
                }
                let item = &self.library.items[i];
                let (message, hint) = match &link.target {
                    LinkTarget::Wiki { id, .. } => {
                        let ids = self.library.by_id.keys().chain(self.library.drivers.keys()).map(String::as_str);
                        let hint = match did_you_mean(id, ids) {
                            Some(close) => format!("did you mean `[[{close}]]`?"),
                            None => "wiki links name an item by its id: the file name without `.md`".into(),
                        };
                        (format!("link to unknown id `{id}`"), hint)
                    }
                    LinkTarget::File { path, .. } => (
                        format!("link to {} which is not a page of this site", display_path(path)),
                        "link to a cycle, note, measure, change idea or aim file by its path relative to this file, or use `[[id]]`".into(),
                    ),
                    LinkTarget::Asset { path, .. } => (
                        format!("link to {}, which is not published with the site", display_path(path)),
                        "put files that pages link to (images, PDFs) in `static/`, and link to them relative to this file, e.g. `../static/plan.pdf`".into(),
                    ),
                    LinkTarget::Chart(block) => {
                        let measures = self.library.of_kind(Kind::Measure).map(|(_, i)| i.id.as_str());
                        let hint = match did_you_mean(&block.measure, measures) {
                            Some(close) => format!("did you mean `measure: {close}`?"),
                            None => "a chart block names a measure by its id: the file name in measures/ without `.md`".into(),
                        };
                        (format!("chart block names unknown measure `{}`", block.measure), hint)
                    }
                    LinkTarget::BadChart { message, hint } => (message.clone(), hint.clone()),
                    LinkTarget::OutsideSite { written } => (
                        format!("link `{written}` leads outside the site"),
                        "only files inside the site can be linked".into(),
                    ),
                };
                let label = match link.target {
                    LinkTarget::Chart(_) | LinkTarget::BadChart { .. } => "chart block",
                    _ => "broken link",
                };
                self.diagnostics.push(
                    item.source
                        .error("E0202", message, link.pos)
                        .label(label)
                        .hint(hint),
                );
            }
        }
    }

    /// A chart block whose `from`/`to` window holds no data would show only as code.
    fn check_chart_window(
        &mut self,
        from_item: usize,
        block: &crate::render::markdown::ChartBlock,
        pos: crate::diagnostics::Pos,
    ) {
        let Some(measure) = self.library.get(&block.measure).and_then(|m| m.measure()) else {
            return;
        };
        let Some(data) = &measure.data else { return };
        let inside = |d: &crate::date::Date| {
            block.from.is_none_or(|f| *d >= f) && block.to.is_none_or(|t| *d <= t)
        };
        if data.points.iter().any(|p| inside(&p.date)) || data.points.is_empty() {
            return;
        }
        let first = data.points.iter().map(|p| p.date).min().expect("points");
        let last = data.points.iter().map(|p| p.date).max().expect("points");
        let item = &self.library.items[from_item];
        self.diagnostics.push(
            item.source
                .warning(
                    "W0204",
                    format!(
                        "chart block shows no data: `{}` has data from {first} to {last} only",
                        block.measure
                    ),
                    pos,
                )
                .label("chart block")
                .hint(
                    "widen `from`/`to` to overlap the data, or remove them to chart every period",
                ),
        );
    }
}

/// Checks that need only the cycle itself.
fn check_cycles(library: &Library, diagnostics: &mut Vec<Diagnostic>) {
    for (_, item) in library.of_kind(Kind::Cycle) {
        let Some(c) = item.cycle() else { continue };
        let line_of = |key: &str| find_key_line(&item.source.text, key);
        if c.status == CycleStatus::Done && c.decision.is_none() {
            let pos = line_of("status").unwrap_or(crate::diagnostics::Pos::new(1, 1, 3));
            diagnostics.push(
                item.source
                    .error("E0205", "a done cycle needs a `decision`", pos)
                    .label("status is done")
                    .hint("add `decision: adopt`, `decision: adapt` or `decision: abandon`: the Act step of the cycle"),
            );
        }
        if let (Some(started), Some(ended)) = (c.started, c.ended) {
            if ended < started {
                let pos = line_of("ended").unwrap_or(crate::diagnostics::Pos::new(1, 1, 3));
                diagnostics.push(
                    item.source
                        .error(
                            "E0206",
                            format!("the cycle ended ({ended}) before it started ({started})"),
                            pos,
                        )
                        .label("ended before started")
                        .hint("check the two dates; they are YYYY-MM-DD"),
                );
            }
        }
        let status_written = item.front_matter.get("status").is_some();
        if status_written
            && c.decision.is_some()
            && matches!(c.status, CycleStatus::Planned | CycleStatus::Doing)
        {
            let pos = line_of("decision").unwrap_or(crate::diagnostics::Pos::new(1, 1, 3));
            diagnostics.push(
                item.source
                    .warning(
                        "W0202",
                        format!(
                            "a decision is recorded but the cycle is still `{}`",
                            c.status.as_str()
                        ),
                        pos,
                    )
                    .hint("set `status: done` once the team has decided, or remove the decision"),
            );
        }
    }
}

/// Line of a top-level front-matter key, as a place for diagnostics.
fn find_key_line(text: &str, key: &str) -> Option<crate::diagnostics::Pos> {
    text.lines()
        .enumerate()
        .skip(1)
        .take_while(|(_, line)| line.trim_end() != "---")
        .find_map(|(i, line)| {
            let rest = line.strip_prefix(key)?;
            rest.trim_start()
                .starts_with(':')
                .then(|| crate::diagnostics::Pos::new(i + 1, 1, key.len()))
        })
}

fn build_ramps(library: &mut Library, diagnostics: &mut Vec<Diagnostic>) {
    let cycles: Vec<usize> = library.of_kind(Kind::Cycle).map(|(i, _)| i).collect();
    // `follows` pointers that resolved to a cycle.
    let mut follows: HashMap<usize, usize> = HashMap::new();
    for &i in &cycles {
        let Some(f) = library.items[i].cycle().and_then(|c| c.follows.clone()) else {
            continue;
        };
        if let Some(&target) = library.by_id.get(&f.id) {
            if library.items[target].kind == Kind::Cycle && target != i {
                follows.insert(i, target);
            } else if target == i {
                diagnostics.push(
                    library.items[i]
                        .source
                        .error("E0207", "a cycle cannot follow itself", f.pos)
                        .hint("name the cycle this one came after, or remove `follows`"),
                );
            }
        }
    }
    // Loops: walk each chain; a revisit of the current walk is a loop.
    let mut in_loop: BTreeSet<usize> = BTreeSet::new();
    let mut done: BTreeSet<usize> = BTreeSet::new();
    for &start in &cycles {
        let mut path = Vec::new();
        // Where each cycle of the walk is in `path`: a long chain stays linear.
        let mut on_path: HashMap<usize, usize> = HashMap::new();
        let mut current = Some(start);
        while let Some(c) = current {
            if done.contains(&c) {
                break;
            }
            if let Some(&pos) = on_path.get(&c) {
                let members: Vec<usize> = path[pos..].to_vec();
                let first = *members
                    .iter()
                    .min_by_key(|m| &library.items[**m].id)
                    .expect("loop has members");
                let order: Vec<usize> = {
                    let at = members.iter().position(|m| *m == first).expect("member");
                    members[at..]
                        .iter()
                        .chain(members[..at].iter())
                        .copied()
                        .collect()
                };
                let mut chain: Vec<String> =
                    order.iter().map(|m| library.items[*m].id.clone()).collect();
                chain.push(library.items[first].id.clone());
                let item = &library.items[first];
                let pos = item
                    .cycle()
                    .and_then(|c| c.follows.as_ref())
                    .map(|f| f.pos)
                    .unwrap_or_default();
                let mut d = item
                    .source
                    .error(
                        "E0207",
                        format!("`follows` forms a loop: {}", chain.join(" → ")),
                        pos,
                    )
                    .label("this cycle's predecessor leads back to it")
                    .hint("a ramp runs one way: remove `follows` from the cycle that came first");
                for m in &order[1..] {
                    let other = &library.items[*m];
                    let p = other
                        .cycle()
                        .and_then(|c| c.follows.as_ref())
                        .map(|f| f.pos)
                        .unwrap_or_default();
                    d = d.related(
                        other.path(),
                        p,
                        format!("`{}` follows `{}`", other.id, library.items[follows[m]].id),
                    );
                }
                diagnostics.push(d);
                in_loop.extend(members);
                break;
            }
            on_path.insert(c, path.len());
            path.push(c);
            current = follows.get(&c).copied();
        }
        done.extend(path);
    }
    for m in &in_loop {
        follows.remove(m);
    }

    // Ramps: per change idea, roots in start-date order, each followed by its followers.
    let mut by_change: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &i in &cycles {
        let Some(change) = library.items[i].cycle().and_then(|c| c.change.as_ref()) else {
            continue;
        };
        if let Some(&ci) = library.by_id.get(&change.id) {
            if library.items[ci].kind == Kind::Change {
                by_change.entry(ci).or_default().push(i);
            }
        }
    }
    let date_key = |library: &Library, i: usize| {
        let c = library.items[i].cycle();
        (
            c.and_then(|c| c.started).is_none(),
            c.and_then(|c| c.started),
        )
    };
    for (change, mut members) in by_change {
        members.sort_by(|a, b| {
            (date_key(library, *a), &library.items[*a].id)
                .cmp(&(date_key(library, *b), &library.items[*b].id))
        });
        let member_set: BTreeSet<usize> = members.iter().copied().collect();
        for &m in &members {
            if let Some(&prev) = follows.get(&m) {
                if !member_set.contains(&prev) {
                    let item = &library.items[m];
                    let pos = item
                        .cycle()
                        .and_then(|c| c.follows.as_ref())
                        .map(|f| f.pos)
                        .unwrap_or_default();
                    diagnostics.push(
                        item.source
                            .warning("W0203", format!("`follows` names `{}`, a cycle of another change idea", library.items[prev].id), pos)
                            .hint("a ramp is the cycles of one change idea; this cycle is placed by its start date"),
                    );
                }
            }
        }
        // Each root in date order, then depth first its followers (in date order):
        // with a list of followers per cycle and a stack, linear in the ramp's length
        // however long a chain of `follows` is.
        let mut followers: HashMap<usize, Vec<usize>> = HashMap::new();
        for &m in &members {
            if let Some(&prev) = follows.get(&m) {
                followers.entry(prev).or_default().push(m);
            }
        }
        let mut order = Vec::with_capacity(members.len());
        let mut placed = BTreeSet::new();
        for &m in &members {
            let root = follows.get(&m).is_none_or(|p| !member_set.contains(p));
            if !root {
                continue;
            }
            let mut stack = vec![m];
            while let Some(i) = stack.pop() {
                if !placed.insert(i) {
                    continue;
                }
                order.push(i);
                if let Some(next) = followers.get(&i) {
                    stack.extend(next.iter().rev());
                }
            }
        }
        for (n, &c) in order.iter().enumerate() {
            let prev = n.checked_sub(1).map(|p| order[p]);
            let next = order.get(n + 1).copied();
            library.neighbours.insert(c, (prev, next));
        }
        library.ramps.insert(change, order);
    }
}

fn collect_measure_cycles(library: &mut Library) {
    let mut by_measure: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, item) in library.items.iter().enumerate() {
        let Some(cycle) = item.cycle() else { continue };
        let mut named: Vec<usize> = cycle
            .measures
            .iter()
            .filter_map(|m| library.by_id.get(&m.id).copied())
            .filter(|m| library.items[*m].kind == Kind::Measure)
            .collect();
        named.sort_unstable();
        named.dedup();
        for m in named {
            by_measure.entry(m).or_default().push(i);
        }
    }
    for cycles in by_measure.values_mut() {
        cycles.sort_by(|a, b| {
            let started = |i: usize| library.items[i].cycle().and_then(|c| c.started);
            (started(*a), &library.items[*a].id).cmp(&(started(*b), &library.items[*b].id))
        });
    }
    library.measure_cycles = by_measure;
}

fn collect_tags(library: &mut Library) {
    // Items by spelling first (most tags recur on many items), then one slug and one
    // map entry per spelling. The first spelling met names the tag.
    let mut spellings: FastMap<&str, (usize, Vec<usize>)> = FastMap::default();
    for (i, item) in library.items.iter().enumerate() {
        for tag in &item.tags {
            let first_seen = spellings.len();
            spellings
                .entry(tag.as_str())
                .or_insert_with(|| (first_seen, Vec::new()))
                .1
                .push(i);
        }
    }
    let mut spellings: Vec<(&str, (usize, Vec<usize>))> = spellings.into_iter().collect();
    spellings.sort_unstable_by_key(|(_, (first, _))| *first);
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for (spelling, (_, items)) in spellings {
        let slug = slugify(spelling);
        let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
            name: spelling.to_string(),
            slug,
            items: Vec::new(),
        });
        tag.items.extend(items);
    }
    for tag in tags.values_mut() {
        // Two spellings of one tag on one item count once, in item order.
        tag.items.sort_unstable();
        tag.items.dedup();
    }
    library.tags = tags;
}

/// Measures tested by a cycle in progress whose data have not changed for more than
/// `days` before the site's newest commit: the team may be studying an old chart.
pub fn stale_measures(
    library: &Library,
    history: &crate::git::History,
    days: usize,
) -> Vec<Diagnostic> {
    let Some(latest) = history.latest_date() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (i, item) in library.of_kind(Kind::Measure) {
        let Some(measure) = item.measure() else {
            continue;
        };
        let active: Vec<&Item> = library
            .cycles_for_measure(i)
            .into_iter()
            .map(|c| &*library.items[c])
            .filter(|c| c.cycle().is_some_and(|c| c.status.is_active()))
            .collect();
        let Some(cycle) = active.first() else {
            continue;
        };
        let Some(data) = history.file(&measure.csv_path) else {
            continue;
        };
        let Some(updated) = data.updated.map(|c| c.date()) else {
            continue;
        };
        let age = latest.to_days() - updated.to_days();
        if age > days as i64 {
            found.push(
                Diagnostic::warning(
                    "W0503",
                    format!(
                        "stale data: `{}` was last updated on {updated}, {age} days before the latest commit, while cycle `{}` is in progress",
                        item.id, cycle.id
                    ),
                )
                .in_file(&measure.csv_path)
                .hint(format!("add the latest periods to {} so the team studies current data (warned after {days} days; set `stale_data_days` in cyclebook.yml)", display_path(&measure.csv_path))),
            );
        }
    }
    found
}

/// A note without a `date` is dated by its first commit: front matter wins, git fills
/// the rest. (Cycles' dates are about the work, so git never fills them.)
pub fn date_undated_notes(library: &mut Arc<Library>, history: &crate::git::History) {
    let undated = |item: &Item| {
        matches!(&item.details, crate::content::items::Details::Note(n) if n.date.is_none())
            && history.file(item.path()).and_then(|f| f.created).is_some()
    };
    if !library.items.iter().any(|item| undated(item)) {
        return; // The library may be shared with the cache: copied only when needed.
    }
    for item in &mut Arc::make_mut(library).items {
        let undated =
            matches!(&item.details, crate::content::items::Details::Note(n) if n.date.is_none());
        let created = history.file(item.path()).and_then(|f| f.created);
        if let (true, Some(created)) = (undated, created) {
            // Copied only here: other items stay shared with the cache.
            if let crate::content::items::Details::Note(note) = &mut Arc::make_mut(item).details {
                note.date = Some(created.date());
            }
        }
    }
}

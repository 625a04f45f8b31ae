//! What lets a rebuild render only the pages whose inputs changed.
//!
//! Each unit of output (an item's page, a listing, a tag page, …) records what it read
//! while it rendered: the cards of the items it shows, the items it is about, where its
//! links lead. A later rebuild re-evaluates those reads against the new site and reuses
//! the unit's files when every one gives the same answer. Site-wide inputs (settings,
//! templates, static files, the git history's head) are one fingerprint that, when it
//! changes, drops the whole cache. The same code renders a clean build (with an empty
//! cache), so an incremental rebuild cannot drift from one: output is a function of
//! what was read, and all of it was recorded.

use super::Output;
use crate::content::items::{Details, Kind};
use crate::diagnostics::Diagnostic;
use crate::git::History;
use crate::render::markdown::LinkTarget;
use crate::render::measure::MeasureView;
use crate::resolve::Library;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One thing a unit read, named so that it can be asked again of a newer site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Dep {
    /// What a listing shows of an item (or that there is no such item).
    Card(String),
    /// An item's own files, its relations (links, backlinks, ramp, annotations) and
    /// history: everything its page and its `site.json` entry show of it.
    Item(String),
    /// Where a body link leads.
    Link(LinkTarget),
    /// Which items have this kind, in order, with their cards.
    Kind(Kind),
    /// The tag list with counts.
    Tags,
    /// One tag's items.
    Tag(String),
    /// A driver: its place in an aim's diagram and the change ideas serving it.
    Driver(String),
}

thread_local! {
    static READS: RefCell<Option<HashSet<Dep>>> = const { RefCell::new(None) };
}

/// Notes that the unit being rendered read `dep` (nothing happens outside a unit).
pub(super) fn read(dep: Dep) {
    READS.with(|reads| {
        if let Some(reads) = reads.borrow_mut().as_mut() {
            reads.insert(dep);
        }
    });
}

/// Runs `render`, returning what it read.
pub(super) fn recording(render: impl FnOnce()) -> HashSet<Dep> {
    READS.with(|reads| *reads.borrow_mut() = Some(HashSet::new()));
    render();
    READS.with(|reads| reads.borrow_mut().take().unwrap_or_default())
}

/// A unit of output: the files of one page (and what comes with it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Unit {
    Item(String),
    Cycles,
    Notes,
    Measures,
    Changes,
    Aims,
    Tags,
    Tag(String),
    Dashboard,
    Recent,
    NotFound,
}

#[derive(Debug, Clone)]
pub(super) struct Rendered {
    pub files: Vec<(PathBuf, Output)>,
    /// An item's entry in `site.json`, pretty-printed at its depth there.
    pub site_json: Option<Arc<str>>,
    reads: Vec<(Dep, u64)>,
}

/// Measure analyses and rendered units from earlier builds of the same site.
#[derive(Default)]
pub struct RenderCache {
    global: Option<u64>,
    units: HashMap<Unit, Rendered>,
    views: HashMap<
        String,
        (
            u64,
            crate::content::items::RuleProfile,
            Option<Arc<MeasureView>>,
        ),
    >,
    /// Units rendered by the last build (the rest were reused).
    pub last_rendered: usize,
    /// Units the last build had in all.
    pub last_units: usize,
}

impl std::fmt::Debug for RenderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderCache")
            .field("units", &self.units.len())
            .field("last_rendered", &self.last_rendered)
            .finish()
    }
}

impl RenderCache {
    /// Starts a build: a change to the site-wide inputs invalidates everything.
    pub(super) fn begin(&mut self, global: u64) {
        if self.global != Some(global) {
            self.units.clear();
            self.global = Some(global);
        }
        self.last_rendered = 0;
        self.last_units = 0;
    }

    /// The unit's earlier output, if everything it read still reads the same.
    pub(super) fn reuse(&mut self, unit: &Unit, now: &Fingerprints) -> Option<Rendered> {
        self.last_units += 1;
        let earlier = self.units.get(unit)?;
        earlier
            .reads
            .iter()
            .all(|(dep, fp)| now.of(dep) == *fp)
            .then(|| earlier.clone())
    }

    pub(super) fn store(
        &mut self,
        unit: Unit,
        files: Vec<(PathBuf, Output)>,
        site_json: Option<Arc<str>>,
        reads: HashSet<Dep>,
        now: &Fingerprints,
        diagnostics: &[Diagnostic],
    ) -> Rendered {
        self.last_rendered += 1;
        let reads = reads
            .into_iter()
            .map(|dep| {
                let fp = now.of(&dep);
                (dep, fp)
            })
            .collect();
        let rendered = Rendered {
            files,
            site_json,
            reads,
        };
        // A unit that failed is rendered again next time, to report its errors again.
        if diagnostics.is_empty() {
            self.units.insert(unit, rendered.clone());
        } else {
            self.units.remove(&unit);
        }
        rendered
    }

    /// Drops units that no longer exist (a deleted item, an unused tag).
    pub(super) fn retain(&mut self, live: &HashSet<Unit>) {
        self.units.retain(|unit, _| live.contains(unit));
    }

    /// Each measure's analysis, computed again only for measures whose files were read
    /// again or whose rule profile changed.
    pub(super) fn views(
        &mut self,
        library: &Library,
        site_rules: crate::content::items::RuleProfile,
    ) -> Vec<Option<Arc<MeasureView>>> {
        let mut fresh = HashMap::new();
        let views = library
            .items
            .iter()
            .map(|item| {
                let m = item.measure()?;
                let revision = item.source.revision;
                let view = match self.views.get(&item.id) {
                    Some((r, rules, view)) if *r == revision && *rules == site_rules => {
                        view.clone()
                    }
                    _ => super::measure::analyse(m, site_rules).map(Arc::new),
                };
                fresh.insert(item.id.clone(), (revision, site_rules, view.clone()));
                view
            })
            .collect();
        self.views = fresh;
        views
    }
}

fn hash_of(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The answers to [`Dep`]s in the site being built, each worked out once.
pub(super) struct Fingerprints<'a> {
    library: &'a Library,
    history: Option<&'a History>,
    card: &'a dyn Fn(usize) -> u64,
    memo: RefCell<HashMap<Dep, u64>>,
}

/// The ids and kinds of items by index: how relations are compared across rebuilds.
type IdsOf<'a> = dyn Fn(&[usize]) -> Vec<(&'a str, Kind)> + 'a;

/// What [`Dep::Card`] and [`Dep::Item`] give for an id that is not in the site.
const ABSENT: u64 = 0x5eed_0fab_5e17;

impl<'a> Fingerprints<'a> {
    pub(super) fn new(
        library: &'a Library,
        history: Option<&'a History>,
        card: &'a dyn Fn(usize) -> u64,
    ) -> Self {
        Fingerprints {
            library,
            history,
            card,
            memo: RefCell::new(HashMap::new()),
        }
    }

    pub(super) fn of(&self, dep: &Dep) -> u64 {
        if let Some(fp) = self.memo.borrow().get(dep) {
            return *fp;
        }
        let fp = self.compute(dep);
        self.memo.borrow_mut().insert(dep.clone(), fp);
        fp
    }

    fn compute(&self, dep: &Dep) -> u64 {
        let library = self.library;
        let ids = |indices: &[usize]| -> Vec<(&str, Kind)> {
            indices
                .iter()
                .map(|i| (library.items[*i].id.as_str(), library.items[*i].kind))
                .collect()
        };
        match dep {
            Dep::Card(id) => library.by_id.get(id).map_or(ABSENT, |&i| (self.card)(i)),
            Dep::Item(id) => library
                .by_id
                .get(id)
                .map_or(ABSENT, |&i| self.item(i, &ids)),
            Dep::Link(target) => hash_of(
                library
                    .link_destination(target)
                    .map(|d| (d.href, d.title, d.item.map(|i| &library.items[i].id))),
            ),
            Dep::Kind(kind) => {
                let mut h = DefaultHasher::new();
                for (i, item) in library.of_kind(*kind) {
                    (&item.id, item.path(), (self.card)(i)).hash(&mut h);
                }
                h.finish()
            }
            Dep::Tags => hash_of(
                library
                    .tags
                    .values()
                    .map(|t| (&t.name, &t.slug, t.items.len()))
                    .collect::<Vec<_>>(),
            ),
            Dep::Tag(slug) => hash_of(library.tags.get(slug).map(|t| (&t.name, ids(&t.items)))),
            Dep::Driver(id) => hash_of((
                library
                    .drivers
                    .get(id)
                    .map(|d| (&d.title, d.primary, &d.parents, &library.items[d.aim].id)),
                library.changes_by_driver.get(id).map(|c| ids(c)),
            )),
        }
    }

    fn item(&self, i: usize, ids: &IdsOf<'a>) -> u64 {
        let library = self.library;
        let item = &library.items[i];
        let mut h = DefaultHasher::new();
        // The revision changes whenever the file (or a measure's CSV) is read again.
        (item.kind, &item.id, item.path(), item.source.revision).hash(&mut h);
        ids(&library.outgoing[i]).hash(&mut h);
        ids(&library.backlinks[i]).hash(&mut h);
        match &item.details {
            Details::Cycle(c) => {
                let (prev, next) = library.neighbours.get(&i).copied().unwrap_or((None, None));
                ids(&prev.into_iter().chain(next).collect::<Vec<_>>()).hash(&mut h);
                let change = c.change.as_ref().and_then(|r| library.by_id.get(&r.id));
                change
                    .and_then(|ci| library.ramps.get(ci))
                    .map(|r| ids(r))
                    .hash(&mut h);
            }
            Details::Change(_) => library.ramps.get(&i).map(|r| ids(r)).hash(&mut h),
            Details::Measure(_) => ids(&library.cycles_for_measure(i)).hash(&mut h),
            // A note's date may come from git.
            Details::Note(n) => n.date.hash(&mut h),
            Details::Aim(_) => {}
        }
        if let Some(history) = self.history {
            let mut paths: Vec<&Path> = vec![item.path()];
            if let Some(m) = item.measure() {
                paths.push(&m.csv_path);
            }
            for path in paths {
                history
                    .files
                    .get(path)
                    .map(|commits| {
                        commits
                            .iter()
                            .map(|c| &history.commits[*c].id)
                            .collect::<Vec<_>>()
                    })
                    .hash(&mut h);
            }
        }
        h.finish()
    }
}

/// The site-wide inputs: when any changes, every unit is rendered again.
pub(super) fn global_fingerprint(
    config: &crate::config::Config,
    templates: &std::collections::BTreeMap<String, (PathBuf, String)>,
    static_files: &[(PathBuf, PathBuf)],
    history: Option<&History>,
) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{config:?}").hash(&mut h);
    templates.hash(&mut h);
    static_files.hash(&mut h);
    history
        .map(|history| {
            (
                history.commits.len(),
                history.commits.first().map(|c| &c.id),
                history.shallow,
                &history.boundary,
            )
        })
        .hash(&mut h);
    super::pages::GENERATOR.hash(&mut h);
    h.finish()
}

/// A card's fingerprint.
pub(super) fn card_fingerprint(card: &impl Hash) -> u64 {
    hash_of(card)
}

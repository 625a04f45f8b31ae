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

use super::{Output, SiteFiles};
use crate::content::items::{Details, Kind};
use crate::diagnostics::Diagnostic;
use crate::git::History;
use crate::hash::{FastHasher as DefaultHasher, FastMap};
use crate::render::markdown::LinkTarget;
use crate::render::measure::MeasureView;
use crate::resolve::{Library, LinkEnd};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
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
    /// What a note draws on: the cycles and measures it names, the items it links to.
    Sources(String),
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

/// Whether the unit being rendered on this thread is recording what it reads: a caller
/// with many reads to note can skip making them when not.
pub(super) fn is_recording() -> bool {
    READS.with(|reads| reads.borrow().is_some())
}

/// Runs `render`, returning what it read. Nests: a unit that waits on parallel work
/// (the search index) may meanwhile run another unit's render on its thread, which
/// must neither take nor end the outer unit's record. (It did: the outer record was
/// then lost, and `serve` could keep a stale search index after an edit.)
pub(super) fn recording(render: impl FnOnce()) -> HashSet<Dep> {
    let outer = READS.with(|reads| reads.replace(Some(HashSet::new())));
    render();
    READS.with(|reads| reads.replace(outer)).unwrap_or_default()
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
    /// `/search/` and its index: reads every item.
    Search,
}

#[derive(Debug, Clone)]
pub(super) struct Rendered {
    /// Its files, as also in [`RenderCache::files`].
    files: Vec<(PathBuf, Output)>,
    /// An item's entry in `site.json`, pretty-printed at its depth there.
    pub site_json: Option<Arc<str>>,
}

struct Stored {
    rendered: Rendered,
    /// What it read (by [`Deps`] index) and what that gave; `None` when it failed,
    /// so that it is rendered again (and reports its errors again).
    reads: Option<Vec<(u32, u64)>>,
}

/// Every [`Dep`] any unit read, numbered once, with its answer in the current build.
#[derive(Default)]
struct Deps {
    all: Vec<Dep>,
    index: FastMap<Dep, u32>,
    /// By index: the answer in the build under way, once asked.
    now: Vec<Option<u64>>,
}

impl Deps {
    fn intern(&mut self, dep: Dep) -> u32 {
        if let Some(&i) = self.index.get(&dep) {
            return i;
        }
        let i = self.all.len() as u32;
        self.all.push(dep.clone());
        self.index.insert(dep, i);
        self.now.push(None);
        i
    }

    fn now(&mut self, i: u32, fingerprints: &Fingerprints) -> u64 {
        let i = i as usize;
        *self.now[i].get_or_insert_with(|| fingerprints.of(&self.all[i]))
    }
}

/// Measure analyses and rendered units from earlier builds of the same site.
#[derive(Default)]
pub struct RenderCache {
    global: Option<u64>,
    units: FastMap<Unit, Stored>,
    deps: Deps,
    /// Every unit's files, as the last build left them.
    files: SiteFiles,
    /// What the search index keeps between builds: the words met and the last index.
    pub(super) search: super::search::Cache,
    views: HashMap<
        String,
        (
            u64,
            crate::content::items::RuleProfile,
            Option<Arc<MeasureView>>,
        ),
    >,
    /// Site-wide texts (the sitemap, the end of `site.json`) by name, with a fingerprint
    /// of everything they were made from.
    site_wide: FastMap<&'static str, (u64, Arc<str>)>,
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
            self.files.clear();
            self.site_wide.clear();
            self.deps = Deps::default();
            self.global = Some(global);
        }
        // A dep no unit reads any more is dropped when the cache is cleared; until
        // then it costs one slot.
        self.deps.now.iter_mut().for_each(|fp| *fp = None);
        self.last_rendered = 0;
        self.last_units = 0;
    }

    /// Works out the current answer of every dep read before, on all cores: a rebuild
    /// asks nearly all of them (10,000 items: ~50,000 deps).
    pub(super) fn answer_all(&mut self, now: &Fingerprints) {
        use rayon::prelude::*;
        let deps = &mut self.deps;
        deps.now = deps.all.par_iter().map(|dep| Some(now.of(dep))).collect();
    }

    /// The unit's earlier output, if everything it read still reads the same.
    /// The unit's `site.json` entry (its files stay as they are) if everything it
    /// read still reads the same.
    pub(super) fn reuse(&mut self, unit: &Unit, now: &Fingerprints) -> Option<Option<Arc<str>>> {
        self.last_units += 1;
        let earlier = self.units.get(unit)?;
        let deps = &mut self.deps;
        earlier
            .reads
            .as_ref()?
            .iter()
            .all(|(dep, fp)| deps.now(*dep, now) == *fp)
            .then(|| earlier.rendered.site_json.clone())
    }

    /// The `site.json` entry of a unit [`RenderCache::reuse`] found still valid.
    pub(super) fn stored_site_json(&self, unit: &Unit) -> Option<Arc<str>> {
        self.units.get(unit)?.rendered.site_json.clone()
    }

    pub(super) fn store(
        &mut self,
        unit: Unit,
        files: Vec<(PathBuf, Output)>,
        site_json: Option<Arc<str>>,
        reads: HashSet<Dep>,
        now: &Fingerprints,
        diagnostics: &[Diagnostic],
    ) -> Option<Arc<str>> {
        self.last_rendered += 1;
        match self.units.remove(&unit) {
            // The same files again (the search index's many, most unchanged): only
            // those that changed are looked up in the site's files.
            Some(earlier)
                if earlier.rendered.files.len() == files.len()
                    && earlier
                        .rendered
                        .files
                        .iter()
                        .zip(&files)
                        .all(|((a, _), (b, _))| a == b) =>
            {
                for ((path, new), (_, old)) in files.iter().zip(&earlier.rendered.files) {
                    if new != old {
                        self.files.insert(path.clone(), new.clone());
                    }
                }
            }
            earlier => {
                for (path, _) in earlier.iter().flat_map(|e| &e.rendered.files) {
                    self.files.remove(path);
                }
                self.files.extend(files.iter().cloned());
            }
        }
        let mut reads: Vec<(u32, u64)> = reads
            .into_iter()
            .map(|dep| {
                let i = self.deps.intern(dep);
                (i, self.deps.now(i, now))
            })
            .collect();
        reads.sort_unstable();
        self.units.insert(
            unit,
            Stored {
                rendered: Rendered {
                    files,
                    site_json: site_json.clone(),
                },
                reads: diagnostics.is_empty().then_some(reads),
            },
        );
        site_json
    }

    /// Drops units that no longer exist (a deleted item, an unused tag).
    pub(super) fn retain(&mut self, live: &crate::hash::FastSet<Unit>) {
        let files = &mut self.files;
        self.units.retain(|unit, stored| {
            let keep = live.contains(unit);
            if !keep {
                for (path, _) in &stored.rendered.files {
                    files.remove(path);
                }
            }
            keep
        });
    }

    /// The files of every unit.
    /// The site-wide text `name` as the last build made it if `fingerprint` (of all
    /// it is made from) is the same, else `make`'s.
    pub(super) fn site_wide(
        &mut self,
        name: &'static str,
        fingerprint: u64,
        make: impl FnOnce() -> String,
    ) -> Arc<str> {
        match self.site_wide.get(name) {
            Some((was, text)) if *was == fingerprint => text.clone(),
            _ => {
                let text: Arc<str> = make().into();
                self.site_wide.insert(name, (fingerprint, text.clone()));
                text
            }
        }
    }

    pub(super) fn files(&self) -> &SiteFiles {
        &self.files
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
    let mut h = DefaultHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// The answers to [`Dep`]s in the site being built.
pub(super) struct Fingerprints<'a> {
    library: &'a Library,
    history: Option<&'a History>,
    /// Each item's card, by index.
    cards: Vec<u64>,
    /// Each item's id and kind, by index: what a relation to it is compared by, hashed
    /// once rather than for every item related to it.
    idents: Vec<u64>,
}

/// What [`Dep::Card`] and [`Dep::Item`] give for an id that is not in the site.
const ABSENT: u64 = 0x5eed_0fab_5e17;

impl<'a> Fingerprints<'a> {
    pub(super) fn new(
        library: &'a Library,
        history: Option<&'a History>,
        card: &(dyn Fn(usize) -> u64 + Sync),
    ) -> Self {
        use rayon::prelude::*;
        Fingerprints {
            library,
            history,
            cards: (0..library.items.len()).into_par_iter().map(card).collect(),
            idents: library
                .items
                .par_iter()
                .map(|item| hash_of((&item.id, item.kind)))
                .collect(),
        }
    }

    pub(super) fn of(&self, dep: &Dep) -> u64 {
        self.compute(dep)
    }

    /// One fingerprint of `deps` together (each with what it names).
    pub(super) fn of_all(&self, deps: &[Dep]) -> u64 {
        hash_of(deps.iter().map(|d| (d, self.of(d))).collect::<Vec<_>>())
    }

    fn compute(&self, dep: &Dep) -> u64 {
        let library = self.library;
        let ids =
            |indices: &[usize]| -> Vec<u64> { indices.iter().map(|i| self.idents[*i]).collect() };
        match dep {
            Dep::Card(id) => library.by_id.get(id).map_or(ABSENT, |&i| self.cards[i]),
            Dep::Item(id) => library.by_id.get(id).map_or(ABSENT, |&i| self.item(i)),
            // Hashes what the page shows of the link's end: its address is made of
            // the id and kind, its text may be the title.
            Dep::Link(target) => match library.link_end(target) {
                None => ABSENT,
                Some(LinkEnd::Item(i)) => {
                    let item = &library.items[i];
                    hash_of((&item.id, item.kind, &item.title))
                }
                Some(LinkEnd::Driver(d)) => hash_of((&d.id, &d.title, &library.items[d.aim].id)),
                Some(LinkEnd::File(href)) => hash_of(href),
            },
            Dep::Kind(kind) => {
                let mut h = DefaultHasher::default();
                for (i, item) in library.of_kind(*kind) {
                    // The path as bytes: hashing a `Path` parses its components.
                    (&item.id, item.path().as_os_str(), self.cards[i]).hash(&mut h);
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
            Dep::Sources(id) => library.by_id.get(id).map_or(ABSENT, |&i| {
                let named = |refs: &[crate::content::frontmatter::Ref]| -> Vec<u64> {
                    refs.iter()
                        .map(|r| library.by_id.get(&r.id).map_or(ABSENT, |t| self.idents[*t]))
                        .collect()
                };
                let note = library.items[i].note();
                hash_of((
                    note.map(|n| (named(&n.cycles), named(&n.measures))),
                    ids(&library.outgoing[i]),
                ))
            }),
            Dep::Driver(id) => hash_of((
                library
                    .drivers
                    .get(id)
                    .map(|d| (&d.title, d.primary, &d.parents, &library.items[d.aim].id)),
                library.changes_by_driver.get(id).map(|c| ids(c)),
            )),
        }
    }

    fn item(&self, i: usize) -> u64 {
        let library = self.library;
        let item = &library.items[i];
        let mut h = DefaultHasher::default();
        // Relations are compared by the ids and kinds they lead to.
        let mut relation = |indices: &[usize]| {
            indices.len().hash(&mut h);
            for &j in indices {
                self.idents[j].hash(&mut h);
            }
        };
        relation(&library.outgoing[i]);
        relation(&library.backlinks[i]);
        match &item.details {
            Details::Cycle(c) => {
                let (prev, next) = library.neighbours.get(&i).copied().unwrap_or((None, None));
                relation(&prev.into_iter().chain(next).collect::<Vec<_>>());
                let change = c.change.as_ref().and_then(|r| library.by_id.get(&r.id));
                relation(
                    change
                        .and_then(|ci| library.ramps.get(ci))
                        .map_or(&[][..], Vec::as_slice),
                );
            }
            Details::Change(_) => relation(library.ramps.get(&i).map_or(&[][..], Vec::as_slice)),
            Details::Measure(_) => relation(&library.cycles_for_measure(i)),
            Details::Note(_) | Details::Aim(_) => {}
        }
        // The revision changes whenever the file (or a measure's CSV) is read again.
        (item.kind, &item.id, item.source.revision).hash(&mut h);
        // A note's date may come from git.
        if let Details::Note(n) = &item.details {
            n.date.hash(&mut h);
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
    let mut h = DefaultHasher::default();
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

/// A fingerprint of everything in `value`.
pub(super) fn fingerprint(value: impl Hash) -> u64 {
    hash_of(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_rendered_inside_another_keeps_both_records() {
        let outer = recording(|| {
            read(Dep::Tags);
            // What a thread waiting on parallel work does when it runs another unit.
            let inner = recording(|| read(Dep::Item("inner".into())));
            assert_eq!(inner, HashSet::from([Dep::Item("inner".into())]));
            assert!(is_recording(), "the outer record goes on");
            read(Dep::Item("after".into()));
        });
        assert_eq!(outer, HashSet::from([Dep::Tags, Dep::Item("after".into())]));
        assert!(!is_recording(), "no record is left open");
    }
}

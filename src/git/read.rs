//! Reading the history with gix, in one pass: every commit from HEAD, newest first, its
//! site folder diffed against its parent's with rename tracking; no git binary, no clock.
//!
//! The diffs are independent of each other, so they are computed first, on every core.
//! Then one walk, children before parents, follows the names: each commit carries a map
//! from "path as of this commit" to "current path" (its name in HEAD), handed down to
//! its parents. A rename `q → p` credits the commit to the file now called current(p)
//! and maps `q` to it for older commits. Maps are shared between commits (`Rc`) and
//! copied only where a branch renames something.

use super::{Commit, GitError, History};
use gix::bstr::{BStr, BString, ByteSlice};
use gix::diff::tree_with_rewrites::{Action, ChangeRef};
use gix::objs::tree::EntryMode;
use gix::objs::TreeRefIter;
use gix::ObjectId;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Paths as of some commit (site-relative, `/`-separated) → index of the current path.
type PathMap = HashMap<BString, u32>;

pub(super) fn read(site: &Path) -> Result<Option<History>, GitError> {
    let Some(repo) = open(site)? else {
        return Ok(None);
    };
    let Some(reader) = Reader::new(repo, site)? else {
        return Ok(None);
    };
    reader.read().map(Some)
}

/// Where the repository's HEAD points and whether it is shallow: when neither changed,
/// neither did the history.
pub fn head(site: &Path) -> super::Head {
    let Ok(Some(repo)) = open(site) else {
        return super::Head(None);
    };
    super::Head(repo.head_id().ok().map(|id| {
        format!(
            "{id}{}",
            if repo.is_shallow().unwrap_or(true) {
                "-shallow"
            } else {
                ""
            }
        )
    }))
}

/// Finds the repository holding `site`, reading only its own configuration (not the
/// user's or the system's, nor `GIT_*` variables), so that the history does not depend
/// on who runs the build.
fn open(site: &Path) -> Result<Option<gix::Repository>, GitError> {
    use gix::discover::upwards::Error as NotFound;
    let cannot = || format!("cannot open the git repository of {}", site.display());
    if let Err(e) = gix::discover::upwards_opts(site, Default::default()) {
        return match e.downcast_any_ref::<NotFound>() {
            Some(
                NotFound::NoGitRepository { .. }
                | NotFound::NoGitRepositoryWithinCeiling { .. }
                | NotFound::NoGitRepositoryWithinFs { .. },
            ) => Ok(None),
            _ => Err(failure(cannot(), &e)),
        };
    }
    let isolated = gix::sec::trust::Mapping {
        full: gix::open::Options::isolated(),
        reduced: gix::open::Options::isolated(),
    };
    let repo = gix::ThreadSafeRepository::discover_opts(site, Default::default(), isolated)
        .map_err(|e| failure(cannot(), &e))?;
    Ok(Some(repo.to_thread_local()))
}

/// One commit of the graph reachable from HEAD.
struct Node {
    id: ObjectId,
    /// Root tree.
    tree: ObjectId,
    /// Committer time, for the order of the walk.
    time: i64,
    /// Indices of the nodes of the parents, first parent first; missing ones left out.
    parents: Vec<usize>,
    /// Some parent is missing (the shallow boundary).
    boundary: bool,
}

/// A file of the newer tree that a diff found changed, by its name there. Deletions
/// are left out: a deleted file is not in HEAD from there on.
struct FileChange {
    path: BString,
    /// The name is new: the file was added, or renamed from `from`.
    new_name: bool,
    from: Option<BString>,
}

/// Where things are, for every thread.
struct Place<'a> {
    git_dir: &'a Path,
    /// The site folder relative to the work tree (empty when it is the work tree).
    folder: &'a Path,
    /// The work tree, for messages.
    shown: &'a Path,
}

impl Place<'_> {
    fn fail<E: std::error::Error>(&self, what: &'static str) -> impl Fn(E) -> GitError + '_ {
        move |e| {
            let context = format!(
                "cannot read the git history of {}: {what}",
                self.shown.display()
            );
            failure(context, &e)
        }
    }
}

struct Reader {
    repo: gix::Repository,
    git_dir: PathBuf,
    folder: PathBuf,
    shown: PathBuf,
}

impl Reader {
    /// `None` when the site is not in a work tree (a bare repository).
    fn new(repo: gix::Repository, site: &Path) -> Result<Option<Reader>, GitError> {
        let Some(workdir) = repo.workdir() else {
            return Ok(None);
        };
        let canonical = |p: &Path| {
            p.canonicalize()
                .map_err(|e| failure(format!("cannot resolve {}", p.display()), &e))
        };
        let (shown, site) = (canonical(workdir)?, canonical(site)?);
        let Ok(folder) = site.strip_prefix(&shown).map(Path::to_path_buf) else {
            return Ok(None);
        };
        let git_dir = repo.git_dir().to_path_buf();
        Ok(Some(Reader {
            repo,
            git_dir,
            folder,
            shown,
        }))
    }

    fn place(&self) -> Place<'_> {
        Place {
            git_dir: &self.git_dir,
            folder: &self.folder,
            shown: &self.shown,
        }
    }

    fn read(self) -> Result<History, GitError> {
        let place = self.place();
        let head = self.repo.head().map_err(place.fail("cannot read HEAD"))?;
        let head = head
            .try_into_peeled_id()
            .map_err(place.fail("cannot resolve HEAD"))?;
        let Some(head) = head else {
            return Ok(History::default()); // unborn: no commits yet
        };
        let nodes = self.graph(head.detach())?;
        let shallow = self
            .repo
            .is_shallow()
            .map_err(place.fail("cannot read the shallow file"))?
            || nodes.iter().any(|n| n.boundary);
        let head_folder = folder_tree(&self.repo, &place, nodes[0].tree)?;
        let (current, map) = self.current_files(head_folder)?;
        if current.is_empty() {
            return Ok(History {
                shallow,
                ..History::default()
            });
        }
        let found = diff_all(&self.repo, &place, &nodes)?;
        let mut history = self.walk(&nodes, &found, &current, map)?;
        history.shallow = shallow;
        Ok(history)
    }

    /// Every commit reachable from `head`, in breadth-first order from it (HEAD is 0).
    fn graph(&self, head: ObjectId) -> Result<Vec<Node>, GitError> {
        let place = self.place();
        let shallow: HashSet<ObjectId> = self
            .repo
            .shallow_commits()
            .map_err(place.fail("cannot read the shallow file"))?
            .map(|commits| commits.iter().copied().collect())
            .unwrap_or_default();
        let mut ids = vec![head];
        let mut seen: HashMap<ObjectId, usize> = HashMap::from([(head, 0)]);
        let mut nodes: Vec<Node> = Vec::new();
        while let Some(&id) = ids.get(nodes.len()) {
            let commit = self
                .repo
                .find_commit(id)
                .map_err(place.fail("cannot read a commit"))?;
            let decoded = commit
                .decode()
                .map_err(place.fail("cannot decode a commit"))?;
            let mut parents = Vec::new();
            // A commit at the shallow boundary is a root, whatever it names as parents.
            let cut = shallow.contains(&id);
            let mut boundary = cut;
            for parent in decoded.parents().filter(|_| !cut) {
                if let Some(&i) = seen.get(&parent) {
                    parents.push(i);
                } else if self.repo.has_object(parent) {
                    seen.insert(parent, ids.len());
                    parents.push(ids.len());
                    ids.push(parent);
                } else {
                    boundary = true;
                }
            }
            nodes.push(Node {
                id,
                tree: decoded.tree(),
                time: decoded.committer().map(|c| c.seconds()).unwrap_or_default(),
                parents,
                boundary,
            });
        }
        Ok(nodes)
    }

    /// The files of the site in HEAD, sorted, and the map from each to its index.
    fn current_files(&self, folder: Option<ObjectId>) -> Result<(Vec<PathBuf>, PathMap), GitError> {
        let Some(folder) = folder else {
            return Ok((Vec::new(), PathMap::new()));
        };
        let place = self.place();
        let tree = self
            .repo
            .find_tree(folder)
            .map_err(place.fail("cannot read a tree"))?;
        let entries = tree
            .traverse()
            .breadthfirst
            .files()
            .map_err(place.fail("cannot list the files of HEAD"))?;
        let mut files: Vec<(PathBuf, BString)> = entries
            .into_iter()
            .filter(|e| is_file(e.mode))
            .map(|e| (to_path(e.filepath.as_ref()), e.filepath))
            .collect();
        files.sort();
        let map = files
            .iter()
            .enumerate()
            .map(|(i, (_, name))| (name.clone(), i as u32))
            .collect();
        Ok((files.into_iter().map(|(path, _)| path).collect(), map))
    }

    /// The walk: no commit before all its children (like `git log --date-order`), newest
    /// committer time first, ties in the order commits were reached from HEAD.
    fn walk(
        &self,
        nodes: &[Node],
        found: &[Vec<Vec<FileChange>>],
        current: &[PathBuf],
        map: PathMap,
    ) -> Result<History, GitError> {
        let mut history = History::default();
        let mailmap = self.mailmap();
        let mut children = vec![0usize; nodes.len()];
        for n in nodes {
            for &p in &n.parents {
                children[p] += 1;
            }
        }
        let mut maps: Vec<Option<Rc<PathMap>>> = vec![None; nodes.len()];
        maps[0] = Some(Rc::new(map));
        let mut ready = BinaryHeap::from([(nodes[0].time, Reverse(0usize))]);

        while let Some((_, Reverse(n))) = ready.pop() {
            let node = &nodes[n];
            let map = maps[n].take().unwrap_or_default();
            let mut passed = Vec::with_capacity(node.parents.len());
            if node.parents.len() <= 1 {
                let mut change = Changes::default();
                for c in found[n].iter().flatten() {
                    change.record(&map, c);
                }
                let touched = change.touched();
                if !touched.is_empty() {
                    let index = history.commits.len();
                    history
                        .commits
                        .push(self.commit(node.id, touched, current, &mailmap)?);
                    for &c in touched {
                        let path = current[c as usize].clone();
                        history.files.entry(path).or_default().push(index);
                    }
                    if node.boundary {
                        history.boundary.push(index);
                    }
                }
                passed.push(change.apply(map));
            } else {
                // A merge contributes no changes, but follows renames made on one side
                // down that side (its diffs against each parent hold only new names).
                for diff in &found[n] {
                    let mut change = Changes::default();
                    for c in diff {
                        change.record(&map, c);
                    }
                    passed.push(change.apply(Rc::clone(&map)));
                }
            }
            for (&p, map) in node.parents.iter().zip(passed) {
                maps[p] = Some(match maps[p].take() {
                    None => map,
                    Some(other) => union(other, map),
                });
                children[p] -= 1;
                if children[p] == 0 {
                    ready.push((nodes[p].time, Reverse(p)));
                }
            }
        }
        Ok(history)
    }

    fn commit(
        &self,
        id: ObjectId,
        touched: &[u32],
        current: &[PathBuf],
        mailmap: &gix::mailmap::Snapshot,
    ) -> Result<Commit, GitError> {
        let place = self.place();
        let commit = self
            .repo
            .find_commit(id)
            .map_err(place.fail("cannot read a commit"))?;
        let decoded = commit
            .decode()
            .map_err(place.fail("cannot decode a commit"))?;
        let author = decoded
            .author()
            .map_err(place.fail("cannot decode a commit's author"))?
            .trim();
        let time = author.time().unwrap_or_default();
        let who = mailmap.resolve_cow(author);
        let subject = decoded.message.lines().next().unwrap_or_default();
        let hex = id.to_string();
        Ok(Commit {
            short: hex[..7].to_string(),
            id: hex,
            time: time.seconds,
            offset_minutes: time.offset / 60,
            author: who.name.trim().to_str_lossy().into_owned(),
            email: who.email.trim().to_str_lossy().into_owned(),
            subject: subject.trim().to_str_lossy().into_owned(),
            paths: touched
                .iter()
                .map(|&c| current[c as usize].clone())
                .collect(),
        })
    }

    /// The work tree's `.mailmap` only: not `mailmap.file` or `mailmap.blob` from a
    /// configuration the build machine may have. No `.mailmap`: names as committed.
    fn mailmap(&self) -> gix::mailmap::Snapshot {
        match std::fs::read(self.shown.join(".mailmap")) {
            Ok(bytes) => gix::mailmap::Snapshot::from_bytes(&bytes),
            Err(_) => gix::mailmap::Snapshot::default(),
        }
    }
}

/// The diffs of every commit, by node: one list against each parent (one against the
/// empty tree for a root), in parallel. Each thread opens the repository for itself.
fn diff_all(
    repo: &gix::Repository,
    place: &Place<'_>,
    nodes: &[Node],
) -> Result<Vec<Vec<Vec<FileChange>>>, GitError> {
    // Blocks of consecutive commits, so that a thread reads successive versions of a
    // tree (deltas of each other) one after the other.
    const BLOCK: usize = 64;
    let blocks = nodes.len().div_ceil(BLOCK);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8)
        .min(blocks);
    let next = AtomicUsize::new(0);
    type Done = Vec<(usize, Vec<Vec<Vec<FileChange>>>)>;
    let work = |repo: gix::Repository| -> Result<Done, GitError> {
        let mut differ = Differ::new(repo, place)?;
        let mut done = Vec::new();
        loop {
            let block = next.fetch_add(1, Ordering::Relaxed);
            if block >= blocks {
                return Ok(done);
            }
            let range = block * BLOCK..((block + 1) * BLOCK).min(nodes.len());
            let diffs = range
                .map(|n| differ.node(nodes, n))
                .collect::<Result<_, _>>();
            if diffs.is_err() {
                next.store(blocks, Ordering::Relaxed); // the others stop too
            }
            done.push((block, diffs?));
        }
    };
    let mut done = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|_| {
                scope.spawn(|| {
                    let options = gix::open::Options::isolated();
                    let repo = gix::open_opts(place.git_dir, options)
                        .map_err(place.fail("cannot open the repository again"))?;
                    work(repo)
                })
            })
            .collect();
        let mut all = work(repo.clone());
        for thread in others {
            let theirs = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            match (&mut all, theirs) {
                (Ok(all), Ok(theirs)) => all.extend(theirs),
                (Ok(_), Err(e)) => all = Err(e),
                (Err(_), _) => {}
            }
        }
        all
    })?;
    done.sort_unstable_by_key(|(block, _)| *block);
    Ok(done.into_iter().flat_map(|(_, diffs)| diffs).collect())
}

/// Diffs site folders, for one thread.
struct Differ<'a> {
    repo: gix::Repository,
    place: &'a Place<'a>,
    resources: gix::diff::blob::Platform,
    state: gix::diff::tree::State,
}

impl<'a> Differ<'a> {
    fn new(repo: gix::Repository, place: &'a Place<'a>) -> Result<Differ<'a>, GitError> {
        // Successive versions of a tree are stored as deltas on each other: keep the
        // last objects decoded, the bases of the next ones (git's delta base cache).
        // Faster here than gix's object cache, which copies every object in and out.
        let mut repo = repo;
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::StaticLinkedList::<64>::default())
        });
        let resources = repo
            .diff_resource_cache_for_tree_diff()
            .map_err(place.fail("cannot prepare rename tracking"))?;
        Ok(Differ {
            repo,
            place,
            resources,
            state: Default::default(),
        })
    }

    /// Node `n`'s diffs: against its parent, or the empty tree (a root, the shallow
    /// boundary); for a merge, against each parent, new names only.
    fn node(&mut self, nodes: &[Node], n: usize) -> Result<Vec<Vec<FileChange>>, GitError> {
        let node = &nodes[n];
        let new = folder_tree(&self.repo, self.place, node.tree)?;
        if node.parents.is_empty() {
            return Ok(vec![self.changes(None, new, false)?]);
        }
        let merge = node.parents.len() > 1;
        let mut diffs = Vec::with_capacity(node.parents.len());
        for &p in &node.parents {
            let old = folder_tree(&self.repo, self.place, nodes[p].tree)?;
            diffs.push(self.changes(old, new, merge)?);
        }
        Ok(diffs)
    }

    /// Changes from the folder tree `old` to `new`, with renames (50 % similarity, git's
    /// default; copies not tracked). `names_only`: additions and renames only.
    fn changes(
        &mut self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        names_only: bool,
    ) -> Result<Vec<FileChange>, GitError> {
        let mut found = Vec::new();
        if old == new {
            return Ok(found);
        }
        let data = |id: Option<ObjectId>| -> Result<Vec<u8>, GitError> {
            let Some(id) = id else {
                return Ok(Vec::new());
            };
            let tree = self.repo.find_tree(id);
            let mut tree = tree.map_err(self.place.fail("cannot read a tree"))?;
            Ok(std::mem::take(&mut tree.data))
        };
        let (old, new) = (data(old)?, data(new)?);
        let hash = self.repo.object_hash();
        let mut diff = |rewrites: gix::diff::Rewrites, found: &mut Vec<FileChange>| {
            let options = gix::diff::tree_with_rewrites::Options {
                location: Some(gix::diff::tree::recorder::Location::Path),
                rewrites: Some(rewrites),
            };
            found.clear();
            gix::diff::tree_with_rewrites(
                TreeRefIter::from_bytes(&old, hash),
                TreeRefIter::from_bytes(&new, hash),
                &mut self.resources,
                &mut self.state,
                &self.repo.objects,
                |change: ChangeRef<'_>| -> gix::Result<Action> {
                    found.extend(file_change(change, names_only));
                    Ok(Action::Continue(()))
                },
                options,
            )
        };
        if diff(gix::diff::Rewrites::default(), &mut found).is_err() {
            // Similarity needs the blobs, which a partial clone (`--filter=blob:none`)
            // lacks: then only renames of unchanged files are followed.
            let exact = gix::diff::Rewrites {
                percentage: None,
                ..Default::default()
            };
            diff(exact, &mut found).map_err(self.place.fail("cannot diff a commit"))?;
        }
        self.resources.clear_resource_cache_keep_allocation();
        Ok(found)
    }
}

fn file_change(change: ChangeRef<'_>, names_only: bool) -> Option<FileChange> {
    let found = |path: &BStr, new_name: bool, from: Option<&BStr>| FileChange {
        path: path.to_owned(),
        new_name,
        from: from.map(ToOwned::to_owned),
    };
    match change {
        ChangeRef::Addition {
            location,
            entry_mode,
            ..
        } if is_file(entry_mode) => Some(found(location, true, None)),
        ChangeRef::Modification {
            location,
            entry_mode,
            previous_entry_mode,
            ..
        } if !names_only && (is_file(entry_mode) || is_file(previous_entry_mode)) => {
            Some(found(location, false, None))
        }
        ChangeRef::Rewrite {
            source_location,
            location,
            entry_mode,
            copy,
            ..
        } if is_file(entry_mode) => Some(found(location, true, (!copy).then_some(source_location))),
        _ => None,
    }
}

/// The tree of the site folder in a commit's root tree, `None` when it has none.
fn folder_tree(
    repo: &gix::Repository,
    place: &Place<'_>,
    root: ObjectId,
) -> Result<Option<ObjectId>, GitError> {
    if place.folder.as_os_str().is_empty() {
        return Ok(Some(root));
    }
    let mut tree = repo
        .find_tree(root)
        .map_err(place.fail("cannot read a tree"))?;
    let entry = tree
        .peel_to_entry_by_path(place.folder)
        .map_err(place.fail("cannot read a tree"))?;
    Ok(entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
}

/// What one commit did to the site's current files, and to the names for older commits.
#[derive(Default)]
struct Changes {
    /// Current files touched (indices).
    touched: Vec<u32>,
    /// Names that did not exist before this commit (added, or renamed to).
    gone: Vec<BString>,
    /// Older names, from renames, and the current file they became.
    renamed: Vec<(BString, u32)>,
}

impl Changes {
    fn record(&mut self, map: &PathMap, change: &FileChange) {
        let current = map.get(&change.path).copied();
        self.touched.extend(current);
        if change.new_name {
            self.gone.push(change.path.clone());
            if let (Some(from), Some(current)) = (&change.from, current) {
                self.renamed.push((from.clone(), current));
            }
        }
    }

    /// Sorted and unique (current paths are sorted, so their indices are too).
    fn touched(&mut self) -> &[u32] {
        self.touched.sort_unstable();
        self.touched.dedup();
        &self.touched
    }

    /// The map as of the parent; unchanged (and still shared) unless names changed.
    fn apply(self, mut map: Rc<PathMap>) -> Rc<PathMap> {
        if self.renamed.is_empty() && !self.gone.iter().any(|g| map.contains_key(g)) {
            return map;
        }
        let names = Rc::make_mut(&mut map);
        for gone in &self.gone {
            names.remove(gone);
        }
        names.extend(self.renamed);
        map
    }
}

/// The names a commit's children hand it, combined; the same name meaning two current
/// files (rare: different renames on two branches) resolves to the first file in order.
fn union(a: Rc<PathMap>, b: Rc<PathMap>) -> Rc<PathMap> {
    if Rc::ptr_eq(&a, &b) {
        return a;
    }
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let names = Rc::make_mut(&mut big);
    for (name, &current) in small.iter() {
        names
            .entry(name.clone())
            .and_modify(|c| *c = (*c).min(current))
            .or_insert(current);
    }
    big
}

/// Files are blobs and symbolic links; trees and submodules are not.
fn is_file(mode: EntryMode) -> bool {
    mode.is_blob_or_symlink()
}

fn to_path(name: &BStr) -> PathBuf {
    gix::path::from_bstr(name)
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_else(|_| PathBuf::from(name.to_str_lossy().as_ref()))
}

/// `what: error: its cause: …`, each cause once.
fn failure(what: String, error: &dyn std::error::Error) -> GitError {
    let mut message = format!("{what}: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    GitError { message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// 2026-01-05 09:00 UTC; each commit is an hour after the one before.
    const START: i64 = 1_767_603_600;

    /// A repository made with the git CLI, with fixed names, dates and configuration.
    struct Repo {
        dir: tempfile::TempDir,
        commits: i64,
    }

    impl Repo {
        fn new() -> Repo {
            let repo = Repo {
                dir: tempfile::tempdir().unwrap(),
                commits: 0,
            };
            repo.git(&["init", "-q"]);
            repo
        }

        fn path(&self) -> &Path {
            self.dir.path()
        }

        fn git_in(dir: &Path, args: &[&str], who: (&str, &str), time: i64) -> String {
            let date = format!("@{time} +0100");
            let out = Command::new("git")
                .args([
                    "-c",
                    "init.defaultBranch=main",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args([
                    "-c",
                    &format!("user.name={}", who.0),
                    "-c",
                    &format!("user.email={}", who.1),
                ])
                .args(args)
                .current_dir(dir)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", who.0)
                .env("GIT_AUTHOR_EMAIL", who.1)
                .env("GIT_COMMITTER_NAME", who.0)
                .env("GIT_COMMITTER_EMAIL", who.1)
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date)
                .output()
                .expect("the git binary runs");
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        }

        fn git(&self, args: &[&str]) -> String {
            Repo::git_in(
                self.path(),
                args,
                ("Robot", "robot@example.org"),
                START + self.commits * 3600,
            )
        }

        fn write(&self, path: &str, text: &str) -> &Repo {
            let file = self.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
            self
        }

        /// Commits everything as `who`; returns the full id.
        fn commit(&mut self, who: (&str, &str), message: &str) -> String {
            self.commits += 1;
            let time = START + self.commits * 3600;
            Repo::git_in(self.path(), &["add", "-A"], who, time);
            Repo::git_in(self.path(), &["commit", "-q", "-m", message], who, time);
            self.git(&["rev-parse", "HEAD"])
        }

        fn history(&self) -> History {
            read(self.path()).unwrap().expect("a repository")
        }
    }

    const ANN: (&str, &str) = ("Ann Lee", "ann@ward7.example");
    const BO: (&str, &str) = ("Bo Chen", "bo@ward7.example");

    /// Lines enough for rename detection to see a renamed, edited file as the same file.
    fn body(title: &str, extra: &str) -> String {
        let lines: String = (1..=12)
            .map(|i| format!("Line {i} of the note about falls.\n"))
            .collect();
        format!("---\ntitle: {title}\n---\n{lines}{extra}")
    }

    fn paths(h: &History) -> Vec<&str> {
        let mut paths: Vec<&str> = h.files.keys().map(|p| p.to_str().unwrap()).collect();
        paths.sort_unstable();
        paths
    }

    fn ids<'a>(h: &'a History, path: &str) -> Vec<&'a str> {
        h.file(Path::new(path))
            .unwrap()
            .commits
            .iter()
            .map(|c| c.id.as_str())
            .collect()
    }

    #[test]
    fn authors_are_counted_and_commits_described() {
        let mut r = Repo::new();
        r.write("cyclebook.yml", "title: Ward 7\n")
            .write("cycles/c-1.md", &body("Huddle", ""));
        let first = r.commit(ANN, "Start the huddle cycle\n\nWith a body.");
        r.write("cycles/c-1.md", &body("Huddle", "Study.\n"));
        let second = r.commit(BO, "Study the huddle");
        r.write("cycles/c-1.md", &body("Huddle", "Act.\n"))
            .write("notes/n.md", &body("Note", ""));
        let third = r.commit(ANN, "Act on the huddle");

        let h = r.history();
        assert!(!h.shallow);
        assert!(h.boundary.is_empty());
        let order: Vec<&str> = h.commits.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(order, [&third, &second, &first]);
        assert_eq!(paths(&h), ["cyclebook.yml", "cycles/c-1.md", "notes/n.md"]);

        let c = &h.commits[2];
        assert_eq!(c.short, first[..7]);
        assert_eq!(c.subject, "Start the huddle cycle");
        assert_eq!((c.author.as_str(), c.email.as_str()), ANN);
        assert_eq!((c.time, c.offset_minutes), (START + 3600, 60));
        assert_eq!(
            c.paths,
            [
                PathBuf::from("cyclebook.yml"),
                PathBuf::from("cycles/c-1.md")
            ]
        );
        assert_eq!(
            h.commits[0].paths,
            [PathBuf::from("cycles/c-1.md"), PathBuf::from("notes/n.md")]
        );

        let f = h.file(Path::new("cycles/c-1.md")).unwrap();
        assert_eq!(f.authors, [("Ann Lee", 2), ("Bo Chen", 1)]);
        assert_eq!(f.created.unwrap().id, first);
        assert_eq!(f.updated.unwrap().id, third);
        let n = h.file(Path::new("notes/n.md")).unwrap();
        assert_eq!(n.authors, [("Ann Lee", 1)]);
        assert_eq!(n.created.unwrap().id, third);
        assert_eq!(h.latest_date().unwrap().to_string(), "2026-01-05");
    }

    #[test]
    fn mailmap_merges_identities() {
        let mut r = Repo::new();
        r.write("notes/n.md", &body("Note", ""));
        r.commit(("ann", "ann.lee@old-trust.example"), "Add");
        r.write("notes/n.md", &body("Note", "More.\n"));
        r.commit(ANN, "Edit");
        r.write("notes/n.md", &body("Note", "Yet more.\n"));
        r.commit(BO, "Edit again");
        let h = r.history();
        let f = h.file(Path::new("notes/n.md")).unwrap();
        assert_eq!(f.authors, [("Ann Lee", 1), ("Bo Chen", 1), ("ann", 1)]);

        r.write(
            ".mailmap",
            "Ann Lee <ann@ward7.example> <ann.lee@old-trust.example>\n",
        );
        let h = r.history();
        let f = h.file(Path::new("notes/n.md")).unwrap();
        assert_eq!(f.authors, [("Ann Lee", 2), ("Bo Chen", 1)]);
        assert_eq!(h.commits[2].email, "ann@ward7.example");
    }

    #[test]
    fn renames_are_followed() {
        let mut r = Repo::new();
        r.write("notes/falls.md", &body("Falls", ""));
        let created = r.commit(ANN, "Add falls");
        r.write("notes/falls.md", &body("Falls", "Edited.\n"));
        let edited = r.commit(BO, "Edit falls");
        r.git(&["mv", "notes/falls.md", "notes/falls-at-night.md"]);
        let moved = r.commit(ANN, "Rename falls");
        // Renamed and edited in one commit: still the same file (50 % similarity).
        std::fs::create_dir(r.path().join("lessons")).unwrap();
        r.git(&["mv", "notes/falls-at-night.md", "lessons/falls.md"]);
        r.write(
            "lessons/falls.md",
            &body("Falls at night", "Edited.\nAnd moved.\n"),
        );
        let moved_again = r.commit(BO, "Make falls a lesson");

        let h = r.history();
        assert_eq!(paths(&h), ["lessons/falls.md"]);
        assert_eq!(
            ids(&h, "lessons/falls.md"),
            [&moved_again, &moved, &edited, &created]
        );
        let f = h.file(Path::new("lessons/falls.md")).unwrap();
        assert_eq!(f.created.unwrap().id, created);
        assert_eq!(
            f.created.unwrap().paths,
            [PathBuf::from("lessons/falls.md")]
        );
        assert_eq!(f.authors, [("Ann Lee", 2), ("Bo Chen", 2)]);
    }

    #[test]
    fn a_file_added_again_starts_anew() {
        let mut r = Repo::new();
        r.write("notes/a.md", &body("A", ""));
        r.commit(ANN, "Add a");
        std::fs::remove_file(r.path().join("notes/a.md")).unwrap();
        r.write("notes/b.md", &body("B", ""));
        r.commit(ANN, "Remove a");
        r.write("notes/a.md", "---\ntitle: Another A\n---\nNew.\n");
        let again = r.commit(BO, "Add another a");
        let h = r.history();
        assert_eq!(ids(&h, "notes/a.md"), [&again]);
        // b.md has a.md's content: it was renamed from it and keeps its first commit.
        assert_eq!(h.file(Path::new("notes/b.md")).unwrap().commits.len(), 2);
    }

    #[test]
    fn a_site_in_a_subfolder_sees_only_its_files() {
        let mut r = Repo::new();
        r.write("README.md", "# Repo\n")
            .write("site/cyclebook.yml", "title: Ward 7\n");
        let first = r.commit(ANN, "Start");
        r.write("README.md", "# Repo, edited\n")
            .write("tools/x.sh", "echo\n");
        r.commit(BO, "Outside only");
        r.write("site/notes/n.md", &body("Note", ""))
            .write("README.md", "# Again\n");
        let note = r.commit(BO, "Add a note");

        let h = read(&r.path().join("site")).unwrap().unwrap();
        assert_eq!(paths(&h), ["cyclebook.yml", "notes/n.md"]);
        let order: Vec<&str> = h.commits.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(order, [&note, &first]);
        assert_eq!(h.commits[0].paths, [PathBuf::from("notes/n.md")]);

        // A folder inside the site reads as a site of its own.
        let notes = read(&r.path().join("site/notes")).unwrap().unwrap();
        assert_eq!(paths(&notes), ["n.md"]);
    }

    #[test]
    fn uncommitted_files_have_no_history() {
        let mut r = Repo::new();
        r.write("notes/a.md", &body("A", ""));
        r.commit(ANN, "Add a");
        r.write("notes/new.md", "---\ntitle: New\n---\n")
            .write("notes/staged.md", "---\ntitle: S\n---\n");
        r.git(&["add", "notes/staged.md"]);
        let h = r.history();
        assert_eq!(paths(&h), ["notes/a.md"]);
        assert!(h.file(Path::new("notes/new.md")).is_none());
        assert!(h.file(Path::new("notes/staged.md")).is_none());
    }

    #[test]
    fn a_repository_without_commits_has_an_empty_history() {
        let r = Repo::new();
        r.write("notes/a.md", "---\ntitle: A\n---\n");
        let h = r.history();
        assert!(h.commits.is_empty() && h.files.is_empty() && !h.shallow);
    }

    #[test]
    fn outside_a_repository_there_is_no_history() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            gix::discover::upwards(dir.path()).is_err(),
            "the temporary folder is inside a repository"
        );
        std::fs::write(dir.path().join("cyclebook.yml"), "title: T\n").unwrap();
        assert!(read(dir.path()).unwrap().is_none());
    }

    #[test]
    fn a_shallow_clone_knows_its_boundary() {
        let mut r = Repo::new();
        r.write("notes/old.md", &body("Old", ""));
        r.commit(ANN, "Old");
        r.write("notes/old.md", &body("Old", "Edited.\n"));
        r.commit(BO, "Edit old");
        r.write("notes/mid.md", &body("Mid", ""));
        let boundary = r.commit(ANN, "Mid");
        r.write("notes/new.md", &body("New", ""))
            .write("notes/old.md", &body("Old", "Again.\n"));
        let newest = r.commit(BO, "New");

        let clone = tempfile::tempdir().unwrap();
        let url = format!("file://{}", r.path().display());
        Repo::git_in(
            clone.path(),
            &["clone", "-q", "--depth", "2", &url, "c"],
            BO,
            START,
        );
        let h = read(&clone.path().join("c")).unwrap().unwrap();
        assert!(h.shallow);
        let order: Vec<&str> = h.commits.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(order, [&newest, &boundary]);
        assert_eq!(h.boundary, [1]);
        // The boundary commit seems to add every file: no creation date from it.
        assert!(h.file(Path::new("notes/old.md")).unwrap().created.is_none());
        assert!(h.file(Path::new("notes/mid.md")).unwrap().created.is_none());
        assert_eq!(
            h.file(Path::new("notes/new.md"))
                .unwrap()
                .created
                .unwrap()
                .id,
            newest
        );
        assert_eq!(h.commits[1].paths.len(), 2);

        // The full repository is not shallow.
        let full = r.history();
        assert!(!full.shallow && full.boundary.is_empty());
        assert_eq!(full.commits.len(), 4);
    }

    #[test]
    fn a_partial_clone_without_old_blobs_still_reads() {
        let mut r = Repo::new();
        r.git(&["config", "uploadpack.allowFilter", "true"]);
        r.write("notes/a.md", &body("A", ""))
            .write("notes/c.md", &body("C", ""));
        let first = r.commit(ANN, "Add a and c");
        r.git(&["mv", "notes/a.md", "notes/b.md"]);
        r.git(&["mv", "notes/c.md", "notes/d.md"]);
        r.write("notes/b.md", &body("A", "Edited while renamed.\n"));
        let renamed = r.commit(BO, "Rename a (edited) and c");
        r.write("notes/d.md", &body("C", "Edited.\n"));
        let edited = r.commit(ANN, "Edit d");

        let clone = tempfile::tempdir().unwrap();
        let url = format!("file://{}", r.path().display());
        let args = ["clone", "-q", "--filter=blob:none", &url, "c"];
        Repo::git_in(clone.path(), &args, BO, START);
        let site = clone.path().join("c");
        let config = std::fs::read_to_string(site.join(".git/config")).unwrap();
        assert!(config.contains("partialclonefilter"), "{config}");

        // a.md's old text is not in the clone, so its edited rename cannot be
        // measured: b.md starts at the rename. c.md's rename needs no text.
        let h = read(&site).unwrap().unwrap();
        assert_eq!(ids(&h, "notes/d.md"), [&edited, &renamed, &first]);
        assert_eq!(ids(&h, "notes/b.md"), [&renamed]);
    }

    #[test]
    fn merges_contribute_no_changes_but_renames_are_followed_across_them() {
        let mut r = Repo::new();
        r.write("notes/a.md", &body("A", ""))
            .write("notes/q.md", &body("Q", ""));
        let base = r.commit(ANN, "Base");
        r.git(&["checkout", "-q", "-b", "side"]);
        r.git(&["mv", "notes/q.md", "notes/p.md"]);
        let renamed = r.commit(BO, "Rename q to p on a branch");
        r.write("notes/a.md", &body("A", "Side.\n"));
        let side = r.commit(BO, "Edit a on the branch");
        r.git(&["checkout", "-q", "main"]);
        r.write("notes/q.md", &body("Q", "Main.\n"));
        let main_edit = r.commit(ANN, "Edit q on main");
        r.commits += 1;
        r.git(&["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
        let merge = r.git(&["rev-parse", "HEAD"]);
        assert_eq!(
            r.git(&["rev-list", "--parents", "-n1", "HEAD"])
                .split(' ')
                .count(),
            3
        );

        let h = r.history();
        assert!(
            h.commits.iter().all(|c| c.id != merge),
            "the merge is not listed"
        );
        assert_eq!(paths(&h), ["notes/a.md", "notes/p.md"]);
        assert_eq!(ids(&h, "notes/a.md"), [&side, &base]);
        // q's edit on main, made before the merge brought the rename, is p's history too.
        assert_eq!(ids(&h, "notes/p.md"), [&main_edit, &renamed, &base]);
        assert_eq!(h.commits.len(), 4);
    }

    #[test]
    fn the_same_repository_reads_the_same() {
        let mut r = Repo::new();
        for i in 0..5 {
            r.write(
                &format!("notes/n-{}.md", i % 3),
                &body("N", &"x\n".repeat(i)),
            );
            r.commit(if i % 2 == 0 { ANN } else { BO }, &format!("Commit {i}"));
        }
        let (a, b) = (r.history(), r.history());
        assert_eq!(a.commits, b.commits);
        assert_eq!(a.files, b.files);
        assert_eq!(a.boundary, b.boundary);
    }
}

//! Resolve, from git: when each source file was created and last changed, by whom, and
//! the commits that touched it, read in one pass over the history (never a walk per file).

mod read;

use crate::date::Date;
use crate::hash::FastMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One commit that touched the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full hexadecimal id.
    pub id: String,
    /// The first seven hex digits, as readers see it.
    pub short: String,
    /// Author time: seconds since the Unix epoch, and the author's UTC offset in minutes.
    pub time: i64,
    pub offset_minutes: i32,
    /// Author name and email after `.mailmap`.
    pub author: String,
    pub email: String,
    /// The first line of the message.
    pub subject: String,
    /// Site-relative paths (current names, after renames) this commit touched, sorted.
    pub paths: Vec<PathBuf>,
}

impl Commit {
    /// The author's calendar date, in the author's own time zone.
    pub fn date(&self) -> Date {
        let local = self.time + i64::from(self.offset_minutes) * 60;
        Date::from_days(local.div_euclid(86_400))
    }

    /// RFC 3339 time with the author's offset, for `<time datetime>` and feeds.
    pub fn rfc3339(&self) -> String {
        let local = self.time + i64::from(self.offset_minutes) * 60;
        let date = Date::from_days(local.div_euclid(86_400));
        let seconds = local.rem_euclid(86_400);
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        format!(
            "{date}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            offset / 60,
            offset % 60
        )
    }
}

/// The history of the site's files, newest commit first.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Commits that touched at least one file of the site, newest first.
    pub commits: Vec<Commit>,
    /// Per site-relative path (its current name), the indices in `commits` of the
    /// commits that touched it or a file it was renamed from, newest first. Hashed, not
    /// ordered: every page looks its files up here, and ordering paths compares them
    /// component by component.
    pub files: FastMap<PathBuf, Vec<usize>>,
    /// The clone is shallow: the oldest commit read is not the repository's first, so
    /// files that seem created by it may be older.
    pub shallow: bool,
    /// Indices in `commits` of the shallow boundary (commits whose parents are missing).
    pub boundary: Vec<usize>,
}

/// What is known of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHistory<'a> {
    /// The first commit, unless the clone is too shallow to know it.
    pub created: Option<&'a Commit>,
    /// The last commit, unless the clone is too shallow to know it.
    pub updated: Option<&'a Commit>,
    /// Authors with their commit counts, most commits first (then by name).
    pub authors: Vec<(&'a str, usize)>,
    /// Newest first.
    pub commits: Vec<&'a Commit>,
    /// Where each of `commits` is in [`History::commits`].
    pub indices: Vec<usize>,
    /// Where `created` is in [`History::commits`].
    pub created_index: Option<usize>,
}

impl History {
    /// The history of a site-relative path; `None` when it has never been committed.
    pub fn file(&self, path: &Path) -> Option<FileHistory<'_>> {
        self.files_together(&[path])
    }

    /// The history of several files taken as one (a measure's definition and its data).
    pub fn files_together(&self, paths: &[&Path]) -> Option<FileHistory<'_>> {
        let mut indices: Vec<usize> = paths
            .iter()
            .filter_map(|p| self.files.get(*p))
            .flatten()
            .copied()
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let oldest = *indices.last()?;
        // In a shallow clone a boundary commit seems to add every file it holds: it did
        // not create them, nor necessarily change them, so it is left out, and a file
        // known only from it has no dates at all rather than wrong ones.
        indices.retain(|i| !self.boundary.contains(i));
        let commits: Vec<&Commit> = indices.iter().map(|i| &self.commits[*i]).collect();
        let updated = commits.first().copied();
        let created_index = (!self.boundary.contains(&oldest)).then_some(oldest);
        let created = created_index.map(|i| &self.commits[i]);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &commits {
            *counts.entry(c.author.as_str()).or_default() += 1;
        }
        let mut authors: Vec<(&str, usize)> = counts.into_iter().collect();
        authors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        Some(FileHistory {
            created,
            updated,
            authors,
            commits,
            indices,
            created_index,
        })
    }

    /// The newest commit's date: "now" for checks, taken from the history so that
    /// output never depends on the build machine's clock.
    pub fn latest_date(&self) -> Option<Date> {
        self.commits.first().map(Commit::date)
    }
}

/// Why the history could not be read. Not being in a repository is not an error.
#[derive(Debug)]
pub struct GitError {
    pub message: String,
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GitError {}

/// Reads the history of the files under `site` (which may be a subfolder of the
/// repository). `Ok(None)` when `site` is not inside a git repository; an empty
/// history for a repository without commits.
pub fn read_history(site: &Path) -> Result<Option<History>, GitError> {
    read::read(site)
}

/// The commit HEAD points at, if there is one (see [`head`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head(Option<String>);

impl Head {
    /// HEAD names a commit: a history read at it stays valid while it does.
    pub fn is_known(&self) -> bool {
        self.0.is_some()
    }
}

/// Where HEAD points now, cheaply (to tell whether a history read earlier is current).
pub fn head(site: &Path) -> Head {
    read::head(site)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, time: i64, author: &str) -> Commit {
        Commit {
            id: id.repeat(40 / id.len()),
            short: id.repeat(7 / id.len() + 1)[..7].to_string(),
            time,
            offset_minutes: 60,
            author: author.into(),
            email: String::new(),
            subject: "s".into(),
            paths: Vec::new(),
        }
    }

    #[test]
    fn dates_are_in_the_authors_time_zone() {
        // 2026-03-01 23:30 UTC is 2 March at +01:00.
        let c = commit("a", 1_772_407_800, "A");
        assert_eq!(c.date().to_string(), "2026-03-02");
        assert_eq!(c.rfc3339(), "2026-03-02T00:30:00+01:00");
    }

    #[test]
    fn file_history_counts_authors_and_hides_shallow_creation() {
        let mut h = History {
            commits: vec![
                commit("c", 300, "Bo"),
                commit("b", 200, "Al"),
                commit("a", 100, "Bo"),
            ],
            ..History::default()
        };
        h.files.insert(PathBuf::from("notes/n.md"), vec![0, 1, 2]);
        let f = h.file(Path::new("notes/n.md")).unwrap();
        assert_eq!(f.created.unwrap().time, 100);
        assert_eq!(f.updated.unwrap().time, 300);
        assert_eq!(f.authors, [("Bo", 2), ("Al", 1)]);
        h.shallow = true;
        h.boundary = vec![2];
        let shallow = h.file(Path::new("notes/n.md")).unwrap();
        assert!(shallow.created.is_none());
        assert_eq!(shallow.authors, [("Al", 1), ("Bo", 1)]);
        h.files.insert(PathBuf::from("notes/old.md"), vec![2]);
        let unknown = h.file(Path::new("notes/old.md")).unwrap();
        assert!(
            unknown.created.is_none() && unknown.updated.is_none() && unknown.commits.is_empty()
        );
        assert!(h.file(Path::new("notes/other.md")).is_none());
    }
}

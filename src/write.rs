//! Write: put the built site on disk atomically. Files go into a fresh folder beside
//! the output, which then replaces it, so a failed build keeps the last good site.

use crate::render::{Output, SiteFiles};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Marks a folder as cyclebook's own, so it is never replaced unless we made it.
pub const MARKER: &str = ".cyclebook-output";

#[derive(Debug)]
pub enum WriteError {
    /// The output folder holds files cyclebook did not write.
    NotOurs(PathBuf),
    /// The output folder would contain, or be, the site itself.
    OverlapsSite(PathBuf),
    /// The output path is a file (or a link to nothing), not a folder.
    NotAFolder(PathBuf),
    /// The output path is the root of a file system.
    FilesystemRoot(PathBuf),
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotOurs(p) => write!(
                f,
                "refusing to replace {}: it is not empty and was not made by cyclebook (remove it or choose another folder with -o)",
                p.display()
            ),
            WriteError::OverlapsSite(p) => write!(
                f,
                "refusing to write to {}: the output folder cannot be the site folder or contain it",
                p.display()
            ),
            WriteError::NotAFolder(p) => write!(
                f,
                "refusing to write to {}: it is not a folder (choose a folder with -o; cyclebook creates it if it does not exist)",
                p.display()
            ),
            WriteError::FilesystemRoot(p) => write!(
                f,
                "refusing to write to {}: it is the root of the file system (choose a folder of its own with -o)",
                p.display()
            ),
            WriteError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for WriteError {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |e| WriteError::Io(path.to_path_buf(), e)
}

/// The path made absolute, with symbolic links and `..` resolved as far as it exists
/// and the rest resolved as written, so that `-o ..`, `-o site/../site` and
/// `-o site/missing/../..` are recognised for what they are.
fn absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let mut resolved = loop {
        if let Ok(real) = fs::canonicalize(existing) {
            break real;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => break PathBuf::new(),
        }
    };
    for component in rest.into_iter().rev() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => resolved.push(name),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    resolved
}

/// A name beside the output that nothing has yet: cyclebook never deletes what it did
/// not make, even a folder that happens to have the name it would choose.
fn unused_path(parent: &Path, name: &str, what: &str) -> PathBuf {
    let pid = std::process::id();
    (0u32..)
        .map(|n| {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("-{n}")
            };
            parent.join(format!(".{name}.cyclebook-{what}-{pid}{suffix}"))
        })
        .find(|p| fs::symlink_metadata(p).is_err())
        .expect("some name is free")
}

/// Checks that `out` may be replaced by a built site: refuses the file system's root, the
/// site or a folder holding it, a file, and a non-empty folder cyclebook did not make.
/// Returns the output path made absolute.
pub fn check_output(out: &Path, site_root: &Path) -> Result<PathBuf, WriteError> {
    let out_abs = absolute(out);
    let site_abs = absolute(site_root);
    if out_abs.parent().is_none() {
        return Err(WriteError::FilesystemRoot(out.to_path_buf()));
    }
    if site_abs.starts_with(&out_abs) {
        return Err(WriteError::OverlapsSite(out.to_path_buf()));
    }
    if let Ok(metadata) = fs::symlink_metadata(&out_abs) {
        if !metadata.is_dir() {
            return Err(WriteError::NotAFolder(out.to_path_buf()));
        }
        let ours = fs::symlink_metadata(out_abs.join(MARKER)).is_ok_and(|m| m.is_file());
        let empty = fs::read_dir(&out_abs)
            .map_err(io_err(out))?
            .next()
            .is_none();
        if !ours && !empty {
            return Err(WriteError::NotOurs(out.to_path_buf()));
        }
    }
    Ok(out_abs)
}

/// Writes `files` to `out`, replacing what was there only once all are written.
pub fn write_site(files: &SiteFiles, out: &Path, site_root: &Path) -> Result<(), WriteError> {
    let staging = Staging::begin(out, site_root)?;
    staging.write_all(files)?;
    staging.finish()
}

/// A new site being written beside the output: files may be added from any thread as
/// they are made; [`Staging::finish`] puts it in place of the output. Dropped
/// unfinished (a failed build), it is deleted and the output is left as it was.
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    finished: bool,
    /// Folders (relative to `dir`) made so far: a file goes straight into a known one,
    /// and a new one is made before its first file, not after a failed attempt.
    made: std::sync::Mutex<crate::hash::FastSet<PathBuf>>,
}

impl Staging {
    /// Checks that `out` may be replaced (see [`check_output`]) and makes the folder
    /// the new site is written into.
    pub fn begin(out: &Path, site_root: &Path) -> Result<Staging, WriteError> {
        let out_abs = check_output(out, site_root)?;
        let (Some(parent), Some(name)) = (out_abs.parent(), out_abs.file_name()) else {
            return Err(WriteError::FilesystemRoot(out.to_path_buf()));
        };
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let dir = unused_path(parent, &name.to_string_lossy(), "new");
        // `create_dir`, not `create_dir_all`: the folder must be new.
        fs::create_dir(&dir).map_err(io_err(&dir))?;
        let staging = Staging {
            dir,
            out: out_abs,
            finished: false,
            made: Default::default(),
        };
        fs::write(
            staging.dir.join(MARKER),
            "This folder is built by cyclebook and replaced on every build.\n",
        )
        .map_err(io_err(&staging.dir))?;
        Ok(staging)
    }

    /// Writes one file at `rel`, making its folders when they are missing.
    pub fn write_file(&self, rel: &Path, output: &Output) -> Result<(), WriteError> {
        let target = self.dir.join(rel);
        if let Some(folder) = rel.parent().filter(|f| !f.as_os_str().is_empty()) {
            let known = self
                .made
                .lock()
                .expect("no panic while held")
                .contains(folder);
            if !known {
                let dir = self.dir.join(folder);
                fs::create_dir_all(&dir).map_err(io_err(&dir))?;
                self.made
                    .lock()
                    .expect("no panic while held")
                    .insert(folder.to_path_buf());
            }
        }
        let write = || match output {
            Output::Bytes(bytes) => fs::write(&target, bytes.as_slice()),
            Output::Copy(from) => fs::copy(from, &target).map(|_| ()),
            Output::Parts(parts) => {
                let mut file = io::BufWriter::with_capacity(1 << 16, fs::File::create(&target)?);
                parts
                    .iter()
                    .try_for_each(|part| io::Write::write_all(&mut file, part.as_bytes()))?;
                io::Write::flush(&mut file)
            }
        };
        write().map_err(|e| match output {
            Output::Copy(from) if !from.exists() => WriteError::Io(from.clone(), e),
            _ => WriteError::Io(target.clone(), e),
        })
    }

    /// Writes `files` on all cores.
    pub fn write_all(&self, files: &SiteFiles) -> Result<(), WriteError> {
        use rayon::prelude::*;
        let files: Vec<(&PathBuf, &Output)> = files.iter().collect();
        files
            .par_iter()
            .try_for_each(|(rel, output)| self.write_file(rel, output))
    }

    /// Puts the new site in place of the output.
    pub fn finish(mut self) -> Result<(), WriteError> {
        self.finished = true;
        let (Some(parent), Some(name)) = (self.out.parent(), self.out.file_name()) else {
            return Err(WriteError::FilesystemRoot(self.out.clone()));
        };
        let result = swap(&self.dir, &self.out, parent, &name.to_string_lossy());
        if result.is_err() {
            self.discard();
        }
        result
    }

    fn discard(&self) {
        if fs::symlink_metadata(self.dir.join(MARKER)).is_ok() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            self.discard();
        }
    }
}

/// Deletes a folder cyclebook wrote (no links, no foreign files), its files on all
/// cores: deleting the last build took a tenth of a build of 10,000 pages.
fn remove_built_folder(dir: &Path) {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().for_each(|f| {
        let _ = fs::remove_file(f);
    });
    let _ = fs::remove_dir_all(dir);
}

/// Moves the old output aside, the new one in, then deletes the old one.
fn swap(staging: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), WriteError> {
    let had_output = out.exists();
    let previous = unused_path(parent, name, "old");
    if had_output {
        fs::rename(out, &previous).map_err(io_err(out))?;
    }
    if let Err(e) = fs::rename(staging, out) {
        if had_output {
            let _ = fs::rename(&previous, out);
        }
        return Err(WriteError::Io(out.to_path_buf(), e));
    }
    if had_output {
        remove_built_folder(&previous);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> SiteFiles {
        pairs
            .iter()
            .map(|(p, c)| {
                (
                    PathBuf::from(p),
                    Output::Bytes(std::sync::Arc::new(c.as_bytes().to_vec())),
                )
            })
            .collect()
    }

    #[test]
    fn an_unfinished_staging_is_deleted_and_the_output_kept() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        let out = dir.path().join("public");
        write_site(&files(&[("a/index.html", "good")]), &out, &site).unwrap();
        {
            let staging = Staging::begin(&out, &site).unwrap();
            let page = Output::Bytes(std::sync::Arc::new(b"half".to_vec()));
            staging
                .write_file(Path::new("b/c/index.html"), &page)
                .unwrap();
            // A build that fails here drops `staging` unfinished.
        }
        assert_eq!(
            fs::read_to_string(out.join("a/index.html")).unwrap(),
            "good"
        );
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["public", "site"]);
    }

    #[test]
    fn replaces_its_own_output_and_leaves_no_staging_behind() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        let out = dir.path().join("public");
        write_site(
            &files(&[("a/index.html", "one"), ("old.html", "x")]),
            &out,
            &site,
        )
        .unwrap();
        write_site(&files(&[("a/index.html", "two")]), &out, &site).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn never_deletes_a_folder_that_has_the_name_it_would_stage_in() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        let out = dir.path().join("public");
        let pid = std::process::id();
        for what in ["new", "old"] {
            let squatter = dir.path().join(format!(".public.cyclebook-{what}-{pid}"));
            fs::create_dir(&squatter).unwrap();
            fs::write(squatter.join("mine.txt"), "mine").unwrap();
        }
        write_site(&files(&[("a.html", "one")]), &out, &site).unwrap();
        write_site(&files(&[("a.html", "two")]), &out, &site).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "two");
        for what in ["new", "old"] {
            let squatter = dir.path().join(format!(".public.cyclebook-{what}-{pid}"));
            assert_eq!(
                fs::read_to_string(squatter.join("mine.txt")).unwrap(),
                "mine"
            );
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 4);
    }

    #[test]
    fn refuses_files_and_the_root_and_resolves_dot_dot_through_missing_folders() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        let file = dir.path().join("f.html");
        fs::write(&file, "keep").unwrap();
        let x = files(&[("i.html", "x")]);
        assert!(matches!(
            write_site(&x, &file, &site),
            Err(WriteError::NotAFolder(_))
        ));
        assert_eq!(fs::read_to_string(&file).unwrap(), "keep");
        assert!(matches!(
            write_site(&x, Path::new("/"), &site),
            Err(WriteError::FilesystemRoot(_))
        ));
        let sneaky = site.join("a/b/../../..");
        assert!(matches!(
            write_site(&x, &sneaky, &site),
            Err(WriteError::OverlapsSite(_))
        ));
        assert!(!site.join("a").exists());
        assert_eq!(
            absolute(&site.join("new/../other")),
            absolute(&site).join("other")
        );
    }

    #[test]
    fn refuses_folders_it_did_not_make_and_the_site_itself() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        let precious = dir.path().join("docs");
        fs::create_dir(&precious).unwrap();
        fs::write(precious.join("keep.txt"), "mine").unwrap();
        assert!(matches!(
            write_site(&files(&[("i.html", "x")]), &precious, &site),
            Err(WriteError::NotOurs(_))
        ));
        assert_eq!(
            fs::read_to_string(precious.join("keep.txt")).unwrap(),
            "mine"
        );
        assert!(matches!(
            write_site(&files(&[("i.html", "x")]), dir.path(), &site),
            Err(WriteError::OverlapsSite(_))
        ));
    }
}

//! Write: put the built site on disk atomically. Files go into a fresh folder beside
//! the output, which then replaces it, so a failed build keeps the last good site.

use crate::render::{Output, SiteFiles};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Marks a folder as cyclebook's own, so it is never replaced unless we made it.
pub const MARKER: &str = ".cyclebook-output";

#[derive(Debug)]
pub enum WriteError {
    /// The output folder holds files cyclebook did not write.
    NotOurs(PathBuf),
    /// The output folder would contain, or be, the site itself.
    OverlapsSite(PathBuf),
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
            WriteError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for WriteError {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |e| WriteError::Io(path.to_path_buf(), e)
}

/// The path with `..` and symbolic links resolved as far as it exists, so that
/// `-o ..` and `-o site/../site` are recognised for what they are.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => absolute_parent(parent).join(name),
        _ => absolute,
    }
}

fn absolute_parent(parent: &Path) -> PathBuf {
    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
}

/// Writes `files` to `out`, replacing what was there only once all are written.
pub fn write_site(files: &SiteFiles, out: &Path, site_root: &Path) -> Result<(), WriteError> {
    let out_abs = absolute(out);
    let site_abs = absolute(site_root);
    if site_abs.starts_with(&out_abs) {
        return Err(WriteError::OverlapsSite(out.to_path_buf()));
    }
    if out.exists() {
        let ours = out.join(MARKER).is_file();
        let empty = fs::read_dir(out).map_err(io_err(out))?.next().is_none();
        if !ours && !empty {
            return Err(WriteError::NotOurs(out.to_path_buf()));
        }
    }
    let parent = out_abs
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let name = out_abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}.cyclebook-new-{}", std::process::id()));
    let previous = parent.join(format!(".{name}.cyclebook-old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let result = write_all(files, &staging).and_then(|()| swap(&staging, &out_abs, &previous));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(files: &SiteFiles, staging: &Path) -> Result<(), WriteError> {
    fs::create_dir_all(staging).map_err(io_err(staging))?;
    fs::write(
        staging.join(MARKER),
        "This folder is built by cyclebook and replaced on every build.\n",
    )
    .map_err(io_err(staging))?;
    for (rel, output) in files {
        let target = staging.join(rel);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        match output {
            Output::Bytes(bytes) => fs::write(&target, bytes).map_err(io_err(&target))?,
            Output::Copy(from) => {
                fs::copy(from, &target).map_err(io_err(from))?;
            }
        }
    }
    Ok(())
}

/// Moves the old output aside, the new one in, then deletes the old one.
fn swap(staging: &Path, out: &Path, previous: &Path) -> Result<(), WriteError> {
    let had_output = out.exists();
    if had_output {
        let _ = fs::remove_dir_all(previous);
        fs::rename(out, previous).map_err(io_err(out))?;
    }
    if let Err(e) = fs::rename(staging, out) {
        if had_output {
            let _ = fs::rename(previous, out);
        }
        return Err(WriteError::Io(out.to_path_buf(), e));
    }
    if had_output {
        let _ = fs::remove_dir_all(previous);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> SiteFiles {
        pairs
            .iter()
            .map(|(p, c)| (PathBuf::from(p), Output::Bytes(c.as_bytes().to_vec())))
            .collect()
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

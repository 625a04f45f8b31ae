//! cyclebook: build a linked static site from a learning health system's PDSA cycles,
//! notes and measures, and check it like a compiler.
//!
//! The stages, in the order data flows:
//! load ([`content`]) → resolve ([`resolve`]) → compute ([`stats`]) → render ([`render`])
//! → write ([`write`]). [`check`] and [`build`] drive them.

// A Diagnostic is the error of the load stage by design; it is built once per problem,
// off the fast path, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod content;
pub mod date;
pub mod diagnostics;
pub mod git;
pub mod hash;
pub mod privacy;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod serve;
pub mod stats;
#[cfg(test)]
mod test_support;
pub mod write;

use diagnostics::Diagnostic;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why a check or build could not finish. Content problems carry every diagnostic.
#[derive(Debug)]
pub enum Error {
    /// The site has errors (exit code 1); warnings are included.
    Content(Vec<Diagnostic>),
    Load(content::LoadError),
    Write(write::WriteError),
    /// A command-line option is wrong (exit code 2).
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Content(d) => write!(f, "the site has errors: {}", diagnostics::summary(d)),
            Error::Load(e) => e.fmt(f),
            Error::Write(e) => e.fmt(f),
            Error::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// A site read, resolved and rendered in memory.
pub struct Built {
    pub files: render::SiteFiles,
    /// Shared with the [`Cache`], which patches it for the next build.
    pub library: std::sync::Arc<resolve::Library>,
    pub config: config::Config,
    /// Warnings (there are no errors in a successful build).
    pub diagnostics: Vec<Diagnostic>,
}

/// What one build of a site keeps for the next: files read, links found, identifiers
/// scanned, the git history, measure analyses and rendered pages. `serve` keeps one,
/// so that a rebuild after an edit does the work of the edit, not of the whole site.
/// Whatever is in it, [`compile_cached`] gives the same output as [`compile`].
#[derive(Debug, Default)]
pub struct Cache {
    pub load: content::LoadCache,
    links: resolve::LinkCache,
    identifiers: IdentifierCache,
    history: CachedHistory,
    pub render: render::RenderCache,
}

impl Cache {
    /// Whether the last build patched the library of the one before instead of
    /// resolving every item again (an edit that kept every relation).
    pub fn last_resolve_patched(&self) -> bool {
        self.links.last_patched
    }
}

/// Runs every stage but writing. Errors anywhere fail the whole run, with all of them.
/// `base_url` overrides the one in `cyclebook.yml`; `git` reads the site's history.
pub fn compile(
    site: &Path,
    base_url: Option<&str>,
    git: bool,
    allow_identifiers: bool,
) -> Result<Built, Error> {
    compile_cached(
        site,
        base_url,
        git,
        allow_identifiers,
        &mut Cache::default(),
    )
}

/// [`compile`], reusing and refreshing what `cache` holds from earlier builds.
pub fn compile_cached(
    site: &Path,
    base_url: Option<&str>,
    git: bool,
    allow_identifiers: bool,
    cache: &mut Cache,
) -> Result<Built, Error> {
    compile_with(site, base_url, git, allow_identifiers, cache, Pages::Keep)
}

/// What a compilation does with the pages.
enum Pages<'a> {
    /// Keeps them in memory ([`Built::files`]) and in the cache.
    Keep,
    /// Hands them to the sink as they are made; [`Built::files`] holds only the rest
    /// (site-wide files, assets, static files).
    Stream(&'a render::Sink<'a>),
    /// Renders nothing unless the site has templates of its own, whose mistakes only
    /// show when rendering; the default theme's are tested with the tool. Like
    /// `cargo check`, which leaves out code generation.
    Check,
}

/// [`compile_cached`], doing with the pages what `pages` says.
fn compile_with(
    site: &Path,
    base_url: Option<&str>,
    git: bool,
    allow_identifiers: bool,
    cache: &mut Cache,
    pages: Pages,
) -> Result<Built, Error> {
    if let Some(url) = base_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::Usage(format!(
                "--base-url must be an absolute http(s) URL such as https://example.org/ward7/, not `{url}`"
            )));
        }
    }
    let mut laps = Laps::start();
    // The history needs only the repository: it is read on a thread of its own (reading
    // it is mostly serial) while the files are loaded, resolved and scanned.
    let history_read = git.then(|| {
        let (site, cached) = (site.to_path_buf(), cache.history.take());
        std::thread::spawn(move || git_history(&site, cached))
    });
    let loaded = content::load_cached(site, &mut cache.load).map_err(Error::Load)?;
    laps.lap("load");
    let content::Content {
        mut config,
        items,
        static_files,
        templates,
        config_file,
        diagnostics: mut all,
        ..
    } = loaded;
    if let Some(url) = base_url {
        config.base_url = Some(if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        });
    }
    let static_paths: Vec<PathBuf> = static_files.iter().map(|(out, _)| out.clone()).collect();
    // `check` renders only a site's own templates; the search text is kept for rendering.
    let renders = !(matches!(pages, Pages::Check) && templates.is_empty());
    cache.links.keep_body_texts = renders;
    let (mut library, resolve_diagnostics) =
        resolve::resolve_cached(items, &static_paths, &mut cache.links);
    all.extend(resolve_diagnostics);
    laps.lap("resolve");
    all.extend(scan_identifiers(
        &library,
        &config_file,
        allow_identifiers,
        &mut cache.identifiers,
    ));
    if !config.privacy_decided {
        all.extend(library.items.iter().filter_map(|item| {
            privacy::suppression::small_counts_without_suppression(item, config.suppress_below)
        }));
    }
    laps.lap("identifiers and privacy");
    let history = match history_read {
        Some(thread) => {
            let (read, cached) = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            cache.history = cached;
            history_diagnostics(read, &library, &config, &mut all)
        }
        None => None,
    };
    if let Some(history) = &history {
        resolve::date_undated_notes(&mut library, history);
    }
    laps.lap("history");
    let sink = match pages {
        Pages::Stream(sink) => Some(sink),
        Pages::Keep | Pages::Check => None,
    };
    let files = if !renders {
        let collisions =
            render::static_collisions(&library, &config, &static_files, history.is_some());
        all.extend(collisions.into_iter().map(|(_, diagnostic)| diagnostic));
        Some(render::SiteFiles::new())
    } else {
        match render::render_site(
            &library,
            &config,
            &templates,
            &static_files,
            history.as_ref(),
            &mut cache.render,
            sink,
        ) {
            Ok(files) => Some(files),
            Err(render_diagnostics) => {
                all.extend(render_diagnostics);
                None
            }
        }
    };
    laps.lap("render");
    diagnostics::sort(&mut all);
    match files {
        Some(files) if !all.iter().any(Diagnostic::is_error) => Ok(Built {
            files,
            library,
            config,
            diagnostics: all,
        }),
        _ => Err(Error::Content(all)),
    }
}

/// With `CYCLEBOOK_TIMINGS` set, each stage's time goes to standard error: where a
/// build's time goes, without a profiler.
struct Laps {
    last: Option<Instant>,
}

impl Laps {
    fn start() -> Laps {
        Laps {
            last: std::env::var_os("CYCLEBOOK_TIMINGS").map(|_| Instant::now()),
        }
    }

    fn lap(&mut self, stage: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "{stage:>24}: {:8.1} ms{}",
                last.elapsed().as_secs_f64() * 1000.0,
                memory_in_use()
            );
            self.last = Some(Instant::now());
        }
    }
}

/// The process's resident memory now and at its peak, where the system tells (Linux).
fn memory_in_use() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!("  (memory {} MB, peak {} MB)", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

/// `cyclebook check`: everything `build` validates, without writing. Pages are rendered
/// only when the site has templates of its own (see [`Pages::Check`]).
pub fn check(site: &Path, git: bool, allow_identifiers: bool) -> Result<Vec<Diagnostic>, Error> {
    compile_with(
        site,
        None,
        git,
        allow_identifiers,
        &mut Cache::default(),
        Pages::Check,
    )
    .map(|built| built.diagnostics)
}

/// Every file that would be published, scanned for identifiers (NHS numbers, emails,
/// phone numbers, postcodes, dates of birth). Errors, unless the user allowed them.
/// Findings by the revision of the file read (and whether it is a measure's CSV, read
/// with its definition).
type IdentifierCache = std::collections::HashMap<(u64, bool), Vec<privacy::identifiers::Finding>>;

fn scan_identifiers(
    library: &resolve::Library,
    config_file: &content::source::SourceFile,
    allow: bool,
    cache: &mut IdentifierCache,
) -> Vec<Diagnostic> {
    // (path, text, the revision of the file read and whether the text is its CSV)
    let mut files: Vec<(&Path, &str, (u64, bool))> = vec![(
        &config_file.path,
        &config_file.text,
        (config_file.revision, false),
    )];
    for item in &library.items {
        if !item.source.text.is_empty() {
            files.push((
                item.path(),
                &item.source.text,
                (item.source.revision, false),
            ));
        }
        if let Some(m) = item.measure() {
            if let Some(data) = &m.data {
                // A measure's CSV is read again whenever its definition is.
                files.push((&m.csv_path, &data.raw, (item.source.revision, true)));
            }
        }
    }
    let mut found = Vec::new();
    let mut fresh = IdentifierCache::with_capacity(files.len());
    let cached: Vec<Option<Vec<privacy::identifiers::Finding>>> =
        files.iter().map(|(_, _, key)| cache.remove(key)).collect();
    // Scanning is most of a clean check's time: on all cores.
    let scanned: Vec<Vec<privacy::identifiers::Finding>> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .zip(cached)
            .map(|((_, text, _), cached)| {
                cached.unwrap_or_else(|| privacy::identifiers::scan(text))
            })
            .collect()
    };
    for ((path, text, key), findings) in files.into_iter().zip(scanned) {
        for finding in &findings {
            let message = format!(
                "this looks like {}: identifiable data must not be published",
                finding.rule.description()
            );
            let d = if allow {
                Diagnostic::warning("W0701", message)
            } else {
                Diagnostic::error("E0701", message)
            };
            found.push(
                d.at(path, text, finding.pos())
                    .label(format!("possible {}", finding.rule.as_str()))
                    .hint(format!(
                        "remove it; if it is not about a person (a made-up example, the ward's switchboard), add `{}={}` on the same line (in Markdown as an HTML comment, in YAML as a # comment)",
                        privacy::identifiers::ALLOW_MARKER,
                        finding.rule.as_str()
                    )),
            );
        }
        fresh.insert(key, findings);
    }
    *cache = fresh;
    found
}

/// A history and the state of the repository it was read at.
type CachedHistory = Option<(git::Head, Option<git::History>)>;

/// The site's history: `cached` while the repository's HEAD has not moved (no commit,
/// no checkout), else read again; with what to cache for next time.
fn git_history(
    site: &Path,
    cached: CachedHistory,
) -> (Result<Option<git::History>, git::GitError>, CachedHistory) {
    let head = git::head(site);
    let read = match cached {
        Some((h, history)) if h == head && head.is_known() => Ok(history),
        _ => git::read_history(site),
    };
    let cached = read.as_ref().ok().map(|history| (head, history.clone()));
    (read, cached)
}

/// Turns what a reader should know about the history into warnings: a shallow clone
/// (wrong dates otherwise), an unreadable repository, stale data.
fn history_diagnostics(
    read: Result<Option<git::History>, git::GitError>,
    library: &resolve::Library,
    config: &config::Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<git::History> {
    match read {
        Ok(Some(history)) => {
            if history.shallow {
                diagnostics.push(
                    Diagnostic::warning("W0501", "the git history is shallow, so created dates, and the dates of files unchanged since the oldest fetched commit, are unknown")
                        .hint("fetch the whole history: in GitHub Actions set `fetch-depth: 0` on actions/checkout; in GitLab CI set the variable `GIT_DEPTH: 0`; locally run `git fetch --unshallow`"),
                );
            }
            diagnostics.extend(resolve::stale_measures(
                library,
                &history,
                config.stale_data_days,
            ));
            Some(history)
        }
        Ok(None) => None,
        Err(e) => {
            diagnostics.push(
                Diagnostic::warning("W0502", format!("the git history could not be read, so pages show no dates or authors from it: {e}"))
                    .hint("check the repository with `git status`, or build with --no-git"),
            );
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site: PathBuf,
    /// Defaults to `SITE/public`.
    pub out: Option<PathBuf>,
    /// Overrides `base_url` from `cyclebook.yml`.
    pub base_url: Option<String>,
    /// Read the site's git history for dates, authors and `/recent/`.
    pub git: bool,
    /// Publish even if the identifier scanner finds something (findings become warnings).
    pub allow_identifiers: bool,
}

pub struct BuildReport {
    pub out: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub seconds: f64,
    pub diagnostics: Vec<Diagnostic>,
}

/// `cyclebook build`: compile, then swap the new site into place.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.site.join("public"));
    // A dangerous output folder is refused before any work is done. Pages are written
    // beside it as they are made (the site is never all in memory); a failed build
    // drops `staging`, which deletes them and leaves the last good site.
    let staging = write::Staging::begin(&out, &options.site).map_err(Error::Write)?;
    let counts = std::sync::atomic::AtomicUsize::new(0);
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let failure = std::sync::Mutex::new(None);
    let is_page = |p: &Path| p.extension().is_some_and(|e| e == "html");
    let sink = |path: &Path, output: &render::Output| {
        use std::sync::atomic::Ordering::Relaxed;
        counts.fetch_add(1, Relaxed);
        if is_page(path) {
            pages.fetch_add(1, Relaxed);
        }
        if let Err(e) = staging.write_file(path, output) {
            failure
                .lock()
                .expect("no panic while held")
                .get_or_insert(e);
        }
    };
    let built = compile_with(
        &options.site,
        options.base_url.as_deref(),
        options.git,
        options.allow_identifiers,
        &mut Cache::default(),
        Pages::Stream(&sink),
    )?;
    if let Some(e) = failure.into_inner().expect("no panic while held") {
        return Err(Error::Write(e));
    }
    let mut laps = Laps::start();
    staging.write_all(&built.files).map_err(Error::Write)?;
    staging.finish().map_err(Error::Write)?;
    laps.lap("write the rest, swap");
    let pages = pages.into_inner() + built.files.keys().filter(|p| is_page(p)).count();
    let Built {
        files,
        library,
        diagnostics,
        ..
    } = built;
    let report = BuildReport {
        out,
        pages,
        files: counts.into_inner() + files.len(),
        seconds: started.elapsed().as_secs_f64(),
        diagnostics,
    };
    // Freeing a large site's model takes a noticeable part of a build: on a thread of
    // its own, which a process that ends straight after need not wait for.
    std::thread::spawn(move || drop((files, library)));
    Ok(report)
}

//! `cyclebook serve`: builds the site into memory, serves it over HTTP, watches the site
//! folder and rebuilds on every change, reloading open pages. Rebuilds go through the
//! same [`compile_cached`](crate::compile_cached) as `build`, with a cache kept between
//! them, so what is served is always what a clean build would write.
//!
//! When an edit breaks the site, every page shows the diagnostics over it (the last
//! good build stays underneath) until the file is fixed.

use crate::diagnostics::Diagnostic;
use crate::render::chart::escape;
use crate::render::{Output, SiteFiles};
use crate::{Cache, Error};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Where `serve` listens unless told otherwise; the next few ports are tried if it is
/// taken and no port was asked for.
pub const DEFAULT_PORT: u16 = 3000;

/// Changes closer together than this are one rebuild (an editor's save is several
/// file-system events: write a temporary file, rename it over the old one).
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// The prefix of the server's own paths (live reload, status), which no site uses.
const OWN: &str = "/__cyclebook/";

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: PathBuf,
    pub bind: IpAddr,
    /// `None`: [`DEFAULT_PORT`] or the next free one; `Some(0)`: any free port.
    pub port: Option<u16>,
    pub git: bool,
    pub allow_identifiers: bool,
}

/// What `serve` reports as it goes; the caller decides how to show it.
#[derive(Debug)]
pub enum Event<'a> {
    /// Listening: pages are at `url`.
    Listening { url: &'a str },
    /// A build succeeded. `rendered` of `units` pages were rendered, the rest reused.
    Built {
        millis: f64,
        rendered: usize,
        units: usize,
        files_read: usize,
        warnings: &'a [Diagnostic],
        changed: &'a [PathBuf],
    },
    /// A build failed: the browser shows these over the last good build.
    Failed {
        millis: f64,
        diagnostics: &'a [Diagnostic],
    },
    /// The watcher reported an error; watching goes on.
    WatchError(String),
}

/// What the server serves, swapped whole after each rebuild.
struct State {
    /// The last good build, if there was one.
    files: Option<Arc<SiteFiles>>,
    /// The overlay shown while the site has errors.
    overlay: Option<Arc<String>>,
    /// Counts rebuilds, so a page knows whether it is out of date.
    generation: u64,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// Tells this server's pages from a previous run's (which must reload).
    instance: String,
}

/// Builds, then serves until the process ends. Returns only on a start-up failure (the
/// site cannot be read, the port cannot be bound, the folder cannot be watched).
pub fn serve(options: &ServeOptions, report: &mut dyn FnMut(Event<'_>)) -> Result<(), Error> {
    // Absolute, so that the watcher's paths and the loader's are the same paths.
    let site = std::path::absolute(&options.site).unwrap_or_else(|_| options.site.clone());
    if !site.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Error::Load(crate::content::LoadError::NotASite(site)));
    }
    let listener = bind(options.bind, options.port)?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Usage(format!("cannot listen: {e}")))?;
    let url = match address {
        SocketAddr::V4(a) if a.ip().is_unspecified() => format!("http://127.0.0.1:{}/", a.port()),
        SocketAddr::V6(a) if a.ip().is_unspecified() => format!("http://[::1]:{}/", a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
        SocketAddr::V4(a) => format!("http://{a}/"),
    };
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            files: None,
            overlay: None,
            generation: 0,
        }),
        changed: Condvar::new(),
        instance: format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ),
    });

    // Watch before the first build, so that no edit made during it is missed.
    let (events_tx, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(events_tx)
        .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", site.display())))?;
    {
        use notify::Watcher;
        watcher
            .watch(&site, notify::RecursiveMode::Recursive)
            .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", site.display())))?;
    }

    let mut cache = Cache::default();
    let mut builder = Builder {
        site: &site,
        base_url: url.clone(),
        options,
        cache: &mut cache,
        shared: &shared,
    };
    builder.rebuild(&[], false, &[], report);

    let server = Arc::clone(&shared);
    std::thread::spawn(move || accept(listener, server));
    report(Event::Listening { url: &url });

    let site_abs = site.clone();
    loop {
        let Ok(first) = events.recv() else {
            return Ok(()); // The watcher is gone.
        };
        let mut changed = BTreeSet::new();
        // Whether the watcher may have missed something (an overflow, an error): then
        // the paths it named are not all that changed.
        let mut unsure = false;
        let mut note =
            |event: notify::Result<notify::Event>, report: &mut dyn FnMut(Event)| match event {
                Ok(event) if event.need_rescan() => unsure = true,
                Ok(event) if matters(&event) => {
                    changed.extend(event.paths.into_iter().filter(|p| !ignored(&site_abs, p)))
                }
                Ok(_) => {}
                Err(e) => {
                    unsure = true;
                    report(Event::WatchError(e.to_string()))
                }
            };
        note(first, report);
        // Wait for the burst of events to end.
        while let Ok(event) = events.recv_timeout(DEBOUNCE) {
            note(event, report);
        }
        if changed.is_empty() && !unsure {
            continue;
        }
        let changed: Vec<PathBuf> = changed.into_iter().collect();
        // An editor's temporary file, gone by now, is not worth naming in the report.
        let named: Vec<PathBuf> = changed
            .iter()
            .filter(|p| p.exists() || p.extension().is_some_and(|e| e == "md" || e == "csv"))
            .map(|p| p.strip_prefix(&site_abs).unwrap_or(p).to_path_buf())
            .collect();
        builder.rebuild(&changed, !unsure, &named, report);
    }
}

/// An event that can change what the site is made of (not a mere read).
fn matters(event: &notify::Event) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Paths no build reads: hidden files and folders (`.git`, editors' swap files), backup
/// copies (`notes/a.md~`) and cyclebook's own output folders.
fn ignored(site: &Path, path: &Path) -> bool {
    let relative = path.strip_prefix(site).unwrap_or(path);
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.ends_with('~')
        || relative.components().any(|c| match c {
            Component::Normal(part) => part.to_string_lossy().starts_with('.'),
            _ => false,
        })
        || relative
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| site.join(a).join(crate::write::MARKER).exists())
}

struct Builder<'a> {
    site: &'a Path,
    base_url: String,
    options: &'a ServeOptions,
    cache: &'a mut Cache,
    shared: &'a Shared,
}

impl Builder<'_> {
    /// Rebuilds after the watcher saw `changed` (`complete`: and nothing else);
    /// `named` are the ones to report.
    fn rebuild(
        &mut self,
        changed: &[PathBuf],
        complete: bool,
        named: &[PathBuf],
        report: &mut dyn FnMut(Event<'_>),
    ) {
        let started = Instant::now();
        let paths = changed.iter().map(PathBuf::as_path);
        if complete {
            self.cache.load.only_modified(paths);
        } else {
            self.cache.load.forget(paths);
        }
        let result = crate::compile_cached(
            self.site,
            Some(&self.base_url),
            self.options.git,
            self.options.allow_identifiers,
            self.cache,
        );
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(built) => {
                state.files = Some(Arc::new(built.files));
                state.overlay = None;
                state.generation += 1;
                drop(state);
                self.shared.changed.notify_all();
                report(Event::Built {
                    millis,
                    rendered: self.cache.render.last_rendered,
                    units: self.cache.render.last_units,
                    files_read: self.cache.load.last_read,
                    warnings: &built.diagnostics,
                    changed: named,
                });
            }
            Err(Error::Content(diagnostics)) => {
                state.overlay = Some(Arc::new(overlay(&diagnostics)));
                state.generation += 1;
                drop(state);
                self.shared.changed.notify_all();
                report(Event::Failed {
                    millis,
                    diagnostics: &diagnostics,
                });
            }
            Err(other) => {
                let d = Diagnostic::error("E0000", other.to_string());
                state.overlay = Some(Arc::new(overlay(std::slice::from_ref(&d))));
                state.generation += 1;
                drop(state);
                self.shared.changed.notify_all();
                report(Event::Failed {
                    millis,
                    diagnostics: std::slice::from_ref(&d),
                });
            }
        }
    }
}

fn bind(ip: IpAddr, port: Option<u16>) -> Result<TcpListener, Error> {
    let cannot = |port: u16, e: std::io::Error| {
        Error::Usage(format!(
            "cannot listen on {}: {e}{}",
            SocketAddr::new(ip, port),
            if e.kind() == std::io::ErrorKind::AddrInUse {
                " (another program uses the port: choose one with --port)"
            } else {
                ""
            }
        ))
    };
    match port {
        Some(port) => TcpListener::bind((ip, port)).map_err(|e| cannot(port, e)),
        None => {
            let mut last = None;
            for port in DEFAULT_PORT..DEFAULT_PORT + 10 {
                match TcpListener::bind((ip, port)) {
                    Ok(listener) => return Ok(listener),
                    Err(e) => last = Some((port, e)),
                }
            }
            let (port, e) = last.expect("ten ports were tried");
            Err(cannot(port, e))
        }
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming().flatten() {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let _ = handle(stream, &shared);
        });
    }
}

/// The longest request head read; a browser's is a few hundred bytes.
const MAX_REQUEST_HEAD: u64 = 16 * 1024;

fn handle(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new((&stream).take(MAX_REQUEST_HEAD));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // The headers are not needed; read them so the client sees its request taken.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut out,
            method,
            405,
            "text/plain; charset=utf-8",
            b"Only GET and HEAD.\n",
            &[],
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if let Some(own) = path.strip_prefix(OWN) {
        return own_path(&mut out, method, own, query, shared);
    }
    let (files, overlay, generation) = {
        let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.files.clone(), state.overlay.clone(), state.generation)
    };
    let live = live_reload_script(generation, &shared.instance);
    let Some(files) = files else {
        // Nothing built yet: the errors are the page.
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>cyclebook: the site has errors</title></head><body>{}{live}</body></html>",
            overlay.as_deref().map_or("", String::as_str)
        );
        return respond(
            &mut out,
            method,
            500,
            "text/html; charset=utf-8",
            body.as_bytes(),
            &[],
        );
    };
    let Some(key) = site_path(path) else {
        return not_found(&mut out, method, &files, overlay.as_deref(), &live);
    };
    let found = files.get(&key).map(|o| (key.clone(), o)).or_else(|| {
        // `/cycles/x` is the folder `/cycles/x/`: send the browser there.
        let index = key.join("index.html");
        files.get(&index).map(|o| (index, o))
    });
    let Some((found_key, output)) = found else {
        return not_found(&mut out, method, &files, overlay.as_deref(), &live);
    };
    if found_key != key && !path.ends_with('/') {
        let location = format!("{path}/");
        return respond(
            &mut out,
            method,
            301,
            "text/plain; charset=utf-8",
            b"Moved\n",
            &[("Location", &location)],
        );
    }
    let bytes = match output.to_bytes() {
        Ok(bytes) => bytes,
        Err(_) => return not_found(&mut out, method, &files, overlay.as_deref(), &live),
    };
    let content_type = content_type(&found_key);
    let body = if content_type.starts_with("text/html") {
        inject(&bytes, overlay.as_deref(), &live)
    } else {
        bytes
    };
    respond(&mut out, method, 200, content_type, &body, &[])
}

fn not_found(
    out: &mut TcpStream,
    method: &str,
    files: &SiteFiles,
    overlay: Option<&String>,
    live: &str,
) -> std::io::Result<()> {
    let page = match files.get(Path::new("404.html")).map(Output::to_bytes) {
        Some(Ok(bytes)) => bytes,
        _ => b"<!doctype html><title>Not found</title><h1>Not found</h1>".to_vec(),
    };
    respond(
        out,
        method,
        404,
        "text/html; charset=utf-8",
        &inject(&page, overlay, live),
        &[],
    )
}

/// The site file a URL path names, or `None` for one that is not a plain path inside
/// the site (`..`, backslashes, NUL, bad escapes): nothing outside the built site can
/// be reached, and only built files are looked up.
fn site_path(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    if decoded.contains(['\\', '\0']) || !decoded.starts_with('/') {
        return None;
    }
    let mut key = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(':') => return None,
            s => key.push(s),
        }
    }
    if decoded.ends_with('/') {
        key.push("index.html");
    }
    Some(key)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn respond(
    out: &mut TcpStream,
    method: &str,
    status: u16,
    content_type: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    out.flush()
}

/// `/__cyclebook/events`: a server-sent event `reload` once the site is newer than the
/// page (`since`, the generation the page was served at); `/__cyclebook/status`: the
/// generation, whether the site has errors, and how many files it has (for tests and
/// tools).
fn own_path(
    out: &mut TcpStream,
    method: &str,
    own: &str,
    query: &str,
    shared: &Shared,
) -> std::io::Result<()> {
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("")
    };
    match own {
        "status" => {
            let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            let body = serde_json::json!({
                "generation": state.generation,
                "ok": state.overlay.is_none(),
                "files": state.files.as_ref().map_or(0, |f| f.len()),
            })
            .to_string();
            drop(state);
            respond(out, method, 200, "application/json", body.as_bytes(), &[])
        }
        "events" => {
            let since: u64 = param("since").parse().unwrap_or(0);
            let same_server = param("instance") == shared.instance;
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n")?;
            out.flush()?;
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if state.generation > since || !same_server {
                    drop(state);
                    out.write_all(b"data: reload\n\n")?;
                    return out.flush();
                }
                let (next, timeout) = shared
                    .changed
                    .wait_timeout(state, Duration::from_secs(15))
                    .unwrap_or_else(|e| e.into_inner());
                state = next;
                if timeout.timed_out() {
                    // A comment: finds out whether the page is still there.
                    drop(state);
                    out.write_all(b": still here\n\n")?;
                    out.flush()?;
                    state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
                }
            }
        }
        _ => respond(
            out,
            method,
            404,
            "text/plain; charset=utf-8",
            b"Not found\n",
            &[],
        ),
    }
}

/// The script every served page gets: reload when the site changes.
fn live_reload_script(generation: u64, instance: &str) -> String {
    format!(
        "<script>(function(){{var s=new EventSource(\"{OWN}events?since={generation}&instance={instance}\");s.onmessage=function(e){{if(e.data===\"reload\"){{s.close();location.reload();}}}};}})();</script>"
    )
}

/// The page with the live-reload script (and the error overlay, if any) before `</body>`.
fn inject(page: &[u8], overlay: Option<&String>, live: &str) -> Vec<u8> {
    let extra = format!("{}{live}", overlay.map_or("", String::as_str));
    let at = find_last(page, b"</body>").unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + extra.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The diagnostics as a panel over the whole page, so that a stale page is not
/// mistaken for the edited one.
fn overlay(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    let mut html = String::from(
        "<div id=\"cyclebook-errors\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#1d1d1f;color:#f5f5f5;padding:1.5rem 2rem;font:15px/1.5 system-ui,sans-serif\">",
    );
    html.push_str(&format!(
        "<h1 style=\"font-size:1.4rem;margin:0 0 .5rem;color:#ff8f8f\">cyclebook: the site has {}</h1>",
        escape(&crate::diagnostics::summary(diagnostics))
    ));
    html.push_str("<p style=\"margin:0 0 1rem\">Nothing is published until these are fixed. Fix the file and save: this page reloads by itself.</p>");
    for d in errors.iter().chain(
        diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .collect::<Vec<_>>()
            .iter(),
    ) {
        let place = d
            .file
            .as_ref()
            .map(|f| {
                let mut place = crate::diagnostics::display_path(f);
                if d.line > 0 {
                    place.push_str(&format!(":{}:{}", d.line, d.column));
                }
                place
            })
            .unwrap_or_default();
        html.push_str(&format!(
            "<section class=\"cyclebook-diagnostic\" data-code=\"{}\" data-file=\"{}\" data-line=\"{}\" style=\"margin:0 0 1rem\"><pre style=\"white-space:pre-wrap;margin:0;padding:.75rem 1rem;background:#000;border-left:4px solid {};font:14px/1.45 ui-monospace,monospace\">{}</pre></section>",
            escape(d.code),
            escape(&place),
            d.line,
            if d.is_error() { "#ff6b6b" } else { "#f0c674" },
            escape(&d.render_human())
        ));
    }
    html.push_str("</div>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_never_leave_the_site() {
        assert_eq!(site_path("/"), Some(PathBuf::from("index.html")));
        assert_eq!(
            site_path("/cycles/a/"),
            Some(PathBuf::from("cycles/a/index.html"))
        );
        assert_eq!(
            site_path("/assets/cyclebook.css"),
            Some(PathBuf::from("assets/cyclebook.css"))
        );
        assert_eq!(site_path("/a%20b.pdf"), Some(PathBuf::from("a b.pdf")));
        for bad in [
            "/../Cargo.toml",
            "/cycles/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2fcyclebook.yml",
            "/a%5c..%5c..%5cx",
            "/%00",
            "/%zz",
            "/c:/windows",
            "relative",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn scripts_and_overlays_go_before_the_end_of_the_body() {
        let page = b"<html><body><p>x</p></body></html>";
        let out = inject(page, Some(&"<div>E</div>".to_string()), "<script></script>");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body><p>x</p><div>E</div><script></script></body></html>"
        );
    }

    #[test]
    fn the_overlay_escapes_what_it_quotes() {
        let d = Diagnostic::error("E0101", "bad <script>alert(1)</script>");
        let html = overlay(&[d]);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn hidden_backup_and_output_paths_are_ignored() {
        let site = Path::new("/s");
        assert!(ignored(site, Path::new("/s/.git/index")));
        assert!(ignored(site, Path::new("/s/notes/.a.md.swp")));
        assert!(ignored(site, Path::new("/s/notes/a.md~")));
        assert!(!ignored(site, Path::new("/s/notes/a.md")));
    }
}

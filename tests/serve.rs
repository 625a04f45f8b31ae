//! `cyclebook serve`, driven as a user would: edit, add, delete and rename files while
//! it runs, and after each step the served site equals a clean `build`; a broken edit
//! shows the error overlay; open pages are told to reload; no path escapes the site.

mod common;

use common::{copy_dir, example_site_path, tree};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    address: String,
    url: String,
    site: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        copy_dir(&example_site_path(), &site);
        let mut child = Command::new(env!("CARGO_BIN_EXE_cyclebook"))
            .args(["serve", "--port", "0", "--no-git"])
            .arg(&site)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("serve prints where it listens")
                .unwrap();
            if let Some(at) = line.find("http://") {
                break line[at..].split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep reading its output, so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server {
            child,
            address,
            url,
            site,
            _dir: dir,
        }
    }

    /// A raw GET of `target`, exactly as written (no normalising of `..`).
    fn get(&self, target: &str) -> Response {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        Response {
            status,
            head,
            body: raw[split + 4..].to_vec(),
        }
    }

    fn status(&self) -> serde_json::Value {
        serde_json::from_slice(&self.get("/__cyclebook/status").body).unwrap()
    }

    fn generation(&self) -> u64 {
        self.status()["generation"].as_u64().unwrap()
    }

    /// Waits until the site was rebuilt after generation `after` and no rebuild has
    /// followed for a moment (one save can be several file-system events).
    fn settled_after(&self, after: u64) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = self.status();
        let mut since = Instant::now();
        loop {
            assert!(
                Instant::now() < deadline,
                "no rebuild after generation {after}"
            );
            std::thread::sleep(Duration::from_millis(25));
            let now = self.status();
            if now["generation"] != last["generation"] {
                last = now;
                since = Instant::now();
            } else if last["generation"].as_u64().unwrap() > after
                && since.elapsed() > Duration::from_millis(300)
            {
                return last;
            }
        }
    }

    /// Saves as editors do: a new file renamed over the old one.
    fn save(&self, rel: &str, text: &str) {
        let path = self.site.join(rel);
        let temp = path.with_file_name(format!(
            ".{}.swp",
            path.file_name().unwrap().to_string_lossy()
        ));
        fs::write(&temp, text).unwrap();
        fs::rename(&temp, &path).unwrap();
    }

    fn edit(&self, rel: &str, change: impl FnOnce(String) -> String) {
        let text = fs::read_to_string(self.site.join(rel)).unwrap();
        self.save(rel, &change(text));
    }

    /// Every file a clean build writes is served with the same bytes (pages with the
    /// live-reload script added), and the server has no others.
    fn assert_matches_clean_build(&self, step: &str) {
        let out = tempfile::tempdir().unwrap();
        let built = Command::new(env!("CARGO_BIN_EXE_cyclebook"))
            .args(["build", "--no-git", "--base-url", &self.url, "-o"])
            .arg(out.path().join("public"))
            .arg(&self.site)
            .output()
            .unwrap();
        assert!(built.status.success(), "{step}: clean build failed");
        let files = tree(&out.path().join("public"));
        let files: Vec<_> = files
            .into_iter()
            .filter(|(path, _)| path != ".cyclebook-output")
            .collect();
        let status = self.status();
        assert_eq!(status["ok"], true, "{step}: the server reports errors");
        assert_eq!(
            status["files"].as_u64().unwrap() as usize,
            files.len(),
            "{step}: the server has a different number of files"
        );
        for (path, bytes) in files {
            let url = format!("/{}", path.strip_suffix("index.html").unwrap_or(&path));
            let response = self.get(&url);
            assert_eq!(response.status, 200, "{step}: {url}");
            let served = if path.ends_with(".html") {
                without_live_reload(&response.text()).into_bytes()
            } else {
                response.body
            };
            assert!(served == bytes, "{step}: {url} differs from a clean build");
        }
    }
}

/// A page as served, without what `serve` adds to it.
fn without_live_reload(page: &str) -> String {
    let start = page
        .rfind("<script>(function(){var s=new EventSource(")
        .expect("pages get the live-reload script");
    let end = start + page[start..].find("</script>").unwrap() + "</script>".len();
    format!("{}{}", &page[..start], &page[end..])
}

#[test]
fn the_served_site_equals_a_clean_build_after_every_edit() {
    let server = Server::start();
    server.assert_matches_clean_build("start");

    let g = server.generation();
    server.edit("notes/patient-rep-feedback.md", |t| {
        t.replace("What our patient", "What our patients’") + "\nAlso [[falls-huddle-2]].\n"
    });
    server.settled_after(g);
    server.assert_matches_clean_build("edit a note");
    assert!(server
        .get("/cycles/falls-huddle-2/")
        .text()
        .contains("notes/patient-rep-feedback/"));

    let g = server.generation();
    server.save(
        "notes/a-new-note.md",
        "---\ntitle: A new note\ndate: 2026-11-20\ntags: [falls, brand-new]\n---\n\nAbout [[bay-tagging-2]].\n",
    );
    server.settled_after(g);
    server.assert_matches_clean_build("add a note");
    assert_eq!(server.get("/notes/a-new-note/").status, 200);
    assert_eq!(server.get("/tags/brand-new/").status, 200);

    let g = server.generation();
    fs::rename(
        server.site.join("notes/a-new-note.md"),
        server.site.join("notes/a-renamed-note.md"),
    )
    .unwrap();
    server.settled_after(g);
    server.assert_matches_clean_build("rename a note");
    assert_eq!(server.get("/notes/a-new-note/").status, 404);

    let g = server.generation();
    fs::remove_file(server.site.join("notes/a-renamed-note.md")).unwrap();
    server.settled_after(g);
    server.assert_matches_clean_build("delete a note");
    assert_eq!(server.get("/tags/brand-new/").status, 404);

    let g = server.generation();
    server.edit("measures/falls-rate.csv", |t| {
        t.replace("2026-11-16,1,194,", "2026-11-16,7,194,")
    });
    server.settled_after(g);
    server.assert_matches_clean_build("edit a measure's data");
}

#[test]
fn a_broken_edit_shows_the_errors_over_the_page_until_it_is_fixed() {
    let server = Server::start();
    let good = fs::read_to_string(server.site.join("cycles/falls-huddle-2.md")).unwrap();
    let g = server.generation();
    server.save(
        "cycles/falls-huddle-2.md",
        &good.replace("status: done", "status: finished"),
    );
    let status = server.settled_after(g);
    assert_eq!(status["ok"], false);
    for page in ["/", "/cycles/falls-huddle-2/", "/notes/"] {
        let response = server.get(page);
        assert_eq!(response.status, 200, "{page}");
        let text = response.text();
        assert!(
            text.contains("id=\"cyclebook-errors\""),
            "{page}: no overlay"
        );
        assert!(
            text.contains("data-file=\"cycles/falls-huddle-2.md:4:"),
            "{page}: the overlay names the file and line"
        );
        assert!(
            text.contains("finished"),
            "{page}: the overlay quotes the line"
        );
    }
    // Not a stale page dressed up: the last good build stays underneath.
    assert!(server
        .get("/cycles/falls-huddle-2/")
        .text()
        .contains("Falls huddle, test 2"));

    let g = server.generation();
    server.save("cycles/falls-huddle-2.md", &good);
    let status = server.settled_after(g);
    assert_eq!(status["ok"], true);
    assert!(!server.get("/").text().contains("cyclebook-errors"));
    server.assert_matches_clean_build("fixed");
}

#[test]
fn open_pages_are_told_to_reload() {
    let server = Server::start();
    let page = server.get("/").text();
    let script = &page[page.rfind("EventSource(\"").unwrap() + "EventSource(\"".len()..];
    let events = &script[..script.find('"').unwrap()];
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(stream, "GET {events} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    // Connected and waiting: nothing to reload yet.
    server.edit("notes/patient-rep-feedback.md", |t| t + "\nReload me.\n");
    let started = Instant::now();
    let mut received = String::new();
    while !received.contains("data: reload") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        received.push_str(&line);
    }
    assert!(received.contains("data: reload"), "{received}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(server
        .get("/notes/patient-rep-feedback/")
        .text()
        .contains("Reload me."));
}

#[test]
fn no_request_reaches_outside_the_built_site() {
    let server = Server::start();
    for target in [
        "/../cyclebook.yml",
        "/../../etc/passwd",
        "/%2e%2e/cyclebook.yml",
        "/cycles/..%2f..%2fcyclebook.yml",
        "/..%5ccyclebook.yml",
        "/cyclebook.yml",
        "/cycles/falls-huddle-2.md",
        "//etc/passwd",
        "/%00",
    ] {
        let response = server.get(target);
        assert_eq!(response.status, 404, "{target}");
        let text = response.text();
        assert!(!text.contains("root:"), "{target}");
        assert!(!text.contains("stale_data_days"), "{target}");
    }
    let response = server.get("/cycles");
    assert_eq!(response.status, 301);
    assert!(response.head.contains("Location: /cycles/"));
    assert_eq!(server.get("/no/such/page/").status, 404);
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream.write_all(b"POST / HTTP/1.1\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 405"));
}

#[test]
fn serve_listens_on_this_computer_only_unless_told() {
    let server = Server::start();
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
    assert!(server.url.starts_with("http://127.0.0.1:"));
}

#[test]
fn saves_that_only_modify_files_and_ones_that_add_folders_are_both_seen() {
    let server = Server::start();
    // Saved in place (not by renaming), then by renaming: both modify a known file.
    let g = server.generation();
    let note = server.site.join("notes/patient-rep-feedback.md");
    let text = fs::read_to_string(&note).unwrap();
    fs::write(&note, format!("{text}\nWritten in place.\n")).unwrap();
    server.settled_after(g);
    server.assert_matches_clean_build("a note written in place");
    let g = server.generation();
    server.edit("cycles/falls-huddle-2.md", |t| t + "\nSaved by renaming.\n");
    server.settled_after(g);
    server.assert_matches_clean_build("a cycle saved by renaming");
    assert!(server
        .get("/cycles/falls-huddle-2/")
        .text()
        .contains("Saved by renaming."));
    // A new folder with a note in it, made in one go.
    let g = server.generation();
    let folder = server.site.join("notes/2027");
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        folder.join("in-a-folder.md"),
        "---\ntitle: In a folder\ndate: 2027-01-02\n---\n\nAbout [[falls-huddle-2]].\n",
    )
    .unwrap();
    server.settled_after(g);
    server.assert_matches_clean_build("a new folder");
    assert_eq!(server.get("/notes/in-a-folder/").status, 200);
    // The folder renamed: its note is still there.
    let g = server.generation();
    fs::rename(&folder, server.site.join("notes/2028")).unwrap();
    server.settled_after(g);
    server.assert_matches_clean_build("a folder renamed");
    // The settings.
    let g = server.generation();
    server.edit("cyclebook.yml", |t| {
        t.replace("the fictional", "the imaginary")
    });
    server.settled_after(g);
    server.assert_matches_clean_build("the settings");
}

//! Measures `cyclebook serve`'s save-to-reload latency: starts the server on a site,
//! then repeatedly saves one note (as editors do: a new file renamed over the old) and
//! times how long until an open page is told to reload, and until the page served has
//! the edit.
//!
//! Usage: cargo run --release --example serve_latency -- SITE NOTE [RUNS] [--no-git]
//! (NOTE relative to SITE, e.g. notes/lesson-short-huddles.md; the note is restored.)
//! The server shows the site's git history, as the performance targets assume, unless
//! `--no-git` is given.
//! Build the release binary first (`cargo build --release`): it is the one measured.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let no_git = args.iter().any(|a| a == "--no-git");
    args.retain(|a| a != "--no-git");
    let (site, note) = match (args.first(), args.get(1)) {
        (Some(s), Some(n)) => (PathBuf::from(s), n.clone()),
        _ => {
            eprintln!("usage: serve_latency SITE NOTE [RUNS] [--no-git]");
            std::process::exit(2);
        }
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(11);
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/cyclebook");
    let mut child = Command::new(&binary)
        .args(["serve", "--port", "0"])
        .args(no_git.then_some("--no-git"))
        .arg(&site)
        .stdout(Stdio::piped())
        .spawn()
        .expect("target/release/cyclebook runs (cargo build --release)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve starts").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].split_whitespace().next().unwrap().to_string();
        }
    };
    let (log_tx, log) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = log_tx.send(line);
        }
    });
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let note_path = site.join(&note);
    let original = std::fs::read_to_string(&note_path).unwrap();
    let page = format!(
        "/notes/{}/",
        Path::new(&note).file_stem().unwrap().to_string_lossy()
    );
    let (mut to_event, mut to_page, mut rebuild) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        // An open page: its live-reload connection, waiting.
        let served = get(&address, &page);
        let script = &served[served.rfind("EventSource(\"").unwrap() + 13..];
        let events = &script[..script.find('"').unwrap()];
        let mut stream = TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(stream, "GET {events} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while !line.starts_with("retry:") {
            line.clear();
            reader.read_line(&mut line).unwrap();
        }
        while log.try_recv().is_ok() {}
        let marker = format!("Latency probe {run}.");
        let temp = note_path.with_file_name(".latency-probe.tmp");
        std::fs::write(&temp, format!("{original}\n{marker}\n")).unwrap();
        let saved = Instant::now();
        std::fs::rename(&temp, &note_path).unwrap();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.starts_with("data: reload") {
                break;
            }
        }
        to_event.push(saved.elapsed().as_secs_f64() * 1000.0);
        let body = get(&address, &page);
        assert!(body.contains(&marker), "the page has the edit");
        to_page.push(saved.elapsed().as_secs_f64() * 1000.0);
        // The server's own figure: "… rebuilt in 12.3 ms (…)".
        while let Ok(l) = log.recv_timeout(Duration::from_millis(500)) {
            if let Some(ms) = l.split(" in ").nth(1).and_then(|r| r.split(" ms").next()) {
                if let Ok(ms) = ms.parse::<f64>() {
                    rebuild.push(ms);
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    std::fs::write(&note_path, &original).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!(
        "{runs} saves of {note}: median save→reload event {:.1} ms, save→edited page served {:.1} ms, rebuild alone {:.1} ms (debounce {} ms included in the first two)",
        median(&mut to_event),
        median(&mut to_page),
        if rebuild.is_empty() { f64::NAN } else { median(&mut rebuild) },
        cyclebook::serve::DEBOUNCE.as_millis()
    );
}

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    raw
}

//! Times a clean build in memory, then rebuilds after edits of one note, as `serve`
//! does (no HTTP, no watcher): where an incremental rebuild's time goes. With
//! `CYCLEBOOK_TIMINGS=1` each stage's time is printed too.
//!
//! Usage: cargo run --release --example rebuild_bench -- SITE NOTE [EDITS]
//! (NOTE relative to SITE; it is restored afterwards.)

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(site), Some(note)) = (args.first(), args.get(1)) else {
        eprintln!("usage: rebuild_bench SITE NOTE [EDITS]");
        std::process::exit(2);
    };
    let edits: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(9);
    let site = PathBuf::from(site);
    let note = site.join(note);
    let mut cache = cyclebook::Cache::default();
    let started = Instant::now();
    if let Err(e) = cyclebook::compile_cached(&site, None, false, false, &mut cache) {
        eprintln!("the site does not build: {e}");
        std::process::exit(1);
    }
    let clean = started.elapsed().as_secs_f64() * 1000.0;
    let original = std::fs::read_to_string(&note).expect("NOTE is a file of SITE");
    let mut times = Vec::new();
    for k in 0..edits {
        std::fs::write(&note, format!("{original}\nEdit {k}.\n")).unwrap();
        cache.load.forget([note.as_path()]);
        let started = Instant::now();
        cyclebook::compile_cached(&site, None, false, false, &mut cache)
            .map_err(|e| e.to_string())
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    std::fs::write(&note, original).unwrap();
    times.sort_by(f64::total_cmp);
    println!(
        "clean build {clean:.0} ms; rebuild after editing one note: median {:.1} ms of {edits} ({} of {} pages rendered)",
        times[times.len() / 2],
        cache.render.last_rendered,
        cache.render.last_units
    );
}

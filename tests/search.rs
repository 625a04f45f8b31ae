//! Site search: the sharded index under `search/` (meta, shards, document chunks,
//! filters), the search page without JavaScript, and the search form in every header.

mod common;

use common::Site;
use serde_json::Value;

/// A small site with words to find: a body word, stop words, a cycle team and status.
fn site() -> Site {
    Site::from_files(&[
        (
            "cycles/huddle-1.md",
            "---\ntitle: Huddle test one\nstatus: done\ndecision: adopt\nstarted: 2026-01-05\nended: 2026-01-11\nteam: [Ward manager, falls lead]\ntags: [huddle, falls]\npredictions:\n  - Fewer unwitnessed falls\n---\n\n## Plan\n\nThe nurses will meet at the whiteboard before the handover.\n",
        ),
        (
            "cycles/huddle-2.md",
            "---\ntitle: Huddle test two\nstatus: doing\nstarted: 2026-02-02\nteam: [ward manager]\ntags: [huddle]\n---\n\nA longer huddle with the physiotherapist and the café staff.\n",
        ),
        (
            "notes/lesson.md",
            "---\ntitle: What the huddles taught us\nkind: lesson\ndate: 2026-03-01\ntags: [falls]\n---\n\nShort huddles work; the whiteboard helps.\n\n```chart\n# chartword\nmeasure: risk-assessed\n```\n",
        ),
        (
            "measures/risk-assessed.md",
            "---\ntitle: Risk assessed within 6 hours\nkind: process\nunit: percent\ndefinition: Patients with a completed falls risk assessment\n---\n",
        ),
        (
            "measures/risk-assessed.csv",
            "date,value,denominator\n2026-01-05,5,10\n2026-01-12,6,10\n",
        ),
    ])
}

fn json(built: &common::Built, rel: &str) -> Value {
    serde_json::from_slice(&built.bytes(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

/// `[d0, w0, Δd1, w1, …]` → (doc, weight) pairs.
fn postings(list: &Value) -> Vec<(u64, u64)> {
    let numbers: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let mut doc = 0;
    numbers
        .chunks(2)
        .map(|pair| {
            doc += pair[0];
            (doc, pair[1])
        })
        .collect()
}

/// `[d0, Δd1, …]` → doc numbers.
fn deltas(list: &Value) -> Vec<u64> {
    let mut doc = 0;
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            doc += n.as_u64().unwrap();
            doc
        })
        .collect()
}

/// The shard holding `term`, as search.js finds it: the longest key that is a prefix.
fn shard_of(meta: &Value, term: &str) -> String {
    meta["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .filter(|k| term.starts_with(k))
        .max_by_key(|k| k.len())
        .unwrap_or_else(|| panic!("no shard for {term}"))
        .to_string()
}

/// The postings of `term`, read the way search.js reads them.
fn lookup(built: &common::Built, term: &str) -> Option<Vec<(u64, u64)>> {
    let meta = json(built, "search/meta.json");
    let key = shard_of(&meta, term);
    assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()), "{key}");
    let shard = json(built, &format!("search/shards/{key}.json"));
    shard.get(term).map(postings)
}

/// The document record of `doc`: `[title, url, summary, date, status]`.
fn record(built: &common::Built, doc: u64) -> Value {
    let meta = json(built, "search/meta.json");
    let chunk = meta["chunk"].as_u64().unwrap();
    let docs = json(built, &format!("search/docs/{}.json", doc / chunk));
    docs[(doc % chunk) as usize].clone()
}

fn doc_of(built: &common::Built, url: &str) -> u64 {
    let meta = json(built, "search/meta.json");
    (0..meta["docs"].as_u64().unwrap())
        .find(|d| record(built, *d)[1] == url)
        .unwrap_or_else(|| panic!("no document for {url}"))
}

#[test]
fn the_index_files_are_written_and_deterministic() {
    let site = site();
    let a = site.build();
    let b = site.build();
    for rel in [
        "search/index.html",
        "search/meta.json",
        "search/docs/0.json",
        "search/filters/tag/huddle.json",
        "search/filters/status/done.json",
        "search/filters/team/ward-manager.json",
        "assets/search.js",
    ] {
        assert!(a.exists(rel), "{rel} was not built");
    }
    let index = |built: &common::Built| {
        built
            .tree()
            .into_iter()
            .filter(|(path, _)| path.starts_with("search/"))
            .collect::<Vec<_>>()
    };
    let (first, second) = (index(&a), index(&b));
    assert!(first.len() > 5);
    assert_eq!(first, second, "two builds wrote different search files");

    let meta = json(&a, "search/meta.json");
    assert_eq!(meta["docs"], 4);
    let kinds: Vec<(&str, u64, u64)> = meta["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap(),
                k["first"].as_u64().unwrap(),
                k["count"].as_u64().unwrap(),
            )
        })
        .filter(|k| k.2 > 0)
        .collect();
    assert_eq!(kinds, [("cycle", 0, 2), ("measure", 2, 1), ("note", 3, 1)]);
    // Every shard the meta names exists, and no other.
    let shards: Vec<String> = a
        .tree()
        .into_keys()
        .filter_map(|p| {
            p.strip_prefix("search/shards/")
                .map(|s| s.trim_end_matches(".json").to_string())
        })
        .collect();
    let named: Vec<String> = meta["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(shards, named);
}

#[test]
fn a_body_word_is_found_in_its_shard_with_its_document() {
    let built = site().build();
    let huddle_1 = doc_of(&built, "cycles/huddle-1/");
    let lesson = doc_of(&built, "notes/lesson/");
    // "whiteboard" is in two bodies only.
    let found = lookup(&built, "whiteboard").expect("whiteboard is indexed");
    let docs: Vec<u64> = found.iter().map(|(d, _)| *d).collect();
    assert_eq!(docs, [huddle_1, lesson]);
    // A title word weighs more than a body word.
    let huddle = lookup(&built, "huddle").unwrap();
    let weight = |d: u64, list: &[(u64, u64)]| list.iter().find(|(x, _)| *x == d).unwrap().1;
    assert!(weight(huddle_1, &huddle) > weight(huddle_1, &found));
    // Accents fold: "café" is found as "cafe"; front matter is indexed.
    assert!(lookup(&built, "cafe").is_some());
    assert!(lookup(&built, "unwitnessed").is_some(), "predictions");
    assert!(lookup(&built, "physiotherapist").is_some());
    assert!(
        lookup(&built, "completed").is_some(),
        "a measure's definition"
    );
    // A chart block is not text.
    assert!(lookup(&built, "chartword").is_none());
}

#[test]
fn stop_words_are_not_indexed() {
    let built = site().build();
    for word in ["the", "and", "with", "at"] {
        assert!(lookup(&built, word).is_none(), "{word} was indexed");
    }
    let meta = json(&built, "search/meta.json");
    let stop = meta["words"]["stop"].as_array().unwrap();
    assert!(stop.iter().any(|w| w == "the"));
}

#[test]
fn documents_carry_what_a_result_shows() {
    let built = site().build();
    let cycle = record(&built, doc_of(&built, "cycles/huddle-1/"));
    assert_eq!(cycle[0], "Huddle test one");
    assert_eq!(cycle[3], "5 Jan 2026");
    assert_eq!(cycle[4], "Done");
    // Without a summary, the snippet is the body's first paragraph.
    assert_eq!(
        cycle[2],
        "The nurses will meet at the whiteboard before the handover."
    );
    let lesson = record(&built, doc_of(&built, "notes/lesson/"));
    assert_eq!(lesson[4], "Lesson");
}

#[test]
fn filters_list_tags_statuses_and_teams() {
    let built = site().build();
    let meta = json(&built, "search/meta.json");
    let names = |key: &str| -> Vec<(String, String, u64)> {
        meta[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["slug"].as_str().unwrap().to_string(),
                    v["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str, n: u64| (a.to_string(), b.to_string(), n);
    assert_eq!(
        names("tags"),
        [s("falls", "falls", 2), s("huddle", "huddle", 2)]
    );
    assert_eq!(
        names("statuses"),
        [s("Doing", "doing", 1), s("Done", "done", 1)]
    );
    // Team members by name, whatever their case.
    assert_eq!(
        names("teams"),
        [
            s("falls lead", "falls-lead", 1),
            s("Ward manager", "ward-manager", 2)
        ]
    );
    let huddle_1 = doc_of(&built, "cycles/huddle-1/");
    let huddle_2 = doc_of(&built, "cycles/huddle-2/");
    let lesson = doc_of(&built, "notes/lesson/");
    assert_eq!(
        deltas(&json(&built, "search/filters/team/ward-manager.json")),
        [huddle_1, huddle_2]
    );
    assert_eq!(
        deltas(&json(&built, "search/filters/status/done.json")),
        [huddle_1]
    );
    assert_eq!(
        deltas(&json(&built, "search/filters/tag/falls.json")),
        [huddle_1, lesson]
    );
}

#[test]
fn without_javascript_the_search_page_lists_kinds_and_tags() {
    let built = site().build();
    let page = built.page("search/index.html");
    // The search box and filters wait for the script; the listings do not.
    page.contains(
        r#"<div id="search-app" class="search" data-root="../" data-index="../search/" hidden>"#,
    )
    .contains(r#"<script src="../assets/search.js" defer></script>"#)
    .contains(r#"<label for="search-q">"#)
    .contains(r#"role="status" aria-live="polite""#)
    .contains(r#"<option value="ward-manager">Ward manager (2)</option>"#)
    .contains(r#"<option value="done">Done (1)</option>"#);
    let browse = page.section(r#"<section class="search-browse""#, "</main>");
    browse
        .contains(r#"<a href="../cycles/">PDSA cycles</a> <span class="count">2</span>"#)
        .contains(r#"<a href="../notes/">Notes and lessons</a> <span class="count">1</span>"#)
        .contains(r#"<a class="tag" href="../tags/falls/">#falls</a> <span class="count">2</span>"#)
        .contains(r#"<a href="../tags/">All tags</a>"#);
}

#[test]
fn every_page_has_the_search_form_in_its_header() {
    let built = site().build();
    let pages: Vec<String> = built
        .tree()
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect();
    assert!(pages.len() > 8);
    for rel in &pages {
        let page = built.page(rel);
        if rel == "search/index.html" {
            // The page's own search box takes the header form's place.
            page.lacks(r#"class="site-search""#)
                .contains(r#"<form class="search-form" role="search" action="../search/">"#);
            continue;
        }
        let header = page.section("<header", "</header>");
        let root = match rel.matches('/').count() {
            _ if rel == "404.html" => "/".to_string(),
            n => "../".repeat(n),
        };
        header
            .contains(&format!(
                r#"<form class="site-search" role="search" action="{root}search/">"#
            ))
            .contains(
                r#"<label class="visually-hidden" for="site-search-q">Search this site</label>"#,
            )
            .contains(r#"<input id="site-search-q" type="search" name="q""#);
    }
}

#[test]
fn an_incremental_rebuild_updates_the_index() {
    use cyclebook::render::Output;
    let site = site();
    let mut cache = cyclebook::Cache::default();
    let mut build = |changed: &[&str]| {
        let paths: Vec<std::path::PathBuf> = changed.iter().map(|c| site.root().join(c)).collect();
        cache.load.forget(paths.iter().map(|p| p.as_path()));
        let files = cyclebook::compile_cached(site.root(), None, false, false, &mut cache)
            .unwrap_or_else(|_| panic!("the site builds"))
            .files;
        files
            .into_iter()
            .filter(|(path, _)| path.starts_with("search"))
            .map(|(path, output)| match output {
                Output::Copy(_) => panic!("{} is a copy", path.display()),
                output => (path, output.to_bytes().unwrap()),
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = build(&[]);
    site.write(
        "notes/new.md",
        "---\ntitle: A new note\n---\n\nWe moved the zebracrossing.\n",
    );
    let added = build(&["notes/new.md"]);
    assert_ne!(before, added);
    // A body edit changes no listing, but the index reads bodies too.
    site.write(
        "cycles/huddle-2.md",
        "---\ntitle: Huddle test two\nstatus: doing\nstarted: 2026-02-02\nteam: [ward manager]\ntags: [huddle]\n---\n\nA longer huddle with the orthoptist.\n",
    );
    let after = build(&["cycles/huddle-2.md"]);
    assert_ne!(added, after);
    // Exactly what a clean build writes.
    let clean = site.build();
    for (path, bytes) in &after {
        assert_eq!(
            bytes,
            &clean.bytes(&path.to_string_lossy()),
            "{}",
            path.display()
        );
    }
    let found = lookup(&clean, "zebracrossing").expect("the new word is indexed");
    assert_eq!(found[0].0, doc_of(&clean, "notes/new/"));
    let found = lookup(&clean, "orthoptist").expect("the edited body is indexed");
    assert_eq!(found[0].0, doc_of(&clean, "cycles/huddle-2/"));
    assert!(lookup(&clean, "physiotherapist").is_none());
}

#[test]
fn a_site_served_from_a_subpath_keeps_relative_addresses() {
    let built = site().build_with_base_url("https://example.org/ward7/");
    built
        .page("cycles/huddle-1/index.html")
        .contains(r#"action="../../search/""#);
    built
        .page("404.html")
        .contains(r#"action="/ward7/search/""#);
    // Result addresses are relative to the root, which the page gives the script.
    assert_eq!(record(&built, 0)[1], "cycles/huddle-1/");
}

//! `check` on the `broken` fixture (one error of each kind, all reported in one run) and
//! on one-off sites: codes, files, lines and columns (1-based, in characters).

mod common;

use common::{cyclebook, fixture_path, place, Site};
use serde_json::Value;

/// (code, file, line, column) of every diagnostic the broken fixture must produce,
/// in the order they are printed (by file, then line, then column).
const BROKEN: &[(&str, &str, usize, usize)] = &[
    // `target: high`: the value, at column 9.
    ("E0105", "aims/wrong-type.md", 3, 9),
    // No `title`: the opening `---` of the front matter.
    ("E0106", "changes/untitled.md", 1, 1),
    // `ended:` key of a cycle that ended before it started.
    ("E0206", "cycles/backwards.md", 5, 1),
    // `started: 2026-02-30`: the value.
    ("E0108", "cycles/bad-date.md", 4, 10),
    // `status: doen`: the value.
    ("E0107", "cycles/bad-status.md", 3, 9),
    // `summary: Café: closed`: the second colon is character 14 (byte 15).
    ("E0102", "cycles/bad-yaml.md", 3, 14),
    // `follows: loop-b`, in the loop member whose id sorts first.
    ("E0207", "cycles/loop-a.md", 4, 10),
    // `change: no-such-change`: the value.
    ("E0204", "cycles/orphan.md", 3, 9),
    // `chnage:`: the key.
    ("E0104", "cycles/typo-key.md", 3, 1),
    // `status: done` without a decision: the `status` key.
    ("E0205", "cycles/undecided.md", 3, 1),
    // `measures: [steady, no-such-measure]`: the second item.
    ("E0202", "cycles/unknown-measure.md", 4, 20),
    // Row `2026-13-05,4`: the date cell.
    ("E0304", "measures/bad-rows.csv", 3, 1),
    // Row `2026-01-19,lots`: the value cell.
    ("E0305", "measures/bad-rows.csv", 4, 12),
    // measures/no-data.csv does not exist: the measure's first line.
    ("E0300", "measures/no-data.md", 1, 1),
    // `See [[no-such-cycle]] for more.` on line 7.
    ("E0202", "notes/dangling.md", 7, 5),
    // A heading where `---` should be.
    ("E0101", "notes/no-front-matter.md", 1, 1),
    // notes/twin.md repeats the id of cycles/twin.md, which comes first by path.
    ("E0201", "notes/twin.md", 1, 1),
];

fn check_json() -> Value {
    let run = cyclebook([
        "check".as_ref(),
        fixture_path("broken").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.exits(1);
    run.json()
}

fn diagnostic<'a>(json: &'a Value, code: &str, file: &str) -> &'a Value {
    let all = json.as_array().unwrap();
    let found: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == code && d["file"] == file)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {code} in {file}, found {found:?}"
    );
    found[0]
}

#[test]
fn one_check_reports_every_error_with_its_place() {
    let json = check_json();
    let got: Vec<(String, String, u64, u64)> = json
        .as_array()
        .expect("diagnostics are a list")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, u64, u64)> = BROKEN
        .iter()
        .map(|(c, f, l, col)| (c.to_string(), f.to_string(), *l as u64, *col as u64))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(json.as_array().unwrap().len(), BROKEN.len());
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "error"));
}

#[test]
fn messages_and_hints_say_what_is_wrong_and_how_to_fix_it() {
    let json = check_json();
    let d = diagnostic(&json, "E0104", "cycles/typo-key.md");
    assert_eq!(d["message"], "unknown key `chnage` in cycle front matter");
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `change`?"),
        "{d}"
    );

    let d = diagnostic(&json, "E0107", "cycles/bad-status.md");
    assert_eq!(d["message"], "`doen` is not a valid `status`");
    assert_eq!(d["hint"], "did you mean `done`?");

    let d = diagnostic(&json, "E0105", "aims/wrong-type.md");
    assert_eq!(d["message"], "`target` must be a number, found text");

    let d = diagnostic(&json, "E0108", "cycles/bad-date.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("`2026-02-30` is not a day of the calendar"),
        "{d}"
    );

    let d = diagnostic(&json, "E0206", "cycles/backwards.md");
    assert_eq!(
        d["message"],
        "the cycle ended (2026-03-01) before it started (2026-03-10)"
    );

    let d = diagnostic(&json, "E0204", "cycles/orphan.md");
    assert!(
        d["message"].as_str().unwrap().contains("`no-such-change`"),
        "{d}"
    );

    let d = diagnostic(&json, "E0202", "cycles/unknown-measure.md");
    assert_eq!(
        d["message"],
        "`measures` names unknown measure `no-such-measure`"
    );

    let d = diagnostic(&json, "E0202", "notes/dangling.md");
    assert_eq!(d["message"], "link to unknown id `no-such-cycle`");

    let d = diagnostic(&json, "E0300", "measures/no-data.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("measures/no-data.csv is missing"),
        "{d}"
    );

    let d = diagnostic(&json, "E0305", "measures/bad-rows.csv");
    assert_eq!(d["message"], "`lots` in column `value` is not a number");
    let d = diagnostic(&json, "E0304", "measures/bad-rows.csv");
    assert!(
        d["message"].as_str().unwrap().contains("`2026-13-05`"),
        "{d}"
    );

    let d = diagnostic(&json, "E0106", "changes/untitled.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("missing required key `title`"),
        "{d}"
    );

    let d = diagnostic(&json, "E0102", "cycles/bad-yaml.md");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("malformed YAML in cycle front matter"),
        "{d}"
    );
    assert!(
        !d["message"].as_str().unwrap().contains(" at line "),
        "positions are ours, not the YAML parser's: {d}"
    );
}

#[test]
fn duplicate_ids_name_both_files() {
    let json = check_json();
    let d = diagnostic(&json, "E0201", "notes/twin.md");
    assert_eq!(
        d["message"],
        "duplicate id `twin`: ids must be unique across the site"
    );
    let related = d["related"].as_array().expect("related places");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["file"], "cycles/twin.md");
    assert_eq!(
        (related[0]["line"].as_u64(), related[0]["column"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn a_follows_loop_names_every_cycle_in_it() {
    let json = check_json();
    let d = diagnostic(&json, "E0207", "cycles/loop-a.md");
    assert_eq!(
        d["message"],
        "`follows` forms a loop: loop-a → loop-b → loop-a"
    );
    let related = d["related"].as_array().expect("related places");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["file"], "cycles/loop-b.md");
    assert_eq!(
        (related[0]["line"].as_u64(), related[0]["column"].as_u64()),
        (Some(4), Some(10))
    );
    // Reported once, not once per member.
    assert_eq!(
        json.as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "E0207")
            .count(),
        1
    );
}

#[test]
fn human_format_points_at_the_source_like_a_compiler() {
    let run = cyclebook(["check".as_ref(), fixture_path("broken").as_os_str()]);
    run.exits(1);
    assert!(
        run.stdout.is_empty(),
        "human diagnostics go to stderr: {}",
        run.stdout
    );
    let err = &run.stderr;
    let block = |header: &str| -> &str {
        let start = err
            .find(header)
            .unwrap_or_else(|| panic!("no `{header}` in:\n{err}"));
        let rest = &err[start..];
        &rest[..rest.find("\n\n").unwrap_or(rest.len())]
    };
    assert_eq!(
        block("error[E0104]"),
        "error[E0104]: unknown key `chnage` in cycle front matter\n \
         --> cycles/typo-key.md:3:1\n  \
         |\n\
         3 | chnage: huddle\n  \
         | ^^^^^^ unknown key\n  \
         = help: did you mean `change`? (free-form data goes under `extra:`)"
    );
    // The caret sits under the bad value, counted in characters.
    assert_eq!(
        block("error[E0107]"),
        "error[E0107]: `doen` is not a valid `status`\n \
         --> cycles/bad-status.md:3:9\n  \
         |\n\
         3 | status: doen\n  \
         |         ^^^^ expected one of planned | doing | studying | done | abandoned\n  \
         = help: did you mean `done`?"
    );
    let yaml = block("error[E0102]");
    assert!(yaml.contains(" --> cycles/bad-yaml.md:3:14\n"), "{yaml}");
    assert!(yaml.contains("3 | summary: Café: closed\n"), "{yaml}");
    assert!(
        yaml.contains(&format!("  | {}^", " ".repeat(13))),
        "caret under the second colon:\n{yaml}"
    );
    assert!(yaml.contains("= help: "), "{yaml}");
    let csv = block("error[E0305]");
    assert!(csv.contains(" --> measures/bad-rows.csv:4:12\n"), "{csv}");
    assert!(csv.contains("4 | 2026-01-19,lots\n"), "{csv}");
    assert!(
        csv.contains(&format!("  | {}^^^^ expected a number", " ".repeat(11))),
        "{csv}"
    );
    let dup = block("error[E0201]");
    assert!(dup.contains(" --> notes/twin.md:1:1\n"), "{dup}");
    assert!(
        dup.contains("(cycles/twin.md:1:1)"),
        "the first use is named: {dup}"
    );
    // Every error is shown, then a count.
    for (code, file, line, col) in BROKEN {
        assert!(err.contains(&format!("error[{code}]")), "{code} missing");
        assert!(
            err.contains(&format!("--> {file}:{line}:{col}\n")),
            "{file}:{line}:{col} missing:\n{err}"
        );
    }
    assert!(
        err.trim_end()
            .ends_with(&format!("error: the site has {} errors", BROKEN.len())),
        "{err}"
    );
}

#[test]
fn the_library_reports_the_same_diagnostics() {
    let all = Site::fixture("broken").check_err();
    let got: Vec<_> = all.iter().map(place).collect();
    let expected: Vec<_> = BROKEN
        .iter()
        .map(|(c, f, l, col)| (*c, f.to_string(), *l, *col))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn a_broken_site_is_not_built() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let result = cyclebook::build(&cyclebook::BuildOptions {
        site: fixture_path("broken"),
        out: Some(out.clone()),
        base_url: None,
        git: false,
        allow_identifiers: false,
    });
    match result {
        Err(cyclebook::Error::Content(d)) => assert_eq!(d.len(), BROKEN.len()),
        Err(e) => panic!("expected content errors, got {e}"),
        Ok(_) => panic!("a site with errors was built"),
    }
    assert!(!out.exists());
    assert!(
        common::entries(dir.path()).is_empty(),
        "{:?}",
        common::entries(dir.path())
    );
}

#[test]
fn csv_columns_count_characters_and_respect_quotes() {
    let site = Site::from_files(&[(
        "measures/beds.csv",
        "note,date,value\n\"Ward café, closed\",2026-01-12,4\n\"Ward café, closed\",2026-01-19,lots\n",
    )]);
    let d = site.only_error();
    // `"Ward café, closed"` is 19 characters (20 bytes); the date starts at 21, the value at 32.
    assert_eq!(place(&d), ("E0305", "measures/beds.csv".into(), 3, 32));
}

#[test]
fn body_link_columns_count_characters() {
    let site = Site::from_files(&[(
        "notes/n.md",
        "---\ntitle: N\n---\nCafé — see [[nowhere]].\n",
    )]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0202", "notes/n.md".into(), 4, 12));
    assert!(d.hint.is_some());
}

#[test]
fn relative_links_to_missing_files_are_broken_links() {
    let site = Site::from_files(&[(
        "notes/n.md",
        "---\ntitle: N\n---\n\nSee [the plan](../cycles/missing.md).\n",
    )]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0202", "notes/n.md".into(), 5, 5));
    assert!(d.message.contains("cycles/missing.md"), "{}", d.message);
}

#[test]
fn did_you_mean_suggests_a_close_id() {
    let site = Site::from_files(&[
        (
            "cycles/huddle-1.md",
            "---\ntitle: H\nstatus: planned\n---\n",
        ),
        ("notes/n.md", "---\ntitle: N\ncycles: [hudle-1]\n---\n"),
    ]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0202", "notes/n.md".into(), 3, 10));
    assert_eq!(d.hint.as_deref(), Some("did you mean `huddle-1`?"));
}

#[test]
fn check_with_only_warnings_succeeds_and_shows_them() {
    let site = Site::from_files(&[("cycles/c.md", "---\ntitle: No status\n---\n")]);
    let warnings = site.check_ok();
    assert_eq!(
        warnings.iter().map(place).collect::<Vec<_>>(),
        [("W0101", "cycles/c.md".to_string(), 2, 1)]
    );
    let run = cyclebook(["check".as_ref(), site.root().as_os_str()]);
    run.exits(0);
    assert!(
        run.stderr
            .contains("warning[W0101]: cycle has no `status`; taken as `planned`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--> cycles/c.md:2:1"), "{}", run.stderr);
    assert!(
        run.stderr.trim_end().ends_with(": 1 warning"),
        "{}",
        run.stderr
    );
    let json = cyclebook([
        "check".as_ref(),
        site.root().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    json.exits(0);
    let json = json.json();
    assert_eq!(json.as_array().map(Vec::len), Some(1));
    assert_eq!(json[0]["severity"], "warning");
}

#[test]
fn config_errors_point_into_cyclebook_yml() {
    let site = Site::from_files(&[(
        "cyclebook.yml",
        "title: T\nbase_url: example.org\ntheem: dark\n",
    )]);
    let all = site.check_err();
    let got: Vec<_> = all.iter().map(place).collect();
    assert_eq!(
        got,
        [
            ("E0107", "cyclebook.yml".to_string(), 2, 11),
            ("E0104", "cyclebook.yml".to_string(), 3, 1)
        ]
    );
    assert!(all[1]
        .hint
        .as_deref()
        .unwrap()
        .starts_with("did you mean `theme`?"));
}

#[test]
fn block_list_items_are_pointed_at_on_their_own_line() {
    let site = Site::from_files(&[
        ("measures/steady.csv", "date,value\n2026-01-05,3\n"),
        (
            "cycles/c.md",
            "---\ntitle: C\nstatus: planned\nmeasures:\n  - steady\n  - nope\n---\n",
        ),
    ]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0202", "cycles/c.md".into(), 6, 5));
}

#[test]
fn measure_settings_that_name_periods_missing_from_the_data_are_warned_about() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Settings\n"),
        (
            "measures/waits.md",
            "---\ntitle: Waits\nchart: i\nfreeze: 9\nexclude: [2026-01-12, 2026-01-13]\nrebase:\n  - 2025-12-01\n---\n",
        ),
        ("measures/waits.csv", "date,value\n2026-01-05,3\n2026-01-12,4\n2026-01-19,5\n"),
    ]);
    let warnings = site.check_ok();
    let got: Vec<_> = warnings.iter().map(place).collect();
    assert_eq!(
        got,
        [
            ("W0305", "measures/waits.md".to_string(), 4, 9),
            ("W0303", "measures/waits.md".to_string(), 5, 23),
            ("W0304", "measures/waits.md".to_string(), 7, 5),
        ]
    );
    assert!(warnings[1]
        .message
        .contains("2026-01-13, which is not a period"));
}

/// `check` renders no page when the site uses the default theme, so it must find a
/// static file in the way of a generated one without rendering: the same errors as
/// `build`, each at the static file.
#[test]
fn static_files_in_the_way_of_generated_ones_are_errors_in_check_and_build() {
    let site = Site::fixture_copy("linked");
    site.write("static/cycles/huddle-1/index.html", "<p>mine</p>\n");
    site.write("static/search/meta.json", "{}\n");
    site.write("static/tags/index.html", "<p>mine</p>\n");
    // Beside generated files, not over them: fine.
    site.write("static/cycles/huddle-1/photo.txt", "a photo\n");
    let places = |diagnostics: Vec<cyclebook::diagnostics::Diagnostic>| {
        let mut places: Vec<_> = diagnostics
            .iter()
            .map(|d| (place(d).0, place(d).1))
            .collect();
        places.sort();
        places
    };
    let expected = vec![
        ("E0402", "static/cycles/huddle-1/index.html".to_string()),
        ("E0402", "static/search/meta.json".to_string()),
        ("E0402", "static/tags/index.html".to_string()),
    ];
    assert_eq!(places(site.check_err()), expected);
    let built = cyclebook::compile(site.root(), None, false, false);
    match built {
        Err(cyclebook::Error::Content(diagnostics)) => assert_eq!(places(diagnostics), expected),
        _ => panic!("build should fail on the static files"),
    }
}

/// The files `check` compares static files with are the files a build writes (the
/// theme's assets and the search index's folder aside).
#[test]
fn the_planned_files_are_the_files_a_build_writes() {
    for (site, base_url) in [
        (Site::example(), None),
        (Site::example(), Some("https://example.org/ward7/")),
        (Site::fixture_copy("linked"), None),
    ] {
        let built = cyclebook::compile(site.root(), base_url, false, false)
            .unwrap_or_else(|e| panic!("{e}"));
        let written: std::collections::HashSet<std::path::PathBuf> = built
            .files
            .iter()
            // Static files are copied, not made.
            .filter(|(_, output)| !matches!(output, cyclebook::render::Output::Copy(_)))
            .map(|(path, _)| path)
            .filter(|p| !p.starts_with("assets") && !p.starts_with("search"))
            .cloned()
            .collect();
        let mut planned = cyclebook::render::planned_paths(&built.library, &built.config, false);
        planned.remove(std::path::Path::new("search/index.html"));
        assert!(written.len() > 20);
        let mut missing: Vec<_> = written.difference(&planned).collect();
        let mut extra: Vec<_> = planned.difference(&written).collect();
        missing.sort();
        extra.sort();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "written but not planned: {missing:?}\nplanned but not written: {extra:?}"
        );
    }
}

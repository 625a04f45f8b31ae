//! The same site builds to the same bytes, every time and from any folder.

mod common;

use common::{assert_same_tree, cyclebook, Site};
use std::ffi::OsStr;

#[test]
fn building_the_linked_fixture_twice_gives_identical_trees() {
    let site = Site::fixture("linked");
    let first = site.build().tree();
    let second = site.build().tree();
    assert!(first.len() > 20, "{} files", first.len());
    assert_same_tree(&first, &second);
}

#[test]
fn where_the_site_lives_does_not_change_the_output() {
    let here = Site::fixture("linked").build().tree();
    let copy = Site::fixture_copy("linked").build().tree();
    assert_same_tree(&here, &copy);
}

#[test]
fn building_the_example_site_twice_gives_identical_trees() {
    let site = Site::example();
    let first = site.build();
    let second = site.build();
    assert!(
        first.warnings.is_empty(),
        "{}",
        common::render_all(&first.warnings)
    );
    let (a, b) = (first.tree(), second.tree());
    assert!(a.len() > 100, "{} files", a.len());
    assert!(a.contains_key("measures/falls-rate/falls-rate.csv"));
    assert_same_tree(&a, &b);
}

#[test]
fn the_binary_builds_identical_trees_into_different_folders() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    for out in [&one, &two] {
        cyclebook([
            OsStr::new("build"),
            common::example_site_path().as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
        ])
        .exits(0);
    }
    assert_same_tree(&common::tree(&one), &common::tree(&two));
}

#[test]
fn one_thread_and_many_give_identical_trees() {
    // Loading, scanning, rendering and writing run on a thread pool; results are put
    // back in order, so the output may not depend on how many threads there are.
    let dir = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for threads in ["1", "2", "7"] {
        let out = dir.path().join(format!("threads-{threads}"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_cyclebook"))
            .env("RAYON_NUM_THREADS", threads)
            .args([OsStr::new("build"), common::example_site_path().as_os_str()])
            .args([OsStr::new("--no-git"), OsStr::new("-o"), out.as_os_str()])
            .status()
            .unwrap();
        assert!(status.success(), "{threads} threads");
        trees.push(common::tree(&out));
    }
    assert!(trees[0].len() > 100, "{} files", trees[0].len());
    assert_same_tree(&trees[0], &trees[1]);
    assert_same_tree(&trees[0], &trees[2]);
}

#[test]
fn a_template_looping_over_a_map_gets_its_keys_in_order_every_time() {
    // Tera keeps maps in hash maps; a loop over one went in a random order per build.
    let site = Site::fixture_copy("linked");
    let note = std::fs::read_to_string(site.root().join("notes/lesson-huddles.md")).unwrap();
    let keys = [
        "ward", "bay", "shift", "owner", "review", "audit", "cohort", "site", "zone", "lead",
        "funder", "phase",
    ];
    let extra: String = keys
        .iter()
        .map(|k| format!("  {k}: value of {k}\n"))
        .collect();
    site.write(
        "notes/lesson-huddles.md",
        &note.replacen(
            "kind: lesson\n",
            &format!("kind: lesson\nextra:\n{extra}"),
            1,
        ),
    );
    site.write(
        "templates/note.html",
        "{% extends \"base.html\" %}\n{% block content %}{% if item.extra %}<p class=\"extra\">{% for key, value in item.extra %}{{ key }}={{ value }};{% endfor %}</p>{% endif %}{% endblock content %}\n",
    );
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    let expected: String = sorted
        .iter()
        .map(|k| format!("{k}=value of {k};"))
        .collect();
    for _ in 0..3 {
        site.build()
            .page("notes/lesson-huddles/index.html")
            .contains(&format!("<p class=\"extra\">{expected}</p>"));
    }
}

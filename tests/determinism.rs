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

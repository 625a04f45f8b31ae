//! The identifier scanner in `check` and `build`: findings name file:line:col and the
//! rule, `build` refuses to publish them unless `--allow-identifiers` is given, and a
//! line can mark a deliberate false positive.

mod common;

use common::{cyclebook, place, Site};
use std::ffi::OsStr;

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// 943 476 5919 is the NHS's published example of a valid number (modulus 11).
const NOTE: &str =
    "---\ntitle: Handover\n---\nAsked about the patient (NHS 943 476 5919) at handover.\n";

#[test]
fn check_reports_an_nhs_number_with_its_place_and_rule() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Ward\n"),
        ("notes/handover.md", NOTE),
    ]);
    let errors = site.check_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        place(&errors[0]),
        ("E0701", "notes/handover.md".to_string(), 4, 30)
    );
    assert_eq!(errors[0].label.as_deref(), Some("possible nhs-number"));
    assert!(
        errors[0].message.contains("an NHS number"),
        "{}",
        errors[0].message
    );
    assert!(errors[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("cyclebook:allow=nhs-number"));
}

#[test]
fn a_number_failing_the_check_digit_is_not_reported() {
    let note = NOTE.replace("943 476 5919", "943 476 5918");
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Ward\n"),
        ("notes/handover.md", &note),
    ]);
    assert!(site.check_ok().is_empty());
}

#[test]
fn build_refuses_to_publish_identifiers_unless_allowed() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Ward\n"),
        ("notes/handover.md", NOTE),
    ]);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let run = cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        target.as_os_str(),
    ]);
    run.exits(1);
    assert!(run.stderr.contains("error[E0701]"), "{}", run.stderr);
    assert!(!target.exists(), "nothing is published");

    let run = cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        target.as_os_str(),
        os("--allow-identifiers"),
    ]);
    run.exits(0);
    assert!(run.stderr.contains("warning[W0701]"), "{}", run.stderr);
    assert!(target.join("notes/handover/index.html").exists());
}

#[test]
fn identifiers_in_front_matter_and_csv_cells_are_found_and_a_marker_allows_one() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Ward\n"),
        (
            "cycles/c.md",
            "---\ntitle: Call the ward\nstatus: planned\nteam: [ward clerk 07700 900123]\n---\nSwitchboard 020 7946 0018 <!-- cyclebook:allow=phone -->\n",
        ),
        (
            "measures/m.csv",
            "date,value,note\n2026-01-05,3,\n2026-01-12,4,asked jo.bloggs@example.org\n",
        ),
    ]);
    let got: Vec<_> = site.check_err().iter().map(place).collect();
    assert_eq!(
        got,
        [
            ("E0701", "cycles/c.md".to_string(), 4, 19),
            ("E0701", "measures/m.csv".to_string(), 3, 20),
        ]
    );
}

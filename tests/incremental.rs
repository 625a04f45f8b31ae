//! Incremental rebuilds (what `serve` does after each save) give exactly what a clean
//! build gives, after any sequence of edits, while rendering only the pages an edit
//! touches.

mod common;

use common::{copy_dir, example_site_path};
use cyclebook::render::{Output, SiteFiles};
use cyclebook::Cache;
use std::fs;
use std::path::{Path, PathBuf};

struct Session {
    _dir: tempfile::TempDir,
    site: PathBuf,
    cache: Cache,
    breaks_next: bool,
}

impl Session {
    fn new() -> Session {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        copy_dir(&example_site_path(), &site);
        let mut session = Session {
            _dir: dir,
            site,
            cache: Cache::default(),
            breaks_next: false,
        };
        session.rebuild(&[]).expect("the example site builds");
        session
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.join(rel)
    }

    /// Rebuilds as `serve` does after the watcher named `changed`.
    fn rebuild(&mut self, changed: &[&str]) -> Result<SiteFiles, cyclebook::Error> {
        let paths: Vec<PathBuf> = changed.iter().map(|c| self.path(c)).collect();
        self.cache.load.forget(paths.iter().map(PathBuf::as_path));
        cyclebook::compile_cached(&self.site, None, false, false, &mut self.cache).map(|b| b.files)
    }

    fn clean(&self) -> Result<SiteFiles, cyclebook::Error> {
        cyclebook::compile(&self.site, None, false, false).map(|b| b.files)
    }

    /// Edits, rebuilds incrementally, and checks the result against a clean build.
    /// Returns how many pages the rebuild rendered.
    /// The site must build after the step unless [`Session::breaks`] came first: an edit
    /// that breaks the site by mistake would otherwise compare only diagnostics from
    /// there on (two steps did, unnoticed).
    fn step(&mut self, what: &str, changed: &[&str]) -> usize {
        let incremental = self.rebuild(changed);
        let clean = self.clean();
        let meant_to_fail = std::mem::take(&mut self.breaks_next);
        assert_eq!(
            clean.is_err(),
            meant_to_fail,
            "{what}: the clean build {}",
            match &clean {
                Err(e) => format!("failed: {e}"),
                Ok(_) => "succeeded".to_string(),
            }
        );
        match (incremental, clean) {
            (Ok(incremental), Ok(clean)) => assert_same(what, &incremental, &clean),
            (Err(cyclebook::Error::Content(a)), Err(cyclebook::Error::Content(b))) => {
                let show = |d: &[cyclebook::diagnostics::Diagnostic]| {
                    d.iter().map(|d| d.render_human()).collect::<Vec<_>>()
                };
                assert_eq!(show(&a), show(&b), "{what}: diagnostics differ");
            }
            (a, b) => panic!(
                "{what}: incremental {:?} but clean {:?}",
                a.map(|f| f.len()),
                b.map(|f| f.len())
            ),
        }
        self.cache.render.last_rendered
    }

    /// The next step breaks the site on purpose: it must fail to build.
    fn breaks(&mut self) -> &mut Self {
        self.breaks_next = true;
        self
    }

    fn edit(&self, rel: &str, change: impl FnOnce(String) -> String) {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).unwrap();
        let changed = change(text.clone());
        assert_ne!(changed, text, "the edit of {rel} changes it");
        fs::write(&path, changed).unwrap();
    }

    fn write(&self, rel: &str, text: &str) {
        fs::write(self.path(rel), text).unwrap();
    }
}

fn assert_same(what: &str, incremental: &SiteFiles, clean: &SiteFiles) {
    let keys = |f: &SiteFiles| f.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(incremental), keys(clean), "{what}: different files");
    for (path, output) in clean {
        let other = &incremental[path];
        let same = match (output, other) {
            (Output::Copy(a), Output::Copy(b)) => a == b,
            (Output::Copy(_), _) | (_, Output::Copy(_)) => false,
            (a, b) => a.to_bytes().unwrap() == b.to_bytes().unwrap(),
        };
        if !same {
            let text = |o: &Output| match o {
                Output::Copy(p) => format!("copy of {}", p.display()),
                _ => String::from_utf8_lossy(&o.to_bytes().unwrap()).into_owned(),
            };
            let (a, b): (Vec<char>, Vec<char>) = (
                text(other).chars().collect(),
                text(output).chars().collect(),
            );
            let at = (0..a.len().min(b.len()))
                .find(|i| a[*i] != b[*i])
                .unwrap_or(a.len().min(b.len()));
            let around = |s: &[char]| -> String {
                s[at.saturating_sub(120).min(s.len())..(at + 120).min(s.len())]
                    .iter()
                    .collect()
            };
            panic!(
                "{what}: {} differs from a clean build at character {at}:\nincremental: …{}…\nclean:       …{}…",
                path.display(),
                around(&a),
                around(&b)
            );
        }
    }
}

fn page(files: &SiteFiles, path: &str) -> String {
    match &files[Path::new(path)] {
        Output::Copy(_) => panic!("{path} is a copy"),
        output => String::from_utf8(output.to_bytes().unwrap()).unwrap(),
    }
}

#[test]
fn nothing_changed_renders_nothing() {
    let mut s = Session::new();
    assert_eq!(s.step("no change", &[]), 0);
    assert!(s.cache.render.last_units > 100);
}

#[test]
fn a_body_edit_renders_the_page_and_the_pages_showing_its_links() {
    let mut s = Session::new();
    s.edit("notes/patient-rep-feedback.md", |t| {
        t + "\nA new paragraph about [[falls-huddle-2]].\n"
    });
    let rendered = s.step("body edit", &["notes/patient-rep-feedback.md"]);
    // The note, the cycle it now links to (a new backlink); nothing that only lists it.
    assert!(
        (1..=3).contains(&rendered),
        "rendered {rendered} pages for one body edit"
    );
    let files = s.rebuild(&[]).unwrap();
    assert!(
        page(&files, "cycles/falls-huddle-2/index.html").contains("notes/patient-rep-feedback/")
    );
}

#[test]
fn any_sequence_of_edits_matches_a_clean_build() {
    let mut s = Session::new();
    s.edit("notes/patient-rep-feedback.md", |t| {
        t.replace(
            "What our patient and carer representatives told us",
            "What patient representatives told us",
        )
    });
    s.step("title of a note", &["notes/patient-rep-feedback.md"]);

    s.edit("cycles/falls-huddle-2.md", |t| {
        t.replace(
            "tags: [huddle, handover, weekends]",
            "tags: [huddle, handover, weekends, brand-new-tag]",
        )
    });
    s.step("a new tag", &["cycles/falls-huddle-2.md"]);

    s.edit("cycles/falls-huddle-2.md", |t| {
        t.replace("status: done", "status: studying")
    });
    s.step("status of a cycle", &["cycles/falls-huddle-2.md"]);

    s.write(
        "notes/new-observation.md",
        "---\ntitle: A new observation\ndate: 2026-11-20\ntags: [falls]\n---\n\nSeen during [[bay-tagging-2]], see [[falls-rate]].\n",
    );
    s.step("a new note", &["notes/new-observation.md"]);

    s.edit("notes/new-observation.md", |t| {
        t.replace("A new observation", "A renamed observation")
    });
    s.step("title of the new note", &["notes/new-observation.md"]);

    fs::rename(
        s.path("notes/new-observation.md"),
        s.path("notes/observation-moved.md"),
    )
    .unwrap();
    s.step(
        "a renamed note",
        &["notes/new-observation.md", "notes/observation-moved.md"],
    );

    fs::remove_file(s.path("notes/observation-moved.md")).unwrap();
    s.step("a deleted note", &["notes/observation-moved.md"]);

    s.write(
        "cycles/bed-sensors-3.md",
        "---\ntitle: Bed sensors, test 3\nchange: bed-chair-sensors\nstatus: planned\nstarted: 2026-12-01\nmeasures: [falls-rate]\n---\n\n## Plan\n\nTry the quieter alarm on one bay.\n",
    );
    s.step("a new cycle", &["cycles/bed-sensors-3.md"]);
    fs::remove_file(s.path("cycles/bed-sensors-3.md")).unwrap();
    s.step("the new cycle deleted", &["cycles/bed-sensors-3.md"]);

    s.edit("measures/falls-rate.csv", |t| {
        t.replace("2026-11-16,1,194,", "2026-11-16,9,194,")
    });
    s.step("a measure's data", &["measures/falls-rate.csv"]);

    s.edit("cycles/bay-tagging-3.md", |t| {
        t.replace("started: ", "started: 2020-01-01\nx_started: ")
    });
    s.breaks()
        .step("a broken edit", &["cycles/bay-tagging-3.md"]);
    s.edit("cycles/bay-tagging-3.md", |t| {
        t.replace("started: 2020-01-01\nx_started: ", "started: ")
    });
    s.step("the broken edit undone", &["cycles/bay-tagging-3.md"]);

    s.edit("cyclebook.yml", |t| {
        t.replace("title:", "title: Renamed site\nx_title:")
    });
    s.breaks().step("a broken setting", &["cyclebook.yml"]);
    s.edit("cyclebook.yml", |t| {
        t.replace("title: Renamed site\nx_title:", "title:")
    });
    s.step("the setting restored", &["cyclebook.yml"]);
    // Inside the quotes: unquoted, `title: Ward 7 — "…"` is a YAML error, and every
    // step after this one compared only diagnostics.
    s.edit("cyclebook.yml", |t| {
        t.replacen("title: \"", "title: \"Ward 7 — ", 1)
    });
    s.step("the site's title", &["cyclebook.yml"]);
    assert!(page(&s.rebuild(&[]).unwrap(), "index.html").contains("Ward 7 — Northfield"));

    fs::create_dir_all(s.path("templates/partials")).unwrap();
    s.write(
        "templates/partials/tags.html",
        "<p class=\"overridden-tags\">tags</p>\n",
    );
    s.step("a template override", &["templates/partials/tags.html"]);
    fs::remove_file(s.path("templates/partials/tags.html")).unwrap();
    s.step("the override removed", &["templates/partials/tags.html"]);

    fs::create_dir_all(s.path("static")).unwrap();
    s.write("static/plan.txt", "a plan\n");
    s.edit("notes/patient-rep-feedback.md", |t| {
        t + "\nThe [plan](../static/plan.txt).\n"
    });
    s.step(
        "a static file and a link to it",
        &["static/plan.txt", "notes/patient-rep-feedback.md"],
    );

    // Inside the quotes: `title: Renamed: "…"` would be a YAML error, not a new title.
    s.edit("changes/safety-huddle.md", |t| {
        t.replacen("title: \"", "title: \"Renamed: ", 1)
    });
    let rendered = s.step("title of a change idea", &["changes/safety-huddle.md"]);
    assert!(
        rendered > 3,
        "cycles showing the change's title were rendered again"
    );
    let files = s.rebuild(&[]).unwrap();
    assert!(page(&files, "cycles/falls-huddle-2/index.html")
        .contains("Renamed: Falls safety huddle at every shift handover"));
}

#[test]
fn an_edit_missed_by_the_watcher_is_still_seen() {
    // Without a watcher's word, the file's size, time and inode tell it changed.
    let mut s = Session::new();
    s.edit("notes/patient-rep-feedback.md", |t| {
        t + "\nOne more line.\n"
    });
    s.step("an unreported edit", &[]);
    let files = s.rebuild(&[]).unwrap();
    assert!(page(&files, "notes/patient-rep-feedback/index.html").contains("One more line."));
}

#[test]
fn a_cycles_decision_reaches_the_driver_diagram_timeline_and_feed() {
    let mut s = Session::new();
    let state = |files: &SiteFiles, state: &str| {
        page(files, "aims/ward7-falls/index.html").contains(&format!(
            r#"<a class="driver-node driver-change state-{state}" href="../../changes/safety-huddle/">"#
        ))
    };
    let files = s.rebuild(&[]).unwrap();
    assert!(state(&files, "adopted"));

    // The latest cycle of the huddle's ramp is now abandoned.
    s.edit("cycles/falls-huddle-4.md", |t| {
        t.replace("decision: adopt", "decision: abandon")
    });
    s.step("a cycle's decision", &["cycles/falls-huddle-4.md"]);
    let files = s.rebuild(&[]).unwrap();
    assert!(state(&files, "abandoned"));
    assert!(page(&files, "cycles/index.html").contains("bar-decision-abandon"));
    assert!(page(&files, "cycles/atom.xml").contains("decision: Abandon"));

    // A new cycle at the end of the ramp: testing again.
    s.write(
        "cycles/falls-huddle-5.md",
        "---\ntitle: Falls huddle, test 5\nchange: safety-huddle\nstatus: planned\nstarted: 2026-12-07\nfollows: falls-huddle-4\n---\n\n## Plan\n\nNights only.\n",
    );
    s.step("a new cycle in the ramp", &["cycles/falls-huddle-5.md"]);
    let files = s.rebuild(&[]).unwrap();
    assert!(state(&files, "testing"));

    // A lesson draws on one more cycle.
    s.edit("notes/lesson-short-huddles.md", |t| {
        t.replace(
            "cycles: [falls-huddle-1, falls-huddle-2, falls-huddle-3]",
            "cycles: [falls-huddle-1, falls-huddle-2, falls-huddle-3, falls-huddle-5]",
        )
    });
    s.step("a lesson's sources", &["notes/lesson-short-huddles.md"]);
    let files = s.rebuild(&[]).unwrap();
    assert!(page(&files, "notes/index.html").contains("cycles/falls-huddle-5/"));

    fs::remove_file(s.path("cycles/falls-huddle-5.md")).unwrap();
    s.edit("notes/lesson-short-huddles.md", |t| {
        t.replace(", falls-huddle-5]", "]")
    });
    s.step(
        "the new cycle deleted",
        &["cycles/falls-huddle-5.md", "notes/lesson-short-huddles.md"],
    );
}

impl Session {
    /// Rebuilds as `serve` does when the watcher named `changed` and nothing else; says
    /// whether the load trusted that (no walk) and whether resolving patched the last
    /// library, after checking the result against a clean build.
    fn watched(&mut self, what: &str, changed: &[&str]) -> (bool, bool) {
        let paths: Vec<PathBuf> = changed.iter().map(|c| self.path(c)).collect();
        let trusted = self
            .cache
            .load
            .only_modified(paths.iter().map(PathBuf::as_path));
        self.step(what, &[]);
        assert_eq!(
            !self.cache.load.last_walked, trusted,
            "{what}: the load did what only_modified said"
        );
        (trusted, self.cache.last_resolve_patched())
    }

    /// [`Session::watched`], saying whether the load walked the site after all.
    fn walks(&mut self, what: &str, changed: &[&str]) -> bool {
        !self.watched(what, changed).0
    }
}

#[test]
fn an_edit_that_keeps_every_relation_is_read_alone_and_patched_in() {
    let mut s = Session::new();
    s.edit("notes/patient-rep-feedback.md", |t| {
        t + "\nA new paragraph, linking nowhere new.\n"
    });
    assert_eq!(
        s.watched("a body edit", &["notes/patient-rep-feedback.md"]),
        (true, true)
    );
    assert_eq!(s.cache.load.last_read, 1);
    let files = s.rebuild(&[]).unwrap();
    assert!(page(&files, "notes/patient-rep-feedback/index.html")
        .contains("A new paragraph, linking nowhere new."));

    // A title is not a relation, but the cycles that show it are rendered again.
    s.edit("changes/safety-huddle.md", |t| {
        t.replacen("title: \"Falls safety huddle", "title: \"Renamed huddle", 1)
    });
    assert_eq!(
        s.watched("a change idea's title", &["changes/safety-huddle.md"]),
        (true, true)
    );
    assert!(s.cache.render.last_rendered > 3, "cycles showing the title");
    s.edit("cycles/falls-huddle-2.md", |t| {
        t.replace("  - \"It will happen", "  - \"It should happen")
    });
    assert_eq!(
        s.watched("a cycle's prediction", &["cycles/falls-huddle-2.md"]),
        (true, true)
    );
    // Two files in one burst.
    s.edit("notes/patient-rep-feedback.md", |t| t + "\nOne more.\n");
    s.edit("cycles/falls-huddle-2.md", |t| t + "\nA last word.\n");
    assert_eq!(
        s.watched(
            "two body edits",
            &["notes/patient-rep-feedback.md", "cycles/falls-huddle-2.md"]
        ),
        (true, true)
    );
}

#[test]
fn an_edit_that_changes_a_relation_is_resolved_anew() {
    let mut s = Session::new();
    // Each is read alone (the files were there and still are) but not patched in.
    s.edit("notes/patient-rep-feedback.md", |t| {
        t + "\nSee also [[bay-tagging-3]].\n"
    });
    assert_eq!(
        s.watched("a new body link", &["notes/patient-rep-feedback.md"]),
        (true, false)
    );
    let files = s.rebuild(&[]).unwrap();
    // A patch would have missed the backlink.
    assert!(page(&files, "cycles/bay-tagging-3/index.html").contains("notes/patient-rep-feedback/"));

    s.edit("cycles/falls-huddle-2.md", |t| {
        t.replace(
            "tags: [huddle, handover, weekends]",
            "tags: [huddle, handover]",
        )
    });
    assert_eq!(
        s.watched("a tag removed", &["cycles/falls-huddle-2.md"]),
        (true, false)
    );
    s.edit("cycles/falls-huddle-2.md", |t| {
        t.replace(
            "measures: [handover-overrun, falls-rate]",
            "measures: [falls-rate]",
        )
    });
    assert_eq!(
        s.watched("a cycle's measures", &["cycles/falls-huddle-2.md"]),
        (true, false)
    );
    s.edit("cycles/falls-huddle-2.md", |t| {
        t.replace("started: 2025-09-22", "started: 2025-09-23")
    });
    assert_eq!(
        s.watched(
            "a cycle's start (its place in the ramp)",
            &["cycles/falls-huddle-2.md"]
        ),
        (true, false)
    );
    s.edit("notes/patient-rep-feedback.md", |t| {
        t.replace("cycles: [falls-huddle-4, ", "cycles: [")
    });
    assert_eq!(
        s.watched("a note's cycles", &["notes/patient-rep-feedback.md"]),
        (true, false)
    );
    s.edit("measures/falls-rate.csv", |t| {
        t.replace("2026-11-16,1,194,", "2026-11-16,9,194,")
    });
    assert_eq!(
        s.watched("a measure's data", &["measures/falls-rate.csv"]),
        (true, false)
    );
    s.edit("notes/patient-rep-feedback.md", |t| {
        t + "\nBroken: [[no-such-item]].\n"
    });
    assert_eq!(
        s.breaks()
            .watched("a broken link", &["notes/patient-rep-feedback.md"]),
        (true, false)
    );
    // While a file has a problem, even an edit that keeps its relations resolves anew.
    s.edit("notes/patient-rep-feedback.md", |t| t + "\nStill broken.\n");
    assert_eq!(
        s.breaks().watched(
            "an edit of a broken file",
            &["notes/patient-rep-feedback.md"]
        ),
        (true, false)
    );
    s.edit("notes/patient-rep-feedback.md", |t| {
        t.replace("\nBroken: [[no-such-item]].\n", "\n")
    });
    assert_eq!(
        s.watched("the broken link fixed", &["notes/patient-rep-feedback.md"]),
        (true, false)
    );
}

#[test]
fn a_file_that_comes_goes_or_moves_walks_the_site_again() {
    let mut s = Session::new();
    s.write(
        "notes/new-observation.md",
        "---\ntitle: A new observation\ndate: 2026-11-20\ntags: [falls]\n---\n\nSeen during [[bay-tagging-2]].\n",
    );
    assert!(s.walks("a new note", &["notes/new-observation.md"]));
    fs::rename(
        s.path("notes/new-observation.md"),
        s.path("notes/observation-moved.md"),
    )
    .unwrap();
    assert!(s.walks(
        "a renamed note",
        &["notes/new-observation.md", "notes/observation-moved.md"]
    ));
    // Told only of the new name: it was not there before.
    fs::rename(
        s.path("notes/observation-moved.md"),
        s.path("notes/observation-moved-again.md"),
    )
    .unwrap();
    assert!(s.walks("half a rename", &["notes/observation-moved-again.md"]));
    fs::remove_file(s.path("notes/observation-moved-again.md")).unwrap();
    assert!(s.walks("a deleted note", &["notes/observation-moved-again.md"]));
    fs::create_dir_all(s.path("notes/2027")).unwrap();
    s.write(
        "notes/2027/in-a-folder.md",
        "---\ntitle: In a folder\ndate: 2027-01-02\n---\n\nText.\n",
    );
    assert!(s.walks("a new folder", &["notes/2027"]));
    s.edit("cyclebook.yml", |t| {
        t.replace("the fictional", "the imaginary")
    });
    assert!(s.walks("the settings", &["cyclebook.yml"]));
    fs::create_dir_all(s.path("templates/partials")).unwrap();
    s.write(
        "templates/partials/tags.html",
        "<p class=\"overridden-tags\">tags</p>\n",
    );
    assert!(s.walks("a template", &["templates/partials/tags.html"]));
    // A file the site does not read, and a measure's CSV that was missing.
    s.write("notes/README.md", "Not an item.\n");
    assert!(s.walks("a skipped file", &["notes/README.md"]));
    fs::rename(s.path("measures/falls-rate.csv"), s.path("falls-rate.csv")).unwrap();
    s.breaks()
        .step("a measure's data gone", &["measures/falls-rate.csv"]);
    fs::rename(s.path("falls-rate.csv"), s.path("measures/falls-rate.csv")).unwrap();
    assert!(s.walks("the data back", &["measures/falls-rate.csv"]));
    // Nothing named: nothing to trust.
    assert!(s.walks("no paths", &[]));
}

#[test]
fn a_cycle_with_a_warning_is_resolved_anew_on_every_edit() {
    let mut s = Session::new();
    s.write(
        "cycles/bed-sensors-3.md",
        "---\ntitle: Bed sensors, test 3\nchange: bed-chair-sensors\nstatus: doing\ndecision: adopt\nstarted: 2026-12-01\n---\n\n## Plan\n\nTry the quieter alarm.\n",
    );
    s.step("a cycle with a warning", &["cycles/bed-sensors-3.md"]);
    s.edit("cycles/bed-sensors-3.md", |t| {
        t.replace("## Plan\n", "## Plan\n\nOne bay first.\n")
    });
    assert_eq!(
        s.watched("its body", &["cycles/bed-sensors-3.md"]),
        (true, false)
    );
}

#[test]
fn a_lesson_body_edit_leaves_the_notes_page_until_what_it_draws_on_changes() {
    let mut s = Session::new();
    let lesson = "notes/lesson-finding-hf-discharges.md";
    s.edit(lesson, |t| t + "\nOne more sentence.\n");
    // The lesson's page and the search index: /notes/ shows what it draws on, which
    // the edit kept.
    let rendered = s.step("a lesson's body", &[lesson]);
    assert_eq!(
        rendered, 2,
        "rendered {rendered} pages for a lesson's body edit"
    );
    // A new link to a measure is something it draws on: /notes/ shows it.
    s.edit(lesson, |t| t + "\nSee also [[falls-rate]].\n");
    s.step("a lesson's new link", &[lesson]);
    let files = s.rebuild(&[]).unwrap();
    let notes = page(&files, "notes/index.html");
    let card = notes
        .split("<li class=\"card card-note card-lesson\">")
        .find(|card| card.contains("notes/lesson-finding-hf-discharges/"))
        .expect("the lesson's card");
    assert!(card.contains("measures/falls-rate/"), "{card}");
}

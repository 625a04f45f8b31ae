//! `cyclebook init` and `cyclebook new`: the files they write, the ids they choose, the
//! ramps they continue, the scaffolds they use, and that what they write builds.

mod common;

use common::{copy_dir, cyclebook, cyclebook_in, entries, example_site_path, Page, Run};
use cyclebook::date::Date;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `cyclebook init` into `<temp>/<name>`.
fn init_site(name: &str) -> (TempDir, PathBuf, Run) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join(name);
    let run = cyclebook([os("init"), site.as_os_str()]);
    run.exits(0);
    (dir, site, run)
}

/// `cyclebook new <args…> --site <site>`.
fn new(site: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = vec![os("new")];
    all.extend(args.iter().map(|a| os(a)));
    all.extend([os("--site"), site.as_os_str()]);
    cyclebook(all)
}

/// `check --format json` (without git): the diagnostics, asserting exit code 0.
fn check_clean(site: &Path) -> serde_json::Value {
    let run = cyclebook([os("check"), site.as_os_str(), os("--format"), os("json")]);
    run.exits(0);
    run.json()
}

/// `build` (without git) into a fresh folder beside the site.
fn build(site: &Path) -> PathBuf {
    let out = site.parent().unwrap().join(format!(
        "public-{}",
        site.file_name().unwrap().to_string_lossy()
    ));
    let run = cyclebook([os("build"), site.as_os_str(), os("-o"), out.as_os_str()]);
    run.exits(0);
    assert!(run.stderr.is_empty(), "warnings:\n{}", run.stderr);
    out
}

fn page(out: &Path, rel: &str) -> Page {
    Page {
        name: rel.to_string(),
        html: read(out.join(rel)),
    }
}

/// Today as the binary saw it (a run across midnight UTC may see either day).
fn today_or_yesterday(text: &str, key: &str) -> Date {
    let today = Date::today();
    for day in [today, today.add_days(-1)] {
        if text.contains(&format!("\n{key}: {day}\n")) {
            return day;
        }
    }
    panic!("no `{key}: {today}` in:\n{text}");
}

#[test]
fn init_writes_a_site_that_checks_without_a_warning_and_builds() {
    let (_dir, site, run) = init_site("ward-7_lhs");
    let shown = |rel: &str| format!("{}\n", site.join(rel).display());
    for rel in [
        "cyclebook.yml",
        "aims/med-rec-95.md",
        "changes/daily-med-rec-list.md",
        "cycles/daily-list-1.md",
        "measures/med-rec-24h.md",
        "measures/med-rec-24h.csv",
        "notes/lesson-daily-list.md",
        "README.md",
        ".gitignore",
        ".github/workflows/cyclebook.yml",
    ] {
        assert!(site.join(rel).is_file(), "{rel} was not written");
        assert!(
            run.stdout.contains(&shown(rel)),
            "{rel} not printed:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("Next steps:"), "{}", run.stdout);
    assert!(run.stdout.contains("cyclebook build"), "{}", run.stdout);
    assert!(run.stdout.contains("cyclebook serve"), "{}", run.stdout);

    // Settings: title from the folder, privacy decided, commented URLs.
    let config = read(site.join("cyclebook.yml"));
    assert!(config.contains("title: \"Ward 7 lhs\"\n"), "{config}");
    assert!(
        config.contains("privacy: { suppress_below: 5 }\n"),
        "{config}"
    );
    assert!(config.contains("stale_data_days: 35\n"), "{config}");
    assert!(config.contains("\n# base_url: https://"), "{config}");
    assert!(config.contains("\n# repo_url: https://"), "{config}");
    assert!(config.contains("Small-number suppression"), "{config}");
    assert_eq!(
        read(site.join(".gitignore")).lines().last(),
        Some("public/")
    );

    // The workflow installs cyclebook as docs/ci.md does, with the whole history.
    let workflow = read(site.join(".github/workflows/cyclebook.yml"));
    for needle in [
        "  push:\n",
        "  pull_request:\n",
        "fetch-depth: 0",
        "CYCLEBOOK_GIT: ",
        "command -v cyclebook || cargo install --locked --git \"$CYCLEBOOK_GIT\" cyclebook",
        "- run: cyclebook check . --format github\n",
        "- run: cyclebook build .\n",
        "key: cyclebook-${{ runner.os }}",
    ] {
        assert!(
            workflow.contains(needle),
            "workflow lacks {needle}:\n{workflow}"
        );
    }

    // Twenty weekly points up to last week, every count and complement 5 or more.
    let csv = read(site.join("measures/med-rec-24h.csv"));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 20, "{csv}");
    let today = Date::today();
    let last = Date::parse_iso(rows[19].split(',').next().unwrap()).unwrap();
    assert_eq!(last.weekday(), 1, "weeks start on Mondays");
    assert!(
        last < today && today.to_days() - last.to_days() <= 14,
        "{last}"
    );
    for row in &rows {
        let cells: Vec<&str> = row.split(',').collect();
        let (value, denominator): (u32, u32) =
            (cells[1].parse().unwrap(), cells[2].parse().unwrap());
        assert!(value >= 5 && denominator - value >= 5, "{row}");
    }

    assert_eq!(check_clean(&site), serde_json::json!([]));
    let human = cyclebook([os("check"), site.as_os_str()]);
    human.exits(0);
    assert_eq!(
        human.stderr,
        format!("{}: no problems found\n", site.display())
    );

    let out = build(&site);
    for rel in [
        "index.html",
        "aims/med-rec-95/index.html",
        "changes/daily-med-rec-list/index.html",
        "cycles/daily-list-1/index.html",
        "measures/med-rec-24h/index.html",
        "measures/med-rec-24h/med-rec-24h.csv",
        "notes/lesson-daily-list/index.html",
    ] {
        assert!(out.join(rel).is_file(), "{rel} was not built");
    }
    // The pieces link up: the change idea under its driver, the cycle in its ramp, the
    // lesson on the measure, and nothing withheld for privacy.
    page(&out, "aims/med-rec-95/index.html")
        .contains("id=\"driver-daily-worklist\"")
        .contains("changes/daily-med-rec-list/");
    page(&out, "changes/daily-med-rec-list/index.html")
        .section("<ol class=\"ramp-steps\">", "</ol>")
        .contains("cycles/daily-list-1/");
    page(&out, "measures/med-rec-24h/index.html")
        .contains("notes/lesson-daily-list/")
        .contains("<svg")
        .lacks("to protect patients")
        .lacks("No data yet");
    page(&out, "notes/lesson-daily-list/index.html")
        .contains("cycles/daily-list-1/")
        .contains("measures/med-rec-24h/");
}

#[test]
fn init_defaults_to_the_current_folder_and_accepts_one_with_only_dotfiles() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("hf-clinic");
    fs::create_dir_all(site.join(".git")).unwrap();
    fs::write(site.join(".gitignore"), "target/\n").unwrap();

    let run = cyclebook_in(&site, ["init"]);
    run.exits(0);
    assert!(
        run.stdout
            .starts_with("cyclebook.yml\naims/med-rec-95.md\n"),
        "paths are relative to the current folder:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(".gitignore (already there: left as it was)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("\n  cd "), "{}", run.stdout);
    // An existing dotfile is never replaced.
    assert_eq!(read(site.join(".gitignore")), "target/\n");
    assert!(read(site.join("cyclebook.yml")).contains("title: \"Hf clinic\"\n"));
    cyclebook_in(&site, ["check"]).exits(0);
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("notes-of-mine");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("todo.txt"), "keep me\n").unwrap();

    let run = cyclebook([os("init"), site.as_os_str()]);
    run.exits(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with("error: refusing to start a site in "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("not empty (it has `todo.txt`)"),
        "{}",
        run.stderr
    );
    assert_eq!(entries(&site), ["todo.txt"]);
    assert_eq!(read(site.join("todo.txt")), "keep me\n");

    // A file is not a folder.
    let file = site.join("todo.txt");
    let run = cyclebook([os("init"), file.as_os_str()]);
    run.exits(2);
    assert!(
        run.stderr.contains("it is a file, not a folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_cycle_has_todays_date_and_the_pdsa_headings_and_the_site_stays_clean() {
    let (_dir, site, _) = init_site("site");
    let run = new(&site, &["cycle", "Bay tagging, test 1: bay A, one night"]);
    run.exits(0);
    let rel = "cycles/bay-tagging-test-1-bay-a-one-night.md";
    assert_eq!(run.stdout, format!("{}\n", site.join(rel).display()));

    let text = read(site.join(rel));
    assert!(
        text.starts_with("---\ntitle: \"Bay tagging, test 1: bay A, one night\"\n"),
        "{text}"
    );
    today_or_yesterday(&text, "started");
    assert!(text.contains("\nstatus: planned\n"), "{text}");
    // A plain cycle: the keys are there to fill in, with no value.
    for key in [
        "change",
        "follows",
        "measures",
        "team",
        "tags",
        "predictions",
    ] {
        assert!(text.contains(&format!("\n{key}:\n")), "{key}:\n{text}");
    }
    Page {
        name: rel.into(),
        html: text.clone(),
    }
    .in_order(&["\n## Plan\n", "\n## Do\n", "\n## Study\n", "\n## Act\n"])
    .contains("`predictions:`")
    .lacks("{{")
    .lacks("ramps up from");

    assert_eq!(check_clean(&site), serde_json::json!([]));
    let out = build(&site);
    page(&out, "cycles/bay-tagging-test-1-bay-a-one-night/index.html")
        .contains("Bay tagging, test 1: bay A, one night")
        .contains("id=\"plan\"")
        .contains("id=\"act\"");
}

#[test]
fn every_kind_gets_its_scaffold_and_a_new_measure_waits_for_data() {
    let (_dir, site, _) = init_site("site");
    let note = new(&site, &["note", "Weekend admissions: what we saw"]);
    note.exits(0);
    let text = read(site.join("notes/weekend-admissions-what-we-saw.md"));
    today_or_yesterday(&text, "date");
    assert!(text.contains("## What we learned"), "{text}");

    new(&site, &["change", "Pharmacy technician on the ward round"]).exits(0);
    let text = read(site.join("changes/pharmacy-technician-on-the-ward-round.md"));
    assert!(text.contains("status: idea"), "{text}");
    assert!(
        text.contains("change: pharmacy-technician-on-the-ward-round"),
        "{text}"
    );

    new(&site, &["aim", "No missed critical doses"]).exits(0);
    let text = read(site.join("aims/no-missed-critical-doses.md"));
    assert!(
        text.contains("- id: no-missed-critical-doses-primary-1"),
        "{text}"
    );

    let run = new(&site, &["measure", "Missed doses per 100 admissions"]);
    run.exits(0);
    let md = site.join("measures/missed-doses-per-100-admissions.md");
    let csv = site.join("measures/missed-doses-per-100-admissions.csv");
    assert_eq!(run.stdout, format!("{}\n{}\n", md.display(), csv.display()));
    let text = read(&md);
    for key in ["definition:", "unit:", "chart: run"] {
        assert!(text.contains(key), "{key}:\n{text}");
    }
    assert_eq!(read(&csv), "date,value,note\n");

    // A measure with a header and no rows is valid: one warning, W0301, until the data
    // come, and its page says so.
    let diagnostics = check_clean(&site);
    let codes: Vec<&str> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["W0301"], "{diagnostics}");
    let out = site.parent().unwrap().join("out");
    cyclebook([os("build"), site.as_os_str(), os("-o"), out.as_os_str()]).exits(0);
    page(&out, "measures/missed-doses-per-100-admissions/index.html").contains("No data yet");
}

#[test]
fn a_taken_id_gets_the_next_number() {
    let (_dir, site, _) = init_site("site");
    // The example lesson is `lesson-daily-list`.
    let first = new(&site, &["note", "Lesson: daily list"]);
    first.exits(0);
    assert_eq!(
        first.stdout,
        format!("{}\n", site.join("notes/lesson-daily-list-2.md").display())
    );
    new(&site, &["note", "Lesson: daily list"]).exits(0);
    assert!(site.join("notes/lesson-daily-list-3.md").is_file());
    // Ids are unique across kinds, and driver ids count too.
    new(&site, &["cycle", "Lesson daily list"]).exits(0);
    assert!(site.join("cycles/lesson-daily-list-4.md").is_file());
    new(&site, &["change", "Daily worklist"]).exits(0);
    assert!(site.join("changes/daily-worklist-2.md").is_file());
    // A README.md is never an item, so `readme` is never given.
    new(&site, &["note", "Readme"]).exits(0);
    assert!(site.join("notes/readme-2.md").is_file());
    // A measure needs both of its files' names free.
    fs::write(site.join("measures/wait.csv"), "date,value\n2026-01-05,3\n").unwrap();
    new(&site, &["measure", "Wait"]).exits(0);
    assert!(
        site.join("measures/wait-2.md").is_file() && site.join("measures/wait-2.csv").is_file()
    );

    let diagnostics = check_clean(&site);
    assert!(
        diagnostics
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] == "W0301"),
        "{diagnostics}"
    );
}

#[test]
fn new_never_overwrites_a_file() {
    let (_dir, site, _) = init_site("site");
    let lesson = site.join("notes/lesson-daily-list.md");
    let before = read(&lesson);

    let run = new(
        &site,
        &["note", "Another lesson", "--id", "lesson-daily-list"],
    );
    run.exits(2);
    assert_eq!(
        run.stderr,
        "error: the id `lesson-daily-list` is already used by notes/lesson-daily-list.md; choose another with --id, or leave --id out to get a free one\n"
    );
    assert_eq!(read(&lesson), before);

    // The same id in another folder: ids are unique across the site.
    let run = new(&site, &["cycle", "X", "--id", "lesson-daily-list"]);
    run.exits(2);
    assert!(!site.join("cycles/lesson-daily-list.md").exists());

    // A file the loader skips still cannot be replaced.
    fs::write(site.join("notes/draft.md"), "not front matter at all\n").unwrap();
    let run = new(&site, &["note", "Draft"]);
    run.exits(0);
    assert!(site.join("notes/draft-2.md").is_file());
    assert_eq!(
        read(site.join("notes/draft.md")),
        "not front matter at all\n"
    );

    // --id must be an id; a free one is used as given.
    let run = new(&site, &["note", "X", "--id", "Weekend Lesson"]);
    run.exits(2);
    assert!(
        run.stderr.contains("e.g. `weekend-lesson`"),
        "{}",
        run.stderr
    );
    new(&site, &["note", "Weekend lesson", "--id", "weekend"]).exits(0);
    assert!(site.join("notes/weekend.md").is_file());
}

#[test]
fn new_cycle_with_change_continues_the_ramp_from_its_latest_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("example");
    copy_dir(&example_site_path(), &site);
    let _ = fs::remove_dir_all(site.join("public"));

    let run = new(
        &site,
        &[
            "cycle",
            "Falls huddle, test 5: weekends",
            "--change",
            "safety-huddle",
        ],
    );
    run.exits(0);
    let rel = "cycles/falls-huddle-test-5-weekends.md";
    assert_eq!(run.stdout, format!("{}\n", site.join(rel).display()));
    assert!(run.stderr.contains("`falls-huddle-4`"), "{}", run.stderr);

    // Prefilled from falls-huddle-4, the last of the ramp.
    let text = read(site.join(rel));
    let latest = read(site.join("cycles/falls-huddle-4.md"));
    let line = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key}:")))
            .unwrap_or_else(|| panic!("no {key}:\n{text}"))
            .to_string()
    };
    assert_eq!(line(&text, "change"), "change: safety-huddle");
    assert_eq!(line(&text, "follows"), "follows: falls-huddle-4");
    assert_eq!(line(&text, "status"), "status: planned");
    today_or_yesterday(&text, "started");
    let as_yaml = |text: &str| -> serde_yaml::Value {
        let front = text
            .split("\n---\n")
            .next()
            .unwrap()
            .trim_start_matches("---\n");
        serde_yaml::from_str(front).unwrap()
    };
    let (new_yaml, latest_yaml) = (as_yaml(&text), as_yaml(&latest));
    for key in ["measures", "tags", "team", "predictions"] {
        assert!(
            latest_yaml[key].is_sequence(),
            "falls-huddle-4 has no {key}"
        );
        assert_eq!(new_yaml[key], latest_yaml[key], "{key}:\n{text}");
    }
    // The body says where it ramps from and starts from that cycle's plan.
    assert!(
        text.contains("This cycle ramps up from [[falls-huddle-4]], the latest of the 4 cycles testing [[safety-huddle]] (its decision: **adopt**)."),
        "{text}"
    );
    let latest_plan = latest
        .split("\n## Plan\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap()
        .trim();
    assert!(!latest_plan.is_empty());
    let plan = text.split("\n## Plan\n").nth(1).unwrap();
    assert!(plan.trim_start().starts_with(latest_plan), "{text}");

    // It is the last of the ramp, on the change idea's page and in site.json.
    assert_eq!(check_clean(&site), serde_json::json!([]));
    let out = build(&site);
    page(&out, "changes/safety-huddle/index.html")
        .section("<ol class=\"ramp-steps\">", "</ol>")
        .in_order(&[
            "cycles/falls-huddle-1/",
            "cycles/falls-huddle-2/",
            "cycles/falls-huddle-3/",
            "cycles/falls-huddle-4/",
            "cycles/falls-huddle-test-5-weekends/",
        ]);
    page(&out, "cycles/falls-huddle-test-5-weekends/index.html")
        .contains("cycle 5 of 5")
        .contains("cycles/falls-huddle-4/");
    let json: serde_json::Value = serde_json::from_str(&read(out.join("site.json"))).unwrap();
    let change = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "safety-huddle")
        .unwrap();
    assert_eq!(
        change["ramp"].as_array().unwrap().last().unwrap(),
        "falls-huddle-test-5-weekends"
    );
}

#[test]
fn new_cycle_for_a_change_idea_without_cycles_starts_its_ramp() {
    let (_dir, site, _) = init_site("site");
    new(&site, &["change", "Weekend list"]).exits(0);
    new(
        &site,
        &["cycle", "Weekend list, test 1", "--change", "weekend-list"],
    )
    .exits(0);
    let text = read(site.join("cycles/weekend-list-test-1.md"));
    assert!(text.contains("\nchange: weekend-list\n"), "{text}");
    assert!(text.contains("\nfollows:\n"), "{text}");
    assert!(
        text.contains("The first cycle testing [[weekend-list]]."),
        "{text}"
    );
    assert_eq!(check_clean(&site), serde_json::json!([]));
}

#[test]
fn an_unknown_change_idea_is_refused_with_a_suggestion() {
    let (_dir, site, _) = init_site("site");
    let before = entries(&site.join("cycles"));

    let run = new(&site, &["cycle", "Test 2", "--change", "daily-med-rec-lst"]);
    run.exits(2);
    assert_eq!(
        run.stderr,
        "error: `daily-med-rec-lst` is not a change idea of this site; did you mean `daily-med-rec-list`?\n"
    );
    // A cycle's id: its own change idea is suggested.
    let run = new(&site, &["cycle", "Test 2", "--change", "daily-list-1"]);
    run.exits(2);
    assert!(
        run.stderr
            .contains("`daily-list-1` is a PDSA cycle, not a change idea")
            && run.stderr.contains("did you mean `daily-med-rec-list`?"),
        "{}",
        run.stderr
    );
    let run = new(&site, &["cycle", "Test 2", "--change", "zzz"]);
    run.exits(2);
    assert!(
        run.stderr
            .contains("its change ideas are: daily-med-rec-list"),
        "{}",
        run.stderr
    );
    assert_eq!(entries(&site.join("cycles")), before);

    // --change is for cycles only.
    let run = new(&site, &["note", "N", "--change", "daily-med-rec-list"]);
    run.exits(2);
    assert!(run.stderr.contains("--change"), "{}", run.stderr);
}

#[test]
fn new_needs_a_site() {
    let dir = tempfile::tempdir().unwrap();
    let run = new(dir.path(), &["note", "A note"]);
    run.exits(2);
    assert!(
        run.stderr.contains("is not a cyclebook site"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("cyclebook init"), "{}", run.stderr);
    assert!(entries(dir.path()).is_empty());

    // Without --site, the current folder.
    let (_dir, site, _) = init_site("site");
    let run = cyclebook_in(&site, ["new", "note", "From here"]);
    run.exits(0);
    assert_eq!(run.stdout, "notes/from-here.md\n");
}

#[test]
fn a_site_scaffold_overrides_the_theme_and_is_not_content() {
    let (_dir, site, _) = init_site("site");
    fs::create_dir_all(site.join("scaffolds")).unwrap();
    fs::write(
        site.join("scaffolds/note.md"),
        "---\ntitle: {{title_yaml}}\ndate: {{ today }}\nkind: lesson\ntags: [ward-7]\n---\n\n# Ward 7 lesson {{ id }}\n\n{{ title }}: what we learned.\n",
    )
    .unwrap();
    let run = new(&site, &["note", "Night \"huddle\": 5 minutes"]);
    run.exits(0);
    assert!(run.stderr.contains("scaffolds/note.md"), "{}", run.stderr);
    let text = read(site.join("notes/night-huddle-5-minutes.md"));
    let day = today_or_yesterday(&text, "date");
    assert_eq!(
        text,
        format!("---\ntitle: \"Night \\\"huddle\\\": 5 minutes\"\ndate: {day}\nkind: lesson\ntags: [ward-7]\n---\n\n# Ward 7 lesson night-huddle-5-minutes\n\nNight \"huddle\": 5 minutes: what we learned.\n")
    );
    // Other kinds still use the theme's scaffold.
    new(&site, &["change", "C"]).exits(0);
    assert!(read(site.join("changes/c.md")).contains("## The idea"));
    // The scaffolds folder is not read as content: no item, no diagnostic.
    assert_eq!(check_clean(&site), serde_json::json!([]));
    let out = build(&site);
    assert!(!out.join("scaffolds").exists());
    page(&out, "notes/night-huddle-5-minutes/index.html").contains("Ward 7 lesson");

    // A placeholder that does not exist stops `new`, naming the place.
    fs::write(
        site.join("scaffolds/cycle.md"),
        "---\ntitle: {{ titel }}\n---\n",
    )
    .unwrap();
    let run = new(&site, &["cycle", "Test"]);
    run.exits(2);
    assert!(
        run.stderr.starts_with("error: scaffolds/cycle.md:2: unknown placeholder `{{ titel }}`; did you mean `{{ title }}`?"),
        "{}",
        run.stderr
    );
    assert!(!site.join("cycles/test.md").exists());
}

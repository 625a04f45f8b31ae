//! The `cyclebook` binary: exit codes (0 ok, 1 content errors, 2 usage or I/O errors),
//! what it prints, and how `build` treats its output folder.

mod common;

use common::{cyclebook, cyclebook_in, entries, fixture_path, tree, Site};
use std::ffi::OsStr;
use std::fs;
use std::path::Path;

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn check_on_a_good_site_exits_0() {
    let site = fixture_path("linked");
    let run = cyclebook([os("check"), site.as_os_str()]);
    run.exits(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!("{}: no problems found\n", site.display())
    );

    let json = cyclebook([os("check"), site.as_os_str(), os("--format"), os("json")]);
    json.exits(0);
    assert_eq!(json.json(), serde_json::json!([]));
}

#[test]
fn check_speaks_github_actions_and_strict_makes_warnings_fail() {
    let site = common::Site::from_files(&[
        ("cyclebook.yml", "title: Strict\n"),
        ("cycles/c.md", "---\ntitle: C\n---\n"),
        ("notes/n.md", "---\ntitle: N\ncycles: [nope]\n---\n"),
    ]);
    let run = cyclebook([
        os("check"),
        site.root().as_os_str(),
        os("--format"),
        os("github"),
    ]);
    run.exits(1);
    let root = site.root().display().to_string();
    assert_eq!(
        run.stdout,
        format!(
            "::warning file={root}/cycles/c.md,line=2,col=1,title=cyclebook W0101::cycle has no `status`; taken as `planned`%0Ahelp: add `status:` with one of planned, doing, studying, done, abandoned\n\
             ::error file={root}/notes/n.md,line=3,col=10,title=cyclebook E0202::`cycles` names unknown cycle `nope`%0Ahelp: create cycles/nope.md, or correct the id\n"
        )
    );
    std::fs::remove_file(site.root().join("notes/n.md")).unwrap();
    cyclebook([os("check"), site.root().as_os_str()]).exits(0);
    let strict = cyclebook([os("check"), site.root().as_os_str(), os("--strict")]);
    strict.exits(1);
    assert!(
        strict.stderr.contains("warning[W0101]")
            && strict.stderr.contains("--strict: warnings count as errors"),
        "{}",
        strict.stderr
    );
}

#[test]
fn check_on_the_example_site_exits_0() {
    cyclebook([os("check"), common::example_site_path().as_os_str()]).exits(0);
}

#[test]
fn check_on_a_folder_that_is_not_a_site_exits_2_naming_cyclebook_yml() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.md"), "---\ntitle: x\n---\n").unwrap();
    let run = cyclebook([os("check"), dir.path().as_os_str()]);
    run.exits(2);
    assert!(run.stderr.contains("cyclebook.yml"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&dir.path().display().to_string()),
        "{}",
        run.stderr
    );
    // Same for build, and nothing is written.
    let out = dir.path().join("out");
    cyclebook([
        os("build"),
        dir.path().as_os_str(),
        os("-o"),
        out.as_os_str(),
    ])
    .exits(2);
    assert!(!out.exists());
}

#[test]
fn usage_errors_exit_2() {
    cyclebook([os("frobnicate")]).exits(2);
    cyclebook([
        os("check"),
        fixture_path("linked").as_os_str(),
        os("--format"),
        os("xml"),
    ])
    .exits(2);
    cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("--no-such-flag"),
    ])
    .exits(2);
}

#[test]
fn build_reports_pages_time_and_where_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site-out");
    let run = cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("-o"),
        out.as_os_str(),
    ]);
    run.exits(0);
    let files = tree(&out);
    let pages = files.keys().filter(|p| p.ends_with(".html")).count();
    let line = run.stdout.trim_end();
    let prefix = format!("Built {pages} pages ({} files) in ", files.len() - 1);
    let suffix = format!(" s → {}", out.display());
    assert!(
        line.starts_with(&prefix),
        "{line:?} should start with {prefix:?}"
    );
    assert!(
        line.ends_with(&suffix),
        "{line:?} should end with {suffix:?}"
    );
    let seconds = &line[prefix.len()..line.len() - suffix.len()];
    assert!(
        seconds.parse::<f64>().is_ok_and(|s| s >= 0.0),
        "time {seconds:?}"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(out.join("index.html").is_file());
}

#[test]
fn build_writes_to_site_public_by_default_and_replaces_its_own_output() {
    let site = Site::fixture_copy("linked");
    let run = cyclebook([os("build"), site.root().as_os_str()]);
    run.exits(0);
    let public = site.root().join("public");
    assert!(
        run.stdout.contains(&format!("→ {}", public.display())),
        "{}",
        run.stdout
    );
    assert!(public.join("cycles/huddle-1/index.html").is_file());
    // Building again replaces the folder; pages of deleted items go away.
    fs::remove_file(site.root().join("cycles/bay-day.md")).unwrap();
    cyclebook([os("build"), site.root().as_os_str()]).exits(0);
    assert!(!public.join("cycles/bay-day").exists());
    assert!(public.join("cycles/bay-night/index.html").is_file());
    // The output is not read back as content.
    cyclebook([os("check"), site.root().as_os_str()]).exits(0);
}

#[test]
fn failed_build_exits_1_and_keeps_the_previous_site() {
    let site = Site::fixture_copy("linked");
    let out = site.parent().join("public");
    cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        out.as_os_str(),
    ])
    .exits(0);
    let before = tree(&out);
    assert!(before.contains_key("cycles/huddle-1/index.html"));

    // The decision is gone from a done cycle.
    let text = String::from_utf8(site.read("cycles/huddle-1.md")).unwrap();
    site.write("cycles/huddle-1.md", &text.replace("decision: adapt\n", ""));
    let run = cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        out.as_os_str(),
    ]);
    run.exits(1);
    assert!(run.stderr.contains("error[E0205]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--> cycles/huddle-1.md:4:1"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .trim_end()
            .ends_with("error: the site has 1 error"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Built"), "{}", run.stdout);

    common::assert_same_tree(&before, &tree(&out));
    // Nothing else beside the output: no staging or backup folders.
    assert_eq!(entries(site.parent()), ["linked", "public"]);
}

#[test]
fn successful_rebuild_leaves_nothing_beside_the_output() {
    let site = Site::fixture_copy("linked");
    let out = site.parent().join("public");
    for _ in 0..2 {
        cyclebook([
            os("build"),
            site.root().as_os_str(),
            os("-o"),
            out.as_os_str(),
        ])
        .exits(0);
        assert_eq!(entries(site.parent()), ["linked", "public"]);
    }
}

#[test]
fn build_refuses_a_non_empty_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs");
    fs::create_dir_all(out.join("sub")).unwrap();
    fs::write(out.join("keep.txt"), "my notes").unwrap();
    fs::write(out.join("sub/index.html"), "<p>mine</p>").unwrap();
    let before = tree(&out);

    let run = cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("-o"),
        out.as_os_str(),
    ]);
    run.exits(2);
    assert!(run.stderr.contains("refusing to replace"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&out.display().to_string()),
        "{}",
        run.stderr
    );
    common::assert_same_tree(&before, &tree(&out));
    assert_eq!(entries(dir.path()), ["docs"]);
}

#[test]
fn build_accepts_an_empty_existing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("empty");
    fs::create_dir(&out).unwrap();
    cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("-o"),
        out.as_os_str(),
    ])
    .exits(0);
    assert!(out.join("index.html").is_file());
    assert!(out.join(".cyclebook-output").is_file());
}

#[test]
fn build_refuses_to_write_over_the_site_itself() {
    let site = Site::fixture_copy("linked");
    let before = tree(site.root());
    for target in [site.root(), site.parent()] {
        let run = cyclebook([
            os("build"),
            site.root().as_os_str(),
            os("-o"),
            target.as_os_str(),
        ]);
        run.exits(2);
        assert!(run.stderr.contains("refusing to write"), "{}", run.stderr);
    }
    common::assert_same_tree(&before, &tree(site.root()));
}

fn canonical(page: &Path) -> String {
    let html = fs::read_to_string(page).unwrap();
    let start = html
        .find(r#"<link rel="canonical" href=""#)
        .unwrap_or_else(|| panic!("no canonical link in {}", page.display()));
    let rest = &html[start + r#"<link rel="canonical" href=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[test]
fn base_url_sets_canonical_links() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    // Without a trailing slash: one is added.
    cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--base-url"),
        os("https://qi.example.org/ward9"),
    ])
    .exits(0);
    assert_eq!(
        canonical(&out.join("index.html")),
        "https://qi.example.org/ward9/"
    );
    assert_eq!(
        canonical(&out.join("cycles/huddle-1/index.html")),
        "https://qi.example.org/ward9/cycles/huddle-1/"
    );
    assert_eq!(
        canonical(&out.join("tags/ward-9/index.html")),
        "https://qi.example.org/ward9/tags/ward-9/"
    );
    // The 404 page's links start at the site's path on its host.
    let not_found = fs::read_to_string(out.join("404.html")).unwrap();
    assert!(
        not_found.contains(r#"href="/ward9/assets/cyclebook.css""#),
        "{not_found}"
    );
    assert!(
        not_found.contains(r#"<a href="/ward9/cycles/">cycles</a>"#),
        "{not_found}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("site.json")).unwrap()).unwrap();
    assert_eq!(json["site"]["base_url"], "https://qi.example.org/ward9/");
}

#[test]
fn base_url_flag_overrides_the_config() {
    let site = Site::fixture_copy("linked");
    site.write(
        "cyclebook.yml",
        "title: Ward 9 test site\nbase_url: https://old.example.org/\n",
    );
    let out = site.parent().join("public");
    cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        out.as_os_str(),
    ])
    .exits(0);
    assert_eq!(
        canonical(&out.join("notes/lesson-huddles/index.html")),
        "https://old.example.org/notes/lesson-huddles/"
    );
    cyclebook([
        os("build"),
        site.root().as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--base-url"),
        os("https://new.example.org/qi/"),
    ])
    .exits(0);
    assert_eq!(
        canonical(&out.join("notes/lesson-huddles/index.html")),
        "https://new.example.org/qi/notes/lesson-huddles/"
    );
}

#[test]
fn base_url_flag_must_be_an_absolute_url() {
    // `base_url: example.org` in cyclebook.yml is an error (E0107); the flag that
    // overrides it must not let the same mistake through into canonical links.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let run = cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--base-url"),
        os("qi.example.org/ward9"),
    ]);
    assert_ne!(
        run.code, 0,
        "a relative base URL was accepted:\n{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("base"),
        "the error should name the base URL:\n{}",
        run.stderr
    );
    assert!(!out.exists(), "nothing should be written");
}

#[test]
fn build_refuses_an_output_path_that_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site.html");
    fs::write(&out, "precious").unwrap();
    cyclebook([
        os("build"),
        fixture_path("linked").as_os_str(),
        os("-o"),
        out.as_os_str(),
    ])
    .exits(2);
    assert_eq!(fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(entries(dir.path()), ["site.html"]);
}

#[test]
fn relative_paths_and_the_default_site_work_from_the_working_directory() {
    let site = Site::fixture_copy("linked");
    // `cyclebook check` and `cyclebook build` inside the site folder.
    let run = cyclebook_in(site.root(), [os("check")]);
    run.exits(0);
    assert_eq!(run.stderr, ".: no problems found\n");
    let run = cyclebook_in(site.root(), [os("build")]);
    run.exits(0);
    assert!(
        run.stdout.trim_end().ends_with("→ ./public"),
        "{}",
        run.stdout
    );
    assert!(site
        .root()
        .join("public/cycles/huddle-1/index.html")
        .is_file());
    // A relative site and output from the folder above.
    let run = cyclebook_in(
        site.parent(),
        [os("build"), os("linked"), os("-o"), os("out")],
    );
    run.exits(0);
    common::assert_same_tree(
        &tree(&site.root().join("public")),
        &tree(&site.parent().join("out")),
    );
}

#[test]
fn diagnostics_name_files_relative_to_the_site_however_it_is_given() {
    let absolute = cyclebook([
        os("check"),
        fixture_path("broken").as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let relative = cyclebook_in(
        &fixture_path("broken").join("cycles"),
        [os("check"), os(".."), os("--format"), os("json")],
    );
    let inside = cyclebook_in(
        &fixture_path("broken"),
        [os("check"), os("--format"), os("json")],
    );
    absolute.exits(1);
    relative.exits(1);
    inside.exits(1);
    assert_eq!(absolute.json(), relative.json());
    assert_eq!(absolute.json(), inside.json());
    assert_eq!(absolute.json()[0]["file"], "aims/wrong-type.md");
}

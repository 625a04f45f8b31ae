//! Git-backed history: repositories made in the test (several authors, a rename, an
//! uncommitted file, a shallow clone, a site in a subfolder, no git at all), built with
//! the real binary, asserting the dates, authors and commits readers see.

mod common;

use common::{cyclebook_git as cyclebook, tree};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// A repository in a temporary folder, committed to with fixed authors and dates.
struct Repo {
    dir: TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q"], "Nobody", "2026-01-01");
        repo
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str], author: &str, date: &str) -> String {
        git_in(self.root(), args, author, date)
    }

    fn write(&self, rel: &str, content: &str) -> &Repo {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// Stages everything and commits as `author` (name and email from the name) on `date`.
    fn commit(&self, author: &str, date: &str, subject: &str) -> &Repo {
        self.git(&["add", "-A"], author, date);
        self.git(&["commit", "-q", "-m", subject], author, date);
        self
    }
}

fn git_in(dir: &Path, args: &[&str], author: &str, date: &str) -> String {
    let email = format!("{}@example.org", author.to_lowercase().replace(' ', "."));
    let stamp = format!("{date}T10:00:00+00:00");
    let output = Command::new("git")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", &email)
        .env("GIT_COMMITTER_DATE", &stamp)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const CONFIG: &str = "title: History test\nbase_url: https://example.org/ward/\nrepo_url: https://github.com/example/ward\n";
const CYCLE: &str = "---\ntitle: Huddle test\nstatus: doing\nchange: huddle\nstarted: 2026-01-05\nmeasures: [falls]\n---\n## Plan\n";
const CHANGE: &str = "---\ntitle: Huddle\n---\n";
const LESSON: &str = "Early days on the ward.\nThe huddle runs at every handover.\nIt takes five minutes.\nEveryone names one patient at risk.\nThe nurse in charge keeps the list.\n";
const MEASURE: &str = "---\ntitle: Falls\nchart: c\n---\n";

/// A site with three commits by two authors, a rename, and an uncommitted draft.
fn ward_repo() -> Repo {
    let repo = Repo::new();
    repo.write("cyclebook.yml", CONFIG)
        .write("changes/huddle.md", CHANGE)
        .write("cycles/huddle-1.md", CYCLE)
        .write(
            "notes/first-thoughts.md",
            &format!("---\ntitle: What the huddle taught us\n---\n{LESSON}"),
        )
        .write("measures/falls.md", MEASURE)
        .write("measures/falls.csv", "date,value\n2026-01-05,3\n")
        .commit("Alice Jones", "2026-01-05", "Start the huddle work");
    repo.write(
        "cycles/huddle-1.md",
        &format!("{CYCLE}Five minutes at handover.\n"),
    )
    .write(
        "measures/falls.csv",
        "date,value\n2026-01-05,3\n2026-01-12,2\n",
    )
    .commit("Bob Smith", "2026-02-10", "Record the first week");
    repo.git(
        &["mv", "notes/first-thoughts.md", "notes/huddle-lesson.md"],
        "Alice Jones",
        "2026-03-01",
    );
    repo.write(
        "notes/huddle-lesson.md",
        &format!("---\ntitle: What the huddle taught us\n---\n{LESSON}\nShort is better.\n"),
    )
    .commit(
        "Alice Jones",
        "2026-03-01",
        "Turn the first thoughts into a lesson",
    );
    repo.write("notes/draft.md", "---\ntitle: Draft\n---\nNot yet.\n");
    repo
}

fn build(site: &Path, extra: &[&str]) -> (TempDir, PathBuf, String) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("public");
    let mut args = vec![
        "build".to_string(),
        site.display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let run = cyclebook(&args);
    run.exits(0);
    (out_dir, out, run.stderr.clone())
}

fn page(out: &Path, rel: &str) -> String {
    fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn site_item(out: &Path, id: &str) -> Value {
    let json: Value = serde_json::from_str(&page(out, "site.json")).unwrap();
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap()
}

#[test]
fn pages_show_created_updated_and_authors_from_commits() {
    let repo = ward_repo();
    let (_keep, out, _) = build(repo.root(), &[]);
    let cycle = page(&out, "cycles/huddle-1/index.html");
    assert!(
        cycle.contains(r#"Created <time datetime="2026-01-05T10:00:00+00:00">5 Jan 2026</time> · Updated <time datetime="2026-02-10T10:00:00+00:00">10 Feb 2026</time> · by Alice Jones, Bob Smith"#),
        "{cycle}"
    );
    assert!(cycle.contains("<summary>History: 2 changes</summary>"));
    assert!(cycle.contains("Record the first week"));
    // Commit and file-history links on the host.
    let head = repo.git(&["rev-parse", "HEAD~1"], "x", "2026-01-01");
    assert!(cycle.contains(&format!(
        r#"<a href="https://github.com/example/ward/commit/{}"><code>{}</code></a>"#,
        head.trim(),
        &head.trim()[..7]
    )));
    assert!(cycle.contains(r#"<a href="https://github.com/example/ward/commits/main/cycles/huddle-1.md">Full history of this file</a>"#));
    let item = site_item(&out, "huddle-1");
    assert_eq!(item["created"], "2026-01-05");
    assert_eq!(item["updated"], "2026-02-10");
    assert_eq!(
        item["authors"],
        serde_json::json!([{ "name": "Alice Jones", "commits": 1 }, { "name": "Bob Smith", "commits": 1 }])
    );
}

#[test]
fn a_renamed_note_keeps_its_history_and_is_dated_by_its_first_commit() {
    let repo = ward_repo();
    let (_keep, out, _) = build(repo.root(), &[]);
    let note = site_item(&out, "huddle-lesson");
    assert_eq!(
        note["created"], "2026-01-05",
        "the rename is followed back to the first commit"
    );
    assert_eq!(note["updated"], "2026-03-01");
    assert_eq!(
        note["authors"],
        serde_json::json!([{ "name": "Alice Jones", "commits": 2 }])
    );
    // A note without `date` takes its first commit's date.
    let notes = page(&out, "notes/index.html");
    assert!(
        notes.contains(r#"<time datetime="2026-01-05">5 Jan 2026</time>"#),
        "{notes}"
    );
}

#[test]
fn a_measure_combines_its_definition_and_data_and_says_when_the_data_changed() {
    let repo = ward_repo();
    let (_keep, out, _) = build(repo.root(), &[]);
    let item = site_item(&out, "falls");
    assert_eq!(item["created"], "2026-01-05");
    assert_eq!(item["updated"], "2026-02-10");
    let measure = page(&out, "measures/falls/index.html");
    assert!(measure.contains("Data updated"), "{measure}");
    assert!(measure.contains(r#"<time datetime="2026-02-10T10:00:00+00:00">10 Feb 2026</time>"#));
}

#[test]
fn uncommitted_files_say_so() {
    let repo = ward_repo();
    let (_keep, out, _) = build(repo.root(), &[]);
    assert!(page(&out, "notes/draft/index.html").contains("Not yet committed."));
    assert_eq!(site_item(&out, "draft")["created"], Value::Null);
}

#[test]
fn recent_lists_the_latest_commits_with_the_items_they_touched_and_a_feed() {
    let repo = ward_repo();
    let (_keep, out, _) = build(repo.root(), &[]);
    let recent = page(&out, "recent/index.html");
    let first = recent
        .find("Turn the first thoughts into a lesson")
        .unwrap();
    let second = recent.find("Record the first week").unwrap();
    let third = recent.find("Start the huddle work").unwrap();
    assert!(first < second && second < third, "newest first");
    assert!(
        recent.contains(r#"<a href="../notes/huddle-lesson/">What the huddle taught us</a>"#),
        "{recent}"
    );
    let feed = page(&out, "recent/atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 3);
    assert!(feed.contains("<updated>2026-03-01T10:00:00+00:00</updated>"));
    assert!(feed.contains(r#"<link rel="self" type="application/atom+xml" href="https://example.org/ward/recent/atom.xml"/>"#));
    assert!(page(&out, "index.html").contains(r#"href="recent/">Recent changes</a>"#));
}

#[test]
fn the_same_repository_builds_byte_identical_sites() {
    let repo = ward_repo();
    let (_a, out_a, _) = build(repo.root(), &[]);
    let (_b, out_b, _) = build(repo.root(), &[]);
    common::assert_same_tree(&tree(&out_a), &tree(&out_b));
}

#[test]
fn a_site_in_a_subfolder_reads_only_its_own_files() {
    let repo = Repo::new();
    repo.write("README.md", "The wider repository\n")
        .write("ward/site/cyclebook.yml", "title: Sub\n")
        .write("ward/site/notes/n.md", "---\ntitle: N\n---\n")
        .commit("Alice Jones", "2026-01-05", "Add the site");
    repo.write("README.md", "Changed outside the site\n")
        .commit("Bob Smith", "2026-02-01", "Outside only");
    repo.write("ward/site/notes/n.md", "---\ntitle: N\n---\nMore.\n")
        .commit("Carol White", "2026-03-01", "Edit the note");
    let (_keep, out, _) = build(&repo.root().join("ward/site"), &[]);
    let item = site_item(&out, "n");
    assert_eq!(item["created"], "2026-01-05");
    assert_eq!(item["updated"], "2026-03-01");
    let recent = page(&out, "recent/index.html");
    assert!(recent.contains("Edit the note") && recent.contains("Add the site"));
    assert!(
        !recent.contains("Outside only"),
        "a commit outside the site is not the site's"
    );
}

#[test]
fn a_shallow_clone_warns_and_shows_no_created_dates_rather_than_wrong_ones() {
    let repo = ward_repo();
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.root().display());
    git_in(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        "x",
        "2026-01-01",
    );
    let (_keep, out, stderr) = build(&clones.path().join("shallow"), &[]);
    assert!(stderr.contains("warning[W0501]"), "{stderr}");
    assert!(
        stderr.contains("fetch-depth: 0") && stderr.contains("GIT_DEPTH: 0"),
        "{stderr}"
    );
    let cycle = site_item(&out, "huddle-1");
    assert_eq!(
        cycle["created"],
        Value::Null,
        "the boundary commit did not create it"
    );
    assert_eq!(
        cycle["updated"],
        Value::Null,
        "the boundary commit did not necessarily change it"
    );
    let cycle_page = page(&out, "cycles/huddle-1/index.html");
    assert!(!cycle_page.contains("Created <time") && !cycle_page.contains("Updated <time"));
    assert!(cycle_page.contains("Dates unknown"), "{cycle_page}");
    assert!(page(&out, "recent/index.html").contains("was not fetched (shallow clone)"));

    // One commit deeper, the note changed in the newest commit has a true updated date.
    let deeper = clones.path().join("deeper");
    git_in(
        clones.path(),
        &["clone", "-q", "--depth", "2", &url, "deeper"],
        "x",
        "2026-01-01",
    );
    let (_keep2, out, _) = build(&deeper, &[]);
    let note = site_item(&out, "huddle-lesson");
    assert_eq!(note["updated"], "2026-03-01");
    assert_eq!(note["created"], Value::Null);
    assert_eq!(site_item(&out, "huddle-1")["updated"], Value::Null);
}

#[test]
fn outside_git_and_with_no_git_there_is_no_history_and_no_error() {
    let plain = tempfile::tempdir().unwrap();
    fs::write(plain.path().join("cyclebook.yml"), "title: Plain\n").unwrap();
    fs::create_dir(plain.path().join("notes")).unwrap();
    fs::write(plain.path().join("notes/n.md"), "---\ntitle: N\n---\n").unwrap();
    let (_keep, out, stderr) = build(plain.path(), &[]);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(!out.join("recent").exists());
    assert!(!page(&out, "notes/n/index.html").contains("Not yet committed"));
    assert!(site_item(&out, "n").get("created").is_none());

    let repo = ward_repo();
    let (_keep2, out, _) = build(repo.root(), &["--no-git"]);
    assert!(!out.join("recent").exists());
    assert!(!page(&out, "cycles/huddle-1/index.html").contains("Updated <time"));
}

#[test]
fn a_repository_without_commits_builds_with_every_file_uncommitted() {
    let repo = Repo::new();
    repo.write("cyclebook.yml", "title: New\n")
        .write("notes/n.md", "---\ntitle: N\n---\n");
    let (_keep, out, stderr) = build(repo.root(), &[]);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(page(&out, "notes/n/index.html").contains("Not yet committed."));
    assert!(page(&out, "recent/index.html").contains("No commits yet."));
}

#[test]
fn a_mailmap_merges_an_authors_identities() {
    let repo = Repo::new();
    repo.write("cyclebook.yml", "title: Map\n")
        .write("notes/n.md", "---\ntitle: N\n---\n")
        .commit("A Jones", "2026-01-05", "One");
    repo.write("notes/n.md", "---\ntitle: N\n---\nx\n")
        .commit("Alice Jones", "2026-01-06", "Two");
    repo.write(
        ".mailmap",
        "Alice Jones <alice.jones@example.org> A Jones <a.jones@example.org>\n",
    )
    .commit("Alice Jones", "2026-01-07", "Mailmap");
    let (_keep, out, _) = build(repo.root(), &[]);
    assert_eq!(
        site_item(&out, "n")["authors"],
        serde_json::json!([{ "name": "Alice Jones", "commits": 2 }])
    );
}

#[test]
fn check_warns_about_stale_data_while_a_cycle_is_in_progress() {
    let repo = ward_repo();
    repo.write("notes/later.md", "---\ntitle: Later\n---\n")
        .commit("Bob Smith", "2026-06-01", "Months later");
    let run = cyclebook(["check", &repo.root().display().to_string()]);
    run.exits(0);
    assert!(run.stderr.contains("warning[W0503]: stale data: `falls` was last updated on 2026-02-10, 111 days before the latest commit, while cycle `huddle-1` is in progress"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--> measures/falls.csv"),
        "{}",
        run.stderr
    );
    // The period is configurable.
    repo.write("cyclebook.yml", &format!("{CONFIG}stale_data_days: 200\n"))
        .commit("Bob Smith", "2026-06-02", "Relax");
    let run = cyclebook(["check", &repo.root().display().to_string()]);
    assert!(!run.stderr.contains("W0503"), "{}", run.stderr);
}

#[test]
fn an_internal_site_keeps_its_feed_to_itself() {
    let repo = ward_repo();
    repo.write("cyclebook.yml", &format!("{CONFIG}visibility: internal\n"))
        .commit("Bob Smith", "2026-03-02", "Internal only");
    let (_keep, out, _) = build(repo.root(), &[]);
    assert!(out.join("recent/index.html").exists());
    assert!(!out.join("recent/atom.xml").exists());
    assert!(!page(&out, "recent/index.html").contains("atom.xml"));
}

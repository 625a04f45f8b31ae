//! Building the `linked` fixture: the URL layout, links and backlinks, ramps, the driver
//! diagram, measures, tags and `site.json`.

mod common;

use common::{place, Site};
use serde_json::json;
use std::collections::BTreeSet;

fn linked() -> common::Built {
    Site::fixture("linked").build()
}

#[test]
fn builds_without_warnings_and_reports_its_page_count() {
    let built = linked();
    assert!(
        built.warnings.is_empty(),
        "{}",
        common::render_all(&built.warnings)
    );
    let tree = built.tree();
    let html = tree.keys().filter(|p| p.ends_with(".html")).count();
    assert_eq!(built.pages, html);
    // Every file but the marker that says the folder is cyclebook's.
    assert_eq!(built.files, tree.len() - 1);
    assert!(tree.contains_key(".cyclebook-output"));
}

#[test]
fn url_layout_is_one_folder_per_item_under_its_kind() {
    let built = linked();
    let files: Vec<String> = built
        .tree()
        .into_keys()
        .filter(|p| !p.starts_with("assets/"))
        // The search index's data files are checked in tests/search.rs.
        .filter(|p| !p.starts_with("search/") || p == "search/index.html")
        .collect();
    let expected = [
        ".cyclebook-output",
        "404.html",
        "aims/fewer-falls/index.html",
        "aims/index.html",
        "changes/bay-tagging/index.html",
        "changes/huddle/index.html",
        "changes/index.html",
        "cycles/atom.xml",
        "cycles/bay-day/index.html",
        "cycles/bay-night/index.html",
        "cycles/huddle-1/index.html",
        "cycles/huddle-2/index.html",
        "cycles/huddle-3/index.html",
        "cycles/index.html",
        "images/logo.svg",
        "index.html",
        "measures/assessed-6h/assessed-6h.csv",
        "measures/assessed-6h/data.json",
        "measures/assessed-6h/index.html",
        "measures/handover-overrun/data.json",
        "measures/handover-overrun/handover-overrun.csv",
        "measures/handover-overrun/index.html",
        "measures/index.html",
        "notes/bay-observations/index.html",
        "notes/index.html",
        "notes/lesson-huddles/index.html",
        "notes/lessons.xml",
        "search/index.html",
        "site.json",
        "tags/falls/index.html",
        "tags/huddle/index.html",
        "tags/index.html",
        "tags/lessons/index.html",
        "tags/ward-9/index.html",
    ];
    assert_eq!(files, expected);
    assert!(built.exists("assets/cyclebook.css"));
}

#[test]
fn measure_csvs_are_published_byte_for_byte() {
    let site = Site::fixture("linked");
    let built = site.build();
    assert_eq!(
        built.bytes("measures/assessed-6h/assessed-6h.csv"),
        site.read("measures/assessed-6h.csv")
    );
    // A CSV with no .md beside it is a measure of its own.
    assert_eq!(
        built.bytes("measures/handover-overrun/handover-overrun.csv"),
        site.read("measures/handover-overrun.csv")
    );
    built
        .page("measures/assessed-6h/index.html")
        .contains(r#"<a href="../../measures/assessed-6h/assessed-6h.csv" download>"#);
}

#[test]
fn static_files_are_copied_unchanged_to_the_site_root() {
    let site = Site::fixture("linked");
    assert_eq!(
        site.build().bytes("images/logo.svg"),
        site.read("static/images/logo.svg")
    );
}

#[test]
fn wiki_links_render_as_links_titled_by_their_target() {
    linked()
        .page("notes/lesson-huddles/index.html")
        .contains(r#"<a href="../../cycles/huddle-2/" title="Huddle test two">Huddle test two</a>"#)
        // A label after `|` is kept as the link text.
        .contains(
            r#"<a href="../../cycles/huddle-3/" title="Huddle test three">the third test</a>"#,
        )
        .lacks("[[")
        .lacks("broken-link");
}

#[test]
fn relative_markdown_links_point_at_the_target_page() {
    linked()
        .page("notes/lesson-huddles/index.html")
        .contains(r#"<a href="../../cycles/huddle-1/" title="Huddle test one">first test</a>"#)
        .lacks("huddle-1.md");
}

#[test]
fn wiki_links_to_a_driver_go_to_its_place_in_the_diagram_and_show_its_title() {
    let page = linked().page("notes/bay-observations/index.html");
    page.contains(r#"href="../../aims/fewer-falls/#driver-staff-in-bay""#);
    // `[[staff-in-bay]]` names the driver, so it reads as the driver, not as its aim.
    page.section(
        r#"href="../../aims/fewer-falls/#driver-staff-in-bay""#,
        "</a>",
    )
    .contains(">Someone is always in the bay</a>");
}

#[test]
fn item_pages_link_to_front_matter_references() {
    let built = linked();
    built
        .page("notes/lesson-huddles/index.html")
        .section("<dt>Draws on cycles</dt>", "</div>")
        .contains(r#"<a href="../../cycles/huddle-1/">Huddle test one</a>"#);
    built
        .page("cycles/huddle-1/index.html")
        .contains(r#"<dt>Change idea</dt><dd><a href="../../changes/huddle/">Safety huddle at handover</a>"#)
        .section("<dt>Measures</dt>", "</div>")
        .contains(r#"<a href="../../measures/assessed-6h/">Assessed within 6 hours</a>"#);
    built
        .page("aims/fewer-falls/index.html")
        .contains(r#"<dt>Outcome measure</dt><dd><a href="../../measures/assessed-6h/">Assessed within 6 hours</a>"#);
}

#[test]
fn backlinks_are_listed_on_the_target_page() {
    let built = linked();
    let backlinks = |page: &str| {
        built
            .page(page)
            .section(r#"<section class="backlinks""#, "</section>")
    };
    backlinks("cycles/huddle-2/index.html")
        .contains(
            r#"<a class="card-title" href="../../notes/lesson-huddles/">Short huddles happen</a>"#,
        )
        // huddle-3 follows huddle-2: a front-matter reference is a link too.
        .contains(r#"<a class="card-title" href="../../cycles/huddle-3/">Huddle test three</a>"#)
        .lacks("huddle-1/");
    backlinks("cycles/huddle-1/index.html")
        .contains(r#"href="../../notes/lesson-huddles/""#)
        .contains(r#"href="../../cycles/huddle-2/""#);
    backlinks("measures/assessed-6h/index.html")
        .contains(r#"href="../../aims/fewer-falls/""#)
        .contains(r#"href="../../cycles/huddle-1/""#)
        .contains(r#"href="../../notes/lesson-huddles/""#);
    backlinks("cycles/bay-day/index.html")
        .contains("Nothing links here yet.")
        .lacks("card-title");
}

#[test]
fn follows_overrides_start_dates_in_a_ramp() {
    // huddle-3 started first (2 Jan) but follows huddle-2, which follows huddle-1.
    let built = linked();
    built
        .page("changes/huddle/index.html")
        .section(r#"<ol class="ramp-steps">"#, "</ol>")
        .in_order(&[
            "../../cycles/huddle-1/",
            "../../cycles/huddle-2/",
            "../../cycles/huddle-3/",
        ]);

    let first = built.page("cycles/huddle-1/index.html");
    first.contains("(cycle 1 of 3)").lacks(r#"rel="prev""#);
    first
        .section(r#"<nav class="ramp-nav""#, "</nav>")
        .contains(r#"<a class="next" rel="next" href="../../cycles/huddle-2/">"#);

    built
        .page("cycles/huddle-2/index.html")
        .contains("(cycle 2 of 3)")
        .section(r#"<nav class="ramp-nav""#, "</nav>")
        .contains(r#"<a class="prev" rel="prev" href="../../cycles/huddle-1/"><span class="quiet">← Previous cycle</span> Huddle test one</a>"#)
        .contains(r#"<a class="next" rel="next" href="../../cycles/huddle-3/"><span class="quiet">Next cycle →</span> Huddle test three</a>"#);

    let last = built.page("cycles/huddle-3/index.html");
    last.contains("(cycle 3 of 3)").lacks(r#"rel="next""#);
    last.section(r#"<nav class="ramp-nav""#, "</nav>")
        .contains(r#"<a class="prev" rel="prev" href="../../cycles/huddle-2/">"#);
}

#[test]
fn cycles_without_follows_are_ordered_by_start_date() {
    // bay-night (1 Feb) comes before bay-day (15 Feb), though its id sorts after.
    let built = linked();
    built
        .page("changes/bay-tagging/index.html")
        .section(r#"<ol class="ramp-steps">"#, "</ol>")
        .in_order(&["../../cycles/bay-night/", "../../cycles/bay-day/"]);
    built
        .page("cycles/bay-day/index.html")
        .contains("(cycle 2 of 2)")
        .contains(r#"<a class="prev" rel="prev" href="../../cycles/bay-night/">"#)
        .lacks(r#"rel="next""#);
}

#[test]
fn driver_diagram_shows_change_ideas_under_their_secondary_drivers() {
    let aim = linked().page("aims/fewer-falls/index.html");
    let diagram = aim.section(r#"<section class="driver-diagram""#, "</section>");
    diagram.in_order(&[
        r#"<li class="primary" id="driver-risks-known">"#,
        "<h3>Falls risks are known to the whole team</h3>",
        r#"id="driver-shared-at-handover""#,
        r#"id="driver-assessed-early""#,
        r#"<li class="primary" id="driver-supervision">"#,
        "<h3>High-risk patients are supervised</h3>",
        r#"id="driver-staff-in-bay""#,
    ]);
    diagram
        .section(r#"<li id="driver-shared-at-handover">"#, "</li>\n")
        .contains(r#"<span class="secondary-title">Risks shared at every handover</span>"#)
        .contains(r#"<a href="../../changes/huddle/">Safety huddle at handover</a> <span class="badge status-testing">Testing</span>"#)
        .lacks("bay-tagging");
    diagram
        .section(r#"<li id="driver-staff-in-bay">"#, "</li>\n")
        .contains(r#"<a href="../../changes/bay-tagging/">Bay tagging</a>"#)
        .lacks("changes/huddle/");
    diagram
        .section(r#"<li id="driver-assessed-early">"#, "</li>\n")
        .contains("no change idea yet")
        .lacks("changes/");
    // The change idea's page links back to its driver in the diagram.
    linked()
        .page("changes/huddle/index.html")
        .contains(r#"<dt>Drivers</dt><dd><a href="../../aims/fewer-falls/#driver-shared-at-handover">Risks shared at every handover</a>"#);
}

#[test]
fn proportion_measure_is_shown_as_percentages() {
    let page = linked().page("measures/assessed-6h/index.html");
    page.contains("<h1>Assessed within 6 hours</h1>")
        .contains("<dd>Process measure</dd>")
        .contains("<dt>Latest</dt><dd>90% ")
        .contains("<dt>Target</dt><dd>90%</dd>")
        .contains("<dt>Better is</dt><dd>Higher</dd>")
        .contains("<summary>Show the 4 data points</summary>")
        .contains(r#"<th scope="col">Plotted (%)</th>"#)
        .contains(r#"<time datetime="2026-01-19">19 Jan 2026</time>"#)
        .contains(r#"<td><span class="note-key">A</span> Huddle on all bays</td>"#)
        .contains("<svg");
    // 10/20, 12/20, 15/20, 18/20 with `multiply: 100`, in date order.
    page.section("Show the 4 data points", "</tbody>")
        .in_order(&[
            "<td>50%</td>",
            "<td>60%</td>",
            "<td>75%</td>",
            "<td>90%</td>",
        ]);
}

#[test]
fn lone_csv_is_a_measure_with_defaults() {
    let page = linked().page("measures/handover-overrun/index.html");
    page.contains("<h1>Handover overrun</h1>")
        .contains("<summary>Show the 4 data points</summary>")
        .lacks("Denominator")
        .section(r#"<time datetime="2026-01-19">"#, "</tr>")
        .contains(r#"<span class="quiet">missing</span>"#);
    linked()
        .page("measures/index.html")
        .contains(r#"href="../measures/handover-overrun/""#);
}

#[test]
fn tags_have_pages_and_items_link_to_them() {
    let built = linked();
    built
        .page("aims/fewer-falls/index.html")
        .contains(r#"<a class="tag" href="../../tags/falls/">#falls</a>"#)
        .contains(r#"<a class="tag" href="../../tags/ward-9/">#Ward 9</a>"#);
    built
        .page("tags/ward-9/index.html")
        .contains("Tagged “Ward 9”")
        .contains("1 item.")
        .contains(
            r#"<a class="card-title" href="../../aims/fewer-falls/">Fewer falls on Ward 9</a>"#,
        );
    let huddle = built.page("tags/huddle/index.html");
    huddle.contains("5 items.");
    for href in [
        "changes/huddle/",
        "cycles/huddle-1/",
        "cycles/huddle-2/",
        "cycles/huddle-3/",
        "notes/lesson-huddles/",
    ] {
        huddle.contains(&format!(r#"href="../../{href}""#));
    }
    huddle.lacks("cycles/bay-night/");
    let index = built.page("tags/index.html");
    for tag in ["falls", "huddle", "lessons", "ward-9"] {
        index.contains(&format!(r#"href="../tags/{tag}/""#));
    }
}

#[test]
fn dashboard_and_lists_show_every_item() {
    let built = linked();
    built
        .page("index.html")
        .contains(r#"<a href="aims/"><strong>1</strong> aim</a>"#)
        .contains(r#"<a href="changes/"><strong>2</strong> change ideas</a>"#)
        .contains(r#"<a href="cycles/"><strong>5</strong> PDSA cycles</a>"#)
        .contains(r#"<a href="measures/"><strong>2</strong> measures</a>"#)
        .contains(r#"<a href="notes/"><strong>2</strong> notes</a>"#)
        .section(r#"<h2 id="active-heading">"#, "</section>")
        .contains(r#"href="cycles/huddle-3/""#)
        .lacks("cycles/huddle-1/");
    let cycles = built.page("cycles/index.html");
    cycles.in_order(&[
        "In progress",
        "cycles/huddle-3/",
        "Planned",
        "cycles/bay-day/",
        "Done",
    ]);
    cycles.section("Done", "</section>").in_order(&[
        "cycles/bay-night/",
        "cycles/huddle-2/",
        "cycles/huddle-1/",
    ]);
    let notes = built.page("notes/index.html");
    notes
        .section(r#"<h2 id="lessons-heading">"#, "</section>")
        .contains(r#"href="../notes/lesson-huddles/""#)
        .lacks("bay-observations");
    notes
        .section(r#"<h2 id="notes-heading">"#, "</section>")
        .contains(r#"href="../notes/bay-observations/""#)
        .lacks("lesson-huddles");
}

#[test]
fn pages_reach_shared_files_by_relative_paths_and_404_from_the_root() {
    let built = linked();
    built
        .page("index.html")
        .contains(r#"href="assets/cyclebook.css""#);
    built
        .page("cycles/huddle-1/index.html")
        .contains(r#"href="../../assets/cyclebook.css""#);
    built
        .page("tags/ward-9/index.html")
        .contains(r#"href="../../assets/cyclebook.css""#);
    // The 404 page is served at any depth, so its links start at the site root.
    built
        .page("404.html")
        .contains("Page not found")
        .contains(r#"href="/assets/cyclebook.css""#)
        .contains(r#"<a href="/cycles/">cycles</a>"#);
    // Without a base URL there is no canonical link.
    built.page("cycles/huddle-1/index.html").lacks("canonical");
}

fn ids(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is not a list"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// (id, kind, title, links, backlinks) of a `site.json` item.
type Expected<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a [&'a str]);

#[test]
fn site_json_lists_every_item_with_its_links_and_backlinks() {
    let built = linked();
    let json = built.site_json();
    assert_eq!(json["site"]["title"], "Ward 9 test site");
    assert_eq!(json["site"]["base_url"], serde_json::Value::Null);
    let items = json["items"].as_array().unwrap();
    let expected: &[Expected] = &[
        (
            "fewer-falls",
            "aim",
            "Fewer falls on Ward 9",
            &["huddle", "assessed-6h"],
            &["huddle", "bay-tagging", "bay-observations"],
        ),
        (
            "bay-tagging",
            "change",
            "Bay tagging",
            &["fewer-falls"],
            &["bay-night", "bay-day"],
        ),
        (
            "huddle",
            "change",
            "Safety huddle at handover",
            &["fewer-falls"],
            &["fewer-falls", "huddle-1", "huddle-2", "huddle-3"],
        ),
        (
            "bay-day",
            "cycle",
            "Bay tagging on days",
            &["bay-tagging"],
            &[],
        ),
        (
            "bay-night",
            "cycle",
            "Bay tagging on nights",
            &["bay-tagging"],
            &["bay-observations"],
        ),
        (
            "huddle-1",
            "cycle",
            "Huddle test one",
            &["huddle", "assessed-6h"],
            &["huddle-2", "lesson-huddles"],
        ),
        (
            "huddle-2",
            "cycle",
            "Huddle test two",
            &["huddle", "huddle-1"],
            &["huddle-3", "lesson-huddles"],
        ),
        (
            "huddle-3",
            "cycle",
            "Huddle test three",
            &["huddle", "huddle-2"],
            &["lesson-huddles"],
        ),
        (
            "assessed-6h",
            "measure",
            "Assessed within 6 hours",
            &[],
            &["fewer-falls", "huddle-1", "lesson-huddles"],
        ),
        ("handover-overrun", "measure", "Handover overrun", &[], &[]),
        (
            "bay-observations",
            "note",
            "Watching the bays",
            &["bay-night", "lesson-huddles", "fewer-falls"],
            &[],
        ),
        (
            "lesson-huddles",
            "note",
            "Short huddles happen",
            &["huddle-1", "huddle-2", "huddle-3", "assessed-6h"],
            &["bay-observations"],
        ),
    ];
    let found: BTreeSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let wanted: BTreeSet<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(found, wanted);
    let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    for (id, kind, title, links, backlinks) in expected {
        let item = built.item(id);
        let folder = format!("{kind}s");
        assert_eq!(item["kind"], *kind, "{id}");
        assert_eq!(item["title"], *title, "{id}");
        assert_eq!(item["url"], format!("/{folder}/{id}/"), "{id}");
        assert!(item["front_matter"].is_object(), "{id}: {item}");
        assert_eq!(ids(&item["links"]), set(links), "links of {id}");
        assert_eq!(ids(&item["backlinks"]), set(backlinks), "backlinks of {id}");
    }
}

#[test]
fn site_json_keeps_front_matter_as_data() {
    let built = linked();
    let cycle = built.item("huddle-1");
    assert_eq!(
        cycle["front_matter"],
        json!({
            "title": "Huddle test one",
            "change": "huddle",
            "status": "done",
            "started": "2026-01-05",
            "ended": "2026-01-11",
            "decision": "adapt",
            "predictions": ["It will take under 5 minutes."],
            "measures": ["assessed-6h"],
            "team": ["ward manager", "falls lead"],
            "tags": ["huddle"],
        })
    );
    assert_eq!(cycle["path"], "cycles/huddle-1.md");
    let aim = built.item("fewer-falls");
    assert_eq!(aim["front_matter"]["target"], 90);
    assert_eq!(
        aim["front_matter"]["drivers"][0]["secondary"][1]["id"],
        "assessed-early"
    );
    assert_eq!(aim["tags"], json!(["falls", "Ward 9"]));
    let measure = built.item("assessed-6h");
    assert_eq!(measure["front_matter"]["multiply"], 100);
    assert_eq!(measure["csv"], "/measures/assessed-6h/assessed-6h.csv");
    assert_eq!(measure["points"], 4);
    let lone = built.item("handover-overrun");
    assert_eq!(lone["front_matter"], json!({}));
    assert_eq!(lone["path"], "measures/handover-overrun.csv");
    assert_eq!(
        lone["csv"],
        "/measures/handover-overrun/handover-overrun.csv"
    );
    assert_eq!(lone["points"], 4);
}

#[test]
fn site_json_records_ramps_neighbours_drivers_and_tags() {
    let built = linked();
    assert_eq!(
        built.item("huddle")["ramp"],
        json!(["huddle-1", "huddle-2", "huddle-3"])
    );
    assert_eq!(
        built.item("bay-tagging")["ramp"],
        json!(["bay-night", "bay-day"])
    );
    for (id, previous, next) in [
        ("huddle-1", json!(null), json!("huddle-2")),
        ("huddle-2", json!("huddle-1"), json!("huddle-3")),
        ("huddle-3", json!("huddle-2"), json!(null)),
        ("bay-night", json!(null), json!("bay-day")),
        ("bay-day", json!("bay-night"), json!(null)),
    ] {
        let item = built.item(id);
        assert_eq!(
            (&item["previous"], &item["next"]),
            (&previous, &next),
            "{id}"
        );
    }
    let json = built.site_json();
    let driver = |id: &str| {
        json["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no driver {id}"))
    };
    assert_eq!(
        driver("shared-at-handover"),
        json!({ "id": "shared-at-handover", "title": "Risks shared at every handover", "level": "secondary", "aim": "fewer-falls", "primaries": ["risks-known"], "changes": ["huddle"] })
    );
    assert_eq!(driver("staff-in-bay")["changes"], json!(["bay-tagging"]));
    assert_eq!(driver("supervision")["level"], "primary");
    assert_eq!(json["drivers"].as_array().unwrap().len(), 5);
    let tag = |name: &str| {
        json["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no tag {name}"))
    };
    assert_eq!(tag("Ward 9")["url"], "/tags/ward-9/");
    assert_eq!(
        ids(&tag("huddle")["items"]),
        [
            "huddle",
            "huddle-1",
            "huddle-2",
            "huddle-3",
            "lesson-huddles"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    );
}

#[test]
fn a_site_with_only_a_title_builds_every_list_page() {
    let built = Site::from_files(&[("cyclebook.yml", "title: Empty ward\n")]).build();
    for page in [
        "index.html",
        "404.html",
        "cycles/index.html",
        "notes/index.html",
        "measures/index.html",
        "changes/index.html",
        "aims/index.html",
        "tags/index.html",
    ] {
        built.page(page).contains("Empty ward");
    }
    built.page("cycles/index.html").contains("No cycles yet.");
    let json = built.site_json();
    assert_eq!(json["items"], json!([]));
    assert_eq!(json["site"]["title"], "Empty ward");
}

#[test]
fn readmes_underscored_hidden_and_backup_files_are_not_content() {
    let site = Site::from_files(&[
        (
            "cycles/README.md",
            "# How to write a cycle\n\nNo front matter here.\n",
        ),
        ("notes/_draft.md", "not ready, no front matter\n"),
        ("notes/.hidden.md", "editor backup\n"),
        ("static/.DS_Store", "junk"),
        ("static/robots.txt", "User-agent: *\n"),
        ("static/robots.txt~", "an editor's backup\n"),
        ("notes/kept.md", "---\ntitle: Kept\n---\n"),
    ]);
    assert!(site.check_ok().is_empty());
    let built = site.build();
    let files: Vec<String> = built.tree().into_keys().collect();
    assert!(files.contains(&"notes/kept/index.html".to_string()));
    assert!(files.contains(&"robots.txt".to_string()));
    for absent in ["readme", "_draft", "hidden", ".DS_Store", "~"] {
        assert!(
            !files.iter().any(|f| f.to_lowercase().contains(absent)),
            "{absent} was published: {files:?}"
        );
    }
    let ids: Vec<_> = built.site_json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, [json!("kept")]);
}

#[test]
fn links_keep_their_fragments() {
    let built = Site::from_files(&[
        ("cycles/c.md", "---\ntitle: The cycle\nstatus: planned\n---\n\n## Plan\n\nText.\n"),
        ("notes/n.md", "---\ntitle: N\n---\n\n[[c#plan]], [[c#plan|the plan]] and [its plan](../cycles/c.md#plan).\n"),
    ])
    .build();
    built
        .page("cycles/c/index.html")
        .contains(r#"<h2 id="plan">Plan</h2>"#);
    built
        .page("notes/n/index.html")
        .contains(r##"<a href="../../cycles/c/#plan" title="The cycle">The cycle</a>"##)
        .contains(r##"<a href="../../cycles/c/#plan" title="The cycle">the plan</a>"##)
        .contains(r##"<a href="../../cycles/c/#plan" title="The cycle">its plan</a>"##);
}

#[test]
fn an_underscored_csv_is_skipped_like_an_underscored_markdown_file() {
    // `_draft.md` is skipped silently; `_old.csv` beside it must be too, not reported
    // as a bad id of a measure that is then not built anyway.
    let site = Site::from_files(&[
        ("measures/_old.csv", "date,value\n2026-01-05,3\n"),
        ("measures/_draft.md", "---\ntitle: Draft\n---\n"),
        ("measures/kept.csv", "date,value\n2026-01-05,3\n"),
    ]);
    let warnings = site.check_ok();
    assert!(warnings.is_empty(), "{}", common::render_all(&warnings));
    let built = site.build();
    assert!(built.exists("measures/kept/kept.csv"));
    assert!(!built
        .tree()
        .keys()
        .any(|f| f.contains("old") || f.contains("draft")));
}

#[test]
fn relative_links_and_images_to_published_files_are_rewritten_for_the_page() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Files\n"),
        ("static/img/huddle-board.png", "png"),
        ("measures/falls.csv", "date,value\n2026-01-05,3\n"),
        (
            "notes/board.md",
            "---\ntitle: Board\n---\n![The board](../static/img/huddle-board.png) and [the data](../measures/falls.csv).\n",
        ),
    ]);
    let built = site.build();
    built
        .page("notes/board/index.html")
        .contains(r#"<img src="../../img/huddle-board.png" alt="The board">"#)
        .contains(r#"<a href="../../measures/falls/falls.csv">the data</a>"#);
    assert_eq!(built.bytes("img/huddle-board.png"), b"png");
}

#[test]
fn a_link_to_a_file_that_is_not_published_is_an_error() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Files\n"),
        ("notes/plan.pdf", "%PDF"),
        (
            "notes/a.md",
            "---\ntitle: A\n---\nSee [the plan](plan.pdf).\n",
        ),
    ]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0202", "notes/a.md".to_string(), 4, 5));
    assert!(
        d.message.contains("notes/plan.pdf, which is not published"),
        "{}",
        d.message
    );
}

#[test]
fn a_static_file_cannot_replace_a_generated_page_but_may_replace_theme_assets() {
    let site = Site::from_files(&[
        ("cyclebook.yml", "title: Clash\n"),
        ("static/site.json", "{}"),
        ("static/assets/cyclebook.css", "body{}"),
    ]);
    let d = site.only_error();
    assert_eq!(d.code, "E0402");
    assert_eq!(
        d.file.as_deref(),
        Some(std::path::Path::new("static/site.json"))
    );
    std::fs::remove_file(site.root().join("static/site.json")).unwrap();
    assert_eq!(site.build().bytes("assets/cyclebook.css"), b"body{}");
}

#[test]
fn a_public_site_gets_a_sitemap_and_an_internal_one_asks_not_to_be_indexed() {
    let files = |visibility: &str| {
        vec![
            (
                "cyclebook.yml".to_string(),
                format!("title: Ward\nbase_url: https://example.org/ward/\n{visibility}"),
            ),
            ("notes/n.md".to_string(), "---\ntitle: N\n---\n".to_string()),
        ]
    };
    let public = files("");
    let public: Vec<(&str, &str)> = public
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let built = Site::from_files(&public).build();
    let sitemap = String::from_utf8(built.bytes("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<url><loc>https://example.org/ward/notes/n/</loc></url>"));
    assert!(sitemap.contains("<url><loc>https://example.org/ward/</loc></url>"));
    built.page("notes/n/index.html").lacks("noindex");

    let internal = files("visibility: internal\n");
    let internal: Vec<(&str, &str)> = internal
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let built = Site::from_files(&internal).build();
    assert!(!built.exists("sitemap.xml"));
    built
        .page("notes/n/index.html")
        .contains(r#"<meta name="robots" content="noindex, nofollow">"#);
    built.page("index.html").contains("noindex");
}

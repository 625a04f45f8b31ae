//! Small-number suppression end to end: with `privacy: { suppress_below: 5 }`, counts from
//! 1 to 4 of c and p charts never reach a published surface (the measure page's table,
//! tooltips, facts and reading; the tiles on `/measures/` and `/`; `data.json`; the CSV
//! download; charts embedded in notes), while 0, 5 and 12 do, the centre line and limits
//! stay those of the full data, and a measure's own `suppress_below: 0` turns it off.
//! The W0601 check is tested at the end. The rules themselves are unit-tested in
//! `src/privacy/suppression.rs`.

mod common;

use common::{Built, Page, Site};
use cyclebook::privacy::suppression::small_counts_without_suppression;
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// The site: a c chart and a p chart of the counts 0, 1, 3, 4, 5 and 12 (in an order that
// ends on a small count, so the "latest" value is suppressed), an unsuppressed copy of the
// c chart, and a note that embeds the charts.

const CONFIG: &str = "title: Ward 7\nprivacy: { suppress_below: 5 }\n";

const DATES: [&str; 6] = [
    "2026-01-05",
    "2026-01-12",
    "2026-01-19",
    "2026-01-26",
    "2026-02-02",
    "2026-02-09",
];
const LABELS: [&str; 6] = [
    "5 Jan 2026",
    "12 Jan 2026",
    "19 Jan 2026",
    "26 Jan 2026",
    "2 Feb 2026",
    "9 Feb 2026",
];

/// Falls per week (c chart): the latest, 1, is suppressed.
const FALLS: [u32; 6] = [5, 12, 0, 4, 3, 1];
/// Patients not screened, of 20 a week (p chart): the latest, 3, is suppressed.
const SCREENED: [u32; 6] = [12, 0, 5, 1, 4, 3];

const FALLS_MD: &str = "---\ntitle: Falls\nunit: falls\nchart: c\n---\n";
const SCREENED_MD: &str = "---\ntitle: Not screened\nunit: \"%\"\nchart: p\nmultiply: 100\n---\n";
const CALLS_MD: &str = "---\ntitle: Calls\nunit: calls\nchart: c\nsuppress_below: 0\n---\n";
const NOTE: &str = "---\ntitle: Review\n---\n\nFalls:\n\n```chart\nmeasure: falls\n```\n\nScreening, from mid-January:\n\n```chart\nmeasure: screened\nfrom: 2026-01-19\n```\n";

fn counts_csv(counts: &[u32], denominator: Option<u32>) -> String {
    let mut csv = String::from(if denominator.is_some() {
        "date,value,denominator\n"
    } else {
        "date,value\n"
    });
    for (date, count) in DATES.iter().zip(counts) {
        match denominator {
            Some(d) => csv.push_str(&format!("{date},{count},{d}\n")),
            None => csv.push_str(&format!("{date},{count}\n")),
        }
    }
    csv
}

fn site(config: &str) -> Site {
    let falls = counts_csv(&FALLS, None);
    let screened = counts_csv(&SCREENED, Some(20));
    Site::from_files(&[
        ("cyclebook.yml", config),
        ("measures/falls.md", FALLS_MD),
        ("measures/falls.csv", &falls),
        ("measures/screened.md", SCREENED_MD),
        ("measures/screened.csv", &screened),
        ("measures/calls.md", CALLS_MD),
        ("measures/calls.csv", &falls),
        ("notes/review.md", NOTE),
    ])
}

fn suppressed() -> Built {
    site(CONFIG).build()
}

fn data_json(built: &Built, id: &str) -> Value {
    serde_json::from_slice(&built.bytes(&format!("measures/{id}/data.json")))
        .unwrap_or_else(|e| panic!("measures/{id}/data.json is not JSON: {e}"))
}

fn csv(built: &Built, id: &str) -> String {
    String::from_utf8(built.bytes(&format!("measures/{id}/{id}.csv"))).unwrap()
}

/// The cells of each row of the page's data table, after the period, as written.
fn table(page: &Page) -> Vec<Vec<String>> {
    let data = page.section(r#"<section class="data""#, "</section>");
    data.html
        .split("</time></th>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            row.split("<td>")
                .skip(1)
                .map(|cell| cell[..cell.find("</td>").unwrap()].to_string())
                .collect()
        })
        .collect()
}

/// The first cell of each row: the count.
fn count_cells(page: &Page) -> Vec<String> {
    table(page).into_iter().map(|row| row[0].clone()).collect()
}

/// Every `<title>` text of a page or section.
fn titles(page: &Page) -> Vec<String> {
    page.html
        .split("<title")
        .skip(1)
        .map(|t| {
            let start = t.find('>').unwrap() + 1;
            t[start..t.find("</title>").unwrap()].to_string()
        })
        .collect()
}

/// The tile of the measure titled `title` on a listing page.
fn tile(page: &Page, title: &str) -> Page {
    page.section(&format!(r#"data-title="{title}""#), "</li>")
}

/// The text of the `<strong>` latest value of a tile.
fn tile_latest(tile: &Page) -> String {
    let latest = tile.section(r#"<span class="latest">"#, "</strong>").html;
    let start = latest.find("<strong").unwrap();
    let start = start + latest[start..].find('>').unwrap() + 1;
    latest[start..latest.len() - "</strong>".len()].to_string()
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

const SENTENCE: &str = "Counts below 5 are not shown to protect patients&#39; privacy; limits are computed on the full data.";

// ---------------------------------------------------------------------------------------
// The measure page

#[test]
fn the_table_shows_small_counts_as_below_5_and_the_others_as_they_are() {
    let built = suppressed();
    let falls = built.page("measures/falls/index.html");
    assert_eq!(
        count_cells(&falls),
        strings(&["5", "12", "0", "&lt;5", "&lt;5", "&lt;5"])
    );
    // A p chart: the count, the denominator, and the plotted proportion, which would give
    // the count back (5% of 20 is 1), withheld with it.
    let screened = built.page("measures/screened/index.html");
    let rows = table(&screened);
    let columns = |n: usize| -> Vec<String> { rows.iter().map(|r| r[n].clone()).collect() };
    assert_eq!(
        columns(0),
        strings(&["12", "0", "5", "&lt;5", "&lt;5", "&lt;5"])
    );
    assert_eq!(columns(1), strings(&["20"; 6]));
    assert_eq!(
        columns(2),
        strings(&["60%", "0%", "25%", "not shown", "not shown", "not shown"])
    );
    for page in [&falls, &screened] {
        page.section(r#"<section class="data""#, "</section>")
            .lacks("<td>5%</td>")
            .lacks("<td>15%</td>")
            .lacks("<td>20%</td>");
        assert_eq!(page.count("row-suppressed"), 3);
    }
}

#[test]
fn tooltips_labels_facts_and_reading_never_give_a_small_count() {
    let built = suppressed();
    let falls = built.page("measures/falls/index.html");
    let svg = falls.section(r#"<svg class="chart""#, "</svg>");
    let tips = titles(&svg);
    for (label, count) in LABELS.iter().zip(FALLS) {
        let shown = format!("{label}: {count} falls");
        let withheld = format!("{label}: &lt;5 falls, not shown to protect patients' privacy");
        if (1..5).contains(&count) {
            assert!(tips.contains(&withheld), "{tips:?}");
            assert!(!tips.iter().any(|t| t.starts_with(&shown)), "{tips:?}");
        } else {
            assert!(tips.iter().any(|t| t.starts_with(&shown)), "{tips:?}");
        }
    }
    // Withheld points are not plotted at a value, but marked "<5" at the foot of the plot.
    assert_eq!(svg.count(r#"class="pt "#), 3);
    assert_eq!(svg.count(r#"<circle class="suppressed-marker""#), 3);
    assert_eq!(
        svg.count(r#"text-anchor="middle">&lt;5</text>"#),
        3,
        "{}",
        svg.html
    );
    // The plotted line has a gap where the withheld points are: it ends at 0.
    let series = svg.section(r#"<g class="series"><path d=""#, r#""/>"#);
    assert_eq!(series.count("M"), 1, "{}", series.html);
    assert_eq!(series.count("L"), 2, "{}", series.html);

    // The facts, the reading and the chart's description quote the latest as "<5".
    falls
        .contains(r#"<dt>Latest</dt><dd><span class="suppressed-value""#)
        .contains(">&lt;5</span> <span class=\"quiet\">(9 Feb 2026)</span>")
        .contains("the latest value, &lt;5 falls (9 Feb 2026), is within the usual range")
        .lacks("the latest value, 1 falls");
    falls.section(r#"<dl class="facts">"#, "</dl>").lacks(">1 ");

    let screened = built.page("measures/screened/index.html");
    let tips = titles(&screened.section(r#"<svg class="chart""#, "</svg>"));
    for (label, count) in LABELS.iter().zip(SCREENED) {
        let percent = count * 5;
        let shown = format!("{label}: {percent}%");
        if (1..5).contains(&count) {
            assert!(
                tips.contains(&format!(
                    "{label}: &lt;5 of 20, not shown to protect patients' privacy"
                )),
                "{tips:?}"
            );
            assert!(!tips.iter().any(|t| t.starts_with(&shown)), "{tips:?}");
        } else {
            assert!(tips.iter().any(|t| t.starts_with(&shown)), "{tips:?}");
        }
    }
    screened
        .contains(">&lt;5 of 20</span> <span class=\"quiet\">(9 Feb 2026)</span>")
        .contains("the latest value, &lt;5 of 20 (9 Feb 2026), is within the usual range")
        .lacks("the latest value, 15%");
}

#[test]
fn the_page_says_what_was_withheld_and_why_near_the_chart() {
    let built = suppressed();
    let falls = built.page("measures/falls/index.html");
    let note = falls.section(r#"<div class="suppression-note" role="note">"#, "</div>");
    note.contains(SENTENCE)
        .contains("Not shown: 26 Jan 2026, 2 Feb 2026 and 9 Feb 2026.");
    // Right after the chart, before the table.
    falls.in_order(&[
        r#"<figure class="chart-figure">"#,
        r#"<div class="suppression-note""#,
        r#"<section class="data""#,
    ]);
    falls.contains("A value not shown, to protect privacy</li>");
    built
        .page("measures/screened/index.html")
        .contains(SENTENCE);
    // Not on a measure that turns suppression off.
    built
        .page("measures/calls/index.html")
        .lacks("suppression-note")
        .lacks("suppressed");
}

#[test]
fn tiles_on_the_measures_page_and_the_dashboard_show_a_suppressed_latest_as_below_5() {
    let built = suppressed();
    for page in ["measures/index.html", "index.html"] {
        let page = built.page(page);
        assert_eq!(tile_latest(&tile(&page, "Falls")), "&lt;5");
        assert_eq!(tile_latest(&tile(&page, "Not screened")), "&lt;5 of 20");
        tile(&page, "Falls").contains(r#"class="suppressed-value""#);
        // The measure that opts out shows its latest count.
        assert_eq!(tile_latest(&tile(&page, "Calls")), "1");
    }
    // Without suppression the same tiles show the counts.
    let open = site("title: Ward 7\n").build();
    let page = open.page("measures/index.html");
    assert_eq!(tile_latest(&tile(&page, "Falls")), "1");
    assert_eq!(tile_latest(&tile(&page, "Not screened")), "15%");
}

// ---------------------------------------------------------------------------------------
// data.json and the CSV download

#[test]
fn data_json_has_no_small_count_and_the_limits_of_the_full_data() {
    let built = suppressed();
    let full = site("title: Ward 7\n").build();
    for (id, counts) in [("falls", FALLS), ("screened", SCREENED)] {
        let data = data_json(&built, id);
        let unsuppressed = data_json(&full, id);
        assert_eq!(data["suppress_below"], 5);
        assert!(unsuppressed.get("suppress_below").is_none());
        let points = data["points"].as_array().unwrap();
        for (i, (p, count)) in points.iter().zip(counts).enumerate() {
            let q = &unsuppressed["points"][i];
            if (1..5).contains(&count) {
                assert_eq!(p["numerator"], Value::Null, "{id} {i}");
                assert_eq!(p["value"], Value::Null, "{id} {i}");
                assert_eq!(p["suppressed"], true, "{id} {i}");
                assert_eq!(p["suppressed_as"], "<5", "{id} {i}");
            } else {
                assert_eq!(p["numerator"].as_f64(), Some(f64::from(count)), "{id} {i}");
                assert_eq!(p["value"], q["value"], "{id} {i}");
                assert_eq!(p["suppressed"], false, "{id} {i}");
                assert!(p.get("suppressed_as").is_none());
            }
            // Denominators are published.
            assert_eq!(p["denominator"], q["denominator"]);
            // Centre and limits rest on the full data: the same as without suppression.
            for key in [
                "centre",
                "lower",
                "upper",
                "lower_2sigma",
                "upper_2sigma",
                "signals",
                "variation",
            ] {
                assert_eq!(p[key], q[key], "{id} point {i} {key}");
            }
            // Unsuppressed data.json is as it was: no new keys.
            assert!(q.get("suppressed").is_none());
        }
        assert_eq!(
            data["phases"][0]["centre"],
            unsuppressed["phases"][0]["centre"]
        );
        assert_eq!(data["phases"][0]["suppressed"], false);
        assert_eq!(data["variation"], unsuppressed["variation"]);
        // The runs analysis's counts would say on which side of the centre line a withheld
        // count lies; its verdict stays.
        for key in ["n_useful", "longest_run", "crossings"] {
            assert_eq!(data["phases"][0][key], Value::Null, "{key}");
            assert!(unsuppressed["phases"][0][key].is_u64(), "{key}");
        }
        assert_eq!(data["phases"][0]["runs_withheld"], true);
        assert_eq!(
            data["phases"][0]["runs_signal"],
            unsuppressed["phases"][0]["runs_signal"]
        );
    }
    // The centre is that of all six counts: 25 / 6 falls a week.
    let centre = data_json(&built, "falls")["phases"][0]["centre"]
        .as_f64()
        .unwrap();
    assert!((centre - 25.0 / 6.0).abs() < 1e-9, "{centre}");
    // No small count anywhere in the file as a number.
    let text = String::from_utf8(built.bytes("measures/falls/data.json")).unwrap();
    for small in ["1.0", "3.0", "4.0"] {
        assert!(!text.contains(&format!("\"numerator\": {small}")), "{text}");
        assert!(!text.contains(&format!("\"value\": {small}")), "{text}");
    }
}

#[test]
fn the_csv_download_is_regenerated_with_small_counts_written_below_5() {
    let built = suppressed();
    assert_eq!(
        csv(&built, "falls"),
        "date,value\n2026-01-05,5\n2026-01-12,12\n2026-01-19,0\n2026-01-26,<5\n2026-02-02,<5\n2026-02-09,<5\n"
    );
    assert_eq!(
        csv(&built, "screened"),
        "date,value,denominator\n2026-01-05,12,20\n2026-01-12,0,20\n2026-01-19,5,20\n2026-01-26,<5,20\n2026-02-02,<5,20\n2026-02-09,<5,20\n"
    );
    // Without suppression, and where a measure turns it off, the source file as it is.
    assert_eq!(csv(&built, "calls"), counts_csv(&FALLS, None));
    let open = site("title: Ward 7\n").build();
    assert_eq!(csv(&open, "screened"), counts_csv(&SCREENED, Some(20)));
}

#[test]
fn rows_of_one_period_are_published_summed_so_no_row_gives_a_small_count() {
    let built = Site::from_files(&[
        ("cyclebook.yml", CONFIG),
        ("measures/falls.md", "---\ntitle: Falls\nchart: c\n---\n"),
        (
            "measures/falls.csv",
            "date,value,ward,note\n2026-01-05,2,A,\n2026-01-05,4,B,Ward B short-staffed\n2026-01-12,7,A,\n2026-01-19,9,A,\n",
        ),
    ])
    .build();
    // 2 + 4 = 6 in the first week; the ward column is not published.
    assert_eq!(
        csv(&built, "falls"),
        "date,value,note\n2026-01-05,6,Ward B short-staffed\n2026-01-12,7,\n2026-01-19,9,\n"
    );
}

#[test]
fn proportions_hide_small_complements_and_small_denominators_show_a_range() {
    let built = Site::from_files(&[
        ("cyclebook.yml", CONFIG),
        (
            "measures/screened.md",
            "---\ntitle: Screened\nchart: p\nmultiply: 100\n---\n",
        ),
        (
            "measures/screened.csv",
            "date,value,denominator\n2026-01-05,19,20\n2026-01-12,15,20\n2026-01-19,16,20\n2026-01-26,17,20\n2026-02-02,14,20\n2026-02-09,18,20\n",
        ),
        (
            "measures/cohort.md",
            "---\ntitle: Cohort\nchart: p\nmultiply: 100\n---\n",
        ),
        (
            "measures/cohort.csv",
            "date,value,denominator\n2026-01-05,5,6\n2026-01-12,0,6\n2026-01-19,6,6\n2026-01-26,2,6\n2026-02-02,12,20\n",
        ),
    ])
    .build();
    // 19 of 20 says 1 patient was not screened: written ">15" (16 to 19).
    let page = built.page("measures/screened/index.html");
    assert_eq!(
        count_cells(&page),
        strings(&["&gt;15", "15", "&gt;15", "&gt;15", "14", "&gt;15"])
    );
    page.contains("Nor is a count within 5 of its denominator, such as 19 of 20");
    assert_eq!(
        data_json(&built, "screened")["points"][0]["suppressed_as"],
        ">15"
    );
    // Of 6, ">1" could only be 5: every count from 1 to 5 is "1 to 5"; 0 and 6 are shown.
    let page = built.page("measures/cohort/index.html");
    assert_eq!(
        count_cells(&page),
        strings(&["1 to 5", "0", "6", "1 to 5", "12"])
    );
    page.contains("Where the denominator is below 9, only a range is shown for the count.");
    assert_eq!(
        csv(&built, "cohort"),
        "date,value,denominator\n2026-01-05,1 to 5,6\n2026-01-12,0,6\n2026-01-19,6,6\n2026-01-26,1 to 5,6\n2026-02-02,12,20\n"
    );
}

// ---------------------------------------------------------------------------------------
// Charts embedded in a note

#[test]
fn embedded_charts_mark_withheld_points_and_say_so() {
    let built = suppressed();
    let page = built.page("notes/review/index.html");
    let falls = page.section(r#"aria-labelledby="embed-falls-1-title"#, "</figure>");
    let screened = page.section(r#"aria-labelledby="embed-screened-2-title"#, "</figure>");
    for (figure, counts, unit) in [(&falls, &FALLS, " falls"), (&screened, &SCREENED, "")] {
        let tips = titles(figure);
        for (label, count) in LABELS.iter().zip(counts) {
            let value = if unit.is_empty() {
                format!("{}%", count * 5)
            } else {
                format!("{count}{unit}")
            };
            assert!(
                !((1..5).contains(count)
                    && tips
                        .iter()
                        .any(|t| t.starts_with(&format!("{label}: {value}")))),
                "{tips:?}"
            );
        }
        figure.contains(r#"<circle class="suppressed-marker""#).contains(
            r#"<span class="suppression-note">Counts below 5 are not shown to protect patients' privacy.</span></figcaption>"#,
        );
    }
    assert_eq!(falls.count(r#"class="pt "#), 3);
    assert!(titles(&falls).contains(&"5 Jan 2026: 5 falls".to_string()));
    assert!(titles(&falls)
        .iter()
        .any(|t| t.starts_with("12 Jan 2026: 12 falls")));
    assert!(titles(&falls).contains(&"19 Jan 2026: 0 falls".to_string()));
    // From 19 Jan: 25% (5 of 20) is shown; 26 Jan to 9 Feb are withheld.
    assert_eq!(screened.count(r#"class="pt "#), 1);
    assert_eq!(screened.count(r#"<circle class="suppressed-marker""#), 3);
}

// ---------------------------------------------------------------------------------------
// Turning it off

#[test]
fn suppress_below_0_on_a_measure_turns_it_off_for_that_measure() {
    let built = suppressed();
    let calls = built.page("measures/calls/index.html");
    assert_eq!(
        count_cells(&calls),
        strings(&["5", "12", "0", "4", "3", "1"])
    );
    let data = data_json(&built, "calls");
    assert!(data.get("suppress_below").is_none());
    let numerators: Vec<Value> = data["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["numerator"].clone())
        .collect();
    assert_eq!(
        numerators,
        [5.0, 12.0, 0.0, 4.0, 3.0, 1.0].map(Value::from).to_vec()
    );
    assert!(titles(&calls).contains(&"9 Feb 2026: 1 calls".to_string()));
}

#[test]
fn off_by_default_nothing_changes() {
    let built = site("title: Ward 7\n").build();
    let falls = built.page("measures/falls/index.html");
    assert_eq!(
        count_cells(&falls),
        strings(&["5", "12", "0", "4", "3", "1"])
    );
    falls.lacks("suppress").lacks("&lt;5");
    assert_eq!(csv(&built, "falls"), counts_csv(&FALLS, None));
    // Identical to the suppressed build's page of the measure that opts out.
    let opted_out = suppressed();
    let strip = |page: Page| {
        page.section(r#"<section class="data""#, "</section>")
            .section("<tbody>", "</tbody>")
            .html
    };
    assert_eq!(
        strip(built.page("measures/falls/index.html")),
        strip(opted_out.page("measures/calls/index.html"))
    );
}

// ---------------------------------------------------------------------------------------
// Secondary suppression: the centre line must not give a withheld count away

#[test]
fn a_lone_small_count_takes_the_next_smallest_with_it() {
    // One count below 5 in the phase: from the mean (45 / 5 = 9) and the four others a
    // reader would get 45 − 44 = 1 back. The next smallest, 6, is withheld too.
    let files = |config: &'static str| {
        Site::from_files(&[
            ("cyclebook.yml", config),
            ("measures/falls.md", "---\ntitle: Falls\nchart: c\n---\n"),
            (
                "measures/falls.csv",
                "date,value\n2026-01-05,6\n2026-01-12,1\n2026-01-19,20\n2026-01-26,7\n2026-02-02,11\n",
            ),
        ])
    };
    let built = files(CONFIG).build();
    let full = files("title: Ward 7\n").build();
    let data = data_json(&built, "falls");
    let shown: Vec<Value> = data["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["numerator"].clone())
        .collect();
    assert_eq!(
        shown,
        [
            Value::Null,
            Value::Null,
            Value::from(20.0),
            Value::from(7.0),
            Value::from(11.0)
        ]
    );
    assert_eq!(data["points"][0]["suppressed_as"], "withheld");
    assert_eq!(data["points"][1]["suppressed_as"], "<5");
    assert_eq!(
        data["phases"][0]["centre"],
        data_json(&full, "falls")["phases"][0]["centre"]
    );
    let page = built.page("measures/falls/index.html");
    assert_eq!(
        count_cells(&page),
        strings(&["withheld", "&lt;5", "20", "7", "11"])
    );
    page.contains("One larger count is withheld as well (5 Jan 2026), so that a count below 5 cannot be worked out from the centre line.");
    assert_eq!(
        csv(&built, "falls"),
        "date,value\n2026-01-05,withheld\n2026-01-12,<5\n2026-01-19,20\n2026-01-26,7\n2026-02-02,11\n"
    );
}

#[test]
fn a_centre_line_that_would_reveal_a_small_total_is_not_published() {
    // Three falls in six weeks: the mean, 0.5, says so.
    let built = Site::from_files(&[
        ("cyclebook.yml", CONFIG),
        ("measures/falls.md", "---\ntitle: Falls\nchart: c\n---\n"),
        ("measures/falls.csv", &counts_csv(&[0, 1, 0, 2, 0, 0], None)),
    ])
    .build();
    let data = data_json(&built, "falls");
    assert_eq!(data["phases"][0]["centre"], Value::Null);
    assert_eq!(data["phases"][0]["suppressed"], true);
    for p in data["points"].as_array().unwrap() {
        for key in ["centre", "lower", "upper", "lower_2sigma", "upper_2sigma"] {
            assert_eq!(p[key], Value::Null, "{key}");
        }
    }
    let page = built.page("measures/falls/index.html");
    page.contains("The centre line and limits are not shown either: they would let a count below 5 be worked out.");
    page.section(r#"<svg class="chart""#, "</svg>")
        .lacks(r#"class="centre""#)
        .lacks(r#"class="limit""#)
        .lacks("Mean ");
}

// ---------------------------------------------------------------------------------------
// W0601

fn w0601(files: &[(&str, &str)], id: &str) -> Option<cyclebook::diagnostics::Diagnostic> {
    let site = Site::from_files(files);
    let built = cyclebook::compile(site.root(), None, false, false)
        .unwrap_or_else(|e| panic!("the site should compile: {e}"));
    let item = built
        .library
        .items
        .iter()
        .find(|i| i.id == id)
        .expect("the measure is loaded");
    small_counts_without_suppression(item, built.config.suppress_below)
}

#[test]
fn w0601_warns_about_small_counts_of_a_chart_of_counts_without_suppression() {
    let csv = "date,value,denominator\n2026-01-05,12,40\n2026-01-12,0,40\n2026-01-19,3,40\n";
    let d = w0601(
        &[
            ("measures/audit.md", "---\ntitle: Audit\nchart: p\n---\n"),
            ("measures/audit.csv", csv),
        ],
        "audit",
    )
    .expect("a warning");
    assert_eq!(
        common::place(&d),
        ("W0601", "measures/audit.md".to_string(), 1, 1)
    );
    assert!(!d.is_error());
    assert!(d.message.contains("as small as 3"), "{}", d.message);
    assert_eq!(
        d.hint.as_deref(),
        Some("set `privacy: { suppress_below: 5 }` in cyclebook.yml or `suppress_below:` on the measure (`suppress_below: 0` if these are not counts of people)")
    );
    // The CSV row of the first small count is named too.
    assert_eq!(d.related.len(), 1);
    assert_eq!(
        cyclebook::diagnostics::display_path(&d.related[0].file),
        "measures/audit.csv"
    );
    assert_eq!(d.related[0].line, 4);

    // Every chart of counts; not the others.
    for chart in ["c", "p", "pp", "u", "up"] {
        let md = format!("---\ntitle: M\nchart: {chart}\n---\n");
        assert!(
            w0601(&[("measures/m.md", &md), ("measures/m.csv", csv)], "m").is_some(),
            "{chart}"
        );
    }
    for chart in ["run", "i", "xmr", "t", "g"] {
        let md = format!("---\ntitle: M\nchart: {chart}\n---\n");
        assert!(
            w0601(&[("measures/m.md", &md), ("measures/m.csv", csv)], "m").is_none(),
            "{chart}"
        );
    }
}

#[test]
fn w0601_is_quiet_with_suppression_an_opt_out_or_no_small_counts() {
    let md = "---\ntitle: Falls\nchart: c\n---\n";
    let small = "date,value\n2026-01-05,12\n2026-01-12,9\n";
    // Suppression on for the site, or on the measure.
    assert!(w0601(
        &[
            ("cyclebook.yml", CONFIG),
            ("measures/falls.md", md),
            ("measures/falls.csv", small)
        ],
        "falls"
    )
    .is_none());
    assert!(w0601(
        &[
            (
                "measures/falls.md",
                "---\ntitle: Falls\nchart: c\nsuppress_below: 10\n---\n"
            ),
            ("measures/falls.csv", small)
        ],
        "falls"
    )
    .is_none());
    // `suppress_below: 0` on the measure says its counts are not of people.
    assert!(w0601(
        &[
            (
                "measures/falls.md",
                "---\ntitle: Falls\nchart: c\nsuppress_below: 0\n---\n"
            ),
            ("measures/falls.csv", small)
        ],
        "falls"
    )
    .is_none());
    // Only zeros and counts of 10 or more.
    assert!(w0601(
        &[
            ("measures/falls.md", md),
            (
                "measures/falls.csv",
                "date,value\n2026-01-05,0\n2026-01-12,10\n2026-01-19,250\n"
            )
        ],
        "falls"
    )
    .is_none());
    // A count of 9 is warned about.
    assert!(w0601(
        &[("measures/falls.md", md), ("measures/falls.csv", small)],
        "falls"
    )
    .is_some_and(|d| d.message.contains("as small as 9")));
}

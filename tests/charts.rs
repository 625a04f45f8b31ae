//! The chart features end to end: CSV rows grouped into periods, `/measures/<id>/data.json`,
//! the measure page's SVG and plain-language reading, charts embedded in notes with
//! ```` ```chart ```` blocks, the small multiples on `/measures/`, and the example site.
//! The statistics themselves are checked against reference vectors in `stats_vectors.rs`;
//! here the numbers come from small inputs computed by hand.

mod common;

use common::{place, Built, Page, Site};
use cyclebook::diagnostics::Diagnostic;
use serde_json::{json, Value};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------
// Helpers

/// `/measures/<id>/data.json` of a built site.
fn data_json(built: &Built, id: &str) -> Value {
    serde_json::from_slice(&built.bytes(&format!("measures/{id}/data.json")))
        .unwrap_or_else(|e| panic!("measures/{id}/data.json is not JSON: {e}"))
}

/// Asserts a JSON number equals `expected` to 1e-9 (relative above 1).
#[track_caller]
fn assert_close(actual: &Value, expected: f64, what: &str) {
    let got = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected the number {expected}, got {actual}"));
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: expected {expected}, got {got}"
    );
}

/// The main chart of a measure page (`chart-<id>`), from `<svg` to its `</svg>`.
fn main_svg(page: &Page, id: &str) -> Page {
    page.section(
        &format!(r#"aria-labelledby="chart-{id}-title chart-{id}-desc""#),
        "</svg>",
    )
}

/// How many points of each shape an SVG draws:
/// (common circles, improvement diamonds, concern squares, neutral triangles, hollow excluded).
fn shapes(svg: &Page) -> [usize; 5] {
    [
        svg.count(r#"<circle class="pt common""#),
        svg.count(r#"<path class="pt improvement""#),
        svg.count(r#"<rect class="pt concern""#),
        svg.count(r#"<path class="pt neutral""#),
        svg.count(r#"<circle class="pt excluded""#),
    ]
}

/// The same counts as `shapes`, from the points of a `data.json` that have a value.
fn shapes_from_json(data: &Value) -> [usize; 5] {
    let mut counts = [0; 5];
    for p in data["points"].as_array().unwrap() {
        if p["value"].is_null() {
            continue;
        }
        let slot = if p["excluded"] == true {
            4
        } else {
            match p["variation"].as_str().unwrap() {
                "common_cause" => 0,
                "improvement" => 1,
                "concern" => 2,
                "neutral_high" | "neutral_low" => 3,
                other => panic!("unknown variation {other}"),
            }
        };
        counts[slot] += 1;
    }
    counts
}

/// Builds with the library, expecting content errors (and no panic); returns them.
fn build_fails(site: &Site) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    let options = cyclebook::BuildOptions {
        site: site.root().to_path_buf(),
        out: Some(dir.path().join("public")),
        base_url: None,
        git: false,
        allow_identifiers: false,
    };
    match cyclebook::build(&options) {
        Ok(_) => panic!("the build should fail"),
        Err(cyclebook::Error::Content(diagnostics)) => diagnostics,
        Err(e) => panic!("expected content errors, got: {e}"),
    }
}

fn places(diagnostics: &[Diagnostic]) -> Vec<(&'static str, String, usize, usize)> {
    diagnostics.iter().map(place).collect()
}

/// `n` weekly dates from Monday 5 January 2026.
fn weeks(n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut month, mut day) = (1u32, 5u32);
    let days_in = |m: u32| match m {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    for _ in 0..n {
        out.push(format!("2026-{month:02}-{day:02}"));
        day += 7;
        if day > days_in(month) {
            day -= days_in(month);
            month += 1;
        }
    }
    out
}

/// A CSV of `date,value` rows on consecutive weeks from 5 January 2026.
fn weekly_csv(values: &[f64]) -> String {
    let mut csv = String::from("date,value\n");
    for (date, v) in weeks(values.len()).iter().zip(values) {
        csv.push_str(&format!("{date},{v}\n"));
    }
    csv
}

// ---------------------------------------------------------------------------------------
// A p chart of a dozen weeks: one excluded week, a rebase, `multiply: 100`, a target.

const SCREENED_MD: &str = r#"---
title: Screened on arrival
unit: "%"
chart: p
multiply: 100
target: 80
improvement: increase
rules: mdc
rebase: [2026-03-02]
exclude: [2026-01-19]
---

Patients screened within an hour of arrival.
"#;

/// (date, numerator, denominator, note)
const SCREENED_ROWS: [(&str, f64, f64, &str); 12] = [
    ("2026-01-05", 6.0, 10.0, ""),
    ("2026-01-12", 7.0, 10.0, ""),
    ("2026-01-19", 0.0, 10.0, "Ward closed"),
    ("2026-01-26", 6.0, 10.0, ""),
    ("2026-02-02", 4.0, 10.0, ""),
    ("2026-02-09", 6.0, 10.0, ""),
    ("2026-02-16", 1.0, 10.0, ""),
    ("2026-02-23", 10.0, 20.0, ""),
    ("2026-03-02", 9.0, 10.0, "New form"),
    ("2026-03-09", 10.0, 10.0, ""),
    ("2026-03-16", 9.0, 10.0, ""),
    ("2026-03-23", 8.0, 10.0, ""),
];

fn screened_csv() -> String {
    let mut csv = String::from("date,value,denominator,note\n");
    for (date, num, den, note) in SCREENED_ROWS {
        csv.push_str(&format!("{date},{num},{den},{note}\n"));
    }
    csv
}

const FORM_1: &str = "---\ntitle: Form test one\nstatus: done\nstarted: 2026-02-25\nended: 2026-03-03\ndecision: adopt\nmeasures: [screened]\n---\n";
const FORM_2: &str =
    "---\ntitle: Form test two\nstatus: doing\nstarted: 2026-03-10\nmeasures: [screened]\n---\n";
const FORM_3: &str = "---\ntitle: Form test three\nstatus: planned\nmeasures: [screened]\n---\n";

fn screened_site(extra: &[(&str, &str)]) -> Site {
    let csv = screened_csv();
    let mut files = vec![
        ("measures/screened.md", SCREENED_MD),
        ("measures/screened.csv", csv.as_str()),
        ("cycles/form-1.md", FORM_1),
        ("cycles/form-2.md", FORM_2),
        ("cycles/form-3.md", FORM_3),
    ];
    files.extend_from_slice(extra);
    Site::from_files(&files)
}

#[test]
fn data_json_of_a_p_chart_matches_the_hand_computed_limits() {
    let site = screened_site(&[]);
    let warnings = site.check_ok();
    assert!(warnings.is_empty(), "{}", common::render_all(&warnings));
    let built = site.build();
    let data = data_json(&built, "screened");

    for key in [
        "id",
        "title",
        "chart",
        "unit",
        "improvement",
        "target",
        "rules",
        "points",
        "phases",
        "variation",
        "assurance",
        "annotations",
    ] {
        assert!(data.get(key).is_some(), "data.json has no `{key}`: {data}");
    }
    assert_eq!(data["id"], "screened");
    assert_eq!(data["title"], "Screened on arrival");
    assert_eq!(data["chart"], "p");
    assert_eq!(data["unit"], "%");
    assert_eq!(data["improvement"], "increase");
    assert_close(&data["target"], 80.0, "target");
    assert_close(&data["multiply"], 100.0, "multiply");
    assert_eq!(data["rules"], "mdc");

    // Phase 1 is the eight weeks before the rebase on 2 March, phase 2 the four after.
    let phase_of = |i: usize| if i < 8 { 1 } else { 2 };
    let excluded = |i: usize| SCREENED_ROWS[i].0 == "2026-01-19";
    // cl = Σnum / Σden over the phase's points that are not excluded.
    let centre = |phase: usize| {
        let (num, den) = (0..12)
            .filter(|&i| phase_of(i) == phase && !excluded(i))
            .fold((0.0, 0.0), |(n, d), i| {
                (n + SCREENED_ROWS[i].1, d + SCREENED_ROWS[i].2)
            });
        num / den
    };
    // Phase 1: (6+7+6+4+6+1+10)/(6×10+20) = 40/80; phase 2: 36/40.
    assert_eq!((centre(1), centre(2)), (0.5, 0.9));

    let points = data["points"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    for (i, p) in points.iter().enumerate() {
        let (date, num, den, note) = SCREENED_ROWS[i];
        let what = |field: &str| format!("point {i} ({date}) {field}");
        for key in [
            "x",
            "value",
            "numerator",
            "denominator",
            "phase",
            "baseline",
            "excluded",
            "centre",
            "lower",
            "upper",
            "lower_2sigma",
            "upper_2sigma",
            "signals",
            "variation",
        ] {
            assert!(p.get(key).is_some(), "{} is missing", what(key));
        }
        assert_eq!(p["x"], date);
        assert_close(&p["numerator"], num, &what("numerator"));
        assert_close(&p["denominator"], den, &what("denominator"));
        assert_close(&p["value"], num / den * 100.0, &what("value"));
        assert_eq!(p["phase"], phase_of(i), "{}", what("phase"));
        assert_eq!(p["baseline"], true, "{}", what("baseline"));
        assert_eq!(p["excluded"], excluded(i), "{}", what("excluded"));
        let cl = centre(phase_of(i));
        let sigma = (cl * (1.0 - cl) / den).sqrt();
        let clip = |x: f64| x.clamp(0.0, 1.0) * 100.0;
        assert_close(&p["centre"], cl * 100.0, &what("centre"));
        assert_close(&p["lower"], clip(cl - 3.0 * sigma), &what("lower"));
        assert_close(&p["upper"], clip(cl + 3.0 * sigma), &what("upper"));
        assert_close(
            &p["lower_2sigma"],
            clip(cl - 2.0 * sigma),
            &what("lower_2sigma"),
        );
        assert_close(
            &p["upper_2sigma"],
            clip(cl + 2.0 * sigma),
            &what("upper_2sigma"),
        );
        if note.is_empty() {
            assert_eq!(p["note"], Value::Null, "{}", what("note"));
        } else {
            assert_eq!(p["note"], note, "{}", what("note"));
        }
        // Only the excluded week stands out: 0% is below phase 1's lower limit of 2.57%;
        // an excluded point is still tested against the limits. Lower is worse.
        if excluded(i) {
            assert_eq!(
                p["signals"],
                json!(["outside_limits"]),
                "{}",
                what("signals")
            );
            assert_eq!(p["variation"], "concern", "{}", what("variation"));
        } else {
            assert_eq!(p["signals"], json!([]), "{}", what("signals"));
            assert_eq!(p["variation"], "common_cause", "{}", what("variation"));
        }
    }
    // Phase 2's upper limits, 0.9 + 3 × 0.0949 > 1, are clipped to 100%.
    assert_close(&points[9]["upper"], 100.0, "clipped upper limit");
    assert_close(
        &points[9]["upper_2sigma"],
        100.0,
        "clipped upper 2-sigma limit",
    );

    // Runs analysis per phase, over the points not excluded and off the centre line.
    // Phase 1: 60 70 [0 excluded] 60 40 60 10 50 → + + + − + − (50 is on the line):
    // 6 useful, longest run 3 (the excluded week does not break it), 3 crossings;
    // most expected round(log2(6) + 3) = 6, fewest qbinom(0.05, 5, 0.5) = 1.
    // Phase 2: 90 100 90 80 around 90 → + −: 2 useful, round(log2(2) + 3) = 4, qbinom(0.05, 1, 0.5) = 0.
    let phases = data["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 2);
    let expected = [
        (1, "2026-01-05", "2026-02-23", 50.0, 6, 3, 6, 3, 1),
        (2, "2026-03-02", "2026-03-23", 90.0, 2, 1, 4, 1, 0),
    ];
    for (ph, (n, from, to, cl, useful, run, run_max, crossings, crossings_min)) in
        phases.iter().zip(expected)
    {
        assert_eq!(ph["phase"], n);
        assert_eq!(ph["from"], from, "phase {n}");
        assert_eq!(ph["to"], to, "phase {n}");
        assert_close(&ph["centre"], cl, &format!("phase {n} centre"));
        assert_eq!(
            (
                &ph["n_useful"],
                &ph["longest_run"],
                &ph["longest_run_max"],
                &ph["crossings"],
                &ph["crossings_min"],
                &ph["runs_signal"],
            ),
            (
                &json!(useful),
                &json!(run),
                &json!(run_max),
                &json!(crossings),
                &json!(crossings_min),
                &json!(false),
            ),
            "runs analysis of phase {n}"
        );
    }

    // The latest point (80%) is common cause; the target of 80% lies between phase 2's
    // limits (61.5% to 100%), so the process will hit and miss it.
    assert_eq!(data["variation"], "common_cause");
    assert_eq!(data["assurance"], "inconsistent");

    // Each cycle that names the measure and has started, in start order; the planned
    // cycle without a start date has no place on the time axis.
    assert_eq!(
        data["annotations"],
        json!([
            { "x": "2026-02-25", "to": "2026-03-03", "cycle": "form-1", "title": "Form test one", "url": "/cycles/form-1/" },
            { "x": "2026-03-10", "to": null, "cycle": "form-2", "title": "Form test two", "url": "/cycles/form-2/" },
        ])
    );
    for a in data["annotations"].as_array().unwrap() {
        let url = a["url"].as_str().unwrap();
        assert!(built.exists(&format!("{}index.html", &url[1..])), "{url}");
    }
}

// ---------------------------------------------------------------------------------------
// Repeated periods

#[test]
fn repeated_periods_are_summed_on_a_p_chart_wherever_the_rows_are() {
    let site = Site::from_files(&[
        (
            "measures/audit.md",
            "---\ntitle: Audit\nchart: p\n---\n",
        ),
        (
            "measures/audit.csv",
            "date,value,denominator,note\n2026-01-05,3,10,Ward A\n2026-01-12,4,10,\n2026-01-19,1,5,\n2026-01-05,2,10,Ward B\n",
        ),
    ]);
    assert!(site.check_ok().is_empty());
    let built = site.build();
    let data = data_json(&built, "audit");
    let points = data["points"].as_array().unwrap();
    let got: Vec<(&Value, &Value, &Value)> = points
        .iter()
        .map(|p| (&p["x"], &p["numerator"], &p["denominator"]))
        .collect();
    assert_eq!(
        got,
        [
            (&json!("2026-01-05"), &json!(5.0), &json!(20.0)),
            (&json!("2026-01-12"), &json!(4.0), &json!(10.0)),
            (&json!("2026-01-19"), &json!(1.0), &json!(5.0)),
        ]
    );
    assert_close(&points[0]["value"], 0.25, "5/20");
    assert_close(&points[1]["value"], 0.4, "4/10");
    assert_close(&points[2]["value"], 0.2, "1/5");
    // cl = (5 + 4 + 1) / (20 + 10 + 5); σ of the summed week uses its summed denominator.
    let cl: f64 = 10.0 / 35.0;
    assert_close(&points[0]["centre"], cl, "centre");
    assert_close(
        &points[0]["upper"],
        cl + 3.0 * (cl * (1.0 - cl) / 20.0).sqrt(),
        "upper limit of the summed week",
    );
    // The notes of the two rows are joined.
    assert_eq!(points[0]["note"], "Ward A; Ward B");
    // The table shows one row per period.
    built
        .page("measures/audit/index.html")
        .contains("<summary>Show the 3 data points</summary>");
}

#[test]
fn repeated_periods_are_summed_on_a_c_chart() {
    let built = Site::from_files(&[
        ("measures/falls.md", "---\ntitle: Falls\nchart: c\n---\n"),
        (
            "measures/falls.csv",
            "date,value\n2026-01-05,2\n2026-01-05,3\n2026-01-12,4\n",
        ),
    ])
    .build();
    let data = data_json(&built, "falls");
    let points = data["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_close(&points[0]["numerator"], 5.0, "summed count");
    assert_close(&points[0]["value"], 5.0, "summed count");
    assert_close(&points[1]["value"], 4.0, "count");
    assert_close(&points[0]["centre"], 4.5, "centre");
    assert_close(&points[0]["upper"], 4.5 + 3.0 * 4.5f64.sqrt(), "upper");
    assert_close(&points[0]["lower"], 0.0, "lower, floored at 0");
}

#[test]
fn repeated_periods_are_subgroups_on_xbar_and_s_charts() {
    // Subgroups {4, 6, 8}, {5, 7} and {9}.
    let csv = "date,value\n2026-01-05,4\n2026-01-05,6\n2026-01-12,5\n2026-01-05,8\n2026-01-12,7\n2026-01-19,9\n";
    let built = Site::from_files(&[
        ("measures/xbar.md", "---\ntitle: Means\nchart: xbar\n---\n"),
        ("measures/xbar.csv", csv),
        ("measures/s.md", "---\ntitle: Spreads\nchart: s\n---\n"),
        ("measures/s.csv", csv),
    ])
    .build();
    let means = data_json(&built, "xbar");
    let points = means["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    for (p, mean) in points.iter().zip([6.0, 6.0, 9.0]) {
        assert_close(&p["value"], mean, &format!("subgroup mean at {}", p["x"]));
    }
    // The centre is the grand mean of the observations: 39 / 6.
    assert_close(&points[0]["centre"], 6.5, "grand mean");
    // A smaller subgroup has wider limits; a subgroup of one has none (no A3 for n = 1).
    let width = |p: &Value| p["upper"].as_f64().unwrap() - p["lower"].as_f64().unwrap();
    assert!(width(&points[0]) < width(&points[1]));
    assert_eq!(
        (&points[2]["lower"], &points[2]["upper"]),
        (&Value::Null, &Value::Null)
    );

    let spreads = data_json(&built, "s");
    let points = spreads["points"].as_array().unwrap();
    assert_close(&points[0]["value"], 2.0, "sd of 4, 6, 8");
    assert_close(&points[1]["value"], 2f64.sqrt(), "sd of 5, 7");
    // One observation has no standard deviation: a gap.
    assert_eq!(points[2]["value"], Value::Null);
    // Unequal subgroups: the pooled sd, sqrt((2·4 + 1·2) / (2 + 1)).
    assert_close(&points[0]["centre"], (10.0f64 / 3.0).sqrt(), "pooled sd");
}

#[test]
fn the_data_table_of_a_subgroup_chart_shows_the_plotted_statistic() {
    // Subgroup {4, 6, 8}: its mean, 6, is plotted on the xbar chart and its standard
    // deviation, 2, on the s chart. The table's value is what the chart plots (with the
    // centre and limits beside it), not the sum of the rows, 18.
    let csv = "date,value\n2026-01-05,4\n2026-01-05,6\n2026-01-05,8\n2026-01-12,5\n2026-01-12,7\n";
    let built = Site::from_files(&[
        ("measures/xbar.md", "---\ntitle: Means\nchart: xbar\n---\n"),
        ("measures/xbar.csv", csv),
        ("measures/s.md", "---\ntitle: Spreads\nchart: s\n---\n"),
        ("measures/s.csv", csv),
    ])
    .build();
    for (id, plotted) in [("xbar", "<td>6</td>"), ("s", "<td>2</td>")] {
        built
            .page(&format!("measures/{id}/index.html"))
            .section(r#"<time datetime="2026-01-05">"#, "</tr>")
            .contains(plotted)
            .lacks("<td>18</td>");
    }
}

#[test]
fn a_repeated_period_on_an_i_chart_is_an_error_at_the_second_rows_date() {
    let site = Site::from_files(&[
        ("measures/wait.md", "---\ntitle: Wait\nchart: i\n---\n"),
        (
            "measures/wait.csv",
            "date,value\n2026-01-05,3\n2026-01-12,4\n2026-01-05,5\n",
        ),
    ]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0307", "measures/wait.csv".to_string(), 4, 1));
    assert_eq!(
        d.message,
        "period 2026-01-05 appears twice; the chart type `i` takes one value per period"
    );
    assert_eq!(d.label.as_deref(), Some("already on line 2"));
    let all = build_fails(&site);
    assert_eq!(
        places(&all),
        [("E0307", "measures/wait.csv".to_string(), 4, 1)]
    );
}

// ---------------------------------------------------------------------------------------
// CSV problems

#[test]
fn cells_that_are_not_numbers_are_errors_at_their_row_and_column() {
    let site = Site::from_files(&[
        ("measures/audit.md", "---\ntitle: Audit\nchart: p\n---\n"),
        (
            "measures/audit.csv",
            "date,value,denominator\n2026-01-05,3,10\n2026-01-12,twelve,10\n2026-01-19,5,\"1,000\"\n",
        ),
    ]);
    let all = site.check_err();
    assert_eq!(
        places(&all),
        [
            ("E0305", "measures/audit.csv".to_string(), 3, 12),
            ("E0305", "measures/audit.csv".to_string(), 4, 14),
        ],
        "{}",
        common::render_all(&all)
    );
    assert_eq!(all[0].message, "`twelve` in column `value` is not a number");
    assert!(
        all[1]
            .message
            .contains("in column `denominator` is not a number"),
        "{}",
        all[1].message
    );
    assert!(
        all[1]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("thousands separators"),
        "{:?}",
        all[1].hint
    );
    // Building reports the same errors rather than panicking.
    assert_eq!(places(&build_fails(&site)), places(&all));
}

#[test]
fn a_zero_denominator_warns_at_its_cell_and_leaves_a_gap() {
    let site = Site::from_files(&[
        ("measures/audit.md", "---\ntitle: Audit\nchart: p\n---\n"),
        (
            "measures/audit.csv",
            "date,value,denominator\n2026-01-05,3,10\n2026-01-12,0,0\n2026-01-19,5,10\n",
        ),
    ]);
    let warnings = site.check_ok();
    assert_eq!(
        places(&warnings),
        [("W0302", "measures/audit.csv".to_string(), 3, 14)]
    );
    assert!(!warnings[0].is_error());
    let built = site.build();
    assert_eq!(places(&built.warnings), places(&warnings));
    let data = data_json(&built, "audit");
    let gap = &data["points"][1];
    assert_eq!(gap["x"], "2026-01-12");
    assert_eq!(gap["value"], Value::Null);
    assert_close(&gap["numerator"], 0.0, "numerator");
    assert_close(&gap["denominator"], 0.0, "denominator");
    // A ratio chart draws no limits at a gap; the centre comes from the other weeks.
    assert_eq!((&gap["lower"], &gap["upper"]), (&Value::Null, &Value::Null));
    assert_close(&gap["centre"], 8.0 / 20.0, "centre");
    assert_eq!(gap["signals"], json!([]));

    let page = built.page("measures/audit/index.html");
    let svg = main_svg(&page, "audit");
    assert_eq!(svg.count(r#"class="pt "#), 2);
    // The line breaks at the gap.
    let series = svg.section(r#"<g class="series"><path d=""#, r#""/>"#);
    assert_eq!(series.count("M"), 2, "{}", series.html);
    assert_eq!(series.count("L"), 0, "{}", series.html);
    page.section(r#"<time datetime="2026-01-12">"#, "</tr>")
        .contains(r#"<span class="quiet">—</span>"#);
}

#[test]
fn a_negative_count_on_a_c_chart_is_an_error_at_the_value() {
    let site = Site::from_files(&[
        ("measures/falls.md", "---\ntitle: Falls\nchart: c\n---\n"),
        (
            "measures/falls.csv",
            "date,value\n2026-01-05,3\n2026-01-12,-2\n",
        ),
    ]);
    let d = site.only_error();
    assert_eq!(
        place(&d),
        ("E0306", "measures/falls.csv".to_string(), 3, 12)
    );
    assert_eq!(
        d.message,
        "a `c` chart plots counts of events, which cannot be negative"
    );
    assert_eq!(d.label.as_deref(), Some("negative count"));
    assert_eq!(places(&build_fails(&site)), [place(&d)]);
}

// ---------------------------------------------------------------------------------------
// The measure page

#[test]
fn measure_page_chart_shows_phases_trial_limits_target_cycles_and_notes() {
    let built = screened_site(&[]).build();
    let page = built.page("measures/screened/index.html");
    let svg = main_svg(&page, "screened");

    // The text alternative: ids in aria-labelledby name a <title> and a <desc>. The chart
    // links to cycles, so it is not role="img" (an image may not hold links).
    page.contains(r#"<svg class="chart" viewBox="0 0 760 340" aria-labelledby="chart-screened-title chart-screened-desc""#)
        .contains(r#"<title id="chart-screened-title">Screened on arrival</title>"#)
        .contains(r#"<desc id="chart-screened-desc">Common cause variation: the latest value, 80% (23 Mar 2026), is within the usual range around the mean of 90%."#);
    assert_eq!(page.count(r#"<svg class="chart""#), 1);

    // One boundary, at the rebase; both phases rest on fewer than 13 points.
    assert_eq!(svg.count(r#"<line class="phase-boundary""#), 1);
    svg.in_order(&[
        ">Phase 1 · trial limits</text>",
        r#"<line class="phase-boundary""#,
        ">Phase 2 · trial limits</text>",
    ]);
    // Limits step where the denominator changes and at the phase; each is one path.
    assert_eq!(svg.count(r#"<path class="limit""#), 2);
    assert_eq!(svg.count(r#"<path class="centre""#), 1);
    svg.lacks("runs-signal");
    // The target line and the labels at the right-hand end.
    assert_eq!(svg.count(r#"<line class="target""#), 1);
    svg.contains(">Target 80%</text>")
        .contains(">Mean 90%</text>")
        .contains(">Upper limit 100%</text>")
        .contains(">Lower limit 61.5%</text>");

    // 11 common-cause points and the excluded week, hollow.
    assert_eq!(shapes(&svg), [11, 0, 0, 0, 1]);
    assert_eq!(
        shapes(&svg),
        shapes_from_json(&data_json(&built, "screened"))
    );
    svg.contains(
        "<title>19 Jan 2026: 0% (excluded from the calculations) — outside the limits</title>",
    );

    // Numbered markers link to the cycles that started; the planned one has none.
    let annotations = svg.section(r#"<g class="annotations">"#, "</g>");
    assert_eq!(annotations.count("<a href="), 2);
    svg.in_order(&[
        r#"<a href="../../cycles/form-1/"><title>1: Form test one (25 Feb 2026 to 3 Mar 2026)</title>"#,
        r#"class="annotation-number">1</text></a>"#,
        r#"<a href="../../cycles/form-2/"><title>2: Form test two (10 Mar 2026)</title>"#,
        r#"class="annotation-number">2</text></a>"#,
    ])
    .lacks("form-3");
    // The finished cycle is a band from its start to its end.
    assert_eq!(
        svg.section(r#"<g class="annotation-spans">"#, "</g>")
            .count("<rect"),
        1
    );
    // The list of cycles carries the same numbers.
    page.contains(r#"<span class="marker"><span class="visually-hidden">Chart marker </span>1</span> <a class="card-title" href="../../cycles/form-1/">"#)
        .contains(r#"<span class="marker"><span class="visually-hidden">Chart marker </span>2</span> <a class="card-title" href="../../cycles/form-2/">"#);

    // Notes from the CSV are lettered in date order, on the chart and under it.
    svg.in_order(&[
        "<title>19 Jan 2026: Ward closed</title>",
        r#"class="note-letter""#,
        ">A</text>",
        "<title>2 Mar 2026: New form</title>",
        ">B</text>",
    ]);
    page.contains(r#"<ol class="chart-notes"><li><span class="note-key">A</span> 19 Jan 2026: Ward closed</li><li><span class="note-key">B</span> 2 Mar 2026: New form</li></ol>"#);

    // The reading, the icons, and the tables of phases and points.
    page.contains("<p>The chart is in 2 phases; the current one began 2 Mar 2026 with a mean of 90%.</p>")
        .contains("<p>The limits are trial limits: they rest on fewer than 13 points, so read signals with care.</p>")
        .contains("<p>Will hit and miss the target: the target of 80% lies between the limits, so the process will sometimes meet it and sometimes not.</p>")
        .contains(r#"aria-label="Common cause variation""#)
        .contains(r#"aria-label="Will hit and miss the target""#);
    page.section(r#"<section class="phases""#, "</section>")
        .contains(r#"<tr><th scope="row">1 <span class="quiet">(trial limits)</span></th><td>5 Jan 2026 – 23 Feb 2026</td><td>50%</td><td>16.5% to 83.5%</td><td>3 (6)</td><td>3 (1)</td><td>Random</td></tr>"#)
        .contains(r#"<tr><th scope="row">2 <span class="quiet">(trial limits)</span></th><td>2 Mar 2026 – 23 Mar 2026</td><td>90%</td><td>61.5% to 100%</td><td>1 (4)</td><td>1 (0)</td><td>Random</td></tr>"#);
    let rows = page.section(r#"<section class="data""#, "</section>");
    rows.section(r#"<time datetime="2026-01-05">"#, "</tr>")
        .contains(
            "<td>6</td><td>10</td><td>60%</td><td>50%</td><td>2.57%</td><td>97.4%</td><td></td>",
        );
    rows.section(r#"<time datetime="2026-01-19">"#, "</tr>")
        .contains("<td>0%</td><td>50%</td><td>2.57%</td><td>97.4%</td><td>Excluded. outside the limits</td>")
        .contains(r#"<span class="note-key">A</span> Ward closed"#);
    rows.section(r#"<time datetime="2026-02-23">"#, "</tr>")
        .contains("<td>50%</td><td>50%</td><td>16.5%</td><td>83.5%</td>");
    page.contains(r#"<a href="../../measures/screened/data.json">"#);
}

/// Twelve weeks alternating 8 and 12, then nine alternating 7 and 9: the mean of all 21
/// is 191/21 ≈ 9.1, so the last nine are a run below it; the moving ranges (4, then 2)
/// keep every point inside the limits and short of the 2-sigma lines.
fn shifted_values() -> Vec<f64> {
    let mut values: Vec<f64> = (0..12)
        .map(|i| if i % 2 == 0 { 8.0 } else { 12.0 })
        .collect();
    values.extend((0..9).map(|i| if i % 2 == 0 { 7.0 } else { 9.0 }));
    values
}

fn shift_site(chart: &str, improvement: &str) -> Site {
    let md = format!(
        "---\ntitle: Minutes to assessment\nunit: minutes\nchart: {chart}\nimprovement: {improvement}\nrules: mdc\n---\n"
    );
    let csv = weekly_csv(&shifted_values());
    Site::from_files(&[
        ("measures/minutes.md", md.as_str()),
        ("measures/minutes.csv", csv.as_str()),
        // Adapted and ended: not the change behind the shift.
        ("cycles/pilot.md", "---\ntitle: Pilot on one bay\nstatus: done\nstarted: 2026-01-12\nended: 2026-01-18\ndecision: adapt\nmeasures: [minutes]\n---\n"),
        // Adopted before the shift began on 30 March.
        ("cycles/rollout.md", "---\ntitle: Falls huddle\nstatus: done\nstarted: 2026-03-23\nended: 2026-03-29\ndecision: adopt\nmeasures: [minutes]\n---\n"),
        // Started after the shift began: it cannot explain it.
        ("cycles/later.md", "---\ntitle: Later idea\nstatus: doing\nstarted: 2026-04-13\nmeasures: [minutes]\n---\n"),
    ])
}

#[test]
fn a_shift_is_read_in_plain_words_drawn_as_diamonds_and_dashes_the_centre() {
    let built = shift_site("i", "decrease").build();
    let data = data_json(&built, "minutes");
    let points = data["points"].as_array().unwrap();
    assert_eq!(points.len(), 21);
    assert_eq!(points[12]["x"], "2026-03-30");
    for (i, p) in points.iter().enumerate() {
        assert_close(&p["centre"], 191.0 / 21.0, "mean of all 21");
        if i < 12 {
            assert_eq!(p["signals"], json!([]), "point {i}");
        } else {
            assert_eq!(p["signals"], json!(["shift"]), "point {i}");
            assert_eq!(p["variation"], "improvement", "point {i}");
        }
    }
    assert_eq!(data["variation"], "improvement");
    assert_eq!(data["phases"][0]["runs_signal"], true);
    assert_eq!(data["phases"][0]["longest_run"], 9);

    let page = built.page("measures/minutes/index.html");
    page.contains(
        "<p>Special cause improvement: 9 points in a row below the mean line since 30 Mar 2026, after cycle “Falls huddle” was adopted.</p>",
    );
    let svg = main_svg(&page, "minutes");
    svg.contains(
        "Special cause improvement: 9 points in a row below the mean line since 30 Mar 2026",
    );
    assert_eq!(shapes(&svg), [12, 9, 0, 0, 0]);
    assert_eq!(shapes(&svg), shapes_from_json(&data));
    // The runs signal dashes the centre line: one dashed path, no solid one.
    assert_eq!(svg.count(r#"<path class="centre runs-signal""#), 1);
    assert_eq!(svg.count(r#"<path class="centre" "#), 0);
    page.contains("dashed where the runs show a signal");
    // 21 points: the limits are not trial limits.
    svg.lacks("rial limits");
    page.lacks("(trial limits)");
    // Markers for all three cycles, numbered in start order.
    svg.in_order(&[
        r#"<a href="../../cycles/pilot/"><title>1: Pilot on one bay"#,
        r#"<a href="../../cycles/rollout/"><title>2: Falls huddle"#,
        r#"<a href="../../cycles/later/"><title>3: Later idea"#,
    ]);
    // Higher would be better: the same run is a concern, drawn as squares.
    let worse = shift_site("i", "increase").build();
    let data = data_json(&worse, "minutes");
    let page = worse.page("measures/minutes/index.html");
    page.contains("<p>Special cause concern: 9 points in a row below the mean line since 30 Mar 2026, after cycle “Falls huddle” was adopted.</p>");
    let svg = main_svg(&page, "minutes");
    assert_eq!(shapes(&svg), [12, 0, 9, 0, 0]);
    assert_eq!(shapes(&svg), shapes_from_json(&data));
}

#[test]
fn the_reading_follows_a_run_across_an_excluded_week_and_a_gap() {
    // The run of `shifted_values` from 30 March, with 20 April excluded and 11 May
    // missing: neither breaks the run (the stats skip both), so the reading should date
    // the run from 30 March, as data.json's signals do.
    let mut csv = String::from("date,value\n");
    for (date, v) in weeks(21).iter().zip(shifted_values()) {
        let cell = if date == "2026-05-11" {
            "NA".to_string()
        } else {
            v.to_string()
        };
        csv.push_str(&format!("{date},{cell}\n"));
    }
    let built = Site::from_files(&[
        ("measures/minutes.md", "---\ntitle: Minutes\nchart: i\nimprovement: decrease\nrules: mdc\nexclude: [2026-04-20]\n---\n"),
        ("measures/minutes.csv", csv.as_str()),
    ])
    .build();
    let data = data_json(&built, "minutes");
    let shift: Vec<&str> = data["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["signals"] == json!(["shift"]))
        .map(|p| p["x"].as_str().unwrap())
        .collect();
    // Nine weeks from 30 March, less the excluded week and the missing one.
    assert_eq!(
        shift,
        [
            "2026-03-30",
            "2026-04-06",
            "2026-04-13",
            "2026-04-27",
            "2026-05-04",
            "2026-05-18",
            "2026-05-25"
        ]
    );
    let reading = built
        .page("measures/minutes/index.html")
        .section(r#"<div class="reading">"#, "</p>");
    reading
        .contains("<p>Special cause improvement: ")
        .contains(" points in a row below the mean line since 30 Mar 2026")
        .lacks("since 18 May 2026")
        .lacks(">Special cause improvement: 2 points");
}

#[test]
fn an_xmr_measure_shows_the_moving_range_chart_under_the_individuals() {
    let built = shift_site("xmr", "decrease").build();
    let page = built.page("measures/minutes/index.html");
    assert_eq!(page.count(r#"<svg class="chart""#), 2);
    page.in_order(&[
        r#"aria-labelledby="chart-minutes-title chart-minutes-desc""#,
        r#"<title id="chart-minutes-title">Minutes to assessment</title>"#,
        r#"aria-labelledby="chart-minutes-mr-title chart-minutes-mr-desc""#,
        r#"<title id="chart-minutes-mr-title">Minutes to assessment: moving range</title>"#,
        r#"<desc id="chart-minutes-mr-desc">The moving range"#,
    ]);
    let mr = page.section(r#"aria-labelledby="chart-minutes-mr-title"#, "</svg>");
    // 20 moving ranges (the first week has none), with limits and their own mean.
    assert_eq!(mr.count(r#"class="pt "#), 20);
    assert_eq!(mr.count(r#"<path class="limit""#), 2);
    mr.contains(">Mean moving range ");
    // data.json is the individuals chart.
    let data = data_json(&built, "minutes");
    assert_eq!(data["chart"], "xmr");
    assert_close(&data["points"][0]["value"], 8.0, "first value");
}

#[test]
fn a_run_chart_has_a_median_and_no_limits() {
    let built = Site::from_files(&[
        ("measures/calls.md", "---\ntitle: Calls\nchart: run\n---\n"),
        (
            "measures/calls.csv",
            weekly_csv(&[3.0, 9.0, 4.0, 7.0, 5.0]).as_str(),
        ),
    ])
    .build();
    let data = data_json(&built, "calls");
    for p in data["points"].as_array().unwrap() {
        assert_close(&p["centre"], 5.0, "median of 3 9 4 7 5");
        for key in ["lower", "upper", "lower_2sigma", "upper_2sigma"] {
            assert_eq!(p[key], Value::Null, "{key} at {}", p["x"]);
        }
    }
    assert_eq!(data["phases"][0]["trial_limits"], false);
    let page = built.page("measures/calls/index.html");
    let svg = main_svg(&page, "calls");
    svg.lacks(r#"class="limit"#)
        .lacks("Upper limit")
        .lacks("rial limits")
        .contains(">Median 5</text>");
    assert_eq!(svg.count(r#"<path class="centre""#), 1);
    assert_eq!(shapes(&svg), [5, 0, 0, 0, 0]);
    page.lacks("Lower limit</th>").lacks("Limits (latest)");
}

// ---------------------------------------------------------------------------------------
// Chart blocks in note and cycle bodies

const WINDOWED_NOTE: &str = "---\ntitle: What the form did\n---\n\nBefore and after the form:\n\n```chart\nmeasure: screened\nfrom: 2026-02-02\nto: 2026-03-09\n```\n\nAnd all of it:\n\n```chart\nmeasure: screened\n```\n\nA window with no data:\n\n```chart\nmeasure: screened\nfrom: 2027-01-01\n```\n";

#[test]
fn chart_blocks_embed_the_window_of_a_measure_with_unique_ids() {
    let site = screened_site(&[("notes/form.md", WINDOWED_NOTE)]);
    // The block whose window holds no data is warned about at its fence.
    let warnings = site.check_ok();
    let got: Vec<_> = warnings.iter().map(place).collect();
    assert_eq!(got, [("W0204", "notes/form.md".to_string(), 21, 1)]);
    let built = site.build();
    let page = built.page("notes/form/index.html");
    assert_eq!(
        page.count(r#"<figure class="chart-embed"><svg class="chart""#),
        2
    );

    let first = page.section(r#"<figure class="chart-embed">"#, "</figure>");
    first
        .contains(r#"aria-labelledby="embed-screened-1-title embed-screened-1-desc""#)
        .contains(r#"<desc id="embed-screened-1-desc">Screened on arrival from 2 Feb 2026 to 9 Mar 2026</desc>"#)
        .contains(r#"<figcaption><a href="../../measures/screened/">Screened on arrival</a></figcaption>"#)
        // The window crosses the rebase and the first cycle's start.
        .contains(">Phase 2 · trial limits</text>")
        .contains(r#"<a href="../../cycles/form-1/">"#)
        .lacks("19 Jan 2026")
        .lacks("23 Mar 2026");
    // 2 Feb to 9 Mar: six weeks.
    assert_eq!(first.count(r#"class="pt "#), 6);

    let second = page.section(r#"aria-labelledby="embed-screened-2-title"#, "</figure>");
    second.contains(r#"<title id="embed-screened-2-title">Screened on arrival</title>"#);
    assert_eq!(second.count(r#"class="pt "#), 12);
    assert_eq!(shapes(&second), [11, 0, 0, 0, 1]);
    page.lacks("embed-screened-3");

    // A window outside the data stays readable as the code it is.
    page.contains("<code class=\"language-chart\">measure: screened\nfrom: 2027-01-01\n</code>");

    // The note is a backlink of the measure.
    built
        .page("measures/screened/index.html")
        .section(r#"<section class="backlinks""#, "</section>")
        .contains(r#"<a class="card-title" href="../../notes/form/">What the form did</a>"#);
    let backlinks = built.item("screened")["backlinks"].clone();
    assert!(
        backlinks.as_array().unwrap().contains(&json!("form")),
        "{backlinks}"
    );
    assert!(built.item("form")["links"]
        .as_array()
        .unwrap()
        .contains(&json!("screened")));
}

#[test]
fn chart_blocks_embed_in_cycle_bodies_too() {
    let cycle = "---\ntitle: Form test four\nstatus: doing\nstarted: 2026-03-16\n---\n\n## Study\n\n```chart\nmeasure: screened\nfrom: 2026-03-01\n```\n";
    let built = screened_site(&[("cycles/form-4.md", cycle)]).build();
    let page = built.page("cycles/form-4/index.html");
    let figure = page.section(r#"<figure class="chart-embed">"#, "</figure>");
    figure.contains(r#"id="embed-screened-1-title""#);
    assert_eq!(figure.count(r#"class="pt "#), 4);
    // Embedding is a link, not a `measures:` entry: no marker for this cycle.
    figure.lacks("form-4");
    built
        .page("measures/screened/index.html")
        .section(r#"<section class="backlinks""#, "</section>")
        .contains(r#"href="../../cycles/form-4/""#);
}

#[test]
fn a_chart_block_naming_an_unknown_measure_is_an_error_at_its_fence() {
    let note = "---\ntitle: Typo\n---\n\nText.\n\n```chart\nmeasure: screend\n```\n";
    let site = screened_site(&[("notes/typo.md", note)]);
    let d = site.only_error();
    assert_eq!(place(&d), ("E0202", "notes/typo.md".to_string(), 7, 1));
    assert_eq!(d.message, "chart block names unknown measure `screend`");
    assert_eq!(d.hint.as_deref(), Some("did you mean `measure: screened`?"));
    assert_eq!(places(&build_fails(&site)), [place(&d)]);
}

#[test]
fn a_chart_block_with_an_unknown_key_is_an_error_with_a_suggestion() {
    let note = "---\ntitle: Typo\n---\n\n- a list first\n\n```chart\nmeasur: screened\nfrom: 2026-02-02\n```\n";
    let site = screened_site(&[("notes/typo.md", note)]);
    let d = site.only_error();
    assert!(d.is_error());
    assert_eq!(place(&d), ("E0202", "notes/typo.md".to_string(), 7, 1));
    assert_eq!(d.message, "unknown key `measur` in a chart block");
    assert_eq!(d.hint.as_deref(), Some("did you mean `measure`?"));
}

// ---------------------------------------------------------------------------------------
// Small multiples on /measures/

#[test]
fn small_multiples_put_concerns_first_and_improvements_after_common_cause() {
    let shifted = weekly_csv(&shifted_values());
    // Common cause around 20 with limits far above the target of 5, lower being better.
    let steady = weekly_csv(&[
        20.0, 22.0, 19.0, 21.0, 20.0, 23.0, 18.0, 21.0, 20.0, 22.0, 19.0, 21.0, 20.0,
    ]);
    let site = Site::from_files(&[
        // Titles sort the other way round from the order of attention.
        ("measures/alpha.md", "---\ntitle: Alpha improving\nchart: i\nimprovement: decrease\nrules: mdc\n---\n"),
        ("measures/alpha.csv", shifted.as_str()),
        ("measures/beta.md", "---\ntitle: Beta steady\nchart: i\nimprovement: increase\ntarget: 5\nrules: mdc\n---\n"),
        ("measures/beta.csv", steady.as_str()),
        ("measures/gamma.md", "---\ntitle: Gamma worsening\nchart: i\nimprovement: increase\nrules: mdc\n---\n"),
        ("measures/gamma.csv", shifted.as_str()),
        ("measures/delta.csv", "date,value\n"),
    ]);
    let built = site.build();
    assert_eq!(
        places(&built.warnings),
        [("W0301", "measures/delta.csv".to_string(), 1, 1)]
    );
    let page = built.page("measures/index.html");
    let tiles = page.section(r#"<ul class="cards tiles""#, "</ul>");
    assert_eq!(
        tiles.count(r#"<li class="card card-measure measure-tile"#),
        4
    );
    tiles.in_order(&[
        r#"href="../measures/gamma/""#,
        r#"href="../measures/beta/""#,
        r#"href="../measures/alpha/""#,
        r#"href="../measures/delta/""#,
    ]);
    let tile = |id: &str| {
        tiles.section(
            &format!(r#"<a class="card-title" href="../measures/{id}/""#),
            "</li>",
        )
    };
    // The last of the run below the mean, where higher is better: a concern, low.
    let gamma = tile("gamma");
    gamma
        .contains(r#"<svg class="sparkline""#)
        .contains(r#"<rect class="pt concern""#)
        .contains(r#"<svg class="icon variation-icon concern" viewBox="0 0 36 36" role="img" aria-label="Special cause concern""#)
        .contains(r#"<text x="18" y="23.5" text-anchor="middle">L</text>"#)
        .contains("<strong>7</strong>")
        .contains("25 May 2026")
        .lacks("assurance-icon");
    let beta = tile("beta");
    beta.contains(r#"<svg class="sparkline""#)
        .contains(r#"<circle class="pt common""#)
        .contains(r#"aria-label="Common cause variation""#)
        .contains(r#"<svg class="icon assurance-icon pass" viewBox="0 0 36 36" role="img" aria-label="Will consistently meet the target""#)
        .contains("<strong>20</strong>")
        .contains("Common cause variation · Will consistently meet the target");
    let alpha = tile("alpha");
    alpha
        .contains(r#"<svg class="sparkline""#)
        .contains(r#"<path class="pt improvement""#)
        .contains(r#"aria-label="Special cause improvement""#)
        .contains("<strong>7</strong>")
        .lacks("assurance-icon");
    let delta = tile("delta");
    delta.contains("No data yet").lacks("variation-icon");
    // Each sparkline draws one line and one end point.
    for t in [&gamma, &beta, &alpha] {
        let spark = t.section(r#"<svg class="sparkline""#, "</svg>");
        assert_eq!(spark.count(r#"class="pt "#), 1, "{}", spark.html);
        assert_eq!(spark.count("<path d="), 1, "{}", spark.html);
    }
    // data.json agrees with the icons.
    assert_eq!(data_json(&built, "gamma")["variation"], "concern");
    assert_eq!(data_json(&built, "beta")["assurance"], "consistent_pass");
    assert_eq!(data_json(&built, "alpha")["variation"], "improvement");
}

// ---------------------------------------------------------------------------------------
// The example site

#[test]
fn example_site_charts_show_every_signal_phases_and_cycles() {
    let built = Site::example().build();
    let ids: Vec<String> = built
        .tree()
        .into_keys()
        .filter_map(|p| {
            p.strip_prefix("measures/")?
                .strip_suffix("/data.json")
                .map(str::to_string)
        })
        .collect();
    let measures: Vec<String> = built.site_json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "measure")
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, measures, "every measure has its data.json");

    let mut signals = BTreeSet::new();
    let mut phased = Vec::new();
    let mut annotated = 0;
    for id in &ids {
        let data = data_json(&built, id);
        assert_eq!(data["id"], id.as_str());
        for p in data["points"].as_array().unwrap() {
            for s in p["signals"].as_array().unwrap() {
                signals.insert(s.as_str().unwrap().to_string());
            }
        }
        if data["phases"].as_array().unwrap().len() > 1 {
            phased.push(id.clone());
        }
        for a in data["annotations"].as_array().unwrap() {
            annotated += 1;
            // The cycle names this measure and its page exists.
            let cycle = built.item(a["cycle"].as_str().unwrap());
            assert_eq!(a["url"], cycle["url"]);
            assert!(
                cycle["front_matter"]["measures"]
                    .as_array()
                    .is_some_and(|m| m.contains(&json!(id))),
                "{} does not name {id}",
                a["cycle"]
            );
            assert_eq!(a["x"], cycle["front_matter"]["started"]);
        }
        // The page draws each point in the shape of its variation.
        let page = built.page(&format!("measures/{id}/index.html"));
        assert_eq!(
            shapes(&main_svg(&page, id)),
            shapes_from_json(&data),
            "shapes on measures/{id}/"
        );
    }
    let wanted: BTreeSet<String> = ["outside_limits", "shift", "trend", "two_of_three"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(signals.is_superset(&wanted), "signals seen: {signals:?}");
    assert!(
        !phased.is_empty(),
        "no measure of the example site has a rebase"
    );
    assert!(annotated > 0, "no cycle is marked on any chart");

    // A lesson embeds the falls rate from June 2025 to March 2026: the points drawn are
    // those of data.json in that window.
    let lesson = built.page("notes/lesson-two-changes-one-chart/index.html");
    let figure = lesson.section(r#"<figure class="chart-embed">"#, "</figure>");
    figure
        .contains(r#"aria-labelledby="embed-falls-rate-1-title embed-falls-rate-1-desc""#)
        .contains(r#"<figcaption><a href="../../measures/falls-rate/">"#);
    let in_window = data_json(&built, "falls-rate")["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            let x = p["x"].as_str().unwrap();
            ("2025-06-02"..="2026-03-30").contains(&x) && !p["value"].is_null()
        })
        .count();
    assert!(in_window > 0);
    assert_eq!(figure.count(r#"class="pt "#), in_window);
    assert!(built.item("falls-rate")["backlinks"]
        .as_array()
        .unwrap()
        .contains(&json!("lesson-two-changes-one-chart")));
}

#[test]
fn a_run_below_then_a_run_above_the_line_is_read_as_the_latest_run_only() {
    // Ten weeks below the mean, then ten above: two shifts, and the reading tells of
    // the one the latest point belongs to (from its own first week), not of twenty.
    let values: Vec<f64> = [5.0; 10].into_iter().chain([9.0; 10]).collect();
    let md = "---\ntitle: Minutes to assessment\nunit: minutes\nchart: run\nimprovement: increase\nrules: mdc\n---\n";
    let built = Site::from_files(&[
        ("measures/minutes.md", md),
        ("measures/minutes.csv", weekly_csv(&values).as_str()),
    ])
    .build();
    let data = data_json(&built, "minutes");
    let points = data["points"].as_array().unwrap();
    assert_eq!(points[0]["signals"], json!(["shift"]));
    assert_eq!(points[19]["signals"], json!(["shift"]));
    let page = built.page("measures/minutes/index.html");
    let eleventh = points[10]["x"].as_str().unwrap();
    let since = cyclebook::date::Date::parse_iso(eleventh)
        .unwrap()
        .display();
    page.contains(&format!(
        "Special cause improvement: 10 points in a row above the median line since {since}"
    ));
    page.lacks("20 points in a row");
}

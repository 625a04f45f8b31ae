//! Inputs found by the fuzz targets in `fuzz/` (see fuzz/README.md), each replayed on the
//! same public API the target calls, asserting the behaviour the target expects.

use cyclebook::content::items::{ChartType, Columns};
use cyclebook::content::measure_data::{parse_csv, MeasureData};
use cyclebook::content::source::SourceFile;
use cyclebook::diagnostics::Diagnostic;
use cyclebook::render::markdown::{render_with_charts, LinkTarget, Resolved};
use std::path::{Path, PathBuf};

/// The `measure_csv` target: the first byte picks the chart (index into
/// `ChartType::WORDS`), the rest is the CSV.
fn measure_csv(input: &[u8]) -> (ChartType, Option<MeasureData>, Vec<Diagnostic>) {
    let (&first, rest) = input.split_first().expect("a chart byte");
    let words = ChartType::WORDS;
    let chart = ChartType::from_word(words[first as usize % words.len()]).unwrap();
    let file = SourceFile::new(
        PathBuf::from("measures/fuzz.csv"),
        String::from_utf8_lossy(rest).into_owned(),
    );
    let (data, diagnostics) = parse_csv(&file, &Columns::default(), chart);
    (chart, data, diagnostics)
}

/// Lines of the CSV that have a point or a diagnostic.
fn accounted_lines(data: &Option<MeasureData>, diagnostics: &[Diagnostic]) -> Vec<usize> {
    let mut lines: Vec<usize> = data
        .iter()
        .flat_map(|d| d.points.iter().map(|p| p.line))
        .chain(diagnostics.iter().map(|d| d.line))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// measure_csv, minimized: `\x04Date,Value\n\n0` (xbar chart). The row `0` comes after
/// a blank line. The csv crate positions a record where the previous one ended, here on
/// the blank line 2; `parse_csv` took that line, found it empty and skipped the row: no
/// point, no diagnostic.
#[test]
fn csv_row_after_a_blank_line_is_not_dropped_minimized() {
    let (chart, data, diagnostics) = measure_csv(b"\x04Date,Value\n\n0");
    assert_eq!(chart, ChartType::Xbar);
    // One field where the header has two: the row is reported (E0303) on line 3.
    assert!(
        diagnostics.iter().any(|d| d.code == "E0303" && d.line == 3),
        "the row `0` on line 3 gave no diagnostic: {diagnostics:#?}"
    );
    assert!(data.is_some_and(|d| d.points.is_empty()));
}

/// The same bug on an ordinary file: a blank line between two weeks of a run chart
/// silently loses the second week, and later diagnostics point one line too high.
#[test]
fn csv_blank_line_between_rows_keeps_every_row_on_its_line() {
    let csv = "date,value\n2026-01-05,4\n\n2026-01-12,7\n2026-01-19,oops\n";
    let file = SourceFile::new(PathBuf::from("measures/m.csv"), csv.to_string());
    let (data, diagnostics) = parse_csv(&file, &Columns::default(), ChartType::Run);
    let data = data.expect("data");
    let points: Vec<(String, Option<f64>, usize)> = data
        .points
        .iter()
        .map(|p| (p.period.clone(), p.value, p.line))
        .collect();
    assert_eq!(
        points,
        vec![
            ("2026-01-05".to_string(), Some(4.0), 2),
            ("2026-01-12".to_string(), Some(7.0), 4),
        ],
        "diagnostics: {diagnostics:#?}"
    );
    let bad: Vec<(&str, usize, usize)> = diagnostics
        .iter()
        .map(|d| (d.code, d.line, d.column))
        .collect();
    assert_eq!(bad, vec![("E0305", 5, 12)]);
}

/// The same check on CRLF line ends (Excel on Windows writes them): the csv crate's
/// positions point at the `\n` of the line before, and every row was reported one line
/// up, its diagnostics quoting the line above.
#[test]
fn csv_rows_with_crlf_line_ends_are_on_their_own_lines() {
    let csv = "date,value\r\n2026-01-05,4\r\n2026-01-12,x\r\n\r\n2026-01-19,8\r\n";
    let file = SourceFile::new(PathBuf::from("measures/m.csv"), csv.to_string());
    let (data, diagnostics) = parse_csv(&file, &Columns::default(), ChartType::Run);
    let points: Vec<(String, usize)> = data
        .expect("data")
        .points
        .iter()
        .map(|p| (p.period.clone(), p.line))
        .collect();
    assert_eq!(
        points,
        vec![("2026-01-05".to_string(), 2), ("2026-01-19".to_string(), 5)]
    );
    let bad: Vec<(&str, usize, usize)> = diagnostics
        .iter()
        .map(|d| (d.code, d.line, d.column))
        .collect();
    assert_eq!(bad, vec![("E0305", 3, 12)]);
    let shown = diagnostics[0].render_human();
    assert!(shown.contains("3 | 2026-01-12,x"), "{shown}");
}

/// measure_csv, minimized: `\x04Date,Value,\r2022-09,,` (xbar chart). A lone `\r` (the
/// line end of "CSV (Macintosh)" exports, or a stray one) ends a record for the csv
/// crate but not a line for `str::lines`, so the row after it is put on line 1, the
/// header's line, and its diagnostics quote and underline the header.
#[test]
fn csv_rows_after_a_lone_cr_are_not_on_the_header_line_minimized() {
    let (chart, data, _) = measure_csv(b"\x04Date,Value,\r2022-09,,");
    assert_eq!(chart, ChartType::Xbar);
    let lines: Vec<usize> = data.expect("data").points.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![2]);
}

/// The same on a whole CR-only file: the bad cell is reported on its own line, under
/// the cell, not at line 1 under the header's `value`.
#[test]
fn csv_with_cr_line_ends_points_at_the_bad_cell() {
    let csv = "date,value\r2026-01-05,4\r2026-01-12,x\r";
    let file = SourceFile::new(PathBuf::from("measures/m.csv"), csv.to_string());
    let (_, diagnostics) = parse_csv(&file, &Columns::default(), ChartType::Run);
    let bad: Vec<(&str, usize, usize)> = diagnostics
        .iter()
        .map(|d| (d.code, d.line, d.column))
        .collect();
    assert_eq!(bad, vec![("E0305", 3, 12)]);
}

/// Rows with text in them are all accounted for when there is no blank line (the
/// fuzz target's invariant, on the seed that first showed the bug, minus its blank line).
#[test]
fn csv_rows_without_blank_lines_are_all_accounted_for() {
    let input: &[u8] = b"\x04Date,Value,note\n2026-01,3,\"a, b\"\n2026-01,4,\n2026-W03,NA,\n\
2026-02-30,1,\n2026-03,12%,x\n2026-04,1,234\n\"2026-05\n\",5,\n2026-06,-1,\r\n2026-07,inf,\n";
    let (_, data, diagnostics) = measure_csv(input);
    let lines = accounted_lines(&data, &diagnostics);
    for line in 2..=11 {
        if line == 9 {
            continue; // inside the quoted `"2026-05\n"` of the row on line 8
        }
        assert!(
            lines.contains(&line),
            "line {line} has no point and no diagnostic: {diagnostics:#?}"
        );
    }
}

fn resolve(target: &LinkTarget) -> Option<Resolved> {
    match target {
        LinkTarget::Wiki { id, .. } if id.len() % 2 == 0 => Some(Resolved {
            href: format!("../../cycles/{id}/"),
            title: format!("Title of {id}"),
        }),
        _ => None,
    }
}

fn heading_ids(body: &str) -> Vec<String> {
    let rendered = render_with_charts(
        body,
        Path::new("notes/fuzz-note.md"),
        false,
        &resolve,
        &|_| None,
    );
    rendered.headings.into_iter().map(|h| h.id).collect()
}

fn assert_unique(ids: &[String]) {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        assert!(seen.insert(id), "heading id `{id}` used twice: {ids:?}");
    }
}

/// markdown, from fuzz/seeds/markdown/links-and-html.md: the second `Plan` is numbered `plan-1`, and
/// a heading with the explicit id `{#plan-1}` gets it too: two elements, one id, and
/// the table of contents links both to the first.
#[test]
fn heading_ids_stay_unique_with_an_explicit_id() {
    let ids = heading_ids("# Plan\n## Plan\n## Plan {#plan-1}\n");
    assert_eq!(ids[..2], ["plan", "plan-1"]);
    assert_unique(&ids);
}

/// The same collision without explicit ids: `Plan 1` slugs to `plan-1`, which the
/// second `Plan` already took.
#[test]
fn heading_ids_stay_unique_with_a_numbered_title() {
    let ids = heading_ids("# Plan\n# Plan\n# Plan 1\n");
    assert_eq!(ids[..2], ["plan", "plan-1"]);
    assert_unique(&ids);
}

/// What already works: repeated titles and repeated explicit ids are numbered apart.
#[test]
fn repeated_heading_titles_and_ids_are_numbered() {
    let ids = heading_ids("# Do\n# Do\n## Study {#s}\n## Act {#s}\n# !!!\n# ???\n");
    assert_eq!(ids, ["do", "do-1", "s", "s-1", "section", "section-1"]);
}

/// markdown, minimized (false alarm of an early version of the target, kept as a check):
/// `<a href="jAvAsCrIpT\x19:">`. The control character stays in the sanitized href, where
/// it makes the scheme invalid, so a browser reads a relative URL. The shapes a browser
/// does read as `javascript:` are removed.
#[test]
fn script_urls_in_raw_html_are_removed_in_every_spelling() {
    let render = |body: &str| {
        render_with_charts(
            body,
            Path::new("notes/fuzz-note.md"),
            false,
            &resolve,
            &|_| None,
        )
        .html
    };
    let kept = render("<a href=\"jAvAsCrIpT\u{19}:\">x</a>");
    assert!(kept.contains("jAvAsCrIpT\u{19}:"), "{kept:?}");
    for body in [
        "<a href=\"jAvAsCrIpT:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\" \u{1}javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](<java script:alert(1)>)",
        "<img src=\"javascript:alert(1)\">",
    ] {
        let html = render(body).to_ascii_lowercase();
        let squeezed: String = html
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        assert!(
            !squeezed.contains("javascript:") && !squeezed.contains("&#x6a;avascript"),
            "{body:?} gave {html:?}"
        );
    }
}

//! A measure's CSV: one row per period with a value, an optional denominator and an
//! optional note. Each bad row is reported with its line and column.

use super::items::{ChartType, Columns};
use super::source::SourceFile;
use crate::date::{Date, Granularity};
use crate::diagnostics::{Diagnostic, Pos};

#[derive(Debug, Clone)]
pub struct DataPoint {
    pub date: Date,
    /// The period as written in the CSV (`2026-03`, `2026-W10`, `2026-03-02`).
    pub period: String,
    pub granularity: Granularity,
    /// `None` for an empty or `NA` cell: a missing value, kept in place.
    pub value: Option<f64>,
    pub denominator: Option<f64>,
    pub note: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct MeasureData {
    /// In the order of the file; sorted by date where shown.
    pub points: Vec<DataPoint>,
    pub has_denominator: bool,
    /// The file as read, published beside the measure page.
    pub raw: String,
}

/// 1-based character columns where each field of a CSV line starts (quote-aware).
fn field_columns(line: &str) -> Vec<usize> {
    let mut starts = vec![1];
    let mut in_quotes = false;
    for (i, c) in line.chars().enumerate() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => starts.push(i + 2),
            _ => {}
        }
    }
    starts
}

fn parse_number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<f64>() {
        if n.is_finite() {
            return Ok(n);
        }
    }
    if t.ends_with('%') {
        return Err("write the number without a `%` sign; set `multiply: 100` on the measure to show percentages".into());
    }
    if t.contains(',') {
        return Err("write numbers without thousands separators (1234, not 1,234)".into());
    }
    Err("write a plain number such as 12 or 0.75; leave the cell empty (or write NA) for a missing value".into())
}

fn is_missing(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a")
}

pub fn parse_csv(
    file: &SourceFile,
    columns: &Columns,
    chart: ChartType,
) -> (Option<MeasureData>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let text = &file.text;
    let lines: Vec<&str> = text.lines().collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diagnostics.push(file.error(
                "E0301",
                format!("the CSV header could not be read: {e}"),
                Pos::new(1, 1, 1),
            ));
            return (None, diagnostics);
        }
    };
    let header_line = lines.first().copied().unwrap_or("");
    let header_pos = Pos::new(1, 1, header_line.chars().count().max(1));
    if headers.is_empty() || text.trim().is_empty() {
        diagnostics.push(
            file.error("E0302", "the CSV is empty", Pos::new(1, 1, 1))
                .hint(format!(
                    "start with a header line `{},{}` and one row per period",
                    columns.date, columns.value
                )),
        );
        return (None, diagnostics);
    }
    let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let date_col = find(&columns.date);
    let value_col = find(&columns.value);
    let denominator_col = find(&columns.denominator);
    let note_col = find(&columns.note);
    for (col, name) in [(date_col, &columns.date), (value_col, &columns.value)] {
        if col.is_none() {
            diagnostics.push(
                file.error("E0302", format!("the CSV has no `{name}` column"), header_pos)
                    .label("header line")
                    .hint(format!(
                        "name the columns `{},{},{}` in the first line, or map yours with `columns:` in the measure's front matter",
                        columns.date, columns.value, columns.denominator
                    )),
            );
        }
    }
    if chart.needs_denominator() && denominator_col.is_none() {
        diagnostics.push(
            file.error(
                "E0302",
                format!(
                    "a `{}` chart needs a `{}` column",
                    chart.as_str(),
                    columns.denominator
                ),
                header_pos,
            )
            .label("header line")
            .hint("add the denominator (e.g. patients eligible, or occupied bed days) to each row"),
        );
    }
    let (Some(date_col), Some(value_col)) = (date_col, value_col) else {
        return (None, diagnostics);
    };
    let mut points = Vec::new();
    let mut seen_periods: std::collections::HashMap<Date, usize> = std::collections::HashMap::new();
    let mut first_granularity: Option<(Granularity, usize)> = None;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                diagnostics.push(file.error(
                    "E0303",
                    format!("this CSV row could not be read: {e}"),
                    Pos::new(line, 1, 1),
                ));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| p.line() as usize);
        let line_text = lines.get(line - 1).copied().unwrap_or("");
        if line_text.trim().is_empty() {
            continue;
        }
        let starts = field_columns(line_text);
        let line_chars = line_text.chars().count();
        let widths: Vec<usize> = starts
            .iter()
            .enumerate()
            .map(|(i, start)| starts.get(i + 1).map_or(line_chars + 1, |next| next - 1) - start)
            .collect();
        let field_pos = |col: usize| {
            let start = starts.get(col).copied().unwrap_or(1);
            let width = widths.get(col).map_or(1, |w| (*w).max(1));
            Pos::new(line, start, width)
        };
        if record.len() != headers.len() {
            diagnostics.push(
                file.error(
                    "E0303",
                    format!(
                        "row has {} fields but the header has {}",
                        record.len(),
                        headers.len()
                    ),
                    Pos::new(line, 1, line_text.chars().count().max(1)),
                )
                .hint(
                    "each row needs one value per header column; quote text that contains commas",
                ),
            );
            continue;
        }
        let header_name = |col: usize| headers.get(col).unwrap_or("").to_string();
        let date_text = record.get(date_col).unwrap_or("");
        let (date, granularity) = match Date::parse_period(date_text) {
            Ok(d) => d,
            Err(message) => {
                diagnostics.push(
                    file.error("E0304", format!("bad date in column `{}`: {message}", header_name(date_col)), field_pos(date_col))
                        .label("expected YYYY-MM-DD, YYYY-MM or YYYY-Www")
                        .hint("write the period as an ISO date, month or week, e.g. 2026-03-02, 2026-03 or 2026-W10"),
                );
                continue;
            }
        };
        match first_granularity {
            None => first_granularity = Some((granularity, line)),
            Some((g, first_line)) if g != granularity => {
                diagnostics.push(
                    file.error("E0304", "periods mix formats in one measure", field_pos(date_col))
                        .label(format!("this row differs from line {first_line}"))
                        .hint("write every period the same way: all dates, all months (YYYY-MM) or all ISO weeks (YYYY-Www)"),
                );
            }
            _ => {}
        }
        let mut row_ok = true;
        let mut number = |col: usize, diagnostics: &mut Vec<Diagnostic>| -> Option<f64> {
            let cell = record.get(col).unwrap_or("");
            if is_missing(cell) {
                return None;
            }
            match parse_number(cell) {
                Ok(n) => Some(n),
                Err(hint) => {
                    diagnostics.push(
                        file.error(
                            "E0305",
                            format!("`{cell}` in column `{}` is not a number", header_name(col)),
                            field_pos(col),
                        )
                        .label("expected a number")
                        .hint(hint),
                    );
                    row_ok = false;
                    None
                }
            }
        };
        let value = number(value_col, &mut diagnostics);
        let denominator = denominator_col.and_then(|c| number(c, &mut diagnostics));
        let counts = matches!(
            chart,
            ChartType::C
                | ChartType::U
                | ChartType::Up
                | ChartType::P
                | ChartType::Pp
                | ChartType::G
                | ChartType::T
        );
        if counts && value.is_some_and(|v| v < 0.0) {
            diagnostics.push(
                file.error(
                    "E0306",
                    format!(
                        "a `{}` chart plots {}, which cannot be negative",
                        chart.as_str(),
                        match chart {
                            ChartType::T => "the time between events",
                            ChartType::G => "the number of cases between events",
                            _ => "counts of events",
                        }
                    ),
                    field_pos(value_col),
                )
                .label(if matches!(chart, ChartType::T | ChartType::G) {
                    "negative value"
                } else {
                    "negative count"
                }),
            );
            row_ok = false;
        }
        if let (Some(col), Some(d)) = (denominator_col, denominator) {
            if d < 0.0 {
                diagnostics.push(
                    file.error(
                        "E0306",
                        "the denominator cannot be negative",
                        field_pos(col),
                    )
                    .label("negative denominator"),
                );
                row_ok = false;
            }
        }
        if matches!(chart, ChartType::P | ChartType::Pp) {
            if let (Some(v), Some(d), Some(col)) = (value, denominator, denominator_col) {
                if v > d {
                    diagnostics.push(
                        file.error("E0306", format!("the numerator ({v}) is larger than the denominator ({d})"), field_pos(col))
                            .label("denominator smaller than numerator")
                            .hint("a proportion counts cases out of those eligible: the value column holds the cases, the denominator those eligible"),
                    );
                    row_ok = false;
                }
            }
        }
        if !row_ok {
            continue;
        }
        let note = note_col
            .and_then(|c| record.get(c))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if let (Some(col), Some(0.0)) = (denominator_col, denominator) {
            diagnostics.push(
                file.warning("W0302", "the denominator is 0, so this period has no value to plot", field_pos(col))
                    .label("zero denominator")
                    .hint("a period with nobody eligible is shown as a gap; leave the cells empty (or NA) if the data are missing rather than zero"),
            );
        }
        if !chart.allows_repeated_periods() {
            if let Some(first) = seen_periods.insert(date, line) {
                diagnostics.push(
                    file.error("E0307", format!("period {} appears twice; the chart type `{}` takes one value per period", date_text.trim(), chart.as_str()), field_pos(date_col))
                        .label(format!("already on line {first}"))
                        .hint("remove or correct one of the rows; only xbar and s charts (subgroups) and count charts (summed) take several rows per period"),
                );
                continue;
            }
        }
        points.push(DataPoint {
            date,
            period: date_text.trim().to_string(),
            granularity,
            value,
            denominator,
            note,
            line,
        });
    }
    if points.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            file.warning("W0301", "the measure has no data rows yet", header_pos)
                .label("only a header")
                .hint(format!(
                    "add one row per period under the header, e.g. `2026-03-02,{}`",
                    if denominator_col.is_some() {
                        "12,40"
                    } else {
                        "12"
                    }
                )),
        );
    }
    (
        Some(MeasureData {
            points,
            has_denominator: denominator_col.is_some(),
            raw: text.clone(),
        }),
        diagnostics,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse(text: &str, chart: ChartType) -> (Option<MeasureData>, Vec<Diagnostic>) {
        let file = SourceFile::new(PathBuf::from("measures/m.csv"), text.to_string());
        parse_csv(&file, &Columns::default(), chart)
    }

    #[test]
    fn reads_rows_with_missing_values_and_notes() {
        let (data, diags) = parse("date,value,denominator,note\n2026-01-05,3,40,\n2026-01-12,NA,38,\n2026-01-19,5,41,\"Ward closed, norovirus\"\n", ChartType::P);
        assert!(diags.is_empty(), "{diags:?}");
        let data = data.unwrap();
        assert_eq!(data.points.len(), 3);
        assert_eq!(data.points[1].value, None);
        assert_eq!(
            data.points[2].note.as_deref(),
            Some("Ward closed, norovirus")
        );
        assert_eq!(data.points[2].line, 4);
    }

    #[test]
    fn names_the_row_and_column_of_each_bad_cell() {
        let (_, diags) = parse("date,value,denominator\n2026-01-05,3,40\n2026-13-01,4,40\n2026-01-19,12%,40\n2026-01-26,50,40\n2026-02-02,1\n", ChartType::P);
        let got: Vec<_> = diags.iter().map(|d| (d.code, d.line, d.column)).collect();
        assert_eq!(
            got,
            [
                ("E0304", 3, 1),
                ("E0305", 4, 12),
                ("E0306", 5, 15),
                ("E0303", 6, 1)
            ]
        );
        assert!(diags[1].hint.as_deref().unwrap().contains("multiply: 100"));
    }

    #[test]
    fn rejects_repeated_periods_where_the_chart_takes_one_value() {
        let (data, diags) = parse("date,value\n2026-01-05,3\n2026-01-05,4\n", ChartType::I);
        assert_eq!(data.unwrap().points.len(), 1);
        assert_eq!(
            (diags[0].code, diags[0].line, diags[0].column),
            ("E0307", 3, 1)
        );
        assert_eq!(diags[0].label.as_deref(), Some("already on line 2"));
        let (data, diags) = parse(
            "date,value,denominator\n2026-01-05,3,10\n2026-01-05,4,12\n2026-01-12,0,0\n",
            ChartType::P,
        );
        assert_eq!(data.unwrap().points.len(), 3);
        assert_eq!(
            diags
                .iter()
                .map(|d| (d.code, d.line, d.column))
                .collect::<Vec<_>>(),
            [("W0302", 4, 14)]
        );
    }

    #[test]
    fn requires_the_columns_the_chart_needs() {
        let (_, diags) = parse("when,value\n2026-01-05,3\n", ChartType::U);
        let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the CSV has no `date` column",
                "a `u` chart needs a `denominator` column"
            ]
        );
    }
}

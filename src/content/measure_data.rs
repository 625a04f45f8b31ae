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

/// A cell as quoted in a message: long cells are cut, so that one runaway cell (a
/// whole file pasted into it) does not make a message megabytes long.
fn shown(cell: &str) -> String {
    const MAX: usize = 40;
    let cell = cell.trim();
    match cell.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &cell[..cut]),
        None => cell.to_string(),
    }
}

fn is_missing(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a")
}

/// How many rows a measure's CSV may have. Each row costs memory and time in every
/// chart, page and file that shows the measure (about 9 kB while building), so a
/// file of millions of short rows, though under the size limit, would exhaust memory.
pub const MAX_ROWS: usize = 100_000;

/// How many problems with one CSV's rows are reported; the rest are counted, so that a
/// file with the same mistake on every row gives a short, readable report.
pub const MAX_ROW_PROBLEMS: usize = 100;

/// The lines of a text, found one after another: rows are read in order, so finding
/// each row's line costs nothing like searching the file from its start every time.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset of the start of line `line`.
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line holding byte `byte`: its 1-based number, and its text without its line
    /// ending (like [`str::lines`]).
    fn at_byte(&mut self, byte: usize) -> (usize, &'a str) {
        // After a line ended by CRLF, the csv crate's offsets point at its `\n`.
        let bytes = self.text.as_bytes();
        let mut byte = byte.min(bytes.len());
        while matches!(bytes.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        while let Some(i) = self.text[self.offset..].find('\n') {
            if self.offset + i >= byte {
                break;
            }
            self.offset += i + 1;
            self.line += 1;
        }
        let rest = &self.text[self.offset..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        (self.line, line.strip_suffix('\r').unwrap_or(line))
    }
}

/// The problems found in rows, up to [`MAX_ROW_PROBLEMS`], and a count of the others.
#[derive(Default)]
struct Problems {
    shown: Vec<Diagnostic>,
    more: usize,
    /// The first error and the first warning not shown: (line, code).
    first_error: Option<(usize, &'static str)>,
    first_warning: Option<(usize, &'static str)>,
}

impl Problems {
    fn push(&mut self, d: Diagnostic) {
        if self.shown.len() < MAX_ROW_PROBLEMS {
            self.shown.push(d);
            return;
        }
        self.more += 1;
        let first = if d.is_error() {
            &mut self.first_error
        } else {
            &mut self.first_warning
        };
        first.get_or_insert((d.line, d.code));
    }

    /// The shown problems, then one that says how many more there are.
    fn finish(self, file: &SourceFile) -> Vec<Diagnostic> {
        let mut all = self.shown;
        let summary = match (self.first_error, self.first_warning) {
            (Some((line, code)), _) => Some((Diagnostic::error(code, ""), line)),
            (None, Some((line, code))) => Some((Diagnostic::warning(code, ""), line)),
            (None, None) => None,
        };
        if let Some((mut d, line)) = summary {
            d.message = format!(
                "{} more problems with rows of this CSV are not shown (the first on line {line})",
                self.more
            );
            d = d.in_file(&file.path).hint(
                "fix the problems shown (often one mistake repeated on every row, such as dates written 03/02/2026) and check again",
            );
            d.line = line;
            d.column = 1;
            all.push(d);
        }
        all
    }
}

/// The text with every `\r` that is not part of `\r\n` turned into `\n`, if it has any.
fn with_lone_cr_as_lf(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Some(out)
}

pub fn parse_csv(
    file: &SourceFile,
    columns: &Columns,
    chart: ChartType,
) -> (Option<MeasureData>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // "CSV (Macintosh)" exports end lines with a lone `\r`, which the csv crate splits
    // records on but line counting does not: read such a file with `\n` line ends.
    let normalized;
    let file = match with_lone_cr_as_lf(&file.text) {
        Some(text) => {
            normalized = SourceFile::new(file.path.clone(), text);
            &normalized
        }
        None => file,
    };
    let text = &file.text;
    let mut lines = Lines::new(text);
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
    let header_line = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
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
    let mut problems = Problems::default();
    for (row_number, record) in reader.records().enumerate() {
        if row_number == MAX_ROWS {
            // Counted without being read: how many more there are.
            let more = reader.records().count() + 1;
            diagnostics.push(
                Diagnostic::error(
                    "E0003",
                    format!(
                        "file is too large ({} rows, the limit is {MAX_ROWS})",
                        MAX_ROWS + more
                    ),
                )
                .in_file(&file.path)
                .hint("summarise the rows (one per day, week or month), or keep older rows in an archive outside the site"),
            );
            return (None, diagnostics);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let (line, _) = lines.at_byte(e.position().map_or(0, |p| p.byte() as usize));
                problems.push(file.error(
                    "E0303",
                    format!("this CSV row could not be read: {e}"),
                    Pos::new(line, 1, 1),
                ));
                continue;
            }
        };
        // The line from the byte offset: the csv crate's line numbers are one short
        // after a header ended by CRLF.
        let (line, line_text) = lines.at_byte(record.position().map_or(0, |p| p.byte() as usize));
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
            problems.push(
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
        // No period is written in more than a few characters.
        let period = if date_text.trim().chars().count() > 40 {
            Err(format!(
                "`{}` is not a date (YYYY-MM-DD), a month (YYYY-MM) or an ISO week (YYYY-Www)",
                shown(date_text)
            ))
        } else {
            Date::parse_period(date_text)
        };
        let (date, granularity) = match period {
            Ok(d) => d,
            Err(message) => {
                problems.push(
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
                problems.push(
                    file.error("E0304", "periods mix formats in one measure", field_pos(date_col))
                        .label(format!("this row differs from line {first_line}"))
                        .hint("write every period the same way: all dates, all months (YYYY-MM) or all ISO weeks (YYYY-Www)"),
                );
            }
            _ => {}
        }
        let mut row_ok = true;
        let mut number = |col: usize, problems: &mut Problems| -> Option<f64> {
            let cell = record.get(col).unwrap_or("");
            if is_missing(cell) {
                return None;
            }
            match parse_number(cell) {
                Ok(n) => Some(n),
                Err(hint) => {
                    problems.push(
                        file.error(
                            "E0305",
                            format!(
                                "`{}` in column `{}` is not a number",
                                shown(cell),
                                header_name(col)
                            ),
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
        let value = number(value_col, &mut problems);
        let denominator = denominator_col.and_then(|c| number(c, &mut problems));
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
            problems.push(
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
                problems.push(
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
                    problems.push(
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
            problems.push(
                file.warning("W0302", "the denominator is 0, so this period has no value to plot", field_pos(col))
                    .label("zero denominator")
                    .hint("a period with nobody eligible is shown as a gap; leave the cells empty (or NA) if the data are missing rather than zero"),
            );
        }
        if !chart.allows_repeated_periods() {
            if let Some(first) = seen_periods.insert(date, line) {
                problems.push(
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
    diagnostics.extend(problems.finish(file));
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
    fn places_rows_right_with_crlf_line_endings_and_quoted_line_breaks() {
        let text = "date,value,note\r\n2026-01-05,3,\"two\r\nlines\"\r\n\r\n2026-01-12,x,\r\n2026-01-19,y,\n";
        let (data, diags) = parse(text, ChartType::I);
        assert_eq!(data.unwrap().points[0].line, 2);
        let got: Vec<_> = diags.iter().map(|d| (d.code, d.line, d.column)).collect();
        assert_eq!(got, [("E0305", 5, 12), ("E0305", 6, 12)]);
        // The line shown is the row's own.
        assert!(
            diags[0].render_human().contains("5 | 2026-01-12,x,\n"),
            "{}",
            diags[0].render_human()
        );
    }

    #[test]
    fn reports_a_hundred_row_problems_then_how_many_more() {
        let mut text = String::from("date,value\n");
        for i in 0..250 {
            text.push_str(&format!(
                "2026-01-{:02},{}\n",
                i % 28 + 1,
                if i < 120 { "x" } else { "0" }
            ));
        }
        let (_, diags) = parse(&text, ChartType::C);
        assert_eq!(diags.len(), MAX_ROW_PROBLEMS + 1);
        let last = diags.last().unwrap();
        assert_eq!((last.code, last.line, last.column), ("E0305", 102, 1));
        assert_eq!(
            last.message,
            "20 more problems with rows of this CSV are not shown (the first on line 102)"
        );
        assert!(last.is_error());
        // Warnings alone are summed up as a warning.
        let mut text = String::from("date,value,denominator\n");
        for i in 0..150 {
            text.push_str(&format!("2026-{:02}-{:02},0,0\n", i / 28 + 1, i % 28 + 1));
        }
        let (_, diags) = parse(&text, ChartType::P);
        assert_eq!(diags.len(), MAX_ROW_PROBLEMS + 1);
        assert!(diags.iter().all(|d| !d.is_error() && d.code == "W0302"));
    }

    #[test]
    fn refuses_more_rows_than_the_limit() {
        let mut text = String::from("date,value\n");
        for i in 0..MAX_ROWS + 5 {
            text.push_str(&format!("{},1\n", 1000 + i));
        }
        let (data, diags) = parse(&text, ChartType::C);
        assert!(data.is_none());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            (diags[0].code, diags[0].message.as_str()),
            (
                "E0003",
                "file is too large (100005 rows, the limit is 100000)"
            )
        );
    }

    #[test]
    fn quotes_long_cells_shortened() {
        let long = "9".repeat(50) + "%";
        let (_, diags) = parse(&format!("date,value\n2026-01,{long}\n"), ChartType::I);
        assert_eq!(
            diags[0].message,
            format!("`{}…` in column `value` is not a number", "9".repeat(40))
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

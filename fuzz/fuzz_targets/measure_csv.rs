//! A measure's CSV under every chart type: the first byte picks the chart, the rest is
//! the file (lossy UTF-8). Diagnostics are rendered, as `check` would.
#![no_main]

use cyclebook::content::items::{ChartType, Columns};
use cyclebook::content::measure_data::parse_csv;
use cyclebook::content::source::SourceFile;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

/// The 1-based line where a record's text starts, counting `\n`, `\r\n` and a lone `\r`
/// as line ends (as the CSV reader does). The csv crate positions a record where the
/// previous one ended, so skip the line ends before it.
fn line_of_record(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let mut b = byte.min(bytes.len());
    while b < bytes.len() && matches!(bytes[b], b'\r' | b'\n') {
        b += 1;
    }
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    (0..b).filter(|&i| bytes[i] == b'\n' || lone_cr(i)).count() + 1
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let words = ChartType::WORDS;
    let chart = ChartType::from_word(words[first as usize % words.len()]).expect("a chart word");
    let file = SourceFile::new(
        PathBuf::from("measures/fuzz.csv"),
        String::from_utf8_lossy(rest).into_owned(),
    );
    let (data, diagnostics) = parse_csv(&file, &Columns::default(), chart);
    for d in &diagnostics {
        let _ = d.render_human();
    }
    if let Some(data) = &data {
        for p in &data.points {
            // Rows after a lone `\r` were once put on the header's line: see
            // tests/fuzz_regressions.rs.
            assert!(p.line >= 2, "a data row is on the header's line: {p:?}");
            if let Some(v) = p.value {
                assert!(v.is_finite(), "non-finite value kept: {p:?}");
            }
            if let Some(d) = p.denominator {
                assert!(d.is_finite(), "non-finite denominator kept: {p:?}");
            }
        }
    }
    // No row is dropped in silence: every record the CSV reader sees with any text in it
    // (same reader settings as parse_csv) gives a point or a diagnostic on the line where
    // its text starts, counting lines as diagnostics do (a row after
    // a blank line, or after a CRLF line end, once went missing or one line up: see
    // tests/fuzz_regressions.rs). When there are too many row problems the rest are only
    // counted, in one last diagnostic ("… are not shown"); the check is left out then.
    let capped = diagnostics
        .iter()
        .any(|d| d.message.contains("are not shown"));
    if data.is_some() && !capped {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(file.text.as_bytes());
        for record in reader.records().flatten() {
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            let byte = record.position().map_or(0, |p| p.byte() as usize);
            let line = line_of_record(&file.text, byte);
            let has_point = data
                .as_ref()
                .is_some_and(|d| d.points.iter().any(|p| p.line == line));
            let has_diagnostic = diagnostics.iter().any(|d| d.line == line);
            assert!(
                has_point || has_diagnostic,
                "row on line {line} ({record:?}) has no point or diagnostic on its line; points: {:?}; diagnostics: {diagnostics:#?}",
                data.as_ref().map(|d| d.points.iter().map(|p| (p.period.clone(), p.line)).collect::<Vec<_>>())
            );
        }
    }
});

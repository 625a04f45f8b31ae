//! Charts as inline SVG, readable with no JavaScript: run and control charts with their
//! centre lines, limits, phases, target, signals (by shape as well as colour) and the
//! cycles that tested changes; small sparklines; the Making Data Count icons.

use crate::content::items::Improvement;
use crate::date::Date;
use crate::stats::{Analysis, Assurance, Variation};
use std::fmt::Write as _;
use std::ops::Range;

/// A number written with the precision of its format (`{:.1}`), the same text as the
/// `f64` would give, without its exact-decimal algorithm for each of the ~800,000
/// coordinates of a 10,000-item site's charts (and the values shown beside them).
#[derive(Clone, Copy)]
struct Px(f64);

impl std::fmt::Display for Px {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SCALES: [f64; 4] = [1.0, 10.0, 100.0, 1000.0];
        let value = self.0;
        let Some(decimals) = f.precision().filter(|&d| d < SCALES.len()) else {
            return std::fmt::Display::fmt(&value, f);
        };
        let scaled = value.abs() * SCALES[decimals];
        let whole = scaled.floor();
        // Below 1e9 the product is within 1.2e-7 of |value| × 10^decimals, so away from a
        // half the nearest integer is the correctly rounded one Rust would print; NaN,
        // infinities, large values, near-halves and padding take the standard path.
        if scaled.is_nan()
            || scaled >= 1e9
            || (scaled - whole - 0.5).abs() < 1e-6
            || f.width().is_some()
        {
            return std::fmt::Display::fmt(&value, f);
        }
        let mut n = whole as u64 + u64::from(scaled - whole > 0.5);
        let mut digits = [b'0'; 24];
        let mut start = digits.len();
        let mut written = 0;
        while n > 0 || written <= decimals {
            if written == decimals && decimals > 0 {
                start -= 1;
                digits[start] = b'.';
            }
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            written += 1;
        }
        if value.is_sign_negative() {
            start -= 1;
            digits[start] = b'-';
        } else if f.sign_plus() {
            start -= 1;
            digits[start] = b'+';
        }
        f.write_str(std::str::from_utf8(&digits[start..]).expect("ASCII digits"))
    }
}

/// A cycle on a chart: a numbered marker at its start, a band to its end.
pub struct Annotation {
    pub number: usize,
    pub start: Date,
    pub end: Option<Date>,
    pub label: String,
    pub href: String,
}

/// A note from the CSV, lettered on the chart at its point.
pub struct PointNote {
    pub point: usize,
    pub letter: char,
    pub text: String,
}

/// A point whose value is withheld (small-number suppression): not plotted at a value,
/// but marked in a band at the foot of the plot.
pub struct Suppressed {
    pub point: usize,
    /// Written above the marker, e.g. `<5`; empty for none.
    pub label: String,
    /// The tooltip after the period, e.g. `<5 falls, not shown to protect patients' privacy`.
    pub tip: String,
}

pub struct SpcChart<'a> {
    /// Unique on the page: ids of the title and description derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub unit: &'a str,
    pub percent: bool,
    pub dates: &'a [Date],
    pub labels: &'a [String],
    pub analysis: &'a Analysis,
    /// The points shown (all, or a `from`/`to` window of an embedded chart).
    pub range: Range<usize>,
    pub target: Option<f64>,
    pub show_limits: bool,
    pub centre_label: &'a str,
    pub annotations: &'a [Annotation],
    pub notes: &'a [PointNote],
    /// Withheld points; their entries in `analysis` have no value.
    pub suppressed: &'a [Suppressed],
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 340.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 66.0;
const BOTTOM: f64 = 46.0;
const MARKER_RADIUS: f64 = 8.0;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// `s` escaped (as [`escape`] does) onto the end of `out`.
fn push_escaped(out: &mut String, s: &str) {
    let mut written = 0;
    for (at, byte) in s.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[written..at]);
        out.push_str(entity);
        written = at + 1;
    }
    out.push_str(&s[written..]);
}

/// A step of 1, 2 or 5 × 10ⁿ giving about `count` ticks over `span`.
pub fn nice_step(span: f64, count: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / count;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

pub fn format_number(value: f64, percent: bool) -> String {
    let mut number = if value.abs() >= 100.0 {
        format!("{:.0}", Px(value))
    } else if value.abs() >= 10.0 {
        format!("{:.1}", Px(value))
    } else {
        format!("{:.2}", Px(value))
    };
    if number.contains('.') {
        let kept = number.trim_end_matches('0').trim_end_matches('.').len();
        number.truncate(kept);
    }
    if number == "-0" {
        number.remove(0);
    }
    if percent {
        number.push('%');
    }
    number
}

/// The CSS class and words of a point's variation.
pub fn variation_class(v: Variation) -> &'static str {
    match v {
        Variation::CommonCause => "common",
        Variation::Improvement => "improvement",
        Variation::Concern => "concern",
        Variation::NeutralHigh | Variation::NeutralLow => "neutral",
    }
}

/// Draws a point: circle for common cause, diamond for improvement, square for concern,
/// triangle for neutral special cause, hollow for excluded points, so that colour is
/// never the only cue.
fn point_shape(svg: &mut String, x: f64, y: f64, variation: Variation, excluded: bool) {
    let class = if excluded {
        "excluded"
    } else {
        variation_class(variation)
    };
    match (excluded, variation) {
        (true, _) | (false, Variation::CommonCause) => {
            let _ = write!(
                svg,
                r#"<circle class="pt {class}" cx="{x:.1}" cy="{y:.1}" r="3.2"/>"#,
                x = Px(x),
                y = Px(y),
            );
        }
        (false, Variation::Improvement) => {
            let _ = write!(
                svg,
                r#"<path class="pt {class}" d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z"/>"#,
                Px(y - 5.5),
                Px(x + 5.5),
                Px(y + 5.5),
                Px(x - 5.5),
                x = Px(x),
                y = Px(y),
            );
        }
        (false, Variation::Concern) => {
            let _ = write!(
                svg,
                r#"<rect class="pt {class}" x="{:.1}" y="{:.1}" width="9" height="9"/>"#,
                Px(x - 4.5),
                Px(y - 4.5),
            );
        }
        (false, _) => {
            let _ = write!(
                svg,
                r#"<path class="pt {class}" d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z"/>"#,
                Px(y - 5.5),
                Px(x + 5.0),
                Px(y + 4.0),
                Px(x - 5.0),
                Px(y + 4.0),
                x = Px(x),
            );
        }
    }
}

impl SpcChart<'_> {
    /// The `<svg>` start tag with the chart's title and description, which name it. A
    /// chart without links is one picture (`role="img"`). With links to cycles it keeps
    /// the SVG's own role (SVG-AAM: `graphics-document`), since an image may not contain
    /// interactive elements (axe `nested-interactive`); `group`, the other candidate, is
    /// not allowed on `<svg>` by the Nu HTML Checker.
    fn open_svg(&self, linked: bool) -> String {
        format!(
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}"{role} aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape(self.title),
            escape(self.description),
            role = if linked { "" } else { r#" role="img""# },
            id = self.id,
        )
    }

    pub fn to_svg(&self) -> String {
        let a = self.analysis;
        let range = self.range.start.min(a.points.len())..self.range.end.min(a.points.len());
        let shown: Vec<usize> = range.clone().filter(|i| a.points[*i].y.is_some()).collect();
        let suppressed: Vec<&Suppressed> = self
            .suppressed
            .iter()
            .filter(|s| range.contains(&s.point))
            .collect();
        if shown.is_empty() && suppressed.is_empty() {
            let mut svg = self.open_svg(false);
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="middle" class="chart-empty">No data yet</text></svg>"#,
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
            return svg;
        }
        let first = self.dates[range.start];
        let last = self.dates[range.end - 1];
        // Cycles drawn on the chart are links: then the chart is not one picture (a
        // picture may not hold links) but a graphic named by its title and description,
        // its drawing hidden from screen readers and the links left for them.
        let linked = self
            .annotations
            .iter()
            .any(|an| an.start >= first && an.start <= last);
        let mut svg = self.open_svg(linked);
        svg.push_str(r#"<g class="plot" aria-hidden="true">"#);
        let values = range.clone().flat_map(|i| {
            let p = &a.points[i];
            let limits = if self.show_limits {
                [p.lower, p.upper]
            } else {
                [None, None]
            };
            [p.y, p.centre].into_iter().chain(limits)
        });
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        for v in values.flatten().chain(self.target) {
            if v.is_finite() {
                low = low.min(v);
                high = high.max(v);
            }
        }
        if !low.is_finite() {
            // Only withheld points: an axis from 0.
            (low, high) = (0.0, 1.0);
        }
        if low >= 0.0 && low < (high - low) * 0.6 {
            low = 0.0;
        }
        if (high - low).abs() < 1e-12 {
            high = low + 1.0;
        }
        let step = nice_step(high - low, 5.0);
        let y_min = (low / step).floor() * step;
        let y_max = (high / step).ceil() * step;
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let first_day = first.to_days();
        let last_day = last.to_days().max(first_day + 1);
        let x_of_day =
            |day: i64| LEFT + (day - first_day) as f64 / (last_day - first_day) as f64 * plot_w;
        let x_of = |i: usize| x_of_day(self.dates[i].to_days());
        let y_of = |v: f64| TOP + (1.0 - (v - y_min) / (y_max - y_min)) * plot_h;
        // Half-way to the neighbours: where a point's limit step begins and ends.
        let left_edge = |i: usize| {
            if i > range.start {
                (x_of(i - 1) + x_of(i)) / 2.0
            } else {
                x_of(i)
            }
        };
        let right_edge = |i: usize| {
            if i + 1 < range.end {
                (x_of(i) + x_of(i + 1)) / 2.0
            } else {
                x_of(i)
            }
        };

        // Grid and y axis.
        svg.push_str(r#"<g class="axis y-axis">"#);
        let mut tick = y_min;
        while tick <= y_max + step / 2.0 {
            let y = y_of(tick);
            let _ = write!(
                svg,
                r#"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                Px(WIDTH - RIGHT),
                Px(LEFT - 6.0),
                Px(y + 4.0),
                format_number(tick, self.percent),
                y = Px(y),
            );
            tick += step;
        }
        if !self.unit.is_empty() && !self.percent {
            let _ = write!(
                svg,
                r#"<text class="unit" x="{LEFT}" y="{:.1}">{}</text>"#,
                Px(TOP - 6.0),
                escape(self.unit),
            );
        }
        svg.push_str("</g>");

        // X axis: months, quarters or years, whichever gives at most about 8 labels.
        svg.push_str(r#"<g class="axis x-axis">"#);
        let months = (last.year - first.year) * 12 + last.month as i32 - first.month as i32 + 1;
        let every = [1, 2, 3, 6, 12, 24, 60]
            .into_iter()
            .find(|n| months / n <= 8)
            .unwrap_or(120);
        let (mut year, mut month) = (first.year, first.month);
        while let Some(date) = Date::new(year, month, 1) {
            if date > last {
                break;
            }
            let index = year * 12 + month as i32 - 1;
            if date >= first && index.rem_euclid(every) == 0 {
                let x = x_of_day(date.to_days());
                let label = if every >= 12 {
                    year.to_string()
                } else if month == 1 {
                    format!("{} {}", date.month_name(), year)
                } else {
                    date.month_name().to_string()
                };
                let _ = write!(
                    svg,
                    r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" class="tick"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
                    Px(HEIGHT - BOTTOM),
                    Px(HEIGHT - BOTTOM + 5.0),
                    Px(HEIGHT - BOTTOM + 18.0),
                    x = Px(x),
                );
            }
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
        svg.push_str("</g>");

        // Cycle spans behind everything else.
        svg.push_str(r#"<g class="annotation-spans">"#);
        for a in self.annotations {
            let Some(end) = a.end else { continue };
            if end < first || a.start > last {
                continue;
            }
            let x1 = x_of_day(a.start.max(first).to_days());
            let x2 = x_of_day(end.min(last).to_days());
            let _ = write!(
                svg,
                r#"<rect x="{x1:.1}" y="{TOP}" width="{:.1}" height="{plot_h:.1}"/>"#,
                Px((x2 - x1).max(1.0)),
                x1 = Px(x1),
                plot_h = Px(plot_h),
            );
        }
        svg.push_str("</g>");

        // Phases: a boundary, a label, and "trial limits" where the limits rest on few points.
        for phase in &a.phases {
            if phase.end < range.start || phase.start >= range.end {
                continue;
            }
            let start = phase.start.max(range.start);
            let x = left_edge(start);
            if phase.start > range.start {
                let _ = write!(
                    svg,
                    r#"<line class="phase-boundary" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{:.1}"/>"#,
                    Px(HEIGHT - BOTTOM),
                    x = Px(x),
                );
            }
            let mut label = if a.phases.len() > 1 {
                format!("Phase {}", phase.phase + 1)
            } else {
                String::new()
            };
            if phase.trial_limits && self.show_limits {
                label = if label.is_empty() {
                    "Trial limits".into()
                } else {
                    format!("{label} · trial limits")
                };
            }
            if !label.is_empty() {
                let _ = write!(
                    svg,
                    r#"<text class="phase-label" x="{:.1}" y="{:.1}">{label}</text>"#,
                    Px(x + 4.0),
                    Px(TOP + 12.0),
                );
            }
        }

        // Centre and limits, stepped where they change, broken at gaps and phases.
        let mut step_path = |class: &str,
                             value: &dyn Fn(usize) -> Option<f64>,
                             dashed_phases: &dyn Fn(usize) -> bool| {
            let mut solid = String::new();
            let mut dashed = String::new();
            // The open run of steps: its path, its phase, its current height and right end.
            let mut open: Option<(bool, usize, f64, f64)> = None;
            let close = |open: &mut Option<(bool, usize, f64, f64)>,
                         solid: &mut String,
                         dashed: &mut String| {
                if let Some((is_dashed, _, y, right)) = open.take() {
                    let _ = write!(
                        if is_dashed { dashed } else { solid },
                        "L{right:.1} {y:.1}",
                        right = Px(right),
                        y = Px(y)
                    );
                }
            };
            for i in range.clone() {
                let phase = a.points[i].phase;
                let Some(v) = value(i).filter(|v| v.is_finite()) else {
                    close(&mut open, &mut solid, &mut dashed);
                    continue;
                };
                let y = y_of(v);
                match open {
                    Some((is_dashed, p, previous_y, _)) if p == phase => {
                        if (previous_y - y).abs() > 0.05 {
                            let path = if is_dashed { &mut dashed } else { &mut solid };
                            let _ = write!(
                                path,
                                "L{:.1} {previous_y:.1}L{:.1} {y:.1}",
                                Px(left_edge(i)),
                                Px(left_edge(i)),
                                previous_y = Px(previous_y),
                                y = Px(y),
                            );
                        }
                        open = Some((is_dashed, phase, y, right_edge(i)));
                    }
                    _ => {
                        close(&mut open, &mut solid, &mut dashed);
                        let is_dashed = dashed_phases(phase);
                        let _ = write!(
                            if is_dashed { &mut dashed } else { &mut solid },
                            "M{:.1} {y:.1}",
                            Px(left_edge(i)),
                            y = Px(y),
                        );
                        open = Some((is_dashed, phase, y, right_edge(i)));
                    }
                }
            }
            close(&mut open, &mut solid, &mut dashed);
            if !solid.is_empty() {
                let _ = write!(svg, r#"<path class="{class}" d="{solid}"/>"#);
            }
            if !dashed.is_empty() {
                let _ = write!(svg, r#"<path class="{class} runs-signal" d="{dashed}"/>"#);
            }
        };
        let never = |_: usize| false;
        if self.show_limits {
            step_path("limit", &|i| a.points[i].upper, &never);
            step_path("limit", &|i| a.points[i].lower, &never);
        }
        step_path("centre", &|i| a.points[i].centre, &|phase| {
            a.phases.get(phase).is_some_and(|p| p.runs_signal)
        });

        if let Some(target) = self.target {
            let y = y_of(target);
            let _ = write!(
                svg,
                r#"<line class="target" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/>"#,
                Px(WIDTH - RIGHT),
                y = Px(y),
            );
        }
        // Labels of the lines at the right-hand end, where the latest values are read.
        let end_point = &a.points[range.end - 1];
        let mut right_labels: Vec<(f64, String, &str)> = Vec::new();
        if let Some(c) = end_point.centre {
            right_labels.push((
                y_of(c),
                format!("{} {}", self.centre_label, format_number(c, self.percent)),
                "centre-label",
            ));
        }
        if self.show_limits {
            if let Some(u) = end_point.upper {
                right_labels.push((
                    y_of(u),
                    format!("Upper limit {}", format_number(u, self.percent)),
                    "limit-label",
                ));
            }
            if let Some(l) = end_point.lower {
                right_labels.push((
                    y_of(l),
                    format!("Lower limit {}", format_number(l, self.percent)),
                    "limit-label",
                ));
            }
        }
        if let Some(t) = self.target {
            right_labels.push((
                y_of(t),
                format!("Target {}", format_number(t, self.percent)),
                "target-label",
            ));
        }
        // Top to bottom, each at least a line below the one above, so none overlap.
        right_labels.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut last_y = f64::NEG_INFINITY;
        for (y, text, class) in right_labels {
            let y = (y - 4.0).max(last_y + 12.0);
            last_y = y;
            let _ = write!(
                svg,
                r#"<text class="{class}" x="{:.1}" y="{y:.1}" text-anchor="end">{}</text>"#,
                Px(WIDTH - RIGHT - 2.0),
                escape(&text),
                y = Px(y),
            );
        }

        // The data: a line through consecutive points, broken at gaps.
        svg.push_str(r#"<g class="series"><path d=""#);
        let mut previous: Option<usize> = None;
        for &i in &shown {
            let command = if previous.is_some() && previous == i.checked_sub(1) {
                'L'
            } else {
                'M'
            };
            let _ = write!(
                svg,
                "{command}{:.1} {:.1}",
                Px(x_of(i)),
                Px(y_of(a.points[i].y.unwrap_or_default())),
            );
            previous = Some(i);
        }
        svg.push_str(r#""/>"#);
        let mut tip = String::new();
        for &i in &shown {
            let p = &a.points[i];
            let y = p.y.unwrap_or_default();
            tip.clear();
            tip.push_str(&self.labels[i]);
            tip.push_str(": ");
            tip.push_str(&format_number(y, self.percent));
            if !self.unit.is_empty() && !self.percent {
                tip.push(' ');
                tip.push_str(self.unit);
            }
            if p.excluded {
                tip.push_str(" (excluded from the calculations)");
            }
            for (n, signal) in p.signals.iter().enumerate() {
                tip.push_str(if n == 0 { " — " } else { ", " });
                tip.push_str(signal_words(*signal));
            }
            svg.push_str("<g><title>");
            push_escaped(&mut svg, &tip);
            svg.push_str("</title>");
            point_shape(&mut svg, x_of(i), y_of(y), p.variation, p.excluded);
            svg.push_str("</g>");
        }
        svg.push_str("</g>");

        // Withheld values: a hollow marker in a band above the notes, labelled, never at
        // the value.
        if !suppressed.is_empty() {
            svg.push_str(r#"<g class="suppressed">"#);
            // Labels only where they do not run into the one before (dense weekly charts).
            let mut last_label = f64::NEG_INFINITY;
            for s in &suppressed {
                let p = &a.points[s.point];
                let x = x_of(s.point);
                let y = HEIGHT - BOTTOM - 24.0;
                let mut tip = format!("{}: {}", self.labels[s.point], s.tip);
                if !p.signals.is_empty() {
                    let words: Vec<&str> = p.signals.iter().map(|s| signal_words(*s)).collect();
                    let _ = write!(tip, " — {}", words.join(", "));
                }
                let _ = write!(
                    svg,
                    r#"<g><title>{}</title><circle class="suppressed-marker" cx="{x:.1}" cy="{y:.1}" r="3.5"/>"#,
                    escape(&tip),
                    x = Px(x),
                    y = Px(y),
                );
                if !s.label.is_empty()
                    && x - last_label >= 8.0 * s.label.chars().count() as f64 + 8.0
                {
                    last_label = x;
                    let _ = write!(
                        svg,
                        r#"<text class="suppressed-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                        Px(y - 6.0),
                        escape(&s.label),
                        x = Px(x),
                    );
                }
                svg.push_str("</g>");
            }
            svg.push_str("</g>");
        }

        // Notes from the CSV: lettered markers at the foot of the plot.
        if !self.notes.is_empty() {
            svg.push_str(r#"<g class="notes">"#);
            for note in self.notes.iter().filter(|n| range.contains(&n.point)) {
                let x = x_of(note.point);
                let y = HEIGHT - BOTTOM - 9.0;
                let _ = write!(
                    svg,
                    r#"<g><title>{}: {}</title><circle class="note-marker" cx="{x:.1}" cy="{y:.1}" r="7"/><text class="note-letter" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
                    escape(&self.labels[note.point]),
                    escape(&note.text),
                    Px(y + 3.5),
                    note.letter,
                    x = Px(x),
                    y = Px(y),
                );
            }
            svg.push_str("</g>");
        }

        svg.push_str("</g>");

        // Cycles: a line at each start under a numbered marker; markers that would touch
        // move down a row, so numbers stay legible when cycles bunch up.
        if linked {
            svg.push_str(r#"<g class="annotations">"#);
            let mut row_ends = [f64::NEG_INFINITY; 3];
            for an in self.annotations {
                if an.start < first || an.start > last {
                    continue;
                }
                let x = x_of_day(an.start.to_days());
                let row = row_ends
                    .iter()
                    .position(|end| *end + MARKER_RADIUS * 2.0 + 2.0 <= x)
                    .unwrap_or_else(|| {
                        row_ends
                            .iter()
                            .enumerate()
                            .min_by(|a, b| a.1.total_cmp(b.1))
                            .map_or(0, |(i, _)| i)
                    });
                row_ends[row] = x;
                let y = MARKER_RADIUS + 2.0 + row as f64 * (MARKER_RADIUS * 2.0 + 2.0);
                let span = an
                    .end
                    .map_or(String::new(), |e| format!(" to {}", e.display()));
                let _ = write!(
                    svg,
                    r#"<a href="{}"><title>{}: {} ({}{span})</title><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" class="annotation-line"/><circle cx="{x:.1}" cy="{y:.1}" r="{MARKER_RADIUS}" class="annotation-marker"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="annotation-number">{}</text></a>"#,
                    escape(&an.href),
                    an.number,
                    escape(&an.label),
                    an.start.display(),
                    Px(y + MARKER_RADIUS),
                    Px(HEIGHT - BOTTOM),
                    Px(y + 3.5),
                    an.number,
                    x = Px(x),
                    y = Px(y),
                );
            }
            svg.push_str("</g>");
        }
        svg.push_str("</svg>");
        svg
    }
}

pub fn signal_words(signal: crate::stats::Signal) -> &'static str {
    match signal {
        crate::stats::Signal::OutsideLimits => "outside the limits",
        crate::stats::Signal::Shift => "part of a long run on one side",
        crate::stats::Signal::Trend => "part of a trend",
        crate::stats::Signal::TwoOfThree => "2 of 3 close to a limit",
    }
}

/// A small line of the latest values, ending in a dot coloured (and shaped) by variation.
pub fn sparkline(values: &[Option<f64>], variation: Option<Variation>) -> String {
    const W: f64 = 120.0;
    const H: f64 = 32.0;
    let present: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let mut svg = format!(
        r#"<svg class="sparkline" viewBox="0 0 {W} {H}" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">"#
    );
    if present.len() >= 2 {
        let low = present.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let high = present
            .iter()
            .map(|p| p.1)
            .fold(f64::NEG_INFINITY, f64::max);
        let span = if (high - low).abs() < 1e-12 {
            1.0
        } else {
            high - low
        };
        let n = values.len().max(2) - 1;
        let x = |i: usize| 3.0 + i as f64 / n as f64 * (W - 8.0);
        let y = |v: f64| 3.0 + (1.0 - (v - low) / span) * (H - 6.0);
        svg.push_str(r#"<path d=""#);
        let mut previous: Option<usize> = None;
        for (i, v) in &present {
            let command = if previous.is_some() && previous == i.checked_sub(1) {
                'L'
            } else {
                'M'
            };
            let _ = write!(svg, "{command}{:.1} {:.1}", Px(x(*i)), Px(y(*v)));
            previous = Some(*i);
        }
        svg.push_str(r#""/>"#);
        let (i, v) = present[present.len() - 1];
        point_shape(
            &mut svg,
            x(i),
            y(v),
            variation.unwrap_or(Variation::CommonCause),
            false,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Which side a special-cause variation is on, as the icons letter it.
fn high_or_low(variation: Variation, improvement: Improvement) -> &'static str {
    match (variation, improvement) {
        (Variation::NeutralHigh, _) => "H",
        (Variation::NeutralLow, _) => "L",
        (Variation::Improvement, Improvement::Decrease)
        | (Variation::Concern, Improvement::Increase) => "L",
        _ => "H",
    }
}

/// The Making Data Count variation icon, drawn afresh: a coloured disc lettered H or L
/// for special cause, a grey one for common cause. Its title says it in words.
pub fn variation_icon(variation: Variation, improvement: Improvement) -> String {
    let label = super::measure::variation_label(variation, improvement);
    let (class, mark) = match variation {
        Variation::CommonCause => ("common", String::new()),
        other => (
            variation_class(other),
            high_or_low(other, improvement).to_string(),
        ),
    };
    let inner = if mark.is_empty() {
        r#"<path d="M9 22l5-6 4 5 5-8 5 7" fill="none" stroke-width="2.5"/>"#.to_string()
    } else {
        format!(r#"<text x="18" y="23.5" text-anchor="middle">{mark}</text>"#)
    };
    format!(
        r#"<svg class="icon variation-icon {class}" viewBox="0 0 36 36" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title><circle cx="18" cy="18" r="16"/>{inner}</svg>"#
    )
}

/// The assurance icon: P (pass), F (fail) or ? (hit and miss), with its meaning as title.
pub fn assurance_icon(assurance: Assurance) -> String {
    let label = super::measure::assurance_label(assurance);
    let (class, mark) = match assurance {
        Assurance::ConsistentPass => ("pass", "P"),
        Assurance::ConsistentFail => ("fail", "F"),
        Assurance::Inconsistent => ("inconsistent", "?"),
    };
    format!(
        r#"<svg class="icon assurance-icon {class}" viewBox="0 0 36 36" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title><circle cx="18" cy="18" r="16"/><text x="18" y="23.5" text-anchor="middle">{mark}</text></svg>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{self, Chart, Period};

    #[test]
    fn escape_replaces_the_four_characters_and_keeps_the_rest() {
        let by_replace = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let pieces = ["", "a", "&", "<", ">", "\"", "'", "é", "&amp;", "—", " "];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(escape(&text), by_replace(&text), "{text:?}");
                }
            }
        }
        assert_eq!(
            escape("Ward <7> & \"B\""),
            "Ward &lt;7&gt; &amp; &quot;B&quot;"
        );
    }

    #[test]
    fn coordinates_print_as_the_standard_formatting_does() {
        let mut values = vec![
            0.0,
            -0.0,
            0.04,
            -0.04,
            0.05,
            -0.05,
            0.25,
            0.35,
            1.05,
            2.5,
            0.45,
            9.95,
            99.95,
            12.349999,
            12.35,
            0.0005,
            0.00049,
            0.015,
            0.125,
            1e9,
            1e8 + 0.05,
            123456.789,
            4.999999999,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ];
        // A fixed sequence of pseudo-random values of every size a chart meets.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (state % 13) as i32 - 4;
            let sign = if state & 1 == 0 { 1.0 } else { -1.0 };
            values.push(sign * unit * 10f64.powi(exponent));
            // Values on a tenth or a twentieth, as chart arithmetic often gives.
            values.push((state % 20_000) as f64 / 20.0 - 300.0);
        }
        for v in values {
            assert_eq!(format!("{:.0}", Px(v)), format!("{v:.0}"), "{v:e}");
            assert_eq!(format!("{:.1}", Px(v)), format!("{v:.1}"), "{v:e}");
            assert_eq!(format!("{:.2}", Px(v)), format!("{v:.2}"), "{v:e}");
            assert_eq!(format!("{:.3}", Px(v)), format!("{v:.3}"), "{v:e}");
            assert_eq!(format!("{:+.1}", Px(v)), format!("{v:+.1}"), "{v:e}");
        }
        assert_eq!(format!("{}", Px(0.1 + 0.2)), format!("{}", 0.1 + 0.2));
        assert_eq!(format!("{:8.1}", Px(2.25)), format!("{:8.1}", 2.25));
    }

    #[test]
    fn picks_round_steps() {
        assert_eq!(nice_step(10.0, 5.0), 2.0);
        assert_eq!(nice_step(0.37, 5.0), 0.1);
        assert_eq!(nice_step(730.0, 5.0), 200.0);
    }

    #[test]
    fn formats_numbers_for_readers() {
        assert_eq!(format_number(87.5, true), "87.5%");
        assert_eq!(format_number(4.0, false), "4");
        assert_eq!(format_number(1234.4, false), "1234");
        assert_eq!(format_number(0.126, false), "0.13");
        assert_eq!(format_number(-0.001, false), "0");
        assert_eq!(format_number(-0.004, true), "0%");
        assert_eq!(format_number(-0.3, false), "-0.3");
        assert_eq!(format_number(-250.0, false), "-250");
        assert_eq!(format_number(10.0, true), "10%");
    }

    fn chart_of(values: &[Option<f64>]) -> (Vec<Date>, Vec<String>, stats::Analysis) {
        let periods: Vec<Period> = values
            .iter()
            .map(|v| v.map_or_else(Period::missing, Period::value))
            .collect();
        let mut input = stats::Input::new(Chart::I, &periods);
        input.profile = stats::Profile::Mdc;
        input.direction = stats::Direction::Decrease;
        let analysis = stats::analyse(&input);
        let dates: Vec<Date> = (0..values.len())
            .map(|i| Date::new(2026, 1, 5).unwrap().add_days(i as i64 * 7))
            .collect();
        let labels = dates.iter().map(|d| d.display()).collect();
        (dates, labels, analysis)
    }

    #[test]
    fn draws_signals_by_shape_gaps_limits_and_linked_cycles() {
        let mut values: Vec<Option<f64>> = (0..12).map(|i| Some(10.0 + (i % 3) as f64)).collect();
        values[4] = None;
        values.extend((0..8).map(|i| Some(4.0 + (i % 2) as f64 * 0.5)));
        let (dates, labels, analysis) = chart_of(&values);
        let annotations = [Annotation {
            number: 1,
            start: dates[12],
            end: Some(dates[14]),
            label: "Huddle <1>".into(),
            href: "../../cycles/h/".into(),
        }];
        let notes = [PointNote {
            point: 2,
            letter: 'A',
            text: "Ward closed".into(),
        }];
        let svg = SpcChart {
            id: "m",
            title: "Falls",
            description: "desc",
            unit: "falls",
            percent: false,
            dates: &dates,
            labels: &labels,
            analysis: &analysis,
            range: 0..values.len(),
            target: Some(6.0),
            show_limits: true,
            centre_label: "Mean",
            annotations: &annotations,
            notes: &notes,
            suppressed: &[],
        }
        .to_svg();
        // It links to a cycle: a named graphic, not an image (an image may not hold
        // links), whose drawing is hidden from screen readers, and whose link says where
        // it goes.
        assert!(svg.starts_with(
            r#"<svg class="chart" viewBox="0 0 760 340" aria-labelledby="m-title m-desc""#
        ));
        assert!(svg.contains(r#"<g class="plot" aria-hidden="true">"#));
        let (plot, links) = svg.split_once(r#"<g class="annotations">"#).unwrap();
        assert!(!plot.contains("<a "), "{plot}");
        assert!(
            links.starts_with(r#"<a href="../../cycles/h/"><title>1: Huddle &lt;1&gt; ("#),
            "{links}"
        );
        // 19 points with values; the low run (better, as lower is better) is drawn as
        // diamonds, the high run before it as squares.
        assert_eq!(svg.matches(r#"class="pt "#).count(), 19, "{svg}");
        assert_eq!(svg.matches(r#"<path class="pt improvement""#).count(), 8);
        assert!(svg.matches(r#"<rect class="pt concern""#).count() >= 7);
        // Constant limits are one straight segment per phase.
        assert!(
            svg.contains(r#"<path class="limit" d="M60.0 130.8L740.0 130.8"/>"#),
            "{svg}"
        );
        assert!(svg.contains("Ward closed"));
        assert!(svg.contains("Target 6"));
        // The gap at point 4 breaks the line into two pieces.
        let series = svg.split(r#"<g class="series"><path d=""#).nth(1).unwrap();
        let d = &series[..series.find('"').unwrap()];
        assert_eq!(d.matches('M').count(), 2, "{d}");
    }

    #[test]
    fn windows_a_chart_and_survives_no_data() {
        let (dates, labels, analysis) = chart_of(&[None, None]);
        let svg = SpcChart {
            id: "e",
            title: "t",
            description: "",
            unit: "",
            percent: false,
            dates: &dates,
            labels: &labels,
            analysis: &analysis,
            range: 0..2,
            target: None,
            show_limits: true,
            centre_label: "Mean",
            annotations: &[],
            notes: &[],
            suppressed: &[],
        }
        .to_svg();
        assert!(svg.contains("No data yet"));
        assert!(svg.contains(r#"role="img" aria-labelledby="e-title e-desc""#));
    }

    #[test]
    fn icons_say_what_they_mean() {
        let icon = variation_icon(Variation::Improvement, Improvement::Decrease);
        assert!(
            icon.contains(r#"aria-label="Special cause improvement""#)
                && icon.contains(">L</text>")
        );
        assert!(assurance_icon(Assurance::ConsistentFail).contains(">F</text>"));
        assert!(sparkline(
            &[Some(1.0), None, Some(3.0), Some(2.0)],
            Some(Variation::Concern)
        )
        .contains("pt concern"));
    }
}

//! A measure's line chart as inline SVG: points over time, the median, the target, and
//! the cycles that tested changes marked where they started. No JavaScript needed.

use crate::date::Date;
use std::fmt::Write as _;

pub struct ChartPoint {
    pub date: Date,
    pub label: String,
    pub value: Option<f64>,
}

pub struct Annotation {
    pub date: Date,
    pub label: String,
    pub href: String,
}

pub struct LineChart<'a> {
    pub title: &'a str,
    pub unit: &'a str,
    pub points: &'a [ChartPoint],
    pub centre: Option<f64>,
    pub centre_label: &'a str,
    pub target: Option<f64>,
    pub annotations: &'a [Annotation],
    /// Show values as percentages.
    pub percent: bool,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 64.0;
const MARKER_RADIUS: f64 = 8.0;
const BOTTOM: f64 = 44.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
    let rounded = if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    let trimmed = if rounded.contains('.') {
        rounded
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        rounded
    };
    let trimmed = if trimmed == "-0" {
        "0".to_string()
    } else {
        trimmed
    };
    if percent {
        format!("{trimmed}%")
    } else {
        trimmed
    }
}

impl LineChart<'_> {
    pub fn to_svg(&self) -> String {
        let shown: Vec<(usize, f64)> = self
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.value.map(|v| (i, v)))
            .collect();
        let mut svg = String::new();
        let title_id = "chart-title";
        let _ = write!(
            svg,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id} chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{}</title><desc id="chart-desc">{}</desc>"#,
            escape(self.title),
            escape(&self.description()),
        );
        if shown.is_empty() || self.points.is_empty() {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="middle" class="chart-empty">No data yet</text></svg>"#,
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
            return svg;
        }
        let mut low = shown.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let mut high = shown.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        for extra in [self.target, self.centre].into_iter().flatten() {
            low = low.min(extra);
            high = high.max(extra);
        }
        if low >= 0.0 && low < (high - low) * 0.5 {
            low = 0.0;
        }
        if (high - low).abs() < f64::EPSILON {
            high = low + 1.0;
        }
        let step = nice_step(high - low, 5.0);
        let y_min = (low / step).floor() * step;
        let y_max = (high / step).ceil() * step;
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let first_day = self.points.first().map_or(0, |p| p.date.to_days());
        let last_day = self
            .points
            .last()
            .map_or(1, |p| p.date.to_days())
            .max(first_day + 1);
        let x_of_day =
            |day: i64| LEFT + (day - first_day) as f64 / (last_day - first_day) as f64 * plot_w;
        let y_of = |v: f64| TOP + (1.0 - (v - y_min) / (y_max - y_min)) * plot_h;

        // Grid and y axis.
        svg.push_str(r#"<g class="axis y-axis">"#);
        let mut tick = y_min;
        while tick <= y_max + step / 2.0 {
            let y = y_of(tick);
            let _ = write!(
                svg,
                r#"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                format_number(tick, self.percent)
            );
            tick += step;
        }
        svg.push_str("</g>");

        // X axis: month ticks, thinned to at most about 8 labels.
        svg.push_str(r#"<g class="axis x-axis">"#);
        let first = self.points.first().expect("points").date;
        let last = self.points.last().expect("points").date;
        let months = (last.year - first.year) * 12 + last.month as i32 - first.month as i32 + 1;
        let every = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|n| months / n <= 8)
            .unwrap_or(24);
        let mut year = first.year;
        let mut month = first.month;
        while let Some(date) = Date::new(year, month, 1) {
            if date > last {
                break;
            }
            let index = year * 12 + month as i32 - 1;
            if date >= first && index.rem_euclid(every) == 0 {
                let x = x_of_day(date.to_days());
                let label = if month == 1 || every >= 12 {
                    format!("{} {}", date.month_name(), year)
                } else {
                    date.month_name().to_string()
                };
                let _ = write!(
                    svg,
                    r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" class="tick"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
                    HEIGHT - BOTTOM,
                    HEIGHT - BOTTOM + 5.0,
                    HEIGHT - BOTTOM + 18.0
                );
            }
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
        svg.push_str("</g>");

        // Cycle annotations: a line at each start, topped by a numbered marker that the
        // page's list of cycles explains. Numbers stay legible when cycles bunch up:
        // a marker that would touch its neighbour moves to the next row.
        if !self.annotations.is_empty() {
            svg.push_str(r#"<g class="annotations">"#);
            let mut row_ends = [f64::NEG_INFINITY; 3];
            for (n, a) in self.annotations.iter().enumerate() {
                if a.date < first || a.date > last {
                    continue;
                }
                let x = x_of_day(a.date.to_days());
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
                let _ = write!(
                    svg,
                    r#"<a href="{}"><title>{}: {} (started {})</title><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" class="annotation-line"/><circle cx="{x:.1}" cy="{y:.1}" r="{MARKER_RADIUS}" class="annotation-marker"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="annotation-number">{}</text></a>"#,
                    escape(&a.href),
                    n + 1,
                    escape(&a.label),
                    a.date.display(),
                    y + MARKER_RADIUS,
                    HEIGHT - BOTTOM,
                    y + 3.5,
                    n + 1
                );
            }
            svg.push_str("</g>");
        }

        if let Some(target) = self.target {
            let y = y_of(target);
            let _ = write!(
                svg,
                r#"<g class="target"><line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">Target {}</text></g>"#,
                WIDTH - RIGHT,
                WIDTH - RIGHT - 2.0,
                y - 4.0,
                format_number(target, self.percent)
            );
        }
        if let Some(centre) = self.centre {
            let y = y_of(centre);
            let _ = write!(
                svg,
                r#"<g class="centre"><line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}">{} {}</text></g>"#,
                WIDTH - RIGHT,
                LEFT + 4.0,
                y - 4.0,
                escape(self.centre_label),
                format_number(centre, self.percent)
            );
        }

        // The data: a line through consecutive points (broken at gaps), then markers.
        svg.push_str(r#"<g class="series"><path d=""#);
        let mut previous: Option<usize> = None;
        for (i, v) in &shown {
            let x = x_of_day(self.points[*i].date.to_days());
            let command = if previous.is_some() && previous == i.checked_sub(1) {
                'L'
            } else {
                'M'
            };
            let _ = write!(svg, "{command}{x:.1} {:.1} ", y_of(*v));
            previous = Some(*i);
        }
        svg.push_str(r#""/>"#);
        for (i, v) in &shown {
            let p = &self.points[*i];
            let x = x_of_day(p.date.to_days());
            let _ = write!(
                svg,
                r#"<circle cx="{x:.1}" cy="{:.1}" r="3"><title>{}: {}{}</title></circle>"#,
                y_of(*v),
                escape(&p.label),
                format_number(*v, self.percent),
                if self.unit.is_empty() || self.percent {
                    String::new()
                } else {
                    format!(" {}", escape(self.unit))
                }
            );
        }
        svg.push_str("</g></svg>");
        svg
    }

    fn description(&self) -> String {
        let values: Vec<f64> = self.points.iter().filter_map(|p| p.value).collect();
        match (self.points.first(), self.points.last(), values.last()) {
            (Some(first), Some(last), Some(latest)) => {
                let mut text = format!(
                    "{} points from {} to {}; latest {}",
                    values.len(),
                    first.label,
                    last.label,
                    format_number(*latest, self.percent)
                );
                if let Some(c) = self.centre {
                    let _ = write!(
                        text,
                        "; {} {}",
                        self.centre_label.to_lowercase(),
                        format_number(c, self.percent)
                    );
                }
                if let Some(t) = self.target {
                    let _ = write!(text, "; target {}", format_number(t, self.percent));
                }
                text
            }
            _ => "No data yet".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn draws_points_median_and_linked_annotations() {
        let points: Vec<ChartPoint> = (0..10)
            .map(|i| ChartPoint {
                date: Date::new(2026, 1, 5).unwrap().add_days(i * 7),
                label: format!("w{i}"),
                value: if i == 4 { None } else { Some(i as f64) },
            })
            .collect();
        let annotations = [Annotation {
            date: Date::new(2026, 2, 2).unwrap(),
            label: "Huddle <1>".into(),
            href: "../../cycles/h/".into(),
        }];
        let svg = LineChart {
            title: "Falls",
            unit: "falls",
            points: &points,
            centre: Some(4.5),
            centre_label: "Median",
            target: None,
            annotations: &annotations,
            percent: false,
        }
        .to_svg();
        assert_eq!(
            svg.matches("<circle cx").count() - svg.matches("annotation-marker").count(),
            9
        );
        assert!(svg.contains(r#"<a href="../../cycles/h/">"#));
        assert!(
            svg.contains("<title>1: Huddle &lt;1&gt; (started 2 Feb 2026)</title>"),
            "{svg}"
        );
        assert!(svg.contains(r#"class="annotation-number">1</text>"#));
        assert!(svg.contains("Median 4.5"));
        // The gap at the missing point breaks the line.
        assert_eq!(
            svg.matches(" M").count() + usize::from(svg.contains("d=\"M")),
            2
        );
    }
}

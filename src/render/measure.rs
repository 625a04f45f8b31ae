//! A measure made ready to show: its CSV rows grouped into periods, analysed by
//! [`crate::stats`], and read out in plain words for readers without statistics training.

use super::chart::{
    assurance_icon, signal_words, sparkline, variation_class, variation_icon, Annotation,
    PointNote, SpcChart, Suppressed,
};
use crate::content::items::{ChartType, Decision, Improvement, Measure, RuleProfile};
use crate::date::Date;
use crate::privacy::suppression::{self, Bounds, Plan, Withheld};
use crate::stats::{
    self, Analysis, Assurance, Chart, Direction, Period, PointResult, Profile, Signal, Variation,
};
use serde::Serialize;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::fmt::Write as _;

/// One measure's periods and their analysis. For an `xmr` measure, `mr` holds the
/// moving-range chart shown under the individuals chart.
///
/// `analysis` is always computed on the full data. A view made for publishing with
/// [`MeasureView::published`] carries the suppression plan, and every published surface
/// (page fields, chart, `data.json`, CSV, summary) reads values through it.
#[derive(Clone)]
pub struct MeasureView {
    pub chart: Chart,
    pub profile: Profile,
    pub dates: Vec<Date>,
    pub labels: Vec<String>,
    /// Each period as the CSV writes it (its first row's, when rows are summed).
    pub periods: Vec<String>,
    pub numerators: Vec<Option<f64>>,
    pub denominators: Vec<Option<f64>>,
    pub notes: Vec<Option<String>>,
    pub analysis: Analysis,
    pub mr: Option<Analysis>,
    pub percent: bool,
    pub target: Option<f64>,
    pub improvement: Improvement,
    /// What small-number suppression withholds; `None` when it does not apply.
    pub suppression: Option<Plan>,
}

pub fn stats_chart(chart: ChartType) -> Chart {
    match chart {
        ChartType::Run => Chart::Run,
        ChartType::I | ChartType::Xmr => Chart::I,
        ChartType::Mr => Chart::Mr,
        ChartType::Xbar => Chart::Xbar,
        ChartType::S => Chart::S,
        ChartType::T => Chart::T,
        ChartType::P => Chart::P,
        ChartType::Pp => Chart::Pp,
        ChartType::C => Chart::C,
        ChartType::U => Chart::U,
        ChartType::Up => Chart::Up,
        ChartType::G => Chart::G,
    }
}

fn direction(improvement: Improvement) -> Direction {
    match improvement {
        Improvement::Increase => Direction::Increase,
        Improvement::Decrease => Direction::Decrease,
        Improvement::Neutral => Direction::Neutral,
    }
}

/// Values are shown as percentages when a proportion is multiplied by 100.
pub fn shows_percent(measure: &Measure) -> bool {
    (measure.multiply - 100.0).abs() < f64::EPSILON
        && (measure.chart.needs_denominator()
            || measure.data.as_ref().is_some_and(|d| d.has_denominator))
}

/// Groups rows by period and analyses them; `None` when the measure has no rows.
pub fn analyse(measure: &Measure, site_rules: RuleProfile) -> Option<MeasureView> {
    let data = measure.data.as_ref()?;
    let mut rows: Vec<_> = data.points.iter().collect();
    rows.sort_by_key(|r| r.date);
    let chart = stats_chart(measure.chart);
    let profile = match measure.rules.unwrap_or(site_rules) {
        RuleProfile::Anhoej => Profile::Anhoej,
        RuleProfile::Mdc => Profile::Mdc,
    };
    let mut dates = Vec::new();
    let mut labels = Vec::new();
    let mut period_texts = Vec::new();
    let mut numerators: Vec<Option<f64>> = Vec::new();
    let mut denominators: Vec<Option<f64>> = Vec::new();
    let mut notes: Vec<Option<String>> = Vec::new();
    let mut observations: Vec<Vec<f64>> = Vec::new();
    for row in rows {
        if dates.last() != Some(&row.date) {
            dates.push(row.date);
            labels.push(row.date.display_period(row.granularity));
            period_texts.push(row.period.clone());
            numerators.push(None);
            denominators.push(None);
            notes.push(None);
            observations.push(Vec::new());
        }
        let last = dates.len() - 1;
        if let Some(v) = row.value {
            numerators[last] = Some(numerators[last].unwrap_or(0.0) + v);
            observations[last].push(v);
        }
        if let Some(d) = row.denominator {
            denominators[last] = Some(denominators[last].unwrap_or(0.0) + d);
        }
        if let Some(note) = &row.note {
            let joined = match notes[last].take() {
                Some(previous) => format!("{previous}; {note}"),
                None => note.clone(),
            };
            notes[last] = Some(joined);
        }
    }
    if matches!(chart, Chart::Xbar | Chart::S) {
        // A subgroup's rows are observations, not parts of a count: there is no numerator.
        numerators.iter_mut().for_each(|n| *n = None);
    }
    let periods: Vec<Period> = (0..dates.len())
        .map(|i| match chart {
            Chart::P | Chart::Pp | Chart::U | Chart::Up => match (numerators[i], denominators[i]) {
                (Some(n), Some(d)) => Period::ratio(n, d),
                _ => Period::missing(),
            },
            Chart::Xbar | Chart::S => Period::subgroup(observations[i].clone()),
            Chart::C => numerators[i].map_or_else(Period::missing, Period::value),
            // A value with a denominator on a chart of individual values is its rate
            // (qicharts2 plots y / n).
            _ => match (numerators[i], data.has_denominator) {
                (Some(n), true) => match denominators[i] {
                    Some(d) if d > 0.0 => Period::value(n / d),
                    _ => Period::missing(),
                },
                (Some(n), false) => Period::value(n),
                (None, _) => Period::missing(),
            },
        })
        .collect();
    let phase_starts: Vec<usize> = measure
        .rebase
        .iter()
        .filter_map(|d| dates.iter().position(|x| x >= d))
        .filter(|i| *i > 0)
        .collect();
    let excluded: Vec<bool> = dates.iter().map(|d| measure.exclude.contains(d)).collect();
    let mut input = stats::Input::new(chart, &periods);
    input.phase_starts = &phase_starts;
    input.freeze = measure.freeze;
    input.excluded = &excluded;
    input.multiply = measure.multiply;
    input.profile = profile;
    input.direction = direction(measure.improvement);
    input.target = measure.target;
    let analysis = stats::analyse(&input);
    let mr = (measure.chart == ChartType::Xmr).then(|| {
        let mut mr_input = input.clone();
        mr_input.chart = Chart::Mr;
        mr_input.target = None;
        mr_input.direction = Direction::Neutral;
        stats::analyse(&mr_input)
    });
    Some(MeasureView {
        chart,
        profile,
        dates,
        labels,
        periods: period_texts,
        numerators,
        denominators,
        notes,
        analysis,
        mr,
        percent: shows_percent(measure),
        target: measure.target,
        improvement: measure.improvement,
        suppression: None,
    })
}

/// "mean" or "median": what the centre line is, in words.
pub fn centre_name(chart: Chart) -> &'static str {
    match chart {
        Chart::Run | Chart::G => "median",
        _ => "mean",
    }
}

pub fn variation_label(v: Variation, improvement: Improvement) -> &'static str {
    match (v, improvement) {
        (Variation::CommonCause, _) => "Common cause variation",
        (Variation::Improvement, _) => "Special cause improvement",
        (Variation::Concern, _) => "Special cause concern",
        (Variation::NeutralHigh, _) => "Special cause: higher than usual",
        (Variation::NeutralLow, _) => "Special cause: lower than usual",
    }
}

pub fn assurance_label(a: Assurance) -> &'static str {
    match a {
        Assurance::ConsistentPass => "Will consistently meet the target",
        Assurance::ConsistentFail => "Will consistently miss the target",
        Assurance::Inconsistent => "Will hit and miss the target",
    }
}

/// A cycle that may explain a change in the data, for the reading.
pub struct CycleMark<'a> {
    pub title: &'a str,
    pub started: Date,
    pub ended: Option<Date>,
    pub decision: Option<Decision>,
}

fn fmt(value: f64, percent: bool) -> String {
    super::chart::format_number(value, percent)
}

/// The plain-language reading of a chart: what it shows now, then the rest of its story.
///
/// Signals and sides come from the full data; the numbers it quotes are the published
/// ones (a withheld latest value is quoted as shown, e.g. "<5 falls").
pub fn reading(view: &MeasureView, unit: &str, cycles: &[CycleMark]) -> Vec<String> {
    let a = &view.analysis;
    let shown = view.shown_analysis();
    let mut sentences = Vec::new();
    let points = &a.points;
    let Some(last) = points.iter().rposition(|p| p.y.is_some()) else {
        return vec!["There are no data to chart yet.".into()];
    };
    let centre = centre_name(view.chart);
    let unit_suffix = if unit.is_empty() || view.percent {
        String::new()
    } else {
        format!(" {unit}")
    };
    let latest = &points[last];
    let latest_value = view.value_phrase(last, &unit_suffix);
    let mut now = String::new();
    if latest.signals.is_empty() {
        let phase = &a.phases[latest.phase];
        let _ = write!(
            now,
            "Common cause variation: the latest value, {latest_value} ({}), is within the usual range",
            view.labels[last]
        );
        if let Some(c) = shown.phases[latest.phase].centre {
            let _ = write!(now, " around the {centre} of {}", fmt(c, view.percent));
        }
        now.push_str(". Nothing in the recent data suggests the process has changed.");
        if phase.runs_signal && view.chart != Chart::Mr {
            now = if view.runs_withheld(latest.phase) {
                "No single point stands out, but the runs show the process is not stable.".into()
            } else {
                format!(
                    "No single point stands out, but the runs show the process is not stable: {}.",
                    runs_problem(phase, centre)
                )
            };
        }
    } else {
        let label = variation_label(latest.variation, view.improvement);
        let signal = latest.signals[0];
        // The episode: the points with the same signal up to the latest.
        // Excluded points and gaps carry no signal but do not end a run either.
        // A shift is one side of the centre line and a trend one direction: a run
        // below the line followed by one above it are two episodes, not one.
        let side_of = |k: usize| match (points[k].y, points[k].centre) {
            (Some(y), Some(c)) => y.partial_cmp(&c),
            _ => None,
        };
        let latest_side = side_of(last);
        let mut start = last;
        let mut later = last;
        let mut direction: Option<Option<std::cmp::Ordering>> = None;
        for k in (0..last).rev() {
            let p = &points[k];
            if p.signals.contains(&signal) {
                let same_episode = match signal {
                    // Points on the line neither continue nor break a run.
                    Signal::Shift => {
                        side_of(k) == latest_side || side_of(k) == Some(std::cmp::Ordering::Equal)
                    }
                    Signal::Trend => {
                        use std::cmp::Ordering::Equal;
                        let step = points[k]
                            .y
                            .zip(points[later].y)
                            .and_then(|(a, b)| a.partial_cmp(&b));
                        // The latest step sets the direction; ties neither continue
                        // nor break it.
                        let way = *direction.get_or_insert(step);
                        step == way || step == Some(Equal) || way == Some(Equal)
                    }
                    _ => true,
                };
                if !same_episode {
                    break;
                }
                start = k;
                later = k;
            } else if !(p.excluded || p.y.is_none()) {
                break;
            }
        }
        let count = points[start..=last]
            .iter()
            .filter(|p| p.signals.contains(&signal))
            .count();
        let since = view.dates[start].display();
        let side = match (latest.y, latest.centre) {
            (Some(y), Some(c)) if y < c => "below",
            _ => "above",
        };
        let detail = match signal {
            Signal::OutsideLimits => {
                let limit = if side == "below" {
                    shown.points[last].lower
                } else {
                    shown.points[last].upper
                };
                format!(
                    "the latest value, {latest_value} ({}), is {side} the {} limit{}",
                    view.labels[last],
                    if side == "below" { "lower" } else { "upper" },
                    limit.map_or(String::new(), |l| format!(" of {}", fmt(l, view.percent)))
                )
            }
            Signal::Shift => {
                format!("{count} points in a row {side} the {centre} line since {since}")
            }
            Signal::Trend => {
                let rising = points[start].y.zip(latest.y).is_some_and(|(a, b)| b > a);
                format!(
                    "{count} points in a row {} since {since}",
                    if rising { "rising" } else { "falling" }
                )
            }
            Signal::TwoOfThree => format!(
                "2 of the last 3 points are close to the {} limit",
                if side == "below" { "lower" } else { "upper" }
            ),
        };
        now = format!("{label}: {detail}");
        let episode_start = view.dates[start];
        let explaining = cycles
            .iter()
            .filter(|c| c.started <= episode_start)
            .filter(|c| c.decision == Some(Decision::Adopt) || c.ended.is_none())
            .max_by_key(|c| c.started);
        if let Some(cycle) = explaining {
            let what = match (cycle.decision, cycle.ended) {
                (Some(Decision::Adopt), Some(_)) => "was adopted",
                _ => "started",
            };
            let _ = write!(now, ", after cycle “{}” {what}", cycle.title);
        }
        now.push('.');
    }
    sentences.push(now);

    // Earlier signals in the current phase, in a sentence.
    let phase = &shown.phases[latest.phase];
    if a.phases.len() > 1 {
        sentences.push(if view.phase_withheld(latest.phase) {
            format!(
                "The chart is in {} phases; the current one began {}.",
                a.phases.len(),
                view.dates[phase.start].display(),
            )
        } else {
            format!(
                "The chart is in {} phases; the current one began {} with a {} of {}.",
                a.phases.len(),
                view.dates[phase.start].display(),
                centre,
                phase.centre.map_or("—".into(), |c| fmt(c, view.percent))
            )
        });
    }
    if phase.trial_limits && view.chart != Chart::Run && !view.phase_withheld(latest.phase) {
        sentences.push("The limits are trial limits: they rest on fewer than 13 points, so read signals with care.".into());
    }
    if let Some(assurance) = a.assurance {
        let target = view.target.map_or(String::new(), |t| fmt(t, view.percent));
        let why = match assurance {
            Assurance::ConsistentPass => format!("the target of {target} lies outside the limits on the good side, so the process will meet it almost every time"),
            Assurance::ConsistentFail => format!("the target of {target} lies outside the limits on the wrong side, so the process will not meet it unless it changes"),
            Assurance::Inconsistent => format!("the target of {target} lies between the limits, so the process will sometimes meet it and sometimes not"),
        };
        sentences.push(format!("{}: {why}.", assurance_label(assurance)));
    } else if let (Some(target), Some(c)) = (view.target, phase.centre) {
        sentences.push(format!(
            "The target is {}; the current {centre} is {}.",
            fmt(target, view.percent),
            fmt(c, view.percent)
        ));
    }
    sentences
}

fn runs_problem(phase: &stats::PhaseResult, centre: &str) -> String {
    if phase.longest_run > phase.longest_run_max {
        format!(
            "a run of {} points on one side of the {centre} (more than {} would rarely happen by chance)",
            phase.longest_run, phase.longest_run_max
        )
    } else {
        format!(
            "the line crosses the {centre} only {} times (fewer than {} would rarely happen by chance)",
            phase.crossings, phase.crossings_min
        )
    }
}

/// A cycle that names the measure, as the chart and its list show it.
pub struct AnnotatedCycle {
    pub id: String,
    pub title: String,
    /// Site-relative page address.
    pub href: String,
    pub started: Option<Date>,
    pub ended: Option<Date>,
    pub decision: Option<Decision>,
}

/// Small-number suppression: what a published view shows in place of withheld values.
impl MeasureView {
    /// The view as published at threshold `below` (see [`crate::privacy::suppression`]):
    /// itself when suppression does not apply (threshold off, or not a chart of counts),
    /// otherwise a copy that carries the suppression plan.
    pub fn published(&self, below: usize) -> Cow<'_, MeasureView> {
        if !suppression::applies(self.chart, below) {
            return Cow::Borrowed(self);
        }
        let a = &self.analysis;
        let periods: Vec<suppression::Period> = a
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let count = self.numerators[i];
                let mut period = suppression::Period {
                    count,
                    denominator: self.denominators[i],
                    phase: p.phase,
                    in_centre: p.baseline
                        && !p.excluded
                        && p.y.is_some()
                        && a.phases.get(p.phase).is_some_and(|ph| ph.centre.is_some()),
                    lowest: None,
                    highest: None,
                };
                if let Some(mut bounds) = count.zip(p.y).and_then(|(x, y)| Bounds::new(x, y)) {
                    let y = p.y.unwrap_or_default();
                    match p.upper {
                        Some(u) if y > u => bounds.above(u),
                        Some(u) => bounds.at_most(u),
                        None => {}
                    }
                    match p.lower {
                        Some(l) if y < l => bounds.below(l),
                        Some(l) => bounds.at_least(l),
                        None => {}
                    }
                    if let Some(c) = p.centre {
                        if y == c {
                            // On the line: a reader who learns so knows the count.
                            bounds.at_least(c);
                            bounds.at_most(c);
                        }
                        let high = y > c;
                        if p.signals.contains(&Signal::Shift) && y != c {
                            if high {
                                bounds.above(c);
                            } else {
                                bounds.below(c);
                            }
                        }
                        if p.signals.contains(&Signal::TwoOfThree) {
                            match (high, p.upper_2sigma, p.lower_2sigma) {
                                (true, Some(u2), _) => bounds.above(u2),
                                (false, _, Some(l2)) => bounds.below(l2),
                                _ => {}
                            }
                        }
                    }
                    (period.lowest, period.highest) = bounds.range();
                }
                period
            })
            .collect();
        let mut view = self.clone();
        view.suppression = Some(suppression::plan(
            self.chart,
            below,
            &periods,
            a.phases.len(),
        ));
        Cow::Owned(view)
    }

    /// Why point `i`'s count is withheld, if it is.
    pub fn withheld(&self, i: usize) -> Option<Withheld> {
        self.suppression.as_ref()?.points.get(i).copied().flatten()
    }

    fn phase_withheld(&self, phase: usize) -> bool {
        self.suppression
            .as_ref()
            .is_some_and(|s| s.phases.get(phase).copied().unwrap_or(false))
    }

    /// The analysis as published: no value at withheld points, no centre line or limits
    /// in withheld phases. The full analysis when nothing is withheld.
    pub fn shown_analysis(&self) -> Cow<'_, Analysis> {
        match &self.suppression {
            Some(plan) if !plan.is_empty() => {
                let mut a = self.analysis.clone();
                for (i, p) in a.points.iter_mut().enumerate() {
                    if self.withheld(i).is_some() {
                        p.y = None;
                    }
                    if self.phase_withheld(p.phase) {
                        p.centre = None;
                        p.lower = None;
                        p.upper = None;
                        p.lower_2sigma = None;
                        p.upper_2sigma = None;
                    }
                }
                for ph in &mut a.phases {
                    if self.phase_withheld(ph.phase) {
                        ph.centre = None;
                    }
                }
                Cow::Owned(a)
            }
            _ => Cow::Borrowed(&self.analysis),
        }
    }

    /// The runs analysis's counts (points off the centre line, longest run, crossings) of
    /// a phase with a withheld count: they would tell on which side of the centre line,
    /// or on it, a withheld count lies. The verdict (`runs_signal`) stays.
    fn runs_withheld(&self, phase: usize) -> bool {
        (0..self.analysis.points.len())
            .any(|i| self.analysis.points[i].phase == phase && self.withheld(i).is_some())
    }

    fn withhold_runs(&self, phase: &mut Value) {
        for key in [
            "n_useful",
            "longest_run",
            "longest_run_max",
            "crossings",
            "crossings_min",
        ] {
            phase[key] = Value::Null;
        }
        phase["runs_withheld"] = json!(true);
    }

    fn below(&self) -> usize {
        self.suppression.as_ref().map_or(0, |s| s.below)
    }

    /// A withheld count as the table and the CSV write it: `<5`, `>15`, `withheld`.
    fn withheld_count(&self, i: usize, w: Withheld) -> String {
        suppression::shown_as(w, self.below(), self.denominators[i])
    }

    /// What stands for a withheld point's plotted value: `<5` (c), `<5 of 20` (p, pp),
    /// `<5 per 312` (u, up), `withheld` (a secondary).
    fn withheld_value(&self, i: usize, w: Withheld) -> String {
        let count = self.withheld_count(i, w);
        match (w, self.chart, self.denominators[i]) {
            (Withheld::Secondary, ..) => count,
            (_, Chart::P | Chart::Pp, Some(n)) => format!("{count} of {n}"),
            (_, Chart::U | Chart::Up, Some(n)) => format!("{count} per {n}"),
            _ => count,
        }
    }

    /// Point `i`'s value as a sentence quotes it, with `unit_suffix` where it applies.
    fn value_phrase(&self, i: usize, unit_suffix: &str) -> String {
        match self.withheld(i) {
            Some(w) if self.chart == Chart::C && w != Withheld::Secondary => {
                format!("{}{unit_suffix}", self.withheld_value(i, w))
            }
            Some(w) => self.withheld_value(i, w),
            None => format!(
                "{}{unit_suffix}",
                fmt(self.analysis.points[i].y.unwrap_or_default(), self.percent)
            ),
        }
    }

    /// The chart's markers for withheld points that had a value to plot.
    fn suppressed_marks(&self, unit: &str) -> Vec<Suppressed> {
        let unit_suffix = if unit.is_empty() || self.percent {
            String::new()
        } else {
            format!(" {unit}")
        };
        (0..self.dates.len())
            .filter(|&i| self.analysis.points[i].y.is_some())
            .filter_map(|i| {
                let w = self.withheld(i)?;
                let label = match w {
                    Withheld::Secondary | Withheld::SmallDenominator => String::new(),
                    _ => self.withheld_count(i, w),
                };
                let why = match w {
                    Withheld::Secondary => format!(
                        "not shown, so that a count below {} cannot be worked out from the centre line",
                        self.below()
                    ),
                    _ => "not shown to protect patients' privacy".into(),
                };
                Some(Suppressed {
                    point: i,
                    label,
                    tip: format!("{}, {why}", self.value_phrase(i, &unit_suffix)),
                })
            })
            .collect()
    }

    /// `and`-joined period labels of the points `indices`.
    fn period_list(&self, indices: &[usize]) -> String {
        let labels: Vec<&str> = indices.iter().map(|&i| self.labels[i].as_str()).collect();
        match labels.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            Some((last, _)) => (*last).to_string(),
            None => String::new(),
        }
    }

    /// The page's statement of what was withheld and why; `null` when nothing was.
    fn suppression_fields(&self) -> Value {
        let Some(plan) = self.suppression.as_ref().filter(|p| !p.is_empty()) else {
            return Value::Null;
        };
        let k = plan.below;
        let of = |kinds: &[Withheld]| -> Vec<usize> {
            (0..plan.points.len())
                .filter(|&i| plan.points[i].is_some_and(|w| kinds.contains(&w)))
                .collect()
        };
        let mut sentences = vec![format!(
            "Counts below {k} are not shown to protect patients' privacy; limits are computed on the full data."
        )];
        let primary = of(&[
            Withheld::Small,
            Withheld::Complement,
            Withheld::SmallDenominator,
        ]);
        if !primary.is_empty() {
            sentences.push(if primary.len() <= 12 {
                format!("Not shown: {}.", self.period_list(&primary))
            } else {
                format!(
                    "Not shown: {} of the {} periods, marked in the data table.",
                    primary.len(),
                    plan.points.len()
                )
            });
        }
        if plan.count(Withheld::Complement) > 0 {
            sentences.push(format!(
                "Nor is a count within {k} of its denominator, such as 19 of 20: it would count the few patients left out."
            ));
        }
        if plan.count(Withheld::SmallDenominator) > 0 {
            sentences.push(format!(
                "Where the denominator is below {}, only a range is shown for the count.",
                2 * k - 1
            ));
        }
        let secondary = of(&[Withheld::Secondary]);
        if !secondary.is_empty() {
            sentences.push(format!(
                "{} withheld as well ({}), so that a count below {k} cannot be worked out from the centre line.",
                if secondary.len() == 1 {
                    "One larger count is".to_string()
                } else {
                    format!("{} larger counts are", secondary.len())
                },
                self.period_list(&secondary)
            ));
        }
        let phases: Vec<usize> = (0..plan.phases.len()).filter(|&p| plan.phases[p]).collect();
        if !phases.is_empty() {
            let which = if phases.len() == plan.phases.len() {
                "The centre line and limits are".to_string()
            } else {
                let names: Vec<String> = phases
                    .iter()
                    .map(|&p| {
                        format!(
                            "phase {} (from {})",
                            p + 1,
                            self.labels[self.analysis.phases[p].start]
                        )
                    })
                    .collect();
                format!(
                    "The centre line and limits of {} are",
                    match names.split_last() {
                        Some((last, rest)) if !rest.is_empty() =>
                            format!("{} and {last}", rest.join(", ")),
                        _ => names.join(""),
                    }
                )
            };
            sentences.push(format!(
                "{which} not shown either: they would let a count below {k} be worked out."
            ));
        }
        json!({ "below": k, "sentences": sentences })
    }

    /// A short note for an embedded chart's caption when anything in `range` is withheld.
    pub fn suppression_caption(&self, range: std::ops::Range<usize>) -> Option<String> {
        let plan = self.suppression.as_ref()?;
        let any = range.clone().any(|i| self.withheld(i).is_some())
            || range
                .filter_map(|i| self.analysis.points.get(i))
                .any(|p| self.phase_withheld(p.phase));
        any.then(|| {
            format!(
                "Counts below {} are not shown to protect patients' privacy.",
                plan.below
            )
        })
    }

    /// The CSV download of a measure under suppression: one row per period as charted,
    /// withheld counts written as the table shows them. `None`: publish the source file.
    pub fn published_csv(&self, measure: &Measure) -> Option<String> {
        self.suppression.as_ref()?;
        let columns = &measure.columns;
        let has_denominator = measure.data.as_ref().is_some_and(|d| d.has_denominator);
        let has_note = self.notes.iter().any(Option::is_some);
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let mut header = vec![columns.date.as_str(), columns.value.as_str()];
        if has_denominator {
            header.push(&columns.denominator);
        }
        if has_note {
            header.push(&columns.note);
        }
        writer.write_record(&header).ok()?;
        for i in 0..self.dates.len() {
            let mut row = vec![
                self.periods[i].clone(),
                match self.withheld(i) {
                    Some(w) => self.withheld_count(i, w),
                    None => self.numerators[i]
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                },
            ];
            if has_denominator {
                row.push(
                    self.denominators[i]
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                );
            }
            if has_note {
                row.push(self.notes[i].clone().unwrap_or_default());
            }
            writer.write_record(&row).ok()?;
        }
        String::from_utf8(writer.into_inner().ok()?).ok()
    }
}

impl MeasureView {
    /// Markers for the cycles that started within the data's dates, numbered in start order.
    pub fn annotations(&self, cycles: &[AnnotatedCycle], root: &str) -> Vec<Annotation> {
        let (Some(first), Some(last)) = (self.dates.first(), self.dates.last()) else {
            return Vec::new();
        };
        cycles
            .iter()
            .filter_map(|c| Some((c, c.started.filter(|s| s >= first && s <= last)?)))
            .enumerate()
            .map(|(n, (c, start))| Annotation {
                number: n + 1,
                start,
                end: c.ended,
                label: c.title.clone(),
                href: format!("{root}{}", c.href),
            })
            .collect()
    }

    /// The CSV's notes, lettered A, B, … in date order.
    pub fn point_notes(&self) -> Vec<PointNote> {
        let letters = ('A'..='Z').chain('a'..='z');
        self.notes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_ref().map(|text| (i, text)))
            .zip(letters.chain(std::iter::repeat('*')))
            .map(|((point, text), letter)| PointNote {
                point,
                letter,
                text: text.clone(),
            })
            .collect()
    }

    /// The range of points between two dates (inclusive), for embedded charts.
    pub fn window(&self, from: Option<Date>, to: Option<Date>) -> std::ops::Range<usize> {
        let start = from.map_or(0, |f| {
            self.dates
                .iter()
                .position(|d| *d >= f)
                .unwrap_or(self.dates.len())
        });
        let end = to.map_or(self.dates.len(), |t| {
            self.dates
                .iter()
                .rposition(|d| *d <= t)
                .map_or(0, |i| i + 1)
        });
        start..end.max(start)
    }

    fn cycle_marks<'a>(&self, cycles: &'a [AnnotatedCycle]) -> Vec<CycleMark<'a>> {
        cycles
            .iter()
            .filter_map(|c| {
                Some(CycleMark {
                    title: &c.title,
                    started: c.started?,
                    ended: c.ended,
                    decision: c.decision,
                })
            })
            .collect()
    }

    /// The main chart (and, for XmR, the moving-range chart) as SVG.
    #[allow(clippy::too_many_arguments)]
    pub fn svgs(
        &self,
        id: &str,
        title: &str,
        unit: &str,
        cycles: &[AnnotatedCycle],
        root: &str,
        range: std::ops::Range<usize>,
        description: &str,
    ) -> (String, Option<String>) {
        let annotations = self.annotations(cycles, root);
        let notes = self.point_notes();
        let shown = self.shown_analysis();
        let suppressed = self.suppressed_marks(unit);
        let main = SpcChart {
            id,
            title,
            description,
            unit,
            percent: self.percent,
            dates: &self.dates,
            labels: &self.labels,
            analysis: &shown,
            range: range.clone(),
            target: self.target,
            show_limits: self.chart != Chart::Run,
            centre_label: if centre_name(self.chart) == "median" {
                "Median"
            } else {
                "Mean"
            },
            annotations: &annotations,
            notes: &notes,
            suppressed: &suppressed,
        }
        .to_svg();
        let mr = self.mr.as_ref().map(|mr| {
            let mr_title = format!("{title}: moving range");
            let mr_id = format!("{id}-mr");
            SpcChart {
                id: &mr_id,
                title: &mr_title,
                description: "The moving range: how much each value differs from the one before. Points above the upper limit are unusually large jumps.",
                unit,
                percent: self.percent,
                dates: &self.dates,
                labels: &self.labels,
                analysis: mr,
                range,
                target: None,
                show_limits: true,
                centre_label: "Mean moving range",
                annotations: &[],
                notes: &[],
                suppressed: &[],
            }
            .to_svg()
        });
        (main, mr)
    }

    /// Subgroup charts plot a statistic of several observations per period.
    fn subgroups(&self) -> bool {
        matches!(self.chart, Chart::Xbar | Chart::S)
    }

    /// How much this measure needs a reader's attention: 0 (most) to 6 (no data).
    pub fn attention(&self) -> u8 {
        match (self.analysis.variation, self.analysis.assurance) {
            (Some(Variation::Concern), _) => 0,
            (_, Some(Assurance::ConsistentFail)) => 1,
            (Some(Variation::NeutralHigh | Variation::NeutralLow), _) => 2,
            (_, Some(Assurance::Inconsistent)) => 3,
            (Some(Variation::CommonCause), _) => 4,
            (Some(Variation::Improvement), _) => 5,
            (None, _) => 6,
        }
    }

    pub fn latest(&self) -> Option<(usize, f64)> {
        self.analysis
            .points
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, p)| p.y.map(|y| (i, y)))
    }

    fn display(&self, v: Option<f64>) -> Option<String> {
        v.map(|v| fmt(v, self.percent))
    }

    /// The fields a measure page's template receives about the chart and its data.
    pub fn page_fields(
        &self,
        id: &str,
        title: &str,
        unit: &str,
        cycles: &[AnnotatedCycle],
        root: &str,
    ) -> Vec<(String, tera::Value)> {
        let mut f = serde_json::Map::new();
        let reading = reading(self, unit, &self.cycle_marks(cycles));
        let (svg, mr_svg) = self.svgs(
            id,
            title,
            unit,
            cycles,
            root,
            0..self.dates.len(),
            &reading.join(" "),
        );
        let a = self.shown_analysis();
        let notes = self.point_notes();
        let letter_of = |i: usize| {
            notes
                .iter()
                .find(|n| n.point == i)
                .map(|n| n.letter.to_string())
        };
        // Built as template values: with ~100 rows of 16 fields a measure, a JSON table
        // converted afterwards was a tenth of a measure page's time.
        let table: Vec<tera::Value> = a
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let withheld = self.withheld(i);
                let value_display = match withheld {
                    Some(w) => Some(self.withheld_count(i, w)),
                    None if self.subgroups() => self.display(p.y),
                    None => self.numerators[i].map(|v| v.to_string()),
                };
                let plotted_display = match withheld {
                    Some(_) if self.analysis.points[i].y.is_none() => None,
                    Some(w) if self.chart == Chart::C => Some(self.withheld_count(i, w)),
                    Some(_) => Some("not shown".to_string()),
                    None => self.display(p.y),
                };
                let signals: Vec<tera::Value> = p
                    .signals
                    .iter()
                    .map(|s| tera::Value::from(signal_words(*s)))
                    .collect();
                super::pages::tmap([
                    ("period", tera::Value::from(self.labels[i].as_str())),
                    ("iso", tera::Value::from(self.dates[i].to_string())),
                    ("value_display", tera::Value::from(value_display)),
                    ("suppressed", tera::Value::from(withheld.is_some())),
                    (
                        "denominator_display",
                        tera::Value::from(self.denominators[i].map(|v| v.to_string())),
                    ),
                    ("plotted_display", tera::Value::from(plotted_display)),
                    ("centre_display", tera::Value::from(self.display(p.centre))),
                    ("lower_display", tera::Value::from(self.display(p.lower))),
                    ("upper_display", tera::Value::from(self.display(p.upper))),
                    ("phase", tera::Value::from(p.phase + 1)),
                    ("excluded", tera::Value::from(p.excluded)),
                    ("baseline", tera::Value::from(p.baseline)),
                    ("signals", tera::Value::from(signals)),
                    ("variation", tera::Value::from(variation_class(p.variation))),
                    ("note", tera::Value::from(self.notes[i].clone())),
                    ("note_letter", tera::Value::from(letter_of(i))),
                ])
            })
            .collect();
        let phases: Vec<Value> = a
            .phases
            .iter()
            .map(|ph| {
                let end = &a.points[ph.end];
                let mut phase = json!({
                    "number": ph.phase + 1,
                    "from": self.labels[ph.start],
                    "to": self.labels[ph.end],
                    "centre_display": self.display(ph.centre),
                    "lower_display": self.display(end.lower),
                    "upper_display": self.display(end.upper),
                    "n_useful": ph.n_useful,
                    "longest_run": ph.longest_run,
                    "longest_run_max": ph.longest_run_max,
                    "crossings": ph.crossings,
                    "crossings_min": ph.crossings_min,
                    "runs_signal": ph.runs_signal,
                    "trial_limits": ph.trial_limits && self.chart != Chart::Run,
                });
                if self.runs_withheld(ph.phase) {
                    self.withhold_runs(&mut phase);
                }
                phase
            })
            .collect();
        let present = |v: Variation| {
            a.points
                .iter()
                .any(|p| p.y.is_some() && !p.excluded && p.variation == v)
        };
        f.insert("chart_svg".into(), json!(svg));
        f.insert("mr_svg".into(), json!(mr_svg));
        f.insert("reading".into(), json!(reading));
        f.insert("phases".into(), json!(phases));
        f.insert("centre_name".into(), json!(centre_name(self.chart)));
        f.insert("has_limits".into(), json!(self.chart != Chart::Run));
        f.insert("profile".into(), json!(self.profile.as_str()));
        f.insert(
            "legend".into(),
            json!({
                "improvement": present(Variation::Improvement),
                "concern": present(Variation::Concern),
                "neutral": present(Variation::NeutralHigh) || present(Variation::NeutralLow),
                "excluded": a.points.iter().any(|p| p.excluded),
                "runs_signal": a.phases.iter().any(|p| p.runs_signal),
                "notes": !notes.is_empty(),
                "suppressed": (0..a.points.len())
                    .any(|i| self.withheld(i).is_some() && self.analysis.points[i].y.is_some()),
            }),
        );
        f.insert("suppression".into(), self.suppression_fields());
        f.insert(
            "chart_notes".into(),
            json!(notes.iter().map(|n| json!({ "letter": n.letter.to_string(), "period": self.labels[n.point], "text": n.text })).collect::<Vec<_>>()),
        );
        f.extend(self.summary_fields());
        let mut fields: Vec<(String, tera::Value)> = f
            .into_iter()
            .map(|(key, value)| (key, tera::Value::from_serializable(&value)))
            .collect();
        fields.push(("points".into(), tera::Value::from(table)));
        fields
    }

    /// What a listing shows of the measure: latest value, icons and a sparkline.
    pub fn summary_fields(&self) -> serde_json::Map<String, Value> {
        let mut f = serde_json::Map::new();
        let a = &self.analysis;
        let latest = self.latest().map(|(i, y)| {
            let mut latest = json!({ "period": self.labels[i], "iso": self.dates[i].to_string() });
            match self.withheld(i) {
                Some(w) => {
                    latest["display"] = json!(self.withheld_value(i, w));
                    latest["suppressed"] = json!(true);
                    latest["suppressed_note"] = json!(format!(
                        "Counts below {} are not shown to protect patients' privacy",
                        self.below()
                    ));
                }
                None => latest["display"] = json!(fmt(y, self.percent)),
            }
            latest
        });
        f.insert("latest".into(), json!(latest));
        f.insert(
            "variation".into(),
            json!(a.variation.map(|v| json!({
                "name": v.as_str(),
                "label": variation_label(v, self.improvement),
                "icon": variation_icon(v, self.improvement),
            }))),
        );
        f.insert(
            "assurance".into(),
            json!(a.assurance.map(|x| json!({ "name": x.as_str(), "label": assurance_label(x), "icon": assurance_icon(x) }))),
        );
        f.insert("attention".into(), json!(self.attention()));
        let shown = self.shown_analysis();
        let tail = shown.points.len().saturating_sub(52);
        let ys: Vec<Option<f64>> = shown.points[tail..].iter().map(|p| p.y).collect();
        f.insert("sparkline".into(), json!(sparkline(&ys, a.variation)));
        f
    }

    /// `/measures/<id>/data.json`: the chart's numbers, a contract other tools rely on.
    pub fn data_json<'a>(
        &'a self,
        id: &'a str,
        title: &'a str,
        measure: &'a Measure,
        cycles: &[AnnotatedCycle],
    ) -> DataJson<'a> {
        let a = self.shown_analysis();
        let suppressing = self.suppression.is_some();
        let signals = |p: &PointResult| p.signals.iter().map(|s| s.as_str()).collect();
        let points = a
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let withheld = self.withheld(i);
                DataPoint {
                    baseline: p.baseline,
                    centre: p.centre,
                    denominator: self.denominators[i],
                    excluded: p.excluded,
                    lower: p.lower,
                    lower_2sigma: p.lower_2sigma,
                    note: &self.notes[i],
                    numerator: if withheld.is_some() {
                        None
                    } else {
                        self.numerators[i]
                    },
                    phase: p.phase + 1,
                    signals: signals(p),
                    suppressed: suppressing.then_some(withheld.is_some()),
                    suppressed_as: withheld
                        .filter(|_| suppressing)
                        .map(|w| self.withheld_count(i, w)),
                    upper: p.upper,
                    upper_2sigma: p.upper_2sigma,
                    value: p.y,
                    variation: p.variation.as_str(),
                    x: self.dates[i].to_string(),
                }
            })
            .collect();
        let phases: Vec<Value> = a
            .phases
            .iter()
            .map(|ph| {
                let mut phase = json!({
                    "phase": ph.phase + 1,
                    "from": self.dates[ph.start].to_string(),
                    "to": self.dates[ph.end].to_string(),
                    "centre": ph.centre,
                    "n_useful": ph.n_useful,
                    "longest_run": ph.longest_run,
                    "longest_run_max": ph.longest_run_max,
                    "crossings": ph.crossings,
                    "crossings_min": ph.crossings_min,
                    "runs_signal": ph.runs_signal,
                    "trial_limits": ph.trial_limits,
                });
                if self.runs_withheld(ph.phase) {
                    self.withhold_runs(&mut phase);
                }
                if suppressing {
                    phase["suppressed"] = json!(self.phase_withheld(ph.phase));
                }
                phase
            })
            .collect();
        let annotations: Vec<Value> = cycles
            .iter()
            .filter(|c| c.started.is_some())
            .map(|c| json!({ "x": c.started.map(|d| d.to_string()), "to": c.ended.map(|d| d.to_string()), "cycle": c.id, "title": c.title, "url": format!("/{}", c.href) }))
            .collect();
        let moving_range = self.mr.as_ref().map(|mr| {
            mr.points
                .iter()
                .enumerate()
                .map(|(i, p)| MovingRangePoint {
                    centre: p.centre,
                    lower: p.lower,
                    phase: p.phase + 1,
                    signals: signals(p),
                    upper: p.upper,
                    value: p.y,
                    variation: p.variation.as_str(),
                    x: self.dates[i].to_string(),
                })
                .collect()
        });
        DataJson {
            annotations,
            assurance: a.assurance.map(|x| x.as_str()),
            chart: measure.chart.as_str(),
            id,
            improvement: measure.improvement.as_str(),
            moving_range,
            multiply: measure.multiply,
            phases,
            points,
            rules: self.profile.as_str(),
            suppress_below: self.suppression.as_ref().map(|plan| plan.below),
            target: measure.target,
            title,
            unit: &measure.unit,
            variation: a.variation.map(|v| v.as_str()),
        }
    }
}

/// A measure's `data.json`. Serialized straight from these rather than through a JSON
/// value (a tenth of a measure page's time): fields are in alphabetical order, the
/// order the value's sorted maps gave, so the file is unchanged.
#[derive(Serialize)]
pub struct DataJson<'a> {
    annotations: Vec<Value>,
    assurance: Option<&'static str>,
    chart: &'static str,
    id: &'a str,
    improvement: &'static str,
    moving_range: Option<Vec<MovingRangePoint>>,
    multiply: f64,
    phases: Vec<Value>,
    points: Vec<DataPoint<'a>>,
    rules: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppress_below: Option<usize>,
    target: Option<f64>,
    title: &'a str,
    unit: &'a Option<String>,
    variation: Option<&'static str>,
}

#[derive(Serialize)]
struct DataPoint<'a> {
    baseline: bool,
    centre: Option<f64>,
    denominator: Option<f64>,
    excluded: bool,
    lower: Option<f64>,
    lower_2sigma: Option<f64>,
    note: &'a Option<String>,
    numerator: Option<f64>,
    phase: usize,
    signals: Vec<&'static str>,
    /// Present when suppression applies to the measure.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_as: Option<String>,
    upper: Option<f64>,
    upper_2sigma: Option<f64>,
    value: Option<f64>,
    variation: &'static str,
    x: String,
}

#[derive(Serialize)]
struct MovingRangePoint {
    centre: Option<f64>,
    lower: Option<f64>,
    phase: usize,
    signals: Vec<&'static str>,
    upper: Option<f64>,
    value: Option<f64>,
    variation: &'static str,
    x: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::items::default_measure;
    use crate::content::measure_data::{DataPoint, MeasureData};

    fn measure(chart: ChartType, values: &[(u32, Option<f64>, Option<f64>)]) -> Measure {
        let mut m = default_measure("measures/m.csv".into());
        m.chart = chart;
        m.data = Some(MeasureData {
            points: values
                .iter()
                .map(|(day, v, d)| DataPoint {
                    date: Date::new(2026, 1, *day).unwrap(),
                    period: String::new(),
                    granularity: crate::date::Granularity::Day,
                    value: *v,
                    denominator: *d,
                    note: None,
                    line: 2,
                })
                .collect(),
            has_denominator: values.iter().any(|v| v.2.is_some()),
            raw: String::new(),
        });
        m
    }

    #[test]
    fn sums_repeated_periods_of_count_charts() {
        let m = measure(
            ChartType::P,
            &[
                (5, Some(3.0), Some(10.0)),
                (5, Some(2.0), Some(10.0)),
                (12, Some(4.0), Some(10.0)),
            ],
        );
        let view = analyse(&m, RuleProfile::Anhoej).unwrap();
        assert_eq!(view.dates.len(), 2);
        assert_eq!(view.numerators[0], Some(5.0));
        assert_eq!(view.denominators[0], Some(20.0));
        assert_eq!(view.analysis.points[0].y, Some(0.25));
    }

    #[test]
    fn rebase_dates_start_phases_at_the_first_point_on_or_after_them() {
        let mut m = measure(
            ChartType::I,
            &(1..=20)
                .map(|d| (d, Some(f64::from(d % 3)), None))
                .collect::<Vec<_>>(),
        );
        m.rebase = vec![Date::new(2026, 1, 10).unwrap()];
        m.exclude = vec![Date::new(2026, 1, 4).unwrap()];
        let view = analyse(&m, RuleProfile::Mdc).unwrap();
        assert_eq!(view.analysis.phases.len(), 2);
        assert_eq!(view.analysis.phases[1].start, 9);
        assert!(view.analysis.points[3].excluded);
    }

    #[test]
    fn reads_a_shift_in_plain_words_naming_the_adopted_cycle() {
        let mut values: Vec<(u32, Option<f64>, Option<f64>)> = (1..=12)
            .map(|d| (d, Some(10.0 + f64::from(d % 2)), None))
            .collect();
        values.extend((13..=22).map(|d| (d, Some(5.0 + f64::from(d % 2) * 0.5), None)));
        let mut m = measure(ChartType::I, &values);
        m.improvement = Improvement::Decrease;
        let view = analyse(&m, RuleProfile::Mdc).unwrap();
        let cycles = [CycleMark {
            title: "Falls huddle",
            started: Date::new(2026, 1, 10).unwrap(),
            ended: Some(Date::new(2026, 1, 12).unwrap()),
            decision: Some(Decision::Adopt),
        }];
        let text = reading(&view, "falls", &cycles);
        assert!(
            text[0].starts_with("Special cause improvement: "),
            "{text:?}"
        );
        assert!(
            text[0].contains("after cycle “Falls huddle” was adopted"),
            "{text:?}"
        );
    }

    #[test]
    fn reads_common_cause_when_nothing_stands_out() {
        let values: Vec<_> = (1..=20)
            .map(|d| (d, Some(10.0 + f64::from(d % 3)), None))
            .collect();
        let view = analyse(&measure(ChartType::I, &values), RuleProfile::Mdc).unwrap();
        let text = reading(&view, "minutes", &[]);
        assert!(
            text[0]
                .starts_with("Common cause variation: the latest value, 12 minutes (20 Jan 2026)"),
            "{text:?}"
        );
    }
}

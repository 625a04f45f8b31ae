//! Compute: the statistics behind the charts — run charts and SPC control charts as qicharts2
//! and NHS "Making Data Count" compute them. Pure functions over numbers, no I/O.
//!
//! [`analyse`] takes one measure's periods ([`Input`]) and returns every point's centre,
//! limits and signals, each phase's runs analysis, and the variation and assurance icons
//! ([`Analysis`]). Sources: qicharts2 0.8.1 (R/helper.functions.R) and NHSRplotthedots 0.2.2
//! (R/ptd_spc_standard.R, R/ptd_calculate_point_type.R, R/ptd_calculate_assurance_type.R).
//! `tests/data/qi/` holds the packages' reference cases (its README says where each came
//! from), checked to 1e-6 by `tests/stats_vectors.rs`.
//!
//! Choices where the methods leave room:
//! - **Phases** start at `phase_starts` (0 implied; out-of-range and repeated starts are
//!   ignored). Each has its own centre, limits and runs analysis, as qicharts2 `part`.
//! - **Freeze** applies within each phase: the first k points of every phase are its
//!   baseline (NHSRplotthedots `fix_after_n_points`; qicharts2 ignores freeze with parts).
//!   `Some(0)` means no freeze.
//! - **Excluded** points are plotted and tested against the limits, but take no part in
//!   the centre, the limits, the runs analysis or the MDC sequence rules (they are skipped,
//!   so they do not break a run). A moving range spans an excluded point (qicharts2
//!   differences `y[base]`).
//! - **Gaps** (no value, non-finite values, a missing, zero or negative denominator, a
//!   negative time on a t chart) are not plotted, break moving ranges, and are skipped by
//!   the runs analysis (qicharts2 drops `NA`) and the sequence rules. Ratio and subgroup
//!   charts draw no limits at a gap; the others draw the phase's constant limits there.
//! - **Several values in one period**: xbar and s charts take them as the subgroup; c, p,
//!   pp, u and up charts sum them (numerators); the others take their mean (qicharts2's
//!   default `agg.fun`).
//! - **Zero sigma** (all values equal, a proportion of 0 or 1): the limits equal the
//!   centre line. Comparisons are strict, so points on the line raise no signal. qicharts2,
//!   with moving ranges screened, would drop every range of 0 and draw no limits at all.
//! - **t charts** plot the time itself but test (y^(1/3.6))^3.6 against the back-transformed
//!   centre and limits, as qicharts2 plots and tests it. A time of 0 is allowed (qicharts2
//!   stops on times <= 0); a negative time is a gap.
//! - **multiply** scales y, centre and limits after all decisions, which are taken on the
//!   unscaled values as qicharts2 does; a multiplier that is not a positive number counts
//!   as 1. `target` is in the scaled units.
//! - **Profiles**: both run the Anhøj runs analysis per phase. [`Profile::Anhoej`] flags
//!   points outside the limits and the points of a run longer than `longest_run_max` when
//!   the phase has a runs signal (qicharts2 never has one on mr charts). [`Profile::Mdc`]
//!   uses 2.66 AMR for i and t charts and flags the four MDC rules on any chart with that
//!   chart's own 3- and 2-sigma limits (run charts: shift and trend only).
//! - A point's **variation** comes from its first signal in MDC priority order: outside
//!   limits, trend, two of three, shift (`ptd_special_cause_type`). The analysis's variation
//!   is that of the last point with a value; **assurance** is computed under the MDC profile
//!   only, from the last point of the last phase that has both limits.
//! - **Trial limits**: a phase whose limits rest on fewer than 13 values (baseline, not
//!   excluded, not gaps). NHSRplotthedots warns below 12 points.

mod limits;
pub mod mdc;
mod runs;
mod special;

pub use runs::{crossings_min, longest_run_max};

use limits::Sample;

/// The median, the centre line of a run chart. `None` when there are no values.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// Phases whose limits rest on fewer values than this have trial limits (REFERENCE.md).
const TRIAL_LIMITS_BELOW: usize = 13;

/// The chart types of qicharts2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Chart {
    /// Run chart: median centre line, no limits.
    Run,
    /// Individuals (XmR under the MDC profile).
    I,
    /// Moving ranges of individuals.
    Mr,
    /// Subgroup means.
    Xbar,
    /// Subgroup standard deviations.
    S,
    /// Time between rare events.
    T,
    /// Proportions.
    P,
    /// Laney's P′ (proportions, large denominators).
    Pp,
    /// Counts.
    C,
    /// Rates.
    U,
    /// Laney's U′ (rates, large denominators).
    Up,
    /// Opportunities (cases) between rare events.
    G,
}

impl Chart {
    /// The qicharts2 name.
    pub fn as_str(self) -> &'static str {
        match self {
            Chart::Run => "run",
            Chart::I => "i",
            Chart::Mr => "mr",
            Chart::Xbar => "xbar",
            Chart::S => "s",
            Chart::T => "t",
            Chart::P => "p",
            Chart::Pp => "pp",
            Chart::C => "c",
            Chart::U => "u",
            Chart::Up => "up",
            Chart::G => "g",
        }
    }
}

/// Which rules raise point signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// qicharts2: outside 3-sigma limits, and Anhøj's runs rules.
    Anhoej,
    /// NHS Making Data Count: outside limits, shift, trend, two of three.
    Mdc,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Anhoej => "anhoej",
            Profile::Mdc => "mdc",
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Increase,
    Decrease,
    Neutral,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Neutral => "neutral",
        }
    }
}

/// One period (one plotted point) of a measure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Period {
    /// xbar and s charts: the subgroup's observations. Otherwise no value (a gap) or one
    /// value: the individual value, the count, or the numerator of a ratio chart.
    pub values: Vec<f64>,
    /// The denominator of p, pp, u and up charts; ignored by the others.
    pub denominator: Option<f64>,
}

impl Period {
    /// A single value.
    pub fn value(value: f64) -> Period {
        Period {
            values: vec![value],
            denominator: None,
        }
    }

    /// A period without data: a gap.
    pub fn missing() -> Period {
        Period::default()
    }

    /// A numerator over a denominator (p, pp, u, up).
    pub fn ratio(numerator: f64, denominator: f64) -> Period {
        Period {
            values: vec![numerator],
            denominator: Some(denominator),
        }
    }

    /// A subgroup's observations (xbar, s).
    pub fn subgroup(observations: Vec<f64>) -> Period {
        Period {
            values: observations,
            denominator: None,
        }
    }
}

/// What to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct Input<'a> {
    pub chart: Chart,
    pub periods: &'a [Period],
    /// Indices of the points where a new phase starts (a rebase); 0 is implied.
    pub phase_starts: &'a [usize],
    /// The baseline: the first k points of each phase give its centre and limits.
    pub freeze: Option<usize>,
    /// Per point, whether it is excluded; missing entries count as not excluded.
    pub excluded: &'a [bool],
    /// Factor on y, centre and limits (e.g. 100 for per cent, 1000 per 1000 bed days).
    pub multiply: f64,
    pub profile: Profile,
    pub direction: Direction,
    /// The target, in plotted units (after `multiply`).
    pub target: Option<f64>,
    /// Drop moving ranges at or above 3.267 AMR before computing the limits of i, t, pp and
    /// up charts (Nelson 1982). On by default, as both qicharts2 (when attached) and
    /// NHSRplotthedots (`screen_outliers`) do.
    pub screen_moving_ranges: bool,
}

impl<'a> Input<'a> {
    /// A chart of `periods` with the defaults: one phase, no freeze, nothing excluded,
    /// multiply 1, the Anhøj profile, neutral direction, no target, screened moving ranges.
    pub fn new(chart: Chart, periods: &'a [Period]) -> Input<'a> {
        Input {
            chart,
            periods,
            phase_starts: &[],
            freeze: None,
            excluded: &[],
            multiply: 1.0,
            profile: Profile::Anhoej,
            direction: Direction::Neutral,
            target: None,
            screen_moving_ranges: true,
        }
    }
}

/// Why a point is special.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    /// Above the upper or below the lower 3-sigma limit (strictly).
    OutsideLimits,
    /// Anhøj: in a run longer than the phase allows. MDC: in 7 or more points in a row on
    /// one side of the centre line.
    Shift,
    /// MDC: in 7 or more points in a row strictly rising or falling.
    Trend,
    /// MDC: 2 of 3 points in a row beyond 2 sigma on the same side (this one among them).
    TwoOfThree,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::OutsideLimits => "outside_limits",
            Signal::Shift => "shift",
            Signal::Trend => "trend",
            Signal::TwoOfThree => "two_of_three",
        }
    }
}

/// The variation icon of a point (Making Data Count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variation {
    CommonCause,
    /// Special cause in the better direction.
    Improvement,
    /// Special cause in the worse direction.
    Concern,
    /// Special cause, high side, no better direction.
    NeutralHigh,
    /// Special cause, low side, no better direction.
    NeutralLow,
}

impl Variation {
    pub fn as_str(self) -> &'static str {
        match self {
            Variation::CommonCause => "common_cause",
            Variation::Improvement => "improvement",
            Variation::Concern => "concern",
            Variation::NeutralHigh => "neutral_high",
            Variation::NeutralLow => "neutral_low",
        }
    }
}

/// The assurance icon: will the process meet its target?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assurance {
    ConsistentPass,
    ConsistentFail,
    /// The target lies between (or on) the limits: hit and miss.
    Inconsistent,
}

impl Assurance {
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::ConsistentPass => "consistent_pass",
            Assurance::ConsistentFail => "consistent_fail",
            Assurance::Inconsistent => "inconsistent",
        }
    }
}

/// One point of the chart. Values are in plotted units (after `multiply`); `None` where not
/// defined (a gap's y, a run chart's limits, a phase without baseline data).
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// The plotted statistic (the moving range on mr charts, the subgroup's standard
    /// deviation on s charts, numerator / denominator on ratio charts).
    pub y: Option<f64>,
    pub centre: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub lower_2sigma: Option<f64>,
    pub upper_2sigma: Option<f64>,
    /// Index of the point's phase in [`Analysis::phases`].
    pub phase: usize,
    /// Among the points that give the phase its centre and limits (before exclusion).
    pub baseline: bool,
    pub excluded: bool,
    /// In priority order (outside limits, trend, two of three, shift); empty: common cause.
    pub signals: Vec<Signal>,
    pub variation: Variation,
}

/// One phase (a qicharts2 part, an MDC rebase group) and its Anhøj runs analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseResult {
    /// Index in [`Analysis::phases`], from 0.
    pub phase: usize,
    /// First and last point (inclusive) of the phase.
    pub start: usize,
    pub end: usize,
    pub centre: Option<f64>,
    /// Points taking part in the runs analysis: not excluded (gaps included, as qicharts2).
    pub n_obs: usize,
    /// Of those, the points with a value off the centre line.
    pub n_useful: usize,
    /// The runs fields are 0 when `n_useful` is 0 (qicharts2: `NA`).
    pub longest_run: usize,
    pub longest_run_max: usize,
    pub crossings: usize,
    pub crossings_min: usize,
    /// longest_run > longest_run_max or crossings < crossings_min; false on mr charts.
    pub runs_signal: bool,
    /// The limits rest on fewer than 13 values.
    pub trial_limits: bool,
}

/// The analysis of one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub points: Vec<PointResult>,
    pub phases: Vec<PhaseResult>,
    /// The variation of the last point with a value.
    pub variation: Option<Variation>,
    /// Under the MDC profile, with a target and a better direction, on a chart with limits.
    pub assurance: Option<Assurance>,
}

/// Which side of the centre line a signal points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    High,
    Low,
}

/// Analyse one measure: centre lines, limits, signals, runs analysis, icons. Never panics;
/// an empty series gives an empty analysis.
pub fn analyse(input: &Input) -> Analysis {
    let n = input.periods.len();
    let multiply = if input.multiply.is_finite() && input.multiply > 0.0 {
        input.multiply
    } else {
        1.0
    };
    let scale = |v: Option<f64>| v.map(|x| x * multiply).filter(|x| x.is_finite());
    let samples: Vec<Sample> = input
        .periods
        .iter()
        .map(|p| Sample::new(input.chart, p))
        .collect();

    let mut points = Vec::with_capacity(n);
    let mut phases = Vec::new();
    for (phase, (start, end)) in phase_bounds(n, input.phase_starts).into_iter().enumerate() {
        let len = end - start;
        let excluded: Vec<bool> = (start..end)
            .map(|i| input.excluded.get(i).copied().unwrap_or(false))
            .collect();
        let included: Vec<bool> = excluded.iter().map(|e| !e).collect();
        let baseline: Vec<bool> = (0..len)
            .map(|j| match input.freeze {
                Some(k) if k > 0 => j < k,
                _ => true,
            })
            .collect();
        let base: Vec<bool> = baseline
            .iter()
            .zip(&included)
            .map(|(&b, &i)| b && i)
            .collect();
        let lim = limits::compute(
            input.chart,
            input.profile,
            input.screen_moving_ranges,
            &samples[start..end],
            &base,
        );

        let sides: Vec<Option<i8>> = lim
            .tested
            .iter()
            .map(|y| sign(y.as_ref()? - lim.centre?))
            .collect();
        let runs = runs::analyse(&sides, &included);
        // qicharts2 qic.agg: "Ignore runs analysis if ... chart type is MR".
        let runs_signal = runs.signal && input.chart != Chart::Mr;

        let outside: Vec<Option<Side>> = (0..len)
            .map(|j| {
                let y = lim.tested[j]?;
                if lim.upper[j].is_some_and(|u| y > u) {
                    Some(Side::High)
                } else if lim.lower[j].is_some_and(|l| y < l) {
                    Some(Side::Low)
                } else {
                    None
                }
            })
            .collect();
        let mut signals: Vec<Vec<(Signal, Side)>> = outside
            .iter()
            .map(|o| {
                o.map(|side| vec![(Signal::OutsideLimits, side)])
                    .unwrap_or_default()
            })
            .collect();

        match input.profile {
            Profile::Anhoej => {
                if runs_signal {
                    for j in (0..len).filter(|&j| runs.in_long_run[j]) {
                        let side = if sides[j] == Some(1) {
                            Side::High
                        } else {
                            Side::Low
                        };
                        signals[j].push((Signal::Shift, side));
                    }
                }
            }
            Profile::Mdc => {
                // The sequence rules run over the included points with a value, in order.
                let active: Vec<(usize, mdc::RulePoint)> = (0..len)
                    .filter(|&j| included[j])
                    .filter_map(|j| {
                        let (y, side) = (lim.tested[j]?, sides[j]?);
                        let beyond_2sigma = lim.upper_2sigma[j].is_some_and(|u| y > u)
                            || lim.lower_2sigma[j].is_some_and(|l| y < l);
                        let close = outside[j].is_none() && beyond_2sigma;
                        Some((j, mdc::RulePoint { y, side, close }))
                    })
                    .collect();
                let rule_points: Vec<mdc::RulePoint> = active.iter().map(|(_, p)| *p).collect();
                for ((j, _), found) in active.iter().zip(mdc::sequence_signals(&rule_points)) {
                    signals[*j].extend(found);
                }
            }
        }

        // Values the limits rest on (an mr chart's: the individual values, not the ranges).
        let n_base_values = (0..len)
            .filter(|&j| base[j])
            .filter(|&j| match input.chart {
                Chart::Mr => samples[start + j].value.is_some(),
                _ => lim.y[j].is_some(),
            })
            .count();
        phases.push(PhaseResult {
            phase,
            start,
            end: end - 1,
            centre: scale(lim.centre),
            n_obs: runs.n_obs,
            n_useful: runs.n_useful,
            longest_run: runs.longest_run,
            longest_run_max: runs.longest_run_max,
            crossings: runs.crossings,
            crossings_min: runs.crossings_min,
            runs_signal,
            trial_limits: input.chart != Chart::Run && n_base_values < TRIAL_LIMITS_BELOW,
        });

        for (j, found) in signals.into_iter().enumerate() {
            let variation = variation(found.first().map(|&(_, side)| side), input.direction);
            points.push(PointResult {
                y: scale(lim.y[j]),
                centre: scale(lim.centre),
                lower: scale(lim.lower[j]),
                upper: scale(lim.upper[j]),
                lower_2sigma: scale(lim.lower_2sigma[j]),
                upper_2sigma: scale(lim.upper_2sigma[j]),
                phase,
                baseline: baseline[j],
                excluded: excluded[j],
                signals: found.into_iter().map(|(signal, _)| signal).collect(),
                variation,
            });
        }
    }

    let variation = points
        .iter()
        .rev()
        .find(|p| p.y.is_some())
        .map(|p| p.variation);
    let assurance = match input.target {
        Some(target) if input.profile == Profile::Mdc && target.is_finite() => {
            let last_phase = phases.len().checked_sub(1);
            points
                .iter()
                .rev()
                .take_while(|p| Some(p.phase) == last_phase)
                .find_map(|p| Some((p.lower?, p.upper?)))
                .and_then(|(lower, upper)| mdc::assurance(lower, upper, target, input.direction))
        }
        _ => None,
    };

    Analysis {
        points,
        phases,
        variation,
        assurance,
    }
}

/// (start, end exclusive) of each phase.
fn phase_bounds(n: usize, starts: &[usize]) -> Vec<(usize, usize)> {
    if n == 0 {
        return Vec::new();
    }
    let mut cuts: Vec<usize> = starts.iter().copied().filter(|&s| s > 0 && s < n).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut bounds = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        bounds.push((start, cut));
        start = cut;
    }
    bounds.push((start, n));
    bounds
}

/// R's `sign`, `None` for NaN.
fn sign(d: f64) -> Option<i8> {
    if d > 0.0 {
        Some(1)
    } else if d < 0.0 {
        Some(-1)
    } else if d == 0.0 {
        Some(0)
    } else {
        None
    }
}

/// The variation icon of a point whose first signal points to `side` (`None`: no signal).
fn variation(side: Option<Side>, direction: Direction) -> Variation {
    match (side, direction) {
        (None, _) => Variation::CommonCause,
        (Some(Side::High), Direction::Increase) | (Some(Side::Low), Direction::Decrease) => {
            Variation::Improvement
        }
        (Some(Side::Low), Direction::Increase) | (Some(Side::High), Direction::Decrease) => {
            Variation::Concern
        }
        (Some(Side::High), Direction::Neutral) => Variation::NeutralHigh,
        (Some(Side::Low), Direction::Neutral) => Variation::NeutralLow,
    }
}

#[cfg(test)]
mod tests;

//! Small-number suppression (statistical disclosure control): counts of patients between
//! 1 and K − 1 are never published, where K is `privacy: { suppress_below: K }` in
//! `cyclebook.yml` or `suppress_below: K` on a measure (which wins; 0 turns it off for that
//! measure). Off by default: with K unset, 0 or 1 nothing changes.
//!
//! # What is published
//!
//! Suppression applies to the charts of counts: **c** (counts of events), **p** and **pp**
//! (numerators: patients with a characteristic, out of a denominator) and **u** and **up**
//! (numerators: events, over an exposure). The other charts plot measurements, not counts,
//! and are published as they are: run, i, xmr, mr, xbar, s, t (time between events) and
//! **g** (cases between events: a g value counts the patients *between* two events, who
//! share no characteristic; each point of a g or t chart is itself one event, which no
//! suppression of values can hide, so those charts need `visibility: internal` or coarser
//! data when events are identifying).
//!
//! 1. **Small counts.** A period's count (the per-period sum of its rows) above 0 and below
//!    K is shown as `<K` in the data table, the CSV download, tooltips, labels, the reading
//!    and the "latest" fact and tiles; `data.json` has `"numerator": null`,
//!    `"value": null`, `"suppressed": true` and `"suppressed_as": "<K"`. Zero is published:
//!    it identifies no one.
//! 2. **Small complements (p and pp).** Those *not* counted are people too: 19 of 20 says
//!    that 1 patient was not screened. A count whose denominator less the count is above 0
//!    and below K is shown as `>D` where D is the denominator less K (`>15` for 19 of 20).
//!    Below a denominator n of 2K − 1 the two would overlap or pin a count down (of 6,
//!    `>1` could only be 5), so there every withheld count of n is shown as the same
//!    range, `1 to n−1` (of 6: `1 to 5`; 0 and 6 are published), or, below a denominator
//!    of K, where 0 leaves fewer than K out and every count is withheld, `0 to n`.
//! 3. **The plotted value** of a withheld count is withheld with it: a proportion or rate
//!    times its published denominator gives the count back. Denominators are published:
//!    they count those eligible or the exposure (admissions, bed days), not people with the
//!    characteristic charted; with rules 1 and 2 nothing about the people counted can be
//!    read from them (a denominator below K withholds every count over it, since either
//!    the count or its complement is then below K); and p and u chart limits are
//!    p̄ ± 3√(p̄(1 − p̄)/n) and ū ± 3√(ū/n), so a denominator can be read off its point's
//!    limits anyway.
//! 4. **Centre lines and limits are computed on the full data**, suppressed counts
//!    included, so the chart stays honest; signals too. But what is published about a
//!    withheld count can still give it away, so the plan models a reader who knows these
//!    rules and reads every published number. Such a reader knows each `<K` is 1 to K − 1
//!    and each `>D` is D + 1 to the denominator less 1; from a point's published limits and
//!    signals, that its count lies within its limits or outside them (beyond 2 sigma for
//!    "2 of 3 close to a limit", on one side of the centre line in a shift); and that a
//!    centre line is a total in disguise (the mean of a c chart times its number of
//!    points, p̄ or ū times the sum of the denominators), from which the published counts
//!    of its phase (the baseline points that are not excluded and have a value) can be
//!    subtracted. Per phase, then:
//!    - a withheld count its own limits and signals pin down (a count below 5 above an
//!      upper limit of 3.5 is 4) takes the phase's centre line and limits with it;
//!    - so does a phase whose total count (or, on p charts, total complement) is itself
//!      above 0 and below K, and, on Laney pp and up charts, any phase with a withheld
//!      count: their limits carry a factor computed from the moving ranges of every point,
//!      a second equation;
//!    - otherwise, while the total would still pin a withheld count down exactly, the
//!      smallest remaining count of K or more in the phase (and, on p charts, of K or more
//!      below its denominator) is withheld too, shown as `withheld` (secondary
//!      suppression; the reader knows each secondary is K or more but no more than the
//!      counts still published); if none is left, the phase's centre line and limits go.
//!
//!    A phase's centre line and limits that are not published are `null` in `data.json`
//!    (the phase has `"suppressed": true`), are not drawn and are not quoted. What is
//!    guarded against is exact recovery: published limits and signals may still narrow a
//!    withheld count (say, to 3 or 4). A count exactly on its centre line is taken as
//!    known. The runs analysis's counts of a phase that holds a withheld count (points off
//!    the centre line, longest run, crossings, and the expected values derived from them)
//!    are not published (`null`, with `"runs_withheld": true`): they would tell on which
//!    side of the centre line a withheld count lies; its verdict, `runs_signal`, is. The
//!    trend rule is not modelled: a trend of seven rising points through withheld counts
//!    orders them.
//! 5. **Charts** break the line at a withheld point and draw a hollow marker in a band at
//!    the foot of the plot instead, labelled `<K` or `>D` where there is room (ranges
//!    and secondaries have no label),
//!    whose tooltip says `<K` and why; the axis ignores withheld values; sparklines leave
//!    a gap.
//! 6. **The CSV download** of a measure under suppression is regenerated, one row per
//!    period as charted (rows of one period summed), with the measure's date, value,
//!    denominator and note columns and withheld cells written as above; other columns of
//!    the source file are not published. Without suppression it is the source file.
//!
//! The measure page says, near the chart, which values were withheld and why; an embedded
//! chart's caption says counts below K are not shown.
//!
//! K must be 3 or more to hide anything: with 0 published, `<2` can only be 1.
//!
//! Suppression protects the built site only: a public repository publishes the source
//! CSV. [`small_counts_without_suppression`] (`W0601`) warns when a chart of counts has
//! small counts and suppression is off.

use crate::content::items::{ChartType, Item};
use crate::diagnostics::{Diagnostic, Pos};
use crate::stats::Chart;

/// `check` warns (W0601) about counts from 1 to this on charts of counts with suppression
/// off.
pub const SMALL_COUNT_WARNING_MAX: f64 = 9.0;

/// The threshold K for a measure: its own `suppress_below`, else the site's.
pub fn threshold(site: usize, measure: Option<usize>) -> usize {
    measure.unwrap_or(site)
}

/// Whether counts of this chart are suppressed at threshold `below` (K of 2 or more).
pub fn applies(chart: Chart, below: usize) -> bool {
    below >= 2 && counts(chart)
}

/// The charts whose values (c) or numerators (p, pp, u, up) are counts.
pub fn counts(chart: Chart) -> bool {
    matches!(
        chart,
        Chart::C | Chart::P | Chart::Pp | Chart::U | Chart::Up
    )
}

fn counts_type(chart: ChartType) -> bool {
    matches!(
        chart,
        ChartType::C | ChartType::P | ChartType::Pp | ChartType::U | ChartType::Up
    )
}

/// Above 0 and below K.
pub fn is_small(count: f64, below: usize) -> bool {
    count > 0.0 && count < below as f64
}

/// Why a period's count is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// Above 0 and below K: shown as `<K`.
    Small,
    /// p and pp charts: the denominator less the count is above 0 and below K; shown as
    /// `>D`, D being the denominator less K.
    Complement,
    /// p and pp charts with a denominator n below 2K − 1, where `<K` and `>D` would
    /// overlap or be too narrow (of 6, `>1` could only be 5): every count but 0 and n
    /// (every count, if n is below K) is withheld, shown as the range `1 to n−1` (or
    /// `0 to n`).
    SmallDenominator,
    /// K or more, withheld so that the centre line does not give a small count away.
    Secondary,
}

/// What the planner needs to know of one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Period {
    /// The count (c) or numerator (p, pp, u, up): the period's rows summed.
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    /// Index of the point's phase.
    pub phase: usize,
    /// The count enters its phase's centre line: a baseline point, not excluded, with a
    /// value, in a phase that has a centre line.
    pub in_centre: bool,
    /// The least and greatest count a reader can infer from the point's published limits
    /// and signals (within the limits, outside them, beyond 2 sigma, on one side of the
    /// centre line in a shift); see [`Bounds`].
    pub lowest: Option<f64>,
    pub highest: Option<f64>,
}

/// Bounds on a count from what is published about its plotted value `y`: each limit
/// `v` in plotted units is `v * factor` in counts (factor = count / y).
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    count: f64,
    factor: f64,
    pub lowest: f64,
    pub highest: f64,
}

impl Bounds {
    pub fn new(count: f64, y: f64) -> Option<Bounds> {
        let factor = count / y;
        factor.is_finite().then_some(Bounds {
            count,
            factor,
            lowest: f64::NEG_INFINITY,
            highest: f64::INFINITY,
        })
    }

    /// y > v.
    pub fn above(&mut self, v: f64) {
        self.lowest = self.lowest.max((v * self.factor).floor() + 1.0);
    }

    /// y >= v.
    pub fn at_least(&mut self, v: f64) {
        self.lowest = self.lowest.max((v * self.factor).ceil());
    }

    /// y < v.
    pub fn below(&mut self, v: f64) {
        self.highest = self.highest.min((v * self.factor).ceil() - 1.0);
    }

    /// y <= v.
    pub fn at_most(&mut self, v: f64) {
        self.highest = self.highest.min((v * self.factor).floor());
    }

    /// (lowest, highest), never excluding the count itself (rounding cannot tighten them
    /// past the truth).
    pub fn range(&self) -> (Option<f64>, Option<f64>) {
        (
            Some(self.lowest.min(self.count)).filter(|v| v.is_finite()),
            Some(self.highest.max(self.count)).filter(|v| v.is_finite()),
        )
    }
}

/// What is withheld from one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// K.
    pub below: usize,
    /// Per period.
    pub points: Vec<Option<Withheld>>,
    /// Per phase: its centre line and limits are not published.
    pub phases: Vec<bool>,
}

impl Plan {
    /// Nothing is withheld.
    pub fn is_empty(&self) -> bool {
        self.points.iter().all(Option::is_none) && !self.phases.iter().any(|p| *p)
    }

    pub fn count(&self, kind: Withheld) -> usize {
        self.points.iter().filter(|w| **w == Some(kind)).count()
    }
}

/// A number as a CSV or table shows a count: no trailing `.0`.
pub fn format_count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// How a withheld count is written in the table and the CSV: `<5`, `>15`, `withheld`.
pub fn shown_as(withheld: Withheld, below: usize, denominator: Option<f64>) -> String {
    match withheld {
        Withheld::Small => format!("<{below}"),
        Withheld::Complement => match denominator {
            Some(n) => format!(">{}", format_count(n - below as f64)),
            None => "withheld".into(),
        },
        Withheld::SmallDenominator => match denominator {
            Some(n) if n < below as f64 => format!("0 to {}", format_count(n)),
            Some(n) => format!("1 to {}", format_count(n - 1.0)),
            None => "withheld".into(),
        },
        Withheld::Secondary => "withheld".into(),
    }
}

/// Decides what to withhold from a chart of counts at threshold `below`, for `periods` in
/// `phases` phases (see the module documentation). Nothing is withheld when suppression
/// does not apply to `chart`.
pub fn plan(chart: Chart, below: usize, periods: &[Period], phases: usize) -> Plan {
    let mut plan = Plan {
        below,
        points: vec![None; periods.len()],
        phases: vec![false; phases],
    };
    if !applies(chart, below) {
        return plan;
    }
    let proportion = matches!(chart, Chart::P | Chart::Pp);
    let laney = matches!(chart, Chart::Pp | Chart::Up);
    let k = below as f64;
    for (i, p) in periods.iter().enumerate() {
        let Some(x) = p.count else { continue };
        let small_complement = proportion && p.denominator.is_some_and(|n| is_small(n - x, below));
        plan.points[i] = if (is_small(x, below) || small_complement)
            && proportion
            && p.denominator.is_some_and(|n| n < 2.0 * k - 1.0)
        {
            Some(Withheld::SmallDenominator)
        } else if is_small(x, below) {
            Some(Withheld::Small)
        } else if small_complement {
            Some(Withheld::Complement)
        } else {
            None
        };
    }
    // A count that its own limits and signals pin down: the limits go (unless how it is
    // shown pins it down already, as `<2` does: nothing helps then).
    for (i, p) in periods.iter().enumerate() {
        if let Some(kind) = plan.points[i] {
            let shown_only = Period {
                lowest: None,
                highest: None,
                ..p.clone()
            };
            let (lo, hi) = domain(kind, &shown_only, below, f64::INFINITY, proportion);
            let (lo_signals, hi_signals) = domain(kind, p, below, f64::INFINITY, proportion);
            if hi - lo >= 0.5 && hi_signals - lo_signals < 0.5 && p.phase < phases {
                plan.phases[p.phase] = true;
            }
        }
    }
    for g in 0..phases {
        if plan.phases[g] {
            continue;
        }
        let members: Vec<usize> = (0..periods.len())
            .filter(|&i| {
                periods[i].phase == g && periods[i].in_centre && periods[i].count.is_some()
            })
            .collect();
        if !members.iter().any(|&i| plan.points[i].is_some()) {
            continue;
        }
        let total: f64 = members.iter().filter_map(|&i| periods[i].count).sum();
        let total_denominator: f64 = members.iter().filter_map(|&i| periods[i].denominator).sum();
        if laney
            || is_small(total, below)
            || (proportion && is_small(total_denominator - total, below))
        {
            plan.phases[g] = true;
            continue;
        }
        // Candidates for secondary suppression, smallest first.
        let mut candidates: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| plan.points[i].is_none())
            .filter(|&i| {
                let x = periods[i].count.unwrap_or_default();
                x >= k && (!proportion || periods[i].denominator.is_some_and(|n| n - x >= k))
            })
            .collect();
        candidates.sort_by(|a, b| {
            let (x, y) = (periods[*a].count, periods[*b].count);
            x.unwrap_or_default()
                .total_cmp(&y.unwrap_or_default())
                .then(a.cmp(b))
        });
        let mut next = 0;
        while pinned(
            &plan,
            periods,
            &members,
            &candidates[next..],
            below,
            proportion,
        ) {
            match candidates.get(next) {
                Some(&c) => {
                    plan.points[c] = Some(Withheld::Secondary);
                    next += 1;
                }
                None => {
                    plan.phases[g] = true;
                    for &i in &members {
                        if plan.points[i] == Some(Withheld::Secondary) {
                            plan.points[i] = None;
                        }
                    }
                    break;
                }
            }
        }
    }
    plan
}

/// The counts a reader knows a withheld count lies between: from how it is shown, and
/// from its limits and signals. `ceiling`: no secondary is larger than a candidate
/// chosen after it.
fn domain(kind: Withheld, p: &Period, below: usize, ceiling: f64, proportion: bool) -> (f64, f64) {
    let k = below as f64;
    let n = p.denominator.unwrap_or(f64::INFINITY);
    let (lo, hi) = match kind {
        Withheld::Small => (1.0, (k - 1.0).min(n)),
        Withheld::Complement => ((n - k + 1.0).max(k), n - 1.0),
        Withheld::SmallDenominator if n < k => (0.0, n),
        Withheld::SmallDenominator => (1.0, n - 1.0),
        Withheld::Secondary => (
            k,
            if proportion {
                ceiling.min(n - k)
            } else {
                ceiling
            },
        ),
    };
    (
        p.lowest.map_or(lo, |l| lo.max(l)),
        p.highest.map_or(hi, |h| hi.min(h)),
    )
}

/// Whether a reader could work out a withheld count among the phase's `members` exactly
/// from the total its centre line gives away.
fn pinned(
    plan: &Plan,
    periods: &[Period],
    members: &[usize],
    remaining: &[usize],
    below: usize,
    proportion: bool,
) -> bool {
    let ceiling = remaining
        .iter()
        .filter_map(|&i| periods[i].count)
        .fold(f64::INFINITY, f64::min);
    let withheld: Vec<(Withheld, f64, f64, f64)> = members
        .iter()
        .filter_map(|&i| {
            let kind = plan.points[i]?;
            let (lo, hi) = domain(kind, &periods[i], below, ceiling, proportion);
            Some((kind, periods[i].count.unwrap_or_default(), lo, hi))
        })
        .collect();
    let total: f64 = withheld.iter().map(|w| w.1).sum();
    let lo_sum: f64 = withheld.iter().map(|w| w.2).sum();
    let finite_hi: f64 = withheld.iter().map(|w| w.3).filter(|h| h.is_finite()).sum();
    let unbounded = withheld.iter().filter(|w| !w.3.is_finite()).count();
    withheld.iter().any(|&(kind, _, lo, hi)| {
        if kind == Withheld::Secondary {
            return false;
        }
        // The others' sum can be any whole number between their bounds' sums.
        let others_hi = if unbounded > usize::from(!hi.is_finite()) {
            f64::INFINITY
        } else {
            finite_hi - if hi.is_finite() { hi } else { 0.0 }
        };
        let others_lo = lo_sum - lo;
        let lowest = lo.max(total - others_hi);
        let highest = hi.min(total - others_lo);
        highest - lowest < 0.5
    })
}

/// W0601: a chart of counts (c, p, pp, u, up) with a count from 1 to 9 in its CSV, and
/// small-number suppression off (neither `privacy.suppress_below` in `cyclebook.yml`,
/// given here as `site_suppress_below`, nor `suppress_below` on the measure). Points at
/// line 1 of the measure's file, with the CSV row of the first such count as related.
/// A measure that sets `suppress_below: 0` itself has said its counts are not of people,
/// and is not warned about; nor is anything that is not a measure.
pub fn small_counts_without_suppression(
    item: &Item,
    site_suppress_below: usize,
) -> Option<Diagnostic> {
    let measure = item.measure()?;
    if !counts_type(measure.chart) || measure.suppress_below.is_some() || site_suppress_below >= 2 {
        return None;
    }
    let data = measure.data.as_ref()?;
    let first = data.points.iter().find(|p| {
        p.value
            .is_some_and(|v| v > 0.0 && v <= SMALL_COUNT_WARNING_MAX)
    })?;
    let count = format_count(first.value.unwrap_or_default());
    let source = &item.source;
    let diagnostic = source
        .warning(
            "W0601",
            format!(
                "the `{}` chart publishes counts as small as {count}, and small-number suppression is off",
                measure.chart.as_str()
            ),
            Pos::new(1, 1, source.line_len(1).max(1)),
        )
        .label("counts of patients below 5 could identify them")
        .hint("set `privacy: { suppress_below: 5 }` in cyclebook.yml or `suppress_below:` on the measure (`suppress_below: 0` if these are not counts of people)")
        .related(
            &measure.csv_path,
            Pos::new(first.line, 1, 1),
            format!("a count of {count}"),
        );
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(values: &[f64]) -> Vec<Period> {
        values
            .iter()
            .map(|v| Period {
                count: Some(*v),
                in_centre: true,
                ..Period::default()
            })
            .collect()
    }

    fn kinds(plan: &Plan) -> Vec<char> {
        plan.points
            .iter()
            .map(|w| match w {
                None => '.',
                Some(Withheld::Small) => 's',
                Some(Withheld::Complement) => 'c',
                Some(Withheld::Secondary) => '2',
                Some(Withheld::SmallDenominator) => 'd',
            })
            .collect()
    }

    #[test]
    fn withholds_counts_from_1_to_k_minus_1_only() {
        let plan = plan(Chart::C, 5, &counts(&[0.0, 1.0, 3.0, 4.0, 5.0, 12.0]), 1);
        assert_eq!(kinds(&plan), ['.', 's', 's', 's', '.', '.']);
        assert_eq!(plan.phases, [false]);
        assert!(!applies(Chart::C, 0) && !applies(Chart::C, 1) && !applies(Chart::G, 5));
        assert!(plan_off_is_empty());
    }

    fn plan_off_is_empty() -> bool {
        plan(Chart::C, 0, &counts(&[1.0, 2.0]), 1).is_empty()
            && plan(Chart::I, 5, &counts(&[1.0, 2.0]), 1).is_empty()
    }

    #[test]
    fn one_small_count_in_a_phase_takes_the_next_smallest_with_it() {
        // Total 1 + 6 + 7 + 20 = 34; without a secondary 34 − 33 = 1.
        let plan = plan(Chart::C, 5, &counts(&[6.0, 1.0, 20.0, 7.0]), 1);
        assert_eq!(kinds(&plan), ['2', 's', '.', '.']);
        // Out of the centre line's phase (excluded, say), nothing more is needed.
        let mut periods = counts(&[6.0, 1.0, 20.0, 7.0]);
        periods[1].in_centre = false;
        assert_eq!(
            kinds(&super::plan(Chart::C, 5, &periods, 1)),
            ['.', 's', '.', '.']
        );
    }

    #[test]
    fn a_secondary_of_exactly_k_is_not_enough_for_a_count_of_1() {
        // With 5 withheld beside the 1: total 6 = x + s, s ≥ 5 gives x = 1.
        let plan = plan(Chart::C, 5, &counts(&[5.0, 1.0, 9.0, 30.0]), 1);
        assert_eq!(kinds(&plan), ['2', 's', '2', '.']);
    }

    #[test]
    fn several_small_counts_need_no_secondary_unless_all_are_extreme() {
        assert_eq!(
            kinds(&plan(Chart::C, 5, &counts(&[2.0, 3.0, 10.0, 12.0]), 1)),
            ['s', 's', '.', '.']
        );
        // 1 + 1: the total 2 over two withheld counts says both are 1.
        assert_eq!(
            kinds(&plan(Chart::C, 5, &counts(&[1.0, 1.0, 10.0, 12.0]), 1)),
            ['s', 's', '2', '.']
        );
    }

    #[test]
    fn a_small_total_withholds_the_centre_line() {
        let plan = plan(Chart::C, 5, &counts(&[0.0, 1.0, 0.0, 2.0, 0.0]), 1);
        assert_eq!(kinds(&plan), ['.', 's', '.', 's', '.']);
        assert_eq!(plan.phases, [true]);
        // Nothing left to withhold beside a lone 1: the centre line goes instead.
        let plan = super::plan(Chart::C, 5, &counts(&[0.0, 1.0, 0.0, 5.0]), 1);
        assert_eq!(kinds(&plan), ['.', 's', '.', '.']);
        assert_eq!(plan.phases, [true]);
    }

    #[test]
    fn proportions_withhold_small_complements_and_laney_charts_their_limits() {
        let periods: Vec<Period> = [(19.0, 20.0), (10.0, 20.0), (8.0, 20.0), (12.0, 20.0)]
            .iter()
            .map(|(x, n)| Period {
                count: Some(*x),
                denominator: Some(*n),
                in_centre: true,
                ..Period::default()
            })
            .collect();
        let p = plan(Chart::P, 5, &periods, 1);
        assert_eq!(kinds(&p), ['c', '.', '2', '.']);
        assert_eq!(shown_as(Withheld::Complement, 5, Some(20.0)), ">15");
        // A u chart has no complement.
        assert_eq!(kinds(&plan(Chart::U, 5, &periods, 1)), ['.', '.', '.', '.']);
        let pp = plan(Chart::Pp, 5, &periods, 1);
        assert_eq!(kinds(&pp), ['c', '.', '.', '.']);
        assert_eq!(pp.phases, [true]);
    }

    #[test]
    fn small_denominators_show_only_a_range() {
        // Of 6, `>1` could only be 5; of 3, a count of 0 leaves 3 out.
        let periods: Vec<Period> = [(5.0, 6.0), (2.0, 6.0), (0.0, 3.0), (0.0, 6.0), (6.0, 6.0)]
            .iter()
            .map(|(x, n)| Period {
                count: Some(*x),
                denominator: Some(*n),
                ..Period::default()
            })
            .collect();
        let p = plan(Chart::P, 5, &periods, 1);
        assert_eq!(kinds(&p), ['d', 'd', 'd', '.', '.']);
        assert_eq!(shown_as(Withheld::SmallDenominator, 5, Some(6.0)), "1 to 5");
        assert_eq!(shown_as(Withheld::SmallDenominator, 5, Some(3.0)), "0 to 3");
        // From 9 (2K − 1) on, `<5` and `>4` do not overlap.
        assert_eq!(shown_as(Withheld::Complement, 5, Some(9.0)), ">4");
    }

    #[test]
    fn signals_count_as_what_a_reader_knows() {
        // 3 and 4 withheld (total 7): 3 or 4 each …
        let mut periods = counts(&[3.0, 4.0, 10.0, 12.0]);
        assert_eq!(kinds(&plan(Chart::C, 5, &periods, 1)), ['s', 's', '.', '.']);
        // … unless a signal says the 3 is at most 3: then the 4 follows, and the 10 goes.
        periods[0].highest = Some(3.0);
        let p = plan(Chart::C, 5, &periods, 1);
        assert_eq!(
            (kinds(&p), p.phases),
            (vec!['s', 's', '2', '.'], vec![false])
        );
        // A count its limits pin down on their own (above an upper limit of 3.5, below 5)
        // takes the limits with it.
        let mut periods = counts(&[4.0, 10.0, 12.0]);
        let mut bounds = Bounds::new(4.0, 4.0).unwrap();
        bounds.above(3.5);
        (periods[0].lowest, periods[0].highest) = bounds.range();
        assert_eq!(periods[0].lowest, Some(4.0));
        let p = plan(Chart::C, 5, &periods, 1);
        assert_eq!((kinds(&p), p.phases), (vec!['s', '.', '.'], vec![true]));
    }
}

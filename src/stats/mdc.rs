//! NHS "Making Data Count" special-cause rules and assurance, as NHSRplotthedots v0.2.2
//! computes them (R/ptd_calculate_point_type.R, R/ptd_calculate_assurance_type.R).
//!
//! The rule primitives are public so they can be checked against the package's own unit
//! tests; [`super::analyse`] applies them. Each takes the points of one phase in order.

use super::{Assurance, Direction, Side, Signal};

/// A run of this many points on one side of the centre line is a shift; the same count
/// of strictly rising or falling points is a trend (NHSRplotthedots, "7 point" rules).
const RUN: usize = 7;

/// `ptd_seven_point_one_side_mean`: true at point i when points i-6..=i all lie on the
/// same side of the centre line (`relative_to_mean` is the sign of y - centre; a point
/// on the line, 0, belongs to no side and breaks the run).
pub fn seven_point_one_side_mean(relative_to_mean: &[i8]) -> Vec<bool> {
    (0..relative_to_mean.len())
        .map(|i| {
            i + 1 >= RUN && relative_to_mean[i] != 0 && {
                let side = relative_to_mean[i];
                relative_to_mean[i + 1 - RUN..i].iter().all(|&s| s == side)
            }
        })
        .collect()
}

/// `ptd_part_of_seven_trend`: a point is part of a 7-point shift or trend when it, or one
/// of the 6 points after it, completes one (`flags` from the two functions beside).
pub fn part_of_seven(flags: &[bool]) -> Vec<bool> {
    (0..flags.len())
        .map(|i| flags[i..flags.len().min(i + RUN)].iter().any(|&f| f))
        .collect()
}

/// `ptd_seven_point_trend`: 1 at point i when points i-6..=i strictly increase, -1 when
/// they strictly decrease, 0 otherwise (a tie breaks a trend).
pub fn seven_point_trend(y: &[f64]) -> Vec<i8> {
    (0..y.len())
        .map(|i| {
            if i + 1 < RUN {
                return 0;
            }
            let window = &y[i + 1 - RUN..=i];
            if window.windows(2).all(|w| w[1] > w[0]) {
                1
            } else if window.windows(2).all(|w| w[1] < w[0]) {
                -1
            } else {
                0
            }
        })
        .collect()
}

/// `ptd_two_in_three`: true at point i when some window of 3 consecutive points that
/// holds i has at least 2 points close to the limits (beyond 2 sigma, inside 3 sigma) and
/// all 3 points on the same side of the centre line.
pub fn two_in_three(close_to_limits: &[bool], relative_to_mean: &[i8]) -> Vec<bool> {
    let n = close_to_limits.len().min(relative_to_mean.len());
    let window_fires = |start: usize| -> bool {
        if start + 3 > n {
            return false;
        }
        let close = close_to_limits[start..start + 3]
            .iter()
            .filter(|&&c| c)
            .count();
        let side: i32 = relative_to_mean[start..start + 3]
            .iter()
            .map(|&s| i32::from(s))
            .sum();
        close >= 2 && side.abs() == 3
    };
    (0..n)
        .map(|i| (i.saturating_sub(2)..=i).any(window_fires))
        .collect()
}

/// `ptd_part_of_two_in_three`: of the points in a firing window, only those close to the
/// limits are flagged.
pub fn part_of_two_in_three(two_in_three: &[bool], close_to_limits: &[bool]) -> Vec<bool> {
    two_in_three
        .iter()
        .zip(close_to_limits)
        .map(|(&t, &c)| t && c)
        .collect()
}

/// `ptd_calculate_assurance_type`: will the process meet the target? A target beyond the
/// upper limit is always missed when higher is better (always met when lower is better);
/// beyond the lower limit the reverse; between or on the limits, sometimes. `None` for a
/// neutral direction.
pub fn assurance(lower: f64, upper: f64, target: f64, direction: Direction) -> Option<Assurance> {
    let increase = match direction {
        Direction::Increase => true,
        Direction::Decrease => false,
        Direction::Neutral => return None,
    };
    Some(if target > upper {
        if increase {
            Assurance::ConsistentFail
        } else {
            Assurance::ConsistentPass
        }
    } else if target < lower {
        if increase {
            Assurance::ConsistentPass
        } else {
            Assurance::ConsistentFail
        }
    } else {
        Assurance::Inconsistent
    })
}

/// One point of a phase, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub(super) struct RulePoint {
    pub y: f64,
    /// Sign of y - centre.
    pub side: i8,
    /// Beyond the 2-sigma limits but not outside the 3-sigma ones.
    pub close: bool,
}

/// The shift, trend and two-of-three signals of a phase's points (in order; the caller
/// passes only the included points with a value, and adds outside-limits itself), each
/// with the side NHSRplotthedots gives it (`ptd_special_cause_type`).
pub(super) fn sequence_signals(points: &[RulePoint]) -> Vec<Vec<(Signal, Side)>> {
    let ys: Vec<f64> = points.iter().map(|p| p.y).collect();
    let sides: Vec<i8> = points.iter().map(|p| p.side).collect();
    let close: Vec<bool> = points.iter().map(|p| p.close).collect();

    let shift = part_of_seven(&seven_point_one_side_mean(&sides));
    let trend_ends: Vec<bool> = seven_point_trend(&ys).iter().map(|&t| t != 0).collect();
    let trend = part_of_seven(&trend_ends);
    let two_of_three = part_of_two_in_three(&two_in_three(&close, &sides), &close);

    let by_mean = |s: i8| if s > 0 { Side::High } else { Side::Low };
    (0..points.len())
        .map(|i| {
            let mut signals = Vec::new();
            if trend[i] {
                // A point in a trend takes the direction of the step to its right when the
                // next point is in a trend too, else of the step from its left; a step that
                // is not a rise counts as "decreasing" (ptd_special_cause_type, `sdy`).
                let step = if i + 1 < points.len() && trend[i + 1] {
                    ys[i + 1] - ys[i]
                } else if i > 0 {
                    ys[i] - ys[i - 1]
                } else {
                    0.0
                };
                let side = if step > 0.0 { Side::High } else { Side::Low };
                signals.push((Signal::Trend, side));
            }
            if two_of_three[i] {
                signals.push((Signal::TwoOfThree, by_mean(sides[i])));
            }
            if shift[i] {
                signals.push((Signal::Shift, by_mean(sides[i])));
            }
            signals
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(y: f64, side: i8, close: bool) -> RulePoint {
        RulePoint { y, side, close }
    }

    #[test]
    fn a_decreasing_trend_is_flagged_and_low() {
        let pts: Vec<RulePoint> = [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 3.5]
            .iter()
            .enumerate()
            .map(|(i, &y)| p(y, if i % 2 == 0 { 1 } else { -1 }, false))
            .collect();
        let s = sequence_signals(&pts);
        for signals in &s[..7] {
            assert!(signals.contains(&(Signal::Trend, Side::Low)));
        }
        assert!(s[7].is_empty());
    }

    #[test]
    fn a_rising_trend_crossing_the_mean_is_high_throughout() {
        let pts: Vec<RulePoint> = (0..7)
            .map(|i| p(i as f64, if i < 3 { -1 } else { 1 }, false))
            .collect();
        let s = sequence_signals(&pts);
        assert!(s
            .iter()
            .all(|sig| sig == &vec![(Signal::Trend, Side::High)]));
    }

    #[test]
    fn two_of_three_needs_the_same_side() {
        let pts = [p(0.0, 1, true), p(0.0, -1, false), p(0.0, 1, true)];
        assert!(sequence_signals(&pts).iter().all(|s| s.is_empty()));
        let pts = [p(0.0, -1, true), p(0.0, -1, false), p(0.0, -1, true)];
        let s = sequence_signals(&pts);
        assert_eq!(s[0], vec![(Signal::TwoOfThree, Side::Low)]);
        assert!(s[1].is_empty());
    }

    #[test]
    fn short_series_give_no_sequence_signals() {
        assert!(sequence_signals(&[]).is_empty());
        assert_eq!(seven_point_trend(&[1.0, 2.0]), vec![0, 0]);
        assert_eq!(two_in_three(&[], &[]), Vec::<bool>::new());
        assert_eq!(seven_point_one_side_mean(&[1; 6]), vec![false; 6]);
    }

    #[test]
    fn target_on_a_limit_is_inconsistent() {
        for d in [Direction::Increase, Direction::Decrease] {
            assert_eq!(assurance(1.0, 5.0, 5.0, d), Some(Assurance::Inconsistent));
            assert_eq!(assurance(1.0, 5.0, 1.0, d), Some(Assurance::Inconsistent));
        }
        assert_eq!(assurance(1.0, 5.0, 9.0, Direction::Neutral), None);
    }
}

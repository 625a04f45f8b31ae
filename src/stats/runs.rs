//! Anhøj's run-chart rules (qicharts2 helper.functions.R `runs.analysis`): the longest
//! run and the number of crossings of the centre line, against their limits.

use super::special::binomial_half_quantile_5pct;

/// The longest run a random process is expected to show among `n_useful` points:
/// round(log2(n_useful)) + 3 (Schilling 2012, as qicharts2). R's `round` is half to even;
/// log2 of a whole number is never exactly half-way, so the choice never bites. 0 for 0.
pub fn longest_run_max(n_useful: usize) -> usize {
    if n_useful == 0 {
        return 0;
    }
    (n_useful as f64).log2().round_ties_even() as usize + 3
}

/// The fewest crossings a random process is expected to show among `n_useful` points:
/// qbinom(0.05, n_useful - 1, 0.5) (Chen 2010, as qicharts2), computed exactly.
pub fn crossings_min(n_useful: usize) -> usize {
    binomial_half_quantile_5pct(n_useful.saturating_sub(1))
}

/// The runs analysis of one phase.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Runs {
    pub n_obs: usize,
    pub n_useful: usize,
    pub longest_run: usize,
    pub longest_run_max: usize,
    pub crossings: usize,
    pub crossings_min: usize,
    pub signal: bool,
    /// Per point of the phase: one of the points of a run longer than `longest_run_max`.
    pub in_long_run: Vec<bool>,
}

/// `sides[i]` is the sign of (y - centre) of point i (`None`: no value or no centre),
/// `included[i]` whether the point takes part. Points on the centre line (sign 0) and
/// gaps are dropped, so they neither count nor break a run; excluded points likewise.
pub(super) fn analyse(sides: &[Option<i8>], included: &[bool]) -> Runs {
    let n_obs = included.iter().filter(|&&inc| inc).count();
    let useful: Vec<(usize, i8)> = sides
        .iter()
        .zip(included)
        .enumerate()
        .filter_map(|(i, (side, &inc))| match side {
            Some(s) if inc && *s != 0 => Some((i, *s)),
            _ => None,
        })
        .collect();
    let n_useful = useful.len();
    let mut in_long_run = vec![false; sides.len()];
    if n_useful == 0 {
        return Runs {
            n_obs,
            n_useful,
            longest_run: 0,
            longest_run_max: 0,
            crossings: 0,
            crossings_min: 0,
            signal: false,
            in_long_run,
        };
    }

    // Run-length encoding of the useful signs: (first index into `useful`, length).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (k, &(_, s)) in useful.iter().enumerate() {
        match runs.last_mut() {
            Some((start, len)) if useful[*start].1 == s => *len += 1,
            _ => runs.push((k, 1)),
        }
    }
    let longest_run = runs.iter().map(|&(_, len)| len).max().unwrap_or(0);
    let longest_run_max = longest_run_max(n_useful);
    let crossings = runs.len() - 1;
    let crossings_min = crossings_min(n_useful);
    let signal = longest_run > longest_run_max || crossings < crossings_min;

    for &(start, len) in runs.iter().filter(|&&(_, len)| len > longest_run_max) {
        for &(i, _) in &useful[start..start + len] {
            in_long_run[i] = true;
        }
    }

    Runs {
        n_obs,
        n_useful,
        longest_run,
        longest_run_max,
        crossings,
        crossings_min,
        signal,
        in_long_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_match_the_reference_check_values() {
        // REFERENCE.md: n_useful -> longest_run_max / crossings_min.
        let table = [
            (10, 6, 2),
            (12, 7, 3),
            (20, 7, 6),
            (24, 8, 8),
            (30, 8, 10),
            (36, 8, 13),
            (40, 8, 14),
            (50, 9, 19),
            (100, 10, 41),
        ];
        for (n, run_max, cross_min) in table {
            assert_eq!(longest_run_max(n), run_max, "longest_run_max({n})");
            assert_eq!(crossings_min(n), cross_min, "crossings_min({n})");
        }
        assert_eq!(longest_run_max(0), 0);
        assert_eq!(longest_run_max(1), 3);
        assert_eq!(crossings_min(0), 0);
        assert_eq!(crossings_min(1), 0);
    }

    #[test]
    fn points_on_the_centre_and_gaps_neither_count_nor_break_runs() {
        let s = |v: i8| Some(v);
        let sides = [s(1), s(0), s(1), None, s(1), s(-1), s(-1)];
        let r = analyse(&sides, &[true; 7]);
        assert_eq!(
            (r.n_obs, r.n_useful, r.longest_run, r.crossings),
            (7, 5, 3, 1)
        );
    }

    #[test]
    fn excluded_points_are_left_out() {
        let sides = [Some(1), Some(-1), Some(1)];
        let r = analyse(&sides, &[true, false, true]);
        assert_eq!(
            (r.n_obs, r.n_useful, r.longest_run, r.crossings),
            (2, 2, 2, 0)
        );
    }

    #[test]
    fn a_long_run_is_a_signal_and_its_points_are_marked() {
        let mut sides = vec![Some(1i8); 8];
        sides.extend([Some(-1), Some(1)]);
        let r = analyse(&sides, &[true; 10]);
        // 10 useful: longest_run_max 6, crossings_min 2.
        assert_eq!((r.longest_run, r.crossings), (8, 2));
        assert!(r.signal);
        assert_eq!(r.in_long_run.iter().filter(|&&m| m).count(), 8);
        assert!(!r.in_long_run[8] && !r.in_long_run[9]);
    }

    #[test]
    fn all_points_on_the_centre_give_no_signal() {
        let r = analyse(&[Some(0); 5], &[true; 5]);
        assert_eq!(
            (r.n_obs, r.n_useful, r.longest_run, r.crossings),
            (5, 0, 0, 0)
        );
        assert!(!r.signal);
        let r = analyse(&[], &[]);
        assert_eq!((r.n_obs, r.n_useful), (0, 0));
    }
}

//! Unit tests of `analyse`: the edges of the input space and the choices documented in the
//! module comment. The packages' reference cases are in tests/stats_vectors.rs.

use super::*;

fn values(v: &[f64]) -> Vec<Period> {
    v.iter().map(|&x| Period::value(x)).collect()
}

fn all_charts() -> [Chart; 12] {
    [
        Chart::Run,
        Chart::I,
        Chart::Mr,
        Chart::Xbar,
        Chart::S,
        Chart::T,
        Chart::P,
        Chart::Pp,
        Chart::C,
        Chart::U,
        Chart::Up,
        Chart::G,
    ]
}

#[test]
fn medians_of_odd_even_and_empty_series() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(median(&[5.0, 5.0, 5.0]), Some(5.0));
    assert_eq!(median(&[]), None);
}

#[test]
fn words_for_the_json_contract() {
    let words: Vec<&str> = [
        Signal::OutsideLimits,
        Signal::Shift,
        Signal::Trend,
        Signal::TwoOfThree,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    assert_eq!(words, ["outside_limits", "shift", "trend", "two_of_three"]);
    let words: Vec<&str> = [
        Variation::CommonCause,
        Variation::Improvement,
        Variation::Concern,
        Variation::NeutralHigh,
        Variation::NeutralLow,
    ]
    .iter()
    .map(|v| v.as_str())
    .collect();
    assert_eq!(
        words,
        [
            "common_cause",
            "improvement",
            "concern",
            "neutral_high",
            "neutral_low"
        ]
    );
    let words: Vec<&str> = [
        Assurance::ConsistentPass,
        Assurance::ConsistentFail,
        Assurance::Inconsistent,
    ]
    .iter()
    .map(|a| a.as_str())
    .collect();
    assert_eq!(
        words,
        ["consistent_pass", "consistent_fail", "inconsistent"]
    );
    let names: Vec<&str> = all_charts().iter().map(|c| c.as_str()).collect();
    assert_eq!(
        names,
        ["run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g"]
    );
    assert_eq!(Profile::Mdc.as_str(), "mdc");
    assert_eq!(Direction::Decrease.as_str(), "decrease");
}

#[test]
fn an_empty_series_is_an_empty_analysis() {
    for chart in all_charts() {
        for profile in [Profile::Anhoej, Profile::Mdc] {
            let a = analyse(&Input {
                profile,
                target: Some(1.0),
                direction: Direction::Increase,
                ..Input::new(chart, &[])
            });
            assert!(a.points.is_empty() && a.phases.is_empty());
            assert_eq!((a.variation, a.assurance), (None, None));
        }
    }
}

/// A deterministic pseudo-random series, to throw odd inputs at every chart.
fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

#[test]
fn no_input_makes_it_panic() {
    let mut seed = 42;
    let odd = [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e300, -1e-300];
    for round in 0..60 {
        let n = round % 17;
        let periods: Vec<Period> = (0..n)
            .map(|i| {
                let r = lcg(&mut seed);
                let value = if r < 0.1 {
                    odd[i % odd.len()]
                } else {
                    (lcg(&mut seed) * 20.0).floor()
                };
                let obs = (0..(i % 4)).map(|_| lcg(&mut seed) * 5.0).collect();
                match round % 4 {
                    0 => Period::missing(),
                    1 => Period::subgroup(obs),
                    2 => Period::ratio(value, [0.0, 10.0, -3.0, f64::NAN, 50.0][i % 5]),
                    _ => Period::value(value),
                }
            })
            .collect();
        let excluded: Vec<bool> = (0..n).map(|i| i % 5 == 3).collect();
        for chart in all_charts() {
            for profile in [Profile::Anhoej, Profile::Mdc] {
                let a = analyse(&Input {
                    phase_starts: &[0, 3, 3, 100, 1],
                    freeze: Some(round % 3),
                    excluded: &excluded,
                    multiply: [1.0, 0.0, -2.0, f64::NAN, 100.0][round % 5],
                    profile,
                    direction: Direction::Decrease,
                    target: Some(5.0),
                    ..Input::new(chart, &periods)
                });
                assert_eq!(a.points.len(), n);
            }
        }
    }
}

#[test]
fn all_points_equal_give_limits_on_the_centre_and_no_signal() {
    let periods = values(&[5.0; 20]);
    for profile in [Profile::Anhoej, Profile::Mdc] {
        for chart in [
            Chart::I,
            Chart::C,
            Chart::T,
            Chart::Run,
            Chart::G,
            Chart::Mr,
        ] {
            let a = analyse(&Input {
                profile,
                direction: Direction::Increase,
                ..Input::new(chart, &periods)
            });
            let last = a.points.last().unwrap();
            if chart == Chart::I || chart == Chart::T {
                assert_eq!((last.lower, last.upper), (last.centre, last.centre));
            }
            assert!(a.points.iter().all(|p| p.signals.is_empty()), "{chart:?}");
            assert_eq!(a.variation, Some(Variation::CommonCause));
            if chart != Chart::Mr && chart != Chart::C {
                assert_eq!(a.phases[0].n_useful, 0, "{chart:?}");
            }
            assert!(!a.phases[0].runs_signal);
        }
    }
    // Proportions of 0 and of 1: limits on the centre, also for Laney's P′.
    for (num, charts) in [
        (0.0, &[Chart::P, Chart::Pp, Chart::U, Chart::Up][..]),
        (10.0, &[Chart::P, Chart::Pp][..]),
    ] {
        let periods: Vec<Period> = (0..15).map(|_| Period::ratio(num, 10.0)).collect();
        for &chart in charts {
            let a = analyse(&Input::new(chart, &periods));
            let p = &a.points[0];
            assert_eq!((p.lower, p.upper), (p.centre, p.centre), "{chart:?}");
            assert!(a.points.iter().all(|p| p.signals.is_empty()));
        }
    }
}

#[test]
fn a_phase_of_one_point() {
    let periods = values(&[1.0, 2.0, 3.0, 4.0, 10.0]);
    let a = analyse(&Input {
        phase_starts: &[4],
        ..Input::new(Chart::I, &periods)
    });
    assert_eq!(a.phases.len(), 2);
    let last = &a.phases[1];
    assert_eq!((last.start, last.end, last.centre), (4, 4, Some(10.0)));
    assert!(last.trial_limits);
    assert_eq!((last.n_useful, last.longest_run, last.crossings), (0, 0, 0));
    // No moving range, so no limits; the centre is the point itself.
    assert_eq!(a.points[4].upper, None);
    assert_eq!(a.points[4].phase, 1);
    // A c chart has limits from one point.
    let a = analyse(&Input::new(Chart::C, &periods[..1]));
    assert_eq!(a.points[0].upper, Some(1.0 + 3.0));
}

#[test]
fn zero_and_missing_denominators_are_gaps() {
    let periods = vec![
        Period::ratio(3.0, 10.0),
        Period::ratio(3.0, 0.0),
        Period {
            values: vec![2.0],
            denominator: None,
        },
        Period::ratio(f64::NAN, 10.0),
        Period::ratio(5.0, 10.0),
    ];
    for chart in [Chart::P, Chart::Pp, Chart::U, Chart::Up] {
        let a = analyse(&Input::new(chart, &periods));
        for gap in &a.points[1..4] {
            assert_eq!(
                (gap.y, gap.lower, gap.upper),
                (None, None, None),
                "{chart:?}"
            );
        }
        assert_eq!(a.points[0].centre, Some(0.4));
        assert_eq!(a.phases[0].n_useful, 2);
    }
}

#[test]
fn nan_and_missing_values_are_gaps_that_break_moving_ranges() {
    let periods = vec![
        Period::value(1.0),
        Period::value(f64::NAN),
        Period::value(9.0),
        Period::missing(),
        Period::value(10.0),
    ];
    let a = analyse(&Input::new(Chart::Mr, &periods));
    let ys: Vec<Option<f64>> = a.points.iter().map(|p| p.y).collect();
    assert_eq!(ys, [None, None, None, None, None]);
    let a = analyse(&Input::new(Chart::I, &periods));
    assert_eq!(a.points[1].y, None);
    assert_eq!(a.points[0].centre, Some(20.0 / 3.0));
    // No two consecutive values, no moving range, no limits.
    assert_eq!(a.points[0].upper, None);
    assert_eq!(a.variation, Some(Variation::CommonCause));
}

#[test]
fn all_points_on_the_median() {
    let periods = values(&[3.0, 3.0, 3.0, 3.0]);
    let a = analyse(&Input::new(Chart::Run, &periods));
    let p = &a.phases[0];
    assert_eq!(
        (p.n_obs, p.n_useful, p.longest_run_max, p.crossings_min),
        (4, 0, 0, 0)
    );
    assert!(!p.runs_signal && !p.trial_limits);
    assert_eq!(a.points[0].upper, None);
}

#[test]
fn freeze_applies_within_each_phase() {
    let periods = values(&[1.0, 2.0, 3.0, 100.0, 10.0, 20.0, 30.0, 1000.0]);
    let a = analyse(&Input {
        phase_starts: &[4],
        freeze: Some(3),
        ..Input::new(Chart::C, &periods)
    });
    assert_eq!(a.phases[0].centre, Some(2.0));
    assert_eq!(a.phases[1].centre, Some(20.0));
    let baseline: Vec<bool> = a.points.iter().map(|p| p.baseline).collect();
    assert_eq!(baseline, [true, true, true, false, true, true, true, false]);
    assert!(a.points[3].signals.contains(&Signal::OutsideLimits));
    assert!(a.points[7].signals.contains(&Signal::OutsideLimits));
}

#[test]
fn excluded_points_are_tested_but_not_used() {
    let periods = values(&[10.0, 11.0, 9.0, 10.0, 60.0, 10.0, 11.0, 9.0]);
    let mut excluded = vec![false; 8];
    excluded[4] = true;
    let a = analyse(&Input {
        excluded: &excluded,
        ..Input::new(Chart::C, &periods)
    });
    assert_eq!(a.phases[0].centre, Some(10.0));
    assert_eq!(a.phases[0].n_obs, 7);
    assert!(a.points[4].excluded);
    assert_eq!(a.points[4].signals, [Signal::OutsideLimits]);
}

#[test]
fn multiply_scales_values_centre_and_limits() {
    let periods: Vec<Period> = [(2.0, 10.0), (3.0, 10.0), (1.0, 10.0), (4.0, 10.0)]
        .iter()
        .map(|&(n, d)| Period::ratio(n, d))
        .collect();
    let one = analyse(&Input::new(Chart::P, &periods));
    let hundred = analyse(&Input {
        multiply: 100.0,
        ..Input::new(Chart::P, &periods)
    });
    for (a, b) in one.points.iter().zip(&hundred.points) {
        for (x, y) in [
            (a.y, b.y),
            (a.centre, b.centre),
            (a.upper, b.upper),
            (a.lower_2sigma, b.lower_2sigma),
        ] {
            assert!((x.unwrap() * 100.0 - y.unwrap()).abs() < 1e-9);
        }
    }
}

#[test]
fn runs_rules_on_run_charts() {
    // Median 1: the seven points on the line are dropped, leaving 4 useful points (a run
    // of 5 allowed, 0 crossings required).
    let periods = values(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 9.0, 9.0, 9.0, 9.0]);
    let a = analyse(&Input::new(Chart::Run, &periods));
    let p = &a.phases[0];
    assert_eq!((p.centre, p.n_useful, p.longest_run), (Some(1.0), 4, 4));
    assert_eq!((p.longest_run_max, p.crossings, p.crossings_min), (5, 0, 0));
    assert!(!p.runs_signal);
    // Median 2: 14 useful points, one crossing where 4 are expected: a runs signal, but no
    // run is longer than 7, so no point is flagged.
    let periods = values(&[
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0,
    ]);
    let a = analyse(&Input::new(Chart::Run, &periods));
    let p = &a.phases[0];
    assert_eq!(
        (p.centre, p.longest_run, p.longest_run_max),
        (Some(2.0), 7, 7)
    );
    assert_eq!((p.crossings, p.crossings_min), (1, 4));
    assert!(p.runs_signal);
    assert!(a.points.iter().all(|p| p.signals.is_empty()));
}

#[test]
fn anhoej_shift_signals_carry_the_direction() {
    // Median 7: the sevens are on the line; 15 useful points allow a run of 7.
    let mut v = vec![7.0, 8.0, 7.0, 8.0, 7.0, 8.0];
    v.extend([1.0; 9]);
    v.extend([7.0, 8.0, 7.0, 8.0, 7.0, 8.0]);
    let periods = values(&v);
    let a = analyse(&Input {
        direction: Direction::Decrease,
        ..Input::new(Chart::Run, &periods)
    });
    let phase = &a.phases[0];
    assert_eq!(
        (phase.centre, phase.n_useful, phase.longest_run_max),
        (Some(7.0), 15, 7)
    );
    assert!(phase.runs_signal);
    assert!(a.points[..6].iter().all(|p| p.signals.is_empty()));
    for p in &a.points[6..15] {
        assert_eq!(p.signals, [Signal::Shift]);
        assert_eq!(p.variation, Variation::Improvement);
    }
    assert_eq!(a.variation, Some(Variation::CommonCause));
}

#[test]
fn mr_charts_never_have_a_runs_signal() {
    let mut v: Vec<f64> = (0..10)
        .map(|i| if i % 2 == 0 { 0.0 } else { 10.0 })
        .collect();
    v.extend((0..10).map(|i| i as f64 * 0.1));
    let periods = values(&v);
    let a = analyse(&Input::new(Chart::Mr, &periods));
    assert!(a.phases[0].longest_run > a.phases[0].longest_run_max);
    assert!(!a.phases[0].runs_signal);
    assert!(a.points.iter().all(|p| !p.signals.contains(&Signal::Shift)));
}

#[test]
fn mdc_rules_and_variation() {
    // Mean 0 over a symmetric series, then seven points in a row below the mean.
    let v = [
        2.0, -2.0, 1.0, -1.0, 2.0, -2.0, 1.0, -1.0, -0.5, -0.6, -0.4, -0.5, -0.7, -0.3, -0.5,
    ];
    let periods = values(&v);
    let a = analyse(&Input {
        profile: Profile::Mdc,
        direction: Direction::Decrease,
        freeze: Some(8),
        ..Input::new(Chart::I, &periods)
    });
    assert_eq!(a.points[0].centre, Some(0.0));
    for p in &a.points[7..] {
        assert!(p.signals.contains(&Signal::Shift));
        assert_eq!(p.variation, Variation::Improvement);
    }
    assert_eq!(a.variation, Some(Variation::Improvement));
    let neutral = analyse(&Input {
        profile: Profile::Mdc,
        freeze: Some(8),
        ..Input::new(Chart::I, &periods)
    });
    assert_eq!(neutral.variation, Some(Variation::NeutralLow));
    // The MDC limits are mean ± 2.66 AMR; AMR of the first 8 points (screened) is known.
    let mrs = [4.0, 3.0, 2.0, 3.0, 4.0, 3.0, 2.0];
    let amr = mrs.iter().sum::<f64>() / 7.0;
    assert!((a.points[0].upper.unwrap() - 2.66 * amr).abs() < 1e-12);
    assert!((a.points[0].upper_2sigma.unwrap() - 2.0 * (2.66 / 3.0) * amr).abs() < 1e-12);
}

#[test]
fn mdc_trend_and_two_of_three() {
    let mut v = vec![
        0.0, 1.0, -1.0, 0.5, -0.5, 0.2, -0.2, 0.0, 1.0, -1.0, 0.5, -0.5, 0.2, -0.2,
    ];
    v.extend([-1.2, -1.1, -1.0, -0.9, -0.8, -0.7, -0.6]);
    let periods = values(&v);
    let a = analyse(&Input {
        profile: Profile::Mdc,
        direction: Direction::Increase,
        freeze: Some(14),
        ..Input::new(Chart::I, &periods)
    });
    for p in &a.points[14..] {
        assert_eq!(p.signals.first(), Some(&Signal::Trend));
        assert_eq!(
            p.variation,
            Variation::Improvement,
            "a rising trend below the mean"
        );
    }
    // Two of three beyond 2 sigma, the same side.
    let base = [
        0.0, 1.0, -1.0, 0.5, -0.5, 0.2, -0.2, 0.0, 1.0, -1.0, 0.5, -0.5, 0.2, -0.2,
    ];
    let lim = analyse(&Input {
        profile: Profile::Mdc,
        ..Input::new(Chart::I, &values(&base))
    });
    let (u2, u3) = (
        lim.points[0].upper_2sigma.unwrap(),
        lim.points[0].upper.unwrap(),
    );
    let close = (u2 + u3) / 2.0;
    let mut v = base.to_vec();
    v.extend([close, 0.1, close, -0.1]);
    let a = analyse(&Input {
        profile: Profile::Mdc,
        direction: Direction::Decrease,
        freeze: Some(14),
        ..Input::new(Chart::I, &values(&v))
    });
    assert_eq!(a.points[14].signals, [Signal::TwoOfThree]);
    assert_eq!(a.points[15].signals, []);
    assert_eq!(a.points[16].signals, [Signal::TwoOfThree]);
    assert_eq!(a.points[16].variation, Variation::Concern);
    assert_eq!(a.variation, Some(Variation::CommonCause));
}

#[test]
fn assurance_from_the_last_phase() {
    let periods = values(&[
        10.0, 12.0, 11.0, 13.0, 10.0, 12.0, 11.0, 50.0, 52.0, 51.0, 53.0, 50.0,
    ]);
    let mdc = |target: f64, direction| {
        analyse(&Input {
            profile: Profile::Mdc,
            phase_starts: &[7],
            direction,
            target: Some(target),
            ..Input::new(Chart::I, &periods)
        })
    };
    let a = mdc(20.0, Direction::Increase);
    assert_eq!(a.assurance, Some(Assurance::ConsistentPass));
    let a = mdc(20.0, Direction::Decrease);
    assert_eq!(a.assurance, Some(Assurance::ConsistentFail));
    let a = mdc(51.0, Direction::Increase);
    assert_eq!(a.assurance, Some(Assurance::Inconsistent));
    assert_eq!(mdc(51.0, Direction::Neutral).assurance, None);
    // A target exactly on a limit is inconsistent, on either limit.
    let last = a.points.last().unwrap().clone();
    for target in [last.upper.unwrap(), last.lower.unwrap()] {
        for direction in [Direction::Increase, Direction::Decrease] {
            assert_eq!(
                mdc(target, direction).assurance,
                Some(Assurance::Inconsistent)
            );
        }
    }
    // Not under the Anhøj profile, nor without a target.
    let a = analyse(&Input {
        target: Some(20.0),
        direction: Direction::Increase,
        ..Input::new(Chart::I, &periods)
    });
    assert_eq!(a.assurance, None);
}

#[test]
fn subgroups_of_one_and_empty_subgroups() {
    let periods = vec![
        Period::subgroup(vec![1.0, 2.0, 3.0]),
        Period::subgroup(vec![2.0]),
        Period::subgroup(vec![]),
        Period::subgroup(vec![2.0, 3.0, 4.0]),
    ];
    let a = analyse(&Input::new(Chart::Xbar, &periods));
    assert_eq!(a.points[1].y, Some(2.0));
    assert_eq!(a.points[1].upper, None);
    assert_eq!(a.points[2].y, None);
    assert!(a.points[0].upper.is_some());
    // Weighted mean (3*2 + 1*2 + 3*3) / 7; pooled sd (sizes differ):
    // sqrt((2*1 + 0 + 2*1) / (2 + 0 + 2)) = 1.
    let centre = 17.0 / 7.0;
    assert!((a.points[0].centre.unwrap() - centre).abs() < 1e-12);
    let a3 = 3.0 / (special::c4(3).unwrap() * 3f64.sqrt());
    assert!((a.points[0].upper.unwrap() - (centre + a3)).abs() < 1e-12);
    let s = analyse(&Input::new(Chart::S, &periods));
    assert_eq!(s.points[1].y, None);
    assert_eq!(s.points[0].centre, Some(1.0));
}

#[test]
fn times_of_zero_are_plotted_on_t_charts() {
    let periods = values(&[0.0, 10.0, 20.0, -5.0, 15.0]);
    let a = analyse(&Input::new(Chart::T, &periods));
    assert_eq!(a.points[0].y, Some(0.0));
    assert_eq!(a.points[3].y, None);
    assert!(a.points[0].centre.unwrap() > 0.0);
}

#[test]
fn trial_limits_below_thirteen_baseline_values() {
    let periods = values(&(0..20).map(|i| (i % 3) as f64).collect::<Vec<_>>());
    let trial = |freeze| {
        analyse(&Input {
            freeze,
            ..Input::new(Chart::I, &periods)
        })
        .phases[0]
            .trial_limits
    };
    assert!(!trial(None));
    assert!(!trial(Some(13)));
    assert!(trial(Some(12)));
}

//! `stats::analyse` on arbitrary series: any chart, up to 200 periods of 0–5 values
//! (NaN, infinities, negatives and huge numbers included), denominators, phases, freeze,
//! exclusions, multiply, profile, direction and target. It must never panic, must give
//! one point per period, and every centre and limit it returns must be a number — finite
//! whenever every input was finite and below 1e12 in size.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use cyclebook::stats::{analyse, Chart, Direction, Input, Period, Profile};
use libfuzzer_sys::fuzz_target;

const CHARTS: [Chart; 12] = [
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
];

/// Numbers a fuzzer would rarely build from raw bits, plus raw bits.
fn number(u: &mut Unstructured) -> arbitrary::Result<f64> {
    Ok(match u.int_in_range(0u8..=15)? {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => 0.0,
        4 => -0.0,
        5 => f64::MAX,
        6 => f64::MIN_POSITIVE,
        7 => 1e300 * if bool::arbitrary(u)? { 1.0 } else { -1.0 },
        8 => f64::from_bits(u64::arbitrary(u)?),
        // Small integers: counts and ties, the common case.
        9..=12 => f64::from(u.int_in_range(-3i32..=60)?),
        _ => f64::from(i32::arbitrary(u)?) / 1000.0,
    })
}

#[derive(Debug)]
struct Case {
    chart: Chart,
    periods: Vec<Period>,
    phase_starts: Vec<usize>,
    freeze: Option<usize>,
    excluded: Vec<bool>,
    multiply: f64,
    profile: Profile,
    direction: Direction,
    target: Option<f64>,
    screen_moving_ranges: bool,
}

impl<'a> Arbitrary<'a> for Case {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let chart = *u.choose(&CHARTS)?;
        let n = u.int_in_range(0usize..=200)?;
        let mut periods = Vec::with_capacity(n);
        for _ in 0..n {
            if u.is_empty() {
                break;
            }
            let k = u.int_in_range(0usize..=5)?;
            let values = (0..k)
                .map(|_| number(u))
                .collect::<arbitrary::Result<Vec<_>>>()?;
            let denominator = if bool::arbitrary(u)? {
                Some(number(u)?)
            } else {
                None
            };
            periods.push(Period {
                values,
                denominator,
            });
        }
        let n_starts = u.int_in_range(0usize..=4)?;
        let phase_starts = (0..n_starts)
            .map(|_| u.int_in_range(0usize..=210))
            .collect::<arbitrary::Result<Vec<_>>>()?;
        let freeze = if bool::arbitrary(u)? {
            Some(u.int_in_range(0usize..=220)?)
        } else {
            None
        };
        let excluded_len = u.int_in_range(0usize..=periods.len() + 3)?;
        let excluded = (0..excluded_len)
            .map(|_| u.ratio(1u8, 6u8))
            .collect::<arbitrary::Result<Vec<_>>>()?;
        let multiply = match u.int_in_range(0u8..=4)? {
            0 => 1.0,
            1 => 100.0,
            2 => 1000.0,
            _ => number(u)?,
        };
        let profile = *u.choose(&[Profile::Anhoej, Profile::Mdc])?;
        let direction =
            *u.choose(&[Direction::Increase, Direction::Decrease, Direction::Neutral])?;
        let target = if bool::arbitrary(u)? {
            Some(number(u)?)
        } else {
            None
        };
        let screen_moving_ranges = u.ratio(4u8, 5u8)?;
        Ok(Case {
            chart,
            periods,
            phase_starts,
            freeze,
            excluded,
            multiply,
            profile,
            direction,
            target,
            screen_moving_ranges,
        })
    }
}

fn tame(x: f64) -> bool {
    x.is_finite() && x.abs() < 1e12
}

fuzz_target!(|data: &[u8]| {
    let Ok(case) = Case::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let input = Input {
        chart: case.chart,
        periods: &case.periods,
        phase_starts: &case.phase_starts,
        freeze: case.freeze,
        excluded: &case.excluded,
        multiply: case.multiply,
        profile: case.profile,
        direction: case.direction,
        target: case.target,
        screen_moving_ranges: case.screen_moving_ranges,
    };
    let analysis = analyse(&input);
    assert_eq!(
        analysis.points.len(),
        case.periods.len(),
        "one point per period"
    );
    let all_tame = case
        .periods
        .iter()
        .all(|p| p.values.iter().all(|v| tame(*v)) && p.denominator.is_none_or(tame))
        && tame(case.multiply)
        && case.target.is_none_or(tame);
    for (i, p) in analysis.points.iter().enumerate() {
        for (what, v) in [
            ("y", p.y),
            ("centre", p.centre),
            ("lower", p.lower),
            ("upper", p.upper),
            ("lower_2sigma", p.lower_2sigma),
            ("upper_2sigma", p.upper_2sigma),
        ] {
            if let Some(v) = v {
                assert!(!v.is_nan(), "point {i}: {what} is NaN\n{case:?}\n{p:?}");
                if all_tame {
                    assert!(
                        v.is_finite(),
                        "point {i}: {what} is {v} from finite inputs\n{case:?}\n{p:?}"
                    );
                }
            }
        }
        assert!(
            p.phase < analysis.phases.len(),
            "point {i} names phase {}",
            p.phase
        );
    }
    // With data the CSV reader would accept (tame numbers; no negative counts, times or
    // denominators; no proportion above 1), the limits bracket the centre line:
    // lower <= lower 2-sigma <= centre <= upper 2-sigma <= upper, up to rounding.
    let counts = matches!(
        case.chart,
        Chart::P | Chart::Pp | Chart::C | Chart::U | Chart::Up | Chart::G | Chart::T
    );
    let proportions = matches!(case.chart, Chart::P | Chart::Pp);
    let valid = all_tame
        && case.periods.iter().all(|p| {
            let sum: f64 = p.values.iter().sum();
            (!counts || p.values.iter().all(|v| *v >= 0.0))
                && p.denominator.is_none_or(|d| d >= 0.0)
                && (!proportions || p.denominator.is_none_or(|d| sum <= d))
        });
    if valid {
        for (i, p) in analysis.points.iter().enumerate() {
            let chain = [p.lower, p.lower_2sigma, p.centre, p.upper_2sigma, p.upper];
            let present: Vec<f64> = chain.iter().flatten().copied().collect();
            for w in present.windows(2) {
                let slack = 1e-9 * (w[0].abs().max(w[1].abs()).max(1.0));
                assert!(
                    w[0] <= w[1] + slack,
                    "point {i}: limits out of order {chain:?}\n{case:?}\n{p:?}"
                );
            }
        }
    }
    // Phases tile the points in order.
    let mut next = 0;
    for (k, ph) in analysis.phases.iter().enumerate() {
        assert_eq!(ph.phase, k);
        assert_eq!(
            ph.start, next,
            "phases leave a gap or overlap: {:?}",
            analysis.phases
        );
        assert!(ph.end >= ph.start);
        next = ph.end + 1;
        if let Some(c) = ph.centre {
            assert!(!c.is_nan(), "phase {k} centre is NaN\n{case:?}");
        }
        assert!(ph.n_useful <= ph.n_obs);
    }
    assert_eq!(next, case.periods.len());
});

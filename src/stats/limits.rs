//! Centre lines and control limits of each chart type over one phase, as qicharts2 computes
//! them (R/helper.functions.R `qic.run`, `qic.i`, … `qic.g`), plus the MDC XmR constant.

use super::special::{a3, b3, b4};
use super::{median, Chart, Period, Profile};

/// d2 for subgroups of 2: sigma = AMR / 1.128 (Montgomery 6.33; qicharts2 `qic.i`).
const D2: f64 = 1.128;
/// D4 for subgroups of 2. Moving ranges at or above 3.267 AMR are dropped before the AMR is
/// recomputed (Nelson 1982; qicharts2 `qic.i`, NHSRplotthedots ptd_spc_standard.R); it is
/// also the MR chart's upper limit factor (qicharts2 `qic.mr`).
const MR_FACTOR: f64 = 3.267;
/// Making Data Count XmR limits: mean ± 2.66 AMR (NHSRplotthedots ptd_spc_standard.R `limit`).
const MDC_LIMIT: f64 = 2.66;
/// T charts plot time between events after y^(1/3.6) (Nelson 1994; qicharts2 `qic.t`).
const T_POWER: f64 = 3.6;

/// One period reduced to what its chart needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sample {
    /// The value before any transform: the single value (or the mean of several; their sum
    /// for c charts), numerator / denominator for ratio charts, the subgroup mean for xbar
    /// and s charts. `None` is a gap.
    pub value: Option<f64>,
    /// Ratio charts: the summed numerator and the denominator (valid when `value` is set).
    pub num: f64,
    pub den: f64,
    /// xbar and s charts: the number of observations and their standard deviation.
    pub size: usize,
    pub sd: Option<f64>,
}

impl Sample {
    pub fn new(chart: Chart, period: &Period) -> Sample {
        let obs: Vec<f64> = period
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let mut sample = Sample {
            value: None,
            num: 0.0,
            den: 0.0,
            size: 0,
            sd: None,
        };
        if obs.is_empty() {
            return sample;
        }
        let sum: f64 = obs.iter().sum();
        let mean = sum / obs.len() as f64;
        match chart {
            Chart::Xbar | Chart::S => {
                sample.size = obs.len();
                sample.value = Some(mean);
                if obs.len() >= 2 {
                    let ss: f64 = obs.iter().map(|x| (x - mean) * (x - mean)).sum();
                    sample.sd = Some((ss / (obs.len() - 1) as f64).sqrt());
                }
            }
            Chart::P | Chart::Pp | Chart::U | Chart::Up => {
                // A missing, zero or negative denominator makes the period a gap.
                if let Some(den) = period.denominator.filter(|d| d.is_finite() && *d > 0.0) {
                    sample.num = sum;
                    sample.den = den;
                    sample.value = Some(sum / den);
                }
            }
            Chart::C => sample.value = Some(sum),
            // Time between events cannot be negative; qicharts2 stops on y <= 0, cyclebook
            // makes a negative value a gap and plots 0 (0^(1/3.6) = 0 is well defined).
            Chart::T => sample.value = (mean >= 0.0).then_some(mean),
            Chart::Run | Chart::I | Chart::Mr | Chart::G => sample.value = Some(mean),
        }
        // A sum or ratio that overflows is no value either.
        sample.value = sample.value.filter(|v| v.is_finite());
        sample.sd = sample.sd.filter(|v| v.is_finite());
        sample
    }
}

/// 3-sigma and 2-sigma limits of one point, in raw (unmultiplied) units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Band {
    lower: f64,
    upper: f64,
    lower_2sigma: f64,
    upper_2sigma: f64,
}

impl Band {
    fn around(centre: f64, sigma: f64) -> Band {
        Band {
            lower: centre - 3.0 * sigma,
            upper: centre + 3.0 * sigma,
            lower_2sigma: centre - 2.0 * sigma,
            upper_2sigma: centre + 2.0 * sigma,
        }
    }

    fn map(self, f: impl Fn(f64) -> f64) -> Band {
        Band {
            lower: f(self.lower),
            upper: f(self.upper),
            lower_2sigma: f(self.lower_2sigma),
            upper_2sigma: f(self.upper_2sigma),
        }
    }

    /// Lower limits below 0 become 0 (counts, rates, proportions, times).
    fn floor_at_zero(self) -> Band {
        let floor = |x: f64| if x < 0.0 { 0.0 } else { x };
        Band {
            lower: floor(self.lower),
            lower_2sigma: floor(self.lower_2sigma),
            ..self
        }
    }

    /// Upper limits above 1 become 1 (proportions).
    fn cap_at_one(self) -> Band {
        let cap = |x: f64| if x > 1.0 { 1.0 } else { x };
        Band {
            upper: cap(self.upper),
            upper_2sigma: cap(self.upper_2sigma),
            ..self
        }
    }
}

/// Centre and limits of one phase, in raw units.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PhaseLimits {
    /// The plotted statistic of each point (`None`: gap).
    pub y: Vec<Option<f64>>,
    /// The statistic compared with the centre and the limits: `y`, except on t charts,
    /// where it is (y^(1/3.6))^3.6, the value qicharts2 plots and tests, so that a point
    /// and a limit that are equal before the back-transform stay equal after it.
    pub tested: Vec<Option<f64>>,
    pub centre: Option<f64>,
    pub lower: Vec<Option<f64>>,
    pub upper: Vec<Option<f64>>,
    pub lower_2sigma: Vec<Option<f64>>,
    pub upper_2sigma: Vec<Option<f64>>,
}

/// Centre and limits of one phase. `base[i]`: point i is in the baseline and not excluded,
/// so it takes part in the centre and the limits.
pub(super) fn compute(
    chart: Chart,
    profile: Profile,
    screen: bool,
    samples: &[Sample],
    base: &[bool],
) -> PhaseLimits {
    let n = samples.len();
    let values: Vec<Option<f64>> = samples.iter().map(|s| s.value).collect();
    let mut tested = None;
    let (y, centre, bands): (Vec<Option<f64>>, Option<f64>, Vec<Option<Band>>) = match chart {
        Chart::Run => {
            let centre = median(&base_values(&values, base));
            (values, centre, vec![None; n])
        }
        Chart::I => {
            let (centre, band) = individuals(&values, base, profile, screen);
            (values, centre, vec![band; n])
        }
        Chart::T => {
            let transformed: Vec<Option<f64>> = values
                .iter()
                .map(|v| v.map(|v| v.powf(1.0 / T_POWER)))
                .collect();
            let (centre, band) = individuals(&transformed, base, profile, screen);
            // Back-transform; a negative lower limit has no power and becomes 0.
            let back = |x: f64| if x < 0.0 { 0.0 } else { x.powf(T_POWER) };
            let band = band.map(|b| b.map(back));
            tested = Some(transformed.iter().map(|t| t.map(back)).collect());
            (values, centre.map(back), vec![band; n])
        }
        Chart::Mr => moving_range_chart(&values, base),
        Chart::Xbar | Chart::S => subgroup_chart(chart, samples, base),
        Chart::P | Chart::Pp | Chart::U | Chart::Up => ratio_chart(chart, samples, base, screen),
        Chart::C => {
            // qicharts2 `qic.c`: sigma = sqrt(cl) (Montgomery 7.17).
            let centre = mean(&base_values(&values, base));
            let band = centre.map(|c| Band::around(c, c.sqrt()).floor_at_zero());
            (values, centre, vec![band; n])
        }
        Chart::G => {
            // qicharts2 `qic.g`: limits from the mean m with sigma = sqrt(m (m + 1))
            // (Montgomery p. 319); the plotted centre line is the median.
            let vals = base_values(&values, base);
            let band = mean(&vals).map(|m| Band::around(m, (m * (m + 1.0)).sqrt()).floor_at_zero());
            (values, median(&vals), vec![band; n])
        }
    };

    let finite = |x: f64| x.is_finite().then_some(x);
    let part = |f: fn(&Band) -> f64| -> Vec<Option<f64>> {
        bands
            .iter()
            .map(|b| b.as_ref().and_then(|b| finite(f(b))))
            .collect()
    };
    PhaseLimits {
        lower: part(|b| b.lower),
        upper: part(|b| b.upper),
        lower_2sigma: part(|b| b.lower_2sigma),
        upper_2sigma: part(|b| b.upper_2sigma),
        centre: centre.and_then(finite),
        tested: tested.unwrap_or_else(|| y.clone()),
        y,
    }
}

fn base_values(values: &[Option<f64>], base: &[bool]) -> Vec<f64> {
    values
        .iter()
        .zip(base)
        .filter_map(|(v, &b)| if b { *v } else { None })
        .collect()
}

/// The mean as R's `mean` computes it: sum / n, refined by the mean of the residuals, so
/// that equal values have exactly their own value as mean.
fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    if !m.is_finite() {
        return Some(m);
    }
    Some(m + values.iter().map(|x| x - m).sum::<f64>() / n)
}

/// The average moving range of a sequence (`None` entries break it), screened: ranges at
/// or above 3.267 AMR are dropped and the AMR recomputed (Nelson 1982). When every range is
/// 0 there is nothing to screen (qicharts2 would drop them all and draw no limits).
fn average_moving_range(sequence: &[Option<f64>], screen: bool) -> Option<f64> {
    let ranges: Vec<f64> = sequence
        .windows(2)
        .filter_map(|w| Some((w[1]? - w[0]?).abs()))
        .collect();
    let amr = mean(&ranges)?;
    if screen && amr > 0.0 {
        let kept: Vec<f64> = ranges
            .into_iter()
            .filter(|&r| r < MR_FACTOR * amr)
            .collect();
        return mean(&kept);
    }
    Some(amr)
}

/// I chart (qicharts2 `qic.i`; NHSRplotthedots `ptd_spc_standard` under the MDC profile).
/// Moving ranges are taken between consecutive baseline points, excluded points left out
/// (as qicharts2's `diff(y[base])`), so a range spans an excluded point but not a gap.
fn individuals(
    values: &[Option<f64>],
    base: &[bool],
    profile: Profile,
    screen: bool,
) -> (Option<f64>, Option<Band>) {
    let Some(centre) = mean(&base_values(values, base)) else {
        return (None, None);
    };
    let sequence: Vec<Option<f64>> = values
        .iter()
        .zip(base)
        .filter_map(|(v, &b)| b.then_some(*v))
        .collect();
    let band = average_moving_range(&sequence, screen).map(|amr| match profile {
        Profile::Anhoej => Band::around(centre, amr / D2),
        Profile::Mdc => {
            let close = 2.0 * (MDC_LIMIT / 3.0);
            Band {
                lower: centre - MDC_LIMIT * amr,
                upper: centre + MDC_LIMIT * amr,
                lower_2sigma: centre - close * amr,
                upper_2sigma: centre + close * amr,
            }
        }
    });
    (Some(centre), band)
}

type Computed = (Vec<Option<f64>>, Option<f64>, Vec<Option<Band>>);

/// MR chart (qicharts2 `qic.mr`): y = |y_i - y_(i-1)| within the phase, centre the mean
/// baseline range, limits 0 and 3.267 × centre; never screened.
fn moving_range_chart(values: &[Option<f64>], base: &[bool]) -> Computed {
    let ranges: Vec<Option<f64>> = (0..values.len())
        .map(|i| {
            let previous = values[i.checked_sub(1)?]?;
            Some((values[i]? - previous).abs())
        })
        .collect();
    let centre = mean(&base_values(&ranges, base));
    let band = centre.map(|c| Band {
        lower: 0.0,
        upper: MR_FACTOR * c,
        lower_2sigma: 0.0,
        upper_2sigma: (MR_FACTOR / 3.0) * 2.0 * c,
    });
    let n = values.len();
    (ranges, centre, vec![band; n])
}

/// Xbar and S charts (qicharts2 `qic.xbar`, `qic.s`; Montgomery 6.29–6.31). Equal subgroup
/// sizes use the mean standard deviation, unequal ones the pooled one. Empty subgroups are
/// gaps and do not make the sizes unequal (qicharts2 counts them, a quirk not kept).
fn subgroup_chart(chart: Chart, samples: &[Sample], base: &[bool]) -> Computed {
    let sizes: Vec<usize> = samples.iter().map(|s| s.size).filter(|&k| k > 0).collect();
    let unequal = sizes.windows(2).any(|w| w[0] != w[1]);
    let groups: Vec<&Sample> = samples
        .iter()
        .zip(base)
        .filter(|(s, &b)| b && s.size > 0)
        .map(|(s, _)| s)
        .collect();
    let sd_of_base = if unequal {
        let num: f64 = groups
            .iter()
            .filter_map(|s| s.sd.map(|sd| (s.size - 1) as f64 * sd * sd))
            .sum();
        let den: f64 = groups.iter().map(|s| (s.size - 1) as f64).sum();
        (den > 0.0).then(|| (num / den).sqrt())
    } else {
        mean(&groups.iter().filter_map(|s| s.sd).collect::<Vec<_>>())
    };

    if chart == Chart::Xbar {
        let total: f64 = groups.iter().map(|s| s.size as f64).sum();
        let weighted: f64 = groups
            .iter()
            .filter_map(|s| s.value.map(|m| s.size as f64 * m))
            .sum();
        let centre = (total > 0.0).then(|| weighted / total);
        let bands = samples
            .iter()
            .map(|s| {
                let (c, sd) = (centre?, sd_of_base?);
                Some(Band {
                    lower: c - a3(s.size, 3.0)? * sd,
                    upper: c + a3(s.size, 3.0)? * sd,
                    lower_2sigma: c - a3(s.size, 2.0)? * sd,
                    upper_2sigma: c + a3(s.size, 2.0)? * sd,
                })
            })
            .collect();
        (samples.iter().map(|s| s.value).collect(), centre, bands)
    } else {
        let centre = sd_of_base;
        let bands = samples
            .iter()
            .map(|s| {
                let c = centre?;
                Some(Band {
                    lower: b3(s.size, 3.0)? * c,
                    upper: b4(s.size, 3.0)? * c,
                    lower_2sigma: b3(s.size, 2.0)? * c,
                    upper_2sigma: b4(s.size, 2.0)? * c,
                })
            })
            .collect();
        (samples.iter().map(|s| s.sd).collect(), centre, bands)
    }
}

/// P, P′, U and U′ charts (qicharts2 `qic.p`, `qic.pp`, `qic.u`, `qic.up`): the centre is
/// sum(numerators) / sum(denominators) over the baseline, sigma per point
/// (Montgomery 7.19 for u). Laney's P′/U′ (Laney 2002) multiply sigma by sigma_z, the
/// screened AMR of the baseline z-scores over 1.128.
fn ratio_chart(chart: Chart, samples: &[Sample], base: &[bool], screen: bool) -> Computed {
    let y: Vec<Option<f64>> = samples.iter().map(|s| s.value).collect();
    let (num, den) = samples
        .iter()
        .zip(base)
        .filter(|(s, &b)| b && s.value.is_some())
        .fold((0.0, 0.0), |(n, d), (s, _)| (n + s.num, d + s.den));
    let Some(centre) = (den > 0.0).then(|| num / den) else {
        return (y, None, vec![None; samples.len()]);
    };
    let proportion = matches!(chart, Chart::P | Chart::Pp);
    let sigma = |s: &Sample| -> Option<f64> {
        s.value?;
        Some(if proportion {
            (centre * (1.0 - centre) / s.den).sqrt()
        } else {
            (centre / s.den).sqrt()
        })
    };

    let laney = matches!(chart, Chart::Pp | Chart::Up);
    // With a centre of 0 (or 1 for proportions) every sigma is 0 and so are the limits'
    // widths, whatever sigma_z is (qicharts2 would divide 0 by 0 and draw none).
    let degenerate = centre == 0.0 || (proportion && centre == 1.0);
    let sigma_z = if laney && !degenerate {
        let z: Vec<Option<f64>> = samples
            .iter()
            .zip(base)
            .filter(|(_, &b)| b)
            .map(|(s, _)| {
                let sd = sigma(s).filter(|&sd| sd > 0.0)?;
                Some((s.value? - centre) / sd)
            })
            .collect();
        average_moving_range(&z, screen).map(|amr| amr / D2)
    } else {
        Some(1.0)
    };

    let bands = samples
        .iter()
        .map(|s| {
            let band = Band::around(centre, sigma(s)? * sigma_z?).floor_at_zero();
            Some(if proportion { band.cap_at_one() } else { band })
        })
        .collect();
    (y, Some(centre), bands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: &[f64]) -> Vec<Sample> {
        v.iter()
            .map(|&x| Sample::new(Chart::I, &Period::value(x)))
            .collect()
    }

    #[test]
    fn moving_ranges_break_at_gaps_and_span_excluded_points() {
        let seq = [Some(1.0), Some(3.0), None, Some(10.0), Some(11.0)];
        assert_eq!(average_moving_range(&seq, false), Some(1.5));
        // Excluded point 1 (value 100): the range runs from 1 to 2.
        let s = values(&[1.0, 100.0, 2.0, 4.0]);
        let l = compute(
            Chart::I,
            Profile::Anhoej,
            false,
            &s,
            &[true, false, true, true],
        );
        assert_eq!(l.centre, Some(7.0 / 3.0));
        let width = l.upper[0].unwrap() - l.centre.unwrap();
        assert!((width - 3.0 * 1.5 / D2).abs() < 1e-12);
    }

    #[test]
    fn screening_drops_large_ranges() {
        let seq: Vec<Option<f64>> = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 30.0]
            .iter()
            .map(|&x| Some(x))
            .collect();
        assert_eq!(average_moving_range(&seq, true), Some(1.0));
        assert!(average_moving_range(&seq, false).unwrap() > 3.0);
    }

    #[test]
    fn t_chart_lower_limit_floors_at_zero() {
        let s: Vec<Sample> = [1.0, 500.0, 3.0, 900.0, 2.0]
            .iter()
            .map(|&x| Sample::new(Chart::T, &Period::value(x)))
            .collect();
        let l = compute(Chart::T, Profile::Anhoej, true, &s, &[true; 5]);
        assert_eq!(l.lower[0], Some(0.0));
        assert!(l.upper[0].unwrap() > 900.0);
        assert_eq!(Sample::new(Chart::T, &Period::value(-1.0)).value, None);
    }
}

//! Special functions behind the limits and the runs rules, written out so the crate
//! takes no maths dependency: ln Γ, the c4 family of constants, the exact binomial quantile.

use std::cmp::Ordering;

/// ln Γ(x) for x > 0 (NaN otherwise): the recurrence Γ(x) = Γ(x + 1) / x lifts x to at
/// least 10, then the Stirling series with terms to x^-11 (error below 1e-15 there).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    let mut x = x;
    let mut shift = 0.0;
    while x < 10.0 {
        shift += x.ln();
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    // Bernoulli terms B_2k / (2k (2k - 1) x^(2k - 1)).
    let series = (1.0 / 12.0
        - z * (1.0 / 360.0
            - z * (1.0 / 1260.0
                - z * (1.0 / 1680.0 - z * (1.0 / 1188.0 - z * (691.0 / 360_360.0))))))
        / x;
    let half_ln_two_pi = 0.918_938_533_204_672_7;
    (x - 0.5) * x.ln() - x + half_ln_two_pi + series - shift
}

/// c4(n), the bias of the sample standard deviation (Montgomery, Introduction to SPC,
/// appendix VI), computed as qicharts2 does (helper.functions.R `c4`):
/// sqrt(2 / (n - 1)) * exp(lgamma(n / 2) - lgamma((n - 1) / 2)). `None` for n < 2.
pub(crate) fn c4(n: usize) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let n = n as f64;
    Some((2.0 / (n - 1.0)).sqrt() * (ln_gamma(n / 2.0) - ln_gamma((n - 1.0) / 2.0)).exp())
}

/// c5(n) = sqrt(1 - c4(n)^2) (qicharts2 `c5`).
fn c5(n: usize) -> Option<f64> {
    c4(n).map(|c| (1.0 - c * c).sqrt())
}

/// A3 for `sigmas` sigma: sigmas / (c4(n) sqrt(n)) (qicharts2 `a3`, Montgomery 6.29).
pub(crate) fn a3(n: usize, sigmas: f64) -> Option<f64> {
    c4(n).map(|c| sigmas / (c * (n as f64).sqrt()))
}

/// B3 for `sigmas` sigma: max(0, 1 - sigmas c5 / c4) (qicharts2 `b3`).
pub(crate) fn b3(n: usize, sigmas: f64) -> Option<f64> {
    Some((1.0 - sigmas * c5(n)? / c4(n)?).max(0.0))
}

/// B4 for `sigmas` sigma: 1 + sigmas c5 / c4 (qicharts2 `b4`).
pub(crate) fn b4(n: usize, sigmas: f64) -> Option<f64> {
    Some(1.0 + sigmas * c5(n)? / c4(n)?)
}

/// Above this many trials the binomial quantile is summed in floating point instead of
/// exactly (an exact sum is quadratic in the number of trials).
const EXACT_QUANTILE_MAX_TRIALS: usize = 10_000;

/// R's `qbinom(0.05, trials, 0.5)`: the smallest c with P(X <= c) >= 0.05 for
/// X ~ Binomial(trials, 1/2). Exact: 20 * sum_{k<=c} C(trials, k) >= 2^trials in integers
/// (P(X <= c) is never exactly 0.05, as 2^trials is not a multiple of 20).
pub(crate) fn binomial_half_quantile_5pct(trials: usize) -> usize {
    if trials > EXACT_QUANTILE_MAX_TRIALS {
        return approximate_quantile_5pct(trials);
    }
    let total = BigNat::pow2(trials);
    let mut term = BigNat::one();
    let mut sum = BigNat::one();
    let mut k = 0;
    loop {
        let mut twenty_sum = sum.clone();
        twenty_sum.mul_small(20);
        if twenty_sum.cmp(&total) != Ordering::Less || k >= trials {
            return k;
        }
        // C(t, k + 1) = C(t, k) (t - k) / (k + 1), an exact division.
        term.mul_small((trials - k) as u32);
        term.div_small((k + 1) as u32);
        sum.add(&term);
        k += 1;
    }
}

/// The same quantile for very long series, summing probabilities in floating point.
fn approximate_quantile_5pct(trials: usize) -> usize {
    let t = trials as f64;
    let ln_total = ln_gamma(t + 1.0) - t * std::f64::consts::LN_2;
    let mut cdf = 0.0;
    for k in 0..=trials {
        let kf = k as f64;
        let ln_p = ln_total - ln_gamma(kf + 1.0) - ln_gamma(t - kf + 1.0);
        cdf += ln_p.exp();
        if cdf >= 0.05 {
            return k;
        }
    }
    trials
}

/// A natural number in base 2^32, little-endian: only what the quantile needs.
#[derive(Clone)]
struct BigNat(Vec<u32>);

impl BigNat {
    fn one() -> BigNat {
        BigNat(vec![1])
    }

    fn pow2(exponent: usize) -> BigNat {
        let mut limbs = vec![0u32; exponent / 32 + 1];
        limbs[exponent / 32] = 1 << (exponent % 32);
        BigNat(limbs)
    }

    fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let t = u64::from(*limb) * u64::from(factor) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn div_small(&mut self, divisor: u32) {
        let mut rem = 0u64;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / u64::from(divisor)) as u32;
            rem = cur % u64::from(divisor);
        }
        self.trim();
    }

    fn add(&mut self, other: &BigNat) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut carry = 0u64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let t = u64::from(*limb) + u64::from(other.0.get(i).copied().unwrap_or(0)) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn trim(&mut self) {
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn cmp(&self, other: &BigNat) -> Ordering {
        let (mut a, mut b) = (self.clone(), other.clone());
        a.trim();
        b.trim();
        a.0.len()
            .cmp(&b.0.len())
            .then_with(|| a.0.iter().rev().cmp(b.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        // ln Γ(1/2) = ln √π; Γ(1) = Γ(2) = 1; Γ(3) = 2; Γ(10) = 9!; lgamma(100) from R.
        assert!(close(ln_gamma(0.5), 0.572_364_942_924_700_1, 1e-14));
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(ln_gamma(2.0), 0.0, 1e-14));
        assert!(close(ln_gamma(3.0), std::f64::consts::LN_2, 1e-14));
        assert!(close(ln_gamma(10.0), 362_880f64.ln(), 1e-14));
        assert!(close(ln_gamma(100.0), 359.134_205_369_575_4, 1e-14));
        assert!(close(
            ln_gamma(2.5),
            (0.75 * std::f64::consts::PI.sqrt()).ln(),
            1e-14
        ));
        assert!(ln_gamma(0.0).is_nan());
        assert!(ln_gamma(-1.0).is_nan());
        assert!(ln_gamma(f64::NAN).is_nan());
    }

    #[test]
    fn c4_and_control_chart_constants_match_tables() {
        // c4(2) = sqrt(2/pi); the others from Montgomery's appendix VI (4 d.p.).
        assert!(close(
            c4(2).unwrap(),
            (2.0 / std::f64::consts::PI).sqrt(),
            1e-14
        ));
        for (n, expected) in [
            (3, 0.8862),
            (4, 0.9213),
            (5, 0.9400),
            (10, 0.9727),
            (25, 0.9896),
        ] {
            assert!((c4(n).unwrap() - expected).abs() < 5e-5, "c4({n})");
        }
        assert!((a3(5, 3.0).unwrap() - 1.427).abs() < 5e-4);
        assert!((b3(5, 3.0).unwrap() - 0.0).abs() < 1e-12);
        assert!((b3(6, 3.0).unwrap() - 0.030).abs() < 5e-4);
        assert!((b4(5, 3.0).unwrap() - 2.089).abs() < 5e-4);
        assert!((b4(10, 3.0).unwrap() - 1.716).abs() < 5e-4);
        assert_eq!(c4(1), None);
        assert_eq!(c4(0), None);
        assert_eq!(a3(1, 3.0), None);
        // Large subgroups stay finite and tend to 1.
        let c = c4(10_000).unwrap();
        assert!(c < 1.0 && c > 0.9999);
    }

    #[test]
    fn binomial_quantile_matches_r() {
        // qbinom(0.05, n, 0.5) in R.
        for (n, q) in [
            (0, 0),
            (1, 0),
            (2, 0),
            (4, 0),
            (5, 1),
            (9, 2),
            (19, 6),
            (49, 19),
            (99, 41),
        ] {
            assert_eq!(binomial_half_quantile_5pct(n), q, "qbinom(0.05, {n}, 0.5)");
        }
        // The floating-point path agrees with the exact one where both run.
        for n in [50, 200, 1000, 5000] {
            assert_eq!(
                approximate_quantile_5pct(n),
                binomial_half_quantile_5pct(n),
                "n = {n}"
            );
        }
        assert!(binomial_half_quantile_5pct(20_001) > 9_000);
    }
}

//! The statistics printed next to counts: shares with Wilson score intervals, and the
//! fixed decimal formats every CSV uses.

/// The 97.5th percentile of the standard normal distribution (two-sided 95 %).
pub const Z95: f64 = 1.959_963_984_540_054;

/// Decimal places of shares and interval bounds (0.1234 = 12.34 %).
pub const SHARE_DECIMALS: usize = 4;
/// Decimal places of quartiles.
pub const QUANTILE_DECIMALS: usize = 2;

/// The Wilson score interval for `x` successes out of `n`, at 95 %.
///
/// Unlike the textbook `p ± z·sqrt(p(1-p)/n)` it stays within 0..1 and behaves for
/// shares near 0 or 1 and for small n. `None` when n is 0.
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || x > n {
        return None;
    }
    let n = n as f64;
    let p = x as f64 / n;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// A share with its fixed number of decimals.
pub fn share_text(v: f64) -> String {
    fixed(v, SHARE_DECIMALS)
}

pub fn quantile_text(v: f64) -> String {
    fixed(v, QUANTILE_DECIMALS)
}

/// Fixed decimals, never `-0.0000`.
fn fixed(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // Reference values from R: binom::binom.wilson / prop.test(correct = FALSE).
        let (lo, hi) = wilson(10, 100).unwrap();
        assert!((lo - 0.05522914).abs() < 1e-7, "{lo}");
        assert!((hi - 0.17436566).abs() < 1e-7, "{hi}");
        let (lo, hi) = wilson(0, 20).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.16112516).abs() < 1e-7, "{hi}");
        let (lo, hi) = wilson(20, 20).unwrap();
        assert!((lo - 0.83887484).abs() < 1e-7, "{lo}");
        assert_eq!(hi, 1.0);
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn interval_contains_the_share_and_narrows_with_n() {
        for n in [1u64, 5, 30, 1000] {
            for x in 0..=n.min(40) {
                let (lo, hi) = wilson(x, n).unwrap();
                let p = x as f64 / n as f64;
                assert!(lo <= p + 1e-12 && p <= hi + 1e-12, "{x}/{n}");
                assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
            }
        }
        let w = |n: u64| {
            let (lo, hi) = wilson(n / 2, n).unwrap();
            hi - lo
        };
        assert!(w(100) < w(30) && w(1000) < w(100));
    }

    #[test]
    fn decimals_are_fixed() {
        assert_eq!(share_text(0.5), "0.5000");
        assert_eq!(share_text(-0.0), "0.0000");
        assert_eq!(share_text(1.0 / 3.0), "0.3333");
        assert_eq!(quantile_text(12.0), "12.00");
        assert_eq!(quantile_text(12.125), "12.12");
    }
}

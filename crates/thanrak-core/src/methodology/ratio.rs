//! Exact rational numbers for weights and the cut-off `k`, so that `c ≥ k` is decided exactly.

use std::fmt;

/// A rational number in lowest terms with a positive denominator, such as a weight `1/15`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i64,
    den: i64,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    /// Zero.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    /// One.
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den` in lowest terms; `None` when `den` is zero or the result does not fit.
    pub fn new(num: i64, den: i64) -> Option<Ratio> {
        Self::from_i128(i128::from(num), i128::from(den))
    }

    fn from_i128(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        Some(Ratio {
            num: i64::try_from(sign * num / g).ok()?,
            den: i64::try_from(sign * den / g).ok()?,
        })
    }

    /// Parses `1/3`, an integer such as `38000`, or a decimal such as `0.2` or `2.5e-1`, exactly.
    pub fn parse(s: &str) -> Option<Ratio> {
        let s = s.trim();
        match s.split_once('/') {
            Some((a, b)) => Self::parse_decimal(a)?.checked_div(Self::parse_decimal(b)?),
            None => Self::parse_decimal(s),
        }
    }

    fn parse_decimal(s: &str) -> Option<Ratio> {
        let s: String = s.trim().chars().filter(|&c| c != '_').collect();
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (&s[..], 0),
        };
        let (neg, mantissa) = match mantissa.as_bytes().first()? {
            b'-' => (true, &mantissa[1..]),
            b'+' => (false, &mantissa[1..]),
            _ => (false, mantissa),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut num: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            num = num.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let scale = exp - i32::try_from(frac.len()).ok()?;
        let pow = 10i128.checked_pow(scale.unsigned_abs())?;
        let (num, den) = if scale >= 0 {
            (num.checked_mul(pow)?, 1)
        } else {
            (num, pow)
        };
        Self::from_i128(if neg { -num } else { num }, den)
    }

    /// The numerator (carries the sign).
    pub fn numer(self) -> i64 {
        self.num
    }

    /// The denominator (always positive).
    pub fn denom(self) -> i64 {
        self.den
    }

    /// The nearest `f64`.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Ratio) -> Option<Ratio> {
        let (a, b) = (i128::from(self.num), i128::from(self.den));
        let (c, d) = (i128::from(other.num), i128::from(other.den));
        Self::from_i128(
            a.checked_mul(d)?.checked_add(c.checked_mul(b)?)?,
            b.checked_mul(d)?,
        )
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Ratio) -> Option<Ratio> {
        self.checked_add(Ratio {
            num: other.num.checked_neg()?,
            den: other.den,
        })
    }

    /// `self / other`, or `None` when `other` is zero or on overflow.
    pub fn checked_div(self, other: Ratio) -> Option<Ratio> {
        Self::from_i128(
            i128::from(self.num) * i128::from(other.den),
            i128::from(self.den) * i128::from(other.num),
        )
    }

    /// `self / n`, or `None` when `n` is zero or on overflow.
    pub fn checked_div_int(self, n: i64) -> Option<Ratio> {
        Self::from_i128(i128::from(self.num), i128::from(self.den) * i128::from(n))
    }
}

/// Least common multiple of positive numbers, or `None` when it does not fit in a `u64`.
pub(crate) fn lcm(values: impl IntoIterator<Item = u64>) -> Option<u64> {
    values.into_iter().try_fold(1u64, |acc, v| {
        let g = gcd(i128::from(acc), i128::from(v)) as u64;
        (acc / g.max(1)).checked_mul(v)
    })
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (i128::from(self.num) * i128::from(other.den))
            .cmp(&(i128::from(other.num) * i128::from(self.den)))
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fractions_integers_and_decimals_exactly() {
        assert_eq!(Ratio::parse("1/3"), Ratio::new(1, 3));
        assert_eq!(Ratio::parse("2/6"), Ratio::new(1, 3));
        assert_eq!(Ratio::parse("0.2"), Ratio::new(1, 5));
        assert_eq!(Ratio::parse("2.5e-1"), Ratio::new(1, 4));
        assert_eq!(Ratio::parse("38_000"), Ratio::new(38000, 1));
        assert_eq!(Ratio::parse("-1.5"), Ratio::new(-3, 2));
        assert_eq!(Ratio::parse("1/0"), None);
        assert_eq!(Ratio::parse("a/3"), None);
        assert_eq!(Ratio::parse("."), None);
        assert_eq!(Ratio::parse("1/3").unwrap().to_string(), "1/3");
    }

    #[test]
    fn arithmetic_and_lcm() {
        let fifth = Ratio::new(1, 5).unwrap();
        let sum = (0..5)
            .try_fold(Ratio::ZERO, |s, _| s.checked_add(fifth))
            .unwrap();
        assert_eq!(sum, Ratio::ONE);
        assert_eq!(fifth.checked_div_int(3), Ratio::new(1, 15));
        assert_eq!(Ratio::ONE.checked_sub(fifth), Ratio::new(4, 5));
        assert_eq!(lcm([10, 20, 15]), Some(60));
        assert_eq!(lcm([u64::MAX, 2]), None);
    }
}

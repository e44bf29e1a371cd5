//! Weights: the ones a file leaves out, and all of them as integers over one denominator.

use super::{lcm, Indicator, Ratio};

const TOLERANCE: f64 = 1e-9;

/// Fills in missing weights: the parts without one share what `total` leaves equally.
/// Returns the weights, or a message when they cannot sum to `total`.
pub(super) fn split_weights(total: Ratio, given: &[Option<Ratio>]) -> Result<Vec<Ratio>, String> {
    let overflow = || "the weights are too fine to add up exactly".to_string();
    let mut sum = Ratio::ZERO;
    for w in given.iter().flatten() {
        sum = sum.checked_add(*w).ok_or_else(overflow)?;
    }
    let missing = given.iter().filter(|w| w.is_none()).count();
    let rest = total.checked_sub(sum).ok_or_else(overflow)?;
    if missing == 0 {
        if (rest.to_f64()).abs() > TOLERANCE {
            return Err(format!(
                "the weights sum to {sum} ({}), not {total}",
                sum.to_f64()
            ));
        }
        return Ok(given.iter().flatten().copied().collect());
    }
    if rest.to_f64() <= TOLERANCE {
        return Err(format!(
            "the given weights sum to {sum}, which leaves nothing of {total} for the {missing} without one"
        ));
    }
    let share = rest.checked_div_int(missing as i64).ok_or_else(overflow)?;
    Ok(given.iter().map(|w| w.unwrap_or(share)).collect())
}

/// The common denominator D of the indicators' weights and each weight as an integer over D, so
/// that a deprivation score is a sum of integers; `None` when D does not fit in a `u64`.
pub(super) fn integer_weights(indicators: &[Indicator]) -> Option<(u64, Vec<u64>)> {
    let denominators: Vec<u64> = indicators.iter().map(|i| i.weight.denom() as u64).collect();
    let denominator = lcm(denominators)?;
    let int_weights: Vec<u64> = indicators
        .iter()
        .map(|i| i.weight.numer() as u64 * (denominator / i.weight.denom() as u64))
        .collect();
    Some((denominator, int_weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_split_and_check() {
        let r = |s: &str| Ratio::parse(s).unwrap();
        assert_eq!(
            split_weights(r("1/5"), &[None, None]).unwrap(),
            vec![r("1/10"), r("1/10")]
        );
        assert_eq!(
            split_weights(r("1/5"), &[Some(r("1/20")), None, None]).unwrap(),
            vec![r("1/20"), r("3/40"), r("3/40")]
        );
        assert!(split_weights(r("1/5"), &[Some(r("1/5")), None]).is_err());
        assert!(split_weights(Ratio::ONE, &[Some(r("0.5")), Some(r("0.4"))]).is_err());
        assert!(split_weights(
            Ratio::ONE,
            &[
                Some(r("0.3333333333")),
                Some(r("0.3333333333")),
                Some(r("0.3333333334"))
            ]
        )
        .is_ok());
    }
}

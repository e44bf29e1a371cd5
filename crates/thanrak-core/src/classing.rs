//! Classes of a choropleth map: how the values of the areas shown are cut into colour classes.
//!
//! Three classings, as map readers know them: fixed breaks (the same colour means the same value on
//! every map, the honest default for comparing areas), quantiles (each class holds about as many
//! areas) and equal intervals (the range of the values shown cut into equal steps). A class is
//! `[lower, upper)`, the last one closed; values are those of the figure (shares from 0 to 1).

/// How values are cut into classes.
#[derive(Debug, Clone, PartialEq)]
pub enum Classing {
    /// The given inner breaks, between the figure's own bounds.
    Fixed(Vec<f64>),
    /// Classes of about equally many of the values shown.
    Quantiles,
    /// The range of the values shown cut into equal steps.
    EqualIntervals,
}

/// A class: its bounds and how many values fall in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Lower bound (included).
    pub lower: f64,
    /// Upper bound (excluded, except for the last class).
    pub upper: f64,
    /// Values inside.
    pub count: usize,
}

/// Why inner breaks were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BreaksError {
    /// A break is not a number.
    #[error("{0:?} is not a number")]
    NotANumber(String),
    /// Breaks must rise strictly and lie strictly inside the figure's bounds.
    #[error("breaks must rise and lie between {0} and {1}")]
    OutOfOrder(f64, f64),
    /// Between one and eight breaks.
    #[error("give between 1 and 8 breaks")]
    Count,
}

/// The most classes a map draws.
pub const MAX_CLASSES: usize = 9;

/// Parses inner breaks written as `5, 10, 20` and divided by `scale` (100 for figures shown in
/// percent or out of 100), checked against the figure's bounds `(lo, hi)`.
pub fn parse_breaks(text: &str, scale: f64, (lo, hi): (f64, f64)) -> Result<Vec<f64>, BreaksError> {
    let breaks = text
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('%')
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(|v| v / scale)
                .ok_or_else(|| BreaksError::NotANumber(s.to_string()))
        })
        .collect::<Result<Vec<f64>, _>>()?;
    if breaks.is_empty() || breaks.len() >= MAX_CLASSES {
        return Err(BreaksError::Count);
    }
    let mut last = lo;
    for &b in &breaks {
        if b <= last || b >= hi {
            return Err(BreaksError::OutOfOrder(lo * scale, hi * scale));
        }
        last = b;
    }
    Ok(breaks)
}

/// The classes of `values` (the values shown; withheld ones left out) under `classing`, with
/// `wanted` classes for quantiles and equal intervals. Fixed breaks run from `bounds.0` to
/// `bounds.1` (the figure's own range, widened to hold every value). Classes never repeat a
/// bound: quantiles of few or tied values give fewer classes. No values, no classes, except for
/// fixed breaks, which do not depend on the values.
pub fn classes(
    values: &[f64],
    classing: &Classing,
    wanted: usize,
    bounds: (f64, f64),
) -> Vec<Class> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let wanted = wanted.clamp(1, MAX_CLASSES);
    let mut edges: Vec<f64> = match classing {
        Classing::Fixed(inner) => {
            let lo = sorted.first().map_or(bounds.0, |v| v.min(bounds.0));
            let hi = sorted.last().map_or(bounds.1, |v| v.max(bounds.1));
            std::iter::once(lo)
                .chain(inner.iter().copied().filter(|b| *b > lo && *b < hi))
                .chain(std::iter::once(hi))
                .collect()
        }
        _ if sorted.is_empty() => return Vec::new(),
        Classing::Quantiles => {
            let n = sorted.len();
            (0..=wanted)
                .map(|k| {
                    if k == wanted {
                        sorted[n - 1]
                    } else {
                        sorted[(k * n) / wanted]
                    }
                })
                .collect()
        }
        Classing::EqualIntervals => {
            let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
            (0..=wanted)
                .map(|k| lo + (hi - lo) * k as f64 / wanted as f64)
                .collect()
        }
    };
    edges.dedup_by(|b, a| (*b - *a).abs() < 1e-12);
    if edges.len() == 1 {
        // Every value the same: one class holding them all.
        edges.push(edges[0]);
    }
    let mut out: Vec<Class> = edges
        .windows(2)
        .map(|w| Class {
            lower: w[0],
            upper: w[1],
            count: 0,
        })
        .collect();
    for &v in &sorted {
        if let Some(i) = class_of(v, &out) {
            out[i].count += 1;
        }
    }
    out
}

/// The class `v` falls in: `[lower, upper)`, the last class closed.
pub fn class_of(v: f64, classes: &[Class]) -> Option<usize> {
    let last = classes.len().checked_sub(1)?;
    if !v.is_finite() || v < classes[0].lower || v > classes[last].upper {
        return None;
    }
    Some(
        classes
            .iter()
            .position(|c| v < c.upper)
            .unwrap_or(last)
            .min(last),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(cs: &[Class]) -> Vec<(f64, f64, usize)> {
        cs.iter().map(|c| (c.lower, c.upper, c.count)).collect()
    }

    #[test]
    fn fixed_breaks_keep_their_bounds_whatever_the_values() {
        // The case: 6.5 % and 7.4 % fall in one class, not at opposite ends.
        let cs = classes(
            &[0.065, 0.074, 0.07],
            &Classing::Fixed(vec![0.05, 0.1, 0.2, 0.4]),
            5,
            (0.0, 1.0),
        );
        assert_eq!(
            bounds(&cs),
            vec![
                (0.0, 0.05, 0),
                (0.05, 0.1, 3),
                (0.1, 0.2, 0),
                (0.2, 0.4, 0),
                (0.4, 1.0, 0)
            ]
        );
        assert_eq!(class_of(0.1, &cs), Some(2));
        assert_eq!(class_of(1.0, &cs), Some(4));
        assert_eq!(class_of(1.5, &cs), None);
    }

    #[test]
    fn quantiles_hold_about_as_many_values_each() {
        let values: Vec<f64> = (0..10).map(|i| f64::from(i) / 10.0).collect();
        let cs = classes(&values, &Classing::Quantiles, 5, (0.0, 1.0));
        assert_eq!(cs.len(), 5);
        assert!(cs.iter().all(|c| c.count == 2), "{cs:?}");
        // Tied values: fewer classes, never an empty repeated bound.
        let cs = classes(&[0.1, 0.1, 0.1, 0.2], &Classing::Quantiles, 5, (0.0, 1.0));
        assert_eq!(bounds(&cs), vec![(0.1, 0.2, 4)]);
        let cs = classes(&[0.3, 0.3], &Classing::Quantiles, 5, (0.0, 1.0));
        assert_eq!(bounds(&cs), vec![(0.3, 0.3, 2)]);
        assert!(classes(&[], &Classing::Quantiles, 5, (0.0, 1.0)).is_empty());
    }

    #[test]
    fn equal_intervals_cut_the_range_shown() {
        let cs = classes(&[0.0, 0.5, 1.0], &Classing::EqualIntervals, 4, (0.0, 1.0));
        assert_eq!(
            bounds(&cs),
            vec![
                (0.0, 0.25, 1),
                (0.25, 0.5, 0),
                (0.5, 0.75, 1),
                (0.75, 1.0, 1)
            ]
        );
    }

    #[test]
    fn breaks_are_parsed_in_the_units_shown_and_checked() {
        assert_eq!(
            parse_breaks("5, 10 20%", 100.0, (0.0, 1.0)),
            Ok(vec![0.05, 0.1, 0.2])
        );
        assert_eq!(
            parse_breaks("10, 5", 100.0, (0.0, 1.0)),
            Err(BreaksError::OutOfOrder(0.0, 100.0))
        );
        assert_eq!(
            parse_breaks("120", 100.0, (0.0, 1.0)),
            Err(BreaksError::OutOfOrder(0.0, 100.0))
        );
        assert_eq!(
            parse_breaks("x", 1.0, (0.0, 1.0)),
            Err(BreaksError::NotANumber("x".into()))
        );
        assert_eq!(parse_breaks("", 1.0, (0.0, 1.0)), Err(BreaksError::Count));
    }
}

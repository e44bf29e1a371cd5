//! Strategic area selection (methodology §6): candidate areas at a level ranked by the
//! concentration of their poor, whether a partner university (an Area Manager) works there,
//! and the quality of their data, with every component kept beside the score.

use chrono::NaiveDate;

use crate::AreaCode;

/// What is known of one candidate area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The area.
    pub area: AreaCode,
    /// Households of its latest round.
    pub households: u64,
    /// Of them, hardship or struggling.
    pub poor: u64,
    /// Of them, with every field of the survey present.
    pub complete: u64,
    /// The latest survey date among them.
    pub latest_survey: Option<NaiveDate>,
    /// A partner university is registered for the area or one of its parents.
    pub has_manager: bool,
}

/// The weights of the three components (methodology §6: 0.5, 0.25, 0.25). They need not sum to
/// one: the score is their weighted sum as given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Of the concentration of the poor.
    pub concentration: f64,
    /// Of a registered Area Manager.
    pub area_manager: f64,
    /// Of data quality.
    pub data_quality: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            concentration: 0.5,
            area_manager: 0.25,
            data_quality: 0.25,
        }
    }
}

impl Weights {
    /// Checked weights: each finite, between 0 and 1, not all zero.
    pub fn new(
        concentration: f64,
        area_manager: f64,
        data_quality: f64,
    ) -> Result<Weights, String> {
        for (name, w) in [
            ("concentration", concentration),
            ("area manager", area_manager),
            ("data quality", data_quality),
        ] {
            if !w.is_finite() || !(0.0..=1.0).contains(&w) {
                return Err(format!(
                    "the weight of {name} must be between 0 and 1, not {w}"
                ));
            }
        }
        if concentration + area_manager + data_quality <= 0.0 {
            return Err("at least one weight must be above 0".into());
        }
        Ok(Weights {
            concentration,
            area_manager,
            data_quality,
        })
    }
}

/// A ranked candidate with every component of its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Its place, from 1.
    pub rank: usize,
    /// The candidate.
    pub candidate: Candidate,
    /// poor / households (0 without households).
    pub poor_share: f64,
    /// 0.5 × (poor share / highest poor share) + 0.5 × (poor count / highest poor count).
    pub concentration: f64,
    /// 1 with an Area Manager, else 0.
    pub area_manager: f64,
    /// complete / households.
    pub completeness: f64,
    /// 1 within 365 days of the reference date, falling linearly to 0 at three years.
    pub freshness: f64,
    /// completeness × freshness.
    pub data_quality: f64,
    /// The weighted sum.
    pub score: f64,
}

/// How fresh data surveyed on `surveyed` is on `reference`: 1 within 365 days (or surveyed after
/// the reference date), 0 from three years (1,095 days), linear between; 0 when never surveyed.
pub fn freshness(surveyed: Option<NaiveDate>, reference: NaiveDate) -> f64 {
    let Some(d) = surveyed else { return 0.0 };
    let days = (reference - d).num_days();
    if days <= 365 {
        1.0
    } else if days >= 3 * 365 {
        0.0
    } else {
        1.0 - (days - 365) as f64 / (2 * 365) as f64
    }
}

/// Ranks the candidates (methodology §6): score high first, ties by poor count (high first),
/// then by code.
pub fn rank(candidates: Vec<Candidate>, weights: Weights, reference: NaiveDate) -> Vec<Ranked> {
    let share = |c: &Candidate| {
        if c.households == 0 {
            0.0
        } else {
            c.poor as f64 / c.households as f64
        }
    };
    let max_share = candidates.iter().map(share).fold(0.0, f64::max);
    let max_poor = candidates.iter().map(|c| c.poor).max().unwrap_or(0);
    let mut ranked: Vec<Ranked> = candidates
        .into_iter()
        .map(|c| {
            let poor_share = share(&c);
            let concentration =
                0.5 * if max_share > 0.0 {
                    poor_share / max_share
                } else {
                    0.0
                } + 0.5
                    * if max_poor > 0 {
                        c.poor as f64 / max_poor as f64
                    } else {
                        0.0
                    };
            let area_manager = if c.has_manager { 1.0 } else { 0.0 };
            let completeness = if c.households == 0 {
                0.0
            } else {
                c.complete as f64 / c.households as f64
            };
            let freshness = freshness(c.latest_survey, reference);
            let data_quality = completeness * freshness;
            let score = weights.concentration * concentration
                + weights.area_manager * area_manager
                + weights.data_quality * data_quality;
            Ranked {
                rank: 0,
                candidate: c,
                poor_share,
                concentration,
                area_manager,
                completeness,
                freshness,
                data_quality,
                score,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.candidate.poor.cmp(&a.candidate.poor))
            .then(a.candidate.area.cmp(&b.candidate.area))
    });
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cand(code: &str, households: u64, poor: u64, complete: u64, manager: bool) -> Candidate {
        Candidate {
            area: AreaCode::parse(code).unwrap(),
            households,
            poor,
            complete,
            latest_survey: Some(date("2026-07-01")),
            has_manager: manager,
        }
    }

    #[test]
    fn freshness_falls_from_one_year_to_three() {
        let r = date("2026-12-31");
        assert_eq!(freshness(Some(date("2026-01-01")), r), 1.0);
        assert_eq!(freshness(Some(date("2027-03-01")), r), 1.0);
        assert_eq!(freshness(Some(r - chrono::Duration::days(365)), r), 1.0);
        assert_eq!(freshness(Some(r - chrono::Duration::days(730)), r), 0.5);
        assert_eq!(freshness(Some(r - chrono::Duration::days(1095)), r), 0.0);
        assert_eq!(freshness(Some(r - chrono::Duration::days(4000)), r), 0.0);
        assert_eq!(freshness(None, r), 0.0);
    }

    #[test]
    fn ranks_as_the_methodology_says() {
        let reference = date("2026-11-30");
        let ranked = rank(
            vec![
                // Half poor, 100 poor: the highest share and count.
                cand("520101", 200, 100, 200, false),
                // A quarter poor, 50 poor, an Area Manager, half complete.
                cand("520102", 200, 50, 100, true),
                // Nobody poor.
                cand("520103", 100, 0, 100, false),
            ],
            Weights::default(),
            reference,
        );
        let by = |code: &str| {
            ranked
                .iter()
                .find(|r| r.candidate.area.to_string() == code)
                .unwrap()
        };
        let a = by("520101");
        assert_eq!(a.concentration, 1.0);
        assert_eq!(a.score, 0.5 + 0.25);
        let b = by("520102");
        assert_eq!(b.concentration, 0.5 * 0.5 + 0.5 * 0.5);
        assert_eq!(b.data_quality, 0.5);
        assert_eq!(b.score, 0.5 * 0.5 + 0.25 + 0.25 * 0.5);
        let c = by("520103");
        assert_eq!(c.score, 0.25);
        assert_eq!(
            ranked.iter().map(|r| r.rank).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(ranked[0].candidate.area.to_string(), "520101");
        // Weights move the order: with only the Area Manager counting, 520102 leads.
        let w = Weights::new(0.0, 1.0, 0.0).unwrap();
        let r = rank(
            vec![
                cand("520101", 200, 100, 200, false),
                cand("520102", 200, 50, 100, true),
            ],
            w,
            reference,
        );
        assert_eq!(r[0].candidate.area.to_string(), "520102");
    }

    #[test]
    fn ties_go_to_more_poor_then_the_code() {
        let reference = date("2026-11-30");
        let w = Weights::new(0.0, 1.0, 0.0).unwrap();
        let r = rank(
            vec![
                cand("520103", 100, 10, 100, true),
                cand("520102", 100, 20, 100, true),
                cand("520101", 100, 10, 100, true),
            ],
            w,
            reference,
        );
        let codes: Vec<String> = r.iter().map(|r| r.candidate.area.to_string()).collect();
        assert_eq!(codes, vec!["520102", "520101", "520103"]);
    }

    #[test]
    fn weights_are_checked() {
        assert!(Weights::new(0.5, 0.25, 0.25).is_ok());
        assert!(Weights::new(-0.1, 0.5, 0.5).is_err());
        assert!(Weights::new(1.5, 0.5, 0.5).is_err());
        assert!(Weights::new(f64::NAN, 0.5, 0.5).is_err());
        assert!(Weights::new(0.0, 0.0, 0.0).is_err());
    }
}

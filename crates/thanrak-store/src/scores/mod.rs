//! Scores of a round under a methodology, and the aggregate figures computed from them;
//! `targets.rs` holds the reads by scope (target lists, a household's history).

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{QueryBuilder, Row};
use thanrak_core::measure::af::AfResult;
use thanrak_core::measure::HouseholdScore;
use thanrak_core::measure::{Summary, Unit};
use thanrak_core::{AreaCode, Household, RoundLabel};

use crate::{with_pool, Store, StoreError};

mod change;
mod in_need;
mod targets;

pub use change::StandingRow;
pub use targets::TargetFilter;

/// Which results: a round scored under one methodology id and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunKey {
    /// The round.
    pub round: RoundLabel,
    /// The methodology's id, such as `thanrak-default-1`.
    pub methodology_id: String,
    /// The methodology's version.
    pub methodology_version: String,
}

/// A stored scoring run.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRun {
    /// What was scored, under which methodology.
    pub key: RunKey,
    /// A hash of the methodology file's text, to tell an edited file that kept its version.
    pub methodology_hash: String,
    /// When the run was computed.
    pub computed_at: DateTime<Utc>,
    /// Households scored.
    pub households: i64,
    /// The methodology file's text; `None` for a run stored before files were kept with runs
    /// (such a run has no needs stored either: score the round again).
    pub methodology_text: Option<String>,
}

/// One stored figure set: a unit, a breakdown (`all`, an area level, `group`, `head_sex`) and its key.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRow {
    /// Persons or households.
    pub unit: Unit,
    /// `all`, `province`, `district`, `subdistrict`, `village`, `group` or `head_sex`.
    pub breakdown: String,
    /// The area code, group code or sex code (empty for `all`).
    pub key: String,
    /// The figures.
    pub summary: Summary,
}

/// A household's stored score with the village it lives in.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScore {
    /// The household's village.
    pub village_code: AreaCode,
    /// The score.
    pub score: HouseholdScore,
}

/// The text form of a unit in the database.
pub fn unit_str(unit: Unit) -> &'static str {
    match unit {
        Unit::Person => "person",
        Unit::Household => "household",
    }
}

/// Encodes figures as text: `n q h a m0 ; uncensored ; censored ; contributions ; households ;
/// persons ; capitals`, numbers in Rust's shortest round-trip form.
fn encode(s: &Summary) -> String {
    let join = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>().join(" ");
    let a = &s.af;
    format!(
        "{};{};{};{};{};{};{}",
        join(&[a.n, a.q, a.h, a.a, a.m0]),
        join(&a.uncensored),
        join(&a.censored),
        join(&a.contributions),
        join(&s.households.map(|x| x as f64)),
        join(&s.persons.map(|x| x as f64)),
        join(&s.mean_capitals),
    )
}

fn decode(text: &str) -> Option<Summary> {
    let parts: Vec<Vec<f64>> = text
        .split(';')
        .map(|p| {
            p.split_whitespace()
                .map(|x| x.parse().ok())
                .collect::<Option<Vec<f64>>>()
        })
        .collect::<Option<_>>()?;
    if parts.len() != 7
        || parts[0].len() != 5
        || parts[4].len() != 4
        || parts[5].len() != 4
        || parts[6].len() != 5
    {
        return None;
    }
    let count = |v: &[f64]| -> [u64; 4] { [v[0] as u64, v[1] as u64, v[2] as u64, v[3] as u64] };
    Some(Summary {
        af: AfResult {
            n: parts[0][0],
            q: parts[0][1],
            h: parts[0][2],
            a: parts[0][3],
            m0: parts[0][4],
            uncensored: parts[1].clone(),
            censored: parts[2].clone(),
            contributions: parts[3].clone(),
        },
        households: count(&parts[4]),
        persons: count(&parts[5]),
        mean_capitals: [
            parts[6][0],
            parts[6][1],
            parts[6][2],
            parts[6][3],
            parts[6][4],
        ],
    })
}

/// The [`StoredScore`] of a row of [`SCORE_COLUMNS`]; `$r` is a backend row. A macro because
/// the two backends' rows differ in type.
macro_rules! stored_score {
    ($r:expr) => {{
        let r = &$r;
        let bad = |what: &str| $crate::StoreError::Corrupt(format!("score: {what}"));
        let hh: String = r.try_get(3)?;
        let village: String = r.try_get(4)?;
        let group: String = r.try_get(17)?;
        let sex: Option<String> = r.try_get(22)?;
        $crate::StoredScore {
            village_code: thanrak_core::AreaCode::parse(&village)
                .map_err(|_| bad("village code"))?,
            score: thanrak_core::measure::HouseholdScore {
                household_id: thanrak_core::HouseholdId::parse(&hh)
                    .map_err(|_| bad("household id"))?,
                deprivations: thanrak_core::measure::Bits(r.try_get::<i64, _>(5)? as u64),
                c: thanrak_core::measure::ExactScore {
                    num: r.try_get::<i64, _>(6)? as u64,
                    den: r.try_get::<i64, _>(7)? as u64,
                },
                score: r.try_get(8)?,
                mpi_poor: r.try_get(9)?,
                target_poor: r.try_get(10)?,
                capitals: [
                    r.try_get(11)?,
                    r.try_get(12)?,
                    r.try_get(13)?,
                    r.try_get(14)?,
                    r.try_get(15)?,
                ],
                criteria_met: thanrak_core::measure::Bits(r.try_get::<i64, _>(16)? as u64),
                group: thanrak_core::methodology::Group::parse(&group)
                    .ok_or_else(|| bad("group"))?,
                rule: r.try_get::<i64, _>(18)? as usize,
                income_pc: r.try_get(19)?,
                n_members: r.try_get::<i64, _>(20)? as u32,
                capable_workers: r.try_get::<i64, _>(21)? as u32,
                head_sex: match sex {
                    Some(s) => Some(
                        thanrak_core::household::Sex::parse(&s).ok_or_else(|| bad("head sex"))?,
                    ),
                    None => None,
                },
                needs: thanrak_core::measure::Bits(
                    r.try_get::<Option<i64>, _>(23)?.unwrap_or(0) as u64
                ),
            },
        }
    }};
}
pub(crate) use stored_score;

pub(crate) const SCORE_COLUMNS: &str =
    "round, methodology_id, methodology_version, household_id, village_code, \
    deprivations, c_num, c_den, score, mpi_poor, target_poor, cap_human, cap_physical, cap_financial, cap_natural, \
    cap_social, criteria_met, grp, rule_index, income_pc, n_members, capable_workers, head_sex, needs";

/// Scoring runs, their scores and figures: `store.scores()`.
#[derive(Debug, Clone, Copy)]
pub struct Scores<'s>(pub(crate) &'s Store);

impl Scores<'_> {
    /// Replaces the run `key` with these scores and figures, in one transaction.
    /// `scores[i]` is the score of `households[i]`.
    pub async fn save(
        self,
        key: &RunKey,
        methodology_hash: &str,
        methodology_text: &str,
        households: &[Household],
        scores: &[HouseholdScore],
        aggregates: &[AggregateRow],
    ) -> Result<(), StoreError> {
        if households.len() != scores.len() {
            return Err(StoreError::Other(
                "one score per household is required".into(),
            ));
        }
        let now = Utc::now();
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM score_runs WHERE round = $1 AND methodology_id = $2 AND methodology_version = $3",
            )
            .bind(key.round.as_str())
            .bind(&key.methodology_id)
            .bind(&key.methodology_version)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO score_runs (round, methodology_id, methodology_version, methodology_hash, computed_at, households, methodology_text) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(key.round.as_str())
            .bind(&key.methodology_id)
            .bind(&key.methodology_version)
            .bind(methodology_hash)
            .bind(now)
            .bind(scores.len() as i64)
            .bind(methodology_text)
            .execute(&mut *tx)
            .await?;
            let rows: Vec<(&Household, &HouseholdScore)> = households.iter().zip(scores).collect();
            for chunk in rows.chunks(1000) {
                let mut qb = QueryBuilder::new(format!("INSERT INTO scores ({SCORE_COLUMNS}) "));
                qb.push_values(chunk, |mut b, (h, s)| {
                    b.push_bind(key.round.as_str())
                        .push_bind(key.methodology_id.as_str())
                        .push_bind(key.methodology_version.as_str())
                        .push_bind(s.household_id.to_string())
                        .push_bind(h.village_code.to_string())
                        .push_bind(s.deprivations.0 as i64)
                        .push_bind(s.c.num as i64)
                        .push_bind(s.c.den as i64)
                        .push_bind(s.score)
                        .push_bind(s.mpi_poor)
                        .push_bind(s.target_poor)
                        .push_bind(s.capitals[0])
                        .push_bind(s.capitals[1])
                        .push_bind(s.capitals[2])
                        .push_bind(s.capitals[3])
                        .push_bind(s.capitals[4])
                        .push_bind(s.criteria_met.0 as i64)
                        .push_bind(s.group.as_str())
                        .push_bind(s.rule as i64)
                        .push_bind(s.income_pc)
                        .push_bind(i64::from(s.n_members))
                        .push_bind(i64::from(s.capable_workers))
                        .push_bind(s.head_sex.map(|x| x.as_str()))
                        .push_bind(s.needs.0 as i64);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in aggregates.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO aggregates (round, methodology_id, methodology_version, unit, breakdown, key, figures) ",
                );
                qb.push_values(chunk, |mut b, a| {
                    b.push_bind(key.round.as_str())
                        .push_bind(key.methodology_id.as_str())
                        .push_bind(key.methodology_version.as_str())
                        .push_bind(unit_str(a.unit))
                        .push_bind(a.breakdown.as_str())
                        .push_bind(a.key.as_str())
                        .push_bind(encode(&a.summary));
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The stored run `key`, if the round was scored under that methodology.
    pub async fn run(self, key: &RunKey) -> Result<Option<ScoreRun>, StoreError> {
        Ok(self
            .runs(&key.round)
            .await?
            .into_iter()
            .find(|r| &r.key == key))
    }

    /// Every stored run of a round (one per methodology id and version), by methodology id.
    pub async fn runs(self, round: &RoundLabel) -> Result<Vec<ScoreRun>, StoreError> {
        type Row = (String, String, String, DateTime<Utc>, i64, Option<String>);
        let rows: Vec<Row> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT methodology_id, methodology_version, methodology_hash, computed_at, \
                 households, methodology_text FROM score_runs WHERE round = $1 \
                 ORDER BY methodology_id, methodology_version",
            )
            .bind(round.as_str())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(
                    methodology_id,
                    methodology_version,
                    methodology_hash,
                    computed_at,
                    households,
                    methodology_text,
                )| {
                    ScoreRun {
                        key: RunKey {
                            round: round.clone(),
                            methodology_id,
                            methodology_version,
                        },
                        methodology_hash,
                        computed_at,
                        households,
                        methodology_text,
                    }
                },
            )
            .collect())
    }

    /// The stored figures of a run for one unit and breakdown, by key.
    pub async fn aggregates(
        self,
        key: &RunKey,
        unit: Unit,
        breakdown: &str,
    ) -> Result<Vec<(String, Summary)>, StoreError> {
        let rows: Vec<(String, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT key, figures FROM aggregates WHERE round = $1 AND methodology_id = $2 \
                 AND methodology_version = $3 AND unit = $4 AND breakdown = $5 ORDER BY key",
            )
            .bind(key.round.as_str())
            .bind(&key.methodology_id)
            .bind(&key.methodology_version)
            .bind(unit_str(unit))
            .bind(breakdown)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(k, f)| {
                let s = decode(&f)
                    .ok_or_else(|| StoreError::Corrupt(format!("aggregate {breakdown} {k}")))?;
                Ok((k, s))
            })
            .collect()
    }

    /// The stored scores of a run, by household id, optionally only inside `area`.
    pub async fn of_run(
        self,
        key: &RunKey,
        area: Option<&AreaCode>,
    ) -> Result<Vec<StoredScore>, StoreError> {
        let prefix = area.map(|a| format!("{a}%")).unwrap_or_else(|| "%".into());
        with_pool!(self.0, pool => {
            let order = match self.0 {
                Store::Postgres(_) => "household_id COLLATE \"C\"",
                Store::Sqlite(_) => "household_id",
            };
            let sql = format!(
                "SELECT {SCORE_COLUMNS} FROM scores WHERE round = $1 AND methodology_id = $2 \
                 AND methodology_version = $3 AND village_code LIKE $4 ORDER BY {order}"
            );
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(key.round.as_str())
                .bind(&key.methodology_id)
                .bind(&key.methodology_version)
                .bind(&prefix)
                .fetch(pool);
            let mut out = Vec::new();
            while let Some(r) = rows.try_next().await? {
                out.push(stored_score!(r));
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_round_trip_through_text() {
        let s = Summary {
            af: AfResult {
                n: 5.0,
                q: 3.0,
                h: 0.6,
                a: 7.0 / 12.0,
                m0: 0.35,
                uncensored: vec![0.6, 0.4, 0.6, 0.2],
                censored: vec![0.4, 0.2, 0.6, 0.2],
                contributions: vec![2.0 / 7.0, 1.0 / 7.0, 3.0 / 7.0, 1.0 / 7.0],
            },
            households: [1, 2, 3, 4],
            persons: [5, 6, 7, 8],
            mean_capitals: [0.1, 0.2, 1.0 / 3.0, 0.4, 0.5],
        };
        assert_eq!(decode(&encode(&s)), Some(s));
        assert_eq!(decode("1 2;3"), None);
    }
}

//! A household's history (issue 13, migration 0019): the field submissions loaded into a round
//! (their key, stable across edits, and version) and the earlier versions of a household's
//! record, kept whole before a change replaces it. Both are written by an import inside its own
//! transaction (`Recorded`), so that a record and its history never disagree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{QueryBuilder, Row};
use thanrak_core::{HouseholdId, RoundLabel};

use super::Registry;
use crate::{with_pool, StoreError};

/// A field submission loaded as a household of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    /// The round.
    pub round: RoundLabel,
    /// The submission's key, the same across its edits.
    pub key: String,
    /// The tool's code (`odk_central`, `kobo`).
    pub tool: String,
    /// The version loaded (the instance id).
    pub version: String,
    /// The household it loaded.
    pub household_id: HouseholdId,
    /// When the tool received it, as the tool wrote it.
    pub submitted_at: String,
}

/// An earlier version of a household's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    /// The round.
    pub round: RoundLabel,
    /// The household.
    pub household_id: HouseholdId,
    /// The version's number, from 1.
    pub version: i64,
    /// When the change that replaced it was made.
    pub saved_at: DateTime<Utc>,
    /// Who made the change.
    pub saved_by: String,
    /// How: an edited submission, a correction on the web, a merge.
    pub source: String,
    /// The record as it was (the application's encoding; the store does not read it).
    pub record: String,
}

/// What an import writes beside the households and members: the submissions it loaded, the
/// versions it replaced, the households it removes (a merge of duplicates) and the review it
/// decides.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// Submissions loaded (upserted by round and key).
    pub submissions: Vec<SubmissionRow>,
    /// Versions kept (a number already taken is a [`StoreError::Conflict`]).
    pub versions: Vec<VersionRow>,
    /// Households removed with their members, before the batch is written.
    pub removed: Vec<(RoundLabel, HouseholdId)>,
    /// A review of duplicates decided with the write (a group decided already is a
    /// [`StoreError::Conflict`]).
    pub review: Option<crate::registry::persons::DuplicateReview>,
}

/// Writes the submissions and versions of `$rec` inside the open transaction `$tx`.
macro_rules! write_recorded {
    ($tx:expr, $rec:expr, $now:expr) => {{
        for (round, id) in &$rec.removed {
            for table in ["members", "households"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE round = $1 AND household_id = $2"
                )))
                .bind(round.as_str())
                .bind(id.as_str())
                .execute(&mut *$tx)
                .await?;
            }
        }
        if let Some(r) = &$rec.review {
            sqlx::query(
                "INSERT INTO duplicate_reviews (group_key, decision, note, decided_by, \
                 decided_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&r.key)
            .bind(&r.decision)
            .bind(&r.note)
            .bind(&r.decided_by)
            .bind(r.decided_at.timestamp())
            .execute(&mut *$tx)
            .await?;
        }
        for chunk in $rec.versions.chunks($crate::registry::history::CHUNK_ROWS) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO household_versions (round, household_id, version, saved_at, \
                 saved_by, source, record) ",
            );
            qb.push_values(chunk, |mut b, v| {
                b.push_bind(v.round.as_str())
                    .push_bind(v.household_id.as_str())
                    .push_bind(v.version)
                    .push_bind(v.saved_at.timestamp())
                    .push_bind(v.saved_by.as_str())
                    .push_bind(v.source.as_str())
                    .push_bind(v.record.as_str());
            });
            qb.build().execute(&mut *$tx).await?;
        }
        for chunk in $rec
            .submissions
            .chunks($crate::registry::history::CHUNK_ROWS)
        {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO field_submissions (round, submission_key, tool, version, \
                 household_id, submitted_at, loaded_at) ",
            );
            qb.push_values(chunk, |mut b, s| {
                b.push_bind(s.round.as_str())
                    .push_bind(s.key.as_str())
                    .push_bind(s.tool.as_str())
                    .push_bind(s.version.as_str())
                    .push_bind(s.household_id.as_str())
                    .push_bind(s.submitted_at.as_str())
                    .push_bind($now.timestamp());
            });
            qb.push(
                " ON CONFLICT (round, submission_key) DO UPDATE SET tool = excluded.tool, \
                 version = excluded.version, household_id = excluded.household_id, \
                 submitted_at = excluded.submitted_at, loaded_at = excluded.loaded_at",
            );
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use write_recorded;

/// Rows per multi-row INSERT of the history.
pub(crate) const CHUNK_ROWS: usize = 1000;

fn parse_round(s: &str) -> Result<RoundLabel, StoreError> {
    RoundLabel::parse(s).map_err(|_| StoreError::Corrupt(format!("round {s:?}")))
}

fn parse_household(s: &str) -> Result<HouseholdId, StoreError> {
    HouseholdId::parse(s).map_err(|_| StoreError::Corrupt(format!("household {s:?}")))
}

impl Registry<'_> {
    /// The field submissions loaded into `rounds`, by round and key: the version loaded and its
    /// household.
    pub async fn submissions(
        self,
        rounds: &[RoundLabel],
    ) -> Result<HashMap<(RoundLabel, String), (String, HouseholdId)>, StoreError> {
        let mut out = HashMap::new();
        for round in rounds {
            with_pool!(self.0, pool => {
                let mut rows = sqlx::query(
                    "SELECT submission_key, version, household_id FROM field_submissions \
                     WHERE round = $1",
                )
                .bind(round.as_str())
                .fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    let key: String = row.try_get(0)?;
                    let version: String = row.try_get(1)?;
                    let household: String = row.try_get(2)?;
                    out.insert(
                        (round.clone(), key),
                        (version, parse_household(&household)?),
                    );
                }
            });
        }
        Ok(out)
    }

    /// The submission a household of `round` was loaded from, if any.
    pub async fn submission_of(
        self,
        round: &RoundLabel,
        household: &HouseholdId,
    ) -> Result<Option<SubmissionRow>, StoreError> {
        let row = with_pool!(self.0, pool => {
            sqlx::query(
                "SELECT submission_key, tool, version, submitted_at FROM field_submissions \
                 WHERE round = $1 AND household_id = $2 ORDER BY loaded_at DESC LIMIT 1",
            )
            .bind(round.as_str())
            .bind(household.as_str())
            .fetch_optional(pool)
            .await?
            .map(|r| -> Result<SubmissionRow, StoreError> {
                Ok(SubmissionRow {
                    round: round.clone(),
                    key: r.try_get(0)?,
                    tool: r.try_get(1)?,
                    version: r.try_get(2)?,
                    household_id: household.clone(),
                    submitted_at: r.try_get(3)?,
                })
            })
        });
        row.transpose()
    }

    /// The number of the latest version kept of each of these households of `round` (0 for
    /// none).
    pub async fn latest_versions(
        self,
        round: &RoundLabel,
        households: &[HouseholdId],
    ) -> Result<HashMap<HouseholdId, i64>, StoreError> {
        let mut out: HashMap<HouseholdId, i64> =
            households.iter().map(|h| (h.clone(), 0)).collect();
        for chunk in households.chunks(500) {
            with_pool!(self.0, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT household_id, max(version) FROM household_versions WHERE round = ",
                );
                qb.push_bind(round.as_str()).push(" AND household_id IN (");
                let mut sep = qb.separated(", ");
                for h in chunk {
                    sep.push_bind(h.as_str());
                }
                qb.push(") GROUP BY household_id");
                let mut rows = qb.build().fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    let h: String = row.try_get(0)?;
                    let v: i64 = row.try_get(1)?;
                    out.insert(parse_household(&h)?, v);
                }
            });
        }
        Ok(out)
    }

    /// The earlier versions of a household of `round`, oldest first.
    pub async fn versions(
        self,
        round: &RoundLabel,
        household: &HouseholdId,
    ) -> Result<Vec<VersionRow>, StoreError> {
        let mut out = Vec::new();
        with_pool!(self.0, pool => {
            let mut rows = sqlx::query(
                "SELECT round, household_id, version, saved_at, saved_by, source, record \
                 FROM household_versions WHERE round = $1 AND household_id = $2 \
                 ORDER BY version",
            )
            .bind(round.as_str())
            .bind(household.as_str())
            .fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let round: String = row.try_get(0)?;
                let household: String = row.try_get(1)?;
                out.push(VersionRow {
                    round: parse_round(&round)?,
                    household_id: parse_household(&household)?,
                    version: row.try_get(2)?,
                    saved_at: {
                        let t: i64 = row.try_get(3)?;
                        DateTime::from_timestamp(t, 0)
                            .ok_or_else(|| StoreError::Corrupt(format!("time {t}")))?
                    },
                    saved_by: row.try_get(4)?,
                    source: row.try_get(5)?,
                    record: row.try_get(6)?,
                });
            }
        });
        Ok(out)
    }
}

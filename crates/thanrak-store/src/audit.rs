//! The audit log: who saw whose personal data, when, asking for what. Lines are only ever
//! appended; times are kept to whole seconds, as elsewhere in the store.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use crate::{secs, with_pool, Store, StoreError};

/// A view of personal data to record in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// When it was viewed.
    pub at: DateTime<Utc>,
    /// Who viewed it.
    pub user_id: i64,
    /// The user's name, kept in the log as it was.
    pub user_name: String,
    /// What was asked for, such as `GET /api/v1/rounds/2568-1/households/LP0000001`.
    pub action: String,
    /// The survey round, if the view was of one round.
    pub round: Option<String>,
    /// The households whose personal data was shown.
    pub household_ids: Vec<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The line's id, increasing with time.
    pub id: i64,
    /// What was viewed, by whom and when.
    pub entry: NewAuditEntry,
}

/// The audit log: `store.audit()`.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'s>(pub(crate) &'s Store);

impl Audit<'_> {
    /// Appends a line to the audit log.
    pub async fn append(self, entry: &NewAuditEntry) -> Result<(), StoreError> {
        self.append_batch(std::slice::from_ref(entry)).await
    }

    /// Appends lines to the audit log in one transaction, in the order given: all or none.
    pub async fn append_batch(self, entries: &[NewAuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            // Six parameters a line: well under both backends' limits per statement.
            for chunk in entries.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO audit_log (at, user_id, user_name, action, round, household_ids) ",
                );
                qb.push_values(chunk, |mut b, e| {
                    b.push_bind(secs(e.at))
                        .push_bind(e.user_id)
                        .push_bind(e.user_name.clone())
                        .push_bind(e.action.clone())
                        .push_bind(e.round.clone())
                        .push_bind(e.household_ids.join(","));
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A page of the audit log, newest first, and the number of lines in all.
    pub async fn entries(
        self,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<AuditEntry>, u64), StoreError> {
        type Line = (
            i64,
            DateTime<Utc>,
            i64,
            String,
            String,
            Option<String>,
            String,
        );
        let (rows, total): (Vec<Line>, i64) = with_pool!(self.0, pool => {
            let rows = sqlx::query_as(
                "SELECT id, at, user_id, user_name, action, round, household_ids FROM audit_log \
                 ORDER BY id DESC LIMIT $1 OFFSET $2",
            )
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar("SELECT count(*) FROM audit_log")
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let entries = rows
            .into_iter()
            .map(
                |(id, at, user_id, user_name, action, round, ids)| AuditEntry {
                    id,
                    entry: NewAuditEntry {
                        at,
                        user_id,
                        user_name,
                        action,
                        round,
                        household_ids: ids
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                    },
                },
            )
            .collect();
        Ok((entries, total.max(0) as u64))
    }
}

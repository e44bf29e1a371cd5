//! Clashes of import checks with stored records that the importing user may not see: kept for
//! the admins and counted to throttle a user who keeps running into them.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::QueryBuilder;

use super::Registry;
use crate::{with_pool, StoreError};

/// One clash of an import check with a stored record the user may not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportConflict {
    /// The round of the batch and of the stored record.
    pub round: String,
    /// The column of the batch's value (`national_id`, `household_id`).
    pub column: String,
    /// The value the user submitted.
    pub value: String,
    /// The stored household it clashes with.
    pub household_id: String,
}

impl Registry<'_> {
    /// Records clashes found for `user_id` at `at`, in one transaction.
    pub async fn record_import_conflicts(
        self,
        user_id: i64,
        at: DateTime<Utc>,
        conflicts: &[ImportConflict],
    ) -> Result<(), StoreError> {
        if conflicts.is_empty() {
            return Ok(());
        }
        let at = at.trunc_subsecs(0);
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            for chunk in conflicts.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO import_conflicts (at, user_id, round, column_name, value, household_id) ",
                );
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(at)
                        .push_bind(user_id)
                        .push_bind(c.round.clone())
                        .push_bind(c.column.clone())
                        .push_bind(c.value.clone())
                        .push_bind(c.household_id.clone());
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many clashes were recorded for `user_id` after `since`, and when the oldest of them was.
    pub async fn import_conflicts_since(
        self,
        user_id: i64,
        since: DateTime<Utc>,
    ) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
        let (n, oldest): (i64, Option<DateTime<Utc>>) = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT count(*), min(at) FROM import_conflicts WHERE user_id = $1 AND at > $2",
            )
            .bind(user_id)
            .bind(since.trunc_subsecs(0))
            .fetch_one(pool)
            .await?
        });
        Ok((n.max(0) as u64, oldest))
    }
}

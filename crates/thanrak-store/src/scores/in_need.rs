//! Households in need by village: the denominator of the logbook of help's "households helped
//! against households in need".

use thanrak_core::AreaCode;

use super::{RunKey, Scores};
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, StoreError};

impl Scores<'_> {
    /// The households of a run with at least one need (methodology §5; the stored needs bits
    /// are not zero), by village, inside `scope` narrowed to `area`, ordered by village code.
    /// A run stored before needs were kept counts none.
    pub async fn in_need_by_village(
        self,
        key: &RunKey,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<(AreaCode, u64)>, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut sql = String::from(
            "SELECT village_code, count(*) FROM scores WHERE round = $1 AND methodology_id = $2 \
             AND methodology_version = $3 AND needs <> 0",
        );
        if !ranges.is_empty() {
            sql.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 4)
            ));
        }
        sql.push_str(" GROUP BY village_code ORDER BY village_code");
        let rows: Vec<(String, i64)> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(key.round.as_str())
                .bind(&key.methodology_id)
                .bind(&key.methodology_version);
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(v, n)| {
                let code = AreaCode::parse(&v)
                    .map_err(|_| StoreError::Corrupt(format!("scores: village {v:?}")))?;
                Ok((code, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }
}

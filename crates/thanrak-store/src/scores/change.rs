//! What the change between two rounds reads (issue 12): each household's group and MPI status in
//! a run, inside a scope, without the rest of its score.

use futures_util::TryStreamExt;
use sqlx::Row;
use thanrak_core::methodology::Group;
use thanrak_core::{AreaCode, RoundLabel};

use super::{RunKey, Scores};
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, StoreError};

/// One household's standing in a run: what a transition table counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingRow {
    /// The household's id.
    pub household_id: String,
    /// Its village in that round.
    pub village_code: AreaCode,
    /// Its group.
    pub group: Group,
    /// Whether it is MPI-poor.
    pub mpi_poor: bool,
}

impl Scores<'_> {
    /// The standing of every household of a run inside `scope` narrowed to `area`, ordered by
    /// household id (byte order, on both backends), read four columns at a time.
    pub async fn standings(
        self,
        key: &RunKey,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<StandingRow>, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut sql = String::from(
            "SELECT household_id, village_code, grp, mpi_poor FROM scores WHERE round = $1 \
             AND methodology_id = $2 AND methodology_version = $3",
        );
        if !ranges.is_empty() {
            sql.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 4)
            ));
        }
        let mut out = Vec::new();
        with_pool!(self.0, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(key.round.as_str())
                .bind(&key.methodology_id)
                .bind(&key.methodology_version);
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            let mut rows = q.fetch(pool);
            while let Some(r) = rows.try_next().await? {
                let bad = |what: &str| StoreError::Corrupt(format!("score: {what}"));
                let village: String = r.try_get(1)?;
                let group: String = r.try_get(2)?;
                out.push(StandingRow {
                    household_id: r.try_get(0)?,
                    village_code: AreaCode::parse(&village).map_err(|_| bad("village code"))?,
                    group: Group::parse(&group).ok_or_else(|| bad("group"))?,
                    mpi_poor: r.try_get(3)?,
                });
            }
            Ok::<(), StoreError>(())
        })?;
        out.sort_unstable_by(|a, b| a.household_id.as_bytes().cmp(b.household_id.as_bytes()));
        Ok(out)
    }
}

/// The condition "poor in each of `rounds`" on `household_id` (hardship or struggling, or
/// MPI-poor, under the run's methodology, `$2` and `$3`), for a target list of the persistent
/// poor. Round labels are letters, digits, `-`, `_` and `.` ([`RoundLabel::parse`]), so they are
/// written into the SQL as literals.
pub(crate) fn persistent_condition(rounds: &[RoundLabel]) -> String {
    let list: Vec<String> = rounds.iter().map(|r| format!("'{}'", r.as_str())).collect();
    format!(
        "household_id IN (SELECT household_id FROM scores WHERE methodology_id = $2 \
         AND methodology_version = $3 AND round IN ({}) \
         AND (grp IN ('hardship', 'struggling') OR mpi_poor = TRUE) \
         GROUP BY household_id HAVING count(*) = {})",
        list.join(", "),
        rounds.len()
    )
}

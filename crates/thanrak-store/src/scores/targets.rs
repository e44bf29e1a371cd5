//! Area-scoped reads of stored scores, for target lists: the caller's [`Scope`] is turned into
//! village-code prefixes and each is read with the indexed prefix query of [`Scores::of_run`], so
//! that a score outside the scope never leaves the database.

use futures_util::TryStreamExt;
use sqlx::Row;
use thanrak_core::methodology::Group;
use thanrak_core::{AreaCode, RoundLabel};

use super::{stored_score, RunKey, Scores, StoredScore, SCORE_COLUMNS};
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, Store, StoreError};

/// Which stored scores a page of a target list holds.
#[derive(Debug, Clone, Copy)]
pub struct TargetFilter<'a> {
    /// Inside this area (it narrows, never widens, the scope).
    pub area: Option<&'a AreaCode>,
    /// Only this group.
    pub group: Option<Group>,
    /// Only households deprived in the indicator of this index.
    pub deprived_in: Option<usize>,
    /// Only households with the need of this index (methodology order).
    pub need: Option<usize>,
    /// Only households poor (hardship or struggling, or MPI-poor) in each of these rounds,
    /// under the same methodology: the persistent poor.
    pub poor_in: Option<&'a [RoundLabel]>,
}

impl Scores<'_> {
    /// The rounds scored under a methodology id and version, by label: one small read of
    /// `score_runs`, cheap enough for every page view.
    pub async fn scored_rounds(
        self,
        methodology_id: &str,
        methodology_version: &str,
    ) -> Result<Vec<RoundLabel>, StoreError> {
        let labels: Vec<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT round FROM score_runs WHERE methodology_id = $1 \
                 AND methodology_version = $2 ORDER BY round",
            )
            .bind(methodology_id)
            .bind(methodology_version)
            .fetch_all(pool)
            .await?
        });
        labels
            .into_iter()
            .map(|l| {
                RoundLabel::parse(&l).map_err(|e| StoreError::Corrupt(format!("round {l:?} {e}")))
            })
            .collect()
    }

    /// A page of the stored scores of a run inside `scope` that pass `filter`, in the order of
    /// target lists (methodology §5: group in the order of [`Group::ALL`], deprivation score high
    /// first, income per person low first, household id), and how many pass in all. Ordered,
    /// counted and cut in the database, so that a page of a whole country costs one indexed
    /// scan rather than every score read into memory.
    pub async fn scoped_target_page(
        self,
        key: &RunKey,
        scope: &Scope,
        filter: TargetFilter<'_>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<StoredScore>, u64), StoreError> {
        let Some(TargetCondition {
            cond,
            ranges,
            next: n,
        }) = target_condition(scope, &filter)
        else {
            return Ok((Vec::new(), 0));
        };
        let group_rank: Vec<String> = Group::ALL
            .iter()
            .enumerate()
            .map(|(i, g)| format!("WHEN '{}' THEN {i}", g.as_str()))
            .collect();
        let id_order = match self.0 {
            Store::Postgres(_) => "household_id COLLATE \"C\"",
            Store::Sqlite(_) => "household_id",
        };
        let list_sql = format!(
            "SELECT {SCORE_COLUMNS} FROM scores WHERE {cond} \
             ORDER BY CASE grp {} END, c_num DESC, income_pc, {id_order} LIMIT ${n} OFFSET ${}",
            group_rank.join(" "),
            n + 1
        );
        let count_sql = format!("SELECT count(*) FROM scores WHERE {cond}");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        with_pool!(self.0, pool => {
            let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql))
                .bind(key.round.as_str())
                .bind(&key.methodology_id)
                .bind(&key.methodology_version);
            let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql))
                .bind(key.round.as_str())
                .bind(&key.methodology_id)
                .bind(&key.methodology_version);
            for (lo, hi) in &ranges {
                count = count.bind(lo).bind(hi);
                list = list.bind(lo).bind(hi);
            }
            if let Some(g) = filter.group {
                count = count.bind(g.as_str());
                list = list.bind(g.as_str());
            }
            let total = count.fetch_one(pool).await?;
            let mut rows = list.bind(limit).bind(offset).fetch(pool);
            let mut out = Vec::new();
            while let Some(r) = rows.try_next().await? {
                out.push(stored_score!(r));
            }
            Ok((out, total.max(0) as u64))
        })
    }

    /// The stored scores of one household in every round scored under a methodology id and
    /// version, inside `scope`, oldest round first: one query, a primary-key lookup per scored
    /// round (the family profile's current score and its history).
    pub async fn household_scores(
        self,
        scope: &Scope,
        household_id: &thanrak_core::HouseholdId,
        methodology_id: &str,
        methodology_version: &str,
    ) -> Result<Vec<(RoundLabel, StoredScore)>, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut sql = format!(
            "SELECT {SCORE_COLUMNS} FROM scores WHERE round IN (SELECT round FROM score_runs \
             WHERE methodology_id = $2 AND methodology_version = $3) \
             AND methodology_id = $2 AND methodology_version = $3 AND household_id = $1"
        );
        if !ranges.is_empty() {
            sql.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 4)
            ));
        }
        sql.push_str(" ORDER BY round");
        with_pool!(self.0, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(household_id.as_str())
                .bind(methodology_id)
                .bind(methodology_version);
            for (lo, hi) in &ranges {
                q = q.bind(lo).bind(hi);
            }
            let mut rows = q.fetch(pool);
            let mut out = Vec::new();
            while let Some(r) = rows.try_next().await? {
                let round: String = r.try_get(0)?;
                let round = RoundLabel::parse(&round)
                    .map_err(|e| StoreError::Corrupt(format!("round {round:?} {e}")))?;
                out.push((round, stored_score!(r)));
            }
            Ok(out)
        })
    }

    /// The stored scores of a run for the households inside `scope` (and inside `area`, when
    /// given), ordered by household id.
    pub async fn scoped(
        self,
        key: &RunKey,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<StoredScore>, StoreError> {
        match scope.narrowed(area) {
            None => self.of_run(key, None).await,
            Some(codes) => {
                let mut out = Vec::new();
                for c in &codes {
                    out.extend(self.of_run(key, Some(c)).await?);
                }
                if codes.len() > 1 {
                    out.sort_by(|a, b| {
                        a.score
                            .household_id
                            .as_str()
                            .cmp(b.score.household_id.as_str())
                    });
                }
                Ok(out)
            }
        }
    }
}

/// The WHERE of a target list (`$1`–`$3` the run, then the scope's ranges and the group), and
/// the first parameter number left.
struct TargetCondition {
    cond: String,
    ranges: Vec<(String, String)>,
    next: usize,
}

fn target_condition(scope: &Scope, filter: &TargetFilter<'_>) -> Option<TargetCondition> {
    let ranges = match village_ranges(scope, filter.area) {
        Some(r) if r.is_empty() => return None,
        r => r.unwrap_or_default(),
    };
    let mut cond = String::from("round = $1 AND methodology_id = $2 AND methodology_version = $3");
    if !ranges.is_empty() {
        cond.push_str(&format!(
            " AND {}",
            range_condition("village_code", &ranges, 4)
        ));
    }
    let mut n = 4 + 2 * ranges.len();
    if filter.group.is_some() {
        cond.push_str(&format!(" AND grp = ${n}"));
        n += 1;
    }
    if let Some(i) = filter.deprived_in {
        // Indicator ids are few (the methodology has 16): the bit is a constant.
        cond.push_str(&format!(" AND (deprivations & {}) <> 0", 1u64 << i.min(62)));
    }
    if let Some(i) = filter.need {
        // Needs are bits in the methodology's order, as stored by `Scores::save`.
        cond.push_str(&format!(" AND (needs & {}) <> 0", 1u64 << i.min(62)));
    }
    if let Some(rounds) = filter.poor_in {
        cond.push_str(" AND ");
        cond.push_str(&super::change::persistent_condition(rounds));
    }
    Some(TargetCondition {
        cond,
        ranges,
        next: n,
    })
}

impl Scores<'_> {
    /// Every household of a target list — its id, village and group, in no order: what a bulk
    /// referral opens cases for, filtered in the database and read without the scores.
    pub async fn target_households(
        self,
        key: &RunKey,
        scope: &Scope,
        filter: TargetFilter<'_>,
    ) -> Result<Vec<(thanrak_core::HouseholdId, AreaCode, Group)>, StoreError> {
        let Some(TargetCondition { cond, ranges, .. }) = target_condition(scope, &filter) else {
            return Ok(Vec::new());
        };
        let sql = format!("SELECT household_id, village_code, grp FROM scores WHERE {cond}");
        let rows: Vec<(String, String, String)> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(key.round.as_str())
                .bind(&key.methodology_id)
                .bind(&key.methodology_version);
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            if let Some(g) = filter.group {
                q = q.bind(g.as_str());
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(h, v, g)| {
                let bad = |what: &str, x: &str| StoreError::Corrupt(format!("score {what} {x:?}"));
                Ok((
                    thanrak_core::HouseholdId::parse(&h).map_err(|_| bad("household", &h))?,
                    AreaCode::parse(&v).map_err(|_| bad("village", &v))?,
                    Group::parse(&g).ok_or_else(|| bad("group", &g))?,
                ))
            })
            .collect()
    }
}

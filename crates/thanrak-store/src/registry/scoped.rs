//! Area-scoped reads of households and members: the filter that keeps a user inside its areas is
//! applied here, in SQL, so that no caller can forget it.
//!
//! A [`Scope`] is turned into ranges of 8-digit village codes (`52` becomes `52000000` ..=
//! `52999999`). Village codes are digits of one length, so every collation orders them alike and
//! the `(round, village_code)` index serves the filter on both backends. A household outside the
//! scope is reported as [`StoreError::NotFound`], exactly like one that does not exist, so that
//! guessing ids tells nothing.

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sqlx::Row;
use thanrak_core::household::Relation;
use thanrak_core::schema::{Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::RoundLabel;
use thanrak_core::{AreaCode, AreaRegistry, FieldValue, Household, HouseholdId, Member};

use super::import::column_list;
use super::read::{cells_values, corrupt, row_values, split_row_text, sqlite_row_text_of};
use super::Registry;
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, Store, StoreError};

fn prefixed(columns: &[Column], alias: &str) -> String {
    columns
        .iter()
        .map(|c| format!("{alias}.{}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Registry<'_> {
    /// Byte order of household ids on both backends.
    fn id_order(self, alias: &str) -> String {
        match self.0 {
            Store::Postgres(_) => format!("{alias}household_id COLLATE \"C\""),
            Store::Sqlite(_) => format!("{alias}household_id"),
        }
    }

    /// A page of the households of `round` inside `scope` (and inside `area`, when given),
    /// ordered by village code then household id, and the number of such households in all.
    pub async fn scoped_households(
        self,
        scope: &Scope,
        round: &RoundLabel,
        area: Option<&AreaCode>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Household>, u64), StoreError> {
        let (list, total) = self
            .scoped_household_list(scope, round, area, offset, limit)
            .await?;
        Ok((list.into_iter().map(|l| l.household).collect(), total))
    }

    /// Like [`Registry::scoped_households`], with each household's number of members and head.
    ///
    /// One statement reads the page: the rows in the order of the `(round, village_code,
    /// household_id)` index (a page costs the same however large the area), each with its
    /// members counted and its head looked up by primary key, and the total summed from the
    /// households per village that every import writes (`household_counts`). A busy server
    /// feels every statement, so there is only one (two past the last page).
    pub async fn scoped_household_list(
        self,
        scope: &Scope,
        round: &RoundLabel,
        area: Option<&AreaCode>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<ListedHousehold>, u64), StoreError> {
        let ranges = village_ranges(scope, area);
        if ranges.as_ref().is_some_and(Vec::is_empty) {
            return Ok((Vec::new(), 0));
        }
        let ranges = ranges.unwrap_or_default();
        let filter = |alias: &str| {
            if ranges.is_empty() {
                String::new()
            } else {
                format!(
                    " AND {}",
                    range_condition(&format!("{alias}village_code"), &ranges, 2)
                )
            }
        };
        let n = 2 + 2 * ranges.len();
        let count_sql = format!(
            "SELECT CAST(coalesce(sum(households), 0) AS BIGINT) FROM household_counts \
             WHERE round = $1{}",
            filter("")
        );
        let members_of =
            "FROM members m WHERE m.round = h.round AND m.household_id = h.household_id";
        // The head, or the first member when none is marked head.
        let head = format!(
            "{members_of} ORDER BY CASE WHEN m.relation = '{}' THEN 0 ELSE 1 END, m.member_no LIMIT 1",
            Relation::Head.as_str()
        );
        let rest = format!(
            "FROM households h WHERE h.round = $1{} ORDER BY h.village_code, {} LIMIT ${n} OFFSET ${}",
            filter("h."),
            self.id_order("h."),
            n + 1
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let registry = AreaRegistry::official();
        let household = |values: &[FieldValue]| {
            Household::from_values(values, registry).map_err(|e| corrupt("household", e))
        };
        let mut out = Vec::new();
        let mut total = None;
        match self.0 {
            Store::Sqlite(pool) => {
                // Each row comes over as one text: far fewer values to pass between the
                // driver's threads than one per column.
                let sql = format!(
                    "SELECT {} || char(31) || ({count_sql}) || char(31) \
                       || (SELECT count(*) {members_of}) || char(31) \
                       || ifnull((SELECT m.first_name || char(31) || ifnull(m.last_name, '') {head}), char(31)) \
                     {rest}",
                    sqlite_row_text_of(HOUSEHOLD_COLUMNS, "h.")
                );
                let mut list =
                    sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
                for (lo, hi) in &ranges {
                    list = list.bind(lo).bind(hi);
                }
                for text in list.bind(limit).bind(offset).fetch_all(pool).await? {
                    let mut cells: Vec<&str> = split_row_text(&text).collect();
                    let extra = cells.split_off(cells.len().saturating_sub(4));
                    let [all, members, first, last] = extra[..] else {
                        return Err(StoreError::Corrupt(format!("household row {text:?}")));
                    };
                    let number = |s: &str| {
                        s.parse::<u64>()
                            .map_err(|_| StoreError::Corrupt(format!("household row {text:?}")))
                    };
                    total = Some(number(all)?);
                    out.push(ListedHousehold {
                        household: household(&cells_values(
                            HOUSEHOLD_COLUMNS,
                            &cells,
                            "household",
                        )?)?,
                        members: number(members)? as usize,
                        head_first_name: first.to_string(),
                        head_last_name: last.to_string(),
                    });
                }
            }
            Store::Postgres(pool) => {
                let sql = format!(
                    "SELECT {}, ({count_sql}), (SELECT count(*) {members_of}), \
                       hd.first_name, hd.last_name \
                     FROM households h \
                     LEFT JOIN LATERAL (SELECT m.first_name, m.last_name {head}) hd ON true \
                     {}",
                    prefixed(HOUSEHOLD_COLUMNS, "h"),
                    rest.replacen("FROM households h ", "", 1)
                );
                let mut list = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
                for (lo, hi) in &ranges {
                    list = list.bind(lo).bind(hi);
                }
                let mut rows = list.bind(limit).bind(offset).fetch(pool);
                let k = HOUSEHOLD_COLUMNS.len();
                while let Some(row) = rows.try_next().await? {
                    total = Some(row.try_get::<i64, _>(k)?.max(0) as u64);
                    out.push(ListedHousehold {
                        household: household(&row_values!(row, HOUSEHOLD_COLUMNS))?,
                        members: row.try_get::<i64, _>(k + 1)?.max(0) as usize,
                        head_first_name: row
                            .try_get::<Option<String>, _>(k + 2)?
                            .unwrap_or_default(),
                        head_last_name: row
                            .try_get::<Option<String>, _>(k + 3)?
                            .unwrap_or_default(),
                    });
                }
            }
        }
        let total = match total {
            Some(t) => t,
            // Past the last page: the total still has to be told.
            None => with_pool!(self.0, pool => {
                let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql))
                    .bind(round.as_str());
                for (lo, hi) in &ranges {
                    count = count.bind(lo).bind(hi);
                }
                count.fetch_one(pool).await?.max(0) as u64
            }),
        };
        Ok((out, total))
    }

    /// The village of each of `ids` in the latest round that holds it, for the households that
    /// lie there inside `scope`; the others are left out, whichever reason it is. By id.
    pub async fn latest_villages(
        self,
        scope: &Scope,
        ids: &[HouseholdId],
    ) -> Result<Vec<(HouseholdId, AreaCode)>, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let labels: Vec<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar("SELECT label FROM rounds ORDER BY label DESC")
                .fetch_all(pool)
                .await?
        });
        let mut found: std::collections::BTreeMap<String, String> = Default::default();
        let mut left: Vec<String> = ids.iter().map(|i| i.as_str().to_string()).collect();
        left.sort_unstable();
        left.dedup();
        // Newest round first: a household found there is not looked for in older ones. Each
        // lookup goes through the primary key (round, household_id).
        for label in labels {
            if left.is_empty() {
                break;
            }
            for chunk in left.chunks(1_000) {
                let list = (0..chunk.len())
                    .map(|i| format!("${}", i + 2))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "SELECT household_id, village_code FROM households \
                     WHERE round = $1 AND household_id IN ({list})"
                );
                let rows: Vec<(String, String)> = with_pool!(self.0, pool => {
                    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(label.clone());
                    for id in chunk {
                        q = q.bind(id.clone());
                    }
                    q.fetch_all(pool).await?
                });
                found.extend(rows);
            }
            left.retain(|id| !found.contains_key(id));
        }
        let within = |v: &str| {
            ranges.is_empty()
                || ranges
                    .iter()
                    .any(|(lo, hi)| v >= lo.as_str() && v <= hi.as_str())
        };
        found
            .into_iter()
            .filter(|(_, v)| within(v))
            .map(|(h, v)| {
                let bad = || StoreError::Corrupt(format!("household {h} in village {v:?}"));
                Ok((
                    HouseholdId::parse(&h).map_err(|_| bad())?,
                    AreaCode::parse(&v).map_err(|_| bad())?,
                ))
            })
            .collect()
    }

    /// One household of `round`, if it exists and lies inside `scope`; otherwise
    /// [`StoreError::NotFound`], whichever of the two it is.
    pub async fn scoped_household(
        self,
        scope: &Scope,
        round: &RoundLabel,
        id: &HouseholdId,
    ) -> Result<Household, StoreError> {
        let not_found = || StoreError::NotFound(format!("household {id} in round {round}"));
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Err(not_found()),
            r => r.unwrap_or_default(),
        };
        let filter = if ranges.is_empty() {
            String::new()
        } else {
            format!(" AND {}", range_condition("village_code", &ranges, 3))
        };
        let sql = format!(
            "SELECT {} FROM households WHERE round = $1 AND household_id = $2{filter}",
            column_list(HOUSEHOLD_COLUMNS)
        );
        let registry = AreaRegistry::official();
        let household = with_pool!(self.0, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(round.as_str())
                .bind(id.as_str());
            for (lo, hi) in &ranges {
                q = q.bind(lo).bind(hi);
            }
            match q.fetch_optional(pool).await? {
                Some(row) => {
                    let values = row_values!(row, HOUSEHOLD_COLUMNS);
                    Some(
                        Household::from_values(&values, registry)
                            .map_err(|e| corrupt("household", e))?,
                    )
                }
                None => None,
            }
        });
        household.ok_or_else(not_found)
    }

    /// The members of these households of `round` that lie inside `scope`, ordered by household
    /// id and member number. Households outside the scope contribute nothing.
    pub async fn scoped_members(
        self,
        scope: &Scope,
        round: &RoundLabel,
        households: &[HouseholdId],
    ) -> Result<Vec<Member>, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        if households.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        // Few enough bound parameters per statement for both backends.
        for chunk in households.chunks(500) {
            let ids: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let first_range = 2 + chunk.len();
            let filter = if ranges.is_empty() {
                String::new()
            } else {
                format!(
                    " AND {}",
                    range_condition("h.village_code", &ranges, first_range)
                )
            };
            let sql = format!(
                "SELECT {} FROM members m JOIN households h \
                   ON h.round = m.round AND h.household_id = m.household_id \
                 WHERE m.round = $1 AND m.household_id IN ({}){filter} \
                 ORDER BY {}, m.member_no",
                prefixed(MEMBER_COLUMNS, "m"),
                ids.join(", "),
                self.id_order("m.")
            );
            with_pool!(self.0, pool => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                for (lo, hi) in &ranges {
                    q = q.bind(lo).bind(hi);
                }
                let mut rows = q.fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    let values = row_values!(row, MEMBER_COLUMNS);
                    out.push(Member::from_values(&values).map_err(|e| corrupt("member", e))?);
                }
            });
        }
        Ok(out)
    }
}

/// A household as a list shows it: with its number of members and its head.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedHousehold {
    /// The household.
    pub household: Household,
    /// Its members.
    pub members: usize,
    /// The head's first name (the first member's when none is marked head; empty when the
    /// household has no members).
    pub head_first_name: String,
    /// The head's last name.
    pub head_last_name: String,
}

//! Reading back: rounds, households and members. Every row is parsed again by the core.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::Row;
use thanrak_core::schema::{Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{
    AreaCode, AreaRegistry, FieldValue, Household, HouseholdId, Member, NationalId, RoundLabel,
};

use super::import::column_list;
use super::Registry;
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, Store, StoreError};

/// A survey round with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundSummary {
    /// The round's label.
    pub label: RoundLabel,
    /// The earliest survey date in the round.
    pub first_survey_date: Option<NaiveDate>,
    /// The latest survey date in the round.
    pub last_survey_date: Option<NaiveDate>,
    /// Households in the round.
    pub households: i64,
    /// Members in the round.
    pub members: i64,
    /// When the round was last written to.
    pub last_loaded_at: DateTime<Utc>,
    /// Who published it and when (`None`: a draft). Rounds published before publication was
    /// recorded have an empty name and the epoch.
    pub published: Option<(String, DateTime<Utc>)>,
}

/// The keys of stored records that an import is checked against (see [`Registry::stored_keys`]).
#[derive(Debug, Clone, Default)]
pub struct StoredKeys {
    /// Each stored household: its village and the numbers of its stored members.
    pub households: HashMap<(RoundLabel, HouseholdId), (AreaCode, Vec<u16>)>,
    /// Each stored national id and the household of its member.
    pub national_ids: HashMap<(RoundLabel, NationalId), HouseholdId>,
}

/// Reads one row's columns as typed values in column order; `$row` is a backend row.
macro_rules! row_values {
    ($row:expr, $columns:expr) => {{
        let mut values = Vec::with_capacity($columns.len());
        for (i, c) in $columns.iter().enumerate() {
            let v = match c.kind {
                Kind::Text => $row.try_get::<Option<String>, _>(i)?.map(FieldValue::Text),
                Kind::Int(..) => $row.try_get::<Option<i64>, _>(i)?.map(FieldValue::Int),
                Kind::Flag => $row
                    .try_get::<Option<i16>, _>(i)?
                    .map(|f| FieldValue::Int(i64::from(f))),
                Kind::Real(..) => $row.try_get::<Option<f64>, _>(i)?.map(FieldValue::Real),
                Kind::Date => $row
                    .try_get::<Option<NaiveDate>, _>(i)?
                    .map(FieldValue::Date),
            };
            values.push(v.unwrap_or(FieldValue::Null));
        }
        values
    }};
}
pub(crate) use row_values;

pub(crate) fn corrupt(what: &str, errors: Vec<thanrak_core::FieldError>) -> StoreError {
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    StoreError::Corrupt(format!("{what}: {}", list.join("; ")))
}

/// Separates the cells of a row read as one text (no stored text may hold it: see
/// `FieldValue::parse`).
const UNIT_SEPARATOR: char = '\u{1f}';

/// The SQLite expression that renders a row as its canonical cells joined by [`UNIT_SEPARATOR`]:
/// NULL as empty, reals with 17 significant digits (exact), dates and text as stored.
fn sqlite_row_text(columns: &[Column]) -> String {
    sqlite_row_text_of(columns, "")
}

/// [`sqlite_row_text`] of the columns of the table aliased `alias` (such as `h.`).
pub(crate) fn sqlite_row_text_of(columns: &[Column], alias: &str) -> String {
    columns
        .iter()
        .map(|c| match c.kind {
            // A whole number (money mostly) is written as an integer, which costs a fraction of
            // printf's exact 17 digits; zero goes through printf to keep the sign of -0.0.
            Kind::Real(..) => format!(
                "CASE WHEN {alias}{0} IS NULL THEN '' \
                 WHEN {alias}{0} <> 0 AND {alias}{0} = CAST({alias}{0} AS INTEGER) \
                 THEN CAST(CAST({alias}{0} AS INTEGER) AS TEXT) \
                 ELSE printf('%!.17g', {alias}{0}) END",
                c.name
            ),
            _ => format!("ifnull({alias}{}, '')", c.name),
        })
        .collect::<Vec<_>>()
        .join(" || char(31) || ")
}

/// The values of a row read as one text made by [`sqlite_row_text`]; `what` names the table in
/// the error of a row that does not parse.
fn row_text_values(
    columns: &'static [Column],
    text: &str,
    what: &str,
) -> Result<Vec<FieldValue>, StoreError> {
    let cells: Vec<&str> = text.split(UNIT_SEPARATOR).collect();
    cells_values(columns, &cells, what)
}

/// The values of the cells of a row read as one text.
pub(crate) fn cells_values(
    columns: &'static [Column],
    cells: &[&str],
    what: &str,
) -> Result<Vec<FieldValue>, StoreError> {
    let (values, errors) = parse_cells_of(columns, cells);
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(corrupt(what, errors))
    }
}

/// The cells of a row read as one text of plain text cells.
pub(crate) fn split_row_text(text: &str) -> std::str::Split<'_, char> {
    text.split(UNIT_SEPARATOR)
}

fn parse_cells_of(
    columns: &'static [Column],
    cells: &[&str],
) -> (Vec<FieldValue>, Vec<thanrak_core::FieldError>) {
    thanrak_core::schema::parse_cells(columns, cells)
}

fn select_round(columns: &[Column], table: &str, filter: &str, order: &str) -> String {
    format!(
        "SELECT {} FROM {table} WHERE round = $1{filter} ORDER BY {order}",
        column_list(columns)
    )
}

/// An SQL condition to append after `round = $1` (empty for every household) and the
/// values to bind after the round, in order.
type ScopeFilter = (String, Vec<String>);

/// The filter of `scope` narrowed to `area` on `column`, or `None` when nothing can match.
fn scope_filter(scope: &Scope, area: Option<&AreaCode>, column: &str) -> Option<ScopeFilter> {
    match village_ranges(scope, area) {
        None => Some((String::new(), Vec::new())),
        Some(r) if r.is_empty() => None,
        Some(r) => Some((
            format!(" AND {}", range_condition(column, &r, 2)),
            r.into_iter().flat_map(|(lo, hi)| [lo, hi]).collect(),
        )),
    }
}

impl Registry<'_> {
    /// Every round, by label, with its dates and sizes.
    pub async fn rounds(self) -> Result<Vec<RoundSummary>, StoreError> {
        const SQL: &str = "SELECT r.label, \
               (SELECT min(h.survey_date) FROM households h WHERE h.round = r.label), \
               (SELECT max(h.survey_date) FROM households h WHERE h.round = r.label), \
               (SELECT count(*) FROM households h WHERE h.round = r.label), \
               (SELECT count(*) FROM members m WHERE m.round = r.label), \
               r.last_loaded_at, r.published_at, r.published_by \
             FROM rounds r ORDER BY r.label";
        let rows = with_pool!(self.0, pool => {
            let mut out = Vec::new();
            for row in sqlx::query(SQL).fetch_all(pool).await? {
                out.push((
                    row.try_get::<String, _>(0)?,
                    row.try_get::<Option<NaiveDate>, _>(1)?,
                    row.try_get::<Option<NaiveDate>, _>(2)?,
                    row.try_get::<i64, _>(3)?,
                    row.try_get::<i64, _>(4)?,
                    row.try_get::<DateTime<Utc>, _>(5)?,
                    row.try_get::<Option<i64>, _>(6)?,
                    row.try_get::<Option<String>, _>(7)?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(
                |(label, first, last, households, members, loaded, at, by)| {
                    Ok(RoundSummary {
                        label: RoundLabel::parse(&label)
                            .map_err(|e| StoreError::Corrupt(format!("round {label:?} {e}")))?,
                        first_survey_date: first,
                        last_survey_date: last,
                        households,
                        members,
                        last_loaded_at: loaded,
                        published: at.map(|t| {
                            (
                                by.unwrap_or_default(),
                                DateTime::from_timestamp(t, 0).unwrap_or_default(),
                            )
                        }),
                    })
                },
            )
            .collect()
    }

    /// Publishes a round (`by`, `at`) or takes it back to a draft (`None`). Returns whether the
    /// round exists.
    pub async fn set_published(
        self,
        round: &RoundLabel,
        published: Option<(&str, DateTime<Utc>)>,
    ) -> Result<bool, StoreError> {
        let (at, by) = match published {
            Some((by, at)) => (Some(crate::secs(at).timestamp()), Some(by.to_string())),
            None => (None, None),
        };
        let done = with_pool!(self.0, pool => {
            sqlx::query("UPDATE rounds SET published_at = $1, published_by = $2 WHERE label = $3")
                .bind(at)
                .bind(by.clone())
                .bind(round.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// The labels of the published rounds, in order (cheap: no counting).
    pub async fn published_rounds(self) -> Result<Vec<RoundLabel>, StoreError> {
        let labels: Vec<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT label FROM rounds WHERE published_at IS NOT NULL ORDER BY label",
            )
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

    /// Whether a round with this label exists (cheap: no counting).
    pub async fn round_exists(self, round: &RoundLabel) -> Result<bool, StoreError> {
        let found: Option<i32> = with_pool!(self.0, pool => {
            sqlx::query_scalar("SELECT 1 FROM rounds WHERE label = $1")
                .bind(round.as_str())
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// The households of a round, ordered by household id (byte order on both backends).
    pub async fn households(self, round: &RoundLabel) -> Result<Vec<Household>, StoreError> {
        self.scoped_round_households(&Scope::All, None, round).await
    }

    /// The members of a round, ordered by household id then member number.
    pub async fn members(self, round: &RoundLabel) -> Result<Vec<Member>, StoreError> {
        self.scoped_round_members(&Scope::All, None, round).await
    }

    /// The households of a round inside `scope` (and inside `area`, when given), ordered by
    /// household id.
    pub async fn scoped_round_households(
        self,
        scope: &Scope,
        area: Option<&AreaCode>,
        round: &RoundLabel,
    ) -> Result<Vec<Household>, StoreError> {
        let Some(filter) = scope_filter(scope, area, "village_code") else {
            return Ok(Vec::new());
        };
        let registry = AreaRegistry::official();
        self.read_round_table(
            HOUSEHOLD_COLUMNS,
            "households",
            "household_id",
            round,
            &filter,
            |v| Household::from_values(v, registry).map_err(|e| corrupt("household", e)),
        )
        .await
    }

    /// Up to `limit` households of a round inside `scope` (and inside `area`, when given) whose
    /// ids come after `after` (byte order), ordered by household id: a whole round read a slice at
    /// a time, in the order of [`Registry::households`].
    pub async fn scoped_round_households_after(
        self,
        scope: &Scope,
        area: Option<&AreaCode>,
        round: &RoundLabel,
        after: Option<&HouseholdId>,
        limit: u64,
    ) -> Result<Vec<Household>, StoreError> {
        let Some(mut filter) = scope_filter(scope, area, "village_code") else {
            return Ok(Vec::new());
        };
        if let Some(after) = after {
            let collate = match self.0 {
                Store::Postgres(_) => " COLLATE \"C\"",
                Store::Sqlite(_) => "",
            };
            filter.0.push_str(&format!(
                " AND household_id{collate} > ${}",
                2 + filter.1.len()
            ));
            filter.1.push(after.to_string());
        }
        let registry = AreaRegistry::official();
        self.read_round_table(
            HOUSEHOLD_COLUMNS,
            "households",
            &format!("household_id LIMIT {limit}"),
            round,
            &filter,
            |v| Household::from_values(v, registry).map_err(|e| corrupt("household", e)),
        )
        .await
    }

    /// The members of the households of a round inside `scope` (and inside `area`, when given),
    /// ordered by household id then member number.
    pub async fn scoped_round_members(
        self,
        scope: &Scope,
        area: Option<&AreaCode>,
        round: &RoundLabel,
    ) -> Result<Vec<Member>, StoreError> {
        let Some(mut filter) = scope_filter(scope, area, "h.village_code") else {
            return Ok(Vec::new());
        };
        if !filter.0.is_empty() {
            filter.0 = format!(
                " AND EXISTS (SELECT 1 FROM households h WHERE h.round = members.round \
                 AND h.household_id = members.household_id{})",
                filter.0
            );
        }
        self.read_round_table(
            MEMBER_COLUMNS,
            "members",
            "household_id, member_no",
            round,
            &filter,
            |v| Member::from_values(v).map_err(|e| corrupt("member", e)),
        )
        .await
    }

    /// Reads every row of a round's table in `order` (the first order column is compared by byte)
    /// and builds a record from each row's values in column order.
    async fn read_round_table<T>(
        self,
        columns: &'static [Column],
        table: &str,
        order: &str,
        round: &RoundLabel,
        (filter, binds): &ScopeFilter,
        build: impl Fn(&[FieldValue]) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        match self.0 {
            Store::Sqlite(pool) => {
                // SQLite hands each row over as one text of canonical cells: decoding column by
                // column in the driver costs several times more than the read itself on large
                // rounds (measured: export of 1.27 million rows 12.3 s before, 6.7 s after).
                let sql = format!(
                    "SELECT {} FROM {table} WHERE round = $1{filter} ORDER BY {order}",
                    sqlite_row_text(columns)
                );
                let mut q =
                    sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
                for b in binds {
                    q = q.bind(b);
                }
                let mut rows = q.fetch(pool);
                while let Some(text) = rows.try_next().await? {
                    out.push(build(&row_text_values(columns, &text, table)?)?);
                }
            }
            Store::Postgres(pool) => {
                let order = order.replacen("household_id", "household_id COLLATE \"C\"", 1);
                let sql = select_round(columns, table, filter, &order);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
                for b in binds {
                    q = q.bind(b);
                }
                let mut rows = q.fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    let values = row_values!(row, columns);
                    out.push(build(&values)?);
                }
            }
        }
        Ok(out)
    }

    /// What an import is checked against: for each stored household of these rounds its
    /// village and member numbers, and each stored national id with its household.
    pub async fn stored_keys(self, rounds: &[RoundLabel]) -> Result<StoredKeys, StoreError> {
        let mut out = StoredKeys::default();
        let household = |hh: &str| {
            HouseholdId::parse(hh)
                .map_err(|e| StoreError::Corrupt(format!("household id {hh}: {e}")))
        };
        for round in rounds {
            let rows: Vec<(String, String)> = with_pool!(self.0, pool => {
                sqlx::query_as("SELECT household_id, village_code FROM households WHERE round = $1")
                    .bind(round.as_str())
                    .fetch_all(pool)
                    .await?
            });
            for (hh, village) in rows {
                let village = AreaCode::parse(&village)
                    .map_err(|e| StoreError::Corrupt(format!("village code {village}: {e}")))?;
                out.households
                    .insert((round.clone(), household(&hh)?), (village, Vec::new()));
            }
            let rows: Vec<(String, i64, Option<String>)> = with_pool!(self.0, pool => {
                sqlx::query_as(
                    "SELECT household_id, member_no, national_id FROM members WHERE round = $1",
                )
                .bind(round.as_str())
                .fetch_all(pool)
                .await?
            });
            for (hh, member_no, nid) in rows {
                let hh = household(&hh)?;
                if let Some(nid) = nid {
                    let nid = NationalId::parse(&nid)
                        .map_err(|e| StoreError::Corrupt(format!("national id {nid}: {e}")))?;
                    out.national_ids.insert((round.clone(), nid), hh.clone());
                }
                let member_no = u16::try_from(member_no)
                    .map_err(|_| StoreError::Corrupt(format!("member number {member_no}")))?;
                if let Some((_, nos)) = out.households.get_mut(&(round.clone(), hh)) {
                    nos.push(member_no);
                }
            }
        }
        Ok(out)
    }
}

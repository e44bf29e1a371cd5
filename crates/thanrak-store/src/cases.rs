//! Referral cases (`store.cases()`): opened, read, listed for an agency or an area, and moved
//! from state to state under a version check. Whether a move is allowed, and whose it is, is the
//! workflow's (`thanrak_core::case`) and the policy's; the store only guarantees that a move made
//! on an older version of the case is refused (`StoreError::Conflict`) and that every change is
//! written with its event in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use thanrak_core::case::CaseState;
use thanrak_core::identity::AgencyCode;
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};

use crate::area_filter::{range_condition, village_ranges};
use crate::{secs, with_pool, Scope, Store, StoreError};

/// A case to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// The round the household was found in.
    pub round: RoundLabel,
    /// The household.
    pub household_id: HouseholdId,
    /// Its village (cases are kept inside readers' areas by it).
    pub village_code: AreaCode,
    /// The need (methodology §5) referred.
    pub need: String,
    /// The agency it is referred to.
    pub agency: AgencyCode,
    /// The state it opens in (proposed, or sent at once).
    pub state: CaseState,
    /// 1 (hardship) to 4.
    pub priority: u8,
    /// What the referring side says.
    pub note: String,
    /// When it should be resolved.
    pub due_on: Option<NaiveDate>,
    /// Who opens it.
    pub created_by: i64,
    /// Their name, for the history.
    pub created_by_name: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its id.
    pub id: i64,
    /// What was opened.
    pub new: NewCase,
    /// Where it stands.
    pub state: CaseState,
    /// Raised by every change.
    pub version: i64,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One change of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub user_name: String,
    /// From which state (none when the case was opened).
    pub from: Option<CaseState>,
    /// To which state.
    pub to: CaseState,
    /// What they said.
    pub note: String,
}

type CaseRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
);

const CASE_COLUMNS: &str = "id, round, household_id, village_code, need, agency, state, priority, \
    note, due_on, created_by, created_at, updated_at, version";

fn time(s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| StoreError::Corrupt(format!("time {s}")))
}

fn case(r: CaseRow, created_by_name: String) -> Result<Case, StoreError> {
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("case {}: {what} {v:?}", r.0));
    let state = CaseState::parse(&r.6).ok_or_else(|| bad("state", &r.6))?;
    Ok(Case {
        id: r.0,
        new: NewCase {
            round: RoundLabel::parse(&r.1).map_err(|_| bad("round", &r.1))?,
            household_id: HouseholdId::parse(&r.2).map_err(|_| bad("household", &r.2))?,
            village_code: AreaCode::parse(&r.3).map_err(|_| bad("village", &r.3))?,
            need: r.4.clone(),
            agency: AgencyCode::parse(&r.5).map_err(|_| bad("agency", &r.5))?,
            state,
            priority: u8::try_from(r.7).map_err(|_| bad("priority", &r.7.to_string()))?,
            note: r.8.clone(),
            due_on: r
                .9
                .as_deref()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad("due_on", d)))
                .transpose()?,
            created_by: r.10,
            created_by_name,
        },
        state,
        version: r.13,
        created_at: time(r.11)?,
        updated_at: time(r.12)?,
    })
}

/// The cases: `store.cases()`.
#[derive(Debug, Clone, Copy)]
pub struct Cases<'s>(pub(crate) &'s Store);

impl Cases<'_> {
    /// Opens a case and writes its first event. A household with an open case for the same
    /// need at the same agency is refused (`Conflict`), and nothing is written.
    pub async fn open(self, new: &NewCase, at: DateTime<Utc>) -> Result<Case, StoreError> {
        let at_s = secs(at).timestamp();
        let sql = format!(
            "INSERT INTO cases (round, household_id, village_code, need, agency, state, priority, \
             note, due_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {CASE_COLUMNS}"
        );
        let row: CaseRow = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let row: CaseRow = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(new.round.as_str())
                .bind(new.household_id.as_str())
                .bind(new.village_code.to_string())
                .bind(&new.need)
                .bind(new.agency.as_str())
                .bind(new.state.as_str())
                .bind(i64::from(new.priority))
                .bind(&new.note)
                .bind(new.due_on.map(|d| d.format("%Y-%m-%d").to_string()))
                .bind(new.created_by)
                .bind(at_s)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(format!(
                        "household {} already has an open case for {} at {}",
                        new.household_id, new.need, new.agency
                    )),
                    other => other,
                })?;
            sqlx::query(
                "INSERT INTO case_events (case_id, at, user_id, user_name, from_state, to_state, \
                 note) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
            )
            .bind(row.0)
            .bind(at_s)
            .bind(new.created_by)
            .bind(&new.created_by_name)
            .bind(new.state.as_str())
            .bind(&new.note)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            row
        });
        case(row, new.created_by_name.clone())
    }

    /// One case, with the name of who opened it.
    pub async fn get(self, id: i64) -> Result<Option<Case>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
        let row: Option<CaseRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(pool).await?
        });
        match row {
            None => Ok(None),
            Some(r) => {
                let name = self.opener(r.0).await?;
                case(r, name).map(Some)
            }
        }
    }

    async fn opener(self, id: i64) -> Result<String, StoreError> {
        let name: Option<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT user_name FROM case_events WHERE case_id = $1 ORDER BY id LIMIT 1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(name.unwrap_or_default())
    }

    /// The cases sent to `agency` (all agencies when `None`) inside `scope`, newest first, and
    /// how many there are in all.
    pub async fn list(
        self,
        agency: Option<&AgencyCode>,
        scope: &Scope,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Case>, u64), StoreError> {
        // No ranges: every area; empty ranges: none.
        let (everywhere, ranges) = match village_ranges(scope, None) {
            None => (true, Vec::new()),
            Some(r) => (false, r),
        };
        if !everywhere && ranges.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let mut cond = vec!["($1 IS NULL OR agency = $1)".to_string()];
        if !everywhere {
            cond.push(format!("({})", range_condition("village_code", &ranges, 2)));
        }
        let filter = cond.join(" AND ");
        let count_sql = format!("SELECT count(*) FROM cases WHERE {filter}");
        let n = 2 + 2 * ranges.len();
        let page_sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {filter} ORDER BY id DESC LIMIT ${n} OFFSET ${}",
            n + 1
        );
        let agency = agency.map(|a| a.as_str().to_string());
        let (total, rows): (i64, Vec<CaseRow>) = with_pool!(self.0, pool => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone())).bind(agency.clone());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            let total: i64 = q.fetch_one(pool).await?;
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(page_sql.clone())).bind(agency.clone());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            let rows: Vec<CaseRow> = q
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                .fetch_all(pool)
                .await?;
            (total, rows)
        });
        let mut cases = Vec::with_capacity(rows.len());
        for r in rows {
            let name = self.opener(r.0).await?;
            cases.push(case(r, name)?);
        }
        Ok((cases, u64::try_from(total).unwrap_or(0)))
    }

    /// Moves case `id` to `to`, if it is still at `version` (else `Conflict`: someone changed
    /// it since it was read), and writes the event; returns the case as it now is.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_state(
        self,
        id: i64,
        version: i64,
        to: CaseState,
        user_id: i64,
        user_name: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        let at_s = secs(at).timestamp();
        let done: Option<String> = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            // The write comes first, so that the transaction holds the write lock from its
            // first statement (SQLite cannot upgrade two readers to writers). The version guards
            // it: of two changes read at one version, the second to write updates nothing.
            let updated = sqlx::query(
                "UPDATE cases SET state = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(to.as_str())
            .bind(at_s)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // The state it left is the last event's.
            let from: Option<String> = if updated == 1 {
                sqlx::query_scalar(
                    "SELECT to_state FROM case_events WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
            } else {
                None
            };
            if let Some(from) = &from {
                sqlx::query(
                    "INSERT INTO case_events (case_id, at, user_id, user_name, from_state, \
                     to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(at_s)
                .bind(user_id)
                .bind(user_name)
                .bind(from)
                .bind(to.as_str())
                .bind(note)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            from
        });
        match done {
            Some(_) => self
                .get(id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("case {id}"))),
            None => match self.get(id).await? {
                None => Err(StoreError::NotFound(format!("case {id}"))),
                Some(c) => Err(StoreError::Conflict(format!(
                    "case {id} changed since it was read (version {version}, now {}): read it \
                     again",
                    c.version
                ))),
            },
        }
    }

    /// The history of case `id`, oldest first.
    pub async fn events(self, id: i64) -> Result<Vec<CaseEvent>, StoreError> {
        type Row = (i64, String, Option<String>, String, String);
        let rows: Vec<Row> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT at, user_name, from_state, to_state, note FROM case_events \
                 WHERE case_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(at, user_name, from, to, note)| {
                let state = |s: &str| {
                    CaseState::parse(s)
                        .ok_or_else(|| StoreError::Corrupt(format!("case {id}: state {s:?}")))
                };
                Ok(CaseEvent {
                    at: time(at)?,
                    user_name,
                    from: from.as_deref().map(state).transpose()?,
                    to: state(&to)?,
                    note,
                })
            })
            .collect()
    }

    /// Whether `household_id` has ever been referred to `agency` (a case in any state): the
    /// households an agency's officers may record help for.
    pub async fn agency_has_household(
        self,
        agency: &AgencyCode,
        household_id: &HouseholdId,
    ) -> Result<bool, StoreError> {
        let n: i64 = with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT count(*) FROM (SELECT 1 FROM cases WHERE agency = $1 \
                 AND household_id = $2 LIMIT 1) AS found",
            )
            .bind(agency.as_str())
            .bind(household_id.as_str())
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }
}

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
    /// The agency's officer who owns it (who accepted it), once accepted.
    pub owner: Option<String>,
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

impl CaseEvent {
    /// Whether this is a comment (the state did not change).
    pub fn is_comment(&self) -> bool {
        self.from == Some(self.to)
    }
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
    String,
    Option<String>,
);

const CASE_COLUMNS: &str = "id, round, household_id, village_code, need, agency, state, priority, \
    note, due_on, created_by, created_at, updated_at, version, created_by_name, owner";

fn time(s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| StoreError::Corrupt(format!("time {s}")))
}

fn case(r: CaseRow) -> Result<Case, StoreError> {
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
            created_by_name: r.14,
        },
        state,
        version: r.13,
        created_at: time(r.11)?,
        updated_at: time(r.12)?,
        owner: r.15,
    })
}

/// Which cases a list holds, besides the reader's scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseFilter<'a> {
    /// Only the cases sent to this agency.
    pub agency: Option<&'a AgencyCode>,
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Only cases not ended whose due date is before this day (overdue on it).
    pub overdue_on: Option<NaiveDate>,
}

/// What a bulk opening did: the cases opened, and the households skipped because they already
/// had an open case for the need at the agency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opened {
    /// The ids of the cases opened, with their households.
    pub opened: Vec<(i64, HouseholdId)>,
    /// The households that already had an open case for that need at that agency.
    pub already_open: Vec<HouseholdId>,
}

/// How many of an area's cases one agency has in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    /// The agency.
    pub agency: AgencyCode,
    /// The state.
    pub state: CaseState,
    /// Cases.
    pub cases: u64,
    /// Of them, past their due date on the day asked (never for an ended case).
    pub overdue: u64,
}

/// Rows per multi-row INSERT of a bulk opening (13 parameters a case: SQLite allows 32,766,
/// PostgreSQL 65,535).
const OPEN_CHUNK: usize = 1_000;

/// The filter of a list as SQL (`$1` the agency or NULL, then the scope's ranges, the state and
/// the day; `next` the first parameter number left), and the ranges to bind after `$1`.
struct ListSql {
    cond: String,
    ranges: Vec<(String, String)>,
    next: usize,
}

fn list_sql(filter: &CaseFilter<'_>, scope: &Scope) -> Option<ListSql> {
    let (everywhere, ranges) = match village_ranges(scope, None) {
        None => (true, Vec::new()),
        Some(r) => (false, r),
    };
    if !everywhere && ranges.is_empty() {
        return None;
    }
    // `$1` is bound either way (the agency, or NULL); written so that an agency's list is read
    // through the `(agency, id)` index (`$1 IS NULL OR agency = $1` would scan every case).
    let mut cond = vec![if filter.agency.is_some() {
        "agency = $1".to_string()
    } else {
        "CAST($1 AS TEXT) IS NULL".to_string()
    }];
    if !everywhere {
        cond.push(format!("({})", range_condition("village_code", &ranges, 2)));
    }
    let mut next = 2 + 2 * ranges.len();
    if filter.state.is_some() {
        cond.push(format!("state = ${next}"));
        next += 1;
    }
    if filter.overdue_on.is_some() {
        cond.push(format!(
            "due_on < ${next} AND state NOT IN ('resolved', 'declined', 'cancelled')"
        ));
        next += 1;
    }
    Some(ListSql {
        cond: cond.join(" AND "),
        ranges,
        next,
    })
}

/// The values a list binds after the scope's ranges: the agency (or NULL), the state, the day.
fn list_binds(filter: &CaseFilter<'_>) -> (Option<String>, Option<&'static str>, Option<String>) {
    (
        filter.agency.map(|a| a.as_str().to_string()),
        filter.state.map(CaseState::as_str),
        filter.overdue_on.map(|d| d.format("%Y-%m-%d").to_string()),
    )
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
             note, due_on, created_by, created_at, updated_at, created_by_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
             RETURNING {CASE_COLUMNS}"
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
                .bind(&new.created_by_name)
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
        case(row)
    }

    /// Opens many cases in one transaction (a bulk referral), each with its first event; a
    /// household that already has an open case for the same need at the same agency (or appears
    /// twice in `cases`) is skipped, not refused. All or nothing: an error writes no case.
    pub async fn open_many(
        self,
        cases: &[NewCase],
        at: DateTime<Utc>,
    ) -> Result<Opened, StoreError> {
        let at_s = secs(at).timestamp();
        let mut opened: Vec<(i64, HouseholdId)> = Vec::with_capacity(cases.len());
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            for chunk in cases.chunks(OPEN_CHUNK) {
                // The query builder writes each backend's own placeholders (`?` on SQLite,
                // whose numbered `$n` are looked up by name, one by one, per bind).
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO cases (round, household_id, village_code, need, agency, state, \
                     priority, note, due_on, created_by, created_at, updated_at, \
                     created_by_name) ",
                );
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(c.round.as_str())
                        .push_bind(c.household_id.as_str())
                        .push_bind(c.village_code.to_string())
                        .push_bind(c.need.as_str())
                        .push_bind(c.agency.as_str())
                        .push_bind(c.state.as_str())
                        .push_bind(i64::from(c.priority))
                        .push_bind(c.note.as_str())
                        .push_bind(c.due_on.map(|d| d.format("%Y-%m-%d").to_string()))
                        .push_bind(c.created_by)
                        .push_bind(at_s)
                        .push_bind(at_s)
                        .push_bind(c.created_by_name.as_str());
                });
                qb.push(" ON CONFLICT DO NOTHING RETURNING id, household_id");
                let rows: Vec<(i64, String)> =
                    qb.build_query_as().fetch_all(&mut *tx).await?;
                if rows.is_empty() {
                    continue;
                }
                // The first event of each case opened: every case of a bulk referral opens
                // alike, so the chunk's first case says how.
                let first = &chunk[0];
                let mut ev = sqlx::QueryBuilder::new(
                    "INSERT INTO case_events (case_id, at, user_id, user_name, from_state, \
                     to_state, note) ",
                );
                ev.push_values(&rows, |mut b, (id, _)| {
                    b.push_bind(*id)
                        .push_bind(at_s)
                        .push_bind(first.created_by)
                        .push_bind(first.created_by_name.as_str())
                        .push_bind(None::<String>)
                        .push_bind(first.state.as_str())
                        .push_bind(first.note.as_str());
                });
                ev.build().execute(&mut *tx).await?;
                for (id, h) in rows {
                    let h = HouseholdId::parse(&h)
                        .map_err(|_| StoreError::Corrupt(format!("case {id}: household {h:?}")))?;
                    opened.push((id, h));
                }
            }
            tx.commit().await?;
        });
        // Each case opened accounts for one listing of its household; the other listings were
        // skipped.
        let mut got: std::collections::HashMap<&HouseholdId, usize> = Default::default();
        for (_, h) in &opened {
            *got.entry(h).or_default() += 1;
        }
        let already_open = cases
            .iter()
            .map(|c| &c.household_id)
            .filter(|h| match got.get_mut(h) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .cloned()
            .collect();
        Ok(Opened {
            opened,
            already_open,
        })
    }

    /// One case.
    pub async fn get(self, id: i64) -> Result<Option<Case>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
        let row: Option<CaseRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(pool).await?
        });
        row.map(case).transpose()
    }

    /// The cases of `filter` inside `scope`, newest first, and how many there are in all.
    pub async fn list(
        self,
        filter: CaseFilter<'_>,
        scope: &Scope,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Case>, u64), StoreError> {
        let total = self.count(filter, scope).await?;
        Ok((self.page(filter, scope, offset, limit).await?, total))
    }

    /// How many cases of `filter` there are inside `scope`.
    pub async fn count(self, filter: CaseFilter<'_>, scope: &Scope) -> Result<u64, StoreError> {
        let Some(ListSql { cond, ranges, .. }) = list_sql(&filter, scope) else {
            return Ok(0);
        };
        let sql = format!("SELECT count(*) FROM cases WHERE {cond}");
        let (agency, state, day) = list_binds(&filter);
        let total: i64 = with_pool!(self.0, pool => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(agency.clone());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            if let Some(s) = state {
                q = q.bind(s);
            }
            if let Some(d) = &day {
                q = q.bind(d.clone());
            }
            q.fetch_one(pool).await?
        });
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// The cases of `filter` inside `scope`, newest first, from `offset`, at most `limit`:
    /// read through the `(agency, id)` index for an agency's inbox.
    pub async fn page(
        self,
        filter: CaseFilter<'_>,
        scope: &Scope,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Case>, StoreError> {
        let Some(ListSql { cond, ranges, next }) = list_sql(&filter, scope) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {cond} ORDER BY id DESC LIMIT ${next} \
             OFFSET ${}",
            next + 1
        );
        let (agency, state, day) = list_binds(&filter);
        let rows: Vec<CaseRow> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(agency.clone());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            if let Some(s) = state {
                q = q.bind(s);
            }
            if let Some(d) = &day {
                q = q.bind(d.clone());
            }
            q.bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(case).collect()
    }

    /// How many cases inside `scope` (of one agency, when given) each agency has in each state,
    /// and how many of them are overdue on `today`: the dashboard's referral status, counted
    /// from the `(village_code, agency, state, due_on)` index.
    pub async fn status(
        self,
        agency: Option<&AgencyCode>,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<StatusCount>, StoreError> {
        let all = CaseFilter {
            agency,
            ..CaseFilter::default()
        };
        let Some(ListSql { cond, ranges, next }) = list_sql(&all, scope) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT agency, state, count(*), \
             COALESCE(SUM(CASE WHEN due_on < ${next} THEN 1 ELSE 0 END), 0) \
             FROM cases WHERE {cond} GROUP BY agency, state ORDER BY agency, state"
        );
        let agency = agency.map(|a| a.as_str().to_string());
        let day = today.format("%Y-%m-%d").to_string();
        let rows: Vec<(String, String, i64, i64)> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(agency.clone());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.bind(day.clone()).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(a, s, n, late)| {
                let bad = |what: &str, v: &str| StoreError::Corrupt(format!("case {what} {v:?}"));
                let state = CaseState::parse(&s).ok_or_else(|| bad("state", &s))?;
                Ok(StatusCount {
                    agency: AgencyCode::parse(&a).map_err(|_| bad("agency", &a))?,
                    state,
                    cases: u64::try_from(n).unwrap_or(0),
                    overdue: if state.is_final() {
                        0
                    } else {
                        u64::try_from(late).unwrap_or(0)
                    },
                })
            })
            .collect()
    }

    /// Every case of one household (any round, any agency), newest first.
    pub async fn of_household(self, household_id: &HouseholdId) -> Result<Vec<Case>, StoreError> {
        let sql =
            format!("SELECT {CASE_COLUMNS} FROM cases WHERE household_id = $1 ORDER BY id DESC");
        let rows: Vec<CaseRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(household_id.as_str())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(case).collect()
    }

    /// Moves case `id` to `to`, if it is still at `version` (else `Conflict`: someone changed
    /// it since it was read), and writes the event; `owner`, when given, becomes the case's
    /// owner if it has none. Returns the case as it now is.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_state(
        self,
        id: i64,
        version: i64,
        to: CaseState,
        user_id: i64,
        user_name: &str,
        note: &str,
        owner: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        let at_s = secs(at).timestamp();
        let done: Option<String> = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            // The write comes first, so that the transaction holds the write lock from its
            // first statement (SQLite cannot upgrade two readers to writers). The version guards
            // it: of two changes read at one version, the second to write updates nothing.
            let updated = sqlx::query(
                "UPDATE cases SET state = $1, version = version + 1, updated_at = $2, \
                 owner = COALESCE(owner, $5) WHERE id = $3 AND version = $4",
            )
            .bind(to.as_str())
            .bind(at_s)
            .bind(id)
            .bind(version)
            .bind(owner)
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

    /// Writes a comment on case `id`: an event that leaves its state (and version) as it is.
    pub async fn comment(
        self,
        id: i64,
        user_id: i64,
        user_name: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at_s = secs(at).timestamp();
        let written = with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO case_events (case_id, at, user_id, user_name, from_state, to_state, \
                 note) SELECT id, $2, $3, $4, state, state, $5 FROM cases WHERE id = $1",
            )
            .bind(id)
            .bind(at_s)
            .bind(user_id)
            .bind(user_name)
            .bind(note)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if written == 0 {
            return Err(StoreError::NotFound(format!("case {id}")));
        }
        Ok(())
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

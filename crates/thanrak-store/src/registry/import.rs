//! Writing a batch of households and members in one transaction.
//!
//! Semantics (idempotent): each household row is upserted by (round, household_id); the members
//! of every household in the batch are replaced by the batch's members. Households of the same
//! round that are not in the batch, and other rounds, are left alone.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, QueryBuilder, SqlitePool};
use thanrak_core::schema::{Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{Area, AreaCode, FieldValue, Household, Member, RoundLabel};

use super::history::{write_recorded, Recorded};
use super::Registry;
use crate::{Store, StoreError};

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// The rounds the batch touched.
    pub rounds: Vec<RoundLabel>,
    /// Household rows written.
    pub households: u64,
    /// Member rows written.
    pub members: u64,
    /// Villages seen for the first time.
    pub new_villages: u64,
    /// Field submissions recorded (new, or edits of one loaded before).
    pub submissions: u64,
    /// Earlier versions of households kept in their history.
    pub versions: u64,
}

/// What an import does to the stored members of the households it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberUpdate {
    /// The batch's members replace those stored for its households (a whole household, or a
    /// whole round, is being loaded).
    Replace,
    /// The stored members are kept: a households-only update of fields of the household table.
    Keep,
}

/// Rows per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const CHUNK: usize = 1000;

pub(crate) fn column_list(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds one cell with the SQL type of its column kind (a NULL must carry a type for PostgreSQL).
macro_rules! bind_cell {
    ($b:expr, $kind:expr, $v:expr) => {
        match ($kind, $v) {
            (Kind::Text, FieldValue::Null | FieldValue::Invalid) => $b.push_bind(None::<String>),
            (Kind::Int(..), FieldValue::Null | FieldValue::Invalid) => $b.push_bind(None::<i64>),
            (Kind::Flag, FieldValue::Null | FieldValue::Invalid) => $b.push_bind(None::<i16>),
            (Kind::Real(..), FieldValue::Null | FieldValue::Invalid) => $b.push_bind(None::<f64>),
            (Kind::Date, FieldValue::Null | FieldValue::Invalid) => $b.push_bind(None::<NaiveDate>),
            (_, FieldValue::Text(s)) => $b.push_bind(s),
            (Kind::Flag, FieldValue::Int(i)) => $b.push_bind(i as i16),
            (Kind::Real(..), FieldValue::Int(i)) => $b.push_bind(i as f64),
            (_, FieldValue::Int(i)) => $b.push_bind(i),
            (_, FieldValue::Real(f)) => $b.push_bind(f),
            (_, FieldValue::Date(d)) => $b.push_bind(d),
        }
    };
}

/// Appends rows as PostgreSQL COPY CSV: NULL is an empty unquoted field, text is always quoted.
fn copy_csv(buf: &mut Vec<u8>, columns: &[Column], values: Vec<FieldValue>) {
    for (i, (c, v)) in columns.iter().zip(values).enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        match v {
            FieldValue::Null | FieldValue::Invalid => {}
            FieldValue::Text(s) => {
                buf.push(b'"');
                buf.extend_from_slice(s.replace('"', "\"\"").as_bytes());
                buf.push(b'"');
            }
            FieldValue::Int(n) if c.kind == Kind::Flag => {
                buf.extend_from_slice(n.to_string().as_bytes())
            }
            other => buf.extend_from_slice(other.to_text().as_bytes()),
        }
    }
    buf.push(b'\n');
}

fn update_set(columns: &[Column], keys: &[&str]) -> String {
    columns
        .iter()
        .filter(|c| !keys.contains(&c.name))
        .map(|c| format!("{0} = excluded.{0}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Imports of at least this many rows refresh PostgreSQL's planner statistics.
const ANALYZE_ROWS: u64 = 10_000;

/// The text that both backends share for one import.
struct Plan<'a> {
    households: &'a [Household],
    members: &'a [Member],
    rounds: Vec<RoundLabel>,
    villages: Vec<Area>,
    source: &'a str,
    now: DateTime<Utc>,
    total: u64,
    update: MemberUpdate,
    recorded: &'a Recorded,
}

/// Records the rounds and first-seen villages of a batch inside the open transaction `$tx`;
/// evaluates to the number of new villages. A macro because the two transactions differ in type.
macro_rules! write_rounds_and_villages {
    ($tx:expr, $plan:expr) => {{
        for r in &$plan.rounds {
            sqlx::query(
                "INSERT INTO rounds (label, first_loaded_at, last_loaded_at) VALUES ($1, $2, $2) \
                 ON CONFLICT (label) DO UPDATE SET last_loaded_at = excluded.last_loaded_at",
            )
            .bind(r.as_str())
            .bind($plan.now)
            .execute(&mut *$tx)
            .await?;
        }
        // Results computed from the old data of these rounds no longer hold.
        for r in &$plan.rounds {
            sqlx::query("DELETE FROM score_runs WHERE round = $1")
                .bind(r.as_str())
                .execute(&mut *$tx)
                .await?;
        }
        let mut new_villages = 0u64;
        for chunk in $plan.villages.chunks(CHUNK) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO areas (code, level, parent_code, name_th, name_en, postcode) ",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.code.to_string())
                    .push_bind(a.level().as_str())
                    .push_bind(a.code.parent().map(|p| p.to_string()))
                    .push_bind(a.name_th.clone())
                    .push_bind(a.name_en.clone())
                    .push_bind(None::<String>);
            });
            qb.push(" ON CONFLICT (code) DO NOTHING");
            new_villages += qb.build().execute(&mut *$tx).await?.rows_affected();
        }
        new_villages
    }};
}

/// Rewrites the households per village of the batch's rounds, then logs the import, inside the
/// open transaction `$tx`.
macro_rules! write_import_log {
    ($tx:expr, $plan:expr) => {
        for r in &$plan.rounds {
            sqlx::query("DELETE FROM household_counts WHERE round = $1")
                .bind(r.as_str())
                .execute(&mut *$tx)
                .await?;
            sqlx::query(
                "INSERT INTO household_counts (round, village_code, households) \
                 SELECT round, village_code, count(*) FROM households WHERE round = $1 \
                 GROUP BY round, village_code",
            )
            .bind(r.as_str())
            .execute(&mut *$tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO imports (at, source, rounds, households, members) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($plan.now)
        .bind($plan.source)
        .bind($plan.rounds.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
        .bind($plan.households.len() as i64)
        .bind($plan.members.len() as i64)
        .execute(&mut *$tx)
        .await?
    };
}

impl Registry<'_> {
    /// Writes a validated batch in one transaction, the batch's members replacing those stored
    /// for its households; on any error nothing is written. `progress` is called with (rows
    /// written, rows in all).
    pub async fn import(
        self,
        households: &[Household],
        members: &[Member],
        source: &str,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportSummary, StoreError> {
        self.import_with(households, members, MemberUpdate::Replace, source, progress)
            .await
    }

    /// Writes a validated batch in one transaction, doing `update` to the stored members of its
    /// households; on any error nothing is written.
    pub async fn import_with(
        self,
        households: &[Household],
        members: &[Member],
        update: MemberUpdate,
        source: &str,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportSummary, StoreError> {
        self.import_recorded(
            households,
            members,
            update,
            source,
            &Recorded::default(),
            progress,
        )
        .await
    }

    /// Writes a validated batch as [`Registry::import_with`] does, and in the same transaction
    /// the field submissions it loaded and the versions of households it replaced (`recorded`);
    /// a version number already taken (a change made at the same time) is a
    /// [`StoreError::Conflict`], and nothing is written.
    pub async fn import_recorded(
        self,
        households: &[Household],
        members: &[Member],
        update: MemberUpdate,
        source: &str,
        recorded: &Recorded,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<ImportSummary, StoreError> {
        let rounds: BTreeSet<RoundLabel> = households
            .iter()
            .map(|h| h.round.clone())
            .chain(recorded.removed.iter().map(|(r, _)| r.clone()))
            .collect();
        let villages: BTreeSet<AreaCode> = households.iter().map(|h| h.village_code).collect();
        let plan = Plan {
            households,
            members,
            rounds: rounds.into_iter().collect(),
            villages: villages.into_iter().map(Area::village).collect(),
            source,
            now: Utc::now(),
            total: (households.len() + members.len()) as u64,
            update,
            recorded,
        };
        let new_villages = match self.0 {
            Store::Sqlite(pool) => import_sqlite(pool, &plan, progress).await?,
            Store::Postgres(pool) => {
                let new_villages = import_postgres(pool, &plan, progress).await?;
                // After a bulk load the planner's statistics lag behind until autovacuum comes
                // round; refresh them now. The data is committed: a failure here loses nothing.
                if plan.total >= ANALYZE_ROWS {
                    if let Err(e) = sqlx::query("ANALYZE households, members, household_counts")
                        .execute(pool)
                        .await
                    {
                        log::warn!("ANALYZE after the import failed: {e}");
                    }
                }
                new_villages
            }
        };
        Ok(ImportSummary {
            rounds: plan.rounds,
            households: households.len() as u64,
            members: members.len() as u64,
            new_villages,
            submissions: recorded.submissions.len() as u64,
            versions: recorded.versions.len() as u64,
        })
    }
}

async fn import_sqlite(
    pool: &SqlitePool,
    plan: &Plan<'_>,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    let new_villages = write_rounds_and_villages!(tx, plan);
    write_recorded!(tx, plan.recorded, plan.now);
    let mut done = 0u64;
    let hh_insert = format!(
        "INSERT INTO households ({}) ",
        column_list(HOUSEHOLD_COLUMNS)
    );
    let hh_upsert = format!(
        " ON CONFLICT (round, household_id) DO UPDATE SET {}",
        update_set(HOUSEHOLD_COLUMNS, &["round", "household_id"])
    );
    for chunk in plan.households.chunks(CHUNK) {
        let mut qb = QueryBuilder::new(&hh_insert);
        qb.push_values(chunk, |mut b, h| {
            for (c, v) in HOUSEHOLD_COLUMNS.iter().zip(h.to_values()) {
                bind_cell!(b, c.kind, v);
            }
        });
        qb.push(&hh_upsert);
        qb.build().execute(&mut *tx).await?;
        done += chunk.len() as u64;
        progress(done, plan.total);
    }
    // The batch's members replace those stored for its households.
    let replaced = if plan.update == MemberUpdate::Replace {
        plan.households
    } else {
        &[]
    };
    for chunk in replaced.chunks(CHUNK) {
        for round in &plan.rounds {
            let ids: Vec<&str> = chunk
                .iter()
                .filter(|h| &h.round == round)
                .map(|h| h.household_id.as_str())
                .collect();
            if ids.is_empty() {
                continue;
            }
            let mut qb = QueryBuilder::new("DELETE FROM members WHERE round = ");
            qb.push_bind(round.as_str()).push(" AND household_id IN (");
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(id);
            }
            qb.push(")");
            qb.build().execute(&mut *tx).await?;
        }
    }
    let m_insert = format!("INSERT INTO members ({}) ", column_list(MEMBER_COLUMNS));
    for chunk in plan.members.chunks(CHUNK) {
        let mut qb = QueryBuilder::new(&m_insert);
        qb.push_values(chunk, |mut b, m| {
            for (c, v) in MEMBER_COLUMNS.iter().zip(m.to_values()) {
                bind_cell!(b, c.kind, v);
            }
        });
        qb.build().execute(&mut *tx).await?;
        done += chunk.len() as u64;
        progress(done, plan.total);
    }
    write_import_log!(tx, plan);
    tx.commit().await?;
    Ok(new_villages)
}

async fn import_postgres(
    pool: &PgPool,
    plan: &Plan<'_>,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, StoreError> {
    const COPY_ROWS: usize = 20_000;
    let mut tx = pool.begin().await?;
    let new_villages = write_rounds_and_villages!(tx, plan);
    write_recorded!(tx, plan.recorded, plan.now);
    let hh_cols = column_list(HOUSEHOLD_COLUMNS);
    let m_cols = column_list(MEMBER_COLUMNS);
    sqlx::query(
        "CREATE TEMP TABLE import_households (LIKE households INCLUDING DEFAULTS) ON COMMIT DROP",
    )
    .execute(&mut *tx)
    .await?;
    let mut done = 0u64;
    {
        let mut copy = tx
            .copy_in_raw(&format!(
                "COPY import_households ({hh_cols}) FROM STDIN (FORMAT csv)"
            ))
            .await?;
        for chunk in plan.households.chunks(COPY_ROWS) {
            let mut buf = Vec::with_capacity(chunk.len() * 160);
            for h in chunk {
                copy_csv(&mut buf, HOUSEHOLD_COLUMNS, h.to_values());
            }
            copy.send(buf).await?;
            done += chunk.len() as u64;
            progress(done, plan.total);
        }
        copy.finish().await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO households ({hh_cols}) SELECT {hh_cols} FROM import_households \
         ON CONFLICT (round, household_id) DO UPDATE SET {}",
        update_set(HOUSEHOLD_COLUMNS, &["round", "household_id"])
    )))
    .execute(&mut *tx)
    .await?;
    if plan.update == MemberUpdate::Replace {
        sqlx::query(
            "DELETE FROM members m USING import_households i \
             WHERE m.round = i.round AND m.household_id = i.household_id",
        )
        .execute(&mut *tx)
        .await?;
    }
    {
        let mut copy = tx
            .copy_in_raw(&format!("COPY members ({m_cols}) FROM STDIN (FORMAT csv)"))
            .await?;
        for chunk in plan.members.chunks(COPY_ROWS) {
            let mut buf = Vec::with_capacity(chunk.len() * 200);
            for m in chunk {
                copy_csv(&mut buf, MEMBER_COLUMNS, m.to_values());
            }
            copy.send(buf).await?;
            done += chunk.len() as u64;
            progress(done, plan.total);
        }
        copy.finish().await?;
    }
    write_import_log!(tx, plan);
    tx.commit().await?;
    Ok(new_villages)
}

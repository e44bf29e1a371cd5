//! The thanrak store: one API over two backends chosen at run time by URL — SQLite (`sqlite://PATH`,
//! the default, embedded) and PostgreSQL (`postgres://...`, for several server processes).
//!
//! Each backend has its own append-only migrations under `migrations/`. Every method runs the same
//! statements on both backends where SQL allows (the [`with_pool!`] macro expands one body per
//! backend) and reads rows back through the core's parsers, so a stored row is validated again.
//!
//! The methods live on a small handle per aggregate, each in a module of its own:
//! [`Store::registry`] (rounds, households, members, areas, imports), [`Store::accounts`] (users,
//! sessions, API tokens, failed logins), [`Store::audit`], [`Store::scores`] (scoring runs, their
//! scores and figures, target lists), [`Store::boundaries`], [`Store::jobs`] and [`Store::maintenance`] (backups, integrity). An aggregate's
//! module uses nothing of another's; what they share (the [`Scope`] as SQL, errors, time
//! truncation) lives at the crate's root.

#![forbid(unsafe_code)]

mod accounts;
mod agencies;
mod area_filter;
mod audit;
mod boundaries;
mod cases;
mod economy;
mod error;
mod help;
mod jobs;
mod maintenance;
mod plan;
mod registry;
mod scores;
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, QueryBuilder, SqlitePool};
use thanrak_core::AreaRegistry;

pub use accounts::{
    Accounts, AgencyCode, ApiTokenInfo, NameError, NewUser, Role, Session, TokenUser, User,
    UserName,
};
pub use agencies::Agencies;
pub use audit::{Audit, AuditEntry, NewAuditEntry};
pub use boundaries::{Boundaries, Boundary};
pub use cases::{Case, CaseEvent, CaseFilter, Cases, NewCase, Opened, StatusCount};
pub use economy::{
    Economy, EnterpriseFilter, EnterprisePage, MatchRunRecord, NewMatchRun, NewPair, NewUnplaced,
    PairRecord, PairState, SupplierRecord, UnplacedPage,
};
pub use error::StoreError;
pub use help::{HelpRecord, HelpSums, HelpTotals, Helps, NewHelp};
pub use jobs::{Job, JobEnd, JobState, Jobs, NewJob, INTERRUPTED};
pub use maintenance::{is_thanrak_sqlite, Maintenance};
pub use plan::{ActivityRecord, ItemEvent, ItemRecord, MeetingRecord, ModelAreaRecord, Plan};
pub use registry::{
    AreaQuality, DuplicateReview, ImportConflict, ImportSummary, ListedHousehold, MemberUpdate,
    PersonRow, Recorded, Registry, RoundSummary, StoredKeys, SubmissionRow, VersionRow,
};
pub use scores::{
    unit_str, AggregateRow, RunKey, ScoreRun, Scores, StandingRow, StoredScore, TargetFilter,
};
pub use thanrak_core::identity::Scope;

/// The default database when none is given: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://thanrak.db";

/// Statements slower than this are logged as warnings. Reading a whole programme-size round
/// legitimately takes seconds, so sqlx's default (1 s) would warn on every export or scoring.
const SLOW_STATEMENT: Duration = Duration::from_secs(30);

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite database.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A connection pool to one of the two backends.
#[derive(Debug, Clone)]
pub enum Store {
    /// SQLite in WAL mode.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool; the body is compiled once per backend.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::Store::Sqlite($pool) => $body,
            $crate::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// A pool of connections to the PostgreSQL server at `url` (`what` names it in errors).
async fn pg_pool(url: &str, what: &str) -> Result<PgPool, StoreError> {
    let opts = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?
        .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to {what}: {e}")))
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database at `url`, creating a SQLite file if it does not exist, applies the
    /// migrations that have not run yet, and loads the official area table on first use.
    ///
    /// `sqlite://PATH` (or `sqlite:PATH`) selects SQLite; `postgres://` or `postgresql://` PostgreSQL.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("bad SQLite URL {url:?}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
                // Rows cross from the SQLite worker thread in batches: a deep channel keeps the two
                // threads from waking each other for every row of a large read.
                .row_buffer_size(8192)
                .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts)
                .await
                .map_err(|e| StoreError::Unavailable(format!("cannot open {url}: {e}")))?;
            SQLITE_MIGRATIONS.run(&pool).await.map_err(migrate_error)?;
            Store::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = pg_pool(url, "PostgreSQL").await?;
            POSTGRES_MIGRATIONS
                .run(&pool)
                .await
                .map_err(migrate_error)?;
            Store::Postgres(pool)
        } else {
            return Err(StoreError::Config(format!(
                "unknown database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DB"
            )));
        };
        store.seed_areas(AreaRegistry::official()).await?;
        store.agencies().seed().await?;
        Ok(store)
    }

    /// Opens a read-only copy of a PostgreSQL database — a hot standby kept by streaming
    /// replication — for reads that may lag behind the primary. Nothing is migrated or seeded
    /// (a standby takes no writes); the copy must already be at this version's migrations, as
    /// the primary it follows is once a server of this version has opened it.
    pub async fn connect_replica(url: &str) -> Result<Store, StoreError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::Config(
                "a read replica is a PostgreSQL standby: postgres://USER@HOST/DB".into(),
            ));
        }
        let pool = pg_pool(url, "the replica").await?;
        let latest = POSTGRES_MIGRATIONS
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&pool)
                .await
                .map_err(|e| {
                    StoreError::Config(format!(
                        "the replica holds no thanrak database (open the primary with this version first): {e}"
                    ))
                })?;
        if applied != Some(latest) {
            return Err(StoreError::Config(format!(
                "the replica is at migration {}, this version needs {latest}: open the primary with this version first",
                applied.unwrap_or(0)
            )));
        }
        Ok(Store::Postgres(pool))
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection (SQLite then checkpoints its write-ahead log).
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }

    /// Rounds, households, members, areas and imports.
    pub fn registry(&self) -> Registry<'_> {
        Registry(self)
    }

    /// Users, sessions, API tokens and failed logins.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts(self)
    }

    /// The audit log.
    pub fn audit(&self) -> Audit<'_> {
        Audit(self)
    }

    /// Scoring runs, their scores and figures, and the reads of target lists.
    pub fn scores(&self) -> Scores<'_> {
        Scores(self)
    }

    /// Area boundaries for the map.
    pub fn boundaries(&self) -> Boundaries<'_> {
        Boundaries(self)
    }

    /// Background jobs.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs(self)
    }

    /// Referral cases and their history.
    pub fn cases(&self) -> Cases<'_> {
        Cases(self)
    }

    /// The catalogue of cooperating agencies.
    pub fn agencies(&self) -> Agencies<'_> {
        Agencies(self)
    }

    /// The logbook of help given.
    pub fn help(&self) -> Helps<'_> {
        Helps(self)
    }

    /// The grassroots economy: enterprises, positions, links and match runs.
    pub fn economy(&self) -> Economy<'_> {
        Economy(self)
    }

    /// What the policy meeting plans and follows: partners, model areas, meetings.
    pub fn plan(&self) -> Plan<'_> {
        Plan(self)
    }

    /// Backups and integrity checks.
    pub fn maintenance(&self) -> Maintenance<'_> {
        Maintenance(self)
    }

    /// Loads the official provinces, districts and subdistricts if the table holds none yet.
    async fn seed_areas(&self, registry: &AreaRegistry) -> Result<(), StoreError> {
        let present: i64 = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT count(*) FROM areas WHERE level <> 'village'")
                .fetch_one(pool)
                .await?
        });
        if present > 0 {
            return Ok(());
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // Parents come before children in the table, so foreign keys hold row by row.
            for chunk in registry.areas().chunks(2000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO areas (code, level, parent_code, name_th, name_en, postcode) ",
                );
                qb.push_values(chunk, |mut b, a| {
                    b.push_bind(a.code.to_string())
                        .push_bind(a.level().as_str())
                        .push_bind(a.code.parent().map(|p| p.to_string()))
                        .push_bind(a.name_th.clone())
                        .push_bind(a.name_en.clone())
                        .push_bind(a.postcode.clone());
                });
                qb.push(" ON CONFLICT (code) DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// Truncates a time to whole seconds, as every time is stored: SQLite keeps times as text, which
/// sorts in time order only when all are written alike.
pub(crate) fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(0)
}

fn migrate_error(e: sqlx::migrate::MigrateError) -> StoreError {
    StoreError::Other(format!("database migration failed: {e}"))
}

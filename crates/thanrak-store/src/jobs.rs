//! Jobs: long work (imports, scoring) queued by a user and run in the background by the server's
//! worker. The store keeps each job's kind, parameters and result as opaque text (JSON written by
//! `thanrak-app`), who asked, its state, progress and times; it knows nothing of what a job does.
//!
//! Times are kept to whole seconds, as elsewhere in the store.

use chrono::{DateTime, SubsecRound, Utc};

use crate::{with_pool, Store, StoreError};

/// The error of a job that was running when its server stopped (see [`Jobs::fail_interrupted`]).
pub const INTERRUPTED: &str =
    "interrupted: the server stopped while this job ran; nothing it did was kept";

thanrak_core::labelled_enum!(
    /// Where a job stands.
    pub enum JobState {
        /// Waiting for the worker.
        Queued = "queued" / "รอคิว" / "Queued",
        /// Claimed by a worker and under way.
        Running = "running" / "กำลังทำงาน" / "Running",
        /// Finished; its result is kept.
        Done = "done" / "เสร็จแล้ว" / "Done",
        /// Finished without doing its work; its error says why.
        Failed = "failed" / "ไม่สำเร็จ" / "Failed",
    }
);

impl JobState {
    /// Whether the job has ended (done or failed).
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What the job does (`import`, `score`).
    pub kind: String,
    /// Its parameters, as JSON.
    pub params: String,
    /// The id of the user who asked (0 for the command line).
    pub created_by: i64,
    /// The name of the user who asked, as the log names it.
    pub created_by_name: String,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Its id, in the order jobs were queued.
    pub id: i64,
    /// What it does, its parameters, who asked.
    pub new: NewJob,
    /// Where it stands.
    pub state: JobState,
    /// The stage under way (such as `read`, `write`), as the job last reported it.
    pub stage: String,
    /// Units of the stage done.
    pub progress_done: u64,
    /// Units of the stage in all (0 when not known yet).
    pub progress_total: u64,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When a worker claimed it.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub error: Option<String>,
    /// What it produced (JSON): the outcome of a done job, details of some failures.
    pub result: Option<String>,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// It did its work; the result as JSON.
    Done(String),
    /// It did not: why, and details as JSON when there are some.
    Failed {
        /// What went wrong, in one line.
        error: String,
        /// Details (such as every problem of refused files), as JSON.
        result: Option<String>,
    },
}

/// The columns of a job, in the order of [`JobRow`] (a macro, so that statements stay literals).
macro_rules! job_columns {
    () => {
        "id, kind, params, created_by, created_by_name, state, stage, progress_done, \
         progress_total, created_at, started_at, finished_at, error, result"
    };
}

type JobRow = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

fn job(row: JobRow) -> Result<Job, StoreError> {
    let (
        id,
        kind,
        params,
        created_by,
        created_by_name,
        state,
        stage,
        done,
        total,
        created_at,
        started_at,
        finished_at,
        error,
        result,
    ) = row;
    Ok(Job {
        id,
        new: NewJob {
            kind,
            params,
            created_by,
            created_by_name,
        },
        state: JobState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("job {id} has the state {state:?}")))?,
        stage,
        progress_done: done.max(0) as u64,
        progress_total: total.max(0) as u64,
        created_at,
        started_at,
        finished_at,
        error,
        result,
    })
}

fn limit(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The background jobs: `store.jobs()`.
#[derive(Debug, Clone, Copy)]
pub struct Jobs<'s>(pub(crate) &'s Store);

impl Jobs<'_> {
    /// Queues a job at `at`; returns it as stored.
    pub async fn create(self, new: &NewJob, at: DateTime<Utc>) -> Result<Job, StoreError> {
        let sql = concat!(
            "INSERT INTO jobs (kind, params, created_by, created_by_name, state, created_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5) RETURNING ",
            job_columns!()
        );
        let row: JobRow = with_pool!(self.0, pool => {
            sqlx::query_as(sql)
                .bind(&new.kind)
                .bind(&new.params)
                .bind(new.created_by)
                .bind(&new.created_by_name)
                .bind(at.trunc_subsecs(0))
                .fetch_one(pool)
                .await?
        });
        job(row)
    }

    /// Claims the oldest queued job for a worker: it becomes `running`, started at `at`. A job
    /// is claimed once, whatever number of workers ask at the same time (the update takes it
    /// only while it is still queued). `None` when no job is waiting.
    pub async fn claim(self, at: DateTime<Utc>) -> Result<Option<Job>, StoreError> {
        // PostgreSQL: two workers claiming at once must not wait on the same row and then find
        // it taken (READ COMMITTED re-checks the row after the first commits): the second skips
        // the locked row and takes the next. SQLite has one writer at a time.
        let pick = match self.0 {
            Store::Postgres(_) => {
                "SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
            Store::Sqlite(_) => "SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', started_at = $1 WHERE id = ({pick}) \
             AND state = 'queued' RETURNING {}",
            job_columns!()
        );
        let row: Option<JobRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(at.trunc_subsecs(0))
                .fetch_optional(pool)
                .await?
        });
        row.map(job).transpose()
    }

    /// Records the progress of a running job (a finished job is left as it ended).
    pub async fn progress(
        self,
        id: i64,
        stage: &str,
        done: u64,
        total: u64,
    ) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query(
                "UPDATE jobs SET stage = $1, progress_done = $2, progress_total = $3 \
                 WHERE id = $4 AND state = 'running'",
            )
            .bind(stage)
            .bind(limit(done))
            .bind(limit(total))
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Ends a running job at `at`, done with its result or failed with its error. A job that is
    /// not running (already ended, or marked interrupted) is a [`StoreError::Conflict`].
    pub async fn finish(self, id: i64, end: &JobEnd, at: DateTime<Utc>) -> Result<(), StoreError> {
        let (state, error, result) = match end {
            JobEnd::Done(result) => (JobState::Done, None, Some(result.as_str())),
            JobEnd::Failed { error, result } => {
                (JobState::Failed, Some(error.as_str()), result.as_deref())
            }
        };
        let changed = with_pool!(self.0, pool => {
            sqlx::query(
                "UPDATE jobs SET state = $1, error = $2, result = $3, finished_at = $4 \
                 WHERE id = $5 AND state = 'running'",
            )
            .bind(state.as_str())
            .bind(error)
            .bind(result)
            .bind(at.trunc_subsecs(0))
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict(format!("job {id} is not running")));
        }
        Ok(())
    }

    /// Keeps the file a job made (a report), replacing one it made before.
    pub async fn save_file(
        self,
        job_id: i64,
        name: &str,
        media_type: &str,
        content: &[u8],
    ) -> Result<(), StoreError> {
        let at = Utc::now().timestamp();
        with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO report_files (job_id, name, media_type, content, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id) DO UPDATE SET \
                 name = excluded.name, media_type = excluded.media_type, \
                 content = excluded.content, created_at = excluded.created_at",
            )
            .bind(job_id)
            .bind(name)
            .bind(media_type)
            .bind(content)
            .bind(at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The file job `id` made: its name, media type and bytes.
    pub async fn file(self, job_id: i64) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        with_pool!(self.0, pool => {
            Ok(sqlx::query_as(
                "SELECT name, media_type, content FROM report_files WHERE job_id = $1",
            )
            .bind(job_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The job `id`, if there is one.
    pub async fn get(self, id: i64) -> Result<Option<Job>, StoreError> {
        let sql = concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = $1");
        let row: Option<JobRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sql).bind(id).fetch_optional(pool).await?
        });
        row.map(job).transpose()
    }

    /// A page of jobs, newest first (those of user `created_by` only, when given), and the
    /// number of such jobs in all.
    pub async fn list(
        self,
        created_by: Option<i64>,
        offset: u64,
        limit_rows: u64,
    ) -> Result<(Vec<Job>, u64), StoreError> {
        // `created_by` is bound twice rather than the statement written two ways.
        let sql = concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE ($1 IS NULL OR created_by = $2) \
             ORDER BY id DESC LIMIT $3 OFFSET $4"
        );
        let (rows, total): (Vec<JobRow>, i64) = with_pool!(self.0, pool => {
            let rows = sqlx::query_as(sql)
                .bind(created_by)
                .bind(created_by)
                .bind(limit(limit_rows))
                .bind(limit(offset))
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar(
                "SELECT count(*) FROM jobs WHERE ($1 IS NULL OR created_by = $2)",
            )
            .bind(created_by)
            .bind(created_by)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let jobs = rows.into_iter().map(job).collect::<Result<_, _>>()?;
        Ok((jobs, total.max(0) as u64))
    }

    /// Marks every running job failed at `at` with [`INTERRUPTED`]; returns how many. For a
    /// server that starts: a job still running was that of a process that stopped (the worker
    /// runs inside the server), and each job writes in transactions that a stopped process
    /// never committed. Only one server may run jobs on a database: another's running jobs
    /// would be marked too.
    pub async fn fail_interrupted(self, at: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(with_pool!(self.0, pool => {
            sqlx::query(
                "UPDATE jobs SET state = 'failed', error = $1, finished_at = $2 \
                 WHERE state = 'running'",
            )
            .bind(INTERRUPTED)
            .bind(at.trunc_subsecs(0))
            .execute(pool)
            .await?
            .rows_affected()
        }))
    }
}

//! Jobs: long work run by a worker inside the server, not inside a request. A job is queued with
//! its kind and typed parameters (kept as JSON in the store's `jobs` table), claimed by the
//! [`Jobs`] worker one at a time, and ends done with a result or failed with an error; its
//! progress is known live in memory and written to the store a few times a second at most.
//!
//! Each kind runs the same code as the command line: an import checks and loads its files in one
//! transaction ([`run_import`], over [`crate::upload`]), then queues a scoring job for every round
//! it touched; a scoring job ([`run_score`], which `thanrak score` calls inline) stores a round's
//! scores and figures in one transaction. So a server killed during a job has written nothing of
//! it, and marks it failed when it starts again (the store's `Jobs::fail_interrupted`). (The one
//! gap: a kill in the few statements between an import's commit and the end of its job, which
//! write the audit line and queue the scoring, leaves the data loaded and the job marked
//! interrupted.)
//!
//! | role | sees |
//! | --- | --- |
//! | admin | every job |
//! | others | the jobs they queued (another's job is a 404) |

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use thanrak_store::{Job, JobEnd, JobState, NewJob, Store, User, UserName};
use tokio::sync::Notify;

use crate::access::{AccessError, Page, Paging};
use crate::cases::{GroupReferral, GroupReferralResult};
use crate::scoring::{score_round, LoadedMethodology, ScoreSummary};
use crate::targeting::TargetQuery;
use crate::upload::{check_upload, load_upload, Diagnostic, UploadCheck, UploadLoad};
use crate::{AppError, ImportMode, Progress, Removals};
use thanrak_core::methodology::SHIPPED_FILES;
use thanrak_core::Reason;
use thanrak_core::RoundLabel;

/// How often at most a running job's progress is written to the store.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// How often the worker looks for queued jobs when nothing woke it (jobs queued by another
/// process, on a shared PostgreSQL database).
const POLL_EVERY: Duration = Duration::from_secs(5);

thanrak_core::labelled_enum!(
    /// What a job does.
    pub enum JobKind {
        /// Check and load uploaded files, then queue the scoring of the rounds they touch.
        Import = "import" / "นำเข้าข้อมูล" / "Import",
        /// Score one round.
        Score = "score" / "คำนวณดัชนี" / "Scoring",
        /// Check uploaded files without loading them (the import page's first step).
        Check = "check" / "ตรวจไฟล์ก่อนนำเข้า" / "File check",
        /// Refer every household of a target list to an agency (a bulk referral).
        Refer = "refer" / "ส่งต่อกลุ่มเป้าหมาย" / "Group referral",
        /// Match poor workers to open positions (methodology §7).
        Match = "match" / "จับคู่แรงงานกับตำแหน่งงาน" / "Job matching",
        /// Make the policy-meeting report (PDF or XLSX).
        Report = "report" / "จัดทำรายงานการประชุม" / "Meeting report",
    }
);

/// The parameters of a bulk referral job: a target list (round and filters, as the target
/// list page has them) and the referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferParams {
    /// The round.
    #[serde(with = "round_text")]
    pub round: RoundLabel,
    /// The list's area filter.
    pub area: Option<String>,
    /// The list's group filter.
    pub group: Option<String>,
    /// The list's indicator filter.
    pub indicator: Option<String>,
    /// The list's persistent-poverty filter (rounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent: Option<u32>,
    /// The need referred (the list is the households with it).
    pub need: String,
    /// The agency's code.
    pub agency: String,
    /// What the agency should know.
    pub note: String,
    /// When the cases should be resolved.
    pub due_on: Option<chrono::NaiveDate>,
    /// Sent at once (else proposed).
    pub send: bool,
    /// The referring user's name; its rights are those it has when the job runs.
    pub user: String,
}

impl ReferParams {
    /// The referral these parameters describe, checked.
    pub fn referral(&self) -> Result<GroupReferral, AppError> {
        let area = self
            .area
            .as_deref()
            .map(|a| {
                thanrak_core::AreaCode::parse(a)
                    .map_err(|e| AppError::Invalid(format!("area {a:?} {e}")))
            })
            .transpose()?;
        let agency = thanrak_core::identity::AgencyCode::parse(&self.agency)
            .map_err(|e| AppError::Invalid(format!("agency {:?} {e}", self.agency)))?;
        Ok(GroupReferral {
            query: TargetQuery {
                round: self.round.clone(),
                area,
                group: self.group.clone(),
                indicator: self.indicator.clone(),
                need: Some(self.need.clone()),
                persistent: self.persistent,
            },
            need: self.need.clone(),
            agency,
            note: self.note.clone(),
            due_on: self.due_on,
            send: self.send,
        })
    }
}

/// The parameters of an import job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportParams {
    /// The files to check and load.
    pub files: Vec<PathBuf>,
    /// The folder the files were staged in: removed when the job ends, and left out of the
    /// file names that problems are reported with.
    pub staging: Option<PathBuf>,
    /// A households-only update (members kept) rather than households with their members.
    pub households_only: bool,
    /// The number of stored members the user confirmed the import may remove.
    pub confirmed_removals: usize,
    /// The importing user's name; its rights are those it has when the job runs.
    pub user: String,
}

impl ImportParams {
    fn mode(&self) -> ImportMode {
        if self.households_only {
            ImportMode::HouseholdsOnly
        } else {
            ImportMode::Whole
        }
    }
}

/// The parameters of a scoring job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreParams {
    /// The round to score (its label as JSON text, parsed again when the job is read back).
    #[serde(with = "round_text")]
    pub round: RoundLabel,
    /// The id of the methodology to score it with.
    pub methodology_id: String,
}

/// The parameters of a check job: the import page's first step, which reads and checks the
/// uploaded files as an import would (every row, the batch, the user's areas, the members it
/// would remove) and writes nothing. The files stay staged for the confirmation when they may be
/// loaded, and are removed when they may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckParams {
    /// The files to check.
    pub files: Vec<PathBuf>,
    /// The folder the files were staged in.
    pub staging: Option<PathBuf>,
    /// A households-only update (members kept) rather than households with their members.
    pub households_only: bool,
    /// The uploading user's name.
    pub user: String,
}

/// What a check job found (its result, kept as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// `ready` (the files may be loaded) or `rejected` (see `problems`).
    pub status: String,
    /// Households in the files.
    pub households: usize,
    /// Members in the files.
    pub members: usize,
    /// The rounds the files touch.
    pub rounds: Vec<String>,
    /// Stored members that loading would remove, to be confirmed.
    pub removes_members: usize,
    /// Which.
    pub removals: Vec<Removal>,
    /// Every problem, by file and row, when rejected.
    pub problems: Vec<Problem>,
    /// The households whose rows have problems, as read, for correction on a page.
    #[serde(default)]
    pub fixable: Vec<crate::upload::Fixable>,
}

/// A job's kind with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobParams {
    /// An import.
    Import(ImportParams),
    /// A scoring run.
    Score(ScoreParams),
    /// A check of uploaded files.
    Check(CheckParams),
    /// A bulk referral.
    Refer(ReferParams),
    /// A match of workers to positions.
    Match(crate::matching::MatchParams),
    /// A policy-meeting report.
    Report(crate::report::ReportParams),
}

impl JobParams {
    /// The kind of job.
    pub fn kind(&self) -> JobKind {
        match self {
            JobParams::Import(_) => JobKind::Import,
            JobParams::Score(_) => JobKind::Score,
            JobParams::Check(_) => JobKind::Check,
            JobParams::Refer(_) => JobKind::Refer,
            JobParams::Match(_) => JobKind::Match,
            JobParams::Report(_) => JobKind::Report,
        }
    }

    fn to_json(&self) -> String {
        match self {
            JobParams::Import(p) => json(p),
            JobParams::Score(p) => json(p),
            JobParams::Check(p) => json(p),
            JobParams::Refer(p) => json(p),
            JobParams::Match(p) => json(p),
            JobParams::Report(p) => json(p),
        }
    }

    /// The parameters of a stored job.
    pub fn of(job: &Job) -> Result<JobParams, AppError> {
        let bad = |e: serde_json::Error| {
            AppError::Invalid(format!(
                "job {} has parameters of the wrong shape: {e}",
                job.id
            ))
        };
        match job.new.kind.as_str() {
            "import" => serde_json::from_str(&job.new.params)
                .map(JobParams::Import)
                .map_err(bad),
            "score" => serde_json::from_str(&job.new.params)
                .map(JobParams::Score)
                .map_err(bad),
            "check" => serde_json::from_str(&job.new.params)
                .map(JobParams::Check)
                .map_err(bad),
            "refer" => serde_json::from_str(&job.new.params)
                .map(JobParams::Refer)
                .map_err(bad),
            "match" => serde_json::from_str(&job.new.params)
                .map(JobParams::Match)
                .map_err(bad),
            "report" => serde_json::from_str(&job.new.params)
                .map(JobParams::Report)
                .map_err(bad),
            other => Err(AppError::Invalid(format!(
                "job {} is of an unknown kind {other:?}",
                job.id
            ))),
        }
    }
}

/// A round label kept in a job's JSON as its text, and parsed again when it is read back.
pub(crate) mod round_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use thanrak_core::RoundLabel;

    pub fn serialize<S: Serializer>(round: &RoundLabel, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(round.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RoundLabel, D::Error> {
        let text = String::deserialize(d)?;
        RoundLabel::parse(&text)
            .map_err(|e| serde::de::Error::custom(format!("round label {text:?} {e}")))
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("job parameters and results serialise")
}

/// One problem of refused files, as an import job's result lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file (and sheet) as uploaded.
    pub file: String,
    /// The row, the header being row 1; 0 for the file as a whole.
    pub row: u64,
    /// The column.
    pub column: String,
    /// The value found.
    pub value: String,
    /// What is wrong (kept as JSON with its code and parameters; shown in the reader's language).
    pub reason: Reason,
}

/// Stored members of one household that an import removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// The round.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// The numbers of the members the files no longer list.
    pub member_nos: Vec<u16>,
}

/// What an import job did (its result, kept as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    /// `loaded`, `rejected` (nothing written: see `problems`) or `unconfirmed` (nothing
    /// written: it would remove other stored members than were confirmed).
    pub status: String,
    /// Households written.
    pub households: u64,
    /// Members written.
    pub members: u64,
    /// Villages the import added.
    pub new_villages: u64,
    /// The rounds touched.
    pub rounds: Vec<String>,
    /// The scoring jobs queued for those rounds, in the same order.
    pub scoring_jobs: Vec<i64>,
    /// Stored members removed (loaded) or that loading would remove (unconfirmed).
    pub removes_members: usize,
    /// Which, when unconfirmed.
    pub removals: Vec<Removal>,
    /// Every problem, by file and row, when rejected.
    pub problems: Vec<Problem>,
}

/// What a scoring job did (its result, kept as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreResult {
    /// The round scored.
    pub round: String,
    /// The methodology's id.
    pub methodology_id: String,
    /// The methodology's version.
    pub methodology_version: String,
    /// Households scored.
    pub households: usize,
    /// Households in each group, in `Group::ALL` order.
    pub groups: [u64; 4],
}

impl From<&ScoreSummary> for ScoreResult {
    fn from(s: &ScoreSummary) -> Self {
        ScoreResult {
            round: s.round.to_string(),
            methodology_id: s.methodology.0.clone(),
            methodology_version: s.methodology.1.clone(),
            households: s.households,
            groups: s.groups,
        }
    }
}

/// Reads a job's result as `T`, if it has one of that shape.
pub fn result_of<T: for<'de> Deserialize<'de>>(job: &Job) -> Option<T> {
    serde_json::from_str(job.result.as_deref()?).ok()
}

/// Scores a round as a scoring job does; `thanrak score` calls it inline with its progress bar.
/// The scores and figures are stored in one transaction (see `Scores::save` in the store).
pub async fn run_score(
    store: &Store,
    lm: &LoadedMethodology,
    p: &ScoreParams,
    progress: Progress<'_>,
) -> Result<ScoreSummary, AppError> {
    let id = lm.methodology.id();
    if p.methodology_id != id {
        return Err(AppError::Invalid(format!(
            "the methodology {:?} is not the one loaded here ({id})",
            p.methodology_id
        )));
    }
    score_round(store, &p.round, lm, progress).await
}

/// Checks and loads the files of an import job as `created_by` (see
/// [`crate::upload::load_upload`]: every row, the batch, the user's areas, the removals it
/// confirmed; loaded in one transaction or not at all); the result's `status` says whether the
/// files were loaded. Scoring is left to the caller.
pub async fn run_import(
    store: &Store,
    created_by: i64,
    p: &ImportParams,
    progress: Progress<'_>,
) -> Result<ImportResult, AccessError> {
    let user = job_user(store, created_by, &p.user, &p.files).await?;
    let loaded = load_upload(
        store,
        &user,
        &p.files,
        p.mode(),
        p.confirmed_removals,
        progress,
    )
    .await?;
    let result = match loaded {
        UploadLoad::Rejected(d) => ImportResult {
            status: "rejected".into(),
            problems: problems(d, p.staging.as_deref()),
            ..ImportResult::default()
        },
        UploadLoad::Unconfirmed(r) => ImportResult {
            status: "unconfirmed".into(),
            removes_members: r.members(),
            removals: removals(&r),
            ..ImportResult::default()
        },
        UploadLoad::Loaded { import, removed } => ImportResult {
            status: "loaded".into(),
            households: import.households,
            members: import.members,
            new_villages: import.new_villages,
            rounds: import.rounds.iter().map(ToString::to_string).collect(),
            removes_members: removed,
            ..ImportResult::default()
        },
    };
    Ok(result)
}

/// The user a job runs as: the one who queued it, still enabled, with the staged files still
/// there.
async fn job_user(
    store: &Store,
    created_by: i64,
    name: &str,
    files: &[PathBuf],
) -> Result<User, AccessError> {
    let name = UserName::parse(name)
        .map_err(|e| AppError::Invalid(format!("the queuing user's name {e}")))?;
    let user = store.accounts().user(&name).await?;
    if user.id != created_by || user.disabled {
        return Err(AccessError::Forbidden(
            "the user who queued this job is disabled".into(),
        ));
    }
    if files.iter().any(|f| !f.exists()) {
        return Err(AppError::Invalid(
            "the uploaded files are no longer kept (the server restarted before the import \
             ran): upload them again"
                .into(),
        )
        .into());
    }
    Ok(user)
}

/// Diagnostics as a job's result lists them: file names without the staging folder.
fn problems(diagnostics: Vec<Diagnostic>, staging: Option<&Path>) -> Vec<Problem> {
    let strip = |file: String| match staging {
        Some(dir) => {
            let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
            file.strip_prefix(&prefix)
                .map(str::to_string)
                .unwrap_or(file)
        }
        None => file,
    };
    diagnostics
        .into_iter()
        .map(|d| Problem {
            file: strip(d.file),
            row: d.row,
            column: d.column,
            value: d.value,
            reason: d.reason,
        })
        .collect()
}

/// Runs a bulk referral as `created_by` (see [`crate::cases::refer_group`]): one transaction.
pub async fn run_refer(
    store: &Store,
    created_by: i64,
    p: &ReferParams,
    progress: Progress<'_>,
) -> Result<GroupReferralResult, AccessError> {
    let user = job_user(store, created_by, &p.user, &[]).await?;
    crate::cases::refer_group(store, &user, &p.referral()?, progress).await
}

/// What a report job made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResult {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Where the page downloads it.
    pub download: String,
}

/// Queues a policy-meeting report for `user`, once its rights and the area are checked (the job
/// checks them again when it runs).
pub async fn queue_report(
    jobs: &Jobs,
    user: &User,
    p: &crate::report::ReportParams,
) -> Result<Job, AccessError> {
    let area = thanrak_core::AreaCode::parse(p.area.trim())
        .map_err(|e| AppError::Invalid(format!("area {:?} {e}", p.area)))?;
    crate::policy::report_maker(user, &area)?;
    // Rounds named must exist now (the job reads them later): refused at once otherwise.
    for r in [&p.round, &p.since_round].into_iter().flatten() {
        let round = RoundLabel::parse(r.trim())
            .map_err(|e| AppError::Invalid(format!("round {r:?} {e}")))?;
        crate::ensure_round(jobs.store(), &round).await?;
    }
    let params = JobParams::Report(crate::report::ReportParams {
        user: user.name.to_string(),
        ..p.clone()
    });
    Ok(jobs.queue(&params, user).await?)
}

/// The file a report job made, for whoever may read the job (its owner, an admin).
pub async fn report_file(
    store: &Store,
    user: &User,
    job_id: i64,
) -> Result<(String, String, Vec<u8>), AccessError> {
    let not_found = || AppError::NotFound(format!("there is no report {job_id}"));
    let job = store.jobs().get(job_id).await?.ok_or_else(not_found)?;
    if job.new.created_by != user.id && !crate::policy::sees_every_job(user) {
        return Err(not_found().into());
    }
    Ok(store.jobs().file(job_id).await?.ok_or_else(not_found)?)
}

/// Queues a bulk referral for `user`, once its rights and the referral are checked (the job
/// checks them again when it runs).
pub async fn queue_referral(jobs: &Jobs, user: &User, p: &ReferParams) -> Result<Job, AccessError> {
    crate::policy::refers(user)?;
    let r = p.referral()?;
    if !crate::agencies::known_needs().contains(&r.need) {
        return Err(AppError::NotFound(format!(
            "need {:?} is not a need of a shipped methodology: one of {}",
            r.need,
            crate::agencies::known_needs().join(", ")
        ))
        .into());
    }
    crate::ensure_round(jobs.store(), &p.round).await?;
    let params = JobParams::Refer(ReferParams {
        user: user.name.to_string(),
        ..p.clone()
    });
    Ok(jobs.queue(&params, user).await?)
}

/// Queues a match for `user`, once its rights, the round and the parameters are checked (the
/// job checks them again when it runs).
pub async fn queue_match(
    jobs: &Jobs,
    user: &User,
    p: &crate::matching::MatchParams,
) -> Result<Job, AccessError> {
    crate::policy::may_match(user, p.area()?.as_ref())?;
    crate::ensure_round(jobs.store(), &p.round).await?;
    let params = JobParams::Match(crate::matching::MatchParams {
        user: user.name.to_string(),
        ..p.clone()
    });
    Ok(jobs.queue(&params, user).await?)
}

/// Checks the files of a check job as `created_by` (see [`crate::upload::check_upload`]);
/// writes nothing.
pub async fn run_check(
    store: &Store,
    created_by: i64,
    p: &CheckParams,
    progress: Progress<'_>,
) -> Result<CheckResult, AccessError> {
    let user = job_user(store, created_by, &p.user, &p.files).await?;
    let mode = if p.households_only {
        ImportMode::HouseholdsOnly
    } else {
        ImportMode::Whole
    };
    Ok(
        match check_upload(store, &user, &p.files, mode, progress).await? {
            UploadCheck::Rejected(d, fixable) => CheckResult {
                status: "rejected".into(),
                problems: problems(d, p.staging.as_deref()),
                fixable: fixable
                    .into_iter()
                    .map(|mut f| {
                        let strip = |file: &mut String| {
                            if let Some(dir) = p.staging.as_deref() {
                                let prefix =
                                    format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
                                if let Some(rest) = file.strip_prefix(&prefix) {
                                    *file = rest.to_string();
                                }
                            }
                        };
                        if let Some((file, _)) = &mut f.household_origin {
                            strip(file);
                        }
                        for (file, _) in &mut f.member_origins {
                            strip(file);
                        }
                        f
                    })
                    .collect(),
                ..CheckResult::default()
            },
            UploadCheck::Ready {
                households,
                members,
                rounds,
                removals: r,
            } => CheckResult {
                status: "ready".into(),
                households,
                members,
                rounds: rounds.iter().map(ToString::to_string).collect(),
                removes_members: r.members(),
                removals: removals(&r),
                problems: Vec::new(),
                fixable: Vec::new(),
            },
        },
    )
}

/// The removals of an import as its result lists them.
pub fn removals(r: &Removals) -> Vec<Removal> {
    r.households
        .iter()
        .map(|(round, hh, nos)| Removal {
            round: round.to_string(),
            household_id: hh.to_string(),
            member_nos: nos.clone(),
        })
        .collect()
}

/// The message a failed job shows its user: what the user can act on, and for internal faults
/// only that there was one (the details go to the server's log).
fn failure(job: &Job, e: &AccessError) -> String {
    match e {
        AccessError::App(AppError::Store(_)) => {
            tracing::error!(job = job.id, "job failed: {e}");
            "an internal error stopped this job; nothing it did was kept (the server's log \
             says more)"
                .into()
        }
        AccessError::App(AppError::Io(io)) => io
            .without_path()
            .unwrap_or_else(|| "a file could not be read".into()),
        _ => e.to_string(),
    }
}

/// Runs a claimed job to its end (an import queues the scoring of the rounds it loaded).
pub async fn run_job(store: &Store, job: &Job, progress: Progress<'_>) -> JobEnd {
    let failed = |error: String| JobEnd::Failed {
        error,
        result: None,
    };
    match JobParams::of(job) {
        Err(e) => failed(e.to_string()),
        Ok(JobParams::Score(p)) => {
            let Some(lm) = crate::scoring::shipped_methodology(&p.methodology_id) else {
                return failed(format!(
                    "{:?} is not a shipped methodology: score the round with its file from \
                     the command line (`thanrak score --methodology FILE`)",
                    p.methodology_id
                ));
            };
            match run_score(store, &lm, &p, progress).await {
                Ok(s) => JobEnd::Done(json(&ScoreResult::from(&s))),
                Err(e) => failed(failure(job, &e.into())),
            }
        }
        Ok(JobParams::Match(p)) => {
            let run = async {
                let user = job_user(store, job.new.created_by, &p.user, &[]).await?;
                crate::matching::run_match(store, &user, &p, progress).await
            };
            match run.await {
                Ok(result) => JobEnd::Done(json(&result)),
                Err(e) => failed(failure(job, &e)),
            }
        }
        Ok(JobParams::Report(p)) => {
            let run = async {
                let user = job_user(store, job.new.created_by, &p.user, &[]).await?;
                let made = crate::report::make_report(store, &user, &p, progress).await?;
                store
                    .jobs()
                    .save_file(job.id, &made.name, made.media_type, &made.bytes)
                    .await
                    .map_err(AppError::from)?;
                Ok::<_, AccessError>(ReportResult {
                    name: made.name,
                    bytes: made.bytes.len() as u64,
                    download: format!("/reports/{}", job.id),
                })
            };
            match run.await {
                Ok(result) => JobEnd::Done(json(&result)),
                Err(e) => failed(failure(job, &e)),
            }
        }
        Ok(JobParams::Refer(p)) => match run_refer(store, job.new.created_by, &p, progress).await {
            Ok(result) => JobEnd::Done(json(&result)),
            Err(e) => failed(failure(job, &e)),
        },
        Ok(JobParams::Check(p)) => {
            let run = run_check(store, job.new.created_by, &p, progress).await;
            // Files that may not be loaded are not kept; files that may wait for the
            // confirmation in their staging folder.
            let keep = matches!(&run, Ok(r) if r.status == "ready");
            if let (false, Some(dir)) = (keep, &p.staging) {
                let _ = std::fs::remove_dir_all(dir);
            }
            match run {
                Ok(result) => JobEnd::Done(json(&result)),
                Err(e) => failed(failure(job, &e)),
            }
        }
        Ok(JobParams::Import(p)) => {
            let run = run_import(store, job.new.created_by, &p, progress).await;
            if let Some(dir) = &p.staging {
                let _ = std::fs::remove_dir_all(dir);
            }
            match run {
                Err(e) => failed(failure(job, &e)),
                Ok(mut result) => match result.status.as_str() {
                    "loaded" => {
                        // Every shipped methodology scores the rounds again (an import drops
                        // every run of the rounds it touches).
                        let each = result.rounds.iter().flat_map(|r| {
                            SHIPPED_FILES.iter().map(move |(id, _)| (r.clone(), *id))
                        });
                        for (round, id) in each.collect::<Vec<_>>() {
                            // The labels of the rounds loaded, as the result keeps them.
                            let round = match RoundLabel::parse(&round) {
                                Ok(r) => r,
                                Err(e) => {
                                    tracing::error!(job = job.id, "round {round:?} {e}");
                                    continue;
                                }
                            };
                            let params = JobParams::Score(ScoreParams {
                                round: round.clone(),
                                methodology_id: id.to_string(),
                            });
                            match queue_in(
                                store,
                                &params,
                                job.new.created_by,
                                &job.new.created_by_name,
                            )
                            .await
                            {
                                Ok(j) => result.scoring_jobs.push(j.id),
                                Err(e) => tracing::error!(
                                    job = job.id,
                                    "cannot queue the scoring of round {round}: {e}"
                                ),
                            }
                        }
                        JobEnd::Done(json(&result))
                    }
                    "rejected" => JobEnd::Failed {
                        error: format!(
                            "refused: {} problem(s) in the files; nothing was written",
                            result.problems.len()
                        ),
                        result: Some(json(&result)),
                    },
                    _ => JobEnd::Failed {
                        error: format!(
                            "not loaded: the import would now remove {} stored members, not the \
                             {} confirmed (the data changed since the check); nothing was \
                             written: upload the files again",
                            result.removes_members, p.confirmed_removals
                        ),
                        result: Some(json(&result)),
                    },
                },
            }
        }
    }
}

async fn queue_in(
    store: &Store,
    params: &JobParams,
    user_id: i64,
    user_name: &str,
) -> Result<Job, AppError> {
    let new = NewJob {
        kind: params.kind().as_str().into(),
        params: params.to_json(),
        created_by: user_id,
        created_by_name: user_name.into(),
    };
    Ok(store.jobs().create(&new, Utc::now()).await?)
}

/// Queues the scoring of `round` with the shipped methodology `methodology_id` (the default
/// when `None`), for a user the policy lets score rounds: scoring replaces a run that every user
/// reads.
pub async fn queue_score(
    jobs: &Jobs,
    user: &User,
    round: &RoundLabel,
    methodology_id: Option<&str>,
) -> Result<Job, AccessError> {
    crate::policy::admin_only(user, "only an admin may score a round")?;
    crate::ensure_round(jobs.store(), round).await?;
    let id = methodology_id
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(SHIPPED_FILES[0].0);
    if crate::scoring::shipped_methodology(id).is_none() {
        return Err(AppError::NotFound(format!(
            "unknown methodology {id:?}: one of {}",
            SHIPPED_FILES.map(|(i, _)| i).join(", ")
        ))
        .into());
    }
    let params = JobParams::Score(ScoreParams {
        round: round.clone(),
        methodology_id: id.to_string(),
    });
    Ok(jobs.queue(&params, user).await?)
}

/// Queues the scoring of `rounds` with every shipped methodology after a change `user` made to
/// their households on the web (a correction, a merge): the change dropped their runs, as an
/// import does. Returns the jobs queued.
pub async fn queue_rescoring(
    jobs: &Jobs,
    user: &User,
    rounds: &[RoundLabel],
) -> Result<Vec<Job>, AppError> {
    let mut out = Vec::new();
    for round in rounds {
        for (id, _) in SHIPPED_FILES {
            let params = JobParams::Score(ScoreParams {
                round: round.clone(),
                methodology_id: id.to_string(),
            });
            out.push(jobs.queue(&params, user).await?);
        }
    }
    Ok(out)
}

/// A running job's progress as last reported: the stage, units done and units in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    /// The stage under way.
    pub stage: String,
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// The job worker of a server, and the handle to queue jobs and read their live progress;
/// clones share the worker.
#[derive(Clone)]
pub struct Jobs {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    /// Woken when a job is queued.
    wake: Notify,
    /// Woken when a job ends.
    ended: Notify,
    /// The progress of the job under way, by id.
    live: Mutex<HashMap<i64, Live>>,
}

/// Settings of the worker.
#[derive(Debug, Clone, Default)]
pub struct WorkerConfig {
    /// A test hook: a job that reports progress in this stage (with some units done) stops
    /// there for good, inside its transaction, so that a test can kill the server mid-job.
    /// Never set in production.
    pub hold_at_stage: Option<String>,
    /// Queue jobs and follow them, but run none: a second server on the same PostgreSQL
    /// database, beside the one whose worker runs the jobs (claims are atomic, so any number
    /// of workers may run, but only a server that runs none may start beside a running one:
    /// a worker marks the jobs left running as interrupted when it starts).
    pub queue_only: bool,
}

impl Jobs {
    /// Starts the worker on the current tokio runtime: it claims queued jobs one at a time,
    /// runs them (scoring with the shipped methodology each names), and calls `after` when each ends (to drop what was computed from
    /// the data before).
    pub fn start(
        store: Store,
        config: WorkerConfig,
        after: impl Fn() + Send + Sync + 'static,
    ) -> Jobs {
        let jobs = Jobs {
            shared: Arc::new(Shared {
                store,
                wake: Notify::new(),
                ended: Notify::new(),
                live: Mutex::new(HashMap::new()),
            }),
        };
        if !config.queue_only {
            tokio::spawn(work(jobs.clone(), config, after));
        }
        jobs
    }

    fn store(&self) -> &Store {
        &self.shared.store
    }

    fn live_map(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Live>> {
        self.shared
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The live progress of job `id`, while this worker runs it.
    pub fn live(&self, id: i64) -> Option<Live> {
        self.live_map().get(&id).cloned()
    }

    /// A stored job with its live progress when this worker is running it (the stored
    /// progress lags behind, and cannot be written at all on SQLite while an import holds the
    /// database's one writer).
    pub fn with_live(&self, mut job: Job) -> Job {
        if job.state == JobState::Running {
            if let Some(l) = self.live(job.id) {
                job.stage = l.stage;
                job.progress_done = l.done;
                job.progress_total = l.total;
            }
        }
        job
    }

    /// Queues a job for `user` and wakes the worker.
    pub async fn queue(&self, params: &JobParams, user: &User) -> Result<Job, AppError> {
        let job = queue_in(self.store(), params, user.id, user.name.as_str()).await?;
        self.shared.wake.notify_one();
        Ok(job)
    }

    /// Waits until job `id` has ended, and returns it.
    pub async fn wait(&self, id: i64) -> Result<Job, AppError> {
        loop {
            let ended = self.shared.ended.notified();
            let job = self
                .store()
                .jobs()
                .get(id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("there is no job {id}")))?;
            if job.state.is_finished() {
                return Ok(job);
            }
            // A job run by another process ends without waking this one: look again now and then.
            let _ = tokio::time::timeout(POLL_EVERY, ended).await;
        }
    }
}

async fn work(jobs: Jobs, config: WorkerConfig, after: impl Fn() + Send + Sync + 'static) {
    loop {
        match jobs.store().jobs().claim(Utc::now()).await {
            Ok(Some(job)) => {
                run_one(&jobs, &config, job).await;
                after();
                jobs.shared.ended.notify_waiters();
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot look for queued jobs: {e}"),
        }
        let _ = tokio::time::timeout(POLL_EVERY, jobs.shared.wake.notified()).await;
    }
}

/// Runs one claimed job in a task of its own (a panic fails the job, not the worker), with its
/// progress kept live and written to the store now and then, and records how it ended.
async fn run_one(jobs: &Jobs, config: &WorkerConfig, job: Job) {
    let id = job.id;
    jobs.live_map().insert(id, Live::default());
    let flusher = tokio::spawn(write_progress(jobs.clone(), id));
    let (store, reporter, hold) = (
        jobs.store().clone(),
        jobs.clone(),
        config.hold_at_stage.clone(),
    );
    let task = tokio::spawn(async move {
        let mut progress = |stage: &str, done: u64, total: u64| {
            reporter.live_map().insert(
                id,
                Live {
                    stage: stage.to_string(),
                    done,
                    total,
                },
            );
            if done > 0 && hold.as_deref() == Some(stage) {
                crate::blocking(|| loop {
                    std::thread::sleep(Duration::from_secs(3600));
                });
            }
        };
        run_job(&store, &job, &mut progress).await
    });
    let end = match task.await {
        Ok(end) => end,
        Err(e) => {
            tracing::error!(job = id, "job stopped: {e}");
            JobEnd::Failed {
                error: "an internal error stopped this job (the server's log says more)".into(),
                result: None,
            }
        }
    };
    flusher.abort();
    if let Err(e) = jobs.store().jobs().finish(id, &end, Utc::now()).await {
        tracing::error!(job = id, "cannot record the end of the job: {e}");
    }
    jobs.live_map().remove(&id);
}

/// Writes the live progress of job `id` to the store when it changed, at most every
/// [`PROGRESS_EVERY`]; a write that fails (the database busy with the job's own transaction)
/// is skipped.
async fn write_progress(jobs: Jobs, id: i64) {
    let mut written = None;
    loop {
        tokio::time::sleep(PROGRESS_EVERY).await;
        let now = jobs.live(id);
        if now != written {
            if let Some(l) = &now {
                let _ = jobs
                    .store()
                    .jobs()
                    .progress(id, &l.stage, l.done, l.total)
                    .await;
            }
            written = now;
        }
    }
}

/// A page of the jobs `user` may see, newest first, with live progress: an admin's list holds
/// every job, another user's its own.
pub async fn list_jobs(jobs: &Jobs, user: &User, paging: Paging) -> Result<Page<Job>, AccessError> {
    let by = (!crate::policy::sees_every_job(user)).then_some(user.id);
    let (items, total) = jobs
        .store()
        .jobs()
        .list(by, paging.offset(), u64::from(paging.per_page()))
        .await?;
    Ok(Page {
        items: items.into_iter().map(|j| jobs.with_live(j)).collect(),
        page: paging.page(),
        per_page: paging.per_page(),
        total,
    })
}

/// Job `id` with its live progress, if `user` may see it (its own, or any for an admin);
/// another user's job is not found.
pub async fn get_job(jobs: &Jobs, user: &User, id: i64) -> Result<Job, AccessError> {
    match jobs.store().jobs().get(id).await? {
        Some(j) if crate::policy::sees_every_job(user) || j.new.created_by == user.id => {
            Ok(jobs.with_live(j))
        }
        _ => Err(AppError::NotFound(format!("there is no job {id}")).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An import job keeps its problems as JSON: each reason by its code and parameters, read
    /// back typed, so that the job's page shows it in the reader's language later.
    #[test]
    fn problems_keep_their_typed_reasons_as_json() {
        let reasons = [
            Reason::Required,
            Reason::Between {
                lo: "0".into(),
                hi: "130".into(),
            },
            Reason::AfterSurveyDate {
                survey_date: chrono::NaiveDate::from_ymd_opt(2023, 6, 15).unwrap(),
            },
            Reason::AreaUnknown {
                level: thanrak_core::AreaLevel::Subdistrict,
            },
            Reason::OutsideYourAreas {
                areas: vec!["52".into(), "5001".into()],
            },
            Reason::NotUtf8 {
                byte: 0xE0,
                position: 3,
            },
        ];
        for reason in reasons {
            let problem = Problem {
                file: "households.csv".into(),
                row: 2,
                column: "village_code".into(),
                value: "99999999".into(),
                reason: reason.clone(),
            };
            let json = serde_json::to_value(&problem).unwrap();
            assert_eq!(json["reason"]["code"], reason.code(), "{json}");
            let back: Problem = serde_json::from_value(json).unwrap();
            assert_eq!(back.reason, reason);
        }
        let json = serde_json::to_value(Reason::AreaUnknown {
            level: thanrak_core::AreaLevel::Subdistrict,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "area_unknown", "level": "subdistrict"})
        );
    }

    #[test]
    fn score_params_keep_the_round_as_text_and_parse_it_back() {
        let p = ScoreParams {
            round: RoundLabel::parse("2568-1").unwrap(),
            methodology_id: "thanrak-default-1".into(),
        };
        let text = json(&p);
        assert_eq!(
            text,
            r#"{"round":"2568-1","methodology_id":"thanrak-default-1"}"#
        );
        assert_eq!(serde_json::from_str::<ScoreParams>(&text).unwrap(), p);
        let bad = serde_json::from_str::<ScoreParams>(r#"{"round":"","methodology_id":"x"}"#);
        assert!(bad.unwrap_err().to_string().contains("round label"));
    }
}

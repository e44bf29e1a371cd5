//! `GET /jobs` and `GET /jobs/{id}`: the background jobs (imports, scoring) with their progress.
//! A user sees the jobs it queued; an admin sees every job.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use thanrak_app::db::Job;
use thanrak_app::jobs::{self, JobParams};
use thanrak_core::Reason;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::PageDto;
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(get_job))
        .routes(routes!(score_round))
}

/// Which methodology to score a round with.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ScoreQuery {
    /// A shipped methodology's id (`thanrak-default-1` by default, or `tpmap-welfare-1`).
    #[param(example = "tpmap-welfare-1")]
    pub methodology: Option<String>,
}

/// Queues the scoring of a round (admins only): the job replaces the round's run of that
/// methodology and its stored figures. Answers 202 with the job, followed at its `Location`.
#[utoipa::path(
    post,
    path = "/rounds/{round}/score",
    tag = "jobs",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        ScoreQuery,
    ),
    responses(
        (status = 202, description = "Queued", body = JobDto),
        (status = 400, description = "An unknown methodology", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn score_round(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    Query(q): Query<ScoreQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let round = crate::parse::round(&round)?;
    let job =
        jobs::queue_score(state.jobs(), &caller.user, &round, q.methodology.as_deref()).await?;
    let location = format!("/api/v1/jobs/{}", job.id);
    Ok((
        axum::http::StatusCode::ACCEPTED,
        [(axum::http::header::LOCATION, location)],
        Json(JobDto::from(job)),
    )
        .into_response())
}

/// A background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    /// The job's id.
    pub id: i64,
    /// `import` (check and load files, then queue the scoring of their rounds) or `score`.
    pub kind: String,
    /// What it was asked to do: for an import the file names, `households_only` and
    /// `confirmed_removals`; for a scoring job the `round` and `methodology_id`.
    #[schema(value_type = Object)]
    pub params: Value,
    /// `queued`, `running`, `done` or `failed`.
    pub state: &'static str,
    /// The stage under way (`read`, `write`), as the job last reported it.
    pub stage: String,
    /// Units of the stage done.
    pub progress_done: u64,
    /// Units of the stage in all (0 while not known).
    pub progress_total: u64,
    /// The id of the user who queued it.
    pub created_by: i64,
    /// Its name.
    pub created_by_name: String,
    /// When it was queued (RFC 3339).
    pub created_at: String,
    /// When it started.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Why it failed. A job that was running when the server stopped says `interrupted: …`;
    /// nothing it did was kept.
    pub error: Option<String>,
    /// What it produced. An import: `status` (`loaded`, `rejected`, `unconfirmed`),
    /// `households`, `members`, `new_villages`, `rounds`, `scoring_jobs` (the ids of the scoring
    /// jobs it queued), `removes_members`, `removals` and `problems` (file, row, column, value,
    /// reason, reason_code, reason_th). A check (the import page's first step): `status`
    /// (`ready`, `rejected`), `households`, `members`, `rounds`, `removes_members`, `removals`
    /// and `problems`. A scoring job: `round`, `methodology_id`, `methodology_version`, `households`
    /// and `groups` (households per group).
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
}

/// A job's result as the API gives it: each problem's typed reason as the import API gives it
/// (`reason` in English, `reason_code`, `reason_th`).
fn public_result(mut result: Value) -> Value {
    if let Some(problems) = result.get_mut("problems").and_then(Value::as_array_mut) {
        for p in problems {
            let typed = p
                .get("reason")
                .and_then(|r| serde_json::from_value::<Reason>(r.clone()).ok());
            if let (Some(reason), Some(obj)) = (typed, p.as_object_mut()) {
                obj.insert("reason".into(), reason.english().into());
                obj.insert("reason_code".into(), reason.code().into());
                obj.insert("reason_th".into(), reason.thai().into());
            }
        }
    }
    result
}

/// What a job was asked to do, without the server's paths.
pub(crate) fn public_params(job: &Job) -> Value {
    match JobParams::of(job) {
        Ok(JobParams::Import(p)) => json!({
            "files": p.files.iter().map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()).collect::<Vec<_>>(),
            "households_only": p.households_only,
            "confirmed_removals": p.confirmed_removals,
        }),
        Ok(JobParams::Score(p)) => json!({
            "round": p.round.as_str(),
            "methodology_id": p.methodology_id,
        }),
        Ok(JobParams::Check(p)) => json!({
            "files": p.files.iter().map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()).collect::<Vec<_>>(),
            "households_only": p.households_only,
        }),
        Ok(JobParams::Refer(p)) => json!({
            "round": p.round.as_str(),
            "area": p.area,
            "group": p.group,
            "indicator": p.indicator,
            "need": p.need,
            "agency": p.agency,
            "note": p.note,
            "due_on": p.due_on.map(|d| d.to_string()),
            "send": p.send,
        }),
        Ok(JobParams::Match(p)) => json!({
            "round": p.round.as_str(),
            "area": p.area,
            "max_m": p.max_m,
            "one_per_household": p.one_per_household,
        }),
        Ok(JobParams::Report(p)) => json!({
            "area": p.area,
            "round": p.round,
            "since_round": p.since_round,
            "since_meeting": p.since_meeting,
            "format": p.format,
        }),
        Err(_) => json!({}),
    }
}

impl From<Job> for JobDto {
    fn from(j: Job) -> Self {
        JobDto {
            params: public_params(&j),
            id: j.id,
            kind: j.new.kind,
            state: j.state.as_str(),
            stage: j.stage,
            progress_done: j.progress_done,
            progress_total: j.progress_total,
            created_by: j.new.created_by,
            created_by_name: j.new.created_by_name,
            created_at: j.created_at.to_rfc3339(),
            started_at: j.started_at.map(|t| t.to_rfc3339()),
            finished_at: j.finished_at.map(|t| t.to_rfc3339()),
            error: j.error,
            result: j
                .result
                .and_then(|r| serde_json::from_str(&r).ok())
                .map(public_result),
        }
    }
}

/// The jobs the caller may see, newest first: its own, or every job for an admin. A running
/// job's progress is the live one.
#[utoipa::path(
    get,
    path = "/jobs",
    tag = "jobs",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of jobs", body = PageDto<JobDto>),
        (status = 400, description = "A malformed paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<JobDto>>, ApiError> {
    let page = jobs::list_jobs(state.jobs(), &caller.user, p.paging()?).await?;
    Ok(Json(PageDto::from_page(page, JobDto::from)))
}

/// One job, with its live progress while it runs and its result or error once it has ended.
#[utoipa::path(
    get,
    path = "/jobs/{id}",
    tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = JobDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such job, or another user's (unless the caller is an admin)", body = ErrorBody),
    )
)]
async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<JobDto>, ApiError> {
    let job = jobs::get_job(state.jobs(), &caller.user, id).await?;
    Ok(Json(JobDto::from(job)))
}

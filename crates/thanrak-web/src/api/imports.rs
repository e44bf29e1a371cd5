//! `POST /imports`: upload CSV / XLSX files (multipart, field `files`), have them checked, and
//! unless `dry_run` is set, loaded and scored by background jobs (see `thanrak_app::jobs`): the
//! request waits for them unless `wait=false`, when it answers `202` with the job's address at
//! once. The same checks as the import page: every row, the batch as a whole, and the
//! uploader's areas.

use std::path::PathBuf;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::db::JobState;
use thanrak_app::jobs::{self, ImportParams, ImportResult, JobParams, ScoreResult};
use thanrak_app::upload::{check_upload, import_areas, may_import, Diagnostic, UploadCheck};
use thanrak_app::{ImportMode, Removals};
use thanrak_core::Reason;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{credentials, Caller};
use crate::error::{ApiError, ErrorBody, Query};
use crate::pages::{staged_name, upload_error, MAX_UPLOAD_BYTES};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_import))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
}

/// Options of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// Only check the files; write nothing.
    dry_run: Option<bool>,
    /// Update fields of stored households only and keep their members: for a households table
    /// sent without a members table (which is otherwise refused: loading it would remove the
    /// members of its households).
    households_only: Option<bool>,
    /// The number of stored members the import removes, as a dry run reported them
    /// (`removes_members`): an import that removes members is loaded only when this matches.
    remove_members: Option<usize>,
    /// Wait for the import (and the scoring of its rounds) to end (default), or answer `202`
    /// with the job's id and address (`Location: /api/v1/jobs/{id}`) as soon as it is queued.
    wait: Option<bool>,
}

/// Stored members of one household that an import would remove.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovalDto {
    /// The round.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// The numbers of the members that the files no longer list.
    pub member_nos: Vec<u16>,
}

fn removal_dtos(r: &Removals) -> Vec<RemovalDto> {
    jobs::removals(r)
        .into_iter()
        .map(|r| RemovalDto {
            round: r.round,
            household_id: r.household_id,
            member_nos: r.member_nos,
        })
        .collect()
}

/// One problem of a refused import.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiagnosticDto {
    /// The file (and sheet) as uploaded.
    pub file: String,
    /// The row, the header being row 1; 0 for the file as a whole.
    pub row: u64,
    /// The column.
    pub column: String,
    /// The value found.
    pub value: String,
    /// What is wrong, in English.
    pub reason: String,
    /// The kind of problem, stable for programs (`between`, `not_utf8`, `outside_your_areas`…).
    pub reason_code: String,
    /// What is wrong, in Thai.
    pub reason_th: String,
}

impl DiagnosticDto {
    pub(crate) fn new(
        file: String,
        row: u64,
        column: String,
        value: String,
        reason: &Reason,
    ) -> Self {
        DiagnosticDto {
            file,
            row,
            column,
            value,
            reason: reason.english(),
            reason_code: reason.code(),
            reason_th: reason.thai(),
        }
    }
}

/// A round scored after loading.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoredRoundDto {
    /// The round.
    pub round: String,
    /// Households scored.
    pub households: usize,
}

/// The outcome of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    /// `rejected` (nothing written), `checked` (a dry run that passed), `unconfirmed` (nothing
    /// written: it would remove stored members that `remove_members` did not confirm), `loaded`,
    /// or `queued` (with `wait=false`: see the job).
    pub status: &'static str,
    /// The import job (not for a dry run).
    pub job_id: Option<i64>,
    /// Households in the files (checked) or written (loaded).
    pub households: u64,
    /// Members in the files (checked) or written (loaded).
    pub members: u64,
    /// The rounds touched.
    pub rounds: Vec<String>,
    /// The rounds scored after loading.
    pub scored: Vec<ScoredRoundDto>,
    /// Every problem found, by file and row (when rejected).
    pub problems: Vec<DiagnosticDto>,
    /// Stored members that loading removes (checked, unconfirmed) or removed (loaded).
    pub removes_members: usize,
    /// Which members of which households, when some are removed.
    pub removals: Vec<RemovalDto>,
}

/// Removes the staging folder when the request ends, however it ends, unless it was handed to
/// an import job (which removes it when it ends).
struct Staging(PathBuf);

impl Staging {
    fn hand_over(mut self) -> PathBuf {
        std::mem::take(&mut self.0)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.0.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl ImportDto {
    fn empty(status: &'static str, job_id: Option<i64>) -> ImportDto {
        ImportDto {
            status,
            job_id,
            households: 0,
            members: 0,
            rounds: Vec::new(),
            scored: Vec::new(),
            problems: Vec::new(),
            removes_members: 0,
            removals: Vec::new(),
        }
    }
}

fn rejected(d: Vec<Diagnostic>, staging: &Staging) -> ImportDto {
    let prefix = format!("{}{}", staging.0.display(), std::path::MAIN_SEPARATOR);
    ImportDto {
        problems: d
            .into_iter()
            .map(|d| {
                let file = d
                    .file
                    .strip_prefix(&prefix)
                    .map(str::to_string)
                    .unwrap_or(d.file);
                DiagnosticDto::new(file, d.row, d.column, d.value, &d.reason)
            })
            .collect(),
        ..ImportDto::empty("rejected", None)
    }
}

/// Imports households and members. Send the files as `multipart/form-data` parts named `files`
/// (CSV tables, or an XLSX workbook with the sheets `households` and `members`). All or nothing:
/// with any problem nothing is written and every problem is listed (`422`). Area managers and
/// surveyors may import only households inside their areas. Loading the same files twice
/// changes nothing. A households table without a members table is refused unless
/// `households_only` is set; an import that would remove stored members (a household re-sent
/// with fewer members) is loaded only with `remove_members` equal to the number a dry run
/// reported. A clash with a record the caller may not see says only that it exists. Every
/// check and import is written to the audit log. Browser sessions must send the
/// `X-CSRF-Token` header.
///
/// Loading and scoring run as background jobs (`GET /jobs/{id}`): an import job, which queues a
/// scoring job for each round it loaded. By default the request waits for them and answers as
/// below; with `wait=false` it answers `202` at once with `job_id` and a `Location` header.
#[utoipa::path(
    post,
    path = "/imports",
    tag = "imports",
    params(ImportQuery),
    request_body(content_type = "multipart/form-data", description = "Parts named `files`: .csv or .xlsx files"),
    responses(
        (status = 200, description = "Checked (dry run) or loaded and scored", body = ImportDto),
        (status = 202, description = "Queued (`wait=false`): follow the job at `Location`", body = ImportDto),
        (status = 400, description = "No files, or a file that cannot be read", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role may not import, or a missing CSRF token", body = ErrorBody),
        (status = 409, description = "Not loaded: it would remove stored members that `remove_members` does not confirm", body = ImportDto),
        (status = 413, description = "The upload is larger than 64 MB", body = ErrorBody),
        (status = 422, description = "Refused: every problem by file and row (`rejected`), or the import job failed otherwise (`job_failed`, as an error)", body = ImportDto),
        (status = 429, description = "Imports paused for this user after too many clashes with records it may not see", body = ErrorBody),
    )
)]
async fn post_import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    // Who may import is answered before the body is read: a role that may not import is told
    // so, whatever it sent.
    import_areas(&caller.user)?;
    let mut multipart = multipart.map_err(|e| {
        ApiError::invalid(format!(
            "send the files as multipart/form-data parts named `files`: {}",
            e.body_text()
        ))
    })?;
    let root = crate::pages::staging_root().map_err(|e| ApiError::internal(&e))?;
    let staging = Staging(root.join(credentials::random_hex()));
    std::fs::create_dir_all(&staging.0).map_err(|e| ApiError::internal(&e))?;
    let mut paths = Vec::new();
    let mut names: Vec<String> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| upload_error(&e))? {
        if field.name() != Some("files") {
            continue;
        }
        // A part of a form that is not a file (no file name) is not an upload.
        let Some(file_name) = field.file_name() else {
            return Err(ApiError::invalid(
                "each `files` part must be a file, with its file name",
            ));
        };
        let name = staged_name(file_name, &names).map_err(ApiError::invalid)?;
        let bytes = field.bytes().await.map_err(|e| upload_error(&e))?;
        let path = staging.0.join(&name);
        std::fs::write(&path, &bytes).map_err(|e| ApiError::internal(&e))?;
        names.push(name);
        paths.push(path);
    }
    if paths.is_empty() {
        return Err(ApiError::invalid(
            "send the files as multipart parts named `files`",
        ));
    }
    let store = state.store();
    let mode = if q.households_only.unwrap_or(false) {
        ImportMode::HouseholdsOnly
    } else {
        ImportMode::Whole
    };
    if q.dry_run.unwrap_or(false) {
        let checked = check_upload(store, &caller.user, &paths, mode, &mut |_, _, _| {}).await?;
        return Ok(match checked {
            UploadCheck::Rejected(d, _) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(rejected(d, &staging)),
            )
                .into_response(),
            UploadCheck::Ready {
                households,
                members,
                rounds,
                removals,
            } => Json(ImportDto {
                households: households as u64,
                members: members as u64,
                rounds: rounds.iter().map(ToString::to_string).collect(),
                removes_members: removals.members(),
                removals: removal_dtos(&removals),
                ..ImportDto::empty("checked", None)
            })
            .into_response(),
        });
    }
    // Refusals that do not depend on the files are answered now rather than by a failed job.
    may_import(store, &caller.user).await?;
    let confirmed = q.remove_members.unwrap_or(0);
    let params = JobParams::Import(ImportParams {
        files: paths,
        staging: Some(staging.hand_over()),
        households_only: mode == ImportMode::HouseholdsOnly,
        confirmed_removals: confirmed,
        user: caller.user.name.to_string(),
    });
    let job = state.jobs().queue(&params, &caller.user).await?;
    let location = format!("/api/v1/jobs/{}", job.id);
    if !q.wait.unwrap_or(true) {
        return Ok((
            StatusCode::ACCEPTED,
            [(header::LOCATION, location)],
            Json(ImportDto::empty("queued", Some(job.id))),
        )
            .into_response());
    }
    let job = state.jobs().wait(job.id).await?;
    let result: Option<ImportResult> = jobs::result_of(&job);
    let id = Some(job.id);
    Ok(match (job.state, result) {
        (JobState::Done, Some(r)) => {
            let mut scored = Vec::new();
            for s in &r.scoring_jobs {
                let done = state.jobs().wait(*s).await?;
                if let Some(s) = jobs::result_of::<ScoreResult>(&done) {
                    scored.push(ScoredRoundDto {
                        round: s.round,
                        households: s.households,
                    });
                }
            }
            Json(ImportDto {
                households: r.households,
                members: r.members,
                rounds: r.rounds,
                scored,
                removes_members: r.removes_members,
                ..ImportDto::empty("loaded", id)
            })
            .into_response()
        }
        (_, Some(r)) if r.status == "rejected" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportDto {
                problems: r
                    .problems
                    .into_iter()
                    .map(|p| DiagnosticDto::new(p.file, p.row, p.column, p.value, &p.reason))
                    .collect(),
                ..ImportDto::empty("rejected", id)
            }),
        )
            .into_response(),
        (_, Some(r)) if r.status == "unconfirmed" => (
            StatusCode::CONFLICT,
            Json(ImportDto {
                removes_members: r.removes_members,
                removals: r
                    .removals
                    .into_iter()
                    .map(|r| RemovalDto {
                        round: r.round,
                        household_id: r.household_id,
                        member_nos: r.member_nos,
                    })
                    .collect(),
                ..ImportDto::empty("unconfirmed", id)
            }),
        )
            .into_response(),
        _ => {
            return Err(ApiError::job_failed(
                job.error.unwrap_or_else(|| "the import job failed".into()),
            ))
        }
    })
}

//! `POST /imports`: upload CSV / XLSX files (multipart, field `files`), have them checked, and
//! loaded and scored unless `dry_run` is set. The same checks as the import page: every row,
//! the batch as a whole, and the uploader's areas.

use std::path::PathBuf;

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::upload::{
    check_upload, import_areas, load_upload, Diagnostic, UploadCheck, UploadLoad,
};
use thanrak_app::{ImportMode, Removals};
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
    r.households
        .iter()
        .map(|(round, hh, nos)| RemovalDto {
            round: round.to_string(),
            household_id: hh.to_string(),
            member_nos: nos.clone(),
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
    /// What is wrong.
    pub reason: String,
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
    /// written: it would remove stored members that `remove_members` did not confirm) or `loaded`.
    pub status: &'static str,
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

/// Removes the staging folder when the request ends, however it ends.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rejected(d: Vec<Diagnostic>, staging: &Staging) -> ImportDto {
    let prefix = format!("{}{}", staging.0.display(), std::path::MAIN_SEPARATOR);
    ImportDto {
        status: "rejected",
        households: 0,
        members: 0,
        rounds: Vec::new(),
        scored: Vec::new(),
        removes_members: 0,
        removals: Vec::new(),
        problems: d
            .into_iter()
            .map(|d| DiagnosticDto {
                file: d
                    .file
                    .strip_prefix(&prefix)
                    .map(str::to_string)
                    .unwrap_or(d.file),
                row: d.row,
                column: d.column,
                value: d.value,
                reason: d.reason,
            })
            .collect(),
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
#[utoipa::path(
    post,
    path = "/imports",
    tag = "imports",
    params(ImportQuery),
    request_body(content_type = "multipart/form-data", description = "Parts named `files`: .csv or .xlsx files"),
    responses(
        (status = 200, description = "Checked (dry run) or loaded and scored", body = ImportDto),
        (status = 400, description = "No files, or a file that cannot be read", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role may not import, or a missing CSRF token", body = ErrorBody),
        (status = 409, description = "Not loaded: it would remove stored members that `remove_members` does not confirm", body = ImportDto),
        (status = 413, description = "The upload is larger than 64 MB", body = ErrorBody),
        (status = 422, description = "Refused: every problem by file and row", body = ImportDto),
        (status = 429, description = "Imports paused for this user after too many clashes with records it may not see", body = ErrorBody),
    )
)]
async fn post_import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<ImportDto>), ApiError> {
    import_areas(&caller.user)?;
    let root = crate::pages::staging_root().map_err(|e| ApiError::internal(&e))?;
    let staging = Staging(root.join(credentials::random_hex()));
    std::fs::create_dir_all(&staging.0).map_err(|e| ApiError::internal(&e))?;
    let mut paths = Vec::new();
    let mut names: Vec<String> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| upload_error(&e))? {
        if field.name() != Some("files") {
            continue;
        }
        let name = staged_name(field.file_name().unwrap_or("upload"), &names)
            .map_err(ApiError::invalid)?;
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
        return Ok(
            match check_upload(store, &caller.user, &paths, mode).await? {
                UploadCheck::Rejected(d) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(rejected(d, &staging)),
                ),
                UploadCheck::Ready {
                    households,
                    members,
                    rounds,
                    removals,
                } => (
                    StatusCode::OK,
                    Json(ImportDto {
                        status: "checked",
                        households: households as u64,
                        members: members as u64,
                        rounds: rounds.iter().map(ToString::to_string).collect(),
                        scored: Vec::new(),
                        problems: Vec::new(),
                        removes_members: removals.members(),
                        removals: removal_dtos(&removals),
                    }),
                ),
            },
        );
    }
    let confirmed = q.remove_members.unwrap_or(0);
    let loaded = load_upload(
        store,
        &thanrak_app::scoring::default_methodology(),
        &caller.user,
        &paths,
        mode,
        confirmed,
    )
    .await;
    // Loaded or not, what was written may have changed figures served from memory.
    state.data_changed();
    Ok(match loaded? {
        UploadLoad::Rejected(d) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(rejected(d, &staging)),
        ),
        UploadLoad::Unconfirmed(removals) => (
            StatusCode::CONFLICT,
            Json(ImportDto {
                status: "unconfirmed",
                households: 0,
                members: 0,
                rounds: Vec::new(),
                scored: Vec::new(),
                problems: Vec::new(),
                removes_members: removals.members(),
                removals: removal_dtos(&removals),
            }),
        ),
        UploadLoad::Loaded { import, scored } => (
            StatusCode::OK,
            Json(ImportDto {
                status: "loaded",
                households: import.households,
                members: import.members,
                rounds: import.rounds.iter().map(ToString::to_string).collect(),
                scored: scored
                    .iter()
                    .map(|s| ScoredRoundDto {
                        round: s.round.to_string(),
                        households: s.households,
                    })
                    .collect(),
                problems: Vec::new(),
                removes_members: confirmed,
                removals: Vec::new(),
            }),
        ),
    })
}

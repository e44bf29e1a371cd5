//! Households entered and corrected through the API, their history, and likely duplicates
//! (issue 13): `POST /rounds/{round}/households`, `PUT /rounds/{round}/households/{id}`,
//! `GET /rounds/{round}/households/{id}/history`, `GET /duplicates`,
//! `POST /duplicates/{key}/not-duplicates` and `POST /duplicates/{key}/merge`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::duplicates::{list_duplicates, mark_not_duplicates, merge, DuplicateQuery};
use thanrak_app::entry::{history_for, save_household, Entry, Saved};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::imports::DiagnosticDto;
use crate::auth::Caller;
use crate::error::{json_body, ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;
use axum::extract::rejection::JsonRejection;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_household))
        .routes(routes!(correct_household))
        .routes(routes!(household_history))
        .routes(routes!(duplicates))
        .routes(routes!(not_duplicates))
        .routes(routes!(merge_duplicates))
}

/// The most members a household sent through the API may hold.
const MAX_MEMBERS: usize = 99;

/// A new household: its id, its cells by column of the import format, and its members' cells.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewHouseholdBody {
    /// The household's id.
    #[schema(example = "HH520100101")]
    household_id: String,
    /// The household's cells by column (`survey_date`, `village_code`, `housing_tenure`, …).
    household: BTreeMap<String, String>,
    /// Each member's cells by column (`first_name`, `sex`, `birth_date`, …); numbered in order.
    members: Vec<BTreeMap<String, String>>,
}

/// A correction: the household's cells, its members' cells, and the version it was read at
/// (`GET …/history` says it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HouseholdBody {
    /// The household's cells by column.
    household: BTreeMap<String, String>,
    /// Each member's cells by column, in order.
    members: Vec<BTreeMap<String, String>>,
    /// The version the correction starts from.
    #[schema(minimum = 0)]
    version: i64,
}

/// What a save did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedDto {
    /// `saved`, or `rejected` (nothing written; see `problems`).
    pub status: &'static str,
    /// The household.
    pub household_id: String,
    /// Its version now (when saved).
    pub version: Option<i64>,
    /// Every problem (when rejected): `file` is `household` or `member N`.
    pub problems: Vec<DiagnosticDto>,
    /// The scoring jobs queued for the round (when saved).
    pub scoring_jobs: Vec<i64>,
}

fn entry(
    household: BTreeMap<String, String>,
    members: Vec<BTreeMap<String, String>>,
    version: Option<i64>,
) -> Result<Entry, ApiError> {
    if members.len() > MAX_MEMBERS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_MEMBERS} members in a household"
        )));
    }
    Ok(Entry {
        household: household.into_iter().collect(),
        members: members
            .into_iter()
            .map(|m| m.into_iter().collect())
            .collect(),
        version,
    })
}

async fn saved(
    state: &AppState,
    caller: &Caller,
    round: &thanrak_core::RoundLabel,
    id: &str,
    entry: &Entry,
    created: bool,
) -> Result<Response, ApiError> {
    match save_household(state.store(), &caller.user, round, id, entry).await? {
        Saved::Saved {
            household_id,
            version,
        } => {
            state.data_changed();
            let jobs = thanrak_app::jobs::queue_rescoring(
                state.jobs(),
                &caller.user,
                std::slice::from_ref(round),
            )
            .await?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((
                status,
                Json(SavedDto {
                    status: "saved",
                    household_id: household_id.to_string(),
                    version: Some(version),
                    problems: Vec::new(),
                    scoring_jobs: jobs.iter().map(|j| j.id).collect(),
                }),
            )
                .into_response())
        }
        Saved::Rejected(problems) => Ok((
            StatusCode::OK,
            Json(SavedDto {
                status: "rejected",
                household_id: id.to_string(),
                version: None,
                problems: problems
                    .into_iter()
                    .map(|d| DiagnosticDto::new(d.file, d.row, d.column, d.value, &d.reason))
                    .collect(),
                scoring_jobs: Vec::new(),
            }),
        )
            .into_response()),
    }
}

/// Enters a household of a round with its members, checked as an import is (the same reasons),
/// inside the caller's areas. Saved, it is scored again with the round. For admins, area
/// managers and surveyors.
#[utoipa::path(
    post,
    path = "/rounds/{round}/households",
    tag = "households",
    params(("round" = String, Path, description = "The round's label", example = "2568-1")),
    request_body = NewHouseholdBody,
    responses(
        (status = 201, description = "Saved", body = SavedDto),
        (status = 200, description = "Refused, with every problem; nothing written", body = SavedDto),
        (status = 403, description = "The role does not enter households", body = ErrorBody),
    )
)]
async fn create_household(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    body: Result<Json<NewHouseholdBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    thanrak_app::policy::household_editor(&caller.user)?;
    let body = json_body(body)?;
    let round = parse::round(&round)?;
    let id = thanrak_core::HouseholdId::parse(&body.household_id)
        .map_err(|e| ApiError::invalid(format!("household_id {:?} {e}", body.household_id)))?;
    let e = entry(body.household, body.members, None)?;
    saved(&state, &caller, &round, id.as_str(), &e, true).await
}

/// Corrects a household the caller may correct, from the version it read: a version that is no
/// longer the latest is refused (422), so that a correction made meanwhile is not undone unseen.
/// The record it replaces is kept in the household's history.
#[utoipa::path(
    put,
    path = "/rounds/{round}/households/{id}",
    tag = "households",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        ("id" = String, Path, description = "The household's id", example = "HH520100101"),
    ),
    request_body = HouseholdBody,
    responses(
        (status = 200, description = "Saved, or refused with every problem", body = SavedDto),
        (status = 403, description = "The role does not correct households", body = ErrorBody),
    )
)]
async fn correct_household(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, id)): Path<(String, String)>,
    body: Result<Json<HouseholdBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    thanrak_app::policy::household_editor(&caller.user)?;
    let body = json_body(body)?;
    let round = parse::round(&round)?;
    let id = parse::household_id(&round, &id)?;
    if body.version < 0 {
        return Err(ApiError::invalid("version is 0 or more"));
    }
    let e = entry(body.household, body.members, Some(body.version))?;
    saved(&state, &caller, &round, id.as_str(), &e, false).await
}

/// One field a change changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordFieldChangeDto {
    /// `household` or `member N`.
    pub record: String,
    /// The column.
    pub column: String,
    /// Before (masked for roles that see personal data masked).
    pub old: String,
    /// After.
    pub new: String,
}

/// One change of the record.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordChangeDto {
    /// The version it made.
    pub version: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub by: String,
    /// How.
    pub source: String,
    /// The fields changed (none for a household entered whole).
    pub fields: Vec<RecordFieldChangeDto>,
}

/// A household's history in a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordHistoryDto {
    /// The version the record is at (a correction starts from it).
    pub version: i64,
    /// The field tool it was loaded from (`odk_central`, `kobo`), if any.
    pub submission_tool: Option<String>,
    /// The submission's key in that tool.
    pub submission_key: Option<String>,
    /// The changes, newest first.
    pub changes: Vec<RecordChangeDto>,
    /// Whether personal fields are masked.
    pub masked: bool,
}

/// The history of a household's record in a round: the field submission it came from and every
/// change (who, when, how, old → new). As its profile reads it.
#[utoipa::path(
    get,
    path = "/rounds/{round}/households/{id}/history",
    tag = "households",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        ("id" = String, Path, description = "The household's id", example = "HH520100101"),
    ),
    responses(
        (status = 200, description = "The history", body = RecordHistoryDto),
        (status = 403, description = "The role reads no households", body = ErrorBody),
    )
)]
async fn household_history(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, id)): Path<(String, String)>,
) -> Result<Json<RecordHistoryDto>, ApiError> {
    let round = parse::round(&round)?;
    let id = parse::household_id(&round, &id)?;
    let h = history_for(state.store(), &caller.user, &round, &id).await?;
    Ok(Json(RecordHistoryDto {
        version: h.version,
        submission_tool: h.submission.as_ref().map(|s| s.0.clone()),
        submission_key: h.submission.as_ref().map(|s| s.1.clone()),
        changes: h
            .changes
            .into_iter()
            .map(|c| RecordChangeDto {
                version: c.version,
                at: c.at.to_rfc3339(),
                by: c.by,
                source: c.source,
                fields: c
                    .fields
                    .into_iter()
                    .map(|f| RecordFieldChangeDto {
                        record: f.record,
                        column: f.column,
                        old: f.old,
                        new: f.new,
                    })
                    .collect(),
            })
            .collect(),
        masked: h.masked,
    }))
}

/// Which groups.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DuplicatesQuery {
    /// Only groups with a person inside this area.
    #[param(example = "5201")]
    area: Option<String>,
    /// `national_id` or `name_birth`.
    evidence: Option<String>,
    /// Also the groups decided already.
    decided: Option<bool>,
    /// 1-based page.
    page: Option<usize>,
    /// Groups per page (at most 500).
    per_page: Option<usize>,
}

/// One person of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatePersonDto {
    /// The round.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// Its village.
    pub village_code: String,
    /// The member's number.
    pub member_no: u16,
    /// The name (masked for roles that see personal data masked).
    pub name: String,
    /// The national id (masked likewise).
    pub national_id: Option<String>,
    /// Date of birth (none when masked).
    pub birth_date: Option<String>,
}

/// A group of likely duplicates.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateGroupDto {
    /// Its key.
    pub key: String,
    /// `national_id` or `name_birth`.
    pub evidence: &'static str,
    /// The households it spans.
    pub households: usize,
    /// `not_duplicates` or `merged`, when decided.
    pub decision: Option<String>,
    /// The persons.
    pub persons: Vec<DuplicatePersonDto>,
}

/// A page of groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatesDto {
    /// The groups.
    pub items: Vec<DuplicateGroupDto>,
    /// The page.
    pub page: usize,
    /// Groups per page.
    pub per_page: usize,
    /// Groups in all.
    pub total: usize,
    /// Members compared.
    pub persons: usize,
    /// Whether the caller may decide.
    pub may_review: bool,
}

/// Likely duplicate persons inside the caller's areas, in groups with their evidence: one
/// national id in two households, or the same name (normalised) and birth date in one
/// subdistrict. For admins, area managers and surveyors (masked).
#[utoipa::path(
    get,
    path = "/duplicates",
    tag = "households",
    params(DuplicatesQuery),
    responses(
        (status = 200, description = "A page of groups", body = DuplicatesDto),
        (status = 403, description = "The role does not review duplicates", body = ErrorBody),
    )
)]
async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DuplicatesQuery>,
) -> Result<Json<DuplicatesDto>, ApiError> {
    let area = parse::area_or_none(q.area.as_deref())?;
    if let Some(e) = q
        .evidence
        .as_deref()
        .filter(|e| !["national_id", "name_birth"].contains(e))
    {
        return Err(ApiError::invalid(format!(
            "evidence {e:?}: national_id or name_birth"
        )));
    }
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=1_000_000).contains(&page) || !(1..=500).contains(&per_page) {
        return Err(ApiError::invalid("page is 1 or more, per_page 1 to 500"));
    }
    let list = list_duplicates(
        state.store(),
        &caller.user,
        &DuplicateQuery {
            area,
            evidence: q.evidence.clone(),
            decided: q.decided.unwrap_or(false),
            page,
            per_page,
        },
    )
    .await?;
    Ok(Json(DuplicatesDto {
        items: list
            .groups
            .into_iter()
            .map(|g| DuplicateGroupDto {
                key: g.key,
                evidence: g.evidence,
                households: g.households,
                decision: g.review.map(|r| r.decision),
                persons: g
                    .persons
                    .into_iter()
                    .map(|p| DuplicatePersonDto {
                        round: p.round.to_string(),
                        household_id: p.household_id.to_string(),
                        village_code: p.village_code.to_string(),
                        member_no: p.member_no,
                        name: p.name,
                        national_id: p.national_id,
                        birth_date: p.birth_date.map(|d| d.to_string()),
                    })
                    .collect(),
            })
            .collect(),
        page,
        per_page,
        total: list.total,
        persons: list.persons,
        may_review: list.may_review,
    }))
}

/// Why a group is not duplicates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    /// Why, in the reviewer's words (at most 500 characters).
    #[serde(default)]
    note: String,
}

fn key(k: &str) -> Result<&str, ApiError> {
    if k.len() == 16 && k.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(k)
    } else {
        Err(ApiError::not_found(
            "no such group of likely duplicates".to_string(),
        ))
    }
}

/// Marks a group as not duplicates. For admins and area managers, inside their areas.
#[utoipa::path(
    post,
    path = "/duplicates/{key}/not-duplicates",
    tag = "households",
    params(("key" = String, Path, description = "The group's key", example = "0f3a9c1d2e4b5a69")),
    request_body = NoteBody,
    responses(
        (status = 204, description = "Marked"),
        (status = 403, description = "The role does not decide on duplicates", body = ErrorBody),
    )
)]
async fn not_duplicates(
    State(state): State<AppState>,
    caller: Caller,
    Path(k): Path<String>,
    body: Result<Json<NoteBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    if !thanrak_app::policy::reviews_duplicates(&caller.user) {
        return Err(ApiError::forbidden(
            "only admins and area managers decide on duplicates",
        ));
    }
    let body = json_body(body)?;
    mark_not_duplicates(state.store(), &caller.user, key(&k)?, &body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergedDto {
    /// The household id the group's households share now.
    pub household_id: String,
    /// Households removed or renamed.
    pub removed: usize,
    /// Members removed as the same person twice.
    pub members_removed: usize,
    /// The scoring jobs queued for the rounds changed.
    pub scoring_jobs: Vec<i64>,
}

/// Merges a group: one household per round, the others' members taken in, a later round's
/// household taking the earliest one's id; every record replaced is kept in its history. For
/// admins and area managers, inside their areas.
#[utoipa::path(
    post,
    path = "/duplicates/{key}/merge",
    tag = "households",
    params(("key" = String, Path, description = "The group's key", example = "0f3a9c1d2e4b5a69")),
    responses(
        (status = 200, description = "Merged", body = MergedDto),
        (status = 403, description = "The role does not decide on duplicates", body = ErrorBody),
    )
)]
async fn merge_duplicates(
    State(state): State<AppState>,
    caller: Caller,
    Path(k): Path<String>,
) -> Result<Json<MergedDto>, ApiError> {
    let m = merge(state.store(), &caller.user, key(&k)?).await?;
    state.data_changed();
    let jobs = thanrak_app::jobs::queue_rescoring(state.jobs(), &caller.user, &m.rounds).await?;
    Ok(Json(MergedDto {
        household_id: m.household_id.to_string(),
        removed: m.removed,
        members_removed: m.members_removed,
        scoring_jobs: jobs.iter().map(|j| j.id).collect(),
    }))
}

//! Referral cases: `POST /cases` refers a household's need to an agency; `GET /cases` lists the
//! cases the caller reads (an agency officer: its agency's inbox); `GET /cases/{id}` gives one
//! with its history; `POST /cases/{id}/moves` moves it through the workflow, at the version the
//! caller read (409 when someone changed it since). With a session cookie, writes carry the
//! `X-CSRF-Token` header.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thanrak_app::cases::{self, ReferRequest};
use thanrak_app::db::{Case, CaseEvent};
use thanrak_core::case::{self as workflow, CaseMove};
use thanrak_core::identity::AgencyCode;
use thanrak_core::HouseholdId;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::PageDto;
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, refer))
        .routes(routes!(get_case))
        .routes(routes!(move_case))
}

/// A referral case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    /// Its id.
    pub id: i64,
    /// The round the household was found in.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// Its village.
    pub village_code: String,
    /// The need referred.
    pub need: String,
    /// The agency it is sent to.
    pub agency: String,
    /// `proposed`, `sent`, `accepted`, `in_progress`, `resolved`, `declined` or `cancelled`.
    pub state: &'static str,
    /// The state in Thai.
    pub state_th: &'static str,
    /// 1 (hardship) to 4 (doing well).
    pub priority: u8,
    /// The referring side's note.
    pub note: String,
    /// When it should be resolved (ISO date).
    pub due_on: Option<String>,
    /// Past its due date and not ended.
    pub overdue: bool,
    /// Raised by every change: send it back with a move.
    pub version: i64,
    /// Who referred it.
    pub referred_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

impl From<Case> for CaseDto {
    fn from(c: Case) -> Self {
        let today = chrono::Utc::now().date_naive();
        CaseDto {
            id: c.id,
            round: c.new.round.to_string(),
            household_id: c.new.household_id.to_string(),
            village_code: c.new.village_code.to_string(),
            need: c.new.need,
            agency: c.new.agency.to_string(),
            state: c.state.as_str(),
            state_th: c.state.label_th(),
            priority: c.new.priority,
            note: c.new.note,
            due_on: c.new.due_on.map(|d| d.to_string()),
            overdue: workflow::is_overdue(c.state, c.new.due_on, today),
            version: c.version,
            referred_by: c.new.created_by_name,
            created_at: c.created_at.to_rfc3339(),
            updated_at: c.updated_at.to_rfc3339(),
        }
    }
}

/// One change of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEventDto {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub by: String,
    /// From which state (null when the case was opened).
    pub from: Option<&'static str>,
    /// To which state.
    pub to: &'static str,
    /// What they said.
    pub note: String,
}

impl From<CaseEvent> for CaseEventDto {
    fn from(e: CaseEvent) -> Self {
        CaseEventDto {
            at: e.at.to_rfc3339(),
            by: e.user_name,
            from: e.from.map(|s| s.as_str()),
            to: e.to.as_str(),
            note: e.note,
        }
    }
}

/// A case with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailDto {
    /// The case.
    pub case: CaseDto,
    /// Its changes, oldest first.
    pub history: Vec<CaseEventDto>,
}

/// A referral of one household.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReferBody {
    /// The round the household was found in.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// The need referred (`housing`, `job`, …).
    pub need: String,
    /// The agency's code.
    pub agency: String,
    /// What the agency should know.
    #[serde(default)]
    pub note: String,
    /// When it should be resolved (YYYY-MM-DD).
    pub due_on: Option<String>,
    /// Send at once (the default); false keeps it proposed.
    #[serde(default = "yes")]
    pub send: bool,
}

fn yes() -> bool {
    true
}

/// A move on a case.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveBody {
    /// `send`, `accept`, `start`, `resolve`, `decline` or `cancel`.
    #[serde(rename = "move")]
    pub action: String,
    /// The version the caller read.
    pub version: i64,
    /// A note (a decline's reason is required).
    #[serde(default)]
    pub note: String,
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// The cases the caller reads, newest first: an agency officer its agency's inbox, an area
/// manager or surveyor those of its areas, an admin all.
#[utoipa::path(
    get,
    path = "/cases",
    tag = "cases",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of cases", body = PageDto<CaseDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no cases", body = ErrorBody),
    )
)]
async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<CaseDto>>, ApiError> {
    let list = cases::list_cases(state.store(), &caller.user, p.paging()?).await?;
    Ok(Json(PageDto::from_page(list, CaseDto::from)))
}

/// Refers a household's need to an agency (an admin, or the area manager of its area).
#[utoipa::path(
    post,
    path = "/cases",
    tag = "cases",
    request_body = ReferBody,
    responses(
        (status = 201, description = "The case opened", body = CaseDto),
        (status = 400, description = "A malformed field, an unknown need or agency, an unscored round", body = ErrorBody),
        (status = 403, description = "The caller does not refer this household", body = ErrorBody),
        (status = 404, description = "No such household among those the caller reads", body = ErrorBody),
        (status = 409, description = "The household already has an open case for this need at this agency", body = ErrorBody),
    )
)]
async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<ReferBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    // A role that reads no cases is told so before what it sent is read.
    thanrak_app::policy::case_view(&caller.user)?;
    let b = body(b)?;
    let round = parse::round(&b.round)?;
    let household_id = HouseholdId::parse(&b.household_id).map_err(|_| {
        ApiError::not_found(format!(
            "there is no household {} in round {round}",
            b.household_id
        ))
    })?;
    let agency = AgencyCode::parse(&b.agency)
        .map_err(|e| ApiError::invalid(format!("agency {:?} {e}", b.agency)))?;
    let due_on = b
        .due_on
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| ApiError::invalid(format!("due_on {d:?} is not a date (YYYY-MM-DD)")))
        })
        .transpose()?;
    let req = ReferRequest {
        round,
        household_id,
        need: b.need,
        agency,
        note: b.note,
        due_on,
        send: b.send,
    };
    let c = cases::refer(state.store(), &caller.user, &req).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// One case with its history.
#[utoipa::path(
    get,
    path = "/cases/{id}",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseDetailDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no cases", body = ErrorBody),
        (status = 404, description = "No such case among those the caller reads", body = ErrorBody),
    )
)]
async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseDetailDto>, ApiError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("there is no such case"))?;
    let (c, events) = cases::get_case(state.store(), &caller.user, id).await?;
    Ok(Json(CaseDetailDto {
        case: c.into(),
        history: events.into_iter().map(CaseEventDto::from).collect(),
    }))
}

/// Moves a case (the workflow decides which moves exist, the caller's part in the case which
/// are its own).
#[utoipa::path(
    post,
    path = "/cases/{id}/moves",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = MoveBody,
    responses(
        (status = 200, description = "The case as it now is", body = CaseDto),
        (status = 400, description = "A move the workflow does not allow from this state, or a decline without a reason", body = ErrorBody),
        (status = 403, description = "The move is not the caller's to make", body = ErrorBody),
        (status = 404, description = "No such case among those the caller reads", body = ErrorBody),
        (status = 409, description = "The case changed since the caller read it", body = ErrorBody),
    )
)]
async fn move_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    b: Result<Json<MoveBody>, JsonRejection>,
) -> Result<Json<CaseDto>, ApiError> {
    thanrak_app::policy::case_view(&caller.user)?;
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("there is no such case"))?;
    let b = body(b)?;
    let m = CaseMove::parse(&b.action).ok_or_else(|| {
        ApiError::invalid(format!(
            "move {:?}: one of {}",
            b.action,
            CaseMove::CODES.join(", ")
        ))
    })?;
    let c = cases::move_case(state.store(), &caller.user, id, b.version, m, &b.note).await?;
    Ok(Json(c.into()))
}

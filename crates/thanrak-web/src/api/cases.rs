//! Referral cases: `POST /cases` refers a household's need to an agency; `GET /cases` lists the
//! cases the caller reads (an agency officer: its agency's inbox); `GET /cases/{id}` gives one
//! with its history; `POST /cases/{id}/moves` moves it through the workflow, at the version the
//! caller read (409 when someone changed it since). With a session cookie, writes carry the
//! `X-CSRF-Token` header.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::cases::{self, ReferRequest};
use thanrak_app::db::{Case, CaseEvent};
use thanrak_app::jobs::ReferParams;
use thanrak_core::case::{self as workflow, CaseMove, CaseState};
use thanrak_core::HouseholdId;
use utoipa::{IntoParams, ToSchema};
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
        .routes(routes!(comment_case))
        .routes(routes!(referral_status))
        .routes(routes!(refer_group))
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
    /// The agency's officer who took it on (null until accepted).
    pub owner: Option<String>,
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
            owner: c.owner,
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
    /// A comment (the state did not change).
    pub comment: bool,
}

impl From<CaseEvent> for CaseEventDto {
    fn from(e: CaseEvent) -> Self {
        CaseEventDto {
            comment: e.is_comment(),
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
    params(PageQuery, CaseListQuery),
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
    Query(f): Query<CaseListQuery>,
) -> Result<Json<PageDto<CaseDto>>, ApiError> {
    let q = f.query()?;
    let list = cases::list_cases(
        state.store(),
        state.figures(),
        &caller.user,
        &q,
        p.paging()?,
    )
    .await?;
    Ok(Json(PageDto::from_page(list, CaseDto::from)))
}

/// Which cases a list holds.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CaseListQuery {
    /// Only cases in this state (`sent`, `accepted`, …).
    pub state: Option<String>,
    /// Only overdue cases (not ended, past their due date).
    #[serde(default)]
    pub overdue: bool,
    /// Only the cases of this agency (an agency officer reads its own only).
    pub agency: Option<String>,
}

impl CaseListQuery {
    /// The app's query, checked.
    pub(crate) fn query(&self) -> Result<cases::CaseQuery, ApiError> {
        let state = self
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                CaseState::parse(s).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "state {s:?}: one of {}",
                        CaseState::CODES.join(", ")
                    ))
                })
            })
            .transpose()?;
        let agency = self
            .agency
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(parse::agency)
            .transpose()?;
        Ok(cases::CaseQuery {
            state,
            overdue: self.overdue,
            agency,
        })
    }
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
    let agency = parse::agency(&b.agency)?;
    let due_on = parse::date_or_none("due_on", b.due_on.as_deref())?;
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

/// A comment on a case.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentBody {
    /// The comment (at most 1,000 characters).
    pub note: String,
}

/// Writes a comment on a case (the referring side, the case's agency or an admin); its state
/// and version do not change. Answers the case with its history.
#[utoipa::path(
    post,
    path = "/cases/{id}/comments",
    tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = CommentBody,
    responses(
        (status = 201, description = "The case with its history", body = CaseDetailDto),
        (status = 400, description = "An empty or too long comment", body = ErrorBody),
        (status = 403, description = "The caller plays no part in this case", body = ErrorBody),
        (status = 404, description = "No such case among those the caller reads", body = ErrorBody),
    )
)]
async fn comment_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    b: Result<Json<CommentBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDetailDto>), ApiError> {
    thanrak_app::policy::case_view(&caller.user)?;
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("there is no such case"))?;
    let b = body(b)?;
    cases::comment_case(state.store(), &caller.user, id, &b.note).await?;
    let (c, events) = cases::get_case(state.store(), &caller.user, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CaseDetailDto {
            case: c.into(),
            history: events.into_iter().map(CaseEventDto::from).collect(),
        }),
    ))
}

/// One agency's cases by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyStatusDto {
    /// The agency's code.
    pub agency: String,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// Cases by state code.
    pub by_state: std::collections::BTreeMap<String, u64>,
    /// Cases not ended and past their due date.
    pub overdue: u64,
    /// Every case.
    pub total: u64,
}

/// The area a figure is narrowed to.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AreaQuery {
    /// Only the cases of households inside this area.
    pub area: Option<String>,
}

/// The referral status by agency: how many of the cases the caller reads (inside `area`) each
/// agency has in each state, and how many are overdue (the dashboard's table).
#[utoipa::path(
    get,
    path = "/cases/status",
    tag = "cases",
    params(AreaQuery),
    responses(
        (status = 200, description = "Cases by agency and state", body = Vec<AgencyStatusDto>),
        (status = 400, description = "A malformed area code", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no cases", body = ErrorBody),
    )
)]
async fn referral_status(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AreaQuery>,
) -> Result<Json<Vec<AgencyStatusDto>>, ApiError> {
    thanrak_app::policy::case_view(&caller.user)?;
    let area = parse::area_or_none(q.area.as_deref())?;
    let status =
        cases::referral_status(state.store(), state.figures(), &caller.user, area.as_ref()).await?;
    Ok(Json(
        status
            .into_iter()
            .map(|s| AgencyStatusDto {
                agency: s.agency.code.to_string(),
                name_th: s.agency.name_th,
                name_en: s.agency.name_en,
                by_state: CaseState::ALL
                    .iter()
                    .zip(&s.by_state)
                    .map(|(st, n)| (st.as_str().to_string(), *n))
                    .collect(),
                overdue: s.overdue,
                total: s.total,
            })
            .collect(),
    ))
}

/// A bulk referral: every household of a target list with a need, to one agency.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupReferralBody {
    /// The round.
    pub round: String,
    /// Only households inside this area.
    pub area: Option<String>,
    /// Only households of this group (`hardship`, …).
    pub group: Option<String>,
    /// Only households deprived in this indicator.
    pub indicator: Option<String>,
    /// Only the persistent poor over this many rounds (see the target list).
    #[serde(default)]
    pub persistent: Option<u32>,
    /// The need referred: the list is the households that have it.
    pub need: String,
    /// The agency's code.
    pub agency: String,
    /// What the agency should know (the same for every case).
    #[serde(default)]
    pub note: String,
    /// When the cases should be resolved (YYYY-MM-DD).
    pub due_on: Option<String>,
    /// Send at once (the default); false keeps them proposed.
    #[serde(default = "yes")]
    pub send: bool,
}

/// Refers a whole target list as a job (an admin, or an area manager for its areas): a
/// household with an open case for the need at the agency already, or outside the agency's
/// areas, is skipped; the job's result says how many were opened and skipped. Answers 202 with
/// the job, followed at its `Location`.
#[utoipa::path(
    post,
    path = "/referrals",
    tag = "cases",
    request_body = GroupReferralBody,
    responses(
        (status = 202, description = "Queued", body = super::jobs::JobDto),
        (status = 400, description = "A malformed field, an unknown need", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role does not refer households", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn refer_group(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<GroupReferralBody>, JsonRejection>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    thanrak_app::policy::refers(&caller.user)?;
    let b = body(b)?;
    let params = referral_params(&b)?;
    let job = thanrak_app::jobs::queue_referral(state.jobs(), &caller.user, &params).await?;
    let location = format!("/api/v1/jobs/{}", job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(axum::http::header::LOCATION, location)],
        Json(super::jobs::JobDto::from(job)),
    )
        .into_response())
}

/// The job parameters of a bulk referral, checked at the edge (the job checks the rest).
pub(crate) fn referral_params(b: &GroupReferralBody) -> Result<ReferParams, ApiError> {
    let some = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    Ok(ReferParams {
        round: parse::round(&b.round)?,
        area: parse::area_or_none(b.area.as_deref())?.map(|a| a.to_string()),
        group: some(&b.group),
        indicator: some(&b.indicator),
        persistent: b.persistent,
        need: b.need.trim().to_string(),
        agency: parse::agency(&b.agency)?.to_string(),
        note: b.note.clone(),
        due_on: parse::date_or_none("due_on", b.due_on.as_deref())?,
        send: b.send,
        user: String::new(),
    })
}

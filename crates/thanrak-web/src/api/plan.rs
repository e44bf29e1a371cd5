//! The policy meeting's plans (issue 12): the strategic ranking of areas, partner universities,
//! model areas with their roadmaps, and meetings with their action items.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::db::{ItemRecord, MeetingRecord};
use thanrak_app::plan::{self, ModelAreaView};
use thanrak_app::scoring::default_methodology;
use thanrak_app::strategy::{rank_areas, RankQuery, Ranking};
use thanrak_core::date::format_iso;
use thanrak_core::help::parse_baht;
use thanrak_core::identity::AgencyCode;
use thanrak_core::plan::{ActionItem, Activity, Heading, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::strategy::Weights;
use thanrak_core::AreaLevel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_ranking))
        .routes(routes!(list_partners))
        .routes(routes!(put_partner, delete_partner))
        .routes(routes!(list_model_areas))
        .routes(routes!(put_model_area))
        .routes(routes!(add_activity))
        .routes(routes!(set_activity_state))
        .routes(routes!(list_meetings, add_meeting))
        .routes(routes!(get_meeting))
        .routes(routes!(move_item))
        .routes(routes!(queue_report))
        .routes(routes!(report_file))
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

fn date(field: &str, s: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    crate::parse::date_or_none(field, s)
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(e.to_string())
}

/// Which ranking.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RankParams {
    /// The level of the candidates (default `subdistrict`).
    #[param(example = "subdistrict")]
    pub level: Option<String>,
    /// Inside this area (the whole country, or an area manager's first area, by default).
    #[param(example = "52")]
    pub area: Option<String>,
    /// The round (the latest scored round by default).
    #[param(example = "2569-1")]
    pub round: Option<String>,
    /// Only the first this many.
    #[param(example = 20)]
    pub top: Option<usize>,
    /// The weight of the concentration of the poor (default 0.5).
    pub w_concentration: Option<f64>,
    /// The weight of a registered Area Manager (default 0.25).
    pub w_manager: Option<f64>,
    /// The weight of data quality (default 0.25).
    pub w_quality: Option<f64>,
    /// The date freshness is counted from (default today), `YYYY-MM-DD` or Buddhist Era.
    #[param(example = "2026-11-30")]
    pub reference: Option<String>,
}

impl RankParams {
    pub(crate) fn to_app(&self) -> Result<RankQuery, ApiError> {
        let d = Weights::default();
        let level = self
            .level
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("subdistrict");
        Ok(RankQuery {
            round: self
                .round
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(crate::parse::round)
                .transpose()?,
            level: AreaLevel::parse(level).ok_or_else(|| {
                invalid(format!(
                    "level {level:?}: use province, district, subdistrict or village"
                ))
            })?,
            area: crate::parse::area_or_none(self.area.as_deref())?,
            weights: Weights::new(
                self.w_concentration.unwrap_or(d.concentration),
                self.w_manager.unwrap_or(d.area_manager),
                self.w_quality.unwrap_or(d.data_quality),
            )
            .map_err(ApiError::rule)?,
            reference: date("reference", self.reference.as_deref())?
                .unwrap_or_else(thanrak_app::help::thai_today),
            top: self.top,
        })
    }
}

/// A ranked area with every component of its score (methodology §6).
#[derive(Debug, Serialize, ToSchema)]
pub struct RankedAreaDto {
    /// Its place, from 1.
    pub rank: usize,
    /// The area's code.
    pub area: String,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// Households of the round.
    pub households: u64,
    /// Of them in hardship or struggling.
    pub poor: u64,
    /// poor / households.
    pub poor_share: f64,
    /// 0.5 × share / highest share + 0.5 × count / highest count.
    pub concentration: f64,
    /// 1 when a partner university manages it (or a parent), else 0.
    pub area_manager: f64,
    /// The partners that manage it.
    pub partners: Vec<String>,
    /// Households with every field present / households.
    pub completeness: f64,
    /// 1 within a year of the reference date, 0 from three years.
    pub freshness: f64,
    /// completeness × freshness.
    pub data_quality: f64,
    /// The latest survey date among its households.
    pub latest_survey: Option<String>,
    /// The weighted sum.
    pub score: f64,
}

/// A ranking of candidate areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingDto {
    /// The round.
    pub round: String,
    /// The level.
    pub level: &'static str,
    /// The area ranked inside (none: the whole country).
    pub area: Option<String>,
    /// The weights: concentration, Area Manager, data quality.
    pub weights: [f64; 3],
    /// The reference date.
    pub reference: String,
    /// Candidates ranked in all.
    pub ranked: usize,
    /// Candidates left out for this caller because their counts are too small to show.
    pub withheld: usize,
    /// The first `top` (or every) ranked area.
    pub items: Vec<RankedAreaDto>,
}

impl From<&Ranking> for RankingDto {
    fn from(r: &Ranking) -> Self {
        RankingDto {
            round: r.round.to_string(),
            level: r.level.as_str(),
            area: r.area.map(|a| a.to_string()),
            weights: [
                r.weights.concentration,
                r.weights.area_manager,
                r.weights.data_quality,
            ],
            reference: format_iso(r.reference),
            ranked: r.ranked,
            withheld: r.withheld,
            items: r
                .rows
                .iter()
                .map(|row| {
                    let x = &row.ranked;
                    RankedAreaDto {
                        rank: x.rank,
                        area: x.candidate.area.to_string(),
                        name_th: row.name_th.clone(),
                        name_en: row.name_en.clone(),
                        households: x.candidate.households,
                        poor: x.candidate.poor,
                        poor_share: x.poor_share,
                        concentration: x.concentration,
                        area_manager: x.area_manager,
                        partners: row.partners.clone(),
                        completeness: x.completeness,
                        freshness: x.freshness,
                        data_quality: x.data_quality,
                        latest_survey: x.candidate.latest_survey.map(format_iso),
                        score: x.score,
                    }
                })
                .collect(),
        }
    }
}

/// Candidate areas at a level ranked for strategic selection (methodology §6): the
/// concentration of the poor, a registered partner university and data quality, each beside the
/// score; weights and the reference date adjustable. Who may look where, and which small areas
/// are left out, is as for the figures.
#[utoipa::path(
    get,
    path = "/areas/ranking",
    tag = "plans",
    params(RankParams),
    responses(
        (status = 200, description = "The ranking", body = RankingDto),
        (status = 400, description = "A malformed level, area, round, weight or date", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No scored round, or an area outside an area manager's", body = ErrorBody),
    )
)]
async fn get_ranking(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RankParams>,
) -> Result<Json<RankingDto>, ApiError> {
    let query = q.to_app()?;
    let r = rank_areas(
        state.store(),
        state.figures(),
        &default_methodology(),
        &caller.user,
        &query,
    )
    .await?;
    Ok(Json((&r).into()))
}

/// A partner university acting as Area Manager.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerDto {
    /// Its code.
    pub code: String,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// Whom to call.
    #[serde(default)]
    pub contact: String,
    /// The provinces, districts or subdistricts it manages.
    pub areas: Vec<String>,
}

impl From<&Partner> for PartnerDto {
    fn from(p: &Partner) -> Self {
        PartnerDto {
            code: p.code.to_string(),
            name_th: p.name_th.clone(),
            name_en: p.name_en.clone(),
            contact: p.contact.clone(),
            areas: p.areas.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The partner universities with their areas.
#[utoipa::path(
    get,
    path = "/partners",
    tag = "plans",
    responses(
        (status = 200, description = "Every partner", body = Vec<PartnerDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_partners(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<PartnerDto>>, ApiError> {
    let list = plan::partners(state.store()).await?;
    Ok(Json(list.iter().map(PartnerDto::from).collect()))
}

/// Registers a partner university, or replaces the one of this code (admins only).
#[utoipa::path(
    put,
    path = "/partners/{code}",
    tag = "plans",
    params(("code" = String, Path, description = "The partner's code", example = "lpru")),
    request_body = PartnerDto,
    responses(
        (status = 200, description = "Saved", body = PartnerDto),
        (status = 400, description = "A malformed field (the message names it)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
async fn put_partner(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    b: Result<Json<PartnerDto>, JsonRejection>,
) -> Result<Json<PartnerDto>, ApiError> {
    thanrak_app::policy::partner_writer(&caller.user)?;
    let b = body(b)?;
    let areas: Vec<&str> = b.areas.iter().map(String::as_str).collect();
    let p = Partner::new(&code, &b.name_th, &b.name_en, &b.contact, &areas).map_err(invalid)?;
    plan::save_partner(state.store(), &caller.user, &p).await?;
    Ok(Json((&p).into()))
}

/// Removes a partner university (admins only).
#[utoipa::path(
    delete,
    path = "/partners/{code}",
    tag = "plans",
    params(("code" = String, Path, description = "The partner's code", example = "lpru")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "A malformed code", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such partner", body = ErrorBody),
    )
)]
async fn delete_partner(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    thanrak_app::policy::partner_writer(&caller.user)?;
    let code = AgencyCode::parse(&code).map_err(|e| invalid(format!("code {code:?} {e}")))?;
    plan::remove_partner(state.store(), &caller.user, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An activity of a roadmap.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    /// Its number.
    pub id: i64,
    /// `community_process`, `marketing`, `basic_improvements`, `processing` or `tourism`.
    pub heading: &'static str,
    /// What is done.
    pub title: String,
    /// The lead agency.
    pub lead_agency: String,
    /// Its budget in baht.
    pub budget_baht: String,
    /// When it starts.
    pub starts_on: Option<String>,
    /// When it ends.
    pub ends_on: Option<String>,
    /// `planned`, `under_way`, `done` or `dropped`.
    pub state: &'static str,
    /// How many households it concerns.
    pub households: usize,
    /// Their ids, for roles that read households.
    pub household_ids: Option<Vec<String>>,
    /// The enterprises it concerns.
    pub enterprises: Vec<String>,
}

/// A model area with its roadmap.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelAreaDto {
    /// The area's code.
    pub area: String,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// The partner university that accompanies it.
    pub partner: Option<String>,
    /// When it was chosen.
    pub chosen_on: String,
    /// Why, what the analysis found.
    pub note: String,
    /// Its budget in baht (dropped activities left out).
    pub budget_baht: String,
    /// The share of its activities (not dropped) done.
    pub progress: f64,
    /// Its activities.
    pub activities: Vec<ActivityDto>,
}

pub(crate) fn model_area_dto(m: &ModelAreaView, show_households: bool) -> ModelAreaDto {
    ModelAreaDto {
        area: m.record.model.area.to_string(),
        name_th: m.name_th.clone(),
        name_en: m.name_en.clone(),
        partner: m.record.model.partner.as_ref().map(ToString::to_string),
        chosen_on: format_iso(m.record.model.chosen_on),
        note: m.record.model.note.clone(),
        budget_baht: thanrak_core::help::format_baht(m.budget_satang),
        progress: m.progress,
        activities: m
            .activities
            .iter()
            .map(|a| {
                let x = &a.activity;
                ActivityDto {
                    id: a.id,
                    heading: x.heading.as_str(),
                    title: x.title.clone(),
                    lead_agency: x.lead_agency.to_string(),
                    budget_baht: thanrak_core::help::format_baht(x.budget_satang),
                    starts_on: x.starts_on.map(format_iso),
                    ends_on: x.ends_on.map(format_iso),
                    state: x.state.as_str(),
                    households: x.households.len(),
                    household_ids: show_households.then(|| x.households.clone()),
                    enterprises: x.enterprises.clone(),
                }
            })
            .collect(),
    }
}

/// The model areas the caller reads, with their roadmaps.
#[utoipa::path(
    get,
    path = "/model-areas",
    tag = "plans",
    responses(
        (status = 200, description = "The model areas", body = Vec<ModelAreaDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_model_areas(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ModelAreaDto>>, ApiError> {
    let list = plan::model_areas(state.store(), &caller.user).await?;
    let show = plan::sees_activity_households(&caller.user);
    Ok(Json(list.iter().map(|m| model_area_dto(m, show)).collect()))
}

/// A model area as written.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModelAreaBody {
    /// The partner university that accompanies it.
    pub partner: Option<String>,
    /// When it was chosen (default today).
    pub chosen_on: Option<String>,
    /// Why, what the analysis of its households found.
    #[serde(default)]
    pub note: String,
}

/// Chooses an area as a model area, or changes its partner and note: an admin, or an area
/// manager inside its areas.
#[utoipa::path(
    put,
    path = "/model-areas/{area}",
    tag = "plans",
    params(("area" = String, Path, description = "A district, subdistrict or village", example = "520101")),
    request_body = ModelAreaBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "A malformed field, or a partner not registered", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or area manager, or outside its areas", body = ErrorBody),
    )
)]
async fn put_model_area(
    State(state): State<AppState>,
    caller: Caller,
    Path(area): Path<String>,
    b: Result<Json<ModelAreaBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    thanrak_app::policy::plan_writer(&caller.user)?;
    let b = body(b)?;
    let on =
        date("chosen_on", b.chosen_on.as_deref())?.unwrap_or_else(thanrak_app::help::thai_today);
    let m = ModelArea::new(&area, b.partner.as_deref(), on, &b.note).map_err(invalid)?;
    plan::choose_model_area(state.store(), &caller.user, &m).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An activity as written.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActivityBody {
    /// `community_process`, `marketing`, `basic_improvements`, `processing` or `tourism`.
    pub heading: String,
    /// What is done.
    pub title: String,
    /// The lead agency's code.
    pub lead_agency: String,
    /// The budget in baht (`"150000"`, `"1,500.50"`).
    #[serde(default)]
    pub budget_baht: Option<String>,
    /// When it starts.
    pub starts_on: Option<String>,
    /// When it ends.
    pub ends_on: Option<String>,
    /// `planned` (default), `under_way`, `done` or `dropped`.
    pub state: Option<String>,
    /// Household ids it concerns (of the latest round, inside the model area).
    #[serde(default)]
    pub households: Vec<String>,
    /// Enterprise numbers it concerns.
    #[serde(default)]
    pub enterprises: Vec<String>,
}

/// Its number.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    /// The number of what was created.
    pub id: i64,
}

pub(crate) fn activity_from(b: &ActivityBody) -> Result<Activity, ApiError> {
    let heading = Heading::parse(&b.heading).ok_or_else(|| {
        invalid(format!(
            "heading {:?}: one of {}",
            b.heading,
            Heading::CODES.join(", ")
        ))
    })?;
    let state = match b.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => WorkState::Planned,
        Some(s) => work_state(s)?,
    };
    let budget = match b
        .budget_baht
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 0,
        Some(s) => parse_baht(s).map_err(|r| invalid(format!("budget_baht {s:?}: {r}")))?,
    };
    let h: Vec<&str> = b.households.iter().map(String::as_str).collect();
    let e: Vec<&str> = b.enterprises.iter().map(String::as_str).collect();
    Activity::new(
        heading,
        &b.title,
        &b.lead_agency,
        budget,
        date("starts_on", b.starts_on.as_deref())?,
        date("ends_on", b.ends_on.as_deref())?,
        state,
        &h,
        &e,
    )
    .map_err(plan_error)
}

/// A refused plan field: a rule broken (422) or a malformed value (400).
fn plan_error(e: thanrak_core::plan::PlanError) -> ApiError {
    if e.rule {
        ApiError::rule(e.to_string())
    } else {
        invalid(e)
    }
}

pub(crate) fn work_state(s: &str) -> Result<WorkState, ApiError> {
    WorkState::parse(s).ok_or_else(|| {
        invalid(format!(
            "state {s:?}: one of {}",
            WorkState::CODES.join(", ")
        ))
    })
}

/// Adds an activity to a model area's roadmap: an admin, or an area manager inside its areas.
#[utoipa::path(
    post,
    path = "/model-areas/{area}/activities",
    tag = "plans",
    params(("area" = String, Path, description = "The model area", example = "520101")),
    request_body = ActivityBody,
    responses(
        (status = 201, description = "Added", body = CreatedDto),
        (status = 400, description = "A malformed field, an agency not in the catalogue, a household or enterprise not found", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or area manager, or outside its areas", body = ErrorBody),
        (status = 404, description = "Not a model area", body = ErrorBody),
    )
)]
async fn add_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(area): Path<String>,
    b: Result<Json<ActivityBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    thanrak_app::policy::plan_writer(&caller.user)?;
    let area = crate::parse::area(&area)?;
    let a = activity_from(&body(b)?)?;
    let id = plan::add_activity(state.store(), &caller.user, &area, &a).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A state to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StateBody {
    /// `planned`, `under_way`, `done` or `dropped`.
    pub state: String,
}

/// Sets the state of a roadmap activity.
#[utoipa::path(
    post,
    path = "/activities/{id}/state",
    tag = "plans",
    params(("id" = i64, Path, description = "The activity's number", example = 1)),
    request_body = StateBody,
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "A malformed state", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or area manager", body = ErrorBody),
        (status = 404, description = "No such activity (or outside the caller's areas)", body = ErrorBody),
    )
)]
async fn set_activity_state(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<StateBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    thanrak_app::policy::plan_writer(&caller.user)?;
    let s = work_state(&body(b)?.state)?;
    plan::set_activity_state(state.store(), &caller.user, id, s).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A move of an action item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemEventDto {
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who.
    pub by: String,
    /// The state it moved to.
    pub state: &'static str,
    /// What was said.
    pub note: String,
}

/// An action item of a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionItemDto {
    /// Its number.
    pub id: i64,
    /// What is to be done.
    pub what: String,
    /// The agency that owns it.
    pub agency: String,
    /// Where.
    pub area: String,
    /// By when.
    pub due_on: Option<String>,
    /// `planned`, `under_way`, `done` or `dropped`.
    pub state: &'static str,
    /// Past its due date and not closed.
    pub overdue: bool,
    /// Its version: a move names it.
    pub version: i64,
    /// The referral cases it is about.
    pub cases: Vec<i64>,
    /// Its history, oldest first.
    pub events: Vec<ItemEventDto>,
}

pub(crate) fn item_dto(i: &ItemRecord) -> ActionItemDto {
    ActionItemDto {
        id: i.id,
        what: i.item.what.clone(),
        agency: i.item.agency.to_string(),
        area: i.item.area.to_string(),
        due_on: i.item.due_on.map(format_iso),
        state: i.state.as_str(),
        overdue: plan::item_overdue(i, thanrak_app::help::thai_today()),
        version: i.version,
        cases: i.item.cases.clone(),
        events: i
            .events
            .iter()
            .map(|e| ItemEventDto {
                at: e.at.to_rfc3339(),
                by: e.by.clone(),
                state: e.state.as_str(),
                note: e.note.clone(),
            })
            .collect(),
    }
}

/// A policy meeting with its action items.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDto {
    /// Its number.
    pub id: i64,
    /// The province.
    pub province: String,
    /// When it was held.
    pub held_on: String,
    /// Its title.
    pub title: String,
    /// The agencies present.
    pub agencies: Vec<String>,
    /// What was decided.
    pub decisions: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// Its action items.
    pub items: Vec<ActionItemDto>,
}

pub(crate) fn meeting_dto(m: &MeetingRecord) -> MeetingDto {
    MeetingDto {
        id: m.id,
        province: m.meeting.province.to_string(),
        held_on: format_iso(m.meeting.held_on),
        title: m.meeting.title.clone(),
        agencies: m.meeting.agencies.iter().map(ToString::to_string).collect(),
        decisions: m.meeting.decisions.clone(),
        recorded_by: m.created_by.clone(),
        items: m.items.iter().map(item_dto).collect(),
    }
}

/// The meetings the caller reads (its provinces for an area manager or surveyor), newest first.
#[utoipa::path(
    get,
    path = "/meetings",
    tag = "plans",
    responses(
        (status = 200, description = "The meetings", body = Vec<MeetingDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_meetings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<MeetingDto>>, ApiError> {
    let list = plan::meetings(state.store(), &caller.user).await?;
    Ok(Json(list.iter().map(meeting_dto).collect()))
}

/// One meeting.
#[utoipa::path(
    get,
    path = "/meetings/{id}",
    tag = "plans",
    params(("id" = i64, Path, description = "The meeting's number", example = 1)),
    responses(
        (status = 200, description = "The meeting", body = MeetingDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such meeting (or outside the caller's provinces)", body = ErrorBody),
    )
)]
async fn get_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<MeetingDto>, ApiError> {
    let m = plan::meeting(state.store(), &caller.user, id).await?;
    Ok(Json(meeting_dto(&m)))
}

/// An action item as written.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionItemBody {
    /// What is to be done.
    pub what: String,
    /// The owning agency's code.
    pub agency: String,
    /// Where (inside the meeting's province).
    pub area: String,
    /// By when.
    pub due_on: Option<String>,
    /// The referral cases it is about.
    #[serde(default)]
    pub cases: Vec<i64>,
}

/// A meeting as written.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeetingBody {
    /// The province.
    pub province: String,
    /// When it was held.
    pub held_on: String,
    /// Its title.
    pub title: String,
    /// The agencies present (codes).
    pub agencies: Vec<String>,
    /// What was decided.
    #[serde(default)]
    pub decisions: String,
    /// Its action items.
    #[serde(default)]
    pub items: Vec<ActionItemBody>,
}

pub(crate) fn meeting_from(b: &MeetingBody) -> Result<(Meeting, Vec<ActionItem>), ApiError> {
    let held = date("held_on", Some(&b.held_on))?
        .ok_or_else(|| invalid("held_on: the date the meeting was held"))?;
    let agencies: Vec<&str> = b.agencies.iter().map(String::as_str).collect();
    let m = Meeting::new(&b.province, held, &b.title, &agencies, &b.decisions).map_err(invalid)?;
    let items = b
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            ActionItem::new(
                &m.province,
                &i.what,
                &i.agency,
                &i.area,
                date("due_on", i.due_on.as_deref())?,
                &i.cases,
            )
            .map_err(|e| {
                let text = format!("item {}: {e}", n + 1);
                if e.rule {
                    ApiError::rule(text)
                } else {
                    invalid(text)
                }
            })
        })
        .collect::<Result<_, _>>()?;
    Ok((m, items))
}

/// Records a meeting with its action items: an admin, or an area manager of the province.
#[utoipa::path(
    post,
    path = "/meetings",
    tag = "plans",
    request_body = MeetingBody,
    responses(
        (status = 201, description = "Recorded", body = CreatedDto),
        (status = 400, description = "A malformed field, an agency not in the catalogue, a case not found", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or area manager of the province", body = ErrorBody),
    )
)]
async fn add_meeting(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<MeetingBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    thanrak_app::policy::plan_writer(&caller.user)?;
    let (m, items) = meeting_from(&body(b)?)?;
    let id = plan::record_meeting(state.store(), &caller.user, &m, &items).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A move of an action item.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemMoveBody {
    /// `under_way`, `done`, `dropped` (with a note), or back to `under_way` to reopen.
    pub to: String,
    /// The version read.
    pub version: i64,
    /// What was done, or why it is dropped.
    #[serde(default)]
    pub note: String,
}

/// Moves an action item, followed up like a referral case: its agency's officers, an area
/// manager of its area or an admin; a stale version is a 409.
#[utoipa::path(
    post,
    path = "/action-items/{id}/moves",
    tag = "plans",
    params(("id" = i64, Path, description = "The item's number", example = 1)),
    request_body = ItemMoveBody,
    responses(
        (status = 200, description = "Moved", body = ActionItemDto),
        (status = 400, description = "A malformed state, a move not allowed from its state, a drop without a note", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the item's agency, area manager or an admin", body = ErrorBody),
        (status = 404, description = "No such item (or outside the caller's provinces)", body = ErrorBody),
        (status = 409, description = "The item changed since it was read", body = ErrorBody),
    )
)]
async fn move_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<ItemMoveBody>, JsonRejection>,
) -> Result<Json<ActionItemDto>, ApiError> {
    thanrak_app::policy::moves_action_items(&caller.user)?;
    let b = body(b)?;
    let to = work_state(&b.to)?;
    let i = plan::move_action_item(state.store(), &caller.user, id, b.version, to, &b.note).await?;
    Ok(Json(item_dto(&i)))
}

/// A report to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportBody {
    /// The province or district (or subdistrict).
    pub area: String,
    /// The round (the latest scored by default).
    pub round: Option<String>,
    /// Compare with this round (the one before by default).
    pub since_round: Option<String>,
    /// Follow the action items of this meeting (the latest before today by default).
    pub since_meeting: Option<i64>,
    /// `pdf` (default) or `xlsx`.
    pub format: Option<String>,
}

pub(crate) fn report_params(b: &ReportBody) -> Result<thanrak_app::report::ReportParams, ApiError> {
    let clean = |v: &Option<String>| {
        v.clone()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let round = clean(&b.round);
    if let Some(r) = &round {
        crate::parse::round(r)?;
    }
    let since_round = clean(&b.since_round);
    if let Some(r) = &since_round {
        crate::parse::round(r)?;
    }
    crate::parse::area(b.area.trim())?;
    Ok(thanrak_app::report::ReportParams {
        area: b.area.trim().to_string(),
        round,
        since_round,
        since_meeting: b.since_meeting,
        format: thanrak_app::report::ReportFormat::parse(
            clean(&b.format).as_deref().unwrap_or("pdf"),
        )?,
        user: String::new(),
    })
}

/// Queues the policy-meeting report of an area (a job): an admin, or an area manager inside its
/// areas. Follow the job at `Location`; when it is done, its file is at
/// `/api/v1/reports/{job_id}/file`.
#[utoipa::path(
    post,
    path = "/reports",
    tag = "plans",
    request_body = ReportBody,
    responses(
        (status = 202, description = "Queued: follow the job", body = super::jobs::JobDto),
        (status = 400, description = "A malformed area, round or format", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or area manager, or outside its areas", body = ErrorBody),
    )
)]
async fn queue_report(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<ReportBody>, JsonRejection>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    thanrak_app::policy::plan_writer(&caller.user)?;
    let p = report_params(&body(b)?)?;
    let job = thanrak_app::jobs::queue_report(state.jobs(), &caller.user, &p).await?;
    let location = format!("/api/v1/jobs/{}", job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(axum::http::header::LOCATION, location)],
        Json(super::jobs::JobDto::from(job)),
    )
        .into_response())
}

/// The file a report job made (PDF or XLSX), for whoever queued it or an admin.
#[utoipa::path(
    get,
    path = "/reports/{id}/file",
    tag = "plans",
    params(("id" = i64, Path, description = "The report job's number", example = 1)),
    responses(
        (status = 200, description = "The file", content_type = "application/pdf"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such report (or another user's)", body = ErrorBody),
    )
)]
async fn report_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, ApiError> {
    let (name, media, bytes) =
        thanrak_app::jobs::report_file(state.store(), &caller.user, id).await?;
    Ok(file_response(&name, &media, bytes))
}

/// A downloaded file's response.
pub(crate) fn file_response(name: &str, media: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Names are made of an area code, a round label and an extension: ASCII.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

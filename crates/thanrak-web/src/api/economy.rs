//! The grassroots economy (issue 11): `GET /enterprises` pages the registry with each
//! enterprise's grassroots score and its three traits; `GET /enterprises/{id}` is the chain
//! around one (positions, suppliers, buyers, and the poor households placed with it when the
//! caller reads workers); `POST /matches` queues a match as a job (202, followed at its
//! `Location`; its result is the job's); `GET /matches/{id}/pairs` lists a run's pairs and
//! `GET /matches/{id}/unplaced` the workers it left unplaced with their reason, inside the
//! caller's areas; `POST /matches/pairs/{id}/accept` refers the worker's household for the
//! job need (a case) and `POST /matches/pairs/{id}/hire` records the hire in the logbook.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::access::Page;
use thanrak_app::db::EnterpriseFilter;
use thanrak_app::economy::{self, EnterpriseLine};
use thanrak_app::matching::{self, MatchParams, PairLine};
use thanrak_core::economy::matching::{Unplaced, DEFAULT_MAX_M, MAX_REACH_M};
use thanrak_core::economy::{Enterprise, EnterpriseKind, Link, Position};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::PageDto;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_enterprises))
        .routes(routes!(enterprise_chain))
        .routes(routes!(queue_match))
        .routes(routes!(match_pairs))
        .routes(routes!(match_unplaced))
        .routes(routes!(accept_pair))
        .routes(routes!(hire_pair))
}

/// The grassroots score: 0–3, one point per trait.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrassrootsDto {
    /// The score, 0–3.
    pub score: u8,
    /// At least half its employees are local.
    pub local_employment: bool,
    /// At least half its inputs are local resources.
    pub local_resources: bool,
    /// It shares its income with the community.
    pub shares_income: bool,
}

/// An enterprise of the registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseDto {
    /// Its id.
    pub id: i64,
    /// `community_enterprise`, `otop`, `sme`, `cbt` or `cooperative`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// Its village.
    pub village_code: String,
    /// Latitude, when known.
    pub lat: Option<f64>,
    /// Longitude, when known.
    pub lon: Option<f64>,
    /// People it employs.
    pub employees: u32,
    /// Of them, local people.
    pub local_employees: u32,
    /// The share of local inputs, percent.
    pub local_resource_pct: u8,
    /// Whether it shares its income with the community.
    pub shares_income: bool,
    /// A community enterprise's registration number.
    pub registration_no: Option<String>,
    /// An OTOP producer's stars.
    pub otop_stars: Option<u8>,
    /// Its grassroots score.
    pub grassroots: GrassrootsDto,
}

impl From<&Enterprise> for EnterpriseDto {
    fn from(e: &Enterprise) -> Self {
        let f = e.fields();
        let g = e.grassroots();
        EnterpriseDto {
            id: f.id,
            kind: f.kind.as_str(),
            name: f.name.clone(),
            village_code: f.village.to_string(),
            lat: f.location.map(|l| l.0),
            lon: f.location.map(|l| l.1),
            employees: f.employees,
            local_employees: f.local_employees,
            local_resource_pct: f.local_resource_pct,
            shares_income: f.shares_income,
            registration_no: f.registration_no.clone(),
            otop_stars: f.otop_stars,
            grassroots: GrassrootsDto {
                score: g.points(),
                local_employment: g.local_employment,
                local_resources: g.local_resources,
                shares_income: g.shares_income,
            },
        }
    }
}

/// An open position.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionDto {
    /// Its id.
    pub id: i64,
    /// What the work is.
    pub title: String,
    /// How many people it takes.
    pub places: u32,
    /// The skills wanted (`;`-separated; empty: any).
    pub skills_wanted: String,
    /// The monthly wage in whole baht.
    pub wage_baht_month: i64,
    /// `all_year` or months such as `11-3`.
    pub season: String,
}

impl From<&Position> for PositionDto {
    fn from(p: &Position) -> Self {
        PositionDto {
            id: p.id,
            title: p.title.clone(),
            places: p.places,
            skills_wanted: p.skills_wanted.to_text(),
            wage_baht_month: p.wage_baht_month,
            season: p.season.to_string(),
        }
    }
}

/// A link of the value chain, seen from the enterprise asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    /// The other enterprise's id.
    pub enterprise_id: i64,
    /// Its name (empty when it is not in the registry any more).
    pub name: String,
    /// What is sold.
    pub what: String,
}

fn link(l: &Link, other: i64, e: Option<&Enterprise>) -> LinkDto {
    LinkDto {
        enterprise_id: other,
        name: e.map(|e| e.fields().name.clone()).unwrap_or_default(),
        what: l.what.clone(),
    }
}

/// A worker placed with an enterprise (an accepted or hired pair).
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerDto {
    /// The household.
    pub household_id: String,
    /// The member.
    pub member_no: u16,
    /// The household's village.
    pub village_code: String,
    /// The position.
    pub position_id: i64,
    /// `accepted` or `hired`.
    pub state: &'static str,
}

/// A household that supplies an enterprise.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupplierDto {
    /// The household.
    pub household_id: String,
    /// Its village.
    pub village_code: String,
    /// What it sells to the enterprise.
    pub what: String,
}

/// The chain around one enterprise.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainDto {
    /// The enterprise.
    pub enterprise: EnterpriseDto,
    /// Its open positions.
    pub positions: Vec<PositionDto>,
    /// Whom it buys from.
    pub buys_from: Vec<LinkDto>,
    /// Whom it sells to.
    pub sells_to: Vec<LinkDto>,
    /// The poor households placed with it inside the caller's areas; absent for roles that
    /// read no workers (agency officers, analysts).
    pub workers: Option<Vec<WorkerDto>>,
    /// The households that supply it inside the caller's areas; absent like the workers.
    pub suppliers: Option<Vec<SupplierDto>>,
}

/// The filters of the registry.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// A province, district, subdistrict or village code.
    area: Option<String>,
    /// `community_enterprise`, `otop`, `sme`, `cbt` or `cooperative`.
    kind: Option<String>,
    /// Part of the name.
    name: Option<String>,
    /// The page, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

pub(crate) fn enterprise_filter(
    kind: Option<&str>,
    name: Option<&str>,
) -> Result<EnterpriseFilter, ApiError> {
    let kind = kind
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            EnterpriseKind::parse(k).ok_or_else(|| {
                ApiError::invalid(format!(
                    "kind {k:?}: one of {}",
                    EnterpriseKind::CODES.join(", ")
                ))
            })
        })
        .transpose()?;
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(100).collect());
    Ok(EnterpriseFilter { kind, name })
}

/// The registry, by id, with each enterprise's grassroots score: every signed-in role reads it.
#[utoipa::path(
    get,
    path = "/enterprises",
    tag = "economy",
    params(EnterpriseQuery),
    responses(
        (status = 200, description = "A page of enterprises", body = PageDto<EnterpriseDto>),
        (status = 400, description = "A malformed area or kind", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Json<PageDto<EnterpriseDto>>, ApiError> {
    let paging = thanrak_app::access::Paging::new(q.page, q.per_page)?;
    let area = parse::area_or_none(q.area.as_deref())?;
    let filter = enterprise_filter(q.kind.as_deref(), q.name.as_deref())?;
    let page = economy::list_enterprises(
        state.store(),
        state.figures(),
        &caller.user,
        area.as_ref(),
        &filter,
        paging,
    )
    .await?;
    Ok(Json(PageDto::from_page(page, |l: EnterpriseLine| {
        EnterpriseDto::from(&l.enterprise)
    })))
}

/// The chain around one enterprise.
#[utoipa::path(
    get,
    path = "/enterprises/{id}",
    tag = "economy",
    params(("id" = i64, Path, description = "The enterprise's id")),
    responses(
        (status = 200, description = "The enterprise, its positions, suppliers, buyers and workers", body = ChainDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such enterprise", body = ErrorBody),
    )
)]
async fn enterprise_chain(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ChainDto>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("there is no enterprise {id}")))?;
    let c = economy::enterprise_chain(state.store(), &caller.user, id).await?;
    Ok(Json(chain_dto(&c)))
}

pub(crate) fn chain_dto(c: &economy::Chain) -> ChainDto {
    let id = c.line.enterprise.id();
    ChainDto {
        enterprise: EnterpriseDto::from(&c.line.enterprise),
        positions: c.positions.iter().map(PositionDto::from).collect(),
        buys_from: c
            .buys_from
            .iter()
            .map(|(l, e)| link(l, l.supplier_id, e.as_ref()))
            .collect(),
        sells_to: c
            .sells_to
            .iter()
            .map(|(l, e)| link(l, l.buyer_id, e.as_ref()))
            .collect(),
        workers: c.workers.as_ref().map(|ws| {
            ws.iter()
                .filter(|w| w.pair.enterprise_id == id)
                .map(|w| WorkerDto {
                    household_id: w.pair.household_id.to_string(),
                    member_no: w.pair.member_no,
                    village_code: w.pair.village_code.to_string(),
                    position_id: w.pair.position_id,
                    state: w.state.as_str(),
                })
                .collect()
        }),
        suppliers: c.suppliers.as_ref().map(|ss| {
            ss.iter()
                .map(|s| SupplierDto {
                    household_id: s.supplier.household_id.to_string(),
                    village_code: s.village.to_string(),
                    what: s.supplier.what.clone(),
                })
                .collect()
        }),
    }
}

/// A match to run.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchBody {
    /// The survey round (scored with the default methodology).
    pub round: String,
    /// A province, district or subdistrict (an area manager: one of its areas); absent:
    /// everywhere (admins).
    pub area: Option<String>,
    /// The reach in kilometres (default 30).
    pub max_km: Option<u32>,
    /// At most one worker per household (default true).
    pub one_per_household: Option<bool>,
}

pub(crate) fn match_params(
    round: &str,
    area: Option<&str>,
    max_km: Option<u32>,
    one: Option<bool>,
) -> Result<MatchParams, ApiError> {
    let max_m = max_km.map_or(DEFAULT_MAX_M, |k| k.saturating_mul(1000));
    if max_m == 0 || max_m > MAX_REACH_M {
        return Err(ApiError::invalid(format!(
            "max_km must be between 1 and {}",
            MAX_REACH_M / 1000
        )));
    }
    Ok(MatchParams {
        round: parse::round(round)?,
        area: parse::area_or_none(area)?.map(|a| a.to_string()),
        max_m,
        one_per_household: one.unwrap_or(true),
        user: String::new(),
    })
}

/// Queues a match (an admin, or an area manager inside its areas); the job's result holds the
/// pairs with distance and matched skills, the unplaced workers with their reasons and the
/// totals by area. Answers 202 with the job, followed at its `Location`.
#[utoipa::path(
    post,
    path = "/matches",
    tag = "economy",
    request_body = MatchBody,
    responses(
        (status = 202, description = "Queued", body = super::jobs::JobDto),
        (status = 400, description = "A malformed field", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role runs no match, or not in this area", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn queue_match(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<MatchBody>, JsonRejection>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    // A role that runs no match is told so before what it sent is read.
    thanrak_app::policy::runs_matches(&caller.user)?;
    let b = b
        .map(|Json(b)| b)
        .map_err(|e| ApiError::invalid(e.body_text()))?;
    let params = match_params(&b.round, b.area.as_deref(), b.max_km, b.one_per_household)?;
    let job = thanrak_app::jobs::queue_match(state.jobs(), &caller.user, &params).await?;
    let location = format!("/api/v1/jobs/{}", job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(axum::http::header::LOCATION, location)],
        Json(super::jobs::JobDto::from(job)),
    )
        .into_response())
}

/// A pair of a match run.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairDto {
    /// The pair's id.
    pub pair_id: i64,
    /// The worker's household.
    pub household_id: String,
    /// The worker's number.
    pub member_no: u16,
    /// The household's village.
    pub village_code: String,
    /// Whether the household is in hardship.
    pub hardship: bool,
    /// The position.
    pub position_id: i64,
    /// What the work is.
    pub position_title: String,
    /// The monthly wage in whole baht.
    pub wage_baht_month: i64,
    /// The enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: String,
    /// Metres (absent: the same subdistrict, without coordinates).
    pub distance_m: Option<u32>,
    /// The skills matched.
    pub matched_skills: String,
    /// `proposed`, `accepted` or `hired`.
    pub state: String,
}

impl From<PairLine> for PairDto {
    fn from(p: PairLine) -> Self {
        PairDto {
            pair_id: p.pair_id,
            household_id: p.household_id,
            member_no: p.member_no,
            village_code: p.village_code,
            hardship: p.hardship,
            position_id: p.position_id,
            position_title: p.position_title,
            wage_baht_month: p.wage_baht_month,
            enterprise_id: p.enterprise_id,
            enterprise_name: p.enterprise_name,
            distance_m: p.distance_m,
            matched_skills: p.matched_skills,
            state: p.state,
        }
    }
}

/// The pairs of a run inside the caller's areas (admins, area managers, surveyors).
#[utoipa::path(
    get,
    path = "/matches/{id}/pairs",
    tag = "economy",
    params(("id" = i64, Path, description = "The run's id"), super::PageQuery),
    responses(
        (status = 200, description = "A page of pairs", body = PageDto<PairDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no matched workers", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    )
)]
async fn match_pairs(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<super::PageQuery>,
) -> Result<Json<PageDto<PairDto>>, ApiError> {
    thanrak_app::policy::match_scope(&caller.user)?;
    let paging = p.paging()?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("there is no match run {id}")))?;
    let pairs = matching::run_pairs(state.store(), &caller.user, id).await?;
    Ok(Json(PageDto::from_page(
        Page::of(pairs, paging),
        PairDto::from,
    )))
}

/// A worker a run left unplaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnplacedDto {
    /// The worker's household.
    pub household_id: String,
    /// The worker's number.
    pub member_no: u16,
    /// The household's village.
    pub village_code: String,
    /// Whether the household is in hardship.
    pub hardship: bool,
    /// `no_position_in_reach`, `no_skill_match`, `positions_full` or `household_placed`.
    pub reason: &'static str,
}

/// A reason with the number of workers it left unplaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCountDto {
    /// The reason's code.
    pub reason: &'static str,
    /// Workers.
    pub workers: u64,
}

/// A page of a run's unplaced workers, with the count of each reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnplacedPageDto {
    /// The workers of this page.
    pub items: Vec<UnplacedDto>,
    /// The page, from 1.
    pub page: u32,
    /// Items per page asked for.
    pub per_page: u32,
    /// Workers matching the filter.
    pub total: u64,
    /// Every reason with its count inside the caller's areas.
    pub by_reason: Vec<ReasonCountDto>,
}

/// The filters of a run's unplaced workers.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnplacedQuery {
    /// Only this reason: `no_position_in_reach`, `no_skill_match`, `positions_full` or
    /// `household_placed`.
    reason: Option<String>,
    /// The page, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

pub(crate) fn unplaced_reason(text: Option<&str>) -> Result<Option<Unplaced>, ApiError> {
    text.map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            Unplaced::parse(r).ok_or_else(|| {
                ApiError::invalid(format!(
                    "reason {r:?}: one of {}",
                    Unplaced::CODES.join(", ")
                ))
            })
        })
        .transpose()
}

/// The workers a run left unplaced inside the caller's areas, with why (admins, area managers,
/// surveyors).
#[utoipa::path(
    get,
    path = "/matches/{id}/unplaced",
    tag = "economy",
    params(("id" = i64, Path, description = "The run's id"), UnplacedQuery),
    responses(
        (status = 200, description = "A page of unplaced workers", body = UnplacedPageDto),
        (status = 400, description = "An unknown reason or a bad page", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no matched workers", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    )
)]
async fn match_unplaced(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<UnplacedQuery>,
) -> Result<Json<UnplacedPageDto>, ApiError> {
    thanrak_app::policy::match_scope(&caller.user)?;
    let paging = thanrak_app::access::Paging::new(q.page, q.per_page)?;
    let reason = unplaced_reason(q.reason.as_deref())?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("there is no match run {id}")))?;
    let page = matching::run_unplaced(state.store(), &caller.user, id, reason, paging).await?;
    Ok(Json(UnplacedPageDto {
        items: page
            .items
            .into_iter()
            .map(|u| UnplacedDto {
                household_id: u.household_id.to_string(),
                member_no: u.member_no,
                village_code: u.village_code.to_string(),
                hardship: u.hardship,
                reason: u.reason.as_str(),
            })
            .collect(),
        page: paging.page(),
        per_page: paging.per_page(),
        total: page.total,
        by_reason: page
            .by_reason
            .into_iter()
            .map(|(r, n)| ReasonCountDto {
                reason: r.as_str(),
                workers: n,
            })
            .collect(),
    }))
}

/// What accepting a pair opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedDto {
    /// The referral case for the job need.
    pub case_id: i64,
    /// The agency it is sent to.
    pub agency: String,
}

fn pair_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(format!("there is no pair {id}")))
}

/// Accepts a proposed pair (an admin, the area manager of the worker's area): the household is
/// referred for the job need to the agency that meets it, with a note naming the enterprise.
#[utoipa::path(
    post,
    path = "/matches/pairs/{id}/accept",
    tag = "economy",
    params(("id" = i64, Path, description = "The pair's id")),
    responses(
        (status = 201, description = "The case opened", body = AcceptedDto),
        (status = 400, description = "The pair is not proposed any more", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role accepts no pair", body = ErrorBody),
        (status = 404, description = "No such pair inside the caller's areas", body = ErrorBody),
        (status = 409, description = "Accepted meanwhile", body = ErrorBody),
    )
)]
async fn accept_pair(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<AcceptedDto>), ApiError> {
    let case = matching::accept_pair(state.store(), &caller.user, pair_id(&id)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(AcceptedDto {
            case_id: case.id,
            agency: case.new.agency.to_string(),
        }),
    ))
}

/// What recording a hire wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct HiredDto {
    /// The logbook entry.
    pub help_id: i64,
    /// The case it resolved.
    pub resolved_case_id: Option<i64>,
}

/// Records the hire of an accepted pair once the agency accepted its case (an officer of that
/// agency, or an admin): a logbook entry of kind job that resolves the case.
#[utoipa::path(
    post,
    path = "/matches/pairs/{id}/hire",
    tag = "economy",
    params(("id" = i64, Path, description = "The pair's id")),
    responses(
        (status = 201, description = "The hire recorded", body = HiredDto),
        (status = 400, description = "The pair is not accepted, or its case not accepted by the agency", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role records no hire for this case", body = ErrorBody),
        (status = 404, description = "No such pair, or its case is not the caller's", body = ErrorBody),
    )
)]
async fn hire_pair(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<HiredDto>), ApiError> {
    let r = matching::hire_pair(state.store(), &caller.user, pair_id(&id)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(HiredDto {
            help_id: r.record.id,
            resolved_case_id: r.resolved.map(|c| c.id),
        }),
    ))
}

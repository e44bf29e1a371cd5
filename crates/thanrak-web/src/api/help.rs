//! The logbook of help given: `POST /help` records one episode (resolving the accepted case it
//! names); `GET /households/{id}/help` lists a household's episodes in every round;
//! `GET /help/summary` sums the logbook by agency, dimension or capital, kind and area, with
//! households helped against households in need. Money is given and returned as text in baht
//! with two decimals (`"1500.50"`), never as a float. With a session cookie, writes carry the
//! `X-CSRF-Token` header.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::access::Page;
use thanrak_app::db::{HelpRecord, HelpTotals};
use thanrak_app::help::{self, AreaHelp, HelpLine, HelpRequest, HelpSummary};
use thanrak_core::date;
use thanrak_core::help::{parse_baht, Addresses, HelpKind};
use thanrak_core::identity::AgencyCode;
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
        .routes(routes!(record_help))
        .routes(routes!(household_help))
        .routes(routes!(help_summary))
}

/// Baht as text with two decimals (`1500.50`), as the API writes money.
fn baht(satang: i64) -> String {
    format!("{}.{:02}", satang / 100, satang % 100)
}

/// An episode of help given.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRecordDto {
    /// Its id.
    pub id: i64,
    /// The round the household is recorded in.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// Its village.
    pub village_code: String,
    /// The agency that gave it.
    pub agency: String,
    /// `cash`, `in_kind`, `training`, `job`, `housing`, `health`, `education` or `other`.
    pub kind: &'static str,
    /// The dimension or capital it addresses (empty: not said).
    pub addresses: String,
    /// What was given.
    pub what: String,
    /// Its value in baht, two decimals.
    #[schema(example = "1500.50")]
    pub value_baht: String,
    /// When it was given (ISO date).
    pub given_on: String,
    /// The referral case it answers.
    pub case_id: Option<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

impl From<HelpRecord> for HelpRecordDto {
    fn from(r: HelpRecord) -> Self {
        let h = &r.new.help;
        HelpRecordDto {
            id: r.id,
            round: h.round.to_string(),
            household_id: h.household_id.to_string(),
            village_code: r.new.village_code.to_string(),
            agency: h.agency.to_string(),
            kind: h.kind.as_str(),
            addresses: h.addresses.as_str().to_string(),
            what: h.what().to_string(),
            value_baht: baht(h.value_satang()),
            given_on: date::format_iso(h.given_on()),
            case_id: h.case_id,
            recorded_by: r.new.recorded_by.clone(),
            recorded_at: r.recorded_at.to_rfc3339(),
        }
    }
}

/// An episode recorded, and the case it resolved.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedDto {
    /// The episode.
    pub help: HelpRecordDto,
    /// The case it resolved (it was accepted or in progress), if any.
    pub resolved_case_id: Option<i64>,
}

/// An episode of help to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HelpBody {
    /// The round the household is recorded in.
    pub round: String,
    /// The household.
    pub household_id: String,
    /// The agency that gave it (an agency officer: its own).
    pub agency: String,
    /// `cash`, `in_kind`, `training`, `job`, `housing`, `health`, `education` or `other`.
    pub kind: String,
    /// A dimension of the default methodology (`health`, `living`, `education`, `income`,
    /// `access`) or a capital (`human`, `physical`, `financial`, `natural`, `social`); empty or
    /// absent: not said.
    #[serde(default)]
    pub addresses: String,
    /// What was given.
    pub what: String,
    /// Its value in baht as text, at most two decimals (`"1500"`, `"1,500.50"`).
    #[schema(example = "1500.50")]
    pub value_baht: String,
    /// When it was given: YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era; not after today.
    pub given_on: String,
    /// The referral case it answers: accepted or in progress, it is resolved.
    pub case_id: Option<i64>,
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// Records an episode of help: an admin for any household, an area manager for those of its
/// areas, an agency officer for those referred to its agency, in its agency's name.
#[utoipa::path(
    post,
    path = "/help",
    tag = "help",
    request_body = HelpBody,
    responses(
        (status = 201, description = "The episode recorded", body = RecordedDto),
        (status = 400, description = "A malformed field, an unknown agency, a date after today, a case that is not accepted", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role records no help, or not for this agency or case", body = ErrorBody),
        (status = 404, description = "No such household (or case) among those the caller records for", body = ErrorBody),
        (status = 409, description = "The case changed meanwhile; nothing was recorded", body = ErrorBody),
    )
)]
async fn record_help(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<HelpBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RecordedDto>), ApiError> {
    // A role that records no help is told so before what it sent is read.
    thanrak_app::policy::help_recorder(&caller.user)?;
    let req = help_request(body(b)?)?;
    let r = help::record_help(state.store(), &caller.user, &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordedDto {
            help: r.record.into(),
            resolved_case_id: r.resolved.map(|c| c.id),
        }),
    ))
}

/// The episode a body describes, checked at the edge (the use case checks the rest).
pub(crate) fn help_request(b: HelpBody) -> Result<HelpRequest, ApiError> {
    let round = parse::round(&b.round)?;
    let household_id = parse::household_id(&round, &b.household_id)?;
    let agency = AgencyCode::parse(&b.agency)
        .map_err(|e| ApiError::invalid(format!("agency {:?} {e}", b.agency)))?;
    let kind = HelpKind::parse(&b.kind).ok_or_else(|| {
        ApiError::invalid(format!(
            "kind {:?}: one of {}",
            b.kind,
            HelpKind::CODES.join(", ")
        ))
    })?;
    let addresses = Addresses::parse(&b.addresses)
        .map_err(|r| ApiError::invalid(format!("addresses {:?} {r}", b.addresses)))?;
    let value_satang = parse_baht(&b.value_baht)
        .map_err(|r| ApiError::invalid(format!("value_baht {:?} {r}", b.value_baht)))?;
    let given_on = date::parse_date(&b.given_on)
        .map_err(|e| ApiError::invalid(format!("given_on {:?} {e}", b.given_on)))?;
    Ok(HelpRequest {
        round,
        household_id,
        agency,
        kind,
        addresses,
        what: b.what,
        value_satang,
        given_on,
        case_id: b.case_id,
    })
}

/// A household's help in every round, newest first, as far as the caller reads it (an area
/// manager or surveyor: what was given in its areas; an agency officer: a household referred
/// to its agency; an analyst: none).
#[utoipa::path(
    get,
    path = "/households/{id}/help",
    tag = "help",
    params(("id" = String, Path, description = "The household's id (stable across rounds)"), PageQuery),
    responses(
        (status = 200, description = "A page of episodes", body = PageDto<HelpRecordDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no household's help", body = ErrorBody),
        (status = 404, description = "A household id that cannot exist", body = ErrorBody),
    )
)]
async fn household_help(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<HelpRecordDto>>, ApiError> {
    thanrak_app::policy::help_reader(&caller.user)?;
    let paging = p.paging()?;
    let id = HouseholdId::parse(&id)
        .map_err(|_| ApiError::not_found(format!("there is no household {id}")))?;
    let records = help::help_for_household(state.store(), &caller.user, &id).await?;
    Ok(Json(PageDto::from_page(
        Page::of(records, paging),
        HelpRecordDto::from,
    )))
}

/// The area of a summary.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// A province, district, subdistrict or village code; default: where the caller's figures
    /// start (an area manager's first area, else every area).
    area: Option<String>,
}

/// Episodes, budget and households.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpTotalsDto {
    /// Episodes of help.
    pub episodes: u64,
    /// Their value in baht, two decimals.
    #[schema(example = "1500.50")]
    pub value_baht: String,
    /// Distinct households helped.
    pub households: u64,
}

impl From<&HelpTotals> for HelpTotalsDto {
    fn from(t: &HelpTotals) -> Self {
        HelpTotalsDto {
            episodes: t.episodes,
            value_baht: baht(t.value_satang),
            households: t.households,
        }
    }
}

/// One line of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpLineDto {
    /// Agency code, dimension or capital id (empty: not said), or kind.
    pub code: String,
    /// Thai label.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// Its totals.
    #[serde(flatten)]
    pub totals: HelpTotalsDto,
}

impl From<HelpLine> for HelpLineDto {
    fn from(l: HelpLine) -> Self {
        HelpLineDto {
            totals: (&l.totals).into(),
            code: l.code,
            label_th: l.label_th,
            label_en: l.label_en,
        }
    }
}

/// The help given in one area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaHelpDto {
    /// The area's code.
    pub code: String,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// Its totals (households: households helped).
    #[serde(flatten)]
    pub totals: HelpTotalsDto,
    /// Households with at least one need in the latest scored round (absent for agency
    /// officers).
    pub households_in_need: Option<u64>,
}

impl From<AreaHelp> for AreaHelpDto {
    fn from(a: AreaHelp) -> Self {
        AreaHelpDto {
            totals: (&a.totals).into(),
            code: a.code.to_string(),
            name_th: a.name_th,
            name_en: a.name_en,
            households_in_need: a.in_need,
        }
    }
}

/// The logbook summed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpSummaryDto {
    /// The area summed (absent: every area the caller reads).
    pub area: Option<String>,
    /// Its Thai name.
    pub area_name_th: String,
    /// Its English name.
    pub area_name_en: String,
    /// Only this agency's help (an agency officer's).
    pub agency: Option<String>,
    /// Everything.
    pub total: HelpTotalsDto,
    /// Households in need in the area (absent for agency officers).
    pub households_in_need: Option<u64>,
    /// The round they are counted in (the latest scored with the default methodology).
    pub in_need_round: Option<String>,
    /// By agency, largest budget first.
    pub by_agency: Vec<HelpLineDto>,
    /// By dimension or capital, largest budget first.
    pub by_addresses: Vec<HelpLineDto>,
    /// By kind, largest budget first.
    pub by_kind: Vec<HelpLineDto>,
    /// By child area.
    pub by_area: Vec<AreaHelpDto>,
}

impl From<HelpSummary> for HelpSummaryDto {
    fn from(s: HelpSummary) -> Self {
        HelpSummaryDto {
            area: s.area.map(|a| a.to_string()),
            area_name_th: s.area_name_th,
            area_name_en: s.area_name_en,
            agency: s.agency.map(|a| a.to_string()),
            total: (&s.total).into(),
            households_in_need: s.in_need,
            in_need_round: s.in_need_round.map(|r| r.to_string()),
            by_agency: s.by_agency.into_iter().map(Into::into).collect(),
            by_addresses: s.by_addresses.into_iter().map(Into::into).collect(),
            by_kind: s.by_kind.into_iter().map(Into::into).collect(),
            by_area: s.by_area.into_iter().map(Into::into).collect(),
        }
    }
}

/// The logbook summed as the provincial system does: an admin everything, an area manager or
/// surveyor inside its areas, an agency officer its agency's help; analysts not yet.
#[utoipa::path(
    get,
    path = "/help/summary",
    tag = "help",
    params(SummaryQuery),
    responses(
        (status = 200, description = "The summary", body = HelpSummaryDto),
        (status = 400, description = "A malformed area code", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role reads no summary of help yet", body = ErrorBody),
        (status = 404, description = "No such area among the caller's", body = ErrorBody),
    )
)]
async fn help_summary(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SummaryQuery>,
) -> Result<Json<HelpSummaryDto>, ApiError> {
    let area = parse::area_or_none(q.area.as_deref())?;
    let s = help::help_summary(state.store(), &caller.user, area).await?;
    Ok(Json(s.into()))
}

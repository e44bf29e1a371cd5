//! `GET /rounds/{round}/households` and `GET /rounds/{round}/households/{id}`: households and
//! members inside the caller's areas, masked by role; unmasked views go to the audit log.

use axum::extract::{OriginalUri, State};
use axum::http::Method;
use axum::Json;
use serde::Deserialize;
use thanrak_app::access;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{HouseholdDetailDto, HouseholdDto, PageDto};
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_households))
        .routes(routes!(get_household))
}

/// What the audit log records as the action: the request line.
fn action(method: &Method, uri: &OriginalUri) -> String {
    format!("{method} {}", uri.0)
}

/// Which households to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HouseholdsQuery {
    /// Only households inside this area (any level); it narrows, never widens, the caller's areas.
    #[param(example = "5201")]
    area: Option<String>,
}

/// A page of the round's households that the caller may see, by village then household id.
#[utoipa::path(
    get,
    path = "/rounds/{round}/households",
    tag = "households",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        HouseholdsQuery,
        PageQuery,
    ),
    responses(
        (status = 200, description = "A page of households", body = PageDto<HouseholdDto>),
        (status = 400, description = "A malformed area code or paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role sees aggregates only", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn list_households(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: OriginalUri,
    Path(round): Path<String>,
    Query(q): Query<HouseholdsQuery>,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<HouseholdDto>>, ApiError> {
    let paging = p.paging()?;
    let round = parse::round(&round)?;
    let area = q.area.as_deref().map(parse::area).transpose()?;
    let page = access::list_households(
        state.reads(),
        state.audit(),
        &caller.user,
        &round,
        area.as_ref(),
        paging,
        &action(&method, &uri),
    )
    .await?;
    Ok(Json(PageDto::from_page(page, HouseholdDto::from)))
}

/// One household with its members. A household outside the caller's areas is `404`, like one
/// that does not exist.
#[utoipa::path(
    get,
    path = "/rounds/{round}/households/{id}",
    tag = "households",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        ("id" = String, Path, description = "The household id", example = "HH520000001"),
    ),
    responses(
        (status = 200, description = "The household and its members", body = HouseholdDetailDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role sees aggregates only", body = ErrorBody),
        (status = 404, description = "No such round, or no such household in the caller's areas", body = ErrorBody),
    )
)]
async fn get_household(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: OriginalUri,
    Path((round, id)): Path<(String, String)>,
) -> Result<Json<HouseholdDetailDto>, ApiError> {
    let round = parse::round(&round)?;
    let id = parse::household_id(&round, &id)?;
    let detail = access::household_detail(
        state.reads(),
        state.audit(),
        &caller.user,
        &round,
        &id,
        &action(&method, &uri),
    )
    .await?;
    Ok(Json(detail.into()))
}

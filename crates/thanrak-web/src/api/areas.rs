//! `GET /areas` and `GET /areas/{code}`: the official area tree and the villages data has named.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use thanrak_app::access::Page;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{AreaDto, PageDto};
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_areas))
        .routes(routes!(get_area))
}

/// Which areas to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AreasQuery {
    /// The enclosing area; the provinces when absent.
    #[param(example = "52", pattern = r"^[0-9]{2}([0-9]{2}([0-9]{2})?)?$")]
    parent: Option<String>,
    /// A name or part of one (Thai or English): official areas at any level below `parent`
    /// whose name holds it, best first, instead of the areas directly inside `parent`.
    #[param(example = "ลำปาง", max_length = 100)]
    q: Option<String>,
    /// Only the areas that concern the caller's own areas (inside them, or leading to them), as
    /// an area picker shows them.
    mine: Option<bool>,
}

/// The areas directly inside `parent` (the provinces when it is absent), by code; or, with `q`,
/// the areas whose name holds `q`.
#[utoipa::path(
    get,
    path = "/areas",
    tag = "areas",
    params(AreasQuery, PageQuery),
    responses(
        (status = 200, description = "A page of areas", body = PageDto<AreaDto>),
        (status = 400, description = "A malformed code or paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such parent area", body = ErrorBody),
    )
)]
async fn list_areas(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AreasQuery>,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<AreaDto>>, ApiError> {
    let paging = p.paging()?;
    let parent = q.parent.as_deref().map(parse::area).transpose()?;
    let mine = q.mine.unwrap_or(false);
    let areas = match q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) if text.chars().count() > 100 => {
            return Err(ApiError::invalid("q: at most 100 characters"))
        }
        Some(text) => thanrak_app::areas::search_areas(&caller.user, text, parent.as_ref(), mine),
        None if mine => {
            thanrak_app::areas::child_areas_for(state.store(), &caller.user, parent.as_ref())
                .await?
        }
        None => thanrak_app::areas::child_areas(state.store(), parent.as_ref()).await?,
    };
    Ok(Json(PageDto::from_page(
        Page::of(areas, paging),
        AreaDto::from,
    )))
}

/// One area by code.
#[utoipa::path(
    get,
    path = "/areas/{code}",
    tag = "areas",
    params(("code" = String, Path, description = "2, 4, 6 or 8 digits", example = "5201")),
    responses(
        (status = 200, description = "The area", body = AreaDto),
        (status = 400, description = "A malformed code", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such area", body = ErrorBody),
    )
)]
async fn get_area(
    State(state): State<AppState>,
    _caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<AreaDto>, ApiError> {
    let code = parse::area(&code)?;
    Ok(Json(
        thanrak_app::areas::area(state.store(), &code).await?.into(),
    ))
}

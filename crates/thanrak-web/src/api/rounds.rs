//! `GET /rounds`: the survey rounds held.

use axum::extract::State;
use axum::Json;
use thanrak_app::access::Page;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{PageDto, RoundDto};
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_rounds))
}

/// Every survey round, by label, with its dates and sizes.
#[utoipa::path(
    get,
    path = "/rounds",
    tag = "rounds",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of rounds", body = PageDto<RoundDto>),
        (status = 400, description = "A malformed paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_rounds(
    State(state): State<AppState>,
    _caller: Caller,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<RoundDto>>, ApiError> {
    let paging = p.paging()?;
    let rounds = thanrak_app::rounds(state.store()).await?;
    Ok(Json(PageDto::from_page(
        Page::of(rounds, paging),
        RoundDto::from,
    )))
}

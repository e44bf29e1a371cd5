//! `GET /rounds`: the survey rounds held, each a draft or published; `POST
//! /rounds/{round}/publish` and `POST /rounds/{round}/draft` (admins) publish a round after
//! checking it, or take it back to a draft.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use thanrak_app::access::Page;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{PageDto, RoundDto};
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rounds))
        .routes(routes!(publish_round))
        .routes(routes!(draft_round))
}

/// Publishes a round (admins): pages and figures then open on it when it is the latest
/// published.
#[utoipa::path(
    post,
    path = "/rounds/{round}/publish",
    tag = "rounds",
    params(("round" = String, Path, description = "The round's label", example = "2569-1")),
    responses(
        (status = 204, description = "Published"),
        (status = 400, description = "A malformed round label", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Only admins publish rounds", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn publish_round(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<StatusCode, ApiError> {
    let round = crate::parse::round(&round)?;
    thanrak_app::publish_round(state.store(), &caller.user, &round, true).await?;
    // Figures asked for without a round were kept under "the default round".
    state.data_changed();
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a round back to a draft (admins).
#[utoipa::path(
    post,
    path = "/rounds/{round}/draft",
    tag = "rounds",
    params(("round" = String, Path, description = "The round's label", example = "2569-1")),
    responses(
        (status = 204, description = "Back to a draft"),
        (status = 400, description = "A malformed round label", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Only admins publish rounds", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn draft_round(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> Result<StatusCode, ApiError> {
    let round = crate::parse::round(&round)?;
    thanrak_app::publish_round(state.store(), &caller.user, &round, false).await?;
    state.data_changed();
    Ok(StatusCode::NO_CONTENT)
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

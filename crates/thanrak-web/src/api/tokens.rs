//! `GET /tokens` and `DELETE /tokens/{id}`: API tokens listed and revoked one by one, for admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use thanrak_app::access::{self, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{PageDto, TokenDto};
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens))
        .routes(routes!(revoke_token))
}

/// Every API token, oldest first: id, owner, when created and last used (never the token).
#[utoipa::path(
    get,
    path = "/tokens",
    tag = "tokens",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of API tokens", body = PageDto<TokenDto>),
        (status = 400, description = "A malformed paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<TokenDto>>, ApiError> {
    let paging = p.paging()?;
    let all = access::api_tokens_for(state.store(), &caller.user).await?;
    Ok(Json(PageDto::from_page(
        Page::of(all, paging),
        TokenDto::from,
    )))
}

/// Revokes one API token: it is refused from then on; its user and other tokens stay.
#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's id, as listed")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such token", body = ErrorBody),
    )
)]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let digest = access::revoke_api_token_for(state.store(), &caller.user, id).await?;
    state.forget_token(&digest);
    Ok(StatusCode::NO_CONTENT)
}

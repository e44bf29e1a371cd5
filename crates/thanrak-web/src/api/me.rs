//! `GET /me`: the caller's own account.

use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::MeDto;
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// The caller's name, role, areas and agency.
#[utoipa::path(
    get,
    path = "/me",
    tag = "account",
    responses(
        (status = 200, description = "The caller's account", body = MeDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn me(caller: Caller) -> Json<MeDto> {
    Json(MeDto::from(&caller.user))
}

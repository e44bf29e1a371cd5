//! `GET /audit`: the log of views of personal data, for admins.

use axum::extract::State;
use axum::Json;
use thanrak_app::access;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{AuditDto, PageDto};
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// Who viewed which households' personal data unmasked, and when: newest first.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of the audit log", body = PageDto<AuditDto>),
        (status = 400, description = "A malformed paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<PageQuery>,
) -> Result<Json<PageDto<AuditDto>>, ApiError> {
    let page = access::audit_log(state.store(), &caller.user, p.paging()?).await?;
    Ok(Json(PageDto::from_page(page, AuditDto::from)))
}

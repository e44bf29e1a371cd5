//! The JSON API under `/api/v1`, a module per feature; the OpenAPI document is assembled from
//! the handlers' annotations as their routers are merged.

mod agencies;
mod areas;
mod audit;
mod boundaries;
pub(crate) mod cases;
mod dto;
pub(crate) mod economy;
mod exports;
pub(crate) mod figures;
pub(crate) mod followup;
pub(crate) mod help;
mod households;
mod imports;
mod jobs;
mod me;
pub(crate) mod plan;
mod rounds;
pub(crate) mod targets;
mod tokens;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde::Deserialize;
use thanrak_app::access::Paging;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::AppState;

/// The API's description; the paths are added by the feature routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "thanrak API",
        description = "Household survey data for precise, area-based poverty alleviation. \
                       Every route needs a session cookie (log in at /login) or an API token \
                       (`thanrak user token NAME`) sent as `Authorization: Bearer TOKEN`. \
                       Errors are `{code, message}`; lists are paged with `page` and `per_page` \
                       (at most 500) and return `{items, page, per_page, total}`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "areas", description = "Provinces, districts, subdistricts and villages"),
        (name = "agencies", description = "The catalogue of cooperating agencies: read by everyone signed in, written by admins"),
        (name = "rounds", description = "Survey rounds"),
        (name = "households", description = "Households and members, filtered by the caller's areas and masked by role"),
        (name = "cases", description = "Referral cases: a household's need referred to an agency, moved through the workflow by the side whose move it is"),
        (name = "audit", description = "Who viewed which personal data, when (admins only)"),
        (name = "tokens", description = "API tokens listed and revoked one by one (admins only)"),
        (name = "account", description = "The caller's own account"),
        (name = "figures", description = "Poverty index, groups and capitals by area and group; small cells suppressed"),
        (name = "imports", description = "Uploading CSV / XLSX files: checked row by row, loaded all or nothing by a background job, then scored"),
        (name = "jobs", description = "Background jobs (imports, scoring) with their progress, result or error"),
        (name = "exports", description = "A round's households or members as CSV / XLSX in the import format, for roles that see personal data; audited"),
        (name = "targets", description = "Target lists of methodology §5: households ranked with what each lacks and which help fits"),
        (name = "help", description = "The logbook of help given: episodes recorded by agency, kind and the dimension or capital they address, and their sums by area"),
        (name = "plans", description = "What the provincial policy meeting plans and follows: strategic areas ranked, partner universities, model areas with their roadmaps, meetings with their action items"),
        (name = "economy", description = "The grassroots economy: the registry of enterprises with their grassroots score, value chains, and the optimal matching of poor workers to open positions"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every API route under `/api/v1`, with the OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(areas::router())
        .merge(agencies::router())
        .merge(rounds::router())
        .merge(households::router())
        .merge(audit::router())
        .merge(tokens::router())
        .merge(boundaries::router())
        .merge(cases::router())
        .merge(me::router())
        .merge(figures::router())
        .merge(followup::router())
        .merge(plan::router())
        .merge(targets::router())
        .merge(imports::router())
        .merge(jobs::router())
        .merge(exports::router())
        .merge(help::router())
        .merge(economy::router())
        .fallback(crate::error::not_found)
        .layer(axum::middleware::map_response(json_no_store));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1)
}

/// API answers may hold personal data: no cache may keep them.
async fn json_no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    res
}

/// `page` and `per_page` of a list.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page, from 1 (default 1).
    #[param(minimum = 1)]
    page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

impl PageQuery {
    fn paging(self) -> Result<Paging, ApiError> {
        Ok(Paging::new(self.page, self.per_page)?)
    }
}

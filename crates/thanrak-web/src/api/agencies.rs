//! `GET /agencies`, `GET /agencies/{code}` and `PUT /agencies/{code}`: the catalogue of
//! cooperating agencies — read by every signed-in caller, written by admins.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::agencies::{self, AgencyRequest};
use thanrak_core::agency::Agency;
use thanrak_core::identity::AgencyCode;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agencies))
        .routes(routes!(get_agency, put_agency))
}

/// A cooperating agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDto {
    /// Its code, as its users and the methodology file's needs name it.
    #[schema(example = "codi")]
    pub code: String,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// What it is there to do.
    pub mission: String,
    /// The needs (methodology §5) it meets.
    pub needs: Vec<String>,
    /// The areas it works in; empty for the whole country.
    pub areas: Vec<String>,
    /// How to reach it.
    pub contact: String,
}

impl From<Agency> for AgencyDto {
    fn from(a: Agency) -> Self {
        AgencyDto {
            code: a.code.to_string(),
            name_th: a.name_th,
            name_en: a.name_en,
            mission: a.mission,
            needs: a.needs,
            areas: a.areas.iter().map(ToString::to_string).collect(),
            contact: a.contact,
        }
    }
}

/// An agency as it is written.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AgencyBody {
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// What it is there to do.
    #[serde(default)]
    pub mission: String,
    /// The needs it meets: ids of the needs of a shipped methodology.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Codes of official provinces, districts or subdistricts; none for the whole country.
    #[serde(default)]
    pub areas: Vec<String>,
    /// How to reach it.
    #[serde(default)]
    pub contact: String,
}

fn code(s: &str) -> Result<AgencyCode, ApiError> {
    AgencyCode::parse(s).map_err(|e| ApiError::invalid(format!("agency code {s:?} {e}")))
}

/// The agencies of the catalogue, by code.
#[utoipa::path(
    get,
    path = "/agencies",
    tag = "agencies",
    responses(
        (status = 200, description = "Every agency", body = Vec<AgencyDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    )
)]
async fn list_agencies(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<AgencyDto>>, ApiError> {
    let list = agencies::list_agencies(state.store()).await?;
    Ok(Json(list.into_iter().map(AgencyDto::from).collect()))
}

/// One agency.
#[utoipa::path(
    get,
    path = "/agencies/{code}",
    tag = "agencies",
    params(("code" = String, Path, description = "The agency's code", example = "codi")),
    responses(
        (status = 200, description = "The agency", body = AgencyDto),
        (status = 400, description = "A malformed code", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such agency", body = ErrorBody),
    )
)]
async fn get_agency(
    State(state): State<AppState>,
    _caller: Caller,
    Path(c): Path<String>,
) -> Result<Json<AgencyDto>, ApiError> {
    let a = agencies::agency(state.store(), &code(&c)?).await?;
    Ok(Json(a.into()))
}

/// Adds the agency, or replaces the one of this code (admins only). With a session cookie the
/// request carries the `X-CSRF-Token` header.
#[utoipa::path(
    put,
    path = "/agencies/{code}",
    tag = "agencies",
    params(("code" = String, Path, description = "The agency's code", example = "codi")),
    request_body = AgencyBody,
    responses(
        (status = 200, description = "Replaced", body = AgencyDto),
        (status = 201, description = "Added", body = AgencyDto),
        (status = 400, description = "A malformed code or field (the message names it)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
async fn put_agency(
    State(state): State<AppState>,
    caller: Caller,
    Path(c): Path<String>,
    body: Result<Json<AgencyBody>, JsonRejection>,
) -> Result<(StatusCode, Json<AgencyDto>), ApiError> {
    // Who may write is answered before what was sent is read.
    thanrak_app::policy::admin_only(
        &caller.user,
        "only an administrator edits the agency catalogue",
    )?;
    let code = code(&c)?;
    let Json(b) = body.map_err(|e| ApiError::invalid(e.body_text()))?;
    let req = AgencyRequest {
        code: code.to_string(),
        name_th: b.name_th,
        name_en: b.name_en,
        mission: b.mission,
        needs: b.needs,
        areas: b.areas,
        contact: b.contact,
    };
    let (a, added) = agencies::save_agency_as(state.store(), &caller.user, &req).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(a.into())))
}

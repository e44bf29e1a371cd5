//! `GET /forms/household`: the household survey as an XLSForm for ODK Central and KoboToolbox
//! (issue 13). Their exports are loaded through `POST /imports`, like any import file.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(household_form))
}

/// Which form.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormQuery {
    /// The round the submissions will belong to (written into the form).
    #[param(example = "2568")]
    pub round: String,
}

/// The form as an XLSX download named after its round.
pub(crate) fn form_response(round: &str, bytes: Vec<u8>) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    // The round label holds letters, digits and `-_.` only: safe in a header.
    let name: String = round
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"thanrak-household-{name}.xlsx\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The household survey of a round as an XLSForm (sheets survey, choices and settings): every
/// field of the import format in Thai and English, members as a repeat, constraints that
/// mirror the importer's checks, skip logic, the village by cascading lists (the areas the
/// caller imports into) and a geopoint. For the roles that import.
#[utoipa::path(
    get,
    path = "/forms/household",
    tag = "imports",
    params(FormQuery),
    responses(
        (status = 200, description = "The XLSForm workbook, as an attachment", content(
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "A malformed round label", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role does not import data", body = ErrorBody),
    )
)]
async fn household_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FormQuery>,
) -> Result<Response, ApiError> {
    let round = parse::round(&q.round)?;
    let (_, bytes) = thanrak_app::field::form_for(state.store(), &caller.user, &round).await?;
    Ok(form_response(round.as_str(), bytes))
}

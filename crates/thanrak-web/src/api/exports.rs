//! `GET /rounds/{round}/export`: a round's households or members as a file in the import format,
//! for roles that see personal data, inside their areas, audited.

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use thanrak_app::exports::{export_for, ExportBody, ExportTable, PART_HOUSEHOLDS};
use thanrak_app::ExportFormat;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_round))
}

/// What to export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `csv` (one table, default) or `xlsx` (one workbook with both tables).
    #[param(example = "csv")]
    format: Option<String>,
    /// For CSV: `households` (default) or `members`.
    #[param(example = "households")]
    table: Option<String>,
    /// Only the households inside this area (it narrows, never widens, the caller's areas).
    #[param(example = "5201")]
    area: Option<String>,
}

/// The households (or members) of a round that the caller may see, as a file in the import
/// format (it loads again unchanged). For admins and area managers only; the households exported
/// are written to the audit log.
#[utoipa::path(
    get,
    path = "/rounds/{round}/export",
    tag = "exports",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        ExportQuery,
    ),
    responses(
        (status = 200, description = "The file (CSV or XLSX), as an attachment", content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "An unknown format or table, or a malformed area code", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role may not download personal data", body = ErrorBody),
        (status = 404, description = "No such round", body = ErrorBody),
    )
)]
async fn export_round(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: OriginalUri,
    Path(round): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        f => return Err(ApiError::invalid(format!("format {f:?}: use csv or xlsx"))),
    };
    let table = match q.table.as_deref() {
        None => ExportTable::Households,
        Some(t) => ExportTable::parse(t)
            .ok_or_else(|| ApiError::invalid(format!("table {t:?}: use households or members")))?,
    };
    let round = parse::round(&round)?;
    let area = parse::area_or_none(q.area.as_deref())?;
    let file = export_for(
        state.store(),
        state.audit(),
        &caller.user,
        &round,
        area.as_ref(),
        format,
        table,
        &format!("{method} {}", uri.0),
        PART_HOUSEHOLDS,
    )
    .await?;
    let body = match file.body {
        ExportBody::Whole(bytes) => Body::from(bytes),
        ExportBody::Parts(parts) => Body::from_stream(parts),
    };
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    // File names are built from a round label (digits and a dash): plain header text.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

//! `GET /boundaries`: the areas of one level as a GeoJSON FeatureCollection, for maps.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::boundaries::{map_boundaries, MapBoundary};
use thanrak_core::AreaLevel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_boundaries))
}

/// Which boundaries to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BoundariesQuery {
    /// province, district, subdistrict or village (default province).
    #[param(example = "district")]
    level: Option<String>,
    /// Only areas inside this one, which must be of a higher level.
    #[param(example = "52")]
    parent: Option<String>,
}

/// A GeoJSON FeatureCollection of areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoundaryCollectionDto {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    kind: &'static str,
    /// One feature per area, by code.
    features: Vec<BoundaryFeatureDto>,
}

/// One area as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoundaryFeatureDto {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    kind: &'static str,
    /// What the area is.
    properties: BoundaryPropertiesDto,
    /// A GeoJSON Polygon or MultiPolygon in longitude/latitude.
    #[schema(value_type = Object)]
    geometry: serde_json::Value,
}

/// The properties of an area's feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoundaryPropertiesDto {
    /// The area code.
    #[schema(example = "5201")]
    code: String,
    /// Thai name.
    #[schema(example = "เมืองลำปาง")]
    name_th: String,
    /// English name.
    #[schema(example = "Mueang Lampang")]
    name_en: String,
    /// Generated for a demonstration: not the area's real shape.
    illustrative: bool,
    /// No boundaries were imported for this level: the geometry is a cell of a grid of the
    /// areas ordered by code, not a place.
    fallback: bool,
}

impl TryFrom<MapBoundary> for BoundaryFeatureDto {
    type Error = ApiError;

    fn try_from(b: MapBoundary) -> Result<Self, ApiError> {
        let geometry = serde_json::from_str(&b.geojson).map_err(|e| ApiError::internal(&e))?;
        Ok(BoundaryFeatureDto {
            kind: "Feature",
            properties: BoundaryPropertiesDto {
                code: b.code.to_string(),
                name_th: b.name_th,
                name_en: b.name_en,
                illustrative: b.illustrative,
                fallback: b.fallback,
            },
            geometry,
        })
    }
}

/// The areas of a level, inside a parent when given, with their boundaries. A level without
/// imported boundaries comes back as a grid of its areas, each feature marked `fallback`.
#[utoipa::path(
    get,
    path = "/boundaries",
    tag = "areas",
    params(BoundariesQuery),
    responses(
        (status = 200, description = "The areas as GeoJSON", body = BoundaryCollectionDto),
        (status = 400, description = "A malformed level or code, or a parent not above the level", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such parent area", body = ErrorBody),
    )
)]
async fn list_boundaries(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<BoundariesQuery>,
) -> Result<Json<BoundaryCollectionDto>, ApiError> {
    let level = match q.level.as_deref() {
        None => AreaLevel::Province,
        Some(l) => AreaLevel::parse(l.trim())
            .ok_or_else(|| ApiError::invalid(format!("unknown level {l:?}")))?,
    };
    let parent = q.parent.as_deref().map(crate::parse::area).transpose()?;
    let features = map_boundaries(state.store(), level, parent.as_ref())
        .await?
        .into_iter()
        .map(BoundaryFeatureDto::try_from)
        .collect::<Result<_, _>>()?;
    Ok(Json(BoundaryCollectionDto {
        kind: "FeatureCollection",
        features,
    }))
}

//! Follow-up across rounds (issue 12): `GET /change`, what changed between two scored rounds in
//! an area and in the areas of a level inside it.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::change::{change, AreaChange, Change, ChangeQuery, ShownTransitions};
use thanrak_app::scoring::default_methodology;
use thanrak_core::measure::change::STATES;
use thanrak_core::AreaLevel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::figures::{parse_unit, FigureRowDto};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_change))
}

/// Which change.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ChangeParams {
    /// The earlier round.
    #[param(example = "2568-1")]
    pub from: String,
    /// The later round.
    #[param(example = "2569-1")]
    pub to: String,
    /// The area (the whole country, or an area manager's first area, by default).
    #[param(example = "52")]
    pub area: Option<String>,
    /// The level of the rows: `province`, `district`, `subdistrict` or `village` (the level below
    /// the area by default).
    #[param(example = "district")]
    pub by: Option<String>,
    /// `household` (default) or `person`, for H, A, M0 and the headcounts.
    #[param(example = "household")]
    pub unit: Option<String>,
}

impl ChangeParams {
    pub(crate) fn to_app(&self) -> Result<ChangeQuery, ApiError> {
        let by = self
            .by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                AreaLevel::parse(s).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "by {s:?}: use province, district, subdistrict or village"
                    ))
                })
            })
            .transpose()?;
        Ok(ChangeQuery {
            from: crate::parse::round(&self.from)?,
            to: crate::parse::round(&self.to)?,
            area: crate::parse::area_or_none(self.area.as_deref())?,
            by,
            unit: parse_unit(Some(self.unit.as_deref().unwrap_or("household")))?,
        })
    }
}

/// A transition table: `counts[from][to]`, rows and columns the groups `hardship`,
/// `struggling`, `getting_by`, `doing_well`, then `absent` (not in that round); `null` where a
/// count is withheld to protect privacy.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionsDto {
    /// The row and column keys, in order.
    pub states: Vec<&'static str>,
    /// The counts of households.
    pub counts: Vec<Vec<Option<u64>>>,
    /// Poor (hardship or struggling, or MPI-poor) in the earlier round, not in the later.
    pub left_poverty: Option<u64>,
    /// Not poor in the earlier round, poor in the later.
    pub fell_into_poverty: Option<u64>,
    /// Poor in both rounds.
    pub stayed_poor: Option<u64>,
}

impl From<&ShownTransitions> for TransitionsDto {
    fn from(t: &ShownTransitions) -> Self {
        let c = &t.counts;
        let at = |n: u64, hidden: bool| (!hidden).then_some(n);
        TransitionsDto {
            states: vec![
                "hardship",
                "struggling",
                "getting_by",
                "doing_well",
                "absent",
            ],
            counts: (0..STATES)
                .map(|i| (0..STATES).map(|j| t.cell(i, j)).collect())
                .collect(),
            left_poverty: at(c.left_poverty, t.poverty_hidden[0]),
            fell_into_poverty: at(c.fell_into_poverty, t.poverty_hidden[1]),
            stayed_poor: at(c.stayed_poor, t.poverty_hidden[2]),
        }
    }
}

/// The change in one area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaChangeDto {
    /// The area's code (none: the whole country).
    pub area: Option<String>,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// How its households moved between the groups.
    pub transitions: TransitionsDto,
    /// Its figures in the earlier round (none: no household of it then).
    pub before: Option<FigureRowDto>,
    /// Its figures in the later round.
    pub after: Option<FigureRowDto>,
}

impl From<&AreaChange> for AreaChangeDto {
    fn from(r: &AreaChange) -> Self {
        AreaChangeDto {
            area: r.area.map(|a| a.to_string()),
            name_th: r.name_th.clone(),
            name_en: r.name_en.clone(),
            transitions: (&r.transitions).into(),
            before: r.before.as_ref().map(Into::into),
            after: r.after.as_ref().map(Into::into),
        }
    }
}

/// The change between two rounds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDto {
    /// The earlier round.
    pub from: String,
    /// The later round.
    pub to: String,
    /// The area (none: the whole country).
    pub area: Option<String>,
    /// The level of `rows` (none below a village).
    pub by: Option<&'static str>,
    /// `person` or `household`: the unit of H, A, M0 and the headcounts.
    pub unit: &'static str,
    /// Indicator ids, in the order of every per-indicator list.
    pub indicators: Vec<String>,
    /// The area as a whole.
    pub overall: AreaChangeDto,
    /// The areas of the level inside it.
    pub rows: Vec<AreaChangeDto>,
    /// Households that received help recorded against the earlier round.
    pub helped: TransitionsDto,
    /// Households that did not.
    pub not_helped: TransitionsDto,
}

impl From<&Change> for ChangeDto {
    fn from(c: &Change) -> Self {
        ChangeDto {
            from: c.from.to_string(),
            to: c.to.to_string(),
            area: c.area.map(|a| a.to_string()),
            by: c.by.map(|l| l.as_str()),
            unit: thanrak_app::db::unit_str(c.unit),
            indicators: c.indicators.iter().map(|i| i.0.clone()).collect(),
            overall: (&c.overall).into(),
            rows: c.rows.iter().map(Into::into).collect(),
            helped: (&c.helped).into(),
            not_helped: (&c.not_helped).into(),
        }
    }
}

/// What changed between two rounds scored with the default methodology: the transition table of
/// the four groups (households found in one round only counted apart, as `absent` in the
/// other), households that left poverty and those that fell into it, and H, A, M0 and every
/// indicator's headcount in both rounds; for the area and for each area of the level inside it;
/// and the transitions of the households helped (the logbook) beside those not helped. Who may
/// look where, and which small counts are withheld, is as for the figures.
#[utoipa::path(
    get,
    path = "/change",
    tag = "figures",
    params(ChangeParams),
    responses(
        (status = 200, description = "The change", body = ChangeDto),
        (status = 400, description = "A malformed round, area or level, the same round twice, or a level not below the area", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such round, a round not scored, or an area outside an area manager's", body = ErrorBody),
    )
)]
async fn get_change(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ChangeParams>,
) -> Result<Json<ChangeDto>, ApiError> {
    let query = q.to_app()?;
    let lm = default_methodology();
    let c = change(state.store(), state.figures(), &lm, &caller.user, &query).await?;
    Ok(Json((&c).into()))
}

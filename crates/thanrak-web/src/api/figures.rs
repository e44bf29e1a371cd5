//! `GET /rounds/{round}/figures`: the poverty index, the groups and the capitals of an area and
//! of its parts, as the caller may see them (small cells suppressed).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use thanrak_app::area_figures::{area_figures, AreaFigureQuery, AreaFigures, ScopedRow};
use thanrak_app::scoring::{
    default_methodology, load_methodology, run_methodology, Breakdown, LoadedMethodology, RunInfo,
};
use thanrak_core::measure::Unit;
use thanrak_core::RoundLabel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_figures))
}

/// The methodology a page or route reads a round with, and the round's runs: the run of `id`
/// when asked for, else the default methodology's run, else the round's first run (see
/// [`run_methodology`]). Without a round that parses, the shipped methodology of `id`, or the
/// default: the app then reports a missing or malformed round in its own words.
pub(crate) async fn methodology_for(
    state: &AppState,
    round: Option<&str>,
    id: Option<&str>,
) -> Result<(Arc<LoadedMethodology>, Arc<[RunInfo]>), ApiError> {
    let id = id.map(str::trim).filter(|s| !s.is_empty());
    match round.and_then(|r| RoundLabel::parse(r.trim()).ok()) {
        Some(round) => Ok(run_methodology(state.reads(), state.figures(), &round, id).await?),
        None => Ok((shipped_or_default(id)?, Arc::from(Vec::new()))),
    }
}

/// The shipped methodology of `id`, or the default one when none is asked for.
pub(crate) fn shipped_or_default(id: Option<&str>) -> Result<Arc<LoadedMethodology>, ApiError> {
    match id.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default_methodology()),
        Some(id) => Ok(Arc::new(
            load_methodology(Some(std::path::Path::new(id)))
                .ok()
                .filter(|m| m.methodology.id() == id)
                .ok_or_else(|| ApiError::not_found(format!("unknown methodology {id:?}")))?,
        )),
    }
}

/// Parses `person` or `household` (persons by default).
pub(crate) fn parse_unit(unit: Option<&str>) -> Result<Unit, ApiError> {
    match unit.unwrap_or("person") {
        "person" | "persons" => Ok(Unit::Person),
        "household" | "households" => Ok(Unit::Household),
        u => Err(ApiError::invalid(format!(
            "unit {u:?}: use person or household"
        ))),
    }
}

/// Which figures.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FiguresQuery {
    /// `province`, `district`, `subdistrict`, `village`, `group`, `head_sex` or `all`; the level
    /// below the area by default.
    #[param(example = "district")]
    pub by: Option<String>,
    /// The area; for an area manager its own area by default, the whole country otherwise.
    #[param(example = "52")]
    pub area: Option<String>,
    /// `person` (default) or `household`.
    #[param(example = "person")]
    pub unit: Option<String>,
    /// The methodology whose run to read (its id, such as `tpmap-welfare-1`); by default the
    /// default methodology's run, or the round's only run.
    #[param(example = "thanrak-default-1")]
    pub methodology: Option<String>,
}

impl FiguresQuery {
    pub(crate) fn to_app(&self, round: Option<&str>) -> Result<AreaFigureQuery, ApiError> {
        Ok(AreaFigureQuery {
            round: round.map(crate::parse::round).transpose()?,
            area: crate::parse::area_or_none(self.area.as_deref())?,
            by: self.by.as_deref().map(Breakdown::parse).transpose()?,
            unit: parse_unit(self.unit.as_deref())?,
        })
    }
}

/// Counts in each of the four groups; `null` where the count is withheld to protect privacy
/// (a small count, or one that would let a small count be worked out by subtraction).
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupCountsDto {
    /// อยู่ลำบาก.
    pub hardship: Option<u64>,
    /// อยู่ยาก.
    pub struggling: Option<u64>,
    /// อยู่พอได้.
    pub getting_by: Option<u64>,
    /// อยู่ดี.
    pub doing_well: Option<u64>,
}

impl GroupCountsDto {
    fn new(c: [u64; 4], hidden: [bool; 4]) -> Self {
        let at = |i: usize| (!hidden[i]).then_some(c[i]);
        GroupCountsDto {
            hardship: at(0),
            struggling: at(1),
            getting_by: at(2),
            doing_well: at(3),
        }
    }
}

/// Mean capital scores (0–1).
#[derive(Debug, Serialize, ToSchema)]
pub struct CapitalsDto {
    /// Human capital.
    pub human: f64,
    /// Physical capital.
    pub physical: f64,
    /// Financial capital.
    pub financial: f64,
    /// Natural capital.
    pub natural: f64,
    /// Social capital.
    pub social: f64,
}

/// The figures of one population.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureValuesDto {
    /// Population counted (persons or households).
    pub n: f64,
    /// MPI-poor among them.
    pub q: f64,
    /// Headcount ratio H = q / n.
    pub h: f64,
    /// Intensity A.
    pub a: f64,
    /// Adjusted headcount M0 = H × A.
    pub m0: f64,
    /// Uncensored headcount of each indicator (in `indicators` order).
    pub uncensored: Vec<f64>,
    /// Censored headcount of each indicator.
    pub censored: Vec<f64>,
    /// Contribution of each indicator to M0 (they sum to 1 when M0 > 0).
    pub contributions: Vec<f64>,
    /// Households in each group.
    pub households: GroupCountsDto,
    /// Persons in each group.
    pub persons: GroupCountsDto,
    /// Mean capital scores.
    pub mean_capitals: CapitalsDto,
}

/// One row: an area, a group or a sex of head. When `suppressed`, it counts fewer than 5
/// households, or would let such a row be worked out from the others, and the caller may not
/// see such small counts there: `figures` is absent. Group counts of a shown row may be
/// withheld alone (`null`) for the same reasons.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureRowDto {
    /// Area code, group code, `M` / `F`, or empty for the whole.
    pub key: String,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// Whether the figures are withheld.
    pub suppressed: bool,
    /// The figures, unless suppressed.
    pub figures: Option<FigureValuesDto>,
}

impl From<&ScopedRow> for FigureRowDto {
    fn from(r: &ScopedRow) -> Self {
        let s = &r.row.summary;
        let c = s.mean_capitals;
        FigureRowDto {
            key: r.row.key.clone(),
            name_th: r.row.name_th.clone(),
            name_en: r.row.name_en.clone(),
            suppressed: r.suppressed,
            figures: (!r.suppressed).then(|| FigureValuesDto {
                n: s.af.n,
                q: s.af.q,
                h: s.af.h,
                a: s.af.a,
                m0: s.af.m0,
                uncensored: s.af.uncensored.clone(),
                censored: s.af.censored.clone(),
                contributions: s.af.contributions.clone(),
                households: GroupCountsDto::new(s.households, r.hidden_groups),
                persons: GroupCountsDto::new(s.persons, r.hidden_groups),
                mean_capitals: CapitalsDto {
                    human: c[0],
                    physical: c[1],
                    financial: c[2],
                    natural: c[3],
                    social: c[4],
                },
            }),
        }
    }
}

/// Figures of a round: the area as a whole and one row per key of the breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresDto {
    /// The round.
    pub round: String,
    /// Methodology id.
    pub methodology_id: String,
    /// Methodology version.
    pub methodology_version: String,
    /// The poverty cut-off k, as a fraction.
    pub k: String,
    /// `person` or `household`.
    pub unit: &'static str,
    /// The breakdown of `rows`.
    pub by: String,
    /// The area (none: the whole country).
    pub area: Option<String>,
    /// Indicator ids, in the order of every per-indicator list.
    pub indicators: Vec<String>,
    /// The area as a whole.
    pub overall: FigureRowDto,
    /// One row per key.
    pub rows: Vec<FigureRowDto>,
}

impl From<&AreaFigures> for FiguresDto {
    fn from(f: &AreaFigures) -> Self {
        FiguresDto {
            round: f.round.to_string(),
            methodology_id: f.figures.methodology.0.clone(),
            methodology_version: f.figures.methodology.1.clone(),
            k: f.figures.k.to_string(),
            unit: thanrak_app::db::unit_str(f.figures.unit),
            by: match f.by {
                Breakdown::All => "all".into(),
                Breakdown::Area(l) => l.as_str().into(),
                Breakdown::Group => "group".into(),
                Breakdown::HeadSex => "head_sex".into(),
            },
            area: f.area.map(|a| a.to_string()),
            indicators: f.figures.indicators.clone(),
            overall: (&f.overall).into(),
            rows: f.rows.iter().map(Into::into).collect(),
        }
    }
}

/// The figures of a scored round for an area and its parts. Area managers see only their own
/// areas (another area is `404`); analysts, agency officers and surveyors outside their own
/// areas get counts of fewer than 5 households withheld, with the counts from which they could be
/// worked out by subtraction.
#[utoipa::path(
    get,
    path = "/rounds/{round}/figures",
    tag = "figures",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        FiguresQuery,
    ),
    responses(
        (status = 200, description = "The figures", body = FiguresDto),
        (status = 400, description = "A malformed area, breakdown or unit", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such round, round not scored, or no households in the area (or the area is outside an area manager's)", body = ErrorBody),
    )
)]
async fn get_figures(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<FiguresDto>, ApiError> {
    let (lm, _) = methodology_for(&state, Some(&round), q.methodology.as_deref()).await?;
    let query = q.to_app(Some(&round))?;
    let f = area_figures(state.reads(), state.figures(), &lm, &caller.user, &query).await?;
    Ok(Json((&f).into()))
}

//! `GET /rounds/{round}/targets`: the target list of methodology §5 (ชี้เป้า), inside the
//! caller's areas, names masked by role, unmasked pages written to the audit log.

use std::collections::BTreeMap;

use axum::extract::{OriginalUri, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use thanrak_app::targeting::{target_list, Target, TargetQuery};
use thanrak_core::methodology::Capital;
use thanrak_core::RoundLabel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::PageDto;
use super::figures::methodology_for;
use super::PageQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Path, Query};
use crate::parse;
use crate::AppState;

/// The routes of this feature.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_targets))
}

/// Filters of a target list; they combine.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TargetsQuery {
    /// Only inside this area (any level); it narrows, never widens, the caller's areas.
    #[param(example = "5201")]
    pub area: Option<String>,
    /// Only this group: `hardship`, `struggling`, `getting_by` or `doing_well`.
    #[param(example = "hardship")]
    pub group: Option<String>,
    /// Only households deprived in this indicator (its id).
    #[param(example = "housing")]
    pub indicator: Option<String>,
    /// Only households with this need (an id of the methodology's needs: by default `welfare`,
    /// `job`, `occupation`, `housing`, `education`, `health`, `tourism`, `research`).
    #[param(example = "job")]
    pub need: Option<String>,
    /// The methodology whose run to read (its id); by default the default methodology's run.
    #[param(example = "thanrak-default-1")]
    pub methodology: Option<String>,
    /// Only the persistent poor: households poor (hardship or struggling, or MPI-poor) in each
    /// of the last this many scored rounds up to the round asked for (2 to 20).
    #[param(example = "2", value_type = Option<u32>)]
    pub persistent: Option<String>,
}

impl TargetsQuery {
    /// The application's query; empty values count as absent (as HTML forms send them).
    pub(crate) fn to_app(&self, round: RoundLabel) -> Result<TargetQuery, ApiError> {
        let f = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(TargetQuery {
            round,
            area: f(&self.area).as_deref().map(parse::area).transpose()?,
            group: f(&self.group),
            indicator: f(&self.indicator),
            need: f(&self.need),
            persistent: f(&self.persistent)
                .map(|n| {
                    n.trim().parse::<u32>().map_err(|_| {
                        ApiError::invalid(format!(
                            "persistent: a number of rounds (2 to 20) is expected, not {n:?}"
                        ))
                    })
                })
                .transpose()?,
        })
    }
}

/// One household of a target list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    /// The household id.
    pub household_id: String,
    /// Its village (8 digits).
    pub village_code: String,
    /// The village's Thai name.
    pub village_name: String,
    /// The head's name; its initial and `***` for roles that may not see names.
    pub head_name: Option<String>,
    /// Group code (methodology §4).
    pub group: &'static str,
    /// Group, in Thai.
    pub group_th: &'static str,
    /// Deprivation score c (0–1).
    pub score: f64,
    /// Income per person per year, baht.
    pub income_pc: f64,
    /// Ids of the indicators the household is deprived in.
    pub deprived: Vec<String>,
    /// The same, as short Thai labels.
    pub lacks_th: Vec<String>,
    /// Ids of the kinds of help that fit (the methodology's needs, §5).
    pub needs: Vec<String>,
    /// Poor by the multidimensional index (c ≥ k).
    pub mpi_poor: bool,
    /// Target-poor as the methodology defines it (the TPMAP rule).
    pub target_poor: bool,
    /// The five livelihood capitals (0–1, higher is better), by capital id.
    pub capitals: BTreeMap<&'static str, f64>,
}

impl From<&Target> for TargetDto {
    fn from(t: &Target) -> Self {
        TargetDto {
            household_id: t.household_id.to_string(),
            village_code: t.village_code.to_string(),
            village_name: t.village_name.clone(),
            head_name: t.head_name.clone(),
            group: t.score.group.as_str(),
            group_th: t.score.group.label_th(),
            score: t.score.score,
            income_pc: t.score.income_pc,
            lacks_th: t.deprived.iter().map(|l| l.th.clone()).collect(),
            deprived: t.deprived.iter().map(|l| l.id.clone()).collect(),
            needs: t.needs.iter().map(|l| l.id.clone()).collect(),
            mpi_poor: t.score.mpi_poor,
            target_poor: t.score.target_poor,
            capitals: Capital::ALL
                .iter()
                .map(|c| (c.as_str(), t.score.capitals[*c as usize]))
                .collect(),
        }
    }
}

/// A page of the target list: households ordered by group (hardship first), deprivation score
/// (high first) and income per person (low first), with what each lacks, which help fits and its
/// whole score (flags and capitals): the list of household scores of a round.
#[utoipa::path(
    get,
    path = "/rounds/{round}/targets",
    tag = "targets",
    params(
        ("round" = String, Path, description = "The round's label", example = "2568-1"),
        TargetsQuery,
        PageQuery,
    ),
    responses(
        (status = 200, description = "A page of the target list", body = PageDto<TargetDto>),
        (status = 400, description = "A malformed filter or paging value", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The role sees aggregates only", body = ErrorBody),
        (status = 404, description = "No such round, or the round is not scored", body = ErrorBody),
    )
)]
async fn list_targets(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: OriginalUri,
    Path(round): Path<String>,
    Query(q): Query<TargetsQuery>,
    Query(p): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let paging = p.paging()?;
    let (lm, _) = methodology_for(&state, Some(&round), q.methodology.as_deref()).await?;
    let list = target_list(
        state.reads(),
        state.audit(),
        state.figures(),
        &lm,
        &caller.user,
        &q.to_app(parse::round(&round)?)?,
        Some(paging),
        &format!("{method} {}", uri.0),
    )
    .await?;
    // A cached page is serialised once and its bytes shared by every reader of it (the audit
    // line above is still written per request).
    let body = list.sent.get_or_init(|| {
        let dto = PageDto {
            items: list.page.items.iter().map(TargetDto::from).collect(),
            page: list.page.page,
            per_page: list.page.per_page,
            total: list.page.total,
        };
        serde_json::to_vec(&dto).expect("a target page serialises")
    });
    Ok((
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.clone(),
    )
        .into_response())
}

//! Figures of an area as a user may see them: where its role lets it look, and which rows are
//! suppressed because they count too few households to be shown without risk to privacy.
//!
//! | role | areas it may look at | rows of fewer than [`MIN_CELL`] households |
//! | --- | --- | --- |
//! | admin | everywhere | shown |
//! | area_manager | inside its provinces / districts only (others are "not found") | shown |
//! | surveyor | everywhere | shown inside its subdistricts / villages, suppressed elsewhere |
//! | analyst, agency_officer | everywhere | suppressed |

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use thanrak_core::measure::Unit;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_store::{Role, Store, User};

use crate::access::AccessError;
use crate::cache::TtlCache;
use crate::scoring::{figures, Breakdown, FigureQuery, FigureRow, Figures, LoadedMethodology};
use crate::targeting::run_key;
use crate::AppError;
use tokio::sync::OnceCell;

/// Rows counting fewer households than this are suppressed for roles without personal-data
/// access to the area.
pub const MIN_CELL: u64 = 5;

/// One row of figures and whether it may be shown.
#[derive(Debug, Clone)]
pub struct ScopedRow {
    /// The figures (not to be shown when `suppressed`).
    pub row: FigureRow,
    /// The area of the row: its own for area breakdowns, the area asked for otherwise.
    pub area: Option<AreaCode>,
    /// Households counted in the row.
    pub households: u64,
    /// Whether the row must be shown as "—".
    pub suppressed: bool,
}

/// Figures of one area (or the whole country) for one user.
#[derive(Debug, Clone)]
pub struct AreaFigures {
    /// The round.
    pub round: RoundLabel,
    /// The area asked for (none: every household).
    pub area: Option<AreaCode>,
    /// The breakdown of `rows`.
    pub by: Breakdown,
    /// The methodology, cut-off, unit and indicators of the figures.
    pub figures: Figures,
    /// The area asked for as a whole.
    pub overall: ScopedRow,
    /// One row per key of the breakdown.
    pub rows: Vec<ScopedRow>,
    /// Where the user's view starts: its own areas (area managers), or empty for everywhere.
    pub home: Vec<AreaCode>,
    /// When the round was scored.
    pub scored_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What to show.
#[derive(Debug, Clone)]
pub struct AreaFigureQuery {
    /// The round; the latest scored round when absent.
    pub round: Option<String>,
    /// The area; the user's first area (area managers, surveyors) or everywhere when absent.
    pub area: Option<String>,
    /// The breakdown; the level below the area (groups for a village) when absent.
    pub by: Option<Breakdown>,
    /// Persons or households.
    pub unit: Unit,
}

/// How long figures read from the store are served from memory. Figures change only when a round
/// is scored (or imported, which drops its scores); the server that does it clears the cache, and
/// another process's change is seen after this long.
pub const FIGURES_TTL: Duration = Duration::from_secs(1);

/// The figures of one query as read from the store, for every user alike.
#[derive(Debug)]
struct Stored {
    round: RoundLabel,
    figures: Figures,
    scored_at: Option<DateTime<Utc>>,
}

/// (round asked for, area, breakdown, unit).
type FiguresKey = (Option<String>, Option<AreaCode>, Breakdown, Unit);

/// Figures read from the store, kept for [`FIGURES_TTL`], so that a dashboard under load reads
/// the database once a second per area rather than once per request; requests that arrive while
/// an entry is being read wait for that one read. What one user may see of them (areas, small
/// cells) is decided anew for every request.
#[derive(Debug)]
pub struct FiguresCache(TtlCache<FiguresKey, Arc<OnceCell<Arc<Stored>>>>);

impl FiguresCache {
    /// An empty cache.
    pub fn new() -> FiguresCache {
        // Every area of every level of a few rounds, both units.
        FiguresCache(TtlCache::new(FIGURES_TTL, 100_000))
    }

    /// Forgets everything: for after an import or a scoring.
    pub fn clear(&self) {
        self.0.clear();
    }
}

impl Default for FiguresCache {
    fn default() -> Self {
        FiguresCache::new()
    }
}

/// The rounds that are scored with this methodology, oldest first.
pub async fn scored_rounds(
    store: &Store,
    lm: &LoadedMethodology,
) -> Result<Vec<RoundLabel>, AppError> {
    let m = &lm.methodology;
    Ok(store.scored_rounds(m.id(), m.version()).await?)
}

/// The level below `area` (provinces below the whole country); none below a village.
pub fn child_level(area: Option<&AreaCode>) -> Option<AreaLevel> {
    match area.map(AreaCode::level) {
        None => Some(AreaLevel::Province),
        Some(AreaLevel::Province) => Some(AreaLevel::District),
        Some(AreaLevel::District) => Some(AreaLevel::Subdistrict),
        Some(AreaLevel::Subdistrict) => Some(AreaLevel::Village),
        Some(AreaLevel::Village) => None,
    }
}

/// Whether `user` may see small counts of `area` (none: the whole country).
pub fn sees_small_cells(user: &User, area: Option<&AreaCode>) -> bool {
    match user.role {
        Role::Admin => true,
        Role::AreaManager | Role::Surveyor => {
            area.is_some_and(|a| user.areas.iter().any(|u| a.is_within(u)))
        }
        Role::Analyst | Role::AgencyOfficer => false,
    }
}

fn scoped(user: &User, row: FigureRow, area: Option<AreaCode>) -> ScopedRow {
    let households: u64 = row.summary.households.iter().sum();
    ScopedRow {
        suppressed: households < MIN_CELL && !sees_small_cells(user, area.as_ref()),
        row,
        area,
        households,
    }
}

/// The figures of an area for `user`: an area manager is kept inside its areas (an area outside
/// them is "not found"); rows too small to show are marked for every role that may not see them.
pub async fn area_figures(
    store: &Store,
    cache: &FiguresCache,
    lm: &LoadedMethodology,
    user: &User,
    q: &AreaFigureQuery,
) -> Result<AreaFigures, AccessError> {
    if let Some(r) = &q.round {
        crate::parse_round(r)?;
    }
    let area = q
        .area
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(|a| AreaCode::parse(a).map_err(|e| AppError::Invalid(format!("area code {a:?} {e}"))))
        .transpose()?;
    let home = match user.role {
        Role::AreaManager => user.areas.clone(),
        _ => Vec::new(),
    };
    let area = match (user.role, area) {
        (Role::AreaManager, None) => Some(
            *home
                .first()
                .ok_or_else(|| AccessError::Forbidden("this area manager has no areas".into()))?,
        ),
        (Role::AreaManager, Some(a)) if !home.iter().any(|h| a.is_within(h)) => {
            return Err(AppError::NotFound(format!("there is no area {a} among yours")).into())
        }
        // A surveyor starts at its own area but may look beyond it (small cells suppressed).
        (Role::Surveyor, None) => user.areas.first().copied(),
        (_, a) => a,
    };
    let by = match q.by {
        Some(b) => b,
        None => child_level(area.as_ref()).map_or(Breakdown::Group, Breakdown::Area),
    };
    let key = (q.round.clone(), area, by, q.unit);
    let cell = cache.0.get_or_insert_with(key, Default::default);
    let stored = cell
        .get_or_try_init(|| async { read_figures(store, lm, q, area, by).await.map(Arc::new) })
        .await?
        .clone();
    let Stored {
        round,
        figures: f,
        scored_at,
    } = &*stored;
    let (round, scored_at) = (round.clone(), *scored_at);
    let overall = scoped(user, f.overall.clone(), area);
    let rows = f
        .rows
        .iter()
        .cloned()
        .map(|r| {
            let a = match by {
                Breakdown::Area(_) => AreaCode::parse(&r.key).ok(),
                _ => area,
            };
            scoped(user, r, a)
        })
        .collect();
    Ok(AreaFigures {
        round,
        area,
        by,
        figures: f.clone(),
        overall,
        rows,
        home,
        scored_at,
    })
}

/// The figures of `area` broken down `by`, as stored for the round asked for (the latest scored
/// round when none is).
async fn read_figures(
    store: &Store,
    lm: &LoadedMethodology,
    q: &AreaFigureQuery,
    area: Option<AreaCode>,
    by: Breakdown,
) -> Result<Stored, AppError> {
    let round = match &q.round {
        Some(r) => crate::parse_round(r)?,
        None => scored_rounds(store, lm)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound("no round has been scored yet".into()))?,
    };
    let figures = figures(
        store,
        lm,
        &FigureQuery {
            round: round.to_string(),
            unit: q.unit,
            by,
            within: area,
            k: None,
        },
    )
    .await?;
    let scored_at = store
        .score_run(&run_key(&round, &lm.methodology))
        .await?
        .map(|r| r.computed_at);
    Ok(Stored {
        round,
        figures,
        scored_at,
    })
}

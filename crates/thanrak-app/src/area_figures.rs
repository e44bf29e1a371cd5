//! Figures of an area as a user may see them: where its role lets it look, and which rows are
//! suppressed because they count too few households to be shown without risk to privacy.
//!
//! | role | areas it may look at | counts of fewer than [`MIN_CELL`] households |
//! | --- | --- | --- |
//! | admin | everywhere | shown |
//! | area_manager | inside its provinces / districts only (others are "not found") | shown |
//! | surveyor | everywhere | shown inside its subdistricts / villages, withheld elsewhere |
//! | analyst, agency_officer | everywhere | withheld |
//!
//! Withheld means more than hiding the small count itself: complementary cells are withheld too,
//! consistently in every breakdown, so that no withheld count can be worked out by subtracting
//! shown ones from a total ([`thanrak_core::measure::disclosure`]). Rates (H, A, M0, indicator
//! headcounts, mean capitals) of a shown population, which holds at least [`MIN_CELL`]
//! households, are shown.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use thanrak_core::agency::Agency;
use thanrak_core::measure::disclosure::{protect_rows, Protection};
use thanrak_core::measure::Unit;
use thanrak_core::methodology::Group;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_store::{Case, EnterprisePage, StatusCount, Store, User};

use crate::access::AccessError;
use crate::cache::TtlCache;
use crate::scoring::{figures, Breakdown, FigureQuery, FigureRow, Figures, LoadedMethodology};
use crate::targeting::{run_key, TargetList};
use crate::AppError;
use tokio::sync::OnceCell;

pub use thanrak_core::measure::disclosure::MIN_CELL;

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
    /// Which of the row's four group counts (households and persons) must be shown as "—"
    /// (all when the row is suppressed).
    pub hidden_groups: [bool; 4],
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
    pub round: Option<RoundLabel>,
    /// The area; the user's first area (area managers, surveyors) or everywhere when absent.
    pub area: Option<AreaCode>,
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

/// (round, the areas a user sees in full).
type ProtectionKey = (String, RoundLabel, Vec<AreaCode>);

/// How long a target-list page is trusted (see [`FiguresCache`]).
pub const TARGET_PAGES_TTL: Duration = Duration::from_secs(10);

/// How long what is read of referral cases (counts, first pages, the status by agency) is
/// trusted: a case changed through another process (the CLI, a second server on PostgreSQL)
/// shows within this time; one changed through this server, at once. Counting a province's
/// cases by agency and state takes tens of milliseconds, which readers would wait for each time
/// it is counted again.
pub const CASES_TTL: Duration = Duration::from_secs(5);

/// (methodology file's hash, round asked for, area, breakdown, unit).
type FiguresKey = (
    String,
    Option<RoundLabel>,
    Option<AreaCode>,
    Breakdown,
    Unit,
);

/// Figures read from the store, kept for [`FIGURES_TTL`], so that a dashboard under load reads
/// the database once a second per area rather than once per request; requests that arrive while
/// an entry is being read wait for that one read. What one user may see of them (areas, small
/// cells) is decided anew for every request.
#[derive(Debug)]
pub struct FiguresCache {
    figures: TtlCache<FiguresKey, Arc<OnceCell<Arc<Stored>>>>,
    /// What is withheld, by round and the areas the user sees in full.
    protections: TtlCache<ProtectionKey, Arc<OnceCell<Arc<Protection>>>>,
    /// The stored runs of a round (which methodologies scored it, with their files).
    pub(crate) runs: TtlCache<RoundLabel, Arc<crate::scoring::RoundRuns>>,
    /// Target-list pages, before the audit of the view (which every request writes).
    pub(crate) targets: TtlCache<crate::targeting::PageKey, Arc<OnceCell<Arc<TargetList>>>>,
    /// How many cases a list of cases holds (its page's rows are read each time), and the
    /// referral status by agency: counting an agency's 100,000 cases costs milliseconds that a
    /// loaded inbox cannot pay on every page. Trusted for [`CASES_TTL`]; a server forgets them
    /// when a case changes through it ([`FiguresCache::cases_changed`]).
    pub(crate) case_totals: TtlCache<crate::cases::TotalKey, Arc<OnceCell<u64>>>,
    /// See `case_totals`.
    pub(crate) case_status: TtlCache<crate::cases::StatusKey, Arc<OnceCell<Arc<Vec<StatusCount>>>>>,
    /// Pages of cases, as `case_totals`: the first pages of an inbox are what its officers ask
    /// for again and again.
    pub(crate) case_pages: TtlCache<crate::cases::PageKey, Arc<OnceCell<Arc<Vec<Case>>>>>,
    /// The agency catalogue, which every referral page names agencies from.
    pub(crate) agencies: TtlCache<(), Arc<Vec<Agency>>>,
    /// Pages of the registry of enterprises, as `case_pages`.
    pub(crate) registry_pages:
        TtlCache<crate::economy::RegistryPageKey, Arc<OnceCell<Arc<EnterprisePage>>>>,
}

impl FiguresCache {
    /// An empty cache.
    pub fn new() -> FiguresCache {
        FiguresCache {
            // Every area of every level of a few rounds, both units.
            figures: TtlCache::new(FIGURES_TTL, 100_000),
            // A few rounds for every surveyor's areas.
            protections: TtlCache::new(FIGURES_TTL, 10_000),
            runs: TtlCache::new(FIGURES_TTL, 1_000),
            // The first pages that a busy province asks for, trusted longer than figures: a
            // district's page takes ~80 ms to work out at programme size, during which its readers
            // wait. A server drops them itself after an import or a scoring; a change made by
            // another process shows within this time.
            targets: TtlCache::new(TARGET_PAGES_TTL, 10_000),
            case_totals: TtlCache::new(CASES_TTL, 10_000),
            case_status: TtlCache::new(CASES_TTL, 10_000),
            case_pages: TtlCache::new(CASES_TTL, 10_000),
            agencies: TtlCache::new(CASES_TTL, 1),
            registry_pages: TtlCache::new(CASES_TTL, 10_000),
        }
    }

    /// Forgets what was read of the referral cases, the agency catalogue and the registry of
    /// enterprises: for after any of them changed.
    pub fn cases_changed(&self) {
        self.case_totals.clear();
        self.case_status.clear();
        self.case_pages.clear();
        self.agencies.clear();
        self.registry_pages.clear();
    }

    /// Forgets everything: for after an import or a scoring.
    pub fn clear(&self) {
        self.figures.clear();
        self.protections.clear();
        self.runs.clear();
        self.targets.clear();
        self.cases_changed();
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
    Ok(store.scores().scored_rounds(m.id(), m.version()).await?)
}

/// The round pages open on: the latest round scored with `lm` that an admin has published; when
/// no scored round is published yet, the latest scored (so that a first import can be looked
/// at before it is published). `None`: nothing is scored.
pub async fn default_round(
    store: &Store,
    lm: &LoadedMethodology,
) -> Result<Option<RoundLabel>, AppError> {
    let mut scored = scored_rounds(store, lm).await?;
    let published = store.registry().published_rounds().await?;
    Ok(match scored.iter().rev().find(|r| published.contains(r)) {
        Some(r) => Some(r.clone()),
        None => scored.pop(),
    })
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

/// What is withheld of `round` for a user who sees small counts only in `known`: worked out
/// from the group counts of every village, read once a second per (round, areas) at most.
async fn protection(
    store: &Store,
    cache: &FiguresCache,
    lm: &LoadedMethodology,
    round: &RoundLabel,
    known: Vec<AreaCode>,
) -> Result<Arc<Protection>, AppError> {
    let cell = cache.protections.get_or_insert_with(
        (lm.hash.clone(), round.clone(), known.clone()),
        Default::default,
    );
    let p = cell
        .get_or_try_init(|| async {
            let villages = figures(
                store,
                lm,
                &FigureQuery {
                    round: round.clone(),
                    unit: Unit::Household,
                    by: Breakdown::Area(AreaLevel::Village),
                    within: None,
                    k: None,
                },
            )
            .await?;
            let counts = villages
                .rows
                .iter()
                .filter_map(|r| Some((AreaCode::parse(&r.key).ok()?, r.summary.households)));
            let p = Protection::compute(counts, |a| known.iter().any(|k| a.is_within(k)));
            Ok::<_, AppError>(Arc::new(p))
        })
        .await?;
    Ok(p.clone())
}

fn shown(row: FigureRow, area: Option<AreaCode>) -> ScopedRow {
    ScopedRow {
        households: row.summary.households.iter().sum(),
        row,
        area,
        suppressed: false,
        hidden_groups: [false; 4],
    }
}

/// Marks what `p` withholds of the rows of one query.
fn protect(
    p: &Protection,
    by: Breakdown,
    area: Option<AreaCode>,
    overall: &mut ScopedRow,
    rows: &mut [ScopedRow],
) {
    let whole = |r: &mut ScopedRow, a: Option<&AreaCode>| {
        r.suppressed = p.area_hidden(a);
        r.hidden_groups = if r.suppressed {
            [true; 4]
        } else {
            p.groups_hidden(a)
        };
    };
    whole(overall, area.as_ref());
    match by {
        Breakdown::Area(_) => {
            for r in rows.iter_mut() {
                let a = r.area;
                whole(r, a.as_ref());
            }
        }
        Breakdown::Group => {
            let hidden = overall.hidden_groups;
            for r in rows.iter_mut() {
                let g = Group::parse(&r.row.key).map(|g| g as usize);
                r.suppressed = overall.suppressed || g.is_none_or(|g| hidden[g]);
                r.hidden_groups = [r.suppressed; 4];
            }
        }
        // Inside the user's own areas everything is shown.
        Breakdown::All | Breakdown::HeadSex if p.area_known(area.as_ref()) => {}
        Breakdown::All | Breakdown::HeadSex => {
            // Rows that split the area another way: withheld with complements among themselves,
            // and their split by group is not shown (it would cross the area's group counts).
            let sizes: Vec<u64> = rows.iter().map(|r| r.households).collect();
            for (r, hidden) in rows
                .iter_mut()
                .zip(protect_rows(&sizes, overall.suppressed))
            {
                r.suppressed = hidden;
                r.hidden_groups = [true; 4];
            }
        }
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
    let home = crate::policy::figure_home(user);
    let area = crate::policy::figure_area(user, q.area)?;
    let by = match q.by {
        Some(b) => b,
        None => child_level(area.as_ref()).map_or(Breakdown::Group, Breakdown::Area),
    };
    let key = (lm.hash.clone(), q.round.clone(), area, by, q.unit);
    let cell = cache.figures.get_or_insert_with(key, Default::default);
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
    let mut overall = shown(f.overall.clone(), area);
    let mut rows: Vec<ScopedRow> = f
        .rows
        .iter()
        .cloned()
        .map(|r| {
            let a = match by {
                Breakdown::Area(_) => AreaCode::parse(&r.key).ok(),
                _ => area,
            };
            shown(r, a)
        })
        .collect();
    if let Some(known) = crate::policy::small_counts_seen_in(user) {
        let p = protection(store, cache, lm, &round, known).await?;
        protect(&p, by, area, &mut overall, &mut rows);
    }
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
        Some(r) => r.clone(),
        None => default_round(store, lm)
            .await?
            .ok_or_else(|| AppError::NotFound("no round has been scored yet".into()))?,
    };
    let figures = figures(
        store,
        lm,
        &FigureQuery {
            round: round.clone(),
            unit: q.unit,
            by,
            within: area,
            k: None,
        },
    )
    .await?;
    let scored_at = store
        .scores()
        .run(&run_key(&round, &lm.methodology))
        .await?
        .map(|r| r.computed_at);
    Ok(Stored {
        round,
        figures,
        scored_at,
    })
}

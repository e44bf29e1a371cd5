//! Scoring a round and reading its figures: the methodology file, `score`, area and group
//! breakdowns (precomputed at scoring time, so reading them is a lookup), household rows.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use thanrak_core::measure::af::{AfAccumulator, AfInput};
use thanrak_core::measure::{
    aggregate, aggregate_scores, by_area, by_group, by_head_sex, Summary, Unit,
};
use thanrak_core::methodology::{Group, Methodology, Ratio, SHIPPED_FILES};
use thanrak_core::{measure, Area, AreaCode, AreaLevel, AreaRegistry, RoundLabel};
use thanrak_store::{AggregateRow, RunKey, ScoreRun, Store, StoredScore};

use crate::area_figures::FiguresCache;

use crate::{ensure_round, AppError, Progress};

/// A methodology with the hash of its file's text.
#[derive(Debug, Clone)]
pub struct LoadedMethodology {
    /// The parsed methodology.
    pub methodology: Methodology,
    /// FNV-1a hash of the file's text (hex), stored with each run.
    pub hash: String,
    /// The file's text, stored with each run so that pages read a run with its own file.
    pub text: String,
}

fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Loads the methodology file at `path`, or the shipped default (`thanrak-default-1`).
/// A path that is no file but the id of a shipped methodology (`tpmap-welfare-1`) loads that one.
/// A wrong file is refused with the line (and column) of the problem.
pub fn load_methodology(path: Option<&Path>) -> Result<LoadedMethodology, AppError> {
    let (text, name) = match path {
        Some(p) if !p.exists() && p.to_str().and_then(Methodology::shipped_file).is_some() => {
            let id = p.to_str().unwrap_or_default();
            (
                Methodology::shipped_file(id)
                    .unwrap_or_default()
                    .to_string(),
                format!("the shipped methodology {id}"),
            )
        }
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| {
                AppError::Invalid(format!(
                    "cannot read the methodology file {}: {e} (the shipped ones are {})",
                    p.display(),
                    shipped_ids().join(", ")
                ))
            })?,
            p.display().to_string(),
        ),
        None => (
            Methodology::default_file().to_string(),
            "the default methodology".into(),
        ),
    };
    parse_loaded(&text, &name)
}

fn shipped_ids() -> Vec<&'static str> {
    SHIPPED_FILES.iter().map(|(id, _)| *id).collect()
}

fn parse_loaded(text: &str, name: &str) -> Result<LoadedMethodology, AppError> {
    let methodology =
        Methodology::parse(text).map_err(|e| AppError::Invalid(format!("{name}: {e}")))?;
    Ok(LoadedMethodology {
        methodology,
        hash: fnv1a(text),
        text: text.to_string(),
    })
}

/// A methodology by the text of its file, parsed once per process (keyed by the text's hash).
fn cached(text: &str, name: &str) -> Result<Arc<LoadedMethodology>, AppError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<LoadedMethodology>>>> = OnceLock::new();
    let hash = fnv1a(text);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(m) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&hash) {
        return Ok(Arc::clone(m));
    }
    let m = Arc::new(parse_loaded(text, name)?);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(hash, Arc::clone(&m));
    Ok(m)
}

/// The shipped default methodology, parsed once (and not hashed again on every call: pages
/// ask for it for every row they label).
pub fn default_methodology() -> Arc<LoadedMethodology> {
    static DEFAULT: OnceLock<Arc<LoadedMethodology>> = OnceLock::new();
    Arc::clone(DEFAULT.get_or_init(|| {
        cached(Methodology::default_file(), "the default methodology")
            .expect("the shipped methodology is valid")
    }))
}

/// A shipped methodology by id (`thanrak-default-1`, `tpmap-welfare-1`), parsed once.
pub fn shipped_methodology(id: &str) -> Option<Arc<LoadedMethodology>> {
    let text = Methodology::shipped_file(id)?;
    cached(text, id).ok()
}

/// The stored runs of a round, read at most once a second through `cache` (a loaded server asks
/// for them on every page).
pub(crate) async fn round_runs(
    store: &Store,
    cache: &FiguresCache,
    round: &RoundLabel,
) -> Result<Arc<RoundRuns>, AppError> {
    if let Some(r) = cache.runs.get(round) {
        return Ok(r);
    }
    let runs = Arc::new(RoundRuns::new(store.scores().runs(round).await?)?);
    cache.runs.insert(round.clone(), Arc::clone(&runs));
    Ok(runs)
}

/// One stored run of a round: which methodology scored it, when, and how many households.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Methodology id.
    pub id: String,
    /// Methodology version.
    pub version: String,
    /// The file's title, when it has one.
    pub title: Option<String>,
    /// When it was scored.
    pub computed_at: chrono::DateTime<chrono::Utc>,
    /// Households scored.
    pub households: i64,
}

/// The methodology a round's pages use: the run of `id` when one is asked for (a round scored
/// under that id; otherwise NotFound), else the run of the default methodology, else the
/// round's first run; the default methodology when the round has no run (pages then say it is
/// not scored). The run's own file is used (stored with it), so that a custom file's labels,
/// needs and groups show; a run stored before files were kept falls back to the shipped file of
/// its id.
pub async fn run_methodology(
    store: &Store,
    cache: &FiguresCache,
    round: &RoundLabel,
    id: Option<&str>,
) -> Result<(Arc<LoadedMethodology>, Arc<[RunInfo]>), AppError> {
    let runs = round_runs(store, cache, round).await?;
    let chosen = match id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => Some(
            runs.runs
                .iter()
                .position(|r| r.key.methodology_id == id)
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "round {round} has not been scored with methodology {id:?}"
                    ))
                })?,
        ),
        None => runs
            .runs
            .iter()
            .position(|r| r.key.methodology_id == Methodology::thanrak_default().id())
            .or((!runs.runs.is_empty()).then_some(0)),
    };
    let lm = match chosen {
        None => default_methodology(),
        Some(i) => runs.loaded[i].clone().ok_or_else(|| {
            AppError::Invalid(format!(
                "round {round} was scored with {} before methodology files were stored with \
                 runs: score it again",
                runs.runs[i].key.methodology_id
            ))
        })?,
    };
    Ok((lm, Arc::clone(&runs.infos)))
}

/// A round's stored runs with each run's methodology parsed and a line to show for each: what
/// every page of the round needs, worked out once a second at most.
#[derive(Debug)]
pub(crate) struct RoundRuns {
    pub runs: Vec<ScoreRun>,
    /// The methodology of each run: its stored file, or for a run stored before files were kept
    /// the shipped file of its id (`None` when there is none).
    pub loaded: Vec<Option<Arc<LoadedMethodology>>>,
    pub infos: Arc<[RunInfo]>,
}

impl RoundRuns {
    fn new(runs: Vec<ScoreRun>) -> Result<RoundRuns, AppError> {
        let mut loaded = Vec::new();
        for r in &runs {
            let id = &r.key.methodology_id;
            loaded.push(match (&r.methodology_text, Methodology::shipped_file(id)) {
                (Some(text), _) => Some(cached(text, &format!("the methodology of run {id}"))?),
                (None, Some(text)) => Some(cached(text, id)?),
                (None, None) => None,
            });
        }
        let infos: Arc<[RunInfo]> = runs
            .iter()
            .zip(&loaded)
            .map(|(r, m)| RunInfo {
                id: r.key.methodology_id.clone(),
                version: r.key.methodology_version.clone(),
                title: m
                    .as_ref()
                    .and_then(|m| m.methodology.title().map(str::to_string)),
                computed_at: r.computed_at,
                households: r.households,
            })
            .collect();
        Ok(RoundRuns {
            runs,
            loaded,
            infos,
        })
    }
}

fn run_key(round: &RoundLabel, m: &Methodology) -> RunKey {
    RunKey {
        round: round.clone(),
        methodology_id: m.id().to_string(),
        methodology_version: m.version().to_string(),
    }
}

/// What a scoring run produced.
#[derive(Debug, Clone)]
pub struct ScoreSummary {
    /// The round scored.
    pub round: RoundLabel,
    /// Methodology id and version.
    pub methodology: (String, String),
    /// Households scored.
    pub households: usize,
    /// Households in each group, in [`Group::ALL`] order.
    pub groups: [u64; 4],
    /// The whole round's figures, persons as the unit.
    pub overall: Summary,
    /// Whether an earlier run of the same id and version was computed from a different file.
    pub methodology_changed: bool,
    /// Seconds spent reading the round, scoring and aggregating, and writing the results.
    pub seconds: [f64; 3],
}

/// The breakdowns precomputed at scoring time.
const AREA_BREAKDOWNS: [AreaLevel; 4] = AreaLevel::ALL;

/// Scores every household of a round and stores the scores and every breakdown's figures,
/// replacing an earlier run of the same methodology id and version.
pub async fn score_round(
    store: &Store,
    round: &RoundLabel,
    m: &LoadedMethodology,
    progress: Progress<'_>,
) -> Result<ScoreSummary, AppError> {
    ensure_round(store, round).await?;
    let key = run_key(round, &m.methodology);
    let previous = store.scores().run(&key).await?;
    let started = std::time::Instant::now();
    progress("read", 0, 1);
    // Both tables are read at once, on two connections.
    let (households, members) = futures_util::future::try_join(
        store.registry().households(round),
        store.registry().members(round),
    )
    .await?;
    // The facts of the areas rules may use: the CBT groups of the grassroots-economy registry.
    let context = measure::AreaContext {
        cbt_subdistricts: store
            .economy()
            .cbt_subdistricts()
            .await?
            .into_iter()
            .collect(),
    };
    progress("read", 1, 1);
    let read = started.elapsed().as_secs_f64();
    let meth = &m.methodology;
    // Scoring and aggregating a round is CPU work of seconds: a server's other requests go on.
    let (scores, rows) = crate::blocking(|| {
        let scores = measure::score_round_in(meth, &households, &members, &context);
        let mut rows = Vec::new();
        for unit in [Unit::Person, Unit::Household] {
            let all = aggregate(meth, &households, &scores, unit, |_, _| ());
            rows.push(AggregateRow {
                unit,
                breakdown: "all".into(),
                key: String::new(),
                summary: all.overall,
            });
            for level in AREA_BREAKDOWNS {
                let agg = aggregate(meth, &households, &scores, unit, by_area(level));
                rows.extend(agg.by_key.into_iter().map(|(k, summary)| AggregateRow {
                    unit,
                    breakdown: level.as_str().into(),
                    key: k.to_string(),
                    summary,
                }));
            }
            let agg = aggregate(meth, &households, &scores, unit, by_group);
            rows.extend(agg.by_key.into_iter().map(|(k, summary)| AggregateRow {
                unit,
                breakdown: "group".into(),
                key: k.as_str().into(),
                summary,
            }));
            let agg = aggregate(meth, &households, &scores, unit, by_head_sex);
            rows.extend(agg.by_key.into_iter().map(|(k, summary)| AggregateRow {
                unit,
                breakdown: "head_sex".into(),
                key: k.map(|s| s.as_str()).unwrap_or("").into(),
                summary,
            }));
        }
        (scores, rows)
    });
    let computed = started.elapsed().as_secs_f64();
    progress("write", 0, 1);
    store
        .scores()
        .save(&key, &m.hash, &m.text, &households, &scores, &rows)
        .await?;
    progress("write", 1, 1);
    let overall = rows[0].summary.clone();
    Ok(ScoreSummary {
        round: key.round,
        methodology: (key.methodology_id, key.methodology_version),
        households: households.len(),
        groups: overall.households,
        overall,
        methodology_changed: previous.is_some_and(|p| p.methodology_hash != m.hash),
        seconds: [
            read,
            computed - read,
            started.elapsed().as_secs_f64() - computed,
        ],
    })
}

/// How figures are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breakdown {
    /// One row: the whole population (or the area asked for).
    All,
    /// By area at a level.
    Area(AreaLevel),
    /// By group of methodology §4.
    Group,
    /// By sex of the household head.
    HeadSex,
}

impl Breakdown {
    /// Parses `all`, an area level, `group` or `head_sex`.
    pub fn parse(s: &str) -> Result<Breakdown, AppError> {
        match s.trim() {
            "all" => Ok(Breakdown::All),
            "group" => Ok(Breakdown::Group),
            "head_sex" | "sex" => Ok(Breakdown::HeadSex),
            other => AreaLevel::parse(other).map(Breakdown::Area).ok_or_else(|| {
                AppError::Invalid(format!(
                    "cannot break down by {other:?}: use province, district, subdistrict, village, group, head_sex or all"
                ))
            }),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Breakdown::All => "all",
            Breakdown::Area(l) => l.as_str(),
            Breakdown::Group => "group",
            Breakdown::HeadSex => "head_sex",
        }
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone)]
pub struct FigureRow {
    /// The key: area code, group code, sex code, or empty for the whole.
    pub key: String,
    /// Thai name of the key (area name, group label).
    pub name_th: String,
    /// English name of the key.
    pub name_en: String,
    /// The figures.
    pub summary: Summary,
}

/// Figures of a round: the whole (or the area asked for) and one row per key.
#[derive(Debug, Clone)]
pub struct Figures {
    /// Methodology id and version the figures come from.
    pub methodology: (String, String),
    /// The cut-off used.
    pub k: Ratio,
    /// Persons or households.
    pub unit: Unit,
    /// Indicator ids, in the order of the vectors in each summary.
    pub indicators: Vec<String>,
    /// The whole population asked for.
    pub overall: FigureRow,
    /// One row per key.
    pub rows: Vec<FigureRow>,
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct FigureQuery {
    /// The round.
    pub round: RoundLabel,
    /// Persons or households.
    pub unit: Unit,
    /// The breakdown.
    pub by: Breakdown,
    /// Only households inside this area.
    pub within: Option<AreaCode>,
    /// A cut-off other than the methodology's (figures then come from the stored scores).
    pub k: Option<Ratio>,
}

/// The names of an area (villages get generated names).
pub fn area_names(code: &AreaCode) -> (String, String) {
    match AreaRegistry::official().get(code) {
        Some(a) => (a.name_th.clone(), a.name_en.clone()),
        None => {
            let a = Area::village(*code);
            (a.name_th, a.name_en)
        }
    }
}

fn key_names(by: Breakdown, key: &str) -> (String, String) {
    match by {
        Breakdown::All => ("ทั้งหมด".into(), "all".into()),
        Breakdown::Area(_) => AreaCode::parse(key)
            .map(|c| area_names(&c))
            .unwrap_or_default(),
        Breakdown::Group => Group::parse(key)
            .map(|g| (g.label_th().into(), g.label_en().into()))
            .unwrap_or_default(),
        Breakdown::HeadSex => match thanrak_core::household::Sex::parse(key) {
            Some(s) => (
                s.label_th().into(),
                if key == "M" { "male" } else { "female" }.into(),
            ),
            None => ("ไม่ระบุ".into(), "unknown".into()),
        },
    }
}

async fn require_run(store: &Store, key: &RunKey) -> Result<(), AppError> {
    if store.scores().run(key).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "round {} has not been scored with {} {}: run `thanrak score --round {}` first",
            key.round, key.methodology_id, key.methodology_version, key.round
        )));
    }
    Ok(())
}

/// Figures of a scored round by a breakdown. With the methodology's own k and no area filter
/// on a non-area breakdown, the figures are read as stored at scoring time (a lookup); otherwise
/// they are computed from the stored scores.
pub async fn figures(
    store: &Store,
    m: &LoadedMethodology,
    q: &FigureQuery,
) -> Result<Figures, AppError> {
    let meth = &m.methodology;
    let round = &q.round;
    ensure_round(store, round).await?;
    let key = run_key(round, meth);
    require_run(store, &key).await?;
    if let (Some(w), Breakdown::Area(level)) = (&q.within, q.by) {
        if level <= w.level() {
            return Err(AppError::Rule(format!(
                "--by {level} is not below the area {w} (a {})",
                w.level()
            )));
        }
    }
    let k = q.k.unwrap_or(meth.k());
    let indicators: Vec<String> = meth.indicators().iter().map(|i| i.id.clone()).collect();
    let row = |by: Breakdown, key: String, summary: Summary| {
        let (name_th, name_en) = key_names(by, &key);
        FigureRow {
            key,
            name_th,
            name_en,
            summary,
        }
    };
    let stored_ok = k == meth.k()
        && (q.within.is_none() || matches!(q.by, Breakdown::Area(_) | Breakdown::All));
    let (overall, rows) = if stored_ok {
        let overall = match &q.within {
            None => store.scores().aggregates(&key, q.unit, "all").await?.pop(),
            Some(w) => store
                .scores()
                .aggregates(&key, q.unit, w.level().as_str())
                .await?
                .into_iter()
                .find(|(k, _)| *k == w.to_string()),
        };
        let overall = match overall {
            Some((_, s)) => s,
            None => {
                return Err(AppError::NotFound(format!(
                    "no households of round {round} in the area asked for"
                )))
            }
        };
        let rows = match q.by {
            Breakdown::All => Vec::new(),
            by => store
                .scores()
                .aggregates(&key, q.unit, by.as_str())
                .await?
                .into_iter()
                .filter(|(k, _)| q.within.is_none_or(|w| k.starts_with(&w.to_string())))
                .map(|(k, s)| row(by, k, s))
                .collect(),
        };
        (overall, rows)
    } else {
        let scores = store.scores().of_run(&key, q.within.as_ref()).await?;
        if scores.is_empty() {
            return Err(AppError::NotFound(format!(
                "no households of round {round} in the area asked for"
            )));
        }
        let weights = AfInput::from_methodology(meth).weights().to_vec();
        let input =
            AfInput::new(weights, k).map_err(|e| AppError::Invalid(format!("k = {k}: {e}")))?;
        let keyed = scores.iter().map(|s: &StoredScore| {
            let key = match q.by {
                Breakdown::All => String::new(),
                Breakdown::Area(l) => s
                    .village_code
                    .ancestor(l)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                Breakdown::Group => s.score.group.as_str().to_string(),
                Breakdown::HeadSex => s.score.head_sex.map(|x| x.as_str()).unwrap_or("").into(),
            };
            (key, &s.score)
        });
        let agg = aggregate_scores(input, keyed, q.unit);
        let rows = match q.by {
            Breakdown::All => Vec::new(),
            by => agg.by_key.into_iter().map(|(k, s)| row(by, k, s)).collect(),
        };
        (agg.overall, rows)
    };
    let mut rows = rows;
    if q.by == Breakdown::Group {
        // The groups read best in the methodology's order, hardship first.
        rows.sort_by_key(|r| Group::parse(&r.key).map(|g| g as usize));
    }
    let overall_key = q.within.map(|w| w.to_string()).unwrap_or_default();
    let (name_th, name_en) = match &q.within {
        Some(w) => area_names(w),
        None => ("ทั้งหมด".into(), "all".into()),
    };
    Ok(Figures {
        methodology: (key.methodology_id, key.methodology_version),
        k,
        unit: q.unit,
        indicators,
        overall: FigureRow {
            key: overall_key,
            name_th,
            name_en,
            summary: overall,
        },
        rows,
    })
}

/// The stored scores of a scored round, optionally inside an area, by household id.
pub async fn household_scores(
    store: &Store,
    m: &LoadedMethodology,
    round: &RoundLabel,
    area: Option<&AreaCode>,
) -> Result<Vec<StoredScore>, AppError> {
    ensure_round(store, round).await?;
    let key = run_key(round, &m.methodology);
    require_run(store, &key).await?;
    Ok(store.scores().of_run(&key, area).await?)
}

/// The result of the standalone Alkire–Foster calculator.
#[derive(Debug, Clone)]
pub struct StandaloneMpi {
    /// Indicator columns, in file order.
    pub indicators: Vec<String>,
    /// Their weights, as shares of the total weight.
    pub weights: Vec<Ratio>,
    /// The cut-off, as a share of the total weight.
    pub k: Ratio,
    /// Data rows read.
    pub rows: u64,
    /// The whole population.
    pub overall: thanrak_core::measure::af::AfResult,
    /// Each group (by the group column), by name.
    pub groups: Vec<(String, thanrak_core::measure::af::AfResult)>,
}

/// Runs the Alkire–Foster method over any CSV of 0/1 deprivation columns, streaming.
/// `weights` default to equal; they are normalised to sum to 1, so k is a share of the total.
pub fn standalone_mpi(
    path: &Path,
    k: Ratio,
    weights: Option<Vec<Ratio>>,
    group_column: Option<&str>,
    weight_column: Option<&str>,
) -> Result<StandaloneMpi, AppError> {
    use thanrak_io::deprivations::Folded;

    let invalid = |e: thanrak_io::deprivations::DeprivationError| AppError::Invalid(e.to_string());
    let make = |d: usize| -> Result<(AfAccumulator<Vec<u8>>, Vec<Ratio>), AppError> {
        let raw = match &weights {
            None => vec![Ratio::new(1, d as i64).expect("d > 0"); d],
            Some(w) if w.len() == d => w.clone(),
            Some(w) => {
                return Err(AppError::Invalid(format!(
                    "{} weights given for {d} indicator columns",
                    w.len()
                )))
            }
        };
        let total = raw
            .iter()
            .try_fold(Ratio::new(0, 1).expect("0/1"), |s, w| s.checked_add(*w))
            .filter(|t| t.numer() > 0)
            .ok_or_else(|| AppError::Invalid("the weights must sum to more than 0".into()))?;
        let normalised = raw
            .iter()
            .map(|w| w.checked_div(total))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                AppError::Invalid("the weights are too fine to add up exactly".into())
            })?;
        let input = AfInput::new(normalised.clone(), k)
            .map_err(|e| AppError::Invalid(format!("weights or k: {e}")))?;
        Ok((AfAccumulator::new(input), normalised))
    };
    // A wrong argument is reported before any problem further down the file.
    let header =
        thanrak_io::deprivations::read_deprivation_header(path, group_column, weight_column)
            .map_err(invalid)?;
    let (empty, used_weights) = make(header.indicators.len())?;
    let fold = PatternFold {
        input: empty.input().clone(),
    };
    let (header, rows, acc) =
        match thanrak_io::deprivations::fold_deprivations(path, group_column, weight_column, &fold)
            .map_err(invalid)?
        {
            Folded::Done(header, rows, acc) => (header, rows, acc.unwrap_or(empty)),
            Folded::Unsupported => {
                // Quoted fields or more than 64 indicators: the general reader, one row at a time.
                let mut acc: AfAccumulator<u32> = AfAccumulator::new(fold.input.clone());
                let mut names: Vec<Vec<u8>> = Vec::new();
                let mut ids: HashMap<Vec<u8>, u32> = HashMap::new();
                let (header, rows) = thanrak_io::deprivations::stream_deprivations(
                    path,
                    group_column,
                    weight_column,
                    |row, w, group| {
                        let g = group.map(|g| match ids.get(g) {
                            Some(id) => *id,
                            None => {
                                let id = names.len() as u32;
                                names.push(g.to_vec());
                                ids.insert(g.to_vec(), id);
                                id
                            }
                        });
                        acc.push(row, w, g);
                    },
                )
                .map_err(invalid)?;
                (
                    header,
                    rows,
                    acc.map_groups(|id| names[id as usize].clone()),
                )
            }
        };
    let out = acc.finish();
    let mut groups: Vec<(String, _)> = out
        .groups
        .into_iter()
        .map(|(name, r)| (String::from_utf8_lossy(&name).into_owned(), r))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(StandaloneMpi {
        indicators: header.indicators,
        weights: used_weights,
        k,
        rows,
        overall: out.overall,
        groups,
    })
}

/// The standalone calculator's fold over a chunk of a deprivation file: each chunk sums its rows
/// into an Alkire–Foster accumulator keyed by the chunk's own group numbers (one hash lookup of
/// the group's text a row, none when it repeats the row before), named when the chunk ends.
struct PatternFold {
    input: AfInput,
}

struct PatternState {
    names: Vec<Vec<u8>>,
    ids: rustc_hash::FxHashMap<Vec<u8>, u32>,
    /// The last group seen: files are often sorted by it.
    last: Option<u32>,
    acc: AfAccumulator<u32>,
}

impl thanrak_io::deprivations::ChunkFold for PatternFold {
    type State = PatternState;
    type Out = AfAccumulator<Vec<u8>>;

    fn start(&self) -> PatternState {
        PatternState {
            names: Vec::new(),
            ids: Default::default(),
            last: None,
            acc: AfAccumulator::new(self.input.clone()),
        }
    }

    fn row(&self, s: &mut PatternState, bits: u64, weight: f64, group: Option<&[u8]>) {
        let id = group.map(|g| match s.last {
            Some(id) if s.names[id as usize] == g => id,
            _ => {
                let id = match s.ids.get(g) {
                    Some(id) => *id,
                    None => {
                        let id = s.names.len() as u32;
                        s.names.push(g.to_vec());
                        s.ids.insert(g.to_vec(), id);
                        id
                    }
                };
                s.last = Some(id);
                id
            }
        });
        s.acc.push_bits(bits, weight, id);
    }

    fn end(&self, s: PatternState) -> AfAccumulator<Vec<u8>> {
        let names = s.names;
        s.acc.map_groups(|id| names[id as usize].clone())
    }

    fn merge(&self, earlier: &mut AfAccumulator<Vec<u8>>, later: AfAccumulator<Vec<u8>>) {
        earlier.merge(later);
    }
}

//! Strategic area selection (issue 12, part 2; methodology §6): candidate areas at a level
//! inside an area, ranked by the concentration of their poor, a registered partner university
//! and the quality of their data, with every component beside the score; the weights and the
//! reference date are the caller's.
//!
//! Candidates are the areas with households scored in the round (the latest scored round by
//! default); their poor are the households in hardship or struggling in that round's stored
//! figures; their data quality is read from the round's households ([`AreaQuality`]). Who may
//! look where follows the figures: an area manager inside its areas; a reader who may not see
//! small counts gets only the candidates with at least [`MIN_CELL`] households and no poor
//! count of 1 to 4 (the others are counted as withheld and not ranked, so that no maximum or
//! score gives a small count away).

use chrono::NaiveDate;
use thanrak_core::measure::disclosure::MIN_CELL;
use thanrak_core::measure::Unit;
use thanrak_core::plan::Partner;
use thanrak_core::strategy::{rank, Candidate, Ranked, Weights};
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_store::{Scope, Store, User};

use crate::access::AccessError;
use crate::area_figures::{default_round, FiguresCache};
use crate::scoring::{area_names, figures, Breakdown, FigureQuery, LoadedMethodology};
use crate::targeting::scored_run;
use crate::AppError;

/// What to rank.
#[derive(Debug, Clone)]
pub struct RankQuery {
    /// The round (the latest scored round when absent).
    pub round: Option<RoundLabel>,
    /// The level of the candidates.
    pub level: AreaLevel,
    /// Inside this area (the whole country, or an area manager's first area, when absent).
    pub area: Option<AreaCode>,
    /// The weights of the components.
    pub weights: Weights,
    /// The date freshness is counted from.
    pub reference: NaiveDate,
    /// Only the first this many (every candidate when absent).
    pub top: Option<usize>,
}

/// A ranked area with its names and the partners that manage it.
#[derive(Debug, Clone)]
pub struct RankRow {
    /// The rank and every component.
    pub ranked: Ranked,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// The partner universities that manage it (codes).
    pub partners: Vec<String>,
}

/// A ranking.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The round.
    pub round: RoundLabel,
    /// The level.
    pub level: AreaLevel,
    /// The area ranked inside.
    pub area: Option<AreaCode>,
    /// The weights used.
    pub weights: Weights,
    /// The reference date used.
    pub reference: NaiveDate,
    /// The ranked areas (the first `top`).
    pub rows: Vec<RankRow>,
    /// Candidates ranked in all.
    pub ranked: usize,
    /// Candidates left out because their counts are too small to show this reader.
    pub withheld: usize,
}

/// Ranks the areas of `q.level` inside `q.area` for `user`.
pub async fn rank_areas(
    store: &Store,
    cache: &FiguresCache,
    lm: &LoadedMethodology,
    user: &User,
    q: &RankQuery,
) -> Result<Ranking, AccessError> {
    let area = crate::policy::figure_area(user, q.area)?;
    if let Some(a) = &area {
        if q.level.code_len() <= a.level().code_len() {
            return Err(AppError::Rule(format!(
                "areas of level {} cannot be ranked inside {a}, which is a {}: choose a level below it",
                q.level.as_str(),
                a.level().as_str()
            ))
            .into());
        }
    }
    let round = match &q.round {
        Some(r) => r.clone(),
        None => default_round(store, lm)
            .await?
            .ok_or_else(|| AppError::NotFound("no round has been scored yet".into()))?,
    };
    scored_run(store, cache, &lm.methodology, &round).await?;
    let by_area = figures(
        store,
        lm,
        &FigureQuery {
            round: round.clone(),
            unit: Unit::Household,
            by: Breakdown::Area(q.level),
            within: area,
            k: None,
        },
    )
    .await?;
    let quality = store
        .registry()
        .quality_by_area(&round, q.level, &Scope::All, area.as_ref())
        .await
        .map_err(AppError::from)?;
    let partners: Vec<Partner> = store.plan().partners().await.map_err(AppError::from)?;
    let known = crate::policy::small_counts_seen_in(user);
    let mut withheld = 0;
    let mut candidates = Vec::new();
    for row in &by_area.rows {
        let Ok(code) = AreaCode::parse(&row.key) else {
            continue;
        };
        let h = row.summary.households;
        let households: u64 = h.iter().sum();
        let poor = h[0] + h[1];
        let small = households < MIN_CELL || (poor > 0 && poor < MIN_CELL);
        let seen = match &known {
            None => true,
            Some(k) => k.iter().any(|a| code.is_within(a)),
        };
        if small && !seen {
            withheld += 1;
            continue;
        }
        let qa = quality.iter().find(|x| x.area == code);
        candidates.push(Candidate {
            area: code,
            households,
            poor,
            complete: qa.map_or(0, |x| x.complete),
            latest_survey: qa.and_then(|x| x.latest_survey),
            has_manager: partners.iter().any(|p| p.manages(&code)),
        });
    }
    let ranked = rank(candidates, q.weights, q.reference);
    let total = ranked.len();
    let rows = ranked
        .into_iter()
        .take(q.top.unwrap_or(usize::MAX))
        .map(|r| {
            let (name_th, name_en) = area_names(&r.candidate.area);
            RankRow {
                partners: partners
                    .iter()
                    .filter(|p| p.manages(&r.candidate.area))
                    .map(|p| p.code.to_string())
                    .collect(),
                ranked: r,
                name_th,
                name_en,
            }
        })
        .collect();
    Ok(Ranking {
        round,
        level: q.level,
        area,
        weights: q.weights,
        reference: q.reference,
        rows,
        ranked: total,
        withheld,
    })
}

/// The columns of a downloaded ranking.
pub const RANKING_COLUMNS: [&str; 14] = [
    "rank",
    "area_code",
    "area_name",
    "households",
    "poor",
    "poor_share",
    "concentration",
    "area_manager",
    "partners",
    "completeness",
    "freshness",
    "data_quality",
    "latest_survey",
    "score",
];

/// A ranking as rows of text for a CSV or XLSX download (Thai names; shares with four decimals).
pub fn ranking_rows(r: &Ranking) -> Vec<Vec<String>> {
    r.rows
        .iter()
        .map(|row| {
            let x = &row.ranked;
            let f = |v: f64| format!("{v:.4}");
            vec![
                x.rank.to_string(),
                x.candidate.area.to_string(),
                row.name_th.clone(),
                x.candidate.households.to_string(),
                x.candidate.poor.to_string(),
                f(x.poor_share),
                f(x.concentration),
                f(x.area_manager),
                row.partners.join(" "),
                f(x.completeness),
                f(x.freshness),
                f(x.data_quality),
                x.candidate
                    .latest_survey
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                f(x.score),
            ]
        })
        .collect()
}

/// A ranking as a CSV or XLSX file.
pub fn ranking_file(r: &Ranking, format: thanrak_io::ExportFormat) -> Result<Vec<u8>, AppError> {
    let rows = ranking_rows(r);
    match format {
        thanrak_io::ExportFormat::Csv => crate::targeting::table_csv(&RANKING_COLUMNS, &rows),
        thanrak_io::ExportFormat::Xlsx => {
            crate::targeting::table_xlsx("ranking", &RANKING_COLUMNS, &rows)
        }
    }
}

/// The strategic score of each area of `f`'s rows for a map: the ranked areas with their score,
/// the others (withheld from this reader) without a value.
pub fn map_values(
    r: &Ranking,
    f: &crate::area_figures::AreaFigures,
) -> Vec<crate::boundaries::MapValue> {
    f.rows
        .iter()
        .filter_map(|row| {
            let code = row.area?;
            let ranked = r.rows.iter().find(|x| x.ranked.candidate.area == code);
            Some(crate::boundaries::MapValue {
                code,
                households: ranked.map(|x| x.ranked.candidate.households),
                value: ranked.map(|x| x.ranked.score),
            })
        })
        .collect()
}

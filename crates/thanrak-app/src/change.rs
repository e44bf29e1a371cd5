//! Change between two rounds (issue 12, part 1): for an area and the areas of a level inside it,
//! the transition table of the four groups, the households that left poverty and those that fell
//! into it, H, A, M0 and every indicator's headcount in both rounds; and the transitions of the
//! households helped (the logbook) beside those of the households not helped.
//!
//! Who sees what follows the figures ([`crate::area_figures`]): an area manager stays inside its
//! areas; a reader who may not see small counts gets the transition tables with small cells and
//! their complements withheld ([`thanrak_core::measure::change::protect_transitions`]).

use std::collections::BTreeMap;

use thanrak_core::measure::change::{
    protect_transitions, withhold_count, Standing, Transitions, STATES,
};
use thanrak_core::measure::Unit;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_store::{Scope, StandingRow, Store, User};

use crate::access::AccessError;
use crate::area_figures::{
    area_figures, child_level, AreaFigureQuery, AreaFigures, FiguresCache, ScopedRow,
};
use crate::scoring::{area_names, Breakdown, LoadedMethodology};
use crate::targeting::{run_key, scored_run};
use crate::AppError;

/// What to compare.
#[derive(Debug, Clone)]
pub struct ChangeQuery {
    /// The earlier round.
    pub from: RoundLabel,
    /// The later round.
    pub to: RoundLabel,
    /// Inside this area (the whole country, or the user's first area, when absent).
    pub area: Option<AreaCode>,
    /// The level of the rows (the level below the area when absent).
    pub by: Option<AreaLevel>,
    /// Persons or households, for H, A, M0 and the indicators' headcounts.
    pub unit: Unit,
}

/// One transition table as a reader may see it.
#[derive(Debug, Clone)]
pub struct ShownTransitions {
    /// The counts (a withheld cell must not be shown).
    pub counts: Transitions,
    /// Which cells are withheld.
    pub hidden: [[bool; STATES]; STATES],
    /// Whether the counts that left, fell into and stayed in poverty are withheld (each apart).
    pub poverty_hidden: [bool; 3],
}

impl ShownTransitions {
    fn new(counts: Transitions, protect: bool) -> ShownTransitions {
        let (hidden, poverty_hidden) = if protect {
            (
                protect_transitions(&counts),
                [
                    withhold_count(counts.left_poverty),
                    withhold_count(counts.fell_into_poverty),
                    withhold_count(counts.stayed_poor),
                ],
            )
        } else {
            ([[false; STATES]; STATES], [false; 3])
        };
        ShownTransitions {
            counts,
            hidden,
            poverty_hidden,
        }
    }

    fn withheld(counts: Transitions) -> ShownTransitions {
        ShownTransitions {
            counts,
            hidden: [[true; STATES]; STATES],
            poverty_hidden: [true; 3],
        }
    }

    /// A cell as shown: `None` when withheld.
    pub fn cell(&self, from: usize, to: usize) -> Option<u64> {
        (!self.hidden[from][to]).then(|| self.counts.counts[from][to])
    }

    /// Whether anything in the table is withheld.
    pub fn any_hidden(&self) -> bool {
        self.hidden.iter().flatten().any(|h| *h) || self.poverty_hidden.iter().any(|h| *h)
    }
}

/// The change in one area.
#[derive(Debug, Clone)]
pub struct AreaChange {
    /// The area (none: the whole country).
    pub area: Option<AreaCode>,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// The transitions of its households.
    pub transitions: ShownTransitions,
    /// Its figures in the earlier round (none: no household of it scored then).
    pub before: Option<ScopedRow>,
    /// Its figures in the later round.
    pub after: Option<ScopedRow>,
}

/// The change between two rounds of an area.
#[derive(Debug, Clone)]
pub struct Change {
    /// The earlier round.
    pub from: RoundLabel,
    /// The later round.
    pub to: RoundLabel,
    /// The area compared (none: the whole country).
    pub area: Option<AreaCode>,
    /// The level of `rows` (none: a village has no areas below it).
    pub by: Option<AreaLevel>,
    /// Persons or households.
    pub unit: Unit,
    /// The indicators: id, Thai and English short labels, in the order of the figures.
    pub indicators: Vec<(String, String, String)>,
    /// The area as a whole.
    pub overall: AreaChange,
    /// The areas of the level inside it, by code.
    pub rows: Vec<AreaChange>,
    /// The households that received help recorded against the earlier round.
    pub helped: ShownTransitions,
    /// The households that did not.
    pub not_helped: ShownTransitions,
}

/// The change between two rounds scored with `lm` (the default methodology), for `user`.
pub async fn change(
    store: &Store,
    cache: &FiguresCache,
    lm: &LoadedMethodology,
    user: &User,
    q: &ChangeQuery,
) -> Result<Change, AccessError> {
    if q.from == q.to {
        return Err(
            AppError::Rule(format!("compare two different rounds: both are {}", q.from)).into(),
        );
    }
    let m = &lm.methodology;
    let area = crate::policy::figure_area(user, q.area)?;
    if let (Some(by), Some(a)) = (q.by, area.as_ref()) {
        if by.code_len() <= a.level().code_len() {
            return Err(AppError::Rule(format!(
                "rows by {} cannot be inside {a}, which is a {}: choose a level below it",
                by.as_str(),
                a.level().as_str()
            ))
            .into());
        }
    }
    let by = q.by.or_else(|| child_level(area.as_ref()));
    scored_run(store, cache, m, &q.from).await?;
    scored_run(store, cache, m, &q.to).await?;

    let figures = |round: &RoundLabel| AreaFigureQuery {
        round: Some(round.clone()),
        area,
        by: Some(by.map_or(Breakdown::All, Breakdown::Area)),
        unit: q.unit,
    };
    let before = area_figures(store, cache, lm, user, &figures(&q.from)).await?;
    let after = area_figures(store, cache, lm, user, &figures(&q.to)).await?;

    // Figures are aggregates: the households are read inside the area asked for, whoever asks
    // (access to the area was decided above), and only counts leave this function.
    let scope = Scope::All;
    let (k1, k2) = (run_key(&q.from, m), run_key(&q.to, m));
    let (r1, r2, helped) = tokio::try_join!(
        store.scores().standings(&k1, &scope, area.as_ref()),
        store.scores().standings(&k2, &scope, area.as_ref()),
        store
            .help()
            .helped_households(&q.from, &scope, area.as_ref()),
    )
    .map_err(AppError::from)?;
    let tally = tally(&r1, &r2, &helped, by);

    let known = crate::policy::small_counts_seen_in(user);
    let protect_in = |a: Option<&AreaCode>| match &known {
        None => false,
        Some(k) => !a.is_some_and(|a| k.iter().any(|h| a.is_within(h))),
    };
    let shown = |t: Transitions, a: Option<&AreaCode>, hidden_area: bool| {
        if hidden_area {
            ShownTransitions::withheld(t)
        } else {
            ShownTransitions::new(t, protect_in(a))
        }
    };
    let area_hidden = before.overall.suppressed && after.overall.suppressed;
    let (name_th, name_en) = area.as_ref().map_or_else(
        || ("ทั้งประเทศ".to_string(), "Whole country".to_string()),
        area_names,
    );
    let overall = AreaChange {
        area,
        name_th,
        name_en,
        transitions: shown(tally.overall, area.as_ref(), area_hidden),
        before: Some(before.overall.clone()),
        after: Some(after.overall.clone()),
    };
    let rows = rows(&before, &after, &tally.by_area, &shown);
    let protect_whole = protect_in(area.as_ref());
    Ok(Change {
        from: q.from.clone(),
        to: q.to.clone(),
        area,
        by,
        unit: q.unit,
        indicators: m
            .indicators()
            .iter()
            .map(|i| (i.id.clone(), i.short_th.clone(), i.short_en.clone()))
            .collect(),
        overall,
        rows,
        helped: if area_hidden {
            ShownTransitions::withheld(tally.helped)
        } else {
            ShownTransitions::new(tally.helped, protect_whole)
        },
        not_helped: if area_hidden {
            ShownTransitions::withheld(tally.not_helped)
        } else {
            ShownTransitions::new(tally.not_helped, protect_whole)
        },
    })
}

/// The rows of a change: every area of the level found in either round's figures or in the
/// households, by code.
fn rows(
    before: &AreaFigures,
    after: &AreaFigures,
    by_area: &BTreeMap<AreaCode, Transitions>,
    shown: &dyn Fn(Transitions, Option<&AreaCode>, bool) -> ShownTransitions,
) -> Vec<AreaChange> {
    let index = |f: &AreaFigures| -> BTreeMap<AreaCode, ScopedRow> {
        f.rows
            .iter()
            .filter_map(|r| Some((r.area?, r.clone())))
            .collect()
    };
    let (b, a) = (index(before), index(after));
    let mut codes: Vec<AreaCode> = b
        .keys()
        .chain(a.keys())
        .chain(by_area.keys())
        .copied()
        .collect();
    codes.sort();
    codes.dedup();
    codes
        .into_iter()
        .map(|code| {
            let (before, after) = (b.get(&code).cloned(), a.get(&code).cloned());
            // Withheld whole where the figures of both rounds are withheld whole.
            let hidden = before.as_ref().is_none_or(|r| r.suppressed)
                && after.as_ref().is_none_or(|r| r.suppressed);
            let (name_th, name_en) = area_names(&code);
            AreaChange {
                area: Some(code),
                name_th,
                name_en,
                transitions: shown(
                    by_area.get(&code).copied().unwrap_or_default(),
                    Some(&code),
                    hidden,
                ),
                before,
                after,
            }
        })
        .collect()
}

/// What the households of two rounds give, counted once.
#[derive(Debug, Default)]
struct Tally {
    overall: Transitions,
    by_area: BTreeMap<AreaCode, Transitions>,
    helped: Transitions,
    not_helped: Transitions,
}

/// Merges two runs' standings, each ordered by household id, into transition tables: by the area
/// at `level` of the household's later village (its earlier one when it is in the earlier round
/// only), and apart for the households in `helped` (ordered too).
fn tally(
    before: &[StandingRow],
    after: &[StandingRow],
    helped: &[String],
    level: Option<AreaLevel>,
) -> Tally {
    let mut t = Tally::default();
    let (mut i, mut j, mut h) = (0, 0, 0);
    let standing = |r: &StandingRow| Standing {
        group: r.group,
        mpi_poor: r.mpi_poor,
    };
    while i < before.len() || j < after.len() {
        let (b, a) = match (before.get(i), after.get(j)) {
            (Some(b), Some(a)) => match b.household_id.as_bytes().cmp(a.household_id.as_bytes()) {
                std::cmp::Ordering::Less => (Some(b), None),
                std::cmp::Ordering::Greater => (None, Some(a)),
                std::cmp::Ordering::Equal => (Some(b), Some(a)),
            },
            (b, a) => (b, a),
        };
        i += usize::from(b.is_some());
        j += usize::from(a.is_some());
        let Some(row) = a.or(b) else { break };
        let (sb, sa) = (b.map(standing), a.map(standing));
        t.overall.add(sb, sa);
        if let Some(area) = level.and_then(|l| row.village_code.ancestor(l)) {
            t.by_area.entry(area).or_default().add(sb, sa);
        }
        let id = row.household_id.as_bytes();
        while h < helped.len() && helped[h].as_bytes() < id {
            h += 1;
        }
        if helped.get(h).is_some_and(|x| x.as_bytes() == id) {
            t.helped.add(sb, sa);
        } else {
            t.not_helped.add(sb, sa);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use thanrak_core::methodology::Group;

    fn row(id: &str, village: &str, group: Group, mpi_poor: bool) -> StandingRow {
        StandingRow {
            household_id: id.into(),
            village_code: AreaCode::parse(village).unwrap(),
            group,
            mpi_poor,
        }
    }

    #[test]
    fn merges_two_rounds_by_household() {
        let before = vec![
            row("A", "52010101", Group::Hardship, true),
            row("B", "52010101", Group::GettingBy, false),
            row("C", "52020101", Group::Struggling, false),
        ];
        let after = vec![
            row("A", "52010101", Group::GettingBy, false),
            // C moved to another district: counted where it lives now.
            row("C", "52030101", Group::Struggling, false),
            row("D", "52020101", Group::Hardship, false),
        ];
        let t = tally(
            &before,
            &after,
            &["A".into(), "Z".into()],
            Some(AreaLevel::District),
        );
        assert_eq!(t.overall.counts[0][2], 1);
        assert_eq!(t.overall.counts[2][4], 1, "B is in the earlier round only");
        assert_eq!(t.overall.counts[4][0], 1, "D is in the later round only");
        assert_eq!(t.overall.counts[1][1], 1);
        assert_eq!(t.overall.left_poverty, 1);
        assert_eq!(t.overall.stayed_poor, 1);
        let d = |s: &str| AreaCode::parse(s).unwrap();
        assert_eq!(t.by_area[&d("5201")].counts[0][2], 1);
        assert_eq!(t.by_area[&d("5201")].counts[2][4], 1);
        assert_eq!(t.by_area[&d("5203")].counts[1][1], 1);
        assert_eq!(t.by_area[&d("5202")].counts[4][0], 1);
        assert_eq!(t.helped.in_both(), 1);
        assert_eq!(t.helped.left_poverty, 1);
        assert_eq!(t.not_helped.counts[1][1], 1);
        assert_eq!(t.not_helped.only_after() + t.not_helped.only_before(), 2);
    }
}

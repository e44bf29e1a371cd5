//! The change between two rounds (issue 12, part 1) against a count made straight from the
//! stored scores, the persistent poor against the same, and what a reader who may not see small
//! counts is shown — on both databases.

mod common;

use std::collections::HashMap;

use common::user;
use thanrak_app::access::{AccessError, Paging};
use thanrak_app::area_figures::FiguresCache;
use thanrak_app::audit::AuditLog;
use thanrak_app::change::{change, ChangeQuery};
use thanrak_app::scoring;
use thanrak_app::targeting::{target_list, TargetQuery};
use thanrak_app::AppError;
use thanrak_core::measure::change::{ABSENT, STATES};
use thanrak_core::measure::disclosure::MIN_CELL;
use thanrak_core::measure::Unit;
use thanrak_core::methodology::Group;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_demo::{DemoConfig, ROUND_1, ROUND_2};
use thanrak_store::{RunKey, Scope, Store};

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

fn round(s: &str) -> RoundLabel {
    RoundLabel::parse(s).unwrap()
}

async fn change_is_counted_from_the_scores(store: &Store) {
    let config = DemoConfig {
        households: 600,
        seed: 11,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let lm = scoring::load_methodology(None).unwrap();
    for r in [ROUND_1, ROUND_2] {
        scoring::score_round(store, &round(r), &lm, &mut |_, _, _| {})
            .await
            .unwrap();
    }
    let admin = user(store, "admin", "admin", &[]).await;
    let analyst = user(store, "analyst", "analyst", &[]).await;
    let lampang = user(store, "lampang", "area_manager", &["52"]).await;
    let cache = FiguresCache::new();
    let m = &lm.methodology;
    let key = |r: &str| RunKey {
        round: round(r),
        methodology_id: m.id().into(),
        methodology_version: m.version().into(),
    };

    // Straight from the stored scores: each household's group in both rounds.
    let standing =
        |scores: Vec<thanrak_store::StoredScore>| -> HashMap<String, (String, Group, bool)> {
            scores
                .into_iter()
                .map(|s| {
                    (
                        s.score.household_id.to_string(),
                        (s.village_code.to_string(), s.score.group, s.score.mpi_poor),
                    )
                })
                .collect()
        };
    let before = standing(store.scores().of_run(&key(ROUND_1), None).await.unwrap());
    let after = standing(store.scores().of_run(&key(ROUND_2), None).await.unwrap());
    let poor = |g: Group, mpi: bool| mpi || matches!(g, Group::Hardship | Group::Struggling);
    let index = |g: Group| Group::ALL.iter().position(|x| *x == g).unwrap();
    // The expected counts of Lampang's districts.
    let mut want: HashMap<String, [[u64; STATES]; STATES]> = HashMap::new();
    let (mut left, mut fell) = (0u64, 0u64);
    let mut ids: Vec<&String> = before.keys().chain(after.keys()).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let (b, a) = (before.get(id), after.get(id));
        let village = &a.or(b).unwrap().0;
        if !village.starts_with("52") {
            continue;
        }
        let i = b.map_or(ABSENT, |b| index(b.1));
        let j = a.map_or(ABSENT, |a| index(a.1));
        want.entry(village[..4].to_string()).or_default()[i][j] += 1;
        if let (Some(b), Some(a)) = (b, a) {
            match (poor(b.1, b.2), poor(a.1, a.2)) {
                (true, false) => left += 1,
                (false, true) => fell += 1,
                _ => {}
            }
        }
    }
    let q = ChangeQuery {
        from: round(ROUND_1),
        to: round(ROUND_2),
        area: Some(code("52")),
        by: Some(AreaLevel::District),
        unit: Unit::Household,
    };
    let c = change(store, &cache, &lm, &admin, &q).await.unwrap();
    assert_eq!(c.overall.transitions.counts.left_poverty, left);
    assert_eq!(c.overall.transitions.counts.fell_into_poverty, fell);
    assert!(left > 0 && fell > 0, "the demo has movement both ways");
    assert!(
        !c.overall.transitions.any_hidden(),
        "an admin sees every count"
    );
    let got: HashMap<String, [[u64; STATES]; STATES]> = c
        .rows
        .iter()
        .map(|r| (r.area.unwrap().to_string(), r.transitions.counts.counts))
        .filter(|(_, t)| t.iter().flatten().any(|n| *n > 0))
        .collect();
    assert_eq!(got, want);
    // Households of one round only are counted apart, as counted straight from the scores.
    let only = |a: &HashMap<String, (String, Group, bool)>,
                b: &HashMap<String, (String, Group, bool)>| {
        a.iter()
            .filter(|(id, v)| v.0.starts_with("52") && !b.contains_key(*id))
            .count() as u64
    };
    assert_eq!(
        c.overall.transitions.counts.only_before(),
        only(&before, &after)
    );
    assert_eq!(
        c.overall.transitions.counts.only_after(),
        only(&after, &before)
    );
    // The helped and the not helped make up the whole.
    let mut both = c.helped.counts;
    both.merge(&c.not_helped.counts);
    assert_eq!(both, c.overall.transitions.counts);
    // Figures of both rounds come with it.
    let b = c.overall.before.as_ref().unwrap();
    let a = c.overall.after.as_ref().unwrap();
    assert!(b.row.summary.af.h > 0.0 && a.row.summary.af.h > 0.0);
    assert_eq!(c.indicators.len(), b.row.summary.af.uncensored.len());

    // The area manager sees its province the same, and nothing outside it.
    let mine = change(store, &cache, &lm, &lampang, &q).await.unwrap();
    assert_eq!(
        mine.overall.transitions.counts,
        c.overall.transitions.counts
    );
    let outside = ChangeQuery {
        area: Some(code("45")),
        ..q.clone()
    };
    assert!(matches!(
        change(store, &cache, &lm, &lampang, &outside).await,
        Err(AccessError::App(AppError::NotFound(_)))
    ));
    // A level above the area is refused; the same round twice too.
    let bad = ChangeQuery {
        by: Some(AreaLevel::Province),
        ..q.clone()
    };
    assert!(matches!(
        change(store, &cache, &lm, &admin, &bad).await,
        Err(AccessError::App(AppError::Rule(_)))
    ));
    let same = ChangeQuery {
        to: round(ROUND_1),
        ..q.clone()
    };
    assert!(change(store, &cache, &lm, &admin, &same).await.is_err());

    // The analyst: no small count shown, in any table, at any level.
    for by in [
        AreaLevel::District,
        AreaLevel::Subdistrict,
        AreaLevel::Village,
    ] {
        let qa = ChangeQuery {
            by: Some(by),
            ..q.clone()
        };
        let c = change(store, &cache, &lm, &analyst, &qa).await.unwrap();
        for t in std::iter::once(&c.overall.transitions)
            .chain(c.rows.iter().map(|r| &r.transitions))
            .chain([&c.helped, &c.not_helped])
        {
            for i in 0..STATES {
                for j in 0..STATES {
                    if let Some(n) = t.cell(i, j) {
                        assert!(n == 0 || n >= MIN_CELL, "{n} shown to an analyst");
                    }
                }
            }
            let p = &t.counts;
            for (n, hidden) in [p.left_poverty, p.fell_into_poverty, p.stayed_poor]
                .into_iter()
                .zip(t.poverty_hidden)
            {
                assert!(hidden || n == 0 || n >= MIN_CELL);
            }
        }
    }

    // The persistent poor over both rounds: poor in each, counted straight from the scores.
    let log = AuditLog::start(store.clone());
    let want: Vec<String> = {
        let mut v: Vec<String> = after
            .iter()
            .filter(|(id, (_, g, mpi))| {
                poor(*g, *mpi) && before.get(*id).is_some_and(|b| poor(b.1, b.2))
            })
            .map(|(id, _)| id.clone())
            .collect();
        v.sort();
        v
    };
    assert!(!want.is_empty());
    let tq = TargetQuery {
        round: round(ROUND_2),
        area: None,
        group: None,
        indicator: None,
        need: None,
        persistent: Some(2),
    };
    let all = target_list(store, &log, &cache, &lm, &admin, &tq, None, "test")
        .await
        .unwrap();
    let mut got: Vec<String> = all
        .page
        .items
        .iter()
        .map(|t| t.household_id.to_string())
        .collect();
    got.sort();
    assert_eq!(got, want);
    let page = target_list(
        store,
        &log,
        &cache,
        &lm,
        &admin,
        &tq,
        Some(Paging::new(Some(1), Some(10)).unwrap()),
        "test",
    )
    .await
    .unwrap();
    assert_eq!(page.page.total, want.len() as u64);
    // Over three rounds there are not enough rounds; in the first round neither.
    for bad in [
        TargetQuery {
            persistent: Some(3),
            ..tq.clone()
        },
        TargetQuery {
            round: round(ROUND_1),
            ..tq.clone()
        },
    ] {
        assert!(matches!(
            target_list(store, &log, &cache, &lm, &admin, &bad, None, "test").await,
            Err(AccessError::App(AppError::Rule(_)))
        ));
    }
    // The standings read inside a scope see only it.
    let inside = store
        .scores()
        .standings(&key(ROUND_2), &Scope::Areas(vec![code("45")]), None)
        .await
        .unwrap();
    assert!(!inside.is_empty());
    assert!(inside
        .iter()
        .all(|s| s.village_code.to_string().starts_with("45")));
}

#[tokio::test]
async fn sqlite_change_is_counted_from_the_scores() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    change_is_counted_from_the_scores(&Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_change_is_counted_from_the_scores() {
    let Some(store) = thanrak_store::testing::postgres_store("change").await else {
        return;
    };
    change_is_counted_from_the_scores(&store).await;
}

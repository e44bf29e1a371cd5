//! Strategic area selection (methodology §6) and the policy meeting's plans as use cases: the
//! ranking against a count made from the stored scores and households, the partner's effect, what
//! a reader who may not see small counts is shown, and who may write or move what.

mod common;

use chrono::NaiveDate;
use common::{officer, user};
use thanrak_app::access::AccessError;
use thanrak_app::area_figures::FiguresCache;
use thanrak_app::plan;
use thanrak_app::scoring;
use thanrak_app::strategy::{rank_areas, ranking_file, RankQuery};
use thanrak_app::{AppError, ExportFormat};
use thanrak_core::measure::disclosure::MIN_CELL;
use thanrak_core::methodology::Group;
use thanrak_core::plan::{ActionItem, Activity, Heading, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::strategy::Weights;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_demo::{DemoConfig, ROUND_1, ROUND_2};
use thanrak_store::{RunKey, Store};

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

async fn plans(store: &Store) {
    let config = DemoConfig {
        households: 500,
        seed: 3,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let lm = scoring::load_methodology(None).unwrap();
    for r in [ROUND_1, ROUND_2] {
        scoring::score_round(
            store,
            &RoundLabel::parse(r).unwrap(),
            &lm,
            &mut |_, _, _| {},
        )
        .await
        .unwrap();
    }
    let admin = user(store, "admin", "admin", &[]).await;
    let analyst = user(store, "analyst", "analyst", &[]).await;
    let lampang = user(store, "lampang", "area_manager", &["52"]).await;
    let surveyor = user(store, "surveyor", "surveyor", &["520101"]).await;
    let codi = officer(store, "codi1", "agency_officer", &[], Some("codi")).await;
    let cache = FiguresCache::new();
    let reference = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let q = RankQuery {
        round: None,
        level: AreaLevel::Subdistrict,
        area: Some(code("52")),
        weights: Weights::default(),
        reference,
        top: None,
    };

    // Counted straight from the stored scores: the poor of each subdistrict.
    let key = RunKey {
        round: RoundLabel::parse(ROUND_2).unwrap(),
        methodology_id: lm.methodology.id().into(),
        methodology_version: lm.methodology.version().into(),
    };
    let scores = store
        .scores()
        .of_run(&key, Some(&code("52")))
        .await
        .unwrap();
    let r = rank_areas(store, &cache, &lm, &admin, &q).await.unwrap();
    assert_eq!(
        r.round.as_str(),
        ROUND_2,
        "the latest scored round by default"
    );
    assert!(r.ranked > 10);
    assert_eq!(r.withheld, 0);
    for row in &r.rows {
        let c = &row.ranked.candidate;
        let mine: Vec<_> = scores
            .iter()
            .filter(|s| s.village_code.is_within(&c.area))
            .collect();
        assert_eq!(c.households, mine.len() as u64, "{}", c.area);
        let poor = mine
            .iter()
            .filter(|s| matches!(s.score.group, Group::Hardship | Group::Struggling))
            .count();
        assert_eq!(c.poor, poor as u64, "{}", c.area);
        assert!(c.complete <= c.households);
        assert_eq!(row.ranked.area_manager, 0.0, "no partner yet");
    }
    // Ranked by score, ties by poor count.
    for w in r.rows.windows(2) {
        assert!(w[0].ranked.score >= w[1].ranked.score);
    }
    // A partner for one district lifts its subdistricts by the weight of the Area Manager.
    let district = r
        .rows
        .last()
        .unwrap()
        .ranked
        .candidate
        .area
        .parent()
        .unwrap();
    let p = Partner::new(
        "lpru",
        "ราชภัฏลำปาง",
        "Lampang Rajabhat",
        "",
        &[&district.to_string()],
    )
    .unwrap();
    assert!(matches!(
        plan::save_partner(store, &lampang, &p).await,
        Err(AccessError::Forbidden(_))
    ));
    plan::save_partner(store, &admin, &p).await.unwrap();
    let with = rank_areas(store, &cache, &lm, &admin, &q).await.unwrap();
    for row in &with.rows {
        let before = r
            .rows
            .iter()
            .find(|x| x.ranked.candidate.area == row.ranked.candidate.area)
            .unwrap();
        let lift = if row.ranked.candidate.area.is_within(&district) {
            0.25
        } else {
            0.0
        };
        assert!((row.ranked.score - before.ranked.score - lift).abs() < 1e-12);
    }
    // Top, and a file.
    let top = rank_areas(
        store,
        &cache,
        &lm,
        &admin,
        &RankQuery {
            top: Some(3),
            ..q.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(top.rows.len(), 3);
    assert_eq!(top.ranked, with.ranked);
    let csv = String::from_utf8(ranking_file(&top, ExportFormat::Csv).unwrap()).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.contains("concentration"));
    // An analyst: areas with a small count are not ranked for it.
    let a = rank_areas(
        store,
        &cache,
        &lm,
        &analyst,
        &RankQuery {
            level: AreaLevel::Village,
            ..q.clone()
        },
    )
    .await
    .unwrap();
    for row in &a.rows {
        let c = &row.ranked.candidate;
        assert!(c.households >= MIN_CELL);
        assert!(c.poor == 0 || c.poor >= MIN_CELL);
    }
    assert!(
        a.withheld > 0,
        "a village of the demo holds fewer than 5 households"
    );
    // An area manager outside its areas: not found; a level above the area: refused.
    assert!(matches!(
        rank_areas(
            store,
            &cache,
            &lm,
            &lampang,
            &RankQuery {
                area: Some(code("45")),
                ..q.clone()
            }
        )
        .await,
        Err(AccessError::App(AppError::NotFound(_)))
    ));
    assert!(matches!(
        rank_areas(
            store,
            &cache,
            &lm,
            &admin,
            &RankQuery {
                level: AreaLevel::Province,
                ..q.clone()
            }
        )
        .await,
        Err(AccessError::App(AppError::Rule(_)))
    ));

    // Model areas: an area manager inside its areas only; a surveyor not at all.
    let sub = with.rows[0].ranked.candidate.area;
    let m = ModelArea::new(&sub.to_string(), Some("lpru"), reference, "อันดับหนึ่ง").unwrap();
    assert!(matches!(
        plan::choose_model_area(store, &surveyor, &m).await,
        Err(AccessError::Forbidden(_))
    ));
    let outside = ModelArea::new("450101", None, reference, "").unwrap();
    assert!(matches!(
        plan::choose_model_area(store, &lampang, &outside).await,
        Err(AccessError::Forbidden(_))
    ));
    let unknown_partner = ModelArea::new(&sub.to_string(), Some("nobody"), reference, "").unwrap();
    assert!(matches!(
        plan::choose_model_area(store, &lampang, &unknown_partner).await,
        Err(AccessError::App(AppError::NotFound(_)))
    ));
    plan::choose_model_area(store, &lampang, &m).await.unwrap();
    let households: Vec<String> = scores
        .iter()
        .filter(|s| s.village_code.is_within(&sub))
        .take(2)
        .map(|s| s.score.household_id.to_string())
        .collect();
    let h: Vec<&str> = households.iter().map(String::as_str).collect();
    let act = |hh: &[&str]| {
        Activity::new(
            Heading::Marketing,
            "ตลาดออนไลน์",
            "osmep",
            100,
            None,
            None,
            WorkState::Planned,
            hh,
            &[],
        )
        .unwrap()
    };
    let id = plan::add_activity(store, &lampang, &sub, &act(&h))
        .await
        .unwrap();
    // A household outside the model area is refused, and so is an area that is not a model one.
    let elsewhere = scores
        .iter()
        .find(|s| !s.village_code.is_within(&sub))
        .unwrap()
        .score
        .household_id
        .to_string();
    assert!(matches!(
        plan::add_activity(store, &lampang, &sub, &act(&[&elsewhere])).await,
        Err(AccessError::App(AppError::Invalid(_)))
    ));
    assert!(matches!(
        plan::add_activity(store, &admin, &code("450101"), &act(&[])).await,
        Err(AccessError::App(AppError::NotFound(_)))
    ));
    plan::set_activity_state(store, &lampang, id, WorkState::Done)
        .await
        .unwrap();
    let views = plan::model_areas(store, &analyst).await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].progress, 1.0);
    assert!(!plan::sees_activity_households(&analyst));
    assert!(plan::sees_activity_households(&lampang));

    // Meetings: recorded by the province's area manager; moved by the owning agency only.
    let p52 = code("52");
    let meeting = Meeting::new("52", reference, "ครั้งที่ 5/2569", &["codi", "osmep"], "").unwrap();
    let items = vec![
        ActionItem::new(
            &p52,
            "ซ่อมบ้าน",
            "codi",
            &sub.to_string(),
            Some(reference),
            &[],
        )
        .unwrap(),
        ActionItem::new(&p52, "ตลาดนัด", "osmep", "52", None, &[]).unwrap(),
    ];
    let in_roi_et = Meeting::new("45", reference, "x", &["codi"], "").unwrap();
    assert!(matches!(
        plan::record_meeting(store, &lampang, &in_roi_et, &[]).await,
        Err(AccessError::Forbidden(_))
    ));
    let with_unknown_case =
        vec![ActionItem::new(&p52, "x", "codi", "52", None, &[987654]).unwrap()];
    assert!(matches!(
        plan::record_meeting(store, &lampang, &meeting, &with_unknown_case).await,
        Err(AccessError::App(AppError::Invalid(_)))
    ));
    let mid = plan::record_meeting(store, &lampang, &meeting, &items)
        .await
        .unwrap();
    let rec = plan::meeting(store, &codi, mid).await.unwrap();
    let (mine, theirs) = (&rec.items[0], &rec.items[1]);
    assert!(matches!(
        plan::move_action_item(
            store,
            &codi,
            theirs.id,
            theirs.version,
            WorkState::UnderWay,
            ""
        )
        .await,
        Err(AccessError::Forbidden(_))
    ));
    assert!(
        matches!(
            plan::move_action_item(store, &codi, mine.id, mine.version, WorkState::Dropped, " ")
                .await,
            Err(AccessError::App(AppError::Rule(_)))
        ),
        "dropped without a note"
    );
    let moved = plan::move_action_item(
        store,
        &codi,
        mine.id,
        mine.version,
        WorkState::Done,
        "ซ่อมครบแล้ว",
    )
    .await
    .unwrap();
    assert_eq!(moved.state, WorkState::Done);
    assert!(
        matches!(
            plan::move_action_item(store, &codi, mine.id, moved.version, WorkState::Planned, "")
                .await,
            Err(AccessError::App(AppError::Rule(_)))
        ),
        "done goes back to under way only"
    );
    // A surveyor of Lampang reads the meeting, an area manager of Roi Et does not.
    let roi_et = user(store, "roiet", "area_manager", &["45"]).await;
    assert!(plan::meeting(store, &surveyor, mid).await.is_ok());
    assert!(matches!(
        plan::meeting(store, &roi_et, mid).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn sqlite_plans() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    plans(&Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_plans() {
    let Some(store) = thanrak_store::testing::postgres_store("plan").await else {
        return;
    };
    plans(&store).await;
}

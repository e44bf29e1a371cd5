//! The grassroots economy at the level of the use cases: an import of enterprises is all or
//! nothing with the row report; the registry is read by every role; a match over the demo's
//! Lampang is stored and its pairs kept inside the roles' areas; a pair accepted opens a
//! referral case for the job need at OSMEP, and its hire, recorded by OSMEP once it accepted,
//! is a logbook entry that resolves the case.

mod common;

use common::{officer, user};
use thanrak_app::access::{AccessError, Paging};
use thanrak_app::economy::{self, EnterpriseImportOutcome};
use thanrak_app::matching::{self, MatchParams};
use thanrak_app::{scoring, AppError, Importer};
use thanrak_core::case::{CaseMove, CaseState};
use thanrak_core::help::HelpKind;
use thanrak_core::{AreaCode, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_store::{EnterpriseFilter, Store};

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    (Store::connect(&url).await.unwrap(), dir)
}

const HEADER: &str = "enterprise_id,kind,name,village_code,lat,lon,employees,local_employees,\
local_resource_pct,shares_income,registration_no,otop_stars,position_id,position_title,\
position_places,position_skills,position_wage_baht,position_season,sells_to_id,sells_what\n";

#[tokio::test]
async fn an_import_is_all_or_nothing_with_its_row_report() {
    let (s, dir) = store().await;
    let admin = thanrak_app::policy::command_line_user();
    let who = Importer::command_line();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}1,community_enterprise,กลุ่มทอผ้า,52010101,18.3,99.5,10,6,60,1,,,10,ช่างทอ,3,handicraft,7500,,,\n\
             2,otop,เซรามิก,52010102,,,5,5,80,1,,9,,,,,,,,\n\
             3,sme,โรงสี,52010103,,,5,2,20,0,,,,,,,,,77,ข้าวสาร\n\
             4,sme,ร้านค้า,52019901,,,5,2,20,0,,,,,,,,,,\n"
        ),
    )
    .unwrap();
    let EnterpriseImportOutcome::Rejected(problems) =
        economy::import_enterprises(&s, &admin, &who, &bad)
            .await
            .unwrap()
    else {
        panic!("a file with problems was loaded");
    };
    let found: Vec<(u64, &str)> = problems
        .iter()
        .map(|d| (d.row, d.column.as_str()))
        .collect();
    // Row 2: a community enterprise without its number; row 3: nine stars; row 4: a buyer that
    // is nowhere; row 5: an unknown subdistrict.
    assert_eq!(
        found,
        [
            (2, "registration_no"),
            (3, "otop_stars"),
            (4, "sells_to_id"),
            (5, "village_code")
        ],
        "{problems:#?}"
    );
    let all = EnterpriseFilter::default();
    let paging = Paging::new(None, None).unwrap();
    let page = economy::list_enterprises(
        &s,
        &thanrak_app::area_figures::FiguresCache::new(),
        &admin,
        None,
        &all,
        paging,
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0, "nothing is written");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{HEADER}1,community_enterprise,กลุ่มทอผ้า,52010101,18.3,99.5,10,6,60,1,5201-0101/0001,,10,ช่างทอ,3,handicraft,7500,,2,ผ้าทอ\n\
             1,community_enterprise,กลุ่มทอผ้า,52010101,18.3,99.5,10,6,60,1,5201-0101/0001,,11,ช่างย้อม,2,handicraft,7000,11-3,,\n\
             2,otop,เซรามิก,52010102,,,5,2,80,0,,4,,,,,,,,\n"
        ),
    )
    .unwrap();
    let EnterpriseImportOutcome::Loaded(done) =
        economy::import_enterprises(&s, &admin, &who, &good)
            .await
            .unwrap()
    else {
        panic!("a good file was refused");
    };
    assert_eq!(
        (done.enterprises, done.positions, done.places, done.links),
        (2, 2, 5, 1)
    );
    let page = economy::list_enterprises(
        &s,
        &thanrak_app::area_figures::FiguresCache::new(),
        &admin,
        Some(&code("52")),
        &all,
        paging,
    )
    .await
    .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].score.points(), 3);
    assert_eq!(page.items[1].score.points(), 1);

    // Every role reads the registry; an analyst sees the chain but no workers.
    let analyst = user(&s, "ana", "analyst", &[]).await;
    let chain = economy::enterprise_chain(&s, &analyst, 1).await.unwrap();
    assert_eq!(chain.positions.len(), 2);
    assert_eq!(chain.sells_to.len(), 1);
    assert_eq!(chain.sells_to[0].1.as_ref().map(|e| e.id()), Some(2));
    assert!(chain.workers.is_none());
    let chain2 = economy::enterprise_chain(&s, &admin, 2).await.unwrap();
    assert_eq!(chain2.buys_from.len(), 1);
    assert_eq!(chain2.workers, Some(vec![]));
    // An area manager imports only inside its areas; a surveyor not at all.
    let roi_et = user(&s, "roiet", "area_manager", &["45"]).await;
    let EnterpriseImportOutcome::Rejected(outside) =
        economy::import_enterprises(&s, &roi_et, &who, &good)
            .await
            .unwrap()
    else {
        panic!("an area manager loaded enterprises outside its areas");
    };
    assert!(outside.iter().all(|d| d.column == "village_code"));
    let surveyor = user(&s, "sv", "surveyor", &["520101"]).await;
    assert!(matches!(
        economy::import_enterprises(&s, &surveyor, &who, &good).await,
        Err(AccessError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_match_is_stored_accepted_as_a_case_and_hired_into_the_logbook() {
    let (s, _dir) = store().await;
    let config = DemoConfig {
        households: 2_000,
        seed: 3,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(&s, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let round = RoundLabel::parse("2569-1").unwrap();
    let lm = scoring::load_methodology(None).unwrap();
    scoring::score_round(&s, &round, &lm, &mut |_, _, _| {})
        .await
        .unwrap();
    let (enterprises, positions, _) = economy::load_demo_economy(&s, &round, 3).await.unwrap();
    assert!(enterprises > 20 && positions >= enterprises);

    let manager = user(&s, "lampang", "area_manager", &["52"]).await;
    let params = MatchParams {
        round: round.clone(),
        area: Some("52".into()),
        max_m: 30_000,
        one_per_household: true,
        user: String::new(),
    };
    let result = matching::run_match(&s, &manager, &params, &mut |_, _, _| {})
        .await
        .unwrap();
    assert!(result.total.workers > 0);
    assert!(result.total.placed > 0, "{:?}", result.total);
    assert_eq!(result.pairs.len() as u32, result.total.placed);
    assert_eq!(
        result.pairs.len() + result.unplaced.len(),
        result.total.workers as usize
    );
    assert!(result
        .pairs
        .iter()
        .all(|p| p.village_code.starts_with("52")));
    // The same input gives the same pairs.
    let again = matching::run_match(&s, &manager, &params, &mut |_, _, _| {})
        .await
        .unwrap();
    let key = |r: &matching::MatchResult| {
        r.pairs
            .iter()
            .map(|p| (p.household_id.clone(), p.member_no, p.position_id))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&result), key(&again));
    // Outside its areas an area manager runs nothing; a surveyor runs nothing at all.
    let roi_et = MatchParams {
        area: Some("45".into()),
        ..params.clone()
    };
    assert!(matches!(
        matching::run_match(&s, &manager, &roi_et, &mut |_, _, _| {}).await,
        Err(AccessError::Forbidden(_))
    ));
    let sub = &result.pairs[0].village_code[..6];
    let surveyor = user(&s, "sv", "surveyor", &[sub]).await;
    assert!(matches!(
        matching::run_match(&s, &surveyor, &params, &mut |_, _, _| {}).await,
        Err(AccessError::Forbidden(_))
    ));
    let seen = matching::run_pairs(&s, &surveyor, result.run_id)
        .await
        .unwrap();
    let inside = result
        .pairs
        .iter()
        .filter(|p| p.village_code.starts_with(sub))
        .count();
    assert_eq!(seen.len(), inside);
    assert!(inside >= 1);
    assert!(
        matching::run_pairs(&s, &manager, result.run_id)
            .await
            .unwrap()
            .len()
            == result.pairs.len()
    );
    let analyst = user(&s, "ana", "analyst", &[]).await;
    assert!(matching::run_pairs(&s, &analyst, result.run_id)
        .await
        .is_err());
    // The unplaced workers are kept with the run: the same as the job's result, by reason,
    // a page at a time, and inside the reader's areas.
    let paging = Paging::new(Some(1), Some(500)).unwrap();
    let stored = matching::run_unplaced(&s, &manager, result.run_id, None, paging)
        .await
        .unwrap();
    assert_eq!(stored.total as usize, result.unplaced.len());
    assert!(!result.unplaced.is_empty(), "the demo leaves some unplaced");
    for (reason, n) in &stored.by_reason {
        let expected = result
            .unplaced
            .iter()
            .filter(|u| u.reason == reason.as_str())
            .count() as u64;
        assert_eq!(*n, expected, "{reason:?}");
        let only = matching::run_unplaced(&s, &manager, result.run_id, Some(*reason), paging)
            .await
            .unwrap();
        assert_eq!(only.total, expected);
        assert!(only.items.iter().all(|u| u.reason == *reason));
    }
    let first = &stored.items[0];
    assert!(result
        .unplaced
        .iter()
        .any(|u| u.household_id == first.household_id.as_str()
            && u.member_no == first.member_no
            && u.reason == first.reason.as_str()));
    let theirs = matching::run_unplaced(&s, &surveyor, result.run_id, None, paging)
        .await
        .unwrap();
    assert_eq!(
        theirs.total as usize,
        result
            .unplaced
            .iter()
            .filter(|u| u.village_code.starts_with(sub))
            .count()
    );
    assert!(
        matching::run_unplaced(&s, &analyst, result.run_id, None, paging)
            .await
            .is_err()
    );
    assert!(matches!(
        matching::run_unplaced(&s, &manager, 9_999, None, paging).await,
        Err(AccessError::App(AppError::NotFound(_)))
    ));

    // Accept a pair: a case for the job need at OSMEP.
    let pair = &result.pairs[0];
    let case = matching::accept_pair(&s, &manager, pair.pair_id)
        .await
        .unwrap();
    assert_eq!(case.new.need, "job");
    assert_eq!(case.new.agency.as_str(), "osmep");
    assert_eq!(case.state, CaseState::Sent);
    assert!(
        case.new.note.contains(&pair.enterprise_name),
        "{}",
        case.new.note
    );
    assert!(matches!(
        matching::accept_pair(&s, &manager, pair.pair_id).await,
        Err(AccessError::App(AppError::Rule(_)))
    ));
    // A hire waits for OSMEP to accept the case, then resolves it.
    assert!(matching::hire_pair(&s, &manager, pair.pair_id)
        .await
        .is_err());
    let osmep = officer(&s, "osmep1", "agency_officer", &[], Some("osmep")).await;
    thanrak_app::cases::move_case(&s, &osmep, case.id, case.version, CaseMove::Accept, "")
        .await
        .unwrap();
    // The hire is the agency's to record (it resolves the agency's case).
    assert!(matches!(
        matching::hire_pair(&s, &manager, pair.pair_id).await,
        Err(AccessError::Forbidden(_))
    ));
    let hired = matching::hire_pair(&s, &osmep, pair.pair_id).await.unwrap();
    assert_eq!(hired.record.new.help.kind, HelpKind::Job);
    assert_eq!(
        hired.record.new.help.value_satang(),
        pair.wage_baht_month * 100
    );
    assert_eq!(hired.resolved.map(|c| c.state), Some(CaseState::Resolved));
    let chain = economy::enterprise_chain(&s, &manager, pair.enterprise_id)
        .await
        .unwrap();
    let workers = chain.workers.unwrap();
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0].pair.household_id.as_str(), pair.household_id);
}

#[tokio::test]
async fn supplier_households_are_imported_inside_the_importers_areas() {
    let (s, dir) = store().await;
    let config = DemoConfig {
        households: 400,
        seed: 5,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(&s, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let round = RoundLabel::parse("2569-1").unwrap();
    let households = s.registry().households(&round).await.unwrap();
    let lampang = households
        .iter()
        .find(|h| h.village_code.to_string().starts_with("52"))
        .unwrap();
    let roi_et = households
        .iter()
        .find(|h| h.village_code.to_string().starts_with("45"))
        .unwrap();
    let village = lampang.village_code.to_string();
    let row = |household: &str, what: &str| {
        format!("1,cooperative,สหกรณ์การเกษตร,{village},,,10,8,90,1,,,,,,,,,,,{household},{what}\n")
    };
    let header = format!("{},buys_from_household,buys_what\n", HEADER.trim_end());
    let manager = user(&s, "lampang", "area_manager", &["52"]).await;
    let who = Importer::command_line();
    // A household of another province and one that does not exist get one and the same
    // reason: the import tells nothing of households outside the importer's areas.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}{}{}{}",
            row(roi_et.household_id.as_str(), "ข้าวเปลือก"),
            row("NO-SUCH-HOUSEHOLD", "ข้าวเปลือก"),
            row(lampang.household_id.as_str(), "")
        ),
    )
    .unwrap();
    let EnterpriseImportOutcome::Rejected(problems) =
        economy::import_enterprises(&s, &manager, &who, &bad)
            .await
            .unwrap()
    else {
        panic!("unknown suppliers were loaded");
    };
    let found: Vec<(u64, &str, String)> = problems
        .iter()
        .map(|d| (d.row, d.column.as_str(), d.reason.to_string()))
        .collect();
    let not_yours = thanrak_core::Reason::NoSupplierHousehold.to_string();
    assert_eq!(
        found,
        [
            (2, "buys_from_household", not_yours.clone()),
            (3, "buys_from_household", not_yours),
            (4, "buys_what", thanrak_core::Reason::Required.to_string()),
        ],
        "{problems:#?}"
    );
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{header}{}{}",
            row(lampang.household_id.as_str(), "ข้าวเปลือก"),
            row(lampang.household_id.as_str(), "ถั่วเหลือง")
        ),
    )
    .unwrap();
    let EnterpriseImportOutcome::Loaded(done) =
        economy::import_enterprises(&s, &manager, &who, &good)
            .await
            .unwrap()
    else {
        panic!("a good file was refused");
    };
    assert_eq!((done.enterprises, done.suppliers), (1, 2));
    // The chain shows them to roles that read workers, inside their areas.
    let chain = economy::enterprise_chain(&s, &manager, 1).await.unwrap();
    let suppliers = chain.suppliers.unwrap();
    assert_eq!(suppliers.len(), 2);
    assert_eq!(suppliers[0].supplier.household_id, lampang.household_id);
    assert_eq!(suppliers[0].village, lampang.village_code);
    let elsewhere = user(&s, "roiet", "area_manager", &["45"]).await;
    let chain = economy::enterprise_chain(&s, &elsewhere, 1).await.unwrap();
    assert_eq!(chain.suppliers, Some(vec![]));
    let analyst = user(&s, "ana", "analyst", &[]).await;
    let chain = economy::enterprise_chain(&s, &analyst, 1).await.unwrap();
    assert!(chain.suppliers.is_none());
}

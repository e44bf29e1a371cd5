//! The grassroots economy on both backends (the harness of `common`): enterprises with their
//! positions and links written in one transaction (all or none) and updated in place by id,
//! pages by area, kind and name inside a scope, the positions open in an area, match runs with
//! their pairs, and a pair's state moved once.

mod common;

use chrono::Utc;
use thanrak_core::economy::matching::Unplaced;
use thanrak_core::economy::HouseholdSupplier;
use thanrak_core::economy::{Enterprise, EnterpriseDraft, EnterpriseKind, Link, Position, Season};
use thanrak_core::household::{Skill, Skills};
use thanrak_core::identity::Scope;
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};
use thanrak_store::{
    EnterpriseFilter, NewMatchRun, NewPair, NewUnplaced, PairState, Store, StoreError,
    SupplierRecord,
};

fn area(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

fn ent(id: i64, kind: EnterpriseKind, name: &str, village: &str) -> Enterprise {
    Enterprise::new(EnterpriseDraft {
        id,
        kind,
        name: name.into(),
        village: area(village),
        location: (id % 2 == 0).then_some((18.29, 99.49)),
        employees: 10,
        local_employees: 8,
        local_resource_pct: 70,
        shares_income: id % 3 == 0,
        registration_no: (kind == EnterpriseKind::CommunityEnterprise).then(|| format!("REG-{id}")),
        otop_stars: (kind == EnterpriseKind::Otop).then_some(4),
    })
    .unwrap()
}

fn pos(id: i64, enterprise: i64, places: u32) -> Position {
    let mut s = Skills::NONE;
    s.insert(Skill::Handicraft);
    Position::new(
        id,
        enterprise,
        "ช่างทอผ้า",
        places,
        s,
        9_000,
        Season::Months(11, 3),
    )
    .unwrap()
}

async fn the_registry_is_written_read_and_paged(s: &Store) {
    let es = vec![
        ent(
            1,
            EnterpriseKind::CommunityEnterprise,
            "กลุ่มทอผ้าบ้านนา",
            "52010101",
        ),
        ent(2, EnterpriseKind::Otop, "ผ้าทอลำปาง", "52010102"),
        ent(3, EnterpriseKind::Cbt, "ท่องเที่ยวชุมชนบ้านนา", "52020101"),
        ent(4, EnterpriseKind::Sme, "โรงสีข้าว", "45010101"),
    ];
    let ps = vec![pos(10, 1, 3), pos(11, 1, 2), pos(12, 4, 5)];
    let ls = vec![
        Link::new(2, 1, "เส้นด้าย").unwrap(),
        Link::new(1, 3, "ผ้าทอ").unwrap(),
    ];
    s.economy()
        .save(&es, &ps, &ls, &[], Utc::now())
        .await
        .unwrap();
    let one = s.economy().get(1).await.unwrap().unwrap();
    assert_eq!(one, es[0]);
    assert_eq!(one.grassroots().points(), 2);
    assert_eq!(
        s.economy().get(2).await.unwrap().unwrap().fields().location,
        Some((18.29, 99.49))
    );
    assert_eq!(s.economy().get(99).await.unwrap(), None);
    assert_eq!(
        s.economy().positions_of(1).await.unwrap(),
        vec![pos(10, 1, 3), pos(11, 1, 2)]
    );
    // By supplier, then buyer.
    assert_eq!(
        s.economy().links_of(1).await.unwrap(),
        vec![ls[1].clone(), ls[0].clone()]
    );
    assert_eq!(s.economy().known_ids(&[4, 1, 7]).await.unwrap(), vec![1, 4]);

    let all = EnterpriseFilter::default();
    let page = s
        .economy()
        .page(&Scope::All, None, &all, 1, 2)
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (4, 2));
    assert_eq!(page.items[0].id(), 1);
    let page2 = s
        .economy()
        .page(&Scope::All, None, &all, 2, 2)
        .await
        .unwrap();
    assert_eq!(
        page2.items.iter().map(Enterprise::id).collect::<Vec<_>>(),
        [3, 4]
    );
    let lampang = s
        .economy()
        .page(&Scope::All, Some(&area("52")), &all, 1, 50)
        .await
        .unwrap();
    assert_eq!(lampang.total, 3);
    let otop = EnterpriseFilter {
        kind: Some(EnterpriseKind::Otop),
        name: None,
    };
    assert_eq!(
        s.economy()
            .page(&Scope::All, None, &otop, 1, 50)
            .await
            .unwrap()
            .total,
        1
    );
    let named = EnterpriseFilter {
        kind: None,
        name: Some("บ้านนา".into()),
    };
    assert_eq!(
        s.economy()
            .page(&Scope::All, None, &named, 1, 50)
            .await
            .unwrap()
            .total,
        2
    );
    // A reader kept inside a district sees only it, whatever it asks for.
    let district = Scope::Areas(vec![area("5202")]);
    let seen = s
        .economy()
        .page(&district, Some(&area("52")), &all, 1, 50)
        .await
        .unwrap();
    assert_eq!(
        seen.items.iter().map(Enterprise::id).collect::<Vec<_>>(),
        [3]
    );
    assert_eq!(
        s.economy()
            .page(&Scope::None, None, &all, 1, 50)
            .await
            .unwrap()
            .total,
        0
    );

    let open = s
        .economy()
        .openings(&Scope::All, Some(&area("5201")))
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|(p, e)| (p.id, e.id())).collect::<Vec<_>>(),
        [(10, 1), (11, 1)]
    );
    assert_eq!(
        s.economy().openings(&Scope::All, None).await.unwrap().len(),
        3
    );

    // A re-import updates in place.
    let renamed = ent(
        1,
        EnterpriseKind::CommunityEnterprise,
        "กลุ่มทอผ้าบ้านนาใหม่",
        "52010101",
    );
    s.economy()
        .save(
            std::slice::from_ref(&renamed),
            &[pos(10, 1, 7)],
            &[],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(s.economy().get(1).await.unwrap().unwrap(), renamed);
    assert_eq!(s.economy().positions_of(1).await.unwrap()[0].places, 7);
    // The name index follows the rename: found by the new part of the name, and a short
    // query (under three letters, scanned) finds the same as before.
    let by_name = |text: &str| EnterpriseFilter {
        kind: None,
        name: Some(text.into()),
    };
    let ids =
        |p: thanrak_store::EnterprisePage| p.items.iter().map(Enterprise::id).collect::<Vec<_>>();
    assert_eq!(
        ids(s
            .economy()
            .page(&Scope::All, None, &by_name("นาใหม่"), 1, 50)
            .await
            .unwrap()),
        [1]
    );
    assert_eq!(
        ids(s
            .economy()
            .page(&Scope::All, None, &by_name("ทอผ้า"), 1, 50)
            .await
            .unwrap()),
        [1]
    );
    assert_eq!(
        s.economy()
            .page(&Scope::All, None, &by_name("ใหม"), 1, 50)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        s.economy()
            .page(&Scope::All, None, &by_name("%%"), 1, 50)
            .await
            .unwrap()
            .total,
        4,
        "wildcards typed are letters dropped, not patterns"
    );
    assert_eq!(
        s.economy()
            .page(&Scope::All, None, &all, 1, 50)
            .await
            .unwrap()
            .total,
        4
    );
}

async fn a_batch_is_written_whole_or_not_at_all(s: &Store) {
    let es = vec![ent(1, EnterpriseKind::Sme, "ร้านค้า", "52010101")];
    // The position names an enterprise that is neither in the batch nor stored.
    let err = s
        .economy()
        .save(&es, &[pos(10, 77, 1)], &[], &[], Utc::now())
        .await;
    assert!(err.is_err());
    assert_eq!(s.economy().get(1).await.unwrap(), None);
}

async fn runs_keep_their_pairs_and_states(s: &Store) {
    let es = vec![ent(1, EnterpriseKind::Sme, "ร้านค้า", "52010101")];
    s.economy()
        .save(&es, &[pos(10, 1, 2)], &[], &[], Utc::now())
        .await
        .unwrap();
    let unplaced = |h: &str, village: &str, reason| NewUnplaced {
        household_id: HouseholdId::parse(h).unwrap(),
        member_no: 1,
        village_code: area(village),
        hardship: false,
        reason,
    };
    let pair = |h: &str, village: &str| NewPair {
        household_id: HouseholdId::parse(h).unwrap(),
        member_no: 2,
        village_code: area(village),
        hardship: true,
        position_id: 10,
        enterprise_id: 1,
        distance_m: Some(1_234),
        matched: Skills::parse("handicraft").unwrap(),
    };
    let run = NewMatchRun {
        round: RoundLabel::parse("2568-1").unwrap(),
        area: Some(area("52")),
        max_m: 30_000,
        workers: 5,
        created_by_id: 1,
        created_by: "admin".into(),
        pairs: vec![pair("H1", "52010101"), pair("H2", "52020101")],
        unplaced: vec![
            unplaced("H3", "52010101", Unplaced::PositionsFull),
            unplaced("H4", "52020101", Unplaced::NoSkillMatch),
            unplaced("H5", "52020102", Unplaced::PositionsFull),
        ],
    };
    let id = s.economy().save_run(&run, Utc::now()).await.unwrap();
    let all = s
        .economy()
        .unplaced(id, &Scope::All, None, 1, 2)
        .await
        .unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(
        all.by_reason,
        [(Unplaced::NoSkillMatch, 1), (Unplaced::PositionsFull, 2)]
    );
    assert_eq!(all.items, run.unplaced[..2]);
    let full = s
        .economy()
        .unplaced(
            id,
            &Scope::Areas(vec![area("5202")]),
            Some(Unplaced::PositionsFull),
            1,
            50,
        )
        .await
        .unwrap();
    assert_eq!(full.total, 1);
    assert_eq!(full.items, run.unplaced[2..]);
    assert_eq!(
        full.by_reason.len(),
        2,
        "counts inside the scope, every reason"
    );
    let stored = s.economy().run(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.workers, stored.placed, stored.max_m),
        (5, 2, 30_000)
    );
    assert_eq!(stored.area, Some(area("52")));
    let pairs = s.economy().pairs(id, &Scope::All).await.unwrap();
    assert_eq!(pairs.len(), 2);
    assert_eq!(pairs[0].pair, run.pairs[0]);
    assert_eq!(pairs[0].state, PairState::Proposed);
    let inside = s
        .economy()
        .pairs(id, &Scope::Areas(vec![area("5202")]))
        .await
        .unwrap();
    assert_eq!(inside.len(), 1);
    assert_eq!(inside[0].pair.household_id.as_str(), "H2");

    assert!(s.economy().workers_of(1).await.unwrap().is_empty());
    let p = pairs[0].id;
    s.economy()
        .move_pair(p, PairState::Proposed, PairState::Accepted, None, None)
        .await
        .unwrap();
    let again = s
        .economy()
        .move_pair(p, PairState::Proposed, PairState::Accepted, None, None)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    assert_eq!(
        s.economy().pair(p).await.unwrap().unwrap().state,
        PairState::Accepted
    );
    assert_eq!(s.economy().workers_of(1).await.unwrap().len(), 1);
}

async fn supplier_households_are_kept_and_read_in_scope(s: &Store) {
    let es = vec![ent(
        1,
        EnterpriseKind::Cooperative,
        "สหกรณ์การเกษตร",
        "52010101",
    )];
    let sup = |h: &str, v: &str, what: &str| SupplierRecord {
        supplier: HouseholdSupplier::new(1, h, what).unwrap(),
        village: area(v),
    };
    let batch = vec![
        sup("H2", "52020101", "ข้าวเปลือก"),
        sup("H1", "52010101", "ข้าวเปลือก"),
        sup("H1", "52010101", "ถั่วเหลือง"),
    ];
    s.economy()
        .save(&es, &[], &[], &batch, Utc::now())
        .await
        .unwrap();
    // Written again: nothing doubles.
    s.economy()
        .save(&es, &[], &[], &batch, Utc::now())
        .await
        .unwrap();
    let all = s.economy().suppliers_of(1, &Scope::All).await.unwrap();
    assert_eq!(
        all,
        vec![batch[1].clone(), batch[2].clone(), batch[0].clone()]
    );
    let mine = s
        .economy()
        .suppliers_of(1, &Scope::Areas(vec![area("5202")]))
        .await
        .unwrap();
    assert_eq!(mine, vec![batch[0].clone()]);
    assert!(s
        .economy()
        .suppliers_of(1, &Scope::None)
        .await
        .unwrap()
        .is_empty());
}

common::conformance!(
    supplier_households_are_kept_and_read_in_scope,
    the_registry_is_written_read_and_paged,
    a_batch_is_written_whole_or_not_at_all,
    runs_keep_their_pairs_and_states,
);

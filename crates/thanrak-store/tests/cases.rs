//! Referral cases on both backends (the harness of `common`): opened once per household, need
//! and agency while open; listed for an agency and inside a scope; moved under a version check,
//! so that of two changes made at once the second is refused and nothing is lost; every change
//! an event.

mod common;

use chrono::{NaiveDate, Utc};
use thanrak_core::case::CaseState;
use thanrak_core::identity::{AgencyCode, Scope};
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};
use thanrak_store::{NewCase, Store, StoreError};

fn new_case(household: &str, village: &str, need: &str, agency: &str) -> NewCase {
    NewCase {
        round: RoundLabel::parse("2568-1").unwrap(),
        household_id: HouseholdId::parse(household).unwrap(),
        village_code: AreaCode::parse(village).unwrap(),
        need: need.into(),
        agency: AgencyCode::parse(agency).unwrap(),
        state: CaseState::Sent,
        priority: 1,
        note: "หลังคารั่ว".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 12, 31),
        created_by: 7,
        created_by_name: "lampang".into(),
    }
}

async fn a_case_is_opened_once_while_open(s: &Store) {
    let now = Utc::now();
    let c = s
        .cases()
        .open(&new_case("H1", "52010101", "housing", "codi"), now)
        .await
        .unwrap();
    assert_eq!((c.state, c.version), (CaseState::Sent, 1));
    assert_eq!(s.cases().get(c.id).await.unwrap(), Some(c.clone()));
    let again = s
        .cases()
        .open(&new_case("H1", "52010101", "housing", "codi"), now)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // Another need, or another agency, is another case.
    s.cases()
        .open(&new_case("H1", "52010101", "occupation", "codi"), now)
        .await
        .unwrap();
    s.cases()
        .open(
            &new_case("H1", "52010101", "housing", "local_government"),
            now,
        )
        .await
        .unwrap();
    // Once the case has ended, the household may be referred again.
    let ended = s
        .cases()
        .change_state(c.id, 1, CaseState::Cancelled, 7, "lampang", "", now)
        .await
        .unwrap();
    assert_eq!(ended.version, 2);
    s.cases()
        .open(&new_case("H1", "52010101", "housing", "codi"), now)
        .await
        .unwrap();
    // An unknown agency is refused by the catalogue.
    assert!(s
        .cases()
        .open(&new_case("H2", "52010101", "housing", "nobody"), now)
        .await
        .is_err());
}

async fn cases_are_listed_by_agency_and_scope(s: &Store) {
    let now = Utc::now();
    for (h, v, a) in [
        ("H1", "52010101", "codi"),
        ("H2", "52020101", "codi"),
        ("H3", "45010101", "codi"),
        ("H4", "52010101", "dasta"),
    ] {
        s.cases()
            .open(&new_case(h, v, "housing", a), now)
            .await
            .unwrap();
    }
    let codi = AgencyCode::parse("codi").unwrap();
    let (all, n) = s
        .cases()
        .list(Some(&codi), &Scope::All, 0, 10)
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        all.iter()
            .map(|c| c.new.household_id.as_str())
            .collect::<Vec<_>>(),
        ["H3", "H2", "H1"],
        "newest first"
    );
    let lampang = Scope::Areas(vec![AreaCode::parse("52").unwrap()]);
    let (_, n) = s.cases().list(Some(&codi), &lampang, 0, 10).await.unwrap();
    assert_eq!(n, 2);
    let (page, n) = s.cases().list(None, &lampang, 1, 1).await.unwrap();
    assert_eq!((page.len(), n), (1, 3));
    let (none, n) = s.cases().list(None, &Scope::None, 0, 10).await.unwrap();
    assert!(none.is_empty() && n == 0);
}

async fn two_changes_at_once_the_second_is_refused(s: &Store) {
    let now = Utc::now();
    let c = s
        .cases()
        .open(&new_case("H1", "52010101", "housing", "codi"), now)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        s.cases().change_state(
            c.id,
            c.version,
            CaseState::Accepted,
            9,
            "codi",
            "รับเรื่อง",
            now
        ),
        s.cases().change_state(
            c.id,
            c.version,
            CaseState::Declined,
            10,
            "codi2",
            "งบหมด",
            now
        ),
    );
    assert!(
        a.is_ok() != b.is_ok(),
        "exactly one change wins: {a:?} / {b:?}"
    );
    let lost = if a.is_ok() { b } else { a };
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    let now_c = s.cases().get(c.id).await.unwrap().unwrap();
    assert_eq!(now_c.version, 2);
    let events = s.cases().events(c.id).await.unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].from, None);
    assert_eq!(events[1].from, Some(CaseState::Sent));
    assert_eq!(events[1].to, now_c.state);
    let missing = s
        .cases()
        .change_state(999_999, 1, CaseState::Accepted, 9, "codi", "", now)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

common::conformance!(
    a_case_is_opened_once_while_open,
    cases_are_listed_by_agency_and_scope,
    two_changes_at_once_the_second_is_refused,
);

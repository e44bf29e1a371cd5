//! Referral cases on both backends (the harness of `common`): opened once per household, need
//! and agency while open; listed for an agency and inside a scope; moved under a version check,
//! so that of two changes made at once the second is refused and nothing is lost; every change
//! an event.

mod common;

use chrono::{NaiveDate, Utc};
use thanrak_core::case::CaseState;
use thanrak_core::identity::{AgencyCode, Scope};
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};
use thanrak_store::{CaseFilter, NewCase, StatusCount, Store, StoreError};

fn by(agency: &AgencyCode) -> CaseFilter<'_> {
    CaseFilter {
        agency: Some(agency),
        ..CaseFilter::default()
    }
}

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
        .change_state(c.id, 1, CaseState::Cancelled, 7, "lampang", "", None, now)
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
    let (all, n) = s.cases().list(by(&codi), &Scope::All, 0, 10).await.unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        all.iter()
            .map(|c| c.new.household_id.as_str())
            .collect::<Vec<_>>(),
        ["H3", "H2", "H1"],
        "newest first"
    );
    let lampang = Scope::Areas(vec![AreaCode::parse("52").unwrap()]);
    let (_, n) = s.cases().list(by(&codi), &lampang, 0, 10).await.unwrap();
    assert_eq!(n, 2);
    let (page, n) = s
        .cases()
        .list(CaseFilter::default(), &lampang, 1, 1)
        .await
        .unwrap();
    assert_eq!((page.len(), n), (1, 3));
    let (none, n) = s
        .cases()
        .list(CaseFilter::default(), &Scope::None, 0, 10)
        .await
        .unwrap();
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
            Some("codi"),
            now
        ),
        s.cases().change_state(
            c.id,
            c.version,
            CaseState::Declined,
            10,
            "codi2",
            "งบหมด",
            None,
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
        .change_state(999_999, 1, CaseState::Accepted, 9, "codi", "", None, now)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

async fn a_bulk_opening_skips_households_with_an_open_case(s: &Store) {
    let now = Utc::now();
    s.cases()
        .open(&new_case("H2", "52010101", "housing", "codi"), now)
        .await
        .unwrap();
    let many: Vec<NewCase> = (1..=2_500)
        .map(|i| new_case(&format!("H{i}"), "52010101", "housing", "codi"))
        .chain([new_case("H1", "52010101", "housing", "codi")])
        .collect();
    let first = s.cases().open_many(&many, now).await.unwrap();
    assert_eq!(first.opened.len(), 2_499);
    let skipped: Vec<&str> = first.already_open.iter().map(|h| h.as_str()).collect();
    assert_eq!(
        skipped,
        ["H2", "H1"],
        "the one open before, and H1 listed twice"
    );
    let (_, n) = s
        .cases()
        .list(CaseFilter::default(), &Scope::All, 0, 1)
        .await
        .unwrap();
    assert_eq!(n, 2_500);
    let (id, h) = &first.opened[10];
    let events = s.cases().events(*id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].from, events[0].to), (None, CaseState::Sent));
    assert_eq!(
        s.cases().get(*id).await.unwrap().unwrap().new.household_id,
        *h
    );
    // Run again, it opens nothing.
    let again = s.cases().open_many(&many, now).await.unwrap();
    assert!(again.opened.is_empty());
    assert_eq!(again.already_open.len(), many.len());
}

async fn status_counts_cases_by_agency_and_state(s: &Store) {
    let now = Utc::now();
    let today = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
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
    let (list, _) = s
        .cases()
        .list(CaseFilter::default(), &Scope::All, 0, 10)
        .await
        .unwrap();
    let h2 = list
        .iter()
        .find(|c| c.new.household_id.as_str() == "H2")
        .unwrap();
    s.cases()
        .change_state(
            h2.id,
            1,
            CaseState::Resolved,
            9,
            "codi",
            "",
            Some("codi"),
            now,
        )
        .await
        .unwrap();
    let lampang = Scope::Areas(vec![AreaCode::parse("52").unwrap()]);
    let codi = AgencyCode::parse("codi").unwrap();
    let dasta = AgencyCode::parse("dasta").unwrap();
    let status = s.cases().status(None, &lampang, today).await.unwrap();
    // Due 2026-12-31: overdue on 2027-01-15 unless ended.
    assert_eq!(
        status,
        [
            StatusCount {
                agency: codi.clone(),
                state: CaseState::Resolved,
                cases: 1,
                overdue: 0
            },
            StatusCount {
                agency: codi.clone(),
                state: CaseState::Sent,
                cases: 1,
                overdue: 1
            },
            StatusCount {
                agency: dasta.clone(),
                state: CaseState::Sent,
                cases: 1,
                overdue: 1
            },
        ]
    );
    let only = s
        .cases()
        .status(Some(&dasta), &Scope::All, today)
        .await
        .unwrap();
    assert_eq!(only.len(), 1);
    assert!(s
        .cases()
        .status(None, &Scope::None, today)
        .await
        .unwrap()
        .is_empty());
    let overdue = CaseFilter {
        overdue_on: Some(today),
        ..CaseFilter::default()
    };
    let (_, n) = s.cases().list(overdue, &Scope::All, 0, 10).await.unwrap();
    assert_eq!(n, 3, "H1, H3, H4 are late; H2 ended");
    let sent = CaseFilter {
        state: Some(CaseState::Resolved),
        ..by(&codi)
    };
    let (got, n) = s.cases().list(sent, &Scope::All, 0, 10).await.unwrap();
    assert_eq!((n, got[0].owner.as_deref()), (1, Some("codi")));
    let of = s
        .cases()
        .of_household(&HouseholdId::parse("H1").unwrap())
        .await
        .unwrap();
    assert_eq!(of.len(), 1);
}

async fn a_comment_keeps_the_state_and_version(s: &Store) {
    let now = Utc::now();
    let c = s
        .cases()
        .open(&new_case("H1", "52010101", "housing", "codi"), now)
        .await
        .unwrap();
    s.cases()
        .comment(c.id, 9, "codi", "โทรนัดแล้ว", now)
        .await
        .unwrap();
    let after = s.cases().get(c.id).await.unwrap().unwrap();
    assert_eq!((after.state, after.version), (c.state, c.version));
    let events = s.cases().events(c.id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(events[1].is_comment() && !events[0].is_comment());
    assert_eq!(events[1].note, "โทรนัดแล้ว");
    let missing = s.cases().comment(999_999, 9, "codi", "x", now).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

common::conformance!(
    a_bulk_opening_skips_households_with_an_open_case,
    status_counts_cases_by_agency_and_state,
    a_comment_keeps_the_state_and_version,
    a_case_is_opened_once_while_open,
    cases_are_listed_by_agency_and_scope,
    two_changes_at_once_the_second_is_refused,
);

//! Accounts, sessions, tokens, login throttling, the audit log and area-scoped reads, checked on
//! both backends like `conformance.rs`: SQLite in a temporary directory, and PostgreSQL in a schema
//! of its own when `THANRAK_TEST_DATABASE_URL` is set.

mod common;

use std::sync::OnceLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use thanrak_core::household::Relation;
use thanrak_core::{AreaCode, AreaLevel, AreaRegistry, Household, HouseholdId, Member, RoundLabel};
use thanrak_demo::{DemoConfig, DemoRound};
use thanrak_store::{
    AgencyCode, ListedHousehold, NewAuditEntry, NewUser, Role, Scope, Store, StoreError, UserName,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap()
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

fn new_user(name: &str, role: Role, areas: &[&str], agency: Option<&str>) -> NewUser {
    NewUser {
        name: UserName::parse(name).unwrap(),
        password_hash: format!("$argon2id$fake${name}"),
        role,
        areas: areas.iter().map(|a| code(a)).collect(),
        agency: agency.map(|a| AgencyCode::parse(a).unwrap()),
    }
}

/// A small demo population in Lampang (52) and Roi Et (45), generated once per test binary.
fn demo_rounds() -> &'static [DemoRound; 2] {
    static ROUNDS: OnceLock<[DemoRound; 2]> = OnceLock::new();
    ROUNDS.get_or_init(|| {
        let config = DemoConfig {
            households: 240,
            seed: 3,
            provinces: vec![code("52"), code("45")],
        };
        thanrak_demo::generate(&config, AreaRegistry::official()).unwrap()
    })
}

async fn load_demo(s: &Store) -> RoundLabel {
    let r = &demo_rounds()[0];
    s.registry()
        .import(&r.households, &r.members, "test", &mut |_, _| {})
        .await
        .unwrap();
    r.label.clone()
}

async fn users_are_created_listed_and_disabled(s: &Store) {
    let admin = s
        .accounts()
        .create_user(&new_user("Admin", Role::Admin, &[], None), t0())
        .await
        .unwrap();
    assert_eq!(admin.name.as_str(), "admin");
    assert_eq!(admin.created_at, t0());
    assert!(!admin.disabled);
    let manager = s
        .accounts()
        .create_user(
            &new_user("lampang", Role::AreaManager, &["5201", "52", "52"], None),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(manager.areas, vec![code("52"), code("5201")]);
    s.accounts()
        .create_user(
            &new_user("codi1", Role::AgencyOfficer, &[], Some("CODI")),
            t0(),
        )
        .await
        .unwrap();
    // Names are one account whatever their case.
    assert!(matches!(
        s.accounts()
            .create_user(&new_user("ADMIN", Role::Analyst, &[], None), t0())
            .await,
        Err(StoreError::Conflict(_))
    ));
    let users = s.accounts().users().await.unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["admin", "codi1", "lampang"]);
    assert_eq!(users[1].agency.as_ref().unwrap().as_str(), "codi");
    assert_eq!(users[1].role, Role::AgencyOfficer);
    assert_eq!(users[2], manager);

    let (user, hash) = s
        .accounts()
        .user_credentials(&UserName::parse("lampang").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user, manager);
    assert_eq!(hash, "$argon2id$fake$lampang");
    assert!(s
        .accounts()
        .user_credentials(&UserName::parse("nobody").unwrap())
        .await
        .unwrap()
        .is_none());

    let disabled = s
        .accounts()
        .set_user_disabled(&manager.name, true)
        .await
        .unwrap();
    assert!(disabled.disabled);
    assert!(s.accounts().user(&manager.name).await.unwrap().disabled);
    assert!(matches!(
        s.accounts()
            .set_user_disabled(&UserName::parse("nobody").unwrap(), true)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn sessions_expire_end_and_die_with_their_user(s: &Store) {
    let u = s
        .accounts()
        .create_user(&new_user("somchai", Role::Analyst, &[], None), t0())
        .await
        .unwrap();
    let ends = t0() + Duration::hours(12);
    s.accounts()
        .create_session(u.id, "hash-1", "csrf-1", t0(), ends)
        .await
        .unwrap();
    s.accounts()
        .create_session(u.id, "hash-2", "csrf-2", t0(), ends)
        .await
        .unwrap();
    let live = s
        .accounts()
        .session("hash-1", t0() + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live.user, u);
    assert_eq!(live.csrf_token, "csrf-1");
    assert_eq!(live.expires_at, ends);
    // Expired at its end, unknown when the token is wrong.
    assert!(s
        .accounts()
        .session("hash-1", ends)
        .await
        .unwrap()
        .is_none());
    assert!(s
        .accounts()
        .session("hash-x", t0())
        .await
        .unwrap()
        .is_none());
    // Logging out ends one session only.
    s.accounts().delete_session("hash-1").await.unwrap();
    assert!(s
        .accounts()
        .session("hash-1", t0())
        .await
        .unwrap()
        .is_none());
    assert!(s
        .accounts()
        .session("hash-2", t0())
        .await
        .unwrap()
        .is_some());
    // Disabling the user ends the rest.
    s.accounts().set_user_disabled(&u.name, true).await.unwrap();
    assert!(s
        .accounts()
        .session("hash-2", t0())
        .await
        .unwrap()
        .is_none());
    s.accounts()
        .set_user_disabled(&u.name, false)
        .await
        .unwrap();
    assert!(s
        .accounts()
        .session("hash-2", t0())
        .await
        .unwrap()
        .is_none());
    // Expired sessions are swept.
    s.accounts()
        .create_session(u.id, "hash-3", "csrf-3", t0(), ends)
        .await
        .unwrap();
    assert_eq!(s.accounts().delete_expired_sessions(t0()).await.unwrap(), 0);
    assert_eq!(s.accounts().delete_expired_sessions(ends).await.unwrap(), 1);
}

async fn api_tokens_find_their_user_unless_disabled(s: &Store) {
    let u = s
        .accounts()
        .create_user(&new_user("script", Role::Admin, &[], None), t0())
        .await
        .unwrap();
    let id = s
        .accounts()
        .create_api_token(u.id, "tok-hash", t0())
        .await
        .unwrap();
    let found = s
        .accounts()
        .api_token_user("tok-hash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.token_id, &found.user), (id, &u));
    assert_eq!(found.last_used_at, None);
    s.accounts()
        .touch_api_token(id, t0() + Duration::minutes(5))
        .await
        .unwrap();
    let found = s
        .accounts()
        .api_token_user("tok-hash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.last_used_at, Some(t0() + Duration::minutes(5)));
    assert!(s
        .accounts()
        .api_token_user("other")
        .await
        .unwrap()
        .is_none());
    s.accounts().set_user_disabled(&u.name, true).await.unwrap();
    assert!(s
        .accounts()
        .api_token_user("tok-hash")
        .await
        .unwrap()
        .is_none());
    // The same digest cannot be stored twice.
    assert!(matches!(
        s.accounts().create_api_token(u.id, "tok-hash", t0()).await,
        Err(StoreError::Conflict(_))
    ));
}

async fn api_tokens_are_listed_and_revoked_one_by_one(s: &Store) {
    let a = s
        .accounts()
        .create_user(&new_user("script", Role::Admin, &[], None), t0())
        .await
        .unwrap();
    let b = s
        .accounts()
        .create_user(&new_user("other", Role::Analyst, &[], None), t0())
        .await
        .unwrap();
    let first = s
        .accounts()
        .create_api_token(a.id, "tok-1", t0())
        .await
        .unwrap();
    let second = s
        .accounts()
        .create_api_token(a.id, "tok-2", t0() + Duration::hours(1))
        .await
        .unwrap();
    let theirs = s
        .accounts()
        .create_api_token(b.id, "tok-3", t0())
        .await
        .unwrap();
    s.accounts()
        .touch_api_token(second, t0() + Duration::hours(2))
        .await
        .unwrap();
    let all = s.accounts().api_tokens(None).await.unwrap();
    let ids: Vec<(i64, &str)> = all.iter().map(|t| (t.id, t.user_name.as_str())).collect();
    assert_eq!(
        ids,
        [(first, "script"), (second, "script"), (theirs, "other")]
    );
    let mine = s.accounts().api_tokens(Some("script")).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[1].created_at, t0() + Duration::hours(1));
    assert_eq!(mine[1].last_used_at, Some(t0() + Duration::hours(2)));
    assert_eq!(mine[0].last_used_at, None);
    assert!(s
        .accounts()
        .api_tokens(Some("nobody"))
        .await
        .unwrap()
        .is_empty());
    // Revoking one token leaves the user and its other tokens alone.
    assert_eq!(
        s.accounts().delete_api_token(second).await.unwrap(),
        "tok-2"
    );
    assert!(s
        .accounts()
        .api_token_user("tok-2")
        .await
        .unwrap()
        .is_none());
    assert!(s
        .accounts()
        .api_token_user("tok-1")
        .await
        .unwrap()
        .is_some());
    assert!(!s.accounts().user(&a.name).await.unwrap().disabled);
    assert!(matches!(
        s.accounts().delete_api_token(second).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn login_failures_count_inside_their_window(s: &Store) {
    let window = Duration::minutes(15);
    for i in 0..3 {
        let at = t0() + Duration::minutes(i);
        s.accounts()
            .record_login_failure("admin", "10.0.0.1", at, at - window)
            .await
            .unwrap();
    }
    s.accounts()
        .record_login_failure("admin", "10.0.0.2", t0(), t0() - window)
        .await
        .unwrap();
    let now = t0() + Duration::minutes(3);
    assert_eq!(
        s.accounts()
            .login_failures("admin", "10.0.0.1", now - window)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        s.accounts()
            .login_failures("admin", "10.0.0.2", now - window)
            .await
            .unwrap(),
        1
    );
    // The oldest failure says when the name may try again.
    assert_eq!(
        s.accounts()
            .oldest_login_failure("admin", "10.0.0.1", now - window)
            .await
            .unwrap(),
        Some(t0())
    );
    assert_eq!(
        s.accounts()
            .oldest_login_failure("admin", "10.0.0.9", now - window)
            .await
            .unwrap(),
        None
    );
    // Later the first failures leave the window.
    let later = t0() + Duration::minutes(16);
    assert_eq!(
        s.accounts()
            .login_failures("admin", "10.0.0.1", later - window)
            .await
            .unwrap(),
        1
    );
    // A success clears one name and address only.
    s.accounts()
        .clear_login_failures("admin", "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(
        s.accounts()
            .login_failures("admin", "10.0.0.1", now - window)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        s.accounts()
            .login_failures("admin", "10.0.0.2", now - window)
            .await
            .unwrap(),
        1
    );
    // Recording forgets what is older than the window.
    let much_later = t0() + Duration::hours(2);
    s.accounts()
        .record_login_failure("x", "10.0.0.9", much_later, much_later - window)
        .await
        .unwrap();
    assert_eq!(
        s.accounts()
            .login_failures("admin", "10.0.0.2", t0() - Duration::days(1))
            .await
            .unwrap(),
        0
    );
}

async fn the_audit_log_pages_newest_first(s: &Store) {
    for i in 0..5i64 {
        s.audit()
            .append(&NewAuditEntry {
                at: t0() + Duration::seconds(i),
                user_id: 7,
                user_name: "lampang".into(),
                action: format!("GET /api/v1/rounds/2568-1/households?page={i}"),
                round: Some("2568-1".into()),
                household_ids: vec![format!("HH5200000{i}"), "HH5200009".into()],
            })
            .await
            .unwrap();
    }
    s.audit()
        .append(&NewAuditEntry {
            at: t0() + Duration::seconds(9),
            user_id: 1,
            user_name: "admin".into(),
            action: "GET /x".into(),
            round: None,
            household_ids: vec![],
        })
        .await
        .unwrap();
    let (page, total) = s.audit().entries(0, 2).await.unwrap();
    assert_eq!(total, 6);
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].entry.user_name, "admin");
    assert_eq!(page[0].entry.round, None);
    assert!(page[0].entry.household_ids.is_empty());
    assert_eq!(page[1].entry.at, t0() + Duration::seconds(4));
    assert_eq!(page[1].entry.household_ids, ["HH52000004", "HH5200009"]);
    let (last, _) = s.audit().entries(4, 2).await.unwrap();
    assert_eq!(last.len(), 2);
    assert_eq!(last[1].entry.at, t0());
    assert!(s.audit().entries(6, 2).await.unwrap().0.is_empty());
    // A batch is written in its order, all in one go.
    let batch: Vec<NewAuditEntry> = (0..1500)
        .map(|i| NewAuditEntry {
            at: t0() + Duration::seconds(20),
            user_id: 3,
            user_name: "batch".into(),
            action: format!("GET /{i}"),
            round: None,
            household_ids: vec![format!("HH{i:08}")],
        })
        .collect();
    s.audit().append_batch(&batch).await.unwrap();
    let (page, total) = s.audit().entries(0, 2).await.unwrap();
    assert_eq!(total, 1506);
    assert_eq!(page[0].entry, batch[1499]);
    assert_eq!(page[1].entry, batch[1498]);
    s.audit().append_batch(&[]).await.unwrap();
    assert_eq!(s.audit().entries(0, 1).await.unwrap().1, 1506);
}

/// The household list: by village then id, each with its number of members and its head, and
/// the total of the area, which follows households moved by a later import.
async fn household_lists_go_by_village_with_members_and_heads(s: &Store) {
    let demo = &demo_rounds()[0];
    let round = load_demo(s).await;
    let mut expected: Vec<&Household> = demo.households.iter().collect();
    expected.sort_by(|a, b| {
        (a.village_code.to_string(), a.household_id.as_str())
            .cmp(&(b.village_code.to_string(), b.household_id.as_str()))
    });
    let (list, total) = s
        .registry()
        .scoped_household_list(&Scope::All, &round, None, 0, 10_000)
        .await
        .unwrap();
    assert_eq!(total as usize, expected.len());
    let ids = |l: &[ListedHousehold]| -> Vec<String> {
        l.iter()
            .map(|l| l.household.household_id.to_string())
            .collect()
    };
    let expected_ids: Vec<String> = expected
        .iter()
        .map(|h| h.household_id.to_string())
        .collect();
    assert_eq!(ids(&list), expected_ids);
    for l in &list {
        let members: Vec<&Member> = demo
            .members
            .iter()
            .filter(|m| m.household_id == l.household.household_id)
            .collect();
        assert_eq!(l.members, members.len());
        let head = members
            .iter()
            .find(|m| m.relation == Relation::Head)
            .or(members.first())
            .unwrap();
        assert_eq!(
            (l.head_first_name.as_str(), l.head_last_name.as_str()),
            (head.first_name.as_str(), head.last_name.as_str())
        );
        assert_eq!(
            &&l.household,
            expected
                .iter()
                .find(|h| h.household_id == l.household.household_id)
                .unwrap()
        );
    }
    // Pages, and past the last page the total is still told.
    let (page, _) = s
        .registry()
        .scoped_household_list(&Scope::All, &round, None, 5, 7)
        .await
        .unwrap();
    assert_eq!(ids(&page), expected_ids[5..12]);
    let (past, t) = s
        .registry()
        .scoped_household_list(&Scope::All, &round, None, total, 7)
        .await
        .unwrap();
    assert!(past.is_empty());
    assert_eq!(t, total);

    // A household moved to another district, with its head's relation changed (so the first
    // member stands for the head), and a household without members.
    let moved = expected
        .iter()
        .find(|h| h.village_code.is_within(&code("52")))
        .unwrap();
    let from = moved.village_code.ancestor(AreaLevel::District).unwrap();
    let to_village = expected
        .iter()
        .map(|h| h.village_code)
        .find(|v| v.is_within(&code("45")))
        .unwrap();
    let to = to_village.ancestor(AreaLevel::District).unwrap();
    let count = |area: AreaCode| {
        expected
            .iter()
            .filter(|h| h.village_code.is_within(&area))
            .count() as u64
    };
    let mut h = (*moved).clone();
    h.village_code = to_village;
    let mut empty = (*moved).clone();
    empty.household_id = HouseholdId::parse("HH999999999").unwrap();
    let mut ms: Vec<Member> = demo
        .members
        .iter()
        .filter(|m| m.household_id == moved.household_id)
        .cloned()
        .collect();
    for m in &mut ms {
        if m.relation == Relation::Head {
            m.relation = Relation::Other;
        }
    }
    s.registry()
        .import(&[h, empty], &ms, "test", &mut |_, _| {})
        .await
        .unwrap();
    let total_of = |area: AreaCode| {
        let round = round.clone();
        async move {
            s.registry()
                .scoped_household_list(&Scope::All, &round, Some(&area), 0, 1)
                .await
                .unwrap()
                .1
        }
    };
    assert_eq!(
        total_of(from).await,
        count(from) - 1 + 1,
        "the empty household stayed behind"
    );
    assert_eq!(total_of(to).await, count(to) + 1);
    assert_eq!(
        s.registry()
            .scoped_household_list(&Scope::All, &round, None, 0, 1)
            .await
            .unwrap()
            .1,
        total + 1
    );
    let (list, _) = s
        .registry()
        .scoped_household_list(&Scope::Areas(vec![to]), &round, None, 0, 10_000)
        .await
        .unwrap();
    let got = list
        .iter()
        .find(|l| l.household.household_id == moved.household_id)
        .unwrap();
    assert_eq!(got.members, ms.len());
    assert_eq!(got.head_first_name, ms[0].first_name);
    let (list, _) = s
        .registry()
        .scoped_household_list(&Scope::Areas(vec![from]), &round, None, 0, 10_000)
        .await
        .unwrap();
    let got = list
        .iter()
        .find(|l| l.household.household_id.as_str() == "HH999999999")
        .unwrap();
    assert_eq!((got.members, got.head_first_name.as_str()), (0, ""));
    assert!(list
        .iter()
        .all(|l| l.household.household_id != moved.household_id));
}

/// Province A (Lampang, 52) cannot read, list or guess a household of province B (Roi Et, 45).
async fn a_scope_keeps_other_provinces_out(s: &Store) {
    let round = load_demo(s).await;
    let all = &demo_rounds()[0].households;
    let in_52: Vec<&HouseholdId> = all
        .iter()
        .filter(|h| h.village_code.is_within(&code("52")))
        .map(|h| &h.household_id)
        .collect();
    let in_45: Vec<HouseholdId> = all
        .iter()
        .filter(|h| h.village_code.is_within(&code("45")))
        .map(|h| h.household_id.clone())
        .collect();
    assert!(!in_52.is_empty() && !in_45.is_empty());
    let lampang = Scope::Areas(vec![code("52")]);

    // Listing: only Lampang, paged in id order, whatever the area asked for.
    let (page, total) = s
        .registry()
        .scoped_households(&lampang, &round, None, 0, 1000)
        .await
        .unwrap();
    assert_eq!(total as usize, in_52.len());
    assert!(page.iter().all(|h| h.village_code.is_within(&code("52"))));
    let (first, _) = s
        .registry()
        .scoped_households(&lampang, &round, None, 0, 10)
        .await
        .unwrap();
    let (second, _) = s
        .registry()
        .scoped_households(&lampang, &round, None, 10, 10)
        .await
        .unwrap();
    assert_eq!(first[..], page[..10]);
    assert_eq!(second[..], page[10..20]);
    let (other, total) = s
        .registry()
        .scoped_households(&lampang, &round, Some(&code("45")), 0, 1000)
        .await
        .unwrap();
    assert!(other.is_empty());
    assert_eq!(total, 0);
    let district = page[0]
        .village_code
        .ancestor(thanrak_core::AreaLevel::District)
        .unwrap();
    let (narrow, n) = s
        .registry()
        .scoped_households(&lampang, &round, Some(&district), 0, 1000)
        .await
        .unwrap();
    assert!(n > 0 && (n as usize) < in_52.len());
    assert!(narrow.iter().all(|h| h.village_code.is_within(&district)));

    // Reading one: a Roi Et id is "not found", exactly like an id that does not exist.
    let mine = s
        .registry()
        .scoped_household(&lampang, &round, in_52[0])
        .await
        .unwrap();
    assert_eq!(&mine.household_id, in_52[0]);
    for id in [&in_45[0], &HouseholdId::parse("HH450000000").unwrap()] {
        assert!(matches!(
            s.registry().scoped_household(&lampang, &round, id).await,
            Err(StoreError::NotFound(_))
        ));
    }
    // Members: none of Roi Et's come back, even when asked for by id.
    let members = s
        .registry()
        .scoped_members(&lampang, &round, &in_45)
        .await
        .unwrap();
    assert!(members.is_empty());
    let ids: Vec<HouseholdId> = vec![in_52[0].clone(), in_45[0].clone()];
    let members = s
        .registry()
        .scoped_members(&lampang, &round, &ids)
        .await
        .unwrap();
    assert!(!members.is_empty());
    assert!(members.iter().all(|m| &m.household_id == in_52[0]));

    // Nothing for Scope::None; everything for Scope::All.
    assert_eq!(
        s.registry()
            .scoped_households(&Scope::None, &round, None, 0, 10)
            .await
            .unwrap()
            .1,
        0
    );
    assert!(matches!(
        s.registry()
            .scoped_household(&Scope::None, &round, in_52[0])
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(s
        .registry()
        .scoped_members(&Scope::None, &round, &ids)
        .await
        .unwrap()
        .is_empty());
    let (_, everyone) = s
        .registry()
        .scoped_households(&Scope::All, &round, None, 0, 1)
        .await
        .unwrap();
    assert_eq!(everyone as usize, all.len());
    assert!(s
        .registry()
        .scoped_household(&Scope::All, &round, &in_45[0])
        .await
        .is_ok());
    // A subdistrict scope sees its subdistrict only.
    let sub = page[0].village_code.parent().unwrap();
    let (hh, _) = s
        .registry()
        .scoped_households(&Scope::Areas(vec![sub]), &round, None, 0, 1000)
        .await
        .unwrap();
    assert!(!hh.is_empty());
    assert!(hh.iter().all(|h| h.village_code.parent() == Some(sub)));
    // Another round is another round.
    let none = RoundLabel::parse("2500-1").unwrap();
    assert!(matches!(
        s.registry()
            .scoped_household(&Scope::All, &none, in_52[0])
            .await,
        Err(StoreError::NotFound(_))
    ));
}

common::conformance!(
    users_are_created_listed_and_disabled,
    sessions_expire_end_and_die_with_their_user,
    api_tokens_find_their_user_unless_disabled,
    api_tokens_are_listed_and_revoked_one_by_one,
    login_failures_count_inside_their_window,
    the_audit_log_pages_newest_first,
    a_scope_keeps_other_provinces_out,
    household_lists_go_by_village_with_members_and_heads,
);

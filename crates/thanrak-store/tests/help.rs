//! The logbook of help given on both backends (the harness of `common`): episodes written one at
//! a time or many in one transaction (all or none), read back per household, and summed by
//! agency, by what they address, by kind and by village inside a scope, money exact in satang.

mod common;

use chrono::{NaiveDate, Utc};
use thanrak_core::case::CaseState;
use thanrak_core::help::{Addresses, Help, HelpKind};
use thanrak_core::identity::{AgencyCode, Scope};
use thanrak_core::methodology::Capital;
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};
use thanrak_store::{HelpTotals, NewCase, NewHelp, Store};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
}

fn new_help(
    household: &str,
    village: &str,
    agency: &str,
    kind: HelpKind,
    addresses: &str,
    satang: i64,
    on: u32,
) -> NewHelp {
    NewHelp {
        help: Help::new(
            RoundLabel::parse("2568-1").unwrap(),
            HouseholdId::parse(household).unwrap(),
            AgencyCode::parse(agency).unwrap(),
            kind,
            Addresses::parse(addresses).unwrap(),
            "ซ่อมหลังคา",
            satang,
            day(on),
            None,
            day(31),
        )
        .unwrap(),
        village_code: AreaCode::parse(village).unwrap(),
        recorded_by_id: 7,
        recorded_by: "lampang".into(),
    }
}

async fn episodes_are_recorded_and_read_back(s: &Store) {
    let now = Utc::now();
    let one = s
        .help()
        .record(
            &new_help(
                "H1",
                "52010101",
                "codi",
                HelpKind::Housing,
                "physical",
                1_500_050,
                3,
            ),
            now,
        )
        .await
        .unwrap();
    assert_eq!(one.new.help.value_satang(), 1_500_050);
    assert_eq!(
        one.new.help.addresses,
        Addresses::Capital(Capital::Physical)
    );
    assert_eq!(s.help().get(one.id).await.unwrap(), Some(one.clone()));
    let ids = s
        .help()
        .record_many(
            &[
                new_help("H1", "52010101", "dasta", HelpKind::Job, "", 0, 9),
                new_help(
                    "H2",
                    "52010101",
                    "codi",
                    HelpKind::Cash,
                    "income",
                    300_000,
                    5,
                ),
            ],
            now,
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1], "ids in the order given");
    let h1 = s
        .help()
        .for_household(&HouseholdId::parse("H1").unwrap())
        .await
        .unwrap();
    assert_eq!(
        h1.iter().map(|r| r.new.help.given_on()).collect::<Vec<_>>(),
        [day(9), day(3)],
        "newest first"
    );
    assert_eq!(h1[0].new.help.addresses, Addresses::Unspecified);
    s.help().remove(one.id).await.unwrap();
    assert_eq!(s.help().get(one.id).await.unwrap(), None);
}

async fn a_batch_is_written_whole_or_not_at_all(s: &Store) {
    let now = Utc::now();
    // Over one multi-row insert, and the last row names an agency outside the catalogue.
    let mut batch: Vec<NewHelp> = (0..1_500)
        .map(|i| {
            new_help(
                &format!("H{i}"),
                "52010101",
                "codi",
                HelpKind::InKind,
                "",
                100,
                2,
            )
        })
        .collect();
    batch.push(new_help(
        "X",
        "52010101",
        "nobody",
        HelpKind::Other,
        "",
        1,
        2,
    ));
    assert!(s.help().record_many(&batch, now).await.is_err());
    let sums = s.help().summary(None, &Scope::All, None).await.unwrap();
    assert_eq!(sums.total, HelpTotals::default(), "nothing was written");
    batch.pop();
    let ids = s.help().record_many(&batch, now).await.unwrap();
    assert_eq!(ids.len(), 1_500);
    let sums = s.help().summary(None, &Scope::All, None).await.unwrap();
    assert_eq!(
        sums.total,
        HelpTotals {
            episodes: 1_500,
            value_satang: 150_000,
            households: 1_500
        }
    );
}

async fn help_is_summed_by_agency_addresses_kind_and_village(s: &Store) {
    let now = Utc::now();
    let rows = [
        new_help(
            "H1",
            "52010101",
            "codi",
            HelpKind::Housing,
            "physical",
            2_000_000,
            1,
        ),
        new_help("H1", "52010101", "codi", HelpKind::Cash, "income", 50, 2),
        new_help(
            "H2",
            "52010102",
            "dasta",
            HelpKind::Job,
            "income",
            1_000_000,
            3,
        ),
        new_help("H3", "45010101", "codi", HelpKind::Training, "human", 99, 4),
    ];
    s.help().record_many(&rows, now).await.unwrap();
    let all = s.help().summary(None, &Scope::All, None).await.unwrap();
    assert_eq!(
        all.total,
        HelpTotals {
            episodes: 4,
            value_satang: 3_000_149,
            households: 3
        }
    );
    let codi = AgencyCode::parse("codi").unwrap();
    assert_eq!(
        all.by_agency,
        [
            (
                codi.clone(),
                HelpTotals {
                    episodes: 3,
                    value_satang: 2_000_149,
                    households: 2
                }
            ),
            (
                AgencyCode::parse("dasta").unwrap(),
                HelpTotals {
                    episodes: 1,
                    value_satang: 1_000_000,
                    households: 1
                }
            ),
        ]
    );
    let income = all
        .by_addresses
        .iter()
        .find(|(a, _)| *a == Addresses::Dimension("income".into()))
        .unwrap();
    assert_eq!(
        income.1,
        HelpTotals {
            episodes: 2,
            value_satang: 1_000_050,
            households: 2
        }
    );
    assert_eq!(all.by_kind.len(), 4);
    assert_eq!(
        all.by_village
            .iter()
            .map(|(v, t)| (v.to_string(), t.episodes))
            .collect::<Vec<_>>(),
        [
            ("45010101".to_string(), 1),
            ("52010101".to_string(), 2),
            ("52010102".to_string(), 1)
        ]
    );
    // A scope, an area inside it, an agency.
    let lampang = Scope::Areas(vec![AreaCode::parse("52").unwrap()]);
    let in_lampang = s.help().summary(None, &lampang, None).await.unwrap();
    assert_eq!(in_lampang.total.episodes, 3);
    let village = AreaCode::parse("52010102").unwrap();
    let one = s
        .help()
        .summary(None, &lampang, Some(&village))
        .await
        .unwrap();
    assert_eq!(one.total.value_satang, 1_000_000);
    let outside = AreaCode::parse("45").unwrap();
    let none = s
        .help()
        .summary(None, &lampang, Some(&outside))
        .await
        .unwrap();
    assert_eq!(none.total, HelpTotals::default());
    let codi_only = s
        .help()
        .summary(Some(&codi), &Scope::All, None)
        .await
        .unwrap();
    assert_eq!(codi_only.total.episodes, 3);
    assert_eq!(codi_only.by_agency.len(), 1);
    let nothing = s.help().summary(None, &Scope::None, None).await.unwrap();
    assert!(nothing.by_village.is_empty());
}

async fn an_agency_knows_the_households_referred_to_it(s: &Store) {
    let case = NewCase {
        round: RoundLabel::parse("2568-1").unwrap(),
        household_id: HouseholdId::parse("H1").unwrap(),
        village_code: AreaCode::parse("52010101").unwrap(),
        need: "housing".into(),
        agency: AgencyCode::parse("codi").unwrap(),
        state: CaseState::Sent,
        priority: 1,
        note: String::new(),
        due_on: None,
        created_by: 7,
        created_by_name: "lampang".into(),
    };
    let c = s.cases().open(&case, Utc::now()).await.unwrap();
    let h1 = HouseholdId::parse("H1").unwrap();
    let codi = AgencyCode::parse("codi").unwrap();
    assert!(s.cases().agency_has_household(&codi, &h1).await.unwrap());
    let dasta = AgencyCode::parse("dasta").unwrap();
    assert!(!s.cases().agency_has_household(&dasta, &h1).await.unwrap());
    let h2 = HouseholdId::parse("H2").unwrap();
    assert!(!s.cases().agency_has_household(&codi, &h2).await.unwrap());
    // A help record may name the case; one naming no stored case is refused.
    let mut with_case = new_help("H1", "52010101", "codi", HelpKind::Housing, "", 1, 1);
    with_case.help = Help::new(
        with_case.help.round.clone(),
        h1.clone(),
        codi.clone(),
        HelpKind::Housing,
        Addresses::Unspecified,
        "ซ่อมบ้าน",
        1,
        day(1),
        Some(c.id),
        day(31),
    )
    .unwrap();
    let r = s.help().record(&with_case, Utc::now()).await.unwrap();
    assert_eq!(r.new.help.case_id, Some(c.id));
    with_case.help = Help::new(
        with_case.help.round.clone(),
        h1,
        codi,
        HelpKind::Housing,
        Addresses::Unspecified,
        "ซ่อมบ้าน",
        1,
        day(1),
        Some(c.id + 1000),
        day(31),
    )
    .unwrap();
    assert!(s.help().record(&with_case, Utc::now()).await.is_err());
}

common::conformance!(
    episodes_are_recorded_and_read_back,
    a_batch_is_written_whole_or_not_at_all,
    help_is_summed_by_agency_addresses_kind_and_village,
    an_agency_knows_the_households_referred_to_it,
);

//! Helpers shared by the integration tests: the example round, reading, and generators of valid
//! records for property tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;
use thanrak_core::household::*;
use thanrak_core::{AreaRegistry, Household, HouseholdId, Member, NationalId, RoundLabel};
use thanrak_io::{read_batch, Batch};

/// The example round shipped with the methodology.
pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../thanrak-core/tests/fixtures/example-round")
}

/// The example round's two files.
pub fn example_paths() -> Vec<PathBuf> {
    vec![
        example_dir().join("households.csv"),
        example_dir().join("members.csv"),
    ]
}

/// The official area registry.
pub fn areas() -> &'static AreaRegistry {
    AreaRegistry::official()
}

/// Reads paths, ignoring progress.
pub fn read(paths: &[PathBuf]) -> Batch {
    read_batch(paths, areas(), &mut |_, _| {}).expect("the files can be read")
}

/// Parses CSV text into rows of cells (header included).
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Writes rows of cells as CSV text.
pub fn csv_text(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Text that the readers give back unchanged: not empty, no space at either end; with
/// formula-like starts, Thai, commas, quotes and line breaks inside.
pub fn text() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "", "", "=", "+", "-", "@", "'", "'=", "''", "@@", "-1",
    ]);
    (
        prefix,
        "[ก-ฮะาิีุูเแโใไ่้a-zA-Z0-9\"',;=+@]",
        "[ก-ฮะาิีุูเแโใไ่้a-zA-Z0-9\"',; =+@\n\r\t-]{0,12}",
        "[ก-ฮาa-zA-Z0-9\"]",
    )
        .prop_map(|(p, first, mid, last)| format!("{p}{first}{mid}{last}"))
}

fn id_text() -> impl Strategy<Value = String> {
    "-?[A-Za-z0-9][A-Za-z0-9_./-]{0,10}"
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2100, 1u32..=365).prop_map(|(y, d)| NaiveDate::from_yo_opt(y, d).unwrap())
}

fn money() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        (0u32..10_000_000).prop_map(f64::from),
        0.0..1e12f64,
        (0u32..1_000_000).prop_map(|c| f64::from(c) / 100.0),
    ]
}

fn pick<T: Clone + std::fmt::Debug + 'static>(all: &[T]) -> impl Strategy<Value = T> {
    prop::sample::select(all.to_vec())
}

const VILLAGES: [&str; 4] = ["52010102", "52010203", "45010101", "45010402"];

/// A valid household, built directly.
pub fn household() -> impl Strategy<Value = Household> {
    (
        (
            id_text(),
            "-?[0-9]{4}-[0-9]",
            date(),
            pick(&VILLAGES),
            prop_oneof![Just(String::new()), "[0-9]{1,3}(/[0-9]{1,2})?", text()],
            prop::option::of((-90.0..=90.0f64, -180.0..=180.0f64)),
            pick(&HousingTenure::ALL),
            pick(&HousingCondition::ALL),
        ),
        (
            prop::array::uniform4(any::<bool>()),
            0.0..1e6f64,
            pick(&LandTenure::ALL),
            prop::array::uniform2(any::<bool>()),
            prop::array::uniform4(money()),
            0u32..=1000,
            any::<bool>(),
        ),
    )
        .prop_map(
            |((id, round, day, village, house_no, location, tenure, condition), rest)| {
                let (flags, land, land_tenure, nat, money, groups, help) = rest;
                Household {
                    household_id: HouseholdId::parse(&id).unwrap(),
                    round: RoundLabel::parse(&round).unwrap(),
                    survey_date: day,
                    village_code: areas().village(village).unwrap(),
                    house_no,
                    location,
                    housing_tenure: tenure,
                    housing_condition: condition,
                    drinking_water_ok: flags[0],
                    water_use_ok: flags[1],
                    electricity: flags[2],
                    sanitary_toilet: flags[3],
                    farm_land_rai: land,
                    land_tenure,
                    natural_resource_use: nat[0],
                    disaster_risk: nat[1],
                    savings_thb: money[0],
                    debt_formal_thb: money[1],
                    debt_informal_thb: money[2],
                    transfers_thb_year: money[3],
                    group_memberships: groups,
                    receives_community_help: help,
                }
            },
        )
}

/// A valid member, built directly.
pub fn member() -> impl Strategy<Value = Member> {
    let born = prop_oneof![
        (date(), prop::option::of(0u8..=130)).prop_map(|(d, a)| (Some(d), a)),
        (0u8..=130).prop_map(|a| (None, Some(a))),
    ];
    (
        (
            id_text(),
            "[0-9]{4}-[0-9]",
            1u16..=999,
            prop::option::of(prop::array::uniform12(0u8..10)),
            text(),
            prop_oneof![Just(String::new()), text()],
            pick(&Sex::ALL),
            born,
        ),
        (
            pick(&Relation::ALL),
            pick(&Education::ALL),
            pick(&Occupation::ALL),
            money(),
            prop::array::uniform10(any::<bool>()),
            0u16..(1 << Skill::ALL.len()),
        ),
    )
        .prop_map(|((id, round, no, nid, first, last, sex, born), rest)| {
            let (relation, education, occupation, income, f, skill_bits) = rest;
            let mut skills = Skills::NONE;
            for (i, s) in Skill::ALL.iter().enumerate() {
                if skill_bits & (1 << i) != 0 {
                    skills.insert(*s);
                }
            }
            Member {
                household_id: HouseholdId::parse(&id).unwrap(),
                round: RoundLabel::parse(&round).unwrap(),
                member_no: no,
                national_id: nid.map(NationalId::from_first12),
                first_name: first,
                last_name: last,
                sex,
                birth_date: born.0,
                age: born.1,
                relation,
                education,
                in_school: f[0],
                literate: f[1],
                occupation,
                income_thb_year: income,
                disability: f[2],
                chronic_illness: f[3],
                dependent: f[4],
                receives_care: f[5],
                welfare_card: f[6],
                health_insurance: f[7],
                skills,
                can_work: f[8],
                wants_work: f[9],
            }
        })
}

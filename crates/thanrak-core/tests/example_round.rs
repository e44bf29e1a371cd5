//! The worked example round (tests/fixtures/example-round): imported through the schema, scored
//! with the default methodology, compared with expected.csv column by column.

use std::collections::HashMap;
use std::path::Path;

use thanrak_core::measure::score_round;
use thanrak_core::methodology::{Capital, Methodology};
use thanrak_core::schema::{self, Column, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaRegistry, Household, Member};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/example-round")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Reads a CSV into rows of cells in canonical column order, whatever the file's column order.
fn read_table(name: &str, columns: &'static [Column]) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(fixture(name)).expect("fixture exists");
    let headers = r.headers().expect("a header row").clone();
    let map: Vec<Option<usize>> = headers
        .iter()
        .map(|h| schema::match_header(columns, h))
        .collect();
    assert!(
        map.iter().all(Option::is_some),
        "every header of {name} is a known column"
    );
    r.records()
        .map(|rec| {
            let rec = rec.expect("a well-formed CSV row");
            let mut cells = vec![String::new(); columns.len()];
            for (i, cell) in rec.iter().enumerate() {
                cells[map[i].expect("checked")] = cell.to_string();
            }
            cells
        })
        .collect()
}

fn load() -> (Vec<Household>, Vec<Member>) {
    let households = read_table("households.csv", HOUSEHOLD_COLUMNS)
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            let (values, errors) = schema::parse_cells(HOUSEHOLD_COLUMNS, &cells);
            assert!(errors.is_empty(), "households row {}: {errors:?}", i + 2);
            Household::from_values(&values, AreaRegistry::official())
                .unwrap_or_else(|e| panic!("households row {}: {e:?}", i + 2))
        })
        .collect();
    let members = read_table("members.csv", MEMBER_COLUMNS)
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            let (values, errors) = schema::parse_cells(MEMBER_COLUMNS, &cells);
            assert!(errors.is_empty(), "members row {}: {errors:?}", i + 2);
            Member::from_values(&values).unwrap_or_else(|e| panic!("members row {}: {e:?}", i + 2))
        })
        .collect();
    (households, members)
}

#[test]
fn example_round_matches_expected_csv() {
    let m = Methodology::thanrak_default();
    let (households, members) = load();
    assert_eq!((households.len(), members.len()), (24, 86));
    let problems = schema::check_batch(&households, &members, &HashMap::new());
    assert!(problems.is_empty(), "{problems:?}");

    let scores = score_round(m, &households, &members);
    let by_id: HashMap<&str, _> = scores
        .iter()
        .map(|s| (s.household_id.as_str(), s))
        .collect();

    let mut r = csv::Reader::from_path(fixture("expected.csv")).expect("expected.csv exists");
    let headers: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let mut differences = Vec::new();
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.expect("a well-formed row");
        rows += 1;
        let id = &rec[0];
        let s = by_id.get(id).unwrap_or_else(|| panic!("no score for {id}"));
        for (col, want) in headers.iter().zip(rec.iter()).skip(1) {
            let got: f64 = match col.as_str() {
                "group" => {
                    if s.group.as_str() != want {
                        differences.push(format!("{id} group: expected {want}, got {}", s.group));
                    }
                    continue;
                }
                "score" => s.score,
                "mpi_poor" => f64::from(u8::from(s.mpi_poor)),
                "target_poor" => f64::from(u8::from(s.target_poor)),
                other => {
                    if let Some(i) = m.indicator_index(other) {
                        f64::from(u8::from(s.deprived(i)))
                    } else if let Some(c) = Capital::parse(other) {
                        s.capital(c)
                    } else {
                        panic!("unknown column {other} in expected.csv")
                    }
                }
            };
            let want: f64 = want.parse().expect("a number");
            if (got - want).abs() > 1e-9 {
                differences.push(format!("{id} {col}: expected {want}, got {got}"));
            }
        }
    }
    assert_eq!(rows, 24);
    assert!(
        differences.is_empty(),
        "differences:\n{}",
        differences.join("\n")
    );
}

#[test]
fn the_example_covers_every_group_and_indicator() {
    let m = Methodology::thanrak_default();
    let (households, members) = load();
    let scores = score_round(m, &households, &members);
    for g in thanrak_core::methodology::Group::ALL {
        assert!(scores.iter().any(|s| s.group == g), "{g} occurs");
    }
    for (i, ind) in m.indicators().iter().enumerate() {
        assert!(scores.iter().any(|s| s.deprived(i)), "{} occurs", ind.id);
    }
    // Reasons name the deciding rule first, then the failed criteria.
    let ex001 = &scores[0];
    let reasons = ex001.reasons(m);
    assert_eq!(reasons[0].code, "hardship");
    let failed: Vec<&str> = reasons[1..].iter().map(|r| r.code).collect();
    assert!(failed.contains(&"physical.housing"), "{failed:?}");
}

//! Reading good input: the example round, Thai headers and sheet names, any column order.

mod common;

use std::fs;

use chrono::{Datelike, NaiveDate};
use common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use thanrak_core::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_io::{read_batch, Origin};

#[test]
fn the_example_round_reads_without_a_problem() {
    let batch = read(&example_paths());
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!(batch.households.len(), 24);
    assert_eq!(batch.members.len(), 86);
    assert_eq!(batch.household_origins.len(), 24);
    assert_eq!(batch.member_origins.len(), 86);
    let hh_file = example_paths()[0].display().to_string();
    assert_eq!(
        batch.household_origins[0],
        Origin {
            file: hh_file,
            row: 2
        }
    );
    assert_eq!(batch.member_origins.last().unwrap().row, 87);
    // EX001 gives its survey date in the Buddhist Era, EX002 in the Common Era: the same day.
    let june_15 = NaiveDate::from_ymd_opt(2023, 6, 15).unwrap();
    assert_eq!(batch.households[0].household_id.as_str(), "EX001");
    assert_eq!(batch.households[0].survey_date, june_15);
    assert_eq!(batch.households[1].survey_date, june_15);
    // A Buddhist-Era birth date (2506) becomes 1963.
    assert_eq!(
        batch.members[0].birth_date,
        NaiveDate::from_ymd_opt(1963, 6, 4)
    );
    assert_eq!(batch.members[0].first_name, "มาลี");
}

#[test]
fn progress_is_reported_up_to_the_total() {
    let mut calls = Vec::new();
    read_batch(&example_paths(), areas(), &mut |done, total| {
        calls.push((done, total))
    })
    .unwrap();
    let total: u64 = example_paths()
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .sum();
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|&(d, t)| t == total && d <= t));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(calls.last(), Some(&(total, total)));
}

/// Rewrites a CSV with Thai headers, columns in reverse order.
fn thai_and_reversed(text: &str, columns: &[thanrak_core::schema::Column]) -> String {
    let rows = csv_rows(text);
    let rows: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r: Vec<String> = if i == 0 {
                r.iter()
                    .map(|h| {
                        let c = columns.iter().find(|c| c.name == h).unwrap();
                        c.thai.to_string()
                    })
                    .collect()
            } else {
                r.clone()
            };
            r.reverse();
            r
        })
        .collect();
    csv_text(&rows)
}

#[test]
fn thai_headers_in_any_order_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let hh = fs::read_to_string(example_dir().join("households.csv")).unwrap();
    let mm = fs::read_to_string(example_dir().join("members.csv")).unwrap();
    let paths = vec![dir.path().join("ครัวเรือน.csv"), dir.path().join("สมาชิก.csv")];
    fs::write(&paths[0], thai_and_reversed(&hh, HOUSEHOLD_COLUMNS)).unwrap();
    // Members with a byte-order mark, as Excel saves "CSV UTF-8", and CRLF line ends.
    let members = thai_and_reversed(&mm, MEMBER_COLUMNS).replace('\n', "\r\n");
    fs::write(&paths[1], format!("\u{feff}{members}")).unwrap();
    let thai = read(&paths);
    assert_eq!(thai.diagnostics, vec![]);
    let canonical = read(&example_paths());
    assert_eq!(thai.households, canonical.households);
    assert_eq!(thai.members, canonical.members);
}

#[test]
fn files_are_told_apart_by_header_not_name_or_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    fs::copy(example_dir().join("members.csv"), &a).unwrap();
    fs::copy(example_dir().join("households.csv"), &b).unwrap();
    let batch = read(&[a, b]);
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!((batch.households.len(), batch.members.len()), (24, 86));
}

#[test]
fn a_thai_workbook_with_typed_cells_reads_like_the_csv() {
    // A workbook as a person makes it: Thai sheet names and headers, numbers as numbers, dates
    // as date cells, empty rows above the header, columns starting at B.
    let canonical = read(&example_paths());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("สำรวจ.xlsx");
    let mut wb = Workbook::new();
    let date_format = Format::new().set_num_format("d/m/yyyy");
    for (sheet_name, file, columns) in [
        ("ครัวเรือน", "households.csv", HOUSEHOLD_COLUMNS),
        ("สมาชิก", "members.csv", MEMBER_COLUMNS),
    ] {
        let rows = csv_rows(&fs::read_to_string(example_dir().join(file)).unwrap());
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name).unwrap();
        for (c, h) in rows[0].iter().enumerate() {
            let thai = columns.iter().find(|col| col.name == h).unwrap().thai;
            ws.write_string(2, c as u16 + 1, thai).unwrap();
        }
        for (r, row) in rows[1..].iter().enumerate() {
            let r = r as u32 + 3;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16 + 1;
                let name = rows[0][c as usize - 1].as_str();
                if cell.is_empty() {
                    continue;
                }
                if name.ends_with("date") {
                    let d = thanrak_core::date::parse_date(cell).unwrap();
                    let xd =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .unwrap();
                    ws.write_datetime_with_format(r, c, &xd, &date_format)
                        .unwrap();
                } else if let Ok(n) = cell.parse::<f64>() {
                    ws.write_number(r, c, n).unwrap();
                } else {
                    ws.write_string(r, c, cell).unwrap();
                }
            }
        }
    }
    wb.save(&path).unwrap();
    let batch = read(std::slice::from_ref(&path));
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!(batch.households, canonical.households);
    assert_eq!(batch.members, canonical.members);
    assert_eq!(
        batch.household_origins[0],
        Origin {
            file: format!("{} [ครัวเรือน]", path.display()),
            row: 4
        }
    );
}

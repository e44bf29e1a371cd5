//! Export → import gives the same records, and export → import → export the same bytes.

mod common;

use std::fs;

use common::*;
use proptest::prelude::*;
use thanrak_core::{Household, Member, Reason};
use thanrak_io::{
    read_batch, write_csv_tables, write_report_csv, write_tables, write_xlsx_tables, Diagnostic,
    ExportFormat, IoError,
};

fn csv_round_trip(households: &[Household], members: &[Member]) {
    let dir = tempfile::tempdir().unwrap();
    let first = write_csv_tables(&dir.path().join("first"), households, members).unwrap();
    let batch = read(&first);
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!(batch.households, households);
    assert_eq!(batch.members, members);
    let second = write_csv_tables(
        &dir.path().join("second"),
        &batch.households,
        &batch.members,
    )
    .unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            fs::read(a).unwrap(),
            fs::read(b).unwrap(),
            "{}",
            a.display()
        );
    }
}

fn xlsx_round_trip(households: &[Household], members: &[Member]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    write_xlsx_tables(&path, households, members).unwrap();
    let batch = read(std::slice::from_ref(&path));
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!(batch.households, households);
    assert_eq!(batch.members, members);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_export_import_export_is_exact(
        households in prop::collection::vec(household(), 0..6),
        members in prop::collection::vec(member(), 0..10),
    ) {
        csv_round_trip(&households, &members);
    }

    #[test]
    fn xlsx_export_import_gives_the_same_records(
        households in prop::collection::vec(household(), 0..4),
        members in prop::collection::vec(member(), 0..6),
    ) {
        xlsx_round_trip(&households, &members);
    }
}

#[test]
fn the_example_round_survives_both_formats() {
    let batch = read(&example_paths());
    csv_round_trip(&batch.households, &batch.members);
    xlsx_round_trip(&batch.households, &batch.members);
    let dir = tempfile::tempdir().unwrap();
    let files = write_tables(ExportFormat::Xlsx, &dir.path().join("x.xlsx"), &[], &[]).unwrap();
    assert_eq!(files, vec![dir.path().join("x.xlsx")]);
    let files = write_tables(ExportFormat::Csv, dir.path(), &[], &batch.members).unwrap();
    assert_eq!(files.len(), 2);
}

#[test]
fn awkward_text_survives_both_formats() {
    let mut batch = read(&example_paths());
    let names = [
        "a\r\nb",
        "x\ry",
        "p\nq",
        "=1+1",
        "'=x",
        "''y",
        "'",
        "@",
        "-",
        "ก, \"ข\"",
        "tab\tin",
    ];
    for (m, name) in batch.members.iter_mut().zip(names) {
        m.first_name = name.to_string();
        m.last_name = format!("{name}z");
    }
    csv_round_trip(&batch.households, &batch.members);
    xlsx_round_trip(&batch.households, &batch.members);
}

#[test]
fn the_csv_export_is_canonical_and_neutralises_formulas() {
    let mut batch = read(&example_paths());
    batch.members[0].first_name = "=HYPERLINK(\"http://x\",\"y\")".into();
    batch.members[0].last_name = "@SUM(A1)".into();
    batch.members[1].first_name = "+66 81".into();
    batch.members[2].first_name = "-1".into();
    batch.households[0].house_no = "'=x".into();
    let dir = tempfile::tempdir().unwrap();
    let files = write_csv_tables(dir.path(), &batch.households, &batch.members).unwrap();
    assert_eq!(
        files,
        vec![
            dir.path().join("households.csv"),
            dir.path().join("members.csv")
        ]
    );
    let hh = fs::read_to_string(&files[0]).unwrap();
    let mm = fs::read_to_string(&files[1]).unwrap();
    assert!(!hh.starts_with('\u{feff}') && !hh.contains('\r'));
    // The example is already canonical apart from its Buddhist-Era dates.
    let header = fs::read_to_string(example_dir().join("households.csv")).unwrap();
    assert_eq!(hh.lines().next(), header.lines().next());
    assert!(hh
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("EX001,2566-1,2023-06-15,52010102,''=x,"));
    let first = mm.lines().nth(1).unwrap();
    assert!(
        first.starts_with("EX001,2566-1,1,4573661203302,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(A1),F,1963-06-04,,head,"),
        "{first}"
    );
    assert!(mm.lines().nth(2).unwrap().contains(",'+66 81,"));
    assert!(mm.lines().nth(3).unwrap().contains(",'-1,"));
    // Numbers and dates are never quoted: a negative coordinate stays a number.
    batch.households[0].location = Some((-12.5, 100.25));
    write_csv_tables(dir.path(), &batch.households, &[]).unwrap();
    let hh = fs::read_to_string(&files[0]).unwrap();
    assert!(hh.lines().nth(1).unwrap().contains(",-12.5,100.25,"));
    let back = read(&files);
    assert_eq!(back.diagnostics, vec![]);
    assert_eq!(back.households, batch.households);
}

#[test]
fn the_report_lists_every_diagnostic_safely() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    let diagnostics = vec![
        Diagnostic {
            file: "m.csv".into(),
            row: 2,
            column: "first_name".into(),
            value: "=1+1".into(),
            reason: Reason::Required,
        },
        Diagnostic {
            file: "ครัวเรือน.csv".into(),
            row: 0,
            column: String::new(),
            value: String::new(),
            reason: Reason::DuplicateColumn {
                column: "x, \"y\"".into(),
            },
        },
    ];
    write_report_csv(&path, &diagnostics).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "\u{feff}file,row,column,value,reason\n\
         m.csv,2,first_name,'=1+1,is required\n\
         ครัวเรือน.csv,0,,,\"the column x, \"\"y\"\" appears twice; only the first one is read\"\n"
    );
    let err = write_report_csv(&dir.path().join("no/such/dir/r.csv"), &diagnostics).unwrap_err();
    assert!(matches!(err, IoError::Write { .. }));
    assert!(err.to_string().contains("no/such/dir/r.csv"), "{err}");
}

#[test]
fn write_failures_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    // A directory cannot be created where a file is.
    let err = write_csv_tables(&file.join("sub"), &[], &[]).unwrap_err();
    assert!(err.to_string().starts_with("cannot write"), "{err}");
    let err = write_xlsx_tables(&file.join("x.xlsx"), &[], &[]).unwrap_err();
    assert!(err.to_string().contains("x.xlsx"), "{err}");
    // Reading what could not be written is an open error, not a panic.
    assert!(read_batch(&[file.join("x.xlsx")], areas(), &mut |_, _| {}).is_err());
}

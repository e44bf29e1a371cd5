//! Import and export end to end through files, on a fresh SQLite store per test.

use std::path::{Path, PathBuf};

use thanrak_app::{export_round, import_files, ExportFormat, ImportMode, ImportOutcome, Importer};
use thanrak_core::RoundLabel;
use thanrak_store::Store;

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../thanrak-core/tests/fixtures/example-round")
}

async fn store(dir: &Path) -> Store {
    Store::connect(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap()
}

fn label(round: &str) -> RoundLabel {
    RoundLabel::parse(round).unwrap()
}

fn example_paths() -> Vec<PathBuf> {
    vec![
        example_dir().join("households.csv"),
        example_dir().join("members.csv"),
    ]
}

async fn import(store: &Store, paths: &[PathBuf]) -> ImportOutcome {
    import_with(store, paths, ImportMode::Whole, false).await
}

async fn import_with(
    store: &Store,
    paths: &[PathBuf],
    mode: ImportMode,
    remove_members: bool,
) -> ImportOutcome {
    import_files(
        store,
        &Importer::command_line(),
        paths,
        mode,
        remove_members,
        &mut |_, _, _| {},
    )
    .await
    .unwrap()
}

/// The number of members stored for one household of the example round.
async fn members_of(store: &Store, household: &str) -> usize {
    let round = thanrak_core::RoundLabel::parse("2566-1").unwrap();
    store
        .registry()
        .members(&round)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.household_id.as_str() == household)
        .count()
}

/// A households file alone used to replace the members of every household in it with nothing.
/// It is refused now, unless a households-only update is asked for, which keeps the members.
#[tokio::test]
async fn a_households_file_alone_never_deletes_members() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    assert!(matches!(
        import(&s, &example_paths()).await,
        ImportOutcome::Loaded(_)
    ));
    let first = {
        let round = thanrak_core::RoundLabel::parse("2566-1").unwrap();
        s.registry().households(&round).await.unwrap()[0]
            .household_id
            .to_string()
    };
    let before = members_of(&s, &first).await;
    assert!(before > 0);
    let only = vec![example_dir().join("households.csv")];
    let ImportOutcome::Rejected(d) = import(&s, &only).await else {
        panic!("a households table alone must be refused")
    };
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].reason.to_string().contains("no members table"),
        "{}",
        d[0].reason
    );
    assert_eq!(members_of(&s, &first).await, before);

    // A households-only update changes households and keeps every member.
    let edited = dir.path().join("households.csv");
    let text = std::fs::read_to_string(&only[0]).unwrap();
    std::fs::write(&edited, &text).unwrap();
    let ImportOutcome::Loaded(sum) = import_with(
        &s,
        std::slice::from_ref(&edited),
        ImportMode::HouseholdsOnly,
        false,
    )
    .await
    else {
        panic!("a households-only update must load")
    };
    assert_eq!((sum.households, sum.members), (24, 0));
    assert_eq!(members_of(&s, &first).await, before);
    let rounds = thanrak_app::rounds(&s).await.unwrap();
    assert_eq!((rounds[0].households, rounds[0].members), (24, 86));

    // A households-only update with a members table, or of a household not stored, is refused.
    let ImportOutcome::Rejected(d) =
        import_with(&s, &example_paths(), ImportMode::HouseholdsOnly, false).await
    else {
        panic!("members in a households-only update must be refused")
    };
    assert!(d
        .iter()
        .any(|d| d.reason.to_string().contains("keeps the stored members")));
    let empty = store(&dir.path().join("e").tap_mkdir()).await;
    let ImportOutcome::Rejected(d) = import_with(
        &empty,
        std::slice::from_ref(&edited),
        ImportMode::HouseholdsOnly,
        false,
    )
    .await
    else {
        panic!("a households-only update of new households must be refused")
    };
    assert_eq!(d.len(), 24);
    assert!(
        d[0].reason
            .to_string()
            .contains("holds no such household yet"),
        "{}",
        d[0].reason
    );
}

/// Re-importing a household with fewer members removes the others only when confirmed; until
/// then the outcome lists them and nothing is written.
#[tokio::test]
async fn members_are_removed_only_when_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    import(&s, &example_paths()).await;
    let mm = std::fs::read_to_string(example_dir().join("members.csv")).unwrap();
    let mut lines: Vec<&str> = mm.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let hh_col = header.iter().position(|c| *c == "household_id").unwrap();
    let no_col = header.iter().position(|c| *c == "member_no").unwrap();
    // Drop the last member of the first household.
    let first_hh = lines[1].split(',').nth(hh_col).unwrap().to_string();
    let last = lines
        .iter()
        .rposition(|l| l.split(',').nth(hh_col) == Some(first_hh.as_str()))
        .unwrap();
    let dropped_no: u16 = lines[last].split(',').nth(no_col).unwrap().parse().unwrap();
    lines.remove(last);
    let edited = dir.path().join("members.csv");
    std::fs::write(&edited, lines.join("\n") + "\n").unwrap();
    let paths = vec![example_dir().join("households.csv"), edited];
    let before = members_of(&s, &first_hh).await;
    let ImportOutcome::RemovesMembers(r) = import(&s, &paths).await else {
        panic!("an import that removes members must wait for confirmation")
    };
    assert_eq!(r.members(), 1);
    assert_eq!(r.households.len(), 1);
    assert_eq!(r.households[0].1.as_str(), first_hh);
    assert_eq!(r.households[0].2, vec![dropped_no]);
    assert_eq!(members_of(&s, &first_hh).await, before);
    let ImportOutcome::Loaded(_) = import_with(&s, &paths, ImportMode::Whole, true).await else {
        panic!("a confirmed import must load")
    };
    assert_eq!(members_of(&s, &first_hh).await, before - 1);
}

/// Every import from the command line is in the audit log: who, which files, counts, outcome.
#[tokio::test]
async fn command_line_imports_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    import(&s, &example_paths()).await;
    import(&s, &[example_dir().join("households.csv")]).await;
    let (lines, total) = s.audit().entries(0, 10).await.unwrap();
    assert_eq!(total, 2);
    let rejected = &lines[0].entry;
    let loaded = &lines[1].entry;
    assert!(loaded.user_name.starts_with("cli:"), "{}", loaded.user_name);
    assert!(
        loaded.action.contains("households.csv"),
        "{}",
        loaded.action
    );
    assert!(
        loaded.action.contains("24 households, 86 members"),
        "{}",
        loaded.action
    );
    assert!(loaded.action.contains("loaded"), "{}", loaded.action);
    assert!(
        rejected.action.contains("rejected (1 problems)"),
        "{}",
        rejected.action
    );
}

#[tokio::test]
async fn the_example_round_loads_and_reloads_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let ImportOutcome::Loaded(first) = import(&s, &example_paths()).await else {
        panic!("the example round must load")
    };
    assert_eq!((first.households, first.members), (24, 86));
    let out1 = dir.path().join("out1");
    export_round(&s, &label("2566-1"), &out1, ExportFormat::Csv)
        .await
        .unwrap();
    let ImportOutcome::Loaded(_) = import(&s, &example_paths()).await else {
        panic!("a reload must succeed")
    };
    let rounds = thanrak_app::rounds(&s).await.unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!((rounds[0].households, rounds[0].members), (24, 86));
    let out2 = dir.path().join("out2");
    export_round(&s, &label("2566-1"), &out2, ExportFormat::Csv)
        .await
        .unwrap();
    for f in ["households.csv", "members.csv"] {
        assert_eq!(
            std::fs::read(out1.join(f)).unwrap(),
            std::fs::read(out2.join(f)).unwrap(),
            "{f} changed after a reload"
        );
    }
}

/// Export → import into an empty database → export gives identical files, for CSV and XLSX.
#[tokio::test]
async fn export_import_export_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let a = store(&dir.path().join("a").tap_mkdir()).await;
    import(&a, &example_paths()).await;
    let csv1 = dir.path().join("csv1");
    export_round(&a, &label("2566-1"), &csv1, ExportFormat::Csv)
        .await
        .unwrap();
    let xlsx = dir.path().join("xlsx");
    let x = export_round(&a, &label("2566-1"), &xlsx, ExportFormat::Xlsx)
        .await
        .unwrap();

    let b = store(&dir.path().join("b").tap_mkdir()).await;
    let csv_paths = vec![csv1.join("households.csv"), csv1.join("members.csv")];
    assert!(matches!(
        import(&b, &csv_paths).await,
        ImportOutcome::Loaded(_)
    ));
    let csv2 = dir.path().join("csv2");
    export_round(&b, &label("2566-1"), &csv2, ExportFormat::Csv)
        .await
        .unwrap();

    let c = store(&dir.path().join("c").tap_mkdir()).await;
    assert!(matches!(
        import(&c, &x.files).await,
        ImportOutcome::Loaded(_)
    ));
    let csv3 = dir.path().join("csv3");
    export_round(&c, &label("2566-1"), &csv3, ExportFormat::Csv)
        .await
        .unwrap();
    for f in ["households.csv", "members.csv"] {
        let one = std::fs::read(csv1.join(f)).unwrap();
        assert_eq!(one, std::fs::read(csv2.join(f)).unwrap(), "{f} via CSV");
        assert_eq!(one, std::fs::read(csv3.join(f)).unwrap(), "{f} via XLSX");
    }
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}
impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

/// One case of a bad file: a cell to change and the problem the import must report.
struct Case {
    file: &'static str,
    /// 1-based row in the file (header = 1) and the column to change.
    row: usize,
    column: &'static str,
    value: &'static str,
    /// Expected (column, value, part of the reason).
    expect: (&'static str, &'static str, &'static str),
}

const CASES: &[Case] = &[
    Case {
        file: "households.csv",
        row: 2,
        column: "village_code",
        value: "99999901",
        expect: ("village_code", "99999901", "not a known subdistrict"),
    },
    Case {
        file: "households.csv",
        row: 3,
        column: "village_code",
        value: "5201",
        expect: ("village_code", "5201", "village code"),
    },
    Case {
        file: "households.csv",
        row: 4,
        column: "housing_tenure",
        value: "castle",
        expect: ("housing_tenure", "castle", "must be one of"),
    },
    Case {
        file: "households.csv",
        row: 5,
        column: "drinking_water_ok",
        value: "yes",
        expect: ("drinking_water_ok", "yes", "0 or 1"),
    },
    Case {
        file: "households.csv",
        row: 6,
        column: "survey_date",
        value: "2566-02-30",
        expect: ("survey_date", "2566-02-30", "not a day"),
    },
    Case {
        file: "households.csv",
        row: 7,
        column: "savings_thb",
        value: "-5",
        expect: ("savings_thb", "-5", "between"),
    },
    Case {
        file: "households.csv",
        row: 8,
        column: "household_id",
        value: "EX001",
        expect: ("household_id", "EX001", "appears twice"),
    },
    Case {
        file: "members.csv",
        row: 2,
        column: "national_id",
        value: "4573661203303",
        expect: ("national_id", "4573661203303", "check digit"),
    },
    Case {
        file: "members.csv",
        row: 3,
        column: "household_id",
        value: "NOSUCH",
        expect: ("household_id", "NOSUCH", "no such household"),
    },
    Case {
        file: "members.csv",
        row: 5,
        column: "age",
        value: "150",
        expect: ("age", "150", "between 0 and 130"),
    },
    Case {
        file: "members.csv",
        row: 6,
        column: "birth_date",
        value: "2599-01-01",
        expect: ("birth_date", "2056-01-01", "after the survey date"),
    },
    Case {
        file: "members.csv",
        row: 7,
        column: "sex",
        value: "X",
        expect: ("sex", "X", "must be one of M, F"),
    },
    Case {
        file: "members.csv",
        row: 8,
        column: "member_no",
        value: "1",
        expect: ("member_no", "1", "appears twice"),
    },
];

fn edit_csv(text: &str, row: usize, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let col = lines[0].split(',').position(|h| h == column).unwrap();
    let mut cells: Vec<String> = lines[row - 1].split(',').map(str::to_string).collect();
    cells[col] = value.to_string();
    lines[row - 1] = cells.join(",");
    lines.join("\n") + "\n"
}

#[tokio::test]
async fn every_bad_cell_is_reported_and_nothing_is_written() {
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        for f in ["households.csv", "members.csv"] {
            let mut text = std::fs::read_to_string(example_dir().join(f)).unwrap();
            if f == case.file {
                text = edit_csv(&text, case.row, case.column, case.value);
            }
            std::fs::write(dir.path().join(f), text).unwrap();
        }
        let paths = vec![
            dir.path().join("households.csv"),
            dir.path().join("members.csv"),
        ];
        let ImportOutcome::Rejected(diags) = import(&s, &paths).await else {
            panic!(
                "{}:{} {} = {} must be refused",
                case.file, case.row, case.column, case.value
            )
        };
        let found = diags.iter().find(|d| {
            d.file.ends_with(case.file) && d.row == case.row as u64 && d.column == case.expect.0
        });
        let Some(d) = found else {
            panic!(
                "no problem reported at {}:{} {}: {diags:#?}",
                case.file, case.row, case.expect.0
            )
        };
        assert_eq!(d.value, case.expect.1, "{d:?}");
        assert!(
            d.reason.to_string().contains(case.expect.2),
            "{d:?} should say {:?}",
            case.expect.2
        );
        assert!(
            thanrak_app::rounds(&s).await.unwrap().is_empty(),
            "nothing may be written"
        );
    }
}

#[tokio::test]
async fn a_national_id_already_stored_in_another_household_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    import(&s, &example_paths()).await;
    // A new household whose only member carries EX001's first member's national id.
    let hh = std::fs::read_to_string(example_dir().join("households.csv")).unwrap();
    let mm = std::fs::read_to_string(example_dir().join("members.csv")).unwrap();
    let hh_line = hh.lines().nth(1).unwrap().replacen("EX001", "EX999", 1);
    let m_line = mm.lines().nth(1).unwrap().replacen("EX001", "EX999", 1);
    let header = |t: &str| t.lines().next().unwrap().to_string();
    std::fs::write(
        dir.path().join("h.csv"),
        format!("{}\n{hh_line}\n", header(&hh)),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("m.csv"),
        format!("{}\n{m_line}\n", header(&mm)),
    )
    .unwrap();
    let paths = vec![dir.path().join("h.csv"), dir.path().join("m.csv")];
    let ImportOutcome::Rejected(diags) = import(&s, &paths).await else {
        panic!("a duplicate person must be refused")
    };
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].column, "national_id");
    assert!(
        diags[0].reason.to_string().contains("household EX001"),
        "{:?}",
        diags[0]
    );
    // The report file carries the same rows.
    let report = dir.path().join("report.csv");
    thanrak_app::write_report(&report, &diags).unwrap();
    let text = std::fs::read_to_string(report).unwrap();
    // A byte-order mark lets spreadsheet programs show the Thai text correctly.
    let text = text.trim_start_matches('\u{feff}');
    assert!(text.starts_with("file,row,column,value,reason"), "{text}");
    assert!(text.contains("national_id"));
}

#[tokio::test]
async fn exporting_an_unknown_round_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let err = export_round(&s, &label("2570-1"), dir.path(), ExportFormat::Csv)
        .await
        .unwrap_err();
    assert!(err.is_user_error());
    assert!(err.to_string().contains("no round 2570-1"), "{err}");
}

/// Export → import into an empty database → export gives identical files, for any demo
/// population (a property test over seeds and sizes; each case builds fresh databases).
async fn demo_round_trips_through_files(seed: u64, households: usize) {
    let dir = tempfile::tempdir().unwrap();
    let a = store(&dir.path().join("a").tap_mkdir()).await;
    let config = thanrak_demo::DemoConfig {
        households,
        seed,
        ..Default::default()
    };
    let loaded = thanrak_app::load_demo(&a, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    assert_eq!(loaded.rounds.len(), 2);
    for round in thanrak_app::rounds(&a).await.unwrap() {
        let label = round.label.to_string();
        let out1 = dir.path().join(format!("{label}-1"));
        export_round(&a, &round.label, &out1, ExportFormat::Csv)
            .await
            .unwrap();
        let b = store(&dir.path().join(format!("b-{label}")).tap_mkdir()).await;
        let paths = vec![out1.join("households.csv"), out1.join("members.csv")];
        let outcome = import(&b, &paths).await;
        assert!(matches!(outcome, ImportOutcome::Loaded(_)), "{outcome:?}");
        let out2 = dir.path().join(format!("{label}-2"));
        export_round(&b, &round.label, &out2, ExportFormat::Csv)
            .await
            .unwrap();
        for f in ["households.csv", "members.csv"] {
            assert_eq!(
                std::fs::read(out1.join(f)).unwrap(),
                std::fs::read(out2.join(f)).unwrap(),
                "seed {seed}, {households} households: {label} {f}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4))]
    #[test]
    fn any_demo_population_round_trips(seed in 0u64..1_000_000, households in 20usize..200) {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(demo_round_trips_through_files(seed, households));
    }
}

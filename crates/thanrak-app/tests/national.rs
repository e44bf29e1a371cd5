//! National scale as files: the demo written province by province is the demo `generate` makes;
//! scoring files to files gives each household the score the methodology gives it and the
//! figures of the country and its provinces; files with a bad cell or members out of their
//! households' order are refused with the row, and nothing is written.

use std::collections::BTreeMap;
use std::path::Path;

use thanrak_app::national::{score_files, write_demo, ScoreFilesOutcome};
use thanrak_core::measure::{self, Unit};
use thanrak_core::methodology::Methodology;
use thanrak_core::{AreaCode, AreaLevel, AreaRegistry, Reason};
use thanrak_demo::DemoConfig;

fn config() -> DemoConfig {
    DemoConfig {
        households: 1500,
        seed: 9,
        provinces: ["10", "45", "52"]
            .iter()
            .map(|c| AreaCode::parse(c).unwrap())
            .collect(),
    }
}

/// The rows of a CSV file this crate wrote, by column (its cells hold no comma or quote).
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn demo_files_are_the_demo_and_score_as_the_methodology_does() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_demo(&config(), &dir.path().join("in"), &mut |_, _, _| {}).unwrap();
    assert_eq!((files.households, files.provinces), (1500, 3));
    let rounds = thanrak_demo::generate(&config(), AreaRegistry::official()).unwrap();
    for (round, (label, folder)) in rounds.iter().zip(&files.rounds) {
        assert_eq!(label, &round.label.to_string());
        let batch = thanrak_io::read_batch(
            &[folder.join("households.csv"), folder.join("members.csv")],
            AreaRegistry::official(),
            &mut |_, _| {},
        )
        .unwrap();
        assert!(batch.diagnostics.is_empty(), "{:?}", batch.diagnostics);
        assert_eq!(batch.households, round.households);
        assert_eq!(batch.members, round.members);
    }

    let m = Methodology::thanrak_default();
    let out = dir.path().join("out");
    let ScoreFilesOutcome::Done(scored) =
        score_files(m, &dir.path().join("in"), &out, &mut |_, _, _| {}).unwrap()
    else {
        panic!("the demo's files are good");
    };
    assert_eq!(scored.len(), 2, "a folder per round");
    for (round, s) in rounds.iter().zip(&scored) {
        assert_eq!(s.households, 1500);
        assert_eq!(s.members, round.members.len() as u64);
        let want = measure::score_round(m, &round.households, &round.members);
        let rows = csv_rows(&s.scores);
        assert_eq!(rows.len(), want.len());
        for ((row, w), h) in rows.iter().zip(&want).zip(&round.households) {
            assert_eq!(row["household_id"], h.household_id.to_string());
            assert_eq!(row["group"], w.group.as_str());
            assert_eq!(row["mpi_poor"], if w.mpi_poor { "1" } else { "0" });
            assert_eq!(row["members"], w.n_members.to_string());
        }
        let figures = measure::aggregate(
            m,
            &round.households,
            &want,
            Unit::Person,
            measure::by_area(AreaLevel::Province),
        );
        let rows = csv_rows(&s.figures);
        assert_eq!(rows.len(), 4, "the country and three provinces");
        assert_eq!(rows[0]["h"], format!("{:.6}", figures.overall.af.h));
        assert_eq!(rows[0]["m0"], format!("{:.6}", figures.overall.af.m0));
        for (row, (code, f)) in rows[1..].iter().zip(&figures.by_key) {
            assert_eq!(row["area_code"], code.to_string());
            assert_eq!(row["h"], format!("{:.6}", f.af.h));
            assert_eq!(
                row["hardship_households"],
                f.households[0].to_string(),
                "{code}"
            );
        }
        assert_eq!(rows[1]["area_name_en"], "Bangkok");
    }
}

#[test]
fn bad_files_are_refused_with_the_row_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_demo(&config(), &dir.path().join("in"), &mut |_, _, _| {}).unwrap();
    let folder = &files.rounds[1].1;
    let m = Methodology::thanrak_default();

    // Members moved away from their household.
    let members = std::fs::read_to_string(folder.join("members.csv")).unwrap();
    let mut lines: Vec<&str> = members.lines().collect();
    let moved = lines.remove(2);
    lines.push(moved);
    std::fs::write(folder.join("members.csv"), lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let ScoreFilesOutcome::Refused(problems) =
        score_files(m, folder, &out, &mut |_, _, _| {}).unwrap()
    else {
        panic!("members out of order are refused");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].reason, Reason::MemberOutOfOrder);
    assert_eq!(problems[0].row, lines.len() as u64);
    let written: Vec<_> = std::fs::read_dir(out.join("2569-1")).unwrap().collect();
    assert!(written.is_empty(), "nothing is left behind: {written:?}");

    // A bad cell, located as an import locates it.
    std::fs::write(
        folder.join("members.csv"),
        members.replacen(",M,", ",X,", 1),
    )
    .unwrap();
    let ScoreFilesOutcome::Refused(problems) =
        score_files(m, folder, &out, &mut |_, _, _| {}).unwrap()
    else {
        panic!("a bad cell is refused");
    };
    assert!(
        problems.iter().any(|p| p.column == "sex" && p.value == "X"),
        "{problems:?}"
    );
}

//! The binary as a user runs it: help texts, exit codes, the rounds listing, the import report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../thanrak-core/tests/fixtures/example-round")
        .join(name)
}

fn thanrak(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thanrak"))
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("THANRAK_DATABASE_URL")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["import", "export", "demo", "rounds"] {
        let out = thanrak(&dir.path().join("t.db"), &[sub, "--help"]);
        assert!(out.status.success(), "{sub} --help failed");
        assert!(text(&out.stdout).contains("Usage: thanrak"), "{sub}");
    }
}

#[test]
fn import_then_rounds_lists_label_date_households_members() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let h = example("households.csv");
    let m = example("members.csv");
    let out = thanrak(&db, &["import", h.to_str().unwrap(), m.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("loaded 24 households and 86 members"));
    let out = thanrak(&db, &["rounds"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "round\tlast_survey_date\thouseholds\tmembers\tstate\n2566-1\t2023-06-15\t24\t86\tdraft\n"
    );
    // An admin publishes it after checking it.
    let out = thanrak(&db, &["rounds", "publish", "2566-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = thanrak(&db, &["rounds"]);
    assert!(
        text(&out.stdout).ends_with("\tpublished\n"),
        "{}",
        text(&out.stdout)
    );
    let out = thanrak(&db, &["rounds", "publish", "2570-9"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no such round: the user's mistake"
    );
}

#[test]
fn a_bad_file_exits_2_with_a_report_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let hh = std::fs::read_to_string(example("households.csv"))
        .unwrap()
        .replacen("52010102", "99999901", 1);
    std::fs::write(dir.path().join("households.csv"), hh).unwrap();
    let h = dir.path().join("households.csv");
    let m = example("members.csv");
    let report = dir.path().join("report.csv");
    let out = thanrak(
        &db,
        &[
            "import",
            h.to_str().unwrap(),
            m.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("nothing was written"), "{err}");
    assert!(err.contains("village_code\t99999901"), "{err}");
    let csv = std::fs::read_to_string(report).unwrap();
    assert!(csv.contains(",2,village_code,99999901,"), "{csv}");
    let out = thanrak(&db, &["rounds"]);
    assert_eq!(
        text(&out.stdout),
        "round\tlast_survey_date\thouseholds\tmembers\tstate\n"
    );
}

#[test]
fn user_errors_are_one_line_without_a_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = thanrak(&db, &["export", "--round", "2599-1", "--out", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: there is no round 2599-1"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_thanrak"))
        .args(["--database-url", "mysql://nope", "rounds"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown database URL"));

    let missing = dir.path().join("missing.csv");
    let out = thanrak(&db, &["import", missing.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );

    let out = thanrak(&db, &["demo", "--provinces", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("province"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn demo_loads_two_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = thanrak(&db, &["demo", "--households", "200", "--seed", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = thanrak(&db, &["rounds"]);
    let listing = text(&out.stdout);
    let lines: Vec<&str> = listing.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{listing}");
    assert!(lines[0].starts_with("2568-1\t2025-"), "{listing}");
    assert!(lines[1].starts_with("2569-1\t2026-"), "{listing}");
    assert!(lines[0].contains("\t200\t"), "{listing}");
}

#[test]
fn terminal_escapes_in_files_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // A name that would retitle the window and clear the screen, a header cell that would turn
    // the text red, and a file name with an escape of its own.
    let members = std::fs::read_to_string(example("members.csv"))
        .unwrap()
        .replacen("มาลี", "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[1;1H\u{9b}31m", 1)
        .replacen("wants_work", "wants_work,\u{1b}[31mred", 1);
    let m = dir.path().join("members\u{1b}[8m.csv");
    std::fs::write(&m, members).unwrap();
    let h = example("households.csv");
    let out = thanrak(&db, &["import", h.to_str().unwrap(), m.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
            "{stream} holds a raw control byte: {:?}",
            text(bytes)
        );
        assert!(!text(bytes).contains('\u{9b}'), "{stream}: raw C1 CSI");
    }
    let err = text(&out.stderr);
    assert!(err.contains("\\u{1b}]0;owned\\u{7}\\u{1b}[2J"), "{err}");
    assert!(err.contains("members\\u{1b}[8m.csv"), "{err}");
    assert!(err.contains("\\u{1b}[31mred"), "{err}");
    // Each problem is still one line of five tab-separated fields.
    for line in err.lines().skip(2).filter(|l| !l.starts_with('…')) {
        assert_eq!(line.split('\t').count(), 5, "{line}");
    }
}

#[test]
fn an_unknown_area_is_the_users_mistake_and_a_name_will_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let h = example("households.csv");
    let m = example("members.csv");
    let out = thanrak(&db, &["import", h.to_str().unwrap(), m.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = thanrak(&db, &["score", "--round", "2566-1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = thanrak(&db, &["households", "--round", "2566-1", "--area", "99"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("is not a known province code"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "", "no header for a refused command");
    let out = thanrak(
        &db,
        &[
            "groups",
            "--round",
            "2566-1",
            "--area",
            "ลำปาง",
            "--by",
            "district",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let about = thanrak(&db, &["--help"]);
    assert!(!text(&about.stdout).contains("(later)"));
}

#[test]
fn the_shipped_guide_is_what_the_program_writes() {
    // docs/ is `thanrak docs` output: a change to the methodology or the import format that
    // is not written out again fails here (run `cargo run -- docs` to refresh it).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs");
    let run = thanrak(
        &dir.path().join("t.db"),
        &["docs", "--out", out.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let mut n = 0;
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        let name = e.file_name();
        let made = std::fs::read_to_string(e.path()).unwrap();
        let kept = std::fs::read_to_string(shipped.join(&name)).unwrap_or_else(|_| {
            panic!(
                "docs/{} is missing: run `cargo run -- docs`",
                name.to_string_lossy()
            )
        });
        assert!(
            made == kept,
            "docs/{} is out of date: run `cargo run -- docs`",
            name.to_string_lossy()
        );
        n += 1;
    }
    assert!(n >= 3);
    let template = dir.path().join("template.xlsx");
    let run = thanrak(
        &dir.path().join("t.db"),
        &["template", "--out", template.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(std::fs::metadata(&template).unwrap().len() > 5_000);
}

//! `thanrak backup` / `thanrak restore` / `thanrak check` as an operator runs them, on SQLite and
//! (when `THANRAK_TEST_DATABASE_URL` is set) on a PostgreSQL database of its own: a backup taken,
//! the database changed, the backup restored, and the export afterwards byte for byte the export
//! from before the change. A restore that is not confirmed, or of a file that is not a backup,
//! changes nothing.

use std::path::Path;
use std::process::Output;

mod common;

fn thanrak(url: &str, args: &[&str]) -> Output {
    common::run_at(url, args, "")
}

fn ok(url: &str, args: &[&str]) -> String {
    let out = thanrak(url, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The round exported as CSV into `dir`: (households.csv, members.csv) as bytes.
fn export(url: &str, dir: &Path) -> (Vec<u8>, Vec<u8>) {
    ok(
        url,
        &[
            "export",
            "--round",
            "2569-1",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    (
        std::fs::read(dir.join("households.csv")).unwrap(),
        std::fs::read(dir.join("members.csv")).unwrap(),
    )
}

/// One household of `from`'s export with another house number, as files to import into `to`.
fn changed_household(from: &Path, to: &Path) -> String {
    std::fs::create_dir_all(to).unwrap();
    let households = std::fs::read_to_string(from.join("households.csv")).unwrap();
    let mut lines = households.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let mut cells: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    cells[at("house_no")] = "999/9".into();
    let id = cells[at("household_id")].clone();
    std::fs::write(
        to.join("households.csv"),
        format!("{header}\n{}\n", cells.join(",")),
    )
    .unwrap();
    let members = std::fs::read_to_string(from.join("members.csv")).unwrap();
    let mut mlines = members.lines();
    let mheader = mlines.next().unwrap();
    let mat = mheader
        .split(',')
        .position(|c| c == "household_id")
        .unwrap();
    let rows: Vec<&str> = mlines
        .filter(|l| l.split(',').nth(mat) == Some(id.as_str()))
        .collect();
    std::fs::write(
        to.join("members.csv"),
        format!("{mheader}\n{}\n", rows.join("\n")),
    )
    .unwrap();
    id
}

fn backup_restore_round_trip(url: &str, dir: &Path) {
    ok(url, &["demo", "--households", "300", "--seed", "5"]);
    assert_eq!(ok(url, &["check"]).trim(), "ok");
    let before = export(url, &dir.join("before"));
    let file = dir.join("backup.bin");
    ok(url, &["backup", "--out", file.to_str().unwrap()]);
    assert!(std::fs::metadata(&file).unwrap().len() > 0);

    // The database changes after the backup.
    changed_household(&dir.join("before"), &dir.join("change"));
    let change = dir.join("change");
    ok(
        url,
        &[
            "import",
            change.join("households.csv").to_str().unwrap(),
            change.join("members.csv").to_str().unwrap(),
        ],
    );
    let changed = export(url, &dir.join("changed"));
    assert_ne!(changed.0, before.0, "the import changed a house number");

    // Not confirmed: nothing happens.
    let unconfirmed = thanrak(url, &["restore", file.to_str().unwrap()]);
    assert_eq!(unconfirmed.status.code(), Some(2), "{unconfirmed:?}");
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--yes"));
    // Not a backup: refused, nothing happens.
    let wrong = dir.join("changed").join("households.csv");
    let refused = thanrak(url, &["restore", wrong.to_str().unwrap(), "--yes"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert_eq!(export(url, &dir.join("still")), changed);

    let restored = thanrak(url, &["restore", file.to_str().unwrap(), "--yes"]);
    assert!(restored.status.success(), "{restored:?}");
    assert_eq!(
        export(url, &dir.join("after")),
        before,
        "the backup's data is back"
    );
    assert_eq!(ok(url, &["check"]).trim(), "ok");
    // The restored database works on: it takes an import again.
    ok(
        url,
        &[
            "import",
            change.join("households.csv").to_str().unwrap(),
            change.join("members.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(export(url, &dir.join("again")), changed);
}

#[test]
fn sqlite_backup_is_restored_and_the_replaced_database_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let url = format!("sqlite://{}", db.display());
    backup_restore_round_trip(&url, dir.path());
    // The database a restore replaced is kept beside it, as it was (with the change).
    let kept = dir.path().join("t.db.before-restore");
    let copy = dir.path().join("kept.db");
    std::fs::copy(&kept, &copy).unwrap();
    let kept_url = format!("sqlite://{}", copy.display());
    let (households, _) = export(&kept_url, &dir.path().join("kept"));
    assert!(String::from_utf8_lossy(&households).contains("999/9"));
}

#[test]
fn postgres_backup_is_restored_with_pg_dump_and_pg_restore() {
    let Ok(server) = std::env::var("THANRAK_TEST_DATABASE_URL") else {
        return;
    };
    let name = format!(
        "thanrak_backup_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros()
    );
    let psql = |sql: &str| common::psql(&server, sql);
    psql(&format!("CREATE DATABASE {name}"));
    let base = server.split('?').next().unwrap();
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    let result = std::panic::catch_unwind(|| backup_restore_round_trip(&url, dir.path()));
    psql(&format!("DROP DATABASE {name} WITH (FORCE)"));
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

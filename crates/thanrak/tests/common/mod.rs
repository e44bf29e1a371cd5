//! What the binary's test files share: the binary on a SQLite database, and running it to the end.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary on the SQLite database at `db`, with no database URL or test hook from the
/// environment.
pub fn thanrak(db: &Path) -> Command {
    thanrak_at(&format!("sqlite://{}", db.display()))
}

/// The binary on the database at `url` (SQLite or PostgreSQL), with no database URL or test
/// hook from the environment.
pub fn thanrak_at(url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thanrak"));
    cmd.arg("--database-url")
        .arg(url)
        .env_remove("THANRAK_DATABASE_URL")
        .env_remove("THANRAK_READ_DATABASE_URL")
        .env_remove("THANRAK_TEST_HOLD_JOBS_AT");
    cmd
}

/// Runs the binary with `args`, `stdin` on its standard input, to the end.
pub fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    run_at(&format!("sqlite://{}", db.display()), args, stdin)
}

/// [`run`] on the database at `url`.
pub fn run_at(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = thanrak_at(url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// [`run_at`] that must succeed: its standard output.
pub fn ok_at(url: &str, args: &[&str], stdin: &str) -> String {
    let out = run_at(url, args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `sql` with psql on the PostgreSQL server at `url`; panics when it fails.
pub fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql])
        .output()
        .expect("psql is installed beside the PostgreSQL test server");
    assert!(out.status.success(), "{sql}: {out:?}");
}

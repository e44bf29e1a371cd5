//! Crash safety: `thanrak import` and `thanrak score` killed (SIGKILL) at random points, on SQLite
//! and (when `THANRAK_TEST_DATABASE_URL` is set) on PostgreSQL. After each kill the database
//! passes `thanrak check` (the backend's integrity check, households per village, whole scoring
//! runs), holds the whole batch or none of it, and the next run succeeds.
//!
//! The kill points are fractions of the time a whole run takes, drawn from a fixed seed so that a
//! failure can be replayed; `THANRAK_CRASH_SEED=N` explores others.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

/// Kills per operation and backend.
const KILLS: usize = 5;

fn thanrak(url: &str) -> Command {
    let mut cmd = common::thanrak_at(url);
    cmd.stdin(Stdio::null());
    cmd
}

fn ok(url: &str, args: &[&str]) -> Output {
    let out = thanrak(url).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `args` to the end and returns how long it took.
fn timed(url: &str, args: &[&str]) -> Duration {
    let started = Instant::now();
    ok(url, args);
    started.elapsed()
}

/// Starts `args` and kills it with SIGKILL after `after`; true when it was still running.
fn kill_after(url: &str, args: &[&str], after: Duration) -> bool {
    let mut child = thanrak(url)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    running
}

/// `thanrak check` says the database is whole.
fn assert_whole(url: &str, when: &str) {
    let out = thanrak(url).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "{when}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Households stored in `round` (0 when the round is not there).
fn households(url: &str, round: &str) -> u64 {
    let out = ok(url, &["rounds"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .find_map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells.first() == Some(&round)).then(|| cells[2].trim().parse().unwrap())
        })
        .unwrap_or(0)
}

/// Scores stored for `round` by the default methodology (0 when it is not scored).
fn scored(url: &str, round: &str) -> bool {
    let out = thanrak(url)
        .args(["mpi", "--round", round, "--format", "json"])
        .output()
        .unwrap();
    out.status.success()
}

/// Fractions in (0.02, 0.98) from a seeded xorshift: the same seed, the same kill points.
fn kill_points(salt: u64) -> Vec<f64> {
    let seed: u64 = std::env::var("THANRAK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261130);
    let mut x = seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..KILLS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            0.02 + 0.96 * (x >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// The round 2569-1 of a demo as CSV files in `dir`.
fn round_files(dir: &Path) -> (String, String) {
    let db = format!("sqlite://{}", dir.join("source.db").display());
    ok(&db, &["demo", "--households", "3000", "--seed", "11"]);
    let out = dir.join("round");
    ok(
        &db,
        &[
            "export",
            "--round",
            "2569-1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    (
        out.join("households.csv").display().to_string(),
        out.join("members.csv").display().to_string(),
    )
}

/// Every kill point of an import and of a scoring on databases `fresh(i)` makes.
fn crash_import_and_score(dir: &Path, fresh: &dyn Fn(usize) -> String) {
    let (h, m) = round_files(dir);
    let import = ["import", h.as_str(), m.as_str()];
    let score = ["score", "--round", "2569-1"];
    // A whole run of each, to know how long one takes and what it leaves.
    let reference = fresh(0);
    ok(&reference, &["check"]); // the migrations, outside the timings
    let import_time = timed(&reference, &import);
    let all = households(&reference, "2569-1");
    assert!(all > 2500, "{all}");
    let score_time = timed(&reference, &score);

    let mut mid_run = 0;
    for (i, f) in kill_points(1).into_iter().enumerate() {
        let url = fresh(1 + i);
        ok(&url, &["check"]);
        let when = format!("import killed at {:.0}% of a run", f * 100.0);
        mid_run += usize::from(kill_after(&url, &import, import_time.mul_f64(f)));
        assert_whole(&url, &when);
        let held = households(&url, "2569-1");
        assert!(
            held == 0 || held == all,
            "{when}: {held} of {all} households"
        );
        ok(&url, &import);
        assert_eq!(households(&url, "2569-1"), all, "{when}, then run again");
        assert_whole(&url, &format!("{when}, then run again"));
    }
    for (i, f) in kill_points(2).into_iter().enumerate() {
        let url = fresh(1 + KILLS + i);
        ok(&url, &import);
        let when = format!("scoring killed at {:.0}% of a run", f * 100.0);
        mid_run += usize::from(kill_after(&url, &score, score_time.mul_f64(f)));
        // `check` finds a run that does not hold a score for each of its households.
        assert_whole(&url, &when);
        ok(&url, &score);
        assert!(scored(&url, "2569-1"), "{when}, then run again");
        assert_whole(&url, &format!("{when}, then run again"));
    }
    // Kills after the end of a run test nothing: most must come while it runs.
    assert!(
        mid_run > KILLS,
        "only {mid_run} of {} kills came mid-run",
        2 * KILLS
    );
}

#[test]
fn sqlite_survives_kills_during_import_and_scoring() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    crash_import_and_score(dir.path(), &|i| {
        format!("sqlite://{}", base.join(format!("crash-{i}.db")).display())
    });
}

#[test]
fn postgres_survives_kills_during_import_and_scoring() {
    let Ok(server) = std::env::var("THANRAK_TEST_DATABASE_URL") else {
        return;
    };
    let prefix = format!("crash_{}", std::process::id());
    let psql = |sql: &str| common::psql(&server, sql);
    let dir = tempfile::tempdir().unwrap();
    let sep = if server.contains('?') { '&' } else { '?' };
    let result = std::panic::catch_unwind(|| {
        crash_import_and_score(dir.path(), &|i| {
            let schema = format!("{prefix}_{i}");
            psql(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ));
            format!("{server}{sep}options=-c%20search_path%3D{schema}")
        })
    });
    for i in 0..=2 * KILLS {
        psql(&format!("DROP SCHEMA IF EXISTS {prefix}_{i} CASCADE"));
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

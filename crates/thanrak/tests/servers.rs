//! Beyond one machine, on PostgreSQL (when `THANRAK_TEST_DATABASE_URL` is set): two `serve`
//! processes on one database — one running the jobs, one with `--no-jobs` — give the same
//! answers, and a change or a job made through one is seen through the other; and a server with
//! `--read-database-url` on a hot standby (`THANRAK_TEST_REPLICA_URL`, which `.ci/run` sets up with
//! `bench/replica.sh`) reads figures, lists and profiles there and writes to the primary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::thanrak_at as thanrak;

use common::ok_at as ok;

/// A server killed when dropped.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(url: &str, extra: &[&str]) -> Server {
    let child = thanrak(url)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed and waited for when dropped, also when the assertion below fails.
    let mut server = Server(child, String::new());
    let mut stdout = BufReader::new(server.0.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening ({extra:?})"
        );
        if let Some(rest) = line.strip_prefix("listening on http://") {
            server.1 = rest.split('/').next().unwrap().to_string();
            return server;
        }
    }
}

fn request(addr: &str, method: &str, path: &str, token: &str) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response);
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn get(addr: &str, path: &str, token: &str) -> Value {
    let (status, body) = request(addr, "GET", path, token);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// Polls until `f` holds (another process's change, a replica's lag), for at most 20 s.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < Duration::from_secs(20), "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A fresh schema on the test server, dropped at the end: the URL for it on `server` (and the
/// same schema through `replica`, whose standby copies the whole server).
struct Schema {
    admin: String,
    name: String,
}

impl Schema {
    fn new(admin: &str, tag: &str) -> Schema {
        let name = format!("srv_{tag}_{}", std::process::id());
        let s = Schema {
            admin: admin.to_string(),
            name,
        };
        s.psql(&format!(
            "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}",
            s.name
        ));
        s
    }

    fn url(&self, server: &str) -> String {
        let sep = if server.contains('?') { '&' } else { '?' };
        format!("{server}{sep}options=-c%20search_path%3D{}", self.name)
    }

    fn psql(&self, sql: &str) {
        common::psql(&self.admin, sql);
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        self.psql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

/// A database with the demo and an admin's API token.
fn prepared(url: &str) -> String {
    ok(url, &["demo", "--households", "300", "--seed", "3"], "");
    for round in ["2568-1", "2569-1"] {
        ok(url, &["score", "--round", round], "");
    }
    ok(
        url,
        &["user", "add", "boss", "--role", "admin", "--password-stdin"],
        "a long enough password\n",
    );
    ok(url, &["user", "token", "boss"], "").trim().to_string()
}

fn round_states(addr: &str, token: &str) -> Vec<(String, String)> {
    get(addr, "/api/v1/rounds", token)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_string(),
                r["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn two_servers_on_one_database_answer_alike_and_see_each_others_changes() {
    let Ok(server) = std::env::var("THANRAK_TEST_DATABASE_URL") else {
        return;
    };
    let schema = Schema::new(&server, "two");
    let url = schema.url(&server);
    let token = prepared(&url);
    let a = serve(&url, &[]);
    let b = serve(&url, &["--no-jobs"]);
    for path in [
        "/api/v1/rounds",
        "/api/v1/rounds/2569-1/figures?by=province",
        "/api/v1/rounds/2569-1/households?per_page=20",
        "/api/v1/rounds/2569-1/targets?per_page=20",
    ] {
        assert_eq!(get(&a.1, path, &token), get(&b.1, path, &token), "{path}");
    }
    // A change through one is seen through the other.
    let (status, body) = request(&b.1, "POST", "/api/v1/rounds/2568-1/draft", &token);
    assert_eq!(status, 204, "{body}");
    eventually("the round is a draft through the other server", || {
        round_states(&a.1, &token).contains(&("2568-1".into(), "draft".into()))
    });
    // A job queued through the server that runs none is run by the other.
    let (status, job) = request(&b.1, "POST", "/api/v1/rounds/2568-1/score", &token);
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    eventually("the job queued through b is done", || {
        get(&b.1, &format!("/api/v1/jobs/{id}"), &token)["state"] == "done"
    });
}

#[test]
fn a_server_reads_from_a_hot_standby_and_writes_to_the_primary() {
    let (Ok(server), Ok(replica)) = (
        std::env::var("THANRAK_TEST_DATABASE_URL"),
        std::env::var("THANRAK_TEST_REPLICA_URL"),
    ) else {
        return;
    };
    let schema = Schema::new(&server, "replica");
    let url = schema.url(&server);
    let token = prepared(&url);
    let replica_url = schema.url(&replica);
    // The standby has caught up with the demo once it holds the token's user.
    eventually("the standby holds the demo", || {
        Command::new("psql")
            .args([
                replica.as_str(),
                "-Atc",
                &format!("SELECT count(*) FROM {}.users", schema.name),
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
    });
    let primary = serve(&url, &[]);
    let reading = serve(&url, &["--no-jobs", "--read-database-url", &replica_url]);
    for path in [
        "/api/v1/rounds/2569-1/figures?by=province",
        "/api/v1/rounds/2569-1/households?per_page=20",
        "/api/v1/rounds/2569-1/targets?per_page=20",
    ] {
        let want = get(&primary.1, path, &token);
        eventually(path, || get(&reading.1, path, &token) == want);
    }
    // The reads really come from the standby: with its replay paused, a run the primary gains
    // is not there for the reading server until replay resumes.
    let standby_sql = |sql: &str| common::psql(&replica, sql);
    struct Resume<F: Fn(&str)>(F);
    impl<F: Fn(&str)> Drop for Resume<F> {
        fn drop(&mut self) {
            (self.0)("SELECT pg_wal_replay_resume()");
        }
    }
    standby_sql("SELECT pg_wal_replay_pause()");
    let resume = Resume(standby_sql);
    ok(
        &url,
        &[
            "score",
            "--round",
            "2569-1",
            "--methodology",
            "tpmap-welfare-1",
        ],
        "",
    );
    let welfare = "/api/v1/rounds/2569-1/figures?methodology=tpmap-welfare-1";
    eventually("the primary server shows the new run", || {
        request(&primary.1, "GET", welfare, &token).0 == 200
    });
    // Past the figures cache's second, so that what the reading server answers is the standby's.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        request(&reading.1, "GET", welfare, &token).0,
        404,
        "the paused standby does not hold the new run yet"
    );
    drop(resume);
    eventually("the standby replays the new run", || {
        request(&reading.1, "GET", welfare, &token).0 == 200
    });

    // Writes go to the primary (a standby refuses every write).
    let (status, body) = request(&reading.1, "POST", "/api/v1/rounds/2568-1/draft", &token);
    assert_eq!(status, 204, "{body}");
    eventually("the primary has the change", || {
        round_states(&primary.1, &token).contains(&("2568-1".into(), "draft".into()))
    });
}

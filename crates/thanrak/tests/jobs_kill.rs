//! A server killed (SIGKILL) while an import job writes: at the next start the job is marked
//! failed as interrupted, and the database holds what it held before the job.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

mod common;
use common::thanrak;

fn run(db: &Path, args: &[&str], stdin: &str) -> String {
    common::ok_at(&format!("sqlite://{}", db.display()), args, stdin)
}

/// Starts `serve` on a free port; returns the process and its address.
fn serve(db: &Path, hold_at: Option<&str>) -> (Child, String) {
    let mut cmd = thanrak(db);
    cmd.args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(stage) = hold_at {
        cmd.env("THANRAK_TEST_HOLD_JOBS_AT", stage);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening"
        );
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    (child, addr)
}

/// One HTTP/1.1 request over loopback; returns the status code and the body as JSON.
fn request(addr: &str, head: &str, token: &str, body: &[u8]) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{head} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n"
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response);
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn get(addr: &str, path: &str, token: &str) -> (u16, Value) {
    request(addr, &format!("GET {path}"), token, b"\r\n")
}

/// Households in every round, as the API lists them.
fn households(addr: &str, token: &str) -> Vec<(String, u64)> {
    let (status, rounds) = get(addr, "/api/v1/rounds", token);
    assert_eq!(status, 200, "{rounds}");
    rounds["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_string(),
                r["households"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_server_killed_mid_import_fails_the_job_and_keeps_the_data_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(&db, &["demo", "--households", "100"], "");
    run(
        &db,
        &["user", "add", "boss", "--role", "admin", "--password-stdin"],
        "a long enough password\n",
    );
    let token = run(&db, &["user", "token", "boss"], "").trim().to_string();
    // The files: a larger round generated apart, exported and relabelled as a new round.
    let other = dir.path().join("other.db");
    run(&other, &["demo", "--households", "4000", "--seed", "7"], "");
    let files = dir.path().join("files");
    let out = files.to_str().unwrap();
    run(&other, &["export", "--round", "2568-1", "--out", out], "");
    let read = |name: &str| {
        std::fs::read_to_string(files.join(name))
            .unwrap()
            .replace(",2568-1,", ",2570-1,")
    };
    let boundary = "thanrak-kill-test";
    let mut body = Vec::new();
    for name in ["households.csv", "members.csv"] {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
             Content-Type: text/csv\r\n\r\n{}\r\n",
            read(name)
        )
        .unwrap();
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    let mut upload = format!(
        "Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    upload.extend_from_slice(&body);

    // The server's worker stops for good inside the import's transaction, once it has written
    // its first rows: the kill below then always comes in the middle of the job.
    let (mut server, addr) = serve(&db, Some("write"));
    let before = households(&addr, &token);
    assert_eq!(before.len(), 2, "{before:?}");
    let (status, queued) = request(&addr, "POST /api/v1/imports?wait=false", &token, &upload);
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["status"], "queued");
    let id = queued["job_id"].as_i64().unwrap();
    let path = format!("/api/v1/jobs/{id}");
    let mut seen = Value::Null;
    for _ in 0..6000 {
        let (status, job) = get(&addr, &path, &token);
        assert_eq!(status, 200, "{job}");
        assert!(
            job["state"] == "queued" || job["state"] == "running",
            "{job}"
        );
        if job["state"] == "running"
            && job["stage"] == "write"
            && job["progress_done"].as_u64().unwrap() > 0
        {
            seen = job;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(seen.is_object(), "the job never reached its writing stage");
    assert!(seen["progress_done"].as_u64() < seen["progress_total"].as_u64());
    server.kill().unwrap();
    server.wait().unwrap();

    let (mut server, addr) = serve(&db, None);
    let (status, job) = get(&addr, &path, &token);
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(
        job["error"],
        "interrupted: the server stopped while this job ran; nothing it did was kept"
    );
    assert!(job["finished_at"].is_string(), "{job}");
    assert_eq!(households(&addr, &token), before);
    // The job list says the same.
    let (_, list) = get(&addr, "/api/v1/jobs", &token);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["state"], "failed");
    server.kill().unwrap();
    server.wait().unwrap();
}

//! `thanrak user …` and `thanrak serve` as an operator runs them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

mod common;
use common::{run, thanrak};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A plain HTTP/1.1 GET over loopback; returns the status line and the body.
fn http_get(addr: &str, path: &str, token: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap().to_string();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn the_web_subcommands_have_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for args in [
        &["serve", "--help"][..],
        &["user", "--help"],
        &["user", "add", "--help"],
    ] {
        let out = run(&db, args, "");
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage: thanrak"), "{args:?}");
    }
}

#[test]
fn users_are_added_listed_given_tokens_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = run(
        &db,
        &["user", "add", "Boss", "--role", "admin", "--password-stdin"],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "a password given is not printed");
    // Without --password-stdin a password is generated and printed once.
    let out = run(
        &db,
        &[
            "user",
            "add",
            "lampang",
            "--role",
            "area_manager",
            "--area",
            "52",
            "--area",
            "4501",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim().len(), 20);
    let out = run(&db, &["user", "list"], "");
    let list = text(&out.stdout);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("boss\tadmin\t-\tactive\t"), "{list}");
    assert!(
        lines[1].starts_with("lampang\tarea_manager\t4501,52\tactive\t"),
        "{list}"
    );

    let out = run(&db, &["user", "token", "lampang"], "");
    assert!(out.status.success());
    let token = text(&out.stdout);
    assert!(token.trim().starts_with("thanrak_") && token.trim().len() == 72);

    let out = run(&db, &["user", "disable", "lampang"], "");
    assert!(out.status.success());
    assert!(text(&run(&db, &["user", "list"], "").stdout)
        .contains("lampang\tarea_manager\t4501,52\tdisabled"));

    // User errors exit with 2 and say what is wrong.
    for (args, stdin, says) in [
        (&["user", "token", "lampang"][..], "", "disabled"),
        (&["user", "token", "nobody"], "", "no user"),
        (&["user", "disable", "nobody"], "", "no user"),
        (&["user", "add", "x", "--role", "king"], "", "unknown role"),
        (
            &["user", "add", "x", "--role", "surveyor", "--area", "52"],
            "",
            "subdistricts or villages",
        ),
        (
            &["user", "add", "x", "--role", "agency_officer"],
            "",
            "--agency",
        ),
        (&["user", "add", "boss", "--role", "admin"], "", "exists"),
        (
            &["user", "add", "y", "--role", "admin", "--password-stdin"],
            "short\n",
            "at least 10",
        ),
    ] {
        let out = run(&db, args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn serve_demo_loads_data_creates_accounts_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut child = thanrak(&db)
        .args([
            "serve",
            "--demo",
            "--demo-households",
            "120",
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let addr = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the server stopped before listening:\n{printed}\n{err}");
        }
        printed.push_str(&line);
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    for account in ["admin", "analyst", "lampang", "surveyor", "codi"] {
        assert!(
            printed.lines().any(|l| l.trim_start().starts_with(account)),
            "{account} in {printed}"
        );
    }
    let out = run(&db, &["user", "token", "lampang"], "");
    let token = text(&out.stdout).trim().to_string();
    let (status, body) = http_get(&addr, "/api/v1/rounds", &token);
    assert!(status.contains("200"), "{status}");
    assert!(
        body.contains("\"2568-1\"") && body.contains("\"2569-1\""),
        "{body}"
    );
    let (status, body) = http_get(&addr, "/api/v1/rounds/2568-1/households?per_page=1", &token);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"household_id\":\"HH52"), "{body}");
    // The demo's logbook of help: CODI's help resolved its case, Lampang's help across agencies.
    let (status, body) = http_get(&addr, "/api/v1/help/summary", &token);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"code\":\"codi\""), "{body}");
    assert!(body.contains("\"code\":\"osmep\""), "{body}");
    let (_, body) = http_get(&addr, "/api/v1/cases?per_page=100", &token);
    assert!(body.contains("\"state\":\"resolved\""), "{body}");
    // SIGTERM, as a service manager sends it, stops the server cleanly.
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status}: {err}");
    assert!(err.contains("stopped"), "{err}");
}

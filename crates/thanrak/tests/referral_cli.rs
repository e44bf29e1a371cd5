//! `thanrak refer` and `thanrak cases`: a target group referred from the command line as its
//! area manager (and not twice), the agency's officer working its inbox, a move that is not its
//! own refused with exit code 2, the history with who did what.

mod common;

use common::run;

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_group_is_referred_and_worked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let ok = |args: &[&str], stdin: &str| {
        let o = run(&db, args, stdin);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        out(&o)
    };
    ok(&["demo", "--households", "400", "--provinces", "52"], "");
    ok(&["score", "--round", "2568-1"], "");
    ok(
        &[
            "user",
            "add",
            "lampang",
            "--role",
            "area_manager",
            "--area",
            "52",
            "--password-stdin",
        ],
        "pass-word-123\n",
    );
    ok(
        &[
            "user",
            "add",
            "codi1",
            "--role",
            "agency_officer",
            "--agency",
            "codi",
            "--password-stdin",
        ],
        "pass-word-123\n",
    );
    let refer = [
        "refer",
        "--as",
        "lampang",
        "--round",
        "2568-1",
        "--group",
        "hardship",
        "--need",
        "housing",
        "--agency",
        "codi",
        "--note",
        "ทั้งกลุ่ม",
        "--due",
        "2570-01-31",
    ];
    let first = ok(&refer, "");
    let opened: u64 = first
        .split(" cases opened")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    assert!(opened > 0, "{first}");
    let again = ok(&refer, "");
    assert!(
        again.contains(" 0 cases opened")
            && again.contains(&format!("{opened} skipped (an open case already)")),
        "{again}"
    );

    // The officer's inbox: every case, sent, due on 31 January 2027 (2570 in the Buddhist Era).
    let inbox = ok(&["cases", "list", "--as", "codi1"], "");
    let rows: Vec<&str> = inbox.lines().skip(1).collect();
    assert_eq!(rows.len() as u64, opened, "{inbox}");
    assert!(
        rows.iter()
            .all(|r| r.contains("\tsent\t") && r.contains("2027-01-31")),
        "{inbox}"
    );
    let id = rows[0].split('\t').next().unwrap();
    assert!(ok(&["cases", "move", id, "accept", "--as", "codi1"], "").contains("now accepted"));
    ok(
        &["cases", "comment", id, "--as", "codi1", "--note", "นัดแล้ว"],
        "",
    );
    // Cancelling is the referring side's; a stale version is a conflict.
    let refused = run(&db, &["cases", "move", id, "cancel", "--as", "codi1"], "");
    assert_eq!(refused.status.code(), Some(2), "{}", err(&refused));
    assert!(err(&refused).contains("only the referring side"));
    let stale = run(
        &db,
        &[
            "cases",
            "move",
            id,
            "start",
            "--as",
            "codi1",
            "--version",
            "1",
        ],
        "",
    );
    assert_ne!(stale.status.code(), Some(0));
    assert!(
        err(&stale).contains("changed since it was read"),
        "{}",
        err(&stale)
    );
    let shown = ok(&["cases", "show", id, "--as", "lampang"], "");
    assert!(shown.contains("lampang opened sent: ทั้งกลุ่ม"), "{shown}");
    assert!(shown.contains("codi1 sent → accepted"), "{shown}");
    assert!(shown.contains("codi1 comment: นัดแล้ว"), "{shown}");
    let accepted = ok(
        &["cases", "list", "--as", "lampang", "--state", "accepted"],
        "",
    );
    assert_eq!(accepted.lines().count(), 2, "{accepted}");
}

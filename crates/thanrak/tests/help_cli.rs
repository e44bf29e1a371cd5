//! `thanrak help import FILE | summary`: a good spreadsheet of help loads; one with a bad row
//! writes nothing and reports the row (file, row, column, value, reason) with exit code 2; the
//! summary adds it up; `help` is a command while `--help` still prints the usage.

mod common;

use common::run;

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_spreadsheet_of_help_loads_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let demo = run(&db, &["demo", "--households", "60", "--seed", "3"], "");
    assert!(demo.status.success(), "{demo:?}");
    // A round and two of its households, from the export.
    let rounds = out(&run(&db, &["rounds"], ""));
    let round = rounds.lines().nth(1).unwrap().split('\t').next().unwrap();
    let export = dir.path().join("export");
    let exported = run(
        &db,
        &[
            "export",
            "--round",
            round,
            "--out",
            export.to_str().unwrap(),
        ],
        "",
    );
    assert!(exported.status.success(), "{exported:?}");
    let households = std::fs::read_to_string(export.join("households.csv")).unwrap();
    let ids: Vec<String> = households
        .lines()
        .skip(1)
        .take(2)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();

    // Thai headers, a Buddhist-Era date, baht with a thousands separator.
    let good = dir.path().join("help.csv");
    std::fs::write(
        &good,
        format!(
            "รอบการสำรวจ,รหัสครัวเรือน,หน่วยงาน,ประเภทความช่วยเหลือ,มิติหรือทุนที่แก้ไข,ความช่วยเหลือที่ให้,มูลค่า (บาท),วันที่ให้\n\
             {round},{},codi,housing,physical,ซ่อมหลังคา,\"12,500.50\",15/1/2568\n\
             {round},{},osmep,training,human,อบรมทำขนม,3000,2025-02-01\n",
            ids[0], ids[1]
        ),
    )
    .unwrap();
    let loaded = run(&db, &["help", "import", good.to_str().unwrap()], "");
    assert!(loaded.status.success(), "{loaded:?}");
    assert!(
        out(&loaded).contains("loaded 2 episodes of help (15,500.50 baht) for 2 households"),
        "{}",
        out(&loaded)
    );

    // One bad row among good ones: nothing written, the row reported.
    let bad = dir.path().join("bad.csv");
    let report = dir.path().join("report.csv");
    std::fs::write(
        &bad,
        format!(
            "round,household_id,agency,kind,what,value_baht,given_on\n\
             {round},{},codi,cash,เงินช่วยเหลือ,500,2025-03-01\n\
             {round},{},codi,cash,เงินช่วยเหลือ,5.005,2025-03-01\n\
             {round},NO-SUCH-HOUSEHOLD,codi,cash,เงินช่วยเหลือ,5,2025-03-01\n",
            ids[0], ids[1]
        ),
    )
    .unwrap();
    let refused = run(
        &db,
        &[
            "help",
            "import",
            bad.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let e = err(&refused);
    assert!(e.contains("nothing was written"), "{e}");
    assert!(
        e.contains("\t3\tvalue_baht\t5.005\tmust be an amount in baht"),
        "{e}"
    );
    assert!(
        e.contains("\t4\thousehold_id\tNO-SUCH-HOUSEHOLD\tis not a household of round"),
        "{e}"
    );
    assert!(std::fs::read_to_string(&report)
        .unwrap()
        .contains("value_baht"));

    // The summary holds the first file only.
    let summary = run(&db, &["help", "summary"], "");
    assert!(summary.status.success(), "{summary:?}");
    let s = out(&summary);
    assert!(
        s.starts_with("All areas: 2 episodes, 15,500.50 baht, 2 households helped"),
        "{s}"
    );
    assert!(
        s.contains("codi (สถาบันพัฒนาองค์กรชุมชน (พอช.))") || s.contains("codi ("),
        "{s}"
    );

    // An acting user that does not exist is the caller's mistake.
    let nobody = run(
        &db,
        &["help", "import", good.to_str().unwrap(), "--as", "nobody"],
        "",
    );
    assert_eq!(nobody.status.code(), Some(2));
}

#[test]
fn help_is_a_command_and_dash_dash_help_still_helps() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let usage = run(&db, &["--help"], "");
    assert!(usage.status.success());
    assert!(
        out(&usage).contains("The logbook of help given"),
        "{}",
        out(&usage)
    );
    let sub = run(&db, &["help", "--help"], "");
    assert!(sub.status.success());
    assert!(out(&sub).contains("import"), "{}", out(&sub));
    let import = run(&db, &["help", "import", "--help"], "");
    assert!(out(&import).contains("--as"), "{}", out(&import));
}

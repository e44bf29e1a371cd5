//! `thanrak enterprises import FILE | list` and `thanrak match`: a spreadsheet of enterprises
//! loads whole or not at all with its row report; the registry lists with the grassroots score
//! and its three traits; a match over a scored round prints its totals and writes its pairs,
//! tab-separated, the same on a second run.

mod common;

use common::run;

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn enterprises_load_list_and_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let demo = run(&db, &["demo", "--households", "400", "--seed", "5"], "");
    assert!(demo.status.success(), "{demo:?}");
    assert!(out(&demo).contains("grassroots economy:"), "{}", out(&demo));
    let round = "2569-1";
    let scored = run(&db, &["score", "--round", round], "");
    assert!(scored.status.success(), "{scored:?}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "enterprise_id,kind,name,village_code,employees,local_employees,local_resource_pct,shares_income,otop_stars\n\
         9001,otop,เซรามิก,52010101,10,8,90,1,4\n\
         9002,cbt,ท่องเที่ยวชุมชน,52010101,10,11,90,1,\n",
    )
    .unwrap();
    let refused = run(&db, &["enterprises", "import", bad.to_str().unwrap()], "");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        err(&refused).contains("\t3\tlocal_employees\t11\t"),
        "{}",
        err(&refused)
    );
    let listed = run(
        &db,
        &["enterprises", "list", "--kind", "otop", "--limit", "500"],
        "",
    );
    assert!(
        !out(&listed).contains("9001"),
        "nothing of a refused file is written"
    );

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "รหัสกิจการ,ประเภทกิจการ,ชื่อกิจการ,รหัสหมู่บ้าน,จำนวนลูกจ้าง,ลูกจ้างในชุมชน,ร้อยละวัตถุดิบท้องถิ่น,แบ่งปันรายได้สู่ชุมชน,ระดับดาว OTOP,position_id,position_title,position_places\n\
         9001,otop,เซรามิกทดสอบ,52010101,10,8,90,1,4,90001,ช่างปั้น,3\n",
    )
    .unwrap();
    let loaded = run(&db, &["enterprises", "import", good.to_str().unwrap()], "");
    assert!(loaded.status.success(), "{loaded:?}");
    assert!(
        out(&loaded).contains("loaded 1 enterprises, 1 positions (3 places), 0 links"),
        "{}",
        out(&loaded)
    );
    let listed = run(&db, &["enterprises", "list", "--area", "52010101"], "");
    assert!(
        out(&listed).contains("9001\totop\tเซรามิกทดสอบ\t52010101\t3\tyes\tyes\tyes"),
        "{}",
        out(&listed)
    );

    let pairs = dir.path().join("pairs.tsv");
    let matched = run(
        &db,
        &[
            "match",
            "--round",
            round,
            "--area",
            "52",
            "--max-km",
            "30",
            "--out",
            pairs.to_str().unwrap(),
        ],
        "",
    );
    assert!(matched.status.success(), "{matched:?}");
    let report = err(&matched);
    assert!(report.contains("workers ("), "{report}");
    assert!(
        report.contains("area\tworkers\thardship\tplaced\thardship_placed"),
        "{report}"
    );
    let first = std::fs::read_to_string(&pairs).unwrap();
    let lines: Vec<&str> = first.lines().collect();
    assert!(lines[0].starts_with("pair_id\thousehold_id\tmember_no"));
    assert!(lines.len() > 1, "no pair was proposed: {report}");
    assert!(lines[1..]
        .iter()
        .all(|l| l.split('\t').nth(3).unwrap().starts_with("52")));
    // The same input gives the same pairs (the pair ids are new).
    let again = run(&db, &["match", "--round", round, "--area", "52"], "");
    assert!(again.status.success(), "{again:?}");
    let strip = |t: &str| {
        t.lines()
            .map(|l| l.split_once('\t').unwrap().1.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&first), strip(&out(&again)));
    // An unscored round is refused, with a user error.
    let unscored = run(&db, &["match", "--round", "2568-1"], "");
    assert_eq!(unscored.status.code(), Some(2), "{unscored:?}");
}

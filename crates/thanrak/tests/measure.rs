//! The measurement commands as a user runs them: standalone MPI on the published examples, and
//! score → mpi / groups / households on the methodology's example round.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
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

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn standalone(dir: &Path, csv: &str, args: &[&str]) -> Value {
    let path = dir.join("d.csv");
    std::fs::write(&path, csv).unwrap();
    let mut all = vec![
        "mpi",
        "--deprivations",
        path.to_str().unwrap(),
        "--format",
        "json",
    ];
    all.extend(args);
    serde_json::from_str(&ok(&thanrak(&dir.join("unused.db"), &all))).unwrap()
}

#[test]
fn standalone_reproduces_the_first_published_check() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "g,i1,i2,i3,i4\na,1,0,1,0\na,0,1,0,0\nb,0,1,1,1\nb,1,0,0,0\nb,1,0,1,0\n";
    let j = standalone(dir.path(), csv, &["--k", "1/2", "--group-column", "g"]);
    assert!(close(j["h"].as_f64().unwrap(), 0.6));
    assert!(close(j["a"].as_f64().unwrap(), 7.0 / 12.0));
    assert!(close(j["m0"].as_f64().unwrap(), 0.35));
    let get = |k: &str, i: &str| j[k][i].as_f64().unwrap();
    for (i, (h, hk, c)) in ["i1", "i2", "i3", "i4"].iter().zip([
        (0.6, 0.4, 2.0 / 7.0),
        (0.4, 0.2, 1.0 / 7.0),
        (0.6, 0.6, 3.0 / 7.0),
        (0.2, 0.2, 1.0 / 7.0),
    ]) {
        assert!(close(get("uncensored", i), h), "h {i}");
        assert!(close(get("censored", i), hk), "h(k) {i}");
        assert!(close(get("contributions", i), c), "contribution {i}");
    }
    assert!(close(j["groups"]["a"]["m0"].as_f64().unwrap(), 0.25));
    assert!(close(j["groups"]["b"]["m0"].as_f64().unwrap(), 5.0 / 12.0));
    // The database is never opened by the standalone calculator.
    assert!(!dir.path().join("unused.db").exists());
}

#[test]
fn standalone_reproduces_alkire_foster_2011() {
    // Achievements [13.1,14,4,1] [15.2,7,5,0] [12.5,10,1,0] [20,11,3,1], cut-offs (13,12,3,1),
    // deprived when below.
    let dir = tempfile::tempdir().unwrap();
    let csv = "y1,y2,y3,y4\n0,0,0,0\n0,1,0,1\n1,1,1,1\n0,1,0,0\n";
    for (k, h, a, m0) in [
        ("2/4", 0.5, 0.75, 0.375),
        ("1/4", 0.75, 0.4375 / 0.75, 0.4375),
        ("3/4", 0.25, 1.0, 0.25),
    ] {
        let j = standalone(dir.path(), csv, &["--k", k]);
        assert!(close(j["h"].as_f64().unwrap(), h), "k={k}");
        assert!(close(j["a"].as_f64().unwrap(), a), "k={k}");
        assert!(close(j["m0"].as_f64().unwrap(), m0), "k={k}");
    }
}

#[test]
fn standalone_weights_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Weights 2,1,1 normalise to 1/2,1/4,1/4: the first row (c = 1/2) is poor at k = 1/2.
    let csv = "a,b,c,w\n1,0,0,3\n0,1,0,1\n";
    let j = standalone(
        dir.path(),
        csv,
        &["--k", "1/2", "--weights", "2,1,1", "--weight-column", "w"],
    );
    assert!(close(j["h"].as_f64().unwrap(), 0.75));
    assert!(close(j["n"].as_f64().unwrap(), 4.0));

    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "a,b\n1,0\n0,x\n").unwrap();
    let out = thanrak(
        &dir.path().join("u.db"),
        &[
            "mpi",
            "--deprivations",
            path.to_str().unwrap(),
            "--k",
            "1/2",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 3, column b: \"x\" must be 0 or 1"),
        "{err}"
    );
    let out = thanrak(
        &dir.path().join("u.db"),
        &["mpi", "--deprivations", path.to_str().unwrap(), "--k", "2"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = thanrak(
        &dir.path().join("u.db"),
        &[
            "mpi",
            "--deprivations",
            path.to_str().unwrap(),
            "--k",
            "1/2",
            "--weights",
            "1,2,3",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("3 weights given for 2 indicator columns")
    );
}

fn load_example(db: &Path) {
    let h = fixture("households.csv");
    let m = fixture("members.csv");
    ok(&thanrak(
        db,
        &["import", h.to_str().unwrap(), m.to_str().unwrap()],
    ));
}

#[test]
fn households_reproduce_the_expected_results() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    load_example(&db);
    let out = thanrak(&db, &["mpi", "--round", "2566-1"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "figures before scoring must be refused"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("thanrak score --round 2566-1"));
    ok(&thanrak(&db, &["score", "--round", "2566-1"]));
    let got = ok(&thanrak(&db, &["households", "--round", "2566-1"]));
    let expected = std::fs::read_to_string(fixture("expected.csv")).unwrap();
    let parse = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    let (got, expected) = (parse(&got), parse(&expected));
    assert_eq!(got.len(), expected.len());
    let header = &got[0];
    for (e_row, g_row) in expected.iter().skip(1).zip(got.iter().skip(1)) {
        for (col, e) in expected[0].iter().zip(e_row) {
            let i = header
                .iter()
                .position(|h| h == col)
                .unwrap_or_else(|| panic!("no column {col}"));
            let g = &g_row[i];
            match (e.parse::<f64>(), g.parse::<f64>()) {
                // Printed for people: the score to 4 decimals, the capitals to 2 (the exact
                // values are checked in thanrak-core's example-round test).
                (Ok(a), Ok(b)) => {
                    let tolerance = match col.as_str() {
                        "score" => 5e-5,
                        "human" | "physical" | "financial" | "natural" | "social" => 5e-3,
                        _ => 1e-9,
                    };
                    assert!(
                        (a - b).abs() <= tolerance,
                        "{} {col}: expected {e}, got {g}",
                        e_row[0]
                    )
                }
                _ => assert_eq!(e, g, "{} {col}", e_row[0]),
            }
        }
        assert!(
            g_row.last().unwrap().starts_with(g_row[2].as_str()),
            "reasons start with the rule"
        );
    }
}

#[test]
fn area_figures_add_up_and_reimport_clears_scores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    load_example(&db);
    ok(&thanrak(&db, &["score", "--round", "2566-1"]));
    for by in [
        "province",
        "district",
        "subdistrict",
        "village",
        "group",
        "head_sex",
    ] {
        let j: Value = serde_json::from_str(&ok(&thanrak(
            &db,
            &["mpi", "--round", "2566-1", "--by", by, "--format", "json"],
        )))
        .unwrap();
        let overall = &j["overall"];
        let n = overall["n"].as_f64().unwrap();
        assert!(close(n, 86.0), "{by}: persons");
        let rows = j["rows"].as_array().unwrap();
        let weighted: f64 = rows
            .iter()
            .map(|r| r["n"].as_f64().unwrap() * r["m0"].as_f64().unwrap())
            .sum();
        assert!(
            close(weighted / n, overall["m0"].as_f64().unwrap()),
            "{by}: M0 is subgroup consistent"
        );
        let households: u64 = rows
            .iter()
            .map(|r| {
                r["households_by_group"]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|v| v.as_u64().unwrap())
                    .sum::<u64>()
            })
            .sum();
        assert_eq!(households, 24, "{by}");
    }
    let csv = ok(&thanrak(
        &db,
        &[
            "groups", "--round", "2566-1", "--by", "district", "--area", "52", "--format", "csv",
        ],
    ));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("key,name_th,name_en,households_hardship"),
        "{csv}"
    );
    assert!(lines[1].starts_with("52,ลำปาง,Lampang,"), "{csv}");
    assert!(lines[2..].iter().all(|l| l.starts_with("52")), "{csv}");
    // A cut-off other than the methodology's is computed from the stored scores.
    let j: Value = serde_json::from_str(&ok(&thanrak(
        &db,
        &[
            "mpi", "--round", "2566-1", "--by", "all", "--k", "1/1000", "--format", "json",
        ],
    )))
    .unwrap();
    let target: f64 = j["overall"]["h"].as_f64().unwrap();
    assert!(
        target > 0.9,
        "almost everyone is deprived in something: {target}"
    );
    // Loading the round again drops its results: they were computed from the old data.
    load_example(&db);
    let out = thanrak(&db, &["groups", "--round", "2566-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_wrong_methodology_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    load_example(&db);
    let bad = dir.path().join("bad.toml");
    let text = thanrak_core::methodology::Methodology::default_file().replacen(
        "health_insurance",
        "health_insurence",
        1,
    );
    std::fs::write(&bad, text).unwrap();
    let out = thanrak(
        &db,
        &[
            "score",
            "--round",
            "2566-1",
            "--methodology",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line "), "{err}");
    assert!(err.contains("health_insurence"), "{err}");
}

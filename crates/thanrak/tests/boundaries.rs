//! `thanrak boundaries import` as a user runs it: a good file loads, a bad one is reported
//! feature by feature and writes nothing, a second import replaces by code.

use std::path::Path;
use std::process::{Command, Output};

fn thanrak(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thanrak"))
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("THANRAK_DATABASE_URL")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn feature(code: &str, x: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"ADM2_CODE":"{code}","name":"x"}},
            "geometry":{{"type":"Polygon","coordinates":[[[{x},18],[{x1},18],[{x1},19],[{x},19],[{x},18]]]}}}}"#,
        x1 = x + 0.5
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

fn districts(db: &Path) -> usize {
    // The store is read through the library, as the web application reads it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = thanrak_app::db::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let n = store
            .boundaries()
            .list(thanrak_core::AreaLevel::District, None)
            .await
            .unwrap()
            .len();
        store.close().await;
        n
    })
}

#[test]
fn imports_reports_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = dir.path().join("districts.geojson");

    std::fs::write(
        &file,
        collection(&[
            feature("5201", 99.0),
            feature("5299", 99.5),
            feature("52", 100.0),
            r#"{"type":"Feature","properties":{"ADM2_CODE":"5202"},"geometry":{"type":"Point","coordinates":[99,18]}}"#.into(),
        ]),
    )
    .unwrap();
    let args = [
        "boundaries",
        "import",
        file.to_str().unwrap(),
        "--level",
        "district",
        "--code-property",
        "ADM2_CODE",
    ];
    let out = thanrak(&db, &args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "feature\tcode\treason");
    assert_eq!(lines.len(), 4, "{report}");
    assert!(lines[1].starts_with("1\t5299\t"), "{report}");
    assert!(lines[2].starts_with("2\t52\t"), "{report}");
    assert!(
        lines[3].starts_with("3\t5202\t") && lines[3].contains("Point"),
        "{report}"
    );
    assert!(text(&out.stderr).contains("nothing was imported"));
    assert_eq!(districts(&db), 0);

    std::fs::write(
        &file,
        collection(&[feature("5201", 99.0), feature("5202", 99.5)]),
    )
    .unwrap();
    let out = thanrak(&db, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("imported 2 district boundaries"));
    let out = thanrak(&db, &args);
    assert!(out.status.success());
    assert_eq!(districts(&db), 2);

    let out = thanrak(
        &db,
        &[
            "boundaries",
            "import",
            file.to_str().unwrap(),
            "--level",
            "county",
            "--code-property",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown level"));
}

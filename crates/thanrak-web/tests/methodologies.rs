//! A round scored by several methodologies: the shipped `tpmap-welfare-1` beside the default,
//! and a custom file that renames an indicator and changes a need. Pages and the API read each
//! run with its own file (labels, needs, groups) without a code change, and a target list
//! filtered by any need comes from the stored needs.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use thanrak_app::access;
use thanrak_app::db::RunKey;
use thanrak_app::scoring::{self, LoadedMethodology};
use thanrak_core::methodology::Methodology;
use thanrak_core::RoundLabel;
use thanrak_web::auth::credentials;

mod common;

/// The default file with the indicator `housing` renamed `shelter` (and relabelled), the need
/// `housing` replaced by `home` (shelter or drinking water), under the id `custom-1`.
fn custom_file() -> String {
    let text = Methodology::default_file()
        .replace("id = \"thanrak-default-1\"", "id = \"custom-1\"")
        .replace("id = \"housing\"\ndimension", "id = \"shelter\"\ndimension")
        .replace("short_en = \"Insecure housing\"", "short_en = \"No safe shelter\"")
        .replace("deprived(housing)", "deprived(shelter)")
        .replace(
            "id = \"housing\"\nlabel_th = \"ที่อยู่อาศัย\"\nlabel_en = \"Housing\"",
            "id = \"home\"\nlabel_th = \"บ้านและน้ำดื่ม\"\nlabel_en = \"Home and water\"",
        )
        .replace(
            "when = \"deprived(shelter)\"\n\n[[need]]\nid = \"education\"",
            "when = \"deprived(shelter) or deprived(drinking_water)\"\n\n[[need]]\nid = \"education\"",
        );
    assert!(text.contains("id = \"home\"") && text.contains("deprived(shelter) or"));
    text
}

async fn score_with(app: &common::Server, m: &LoadedMethodology) {
    for r in &app.rounds {
        let r = RoundLabel::parse(r).unwrap();
        scoring::score_round(&app.store, &r, m, &mut |_, _, _| {})
            .await
            .unwrap();
    }
}

async fn get_json(app: &common::Server, token: &str, path: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .get(format!("http://{}/api/v1{path}", app.addr))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn each_run_is_read_with_its_own_methodology() {
    let app = common::Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custom.toml");
    std::fs::write(&path, custom_file()).unwrap();
    let custom = scoring::load_methodology(Some(&path)).unwrap();
    let tpmap = scoring::load_methodology(Some(std::path::Path::new("tpmap-welfare-1"))).unwrap();
    score_with(&app, &custom).await;
    score_with(&app, &tpmap).await;
    let round = app.rounds.last().unwrap().clone();
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, "admin", &digest)
        .await
        .unwrap();

    // The custom need, filtered in the database: exactly the households deprived in shelter or
    // drinking water, each listing `home` among its needs and `shelter` among its lacks.
    let key = RunKey {
        round: RoundLabel::parse(&round).unwrap(),
        methodology_id: "custom-1".into(),
        methodology_version: "1".into(),
    };
    let m = &custom.methodology;
    let (shelter, water) = (
        m.indicator_index("shelter").unwrap(),
        m.indicator_index("drinking_water").unwrap(),
    );
    let want: BTreeSet<String> = app
        .store
        .scores()
        .of_run(&key, None)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.score.deprived(shelter) || s.score.deprived(water))
        .map(|s| s.score.household_id.to_string())
        .collect();
    assert!(!want.is_empty());
    let (status, page) = get_json(
        &app,
        &token,
        &format!("/rounds/{round}/targets?methodology=custom-1&need=home&per_page=500"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"].as_u64(), Some(want.len() as u64));
    let mut got = BTreeSet::new();
    for item in page["items"].as_array().unwrap() {
        let needs: Vec<&str> = item["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(needs.contains(&"home"), "{item}");
        assert!(!needs.contains(&"housing"), "{item}");
        let deprived = item["deprived"].to_string();
        assert!(deprived.contains("shelter") || deprived.contains("drinking_water"));
        assert!(!deprived.contains("\"housing\""));
        got.insert(item["household_id"].as_str().unwrap().to_string());
    }
    assert_eq!(got, want);
    // The default's need does not exist in the custom file; the default run still has it.
    let (status, _) = get_json(
        &app,
        &token,
        &format!("/rounds/{round}/targets?methodology=custom-1&need=housing"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = get_json(
        &app,
        &token,
        &format!("/rounds/{round}/targets?need=housing"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page["total"].as_u64().unwrap() > 0);
    // A methodology that did not score the round is "not found".
    let (status, _) = get_json(
        &app,
        &token,
        &format!("/rounds/{round}/figures?methodology=nobody-1"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Figures say which methodology scored them; TPMAP's groups come from capital levels.
    let (status, d) = get_json(&app, &token, &format!("/rounds/{round}/figures?by=group")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["methodology_id"], "thanrak-default-1");
    let (status, t) = get_json(
        &app,
        &token,
        &format!("/rounds/{round}/figures?by=group&methodology=tpmap-welfare-1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t["methodology_id"], "tpmap-welfare-1");
    assert_ne!(
        d["overall"]["figures"]["households"], t["overall"]["figures"]["households"],
        "the two methodologies group households differently"
    );

    // Pages: the dashboard offers the round's runs and names the one shown; the target list
    // uses the run's own labels.
    let session = app.login("admin").await;
    let (status, html) = app
        .page(
            &format!("/?round={round}&methodology=tpmap-welfare-1"),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"methodology\""), "a picker");
    assert!(html.contains("(tpmap-welfare-1)"), "names the run shown");
    let (status, html) = app
        .page(
            &format!("/targets?round={round}&methodology=custom-1&need=home&lang=en"),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Home and water"));
    assert!(html.contains("No safe shelter"));
    assert!(!html.contains("Insecure housing"));
}

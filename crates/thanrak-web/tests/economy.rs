//! The grassroots economy through the API and the pages: the registry with each enterprise's
//! grassroots score and traits, the chain around one; a match queued as a job by the area
//! manager, its pairs read inside each role's areas, a pair accepted into a case for the job
//! need; the `/enterprises`, `/enterprises/{id}` and `/matching` pages in Thai and English.

use reqwest::StatusCode;
use serde_json::{json, Value};
use thanrak_app::access;
use thanrak_core::economy::{Enterprise, EnterpriseDraft, EnterpriseKind, Position, Season};
use thanrak_core::household::Skills;
use thanrak_core::RoundLabel;
use thanrak_web::auth::credentials;

mod common;

async fn token(app: &common::Server, user: &str) -> String {
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, user, &digest)
        .await
        .unwrap();
    token
}

#[tokio::test]
async fn the_registry_a_match_and_its_pages() {
    let app = common::Server::start().await;
    let round = app.rounds.last().unwrap().clone();
    let (e, p, _) =
        thanrak_app::economy::load_demo_economy(&app.store, &RoundLabel::parse(&round).unwrap(), 1)
            .await
            .unwrap();
    assert!(e > 0 && p > 0);
    // The test population is small: one more employer, taking anyone, in every Lampang
    // subdistrict with households (without coordinates: the same subdistrict is in reach).
    let mut subs: Vec<_> = common::households(&app.store, &round)
        .await
        .iter()
        .filter(|h| h.village_code.is_within(&common::code("52")))
        .map(|h| h.village_code)
        .collect();
    subs.sort_by_key(|v| v.parent());
    subs.dedup_by_key(|v| v.parent());
    let mut extra = Vec::new();
    let mut jobs = Vec::new();
    for (i, v) in subs.iter().enumerate() {
        let id = 900_000 + i as i64;
        extra.push(
            Enterprise::new(EnterpriseDraft {
                id,
                kind: EnterpriseKind::Sme,
                name: format!("ร้านค้าชุมชน {i}"),
                village: *v,
                location: None,
                employees: 4,
                local_employees: 4,
                local_resource_pct: 60,
                shares_income: true,
                registration_no: None,
                otop_stars: None,
            })
            .unwrap(),
        );
        jobs.push(
            Position::new(id, id, "พนักงานร้าน", 5, Skills::NONE, 9_000, Season::AllYear).unwrap(),
        );
    }
    app.store
        .economy()
        .save(&extra, &jobs, &[], &[], chrono::Utc::now())
        .await
        .unwrap();
    let (admin, lampang, surveyor, analyst) = (
        token(&app, "admin").await,
        token(&app, "lampang").await,
        token(&app, "surveyor").await,
        token(&app, "analyst").await,
    );
    let url = |p: &str| format!("http://{}/api/v1{p}", app.addr);
    let get = |t: &str, p: &str| app.client.get(url(p)).bearer_auth(t).send();

    // The registry, with the score and its traits; every role reads it.
    let res = get(&analyst, "/enterprises?area=52&per_page=500")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|i| i["village_code"].as_str().unwrap().starts_with("52")));
    let first = &items[0];
    let g = &first["grassroots"];
    let traits = [
        &g["local_employment"],
        &g["local_resources"],
        &g["shares_income"],
    ];
    let points = traits.iter().filter(|t| t.as_bool().unwrap()).count() as u64;
    assert_eq!(g["score"].as_u64().unwrap(), points);
    let res = get(&analyst, "/enterprises?kind=nonsense").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let id = first["id"].as_i64().unwrap();
    let chain: Value = get(&analyst, &format!("/enterprises/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(chain["enterprise"]["id"], id);
    assert!(chain["workers"].is_null(), "an analyst reads no workers");

    // A match of Lampang, queued by its area manager.
    let res = app
        .client
        .post(url("/matches"))
        .bearer_auth(&lampang)
        .json(&json!({"round": round, "area": "52", "max_km": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job: Value = res.json().await.unwrap();
    assert_eq!(job["kind"], "match");
    assert_eq!(job["params"]["max_m"], 30_000);
    // The job's end, as a client follows it (the worker runs it beside the server).
    let id = job["id"].as_i64().unwrap();
    let mut done = Value::Null;
    for _ in 0..600 {
        done = get(&lampang, &format!("/jobs/{id}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if done["state"] == "done" || done["state"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(done["state"], "done", "{done}");
    let result = &done["result"];
    let run = result["run_id"].as_i64().unwrap();
    let placed = result["total"]["placed"].as_u64().unwrap();
    assert!(placed > 0, "{result}");
    // Roi Et is not the area manager's.
    let res = app
        .client
        .post(url("/matches"))
        .bearer_auth(&lampang)
        .json(&json!({"round": round, "area": "45"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let pairs: Value = get(&admin, &format!("/matches/{run}/pairs?per_page=500"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pairs["total"].as_u64().unwrap(), placed);
    let surveyed = app.surveyed.to_string();
    let seen: Value = get(&surveyor, &format!("/matches/{run}/pairs?per_page=500"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(seen["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["village_code"].as_str().unwrap().starts_with(&surveyed)));

    // The workers left unplaced, with their reasons, a page at a time.
    let unplaced_n = result["unplaced"].as_array().unwrap().len() as u64;
    let unplaced: Value = get(&lampang, &format!("/matches/{run}/unplaced?per_page=500"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        unplaced["total"].as_u64().unwrap(),
        unplaced_n,
        "{unplaced}"
    );
    let by_reason = unplaced["by_reason"].as_array().unwrap();
    assert_eq!(
        by_reason
            .iter()
            .map(|r| r["workers"].as_u64().unwrap())
            .sum::<u64>(),
        unplaced_n
    );
    let reason = by_reason[0]["reason"].as_str().unwrap().to_string();
    let only: Value = get(
        &lampang,
        &format!("/matches/{run}/unplaced?reason={reason}"),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(only["total"], by_reason[0]["workers"]);
    assert!(only["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["reason"] == reason.as_str()));
    let res = get(&lampang, &format!("/matches/{run}/unplaced?reason=lazy"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Accept one: a case for the job need at OSMEP.
    let pair = &pairs["items"][0];
    let res = app
        .client
        .post(url(&format!("/matches/pairs/{}/accept", pair["pair_id"])))
        .bearer_auth(&lampang)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["agency"], "osmep");
    let chain: Value = get(&lampang, &format!("/enterprises/{}", pair["enterprise_id"]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(chain["workers"].as_array().unwrap().len(), 1);
    assert!(chain["suppliers"].is_array(), "{chain}");

    // The pages.
    let session = app.login("lampang").await;
    let (status, html) = app.page("/enterprises?area=52", &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"enterprises\""), "{html}");
    assert!(html.contains("จ้างคนในชุมชน") && html.contains("/3"));
    assert!(html.contains("href=\"/matching\""));
    let (_, en) = app.page("/enterprises?area=52&lang=en", &session).await;
    assert!(en.contains("Employs local people"));
    let (status, html) = app
        .page(
            &format!("/enterprises/{}?lang=en", pair["enterprise_id"]),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Value chain") && html.contains("id=\"workers\""),
        "{html}"
    );
    let (status, html) = app.page(&format!("/matching?run={run}"), &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("id=\"unplaced-list\""),
        "the unplaced workers are listed"
    );
    assert!(html.contains(&format!("data-reason=\"{reason}\"")));
    let (status, en) = app
        .page(
            &format!("/matching?run={run}&reason={reason}&lang=en"),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(en.contains("Workers not placed"), "{en}");
    assert!(html.contains(&format!("data-pair=\"{}\"", pair["pair_id"])));
    assert!(
        html.contains("ยืนยันแล้ว ส่งต่อหน่วยงาน"),
        "the accepted pair shows its state"
    );
    assert!(
        html.contains("action=\"/matching/pairs/"),
        "the others can be accepted"
    );
    // Accepting from the page (with the form's token) redirects back to the run.
    let csrf = common::csrf_field(&html);
    let other = pairs["items"][1]["pair_id"].as_i64().unwrap();
    let res = app
        .client
        .post(format!("http://{}/matching/pairs/{other}/accept", app.addr))
        .header("cookie", format!("thanrak_session={session}"))
        .form(&[("csrf", csrf.as_str()), ("run", &run.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/matching?run={run}"));
    // The admin records the hire from the page: a job in the logbook, which resolves the case.
    let admin = app.login("admin").await;
    let (_, html) = app.page(&format!("/matching?run={run}"), &admin).await;
    assert!(
        html.contains(&format!("data-hire=\"{other}\"")),
        "the accepted pair offers its hire"
    );
    let csrf = common::csrf_field(&html);
    let res = app
        .client
        .post(format!("http://{}/matching/pairs/{other}/hire", app.addr))
        .header("cookie", format!("thanrak_session={admin}"))
        .form(&[("csrf", csrf.as_str()), ("run", &run.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&format!("/matching?run={run}"), &admin).await;
    assert!(
        !html.contains(&format!("data-hire=\"{other}\"")),
        "hired: nothing left to record"
    );
}

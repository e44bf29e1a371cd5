//! Referral cases through the API: an area manager refers a household of its area to an agency;
//! the agency's officer finds it in its inbox and moves it through the workflow; every other
//! party is refused its moves; a stale version is a conflict; nothing outside a caller's view
//! is found.

use reqwest::StatusCode;
use serde_json::{json, Value};
use thanrak_app::access;
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
async fn a_referral_goes_from_the_area_manager_to_the_agency_and_is_resolved() {
    let app = common::Server::start().await;
    let round = app.rounds.last().unwrap().clone();
    let households = common::households(&app.store, &round).await;
    let inside = households
        .iter()
        .find(|h| h.village_code.is_within(&app.surveyed))
        .unwrap()
        .household_id
        .to_string();
    let outside = households
        .iter()
        .find(|h| h.village_code.is_within(&common::code("45")))
        .unwrap()
        .household_id
        .to_string();
    let (lampang, surveyor, codi, analyst) = (
        token(&app, "lampang").await,
        token(&app, "surveyor").await,
        token(&app, "codi").await,
        token(&app, "analyst").await,
    );
    let url = |p: &str| format!("http://{}/api/v1{p}", app.addr);
    let post =
        |t: &str, p: &str, body: Value| app.client.post(url(p)).bearer_auth(t).json(&body).send();
    let get = |t: &str, p: &str| app.client.get(url(p)).bearer_auth(t).send();
    let refer = |hh: &str, need: &str, agency: &str| {
        json!({"round": round, "household_id": hh, "need": need, "agency": agency,
               "note": "หลังคารั่ว", "due_on": "2020-01-31"})
    };

    // The area manager refers a household of its area.
    let res = post(&lampang, "/cases", refer(&inside, "housing", "codi"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["state"], "sent");
    assert_eq!(case["state_th"], "ส่งต่อแล้ว");
    assert_eq!(case["overdue"], true, "due in 2020");
    assert!((1..=4).contains(&case["priority"].as_u64().unwrap()));
    let id = case["id"].as_i64().unwrap();
    // Not twice while it is open; not outside its areas (not found); not by a surveyor.
    let res = post(&lampang, "/cases", refer(&inside, "housing", "codi"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = post(&lampang, "/cases", refer(&outside, "housing", "codi"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = post(&surveyor, "/cases", refer(&inside, "job", "osmep"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A need or agency that does not exist is not found.
    for (bad, says) in [
        (refer(&inside, "flying", "codi"), "is not a need"),
        (refer(&inside, "housing", "nobody"), "not in the catalogue"),
    ] {
        let res = post(&lampang, "/cases", bad).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains(says));
    }
    // A case of another agency.
    let res = post(&lampang, "/cases", refer(&inside, "tourism", "dasta"))
        .await
        .unwrap();
    let other = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // The agency's inbox holds its case and not the other agency's.
    let inbox: Value = get(&codi, "/cases").await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id]);
    assert_eq!(
        get(&codi, &format!("/cases/{other}"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&analyst, &format!("/cases/{id}"))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    // The referring side reads both.
    let mine: Value = get(&lampang, "/cases").await.unwrap().json().await.unwrap();
    assert_eq!(mine["total"], 2);

    let mv = |t: &str, m: &str, version: i64, note: &str| {
        post(
            t,
            &format!("/cases/{id}/moves"),
            json!({"move": m, "version": version, "note": note}),
        )
    };
    // Accepting is the agency's move, not the referrer's.
    let res = mv(&lampang, "accept", 1, "").await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = mv(&codi, "accept", 1, "รับเรื่อง").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 2);
    // A change made on what was read before is refused: nothing is lost.
    let res = mv(&codi, "start", 1, "").await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // A move the workflow does not have, and a decline without its reason.
    let res = mv(&codi, "send", 2, "").await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "sending is the referrer's"
    );
    // Moves the workflow does not allow from here: well formed, against its rules.
    let res = mv(&codi, "accept", 2, "").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("can go to"));
    let res = mv(&codi, "decline", 2, " ").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = mv(&codi, "start", 2, "").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = mv(&codi, "resolve", 3, "ซ่อมหลังคาแล้ว").await.unwrap();
    let done: Value = res.json().await.unwrap();
    assert_eq!(
        (done["state"].as_str(), done["overdue"].as_bool()),
        (Some("resolved"), Some(false))
    );
    let res = mv(&lampang, "cancel", 4, "").await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a resolved case has ended"
    );

    // Its history: every change, who, from, to.
    let detail: Value = get(&lampang, &format!("/cases/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let steps: Vec<(Value, Value, Value)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["by"].clone(), e["from"].clone(), e["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!("lampang"), Value::Null, json!("sent")),
            (json!("codi"), json!("sent"), json!("accepted")),
            (json!("codi"), json!("accepted"), json!("in_progress")),
            (json!("codi"), json!("in_progress"), json!("resolved")),
        ]
    );
    // Resolved, the household may be referred for that need again.
    let res = post(&lampang, "/cases", refer(&inside, "housing", "codi"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_agency_works_its_inbox_in_the_page() {
    let app = common::Server::start().await;
    let round = app.rounds.last().unwrap().clone();
    let households = common::households(&app.store, &round).await;
    let inside = households
        .iter()
        .find(|h| h.village_code.is_within(&app.surveyed))
        .unwrap()
        .household_id
        .to_string();
    let lampang = token(&app, "lampang").await;
    let res = app
        .client
        .post(format!("http://{}/api/v1/cases", app.addr))
        .bearer_auth(&lampang)
        .json(
            &json!({"round": round, "household_id": inside, "need": "housing",
                      "agency": "codi", "due_on": "2020-01-31"}),
        )
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let codi = app.login("codi").await;
    let (status, html) = app.page("/cases", &codi).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("id=\"case-{id}\"")), "{html}");
    assert!(html.contains("ที่อยู่อาศัย"), "the need by its label");
    assert!(html.contains("เลยกำหนด"), "overdue");
    assert!(html.contains("2563"), "the due date in the Buddhist Era");
    assert!(html.contains("data-move=\"accept\"") && html.contains("data-move=\"decline\""));
    assert!(
        !html.contains("data-move=\"cancel\""),
        "cancelling is the referrer's"
    );
    assert!(html.contains("href=\"/cases\""), "in the navigation");
    let csrf = common::csrf_field(&html);
    let res = app
        .client
        .post(format!("http://{}/cases/{id}/move", app.addr))
        .header(reqwest::header::COOKIE, format!("thanrak_session={codi}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("move", "accept"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page("/cases", &codi).await;
    assert!(html.contains("data-state=\"accepted\""));
    // The same form again, at the version it showed: someone changed the case since.
    let res = app
        .client
        .post(format!("http://{}/cases/{id}/move", app.addr))
        .header(reqwest::header::COOKIE, format!("thanrak_session={codi}"))
        .form(&[("csrf", csrf.as_str()), ("move", "start"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // An analyst has no referrals page and no link to it.
    let analyst = app.login("analyst").await;
    let (status, _) = app.page("/cases", &analyst).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = app.page("/", &analyst).await;
    assert!(!home.contains("href=\"/cases\""));
}

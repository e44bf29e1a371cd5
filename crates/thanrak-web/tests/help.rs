//! The logbook of help given, through the API, the use cases and the page: who records help for
//! which household; help naming a case resolves it once the agency has accepted it; a
//! household's help as each role reads it; the summary by agency, dimension or capital, kind and
//! area, with households in need; the `/help` page in Thai and English.

use reqwest::StatusCode;
use serde_json::{json, Value};
use thanrak_app::access;
use thanrak_app::help::help_for_household;
use thanrak_core::identity::UserName;
use thanrak_core::HouseholdId;
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
async fn help_is_recorded_closes_its_case_and_is_summed() {
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
    let (admin, lampang, surveyor, codi, analyst) = (
        token(&app, "admin").await,
        token(&app, "lampang").await,
        token(&app, "surveyor").await,
        token(&app, "codi").await,
        token(&app, "analyst").await,
    );
    let url = |p: &str| format!("http://{}/api/v1{p}", app.addr);
    let post =
        |t: &str, p: &str, body: Value| app.client.post(url(p)).bearer_auth(t).json(&body).send();
    let get = |t: &str, p: &str| app.client.get(url(p)).bearer_auth(t).send();
    let help = |hh: &str, agency: &str, value: &str, case: Option<i64>| {
        json!({"round": round, "household_id": hh, "agency": agency, "kind": "housing",
               "addresses": "living", "what": "ซ่อมหลังคา", "value_baht": value,
               "given_on": "15/1/2569", "case_id": case})
    };

    // The area manager records help for a household of its area, not outside it.
    let res = post(
        &lampang,
        "/help",
        help(&inside, "local_government", "12,000.50", None),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["help"]["value_baht"], "12000.50");
    assert_eq!(first["help"]["given_on"], "2026-01-15", "Buddhist Era read");
    assert_eq!(first["help"]["recorded_by"], "lampang");
    let res = post(&lampang, "/help", help(&outside, "codi", "1", None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A surveyor records none; an agency officer none for a household not referred to it.
    let res = post(&surveyor, "/help", help(&inside, "codi", "1", None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(&codi, "/help", help(&inside, "codi", "1", None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Bad values are the caller's to fix, and the answer says which.
    for (body, says) in [
        (help(&inside, "codi", "1.005", None), "at most 2 decimals"),
        (
            help(&inside, "nobody", "1", None),
            "not an agency of the catalogue",
        ),
        (
            {
                let mut b = help(&inside, "codi", "1", None);
                b["given_on"] = json!("2100-01-01");
                b
            },
            "after today",
        ),
        (
            {
                let mut b = help(&inside, "codi", "1", None);
                b["addresses"] = json!("happiness");
                b
            },
            "must be one of",
        ),
    ] {
        // Malformed (400), naming no agency (404), or well formed against the logbook's rules
        // (422): each the caller's to fix, and the answer says what.
        let res = post(&lampang, "/help", body).await.unwrap();
        let want = match says {
            "not an agency of the catalogue" => StatusCode::NOT_FOUND,
            "after today" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        assert_eq!(res.status(), want, "{says}");
        let text = res.text().await.unwrap();
        assert!(text.contains(says), "{text}");
    }

    // Referred to CODI, the household is one the officer records for; a sent case must be
    // accepted before help closes it, and accepted, help resolves it.
    let res = post(
        &lampang,
        "/cases",
        json!({"round": round, "household_id": inside, "need": "housing", "agency": "codi"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let case = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = post(&codi, "/help", help(&inside, "codi", "35000", Some(case)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("accept a sent case first"));
    // Not in another agency's name.
    let res = post(&codi, "/help", help(&inside, "dasta", "1", None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(
        &codi,
        &format!("/cases/{case}/moves"),
        json!({"move": "accept", "version": 1}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = post(&codi, "/help", help(&inside, "codi", "35000", Some(case)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let recorded: Value = res.json().await.unwrap();
    assert_eq!(recorded["resolved_case_id"], case);
    let c: Value = get(&lampang, &format!("/cases/{case}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["case"]["state"], "resolved");
    assert!(c["history"][2]["note"]
        .as_str()
        .unwrap()
        .contains("ซ่อมหลังคา"));

    // The household's help, as each role reads it.
    let count = |v: Value| v["total"].as_u64().unwrap();
    let path = format!("/households/{inside}/help");
    for (t, n) in [(&admin, 2), (&lampang, 2), (&surveyor, 2), (&codi, 2)] {
        let v: Value = get(t, &path).await.unwrap().json().await.unwrap();
        assert_eq!(count(v), n);
    }
    let v: Value = get(&lampang, &format!("/households/{outside}/help"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count(v), 0);
    assert_eq!(
        get(&analyst, &path).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // The use case the family profile calls: newest first, each with its agency.
    let lampang_user = app
        .store
        .accounts()
        .user(&UserName::parse("lampang").unwrap())
        .await
        .unwrap();
    let records = help_for_household(
        &app.store,
        &lampang_user,
        &HouseholdId::parse(&inside).unwrap(),
    )
    .await
    .unwrap();
    let agencies: Vec<&str> = records.iter().map(|r| r.new.help.agency.as_str()).collect();
    assert_eq!(agencies, ["codi", "local_government"]);

    // The summary: everything for an admin, inside Lampang for its area manager (with the
    // households in need), the agency's own help for an officer, nothing yet for an analyst.
    let all: Value = get(&admin, "/help/summary")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"]["episodes"], 2);
    assert_eq!(all["total"]["value_baht"], "47000.50");
    assert_eq!(all["total"]["households"], 1);
    assert_eq!(all["by_agency"][0]["code"], "codi", "largest budget first");
    assert_eq!(all["by_addresses"][0]["code"], "living");
    assert_eq!(all["by_addresses"][0]["label_en"], "Living conditions");
    // The provinces: Lampang with the help, Roi Et with households in need only.
    let provinces: Vec<(&str, &str, u64)> = all["by_area"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap(),
                a["name_en"].as_str().unwrap(),
                a["episodes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(provinces, [("45", "Roi Et", 0), ("52", "Lampang", 2)]);
    let mine: Value = get(&lampang, "/help/summary")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["area"], "52");
    let in_need = mine["households_in_need"].as_u64().unwrap();
    assert!(in_need > 0, "{mine}");
    let by_area_need: u64 = mine["by_area"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["households_in_need"].as_u64().unwrap())
        .sum();
    assert_eq!(
        by_area_need, in_need,
        "the districts add up to the province"
    );
    assert_eq!(mine["in_need_round"], json!(round));
    let theirs: Value = get(&codi, "/help/summary")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["agency"], "codi");
    assert_eq!(theirs["total"]["value_baht"], "35000.00");
    assert!(theirs["households_in_need"].is_null());
    assert_eq!(
        get(&analyst, "/help/summary").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // The page, in Thai and in English, with the navigation link for roles that read it.
    let session = app.login("lampang").await;
    let (status, html) = app.page("/help", &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/help\""), "nav link");
    assert!(html.contains("47,000.50 บาท"), "{html}");
    assert!(html.contains("ที่อยู่อาศัย"));
    let (_, html) = app.page("/help?lang=en&area=5201", &session).await;
    assert!(html.contains("Households in need"));
    let (status, _) = app.page("/help?area=45", &session).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let session = app.login("analyst").await;
    let (_, html) = app.page("/", &session).await;
    assert!(
        !html.contains("href=\"/help\""),
        "no link for a role that may not read it"
    );
}

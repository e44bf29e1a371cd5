//! The agency catalogue end to end: the API (read by everyone, written by admins, every field
//! checked) and the page (the catalogue with names and labels; the admin's form).

use reqwest::StatusCode;
use serde_json::{json, Value};
use thanrak_app::access;
use thanrak_web::auth::credentials;

mod common;

use common::csrf_field;

async fn token(app: &common::Server, user: &str) -> String {
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, user, &digest)
        .await
        .unwrap();
    token
}

#[tokio::test]
async fn the_catalogue_is_read_by_all_and_written_by_admins() {
    let app = common::Server::start().await;
    let url = |p: &str| format!("http://{}/api/v1{p}", app.addr);
    let (admin, analyst, codi) = (
        token(&app, "admin").await,
        token(&app, "analyst").await,
        token(&app, "codi").await,
    );
    // The default catalogue, for every role.
    let list: Value = app
        .client
        .get(url("/agencies"))
        .bearer_auth(&codi)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    assert!(codes.contains(&"codi") && codes.contains(&"dasta"));
    let one: Value = app
        .client
        .get(url("/agencies/codi"))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["needs"], json!(["housing", "occupation"]));
    let missing = app
        .client
        .get(url("/agencies/nobody"))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let body = json!({
        "name_th": "การยางแห่งประเทศไทย",
        "name_en": "Rubber Authority of Thailand",
        "mission": "ยางพาราและรายได้ของเกษตรกร",
        "needs": ["occupation"],
        "areas": ["52"],
        "contact": "054 000 000",
    });
    let put = |t: &str, code: &str, body: &Value| {
        app.client
            .put(url(&format!("/agencies/{code}")))
            .bearer_auth(t)
            .json(body)
            .send()
    };
    // Only an admin writes.
    assert_eq!(
        put(&analyst, "rubber", &body).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(&codi, "codi", &body).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let res = put(&admin, "rubber", &body).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = put(&admin, "rubber", &body).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the second write replaces");
    let got: Value = res.json().await.unwrap();
    assert_eq!(got["areas"], json!(["52"]));
    // Every field is checked, and the message names it: a malformed value is a 400, a
    // well-formed one that names nothing known a 404.
    for (field, value, says, status) in [
        (
            "needs",
            json!(["flying"]),
            "is not a need of a shipped methodology",
            StatusCode::NOT_FOUND,
        ),
        (
            "areas",
            json!(["99"]),
            "areas 99 is not an official",
            StatusCode::NOT_FOUND,
        ),
        ("areas", json!(["5x"]), "areas", StatusCode::BAD_REQUEST),
        (
            "name_th",
            json!(" "),
            "name_th is required",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let mut bad = body.clone();
        bad[field] = value;
        let res = put(&admin, "rubber", &bad).await.unwrap();
        assert_eq!(res.status(), status, "{field}");
        let text = res.text().await.unwrap();
        assert!(text.contains(says), "{field}: {text}");
    }
    let res = put(&admin, "bad code!", &body).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Nothing refused was written.
    let after: Value = app
        .client
        .get(url("/agencies/rubber"))
        .bearer_auth(&codi)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["name_th"], "การยางแห่งประเทศไทย");
    assert_eq!(after["needs"], json!(["occupation"]));
}

#[tokio::test]
async fn the_catalogue_page_shows_names_and_labels_and_the_admin_edits_it() {
    let app = common::Server::start().await;
    // An agency officer reads the catalogue: names, the needs by label, no form.
    let codi = app.login("codi").await;
    let (status, html) = app.page("/agencies", &codi).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"agency-codi\""), "{html}");
    assert!(html.contains("สถาบันพัฒนาองค์กรชุมชน (พอช.)"));
    assert!(html.contains("ทั่วประเทศ"), "no areas is the whole country");
    assert!(!html.contains("id=\"agency-form\""), "only admins edit");

    let admin = app.login("admin").await;
    let (_, html) = app.page("/agencies?lang=en", &admin).await;
    assert!(html.contains("id=\"agency-form\""));
    let csrf = csrf_field(&html);
    let post = |fields: Vec<(&'static str, String)>, session: String| {
        let client = app.client.clone();
        let url = format!("http://{}/agencies", app.addr);
        async move {
            client
                .post(url)
                .header(
                    reqwest::header::COOKIE,
                    format!("thanrak_session={session}"),
                )
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let fields = |areas: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("code", "rubber".to_string()),
            ("name_th", "การยางแห่งประเทศไทย".to_string()),
            ("name_en", "Rubber Authority of Thailand".to_string()),
            ("mission", String::new()),
            ("needs", "occupation".to_string()),
            ("areas", areas.to_string()),
            ("contact", String::new()),
        ]
    };
    // A wrong area: the form again, filled in, saying what is wrong; nothing written.
    let res = post(fields("52, 99"), admin.clone()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"agency-error\""), "{html}");
    assert!(html.contains("value=\"rubber\""));
    assert!(!html.contains("id=\"agency-rubber\""));
    // Saved: back to the catalogue, where the agency shows with its province by name.
    let res = post(fields("52"), admin.clone()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page("/agencies", &codi).await;
    assert!(html.contains("id=\"agency-rubber\""));
    assert!(html.contains("ลำปาง"), "the area by name");
    // Another role may not, even with its own form token.
    let (_, own) = app.page("/", &codi).await;
    let mut theirs = fields("52");
    theirs[0].1 = csrf_field(&own);
    let res = post(theirs, codi.clone()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

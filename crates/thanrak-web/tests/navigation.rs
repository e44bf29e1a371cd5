//! What every demo role meets first: each entry of its menu opens (no 403 behind a link it is
//! offered), an area may be named rather than coded, and error pages keep the menu and say
//! what to do.

mod common;

use common::Server;
use reqwest::StatusCode;

/// The links of the page's menu (`<nav>` … `</nav>`).
fn menu(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav") else {
        return Vec::new();
    };
    let end = html[start..]
        .find("</nav>")
        .map_or(html.len(), |e| start + e);
    html[start..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn every_menu_entry_opens_for_every_role() {
    let app = Server::start().await;
    for name in ["admin", "analyst", "lampang", "surveyor", "codi"] {
        let session = app.login(name).await;
        let (status, home) = app.page("/", &session).await;
        assert_eq!(status, StatusCode::OK, "{name}: the dashboard");
        let links = menu(&home);
        assert!(links.len() >= 4, "{name}: a menu {links:?}");
        for link in links
            .iter()
            .filter(|l| l.starts_with('/') && !l.starts_with("/api/"))
        {
            let (status, body) = app.page(link, &session).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{name} is offered {link} but gets {status}: {}",
                &body[..body.len().min(400)]
            );
        }
    }
    // What each role is not offered, it is refused: the menu hides nothing it may open.
    let analyst = app.login("analyst").await;
    let (_, home) = app.page("/", &analyst).await;
    assert!(
        !menu(&home).iter().any(|l| l == "/targets"),
        "{:?}",
        menu(&home)
    );
    let (status, _) = app.page("/targets", &analyst).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn areas_are_named_and_errors_keep_the_menu() {
    let app = Server::start().await;
    let session = app.login("admin").await;
    // A province by its Thai name opens like its code.
    let (status, by_name) = app.page("/?area=ลำปาง", &session).await;
    assert_eq!(status, StatusCode::OK, "{by_name}");
    let (_, by_code) = app.page("/?area=52", &session).await;
    assert!(by_name.contains("ลำปาง") && by_code.contains("ลำปาง"));
    // An unknown area: a page with the menu that says what to do.
    for path in [
        "/targets?area=99",
        "/?area=นิวยอร์ก",
        "/households/2569-1/NO-SUCH",
    ] {
        let (status, html) = app.page(path, &session).await;
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(
            !menu(&html).is_empty(),
            "{path}: the error page keeps the menu"
        );
        assert!(html.contains("href=\"/\""), "{path}: a way back");
    }
    let (status, html) = app.page("/targets?area=99", &session).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("99"), "the error names the value: {html}");
}

#[tokio::test]
async fn pages_open_on_the_latest_published_round() {
    let app = Server::start().await;
    let (older, newer) = (app.rounds[0].clone(), app.rounds[1].clone());
    let (token, digest) = thanrak_web::auth::credentials::new_api_token();
    thanrak_app::access::add_api_token(&app.store, "admin", &digest)
        .await
        .unwrap();
    let api = |path: &str| format!("http://{}/api/v1{path}", app.addr);
    let rounds: serde_json::Value = app
        .client
        .get(api("/rounds"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rounds["items"][1]["state"], "published", "{rounds}");
    let session = app.login("admin").await;
    let opened_on = |html: &str| html.contains(&format!("<option value=\"{newer}\" selected>"));
    let (_, html) = app.page("/", &session).await;
    assert!(opened_on(&html));
    // The newer round taken back to a draft: pages open on the older, published one, and say
    // so when the draft is asked for.
    let res = app
        .client
        .post(api(&format!("/rounds/{newer}/draft")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, html) = app.page("/", &session).await;
    assert!(
        html.contains(&format!("<option value=\"{older}\" selected>")),
        "{html}"
    );
    let (_, html) = app.page(&format!("/?round={newer}"), &session).await;
    assert!(html.contains("id=\"draft-round\"") && html.contains("id=\"publish-round\""));
    // Only admins publish.
    let (lampang, digest) = thanrak_web::auth::credentials::new_api_token();
    thanrak_app::access::add_api_token(&app.store, "lampang", &digest)
        .await
        .unwrap();
    let res = app
        .client
        .post(api(&format!("/rounds/{newer}/publish")))
        .bearer_auth(&lampang)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .client
        .post(api(&format!("/rounds/{newer}/publish")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, html) = app.page("/", &session).await;
    assert!(opened_on(&html));
}

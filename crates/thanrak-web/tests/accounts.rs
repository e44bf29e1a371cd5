//! An admin manages accounts on `/admin/users`: adds a user (its first password shown once),
//! gives it other areas, disables and enables it, and makes a one-time reset code with which the
//! user sets a new password on the login page; a wrong or spent code is refused alike.

mod common;

use common::{cookie_value, csrf_field, Server};
use reqwest::StatusCode;

async fn post(app: &Server, session: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(format!("http://{}{path}", app.addr))
        .header("cookie", format!("thanrak_session={session}"))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The secret shown once on the page.
fn secret(html: &str) -> String {
    let start = html.find("id=\"secret\">").expect("a secret shown") + 12;
    html[start..].split('<').next().unwrap().to_string()
}

async fn reset_password(app: &Server, name: &str, code: &str, password: &str) -> reqwest::Response {
    let form = app
        .client
        .get(format!("http://{}/login/reset", app.addr))
        .send()
        .await
        .unwrap();
    let token = cookie_value(&form, "thanrak_login_csrf").unwrap();
    let csrf = csrf_field(&form.text().await.unwrap());
    app.client
        .post(format!("http://{}/login/reset", app.addr))
        .header("cookie", format!("thanrak_login_csrf={token}"))
        .form(&[
            ("name", name),
            ("code", code),
            ("password", password),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap()
}

async fn can_log_in(app: &Server, name: &str, password: &str) -> bool {
    let form = app
        .client
        .get(format!("http://{}/login", app.addr))
        .send()
        .await
        .unwrap();
    let token = cookie_value(&form, "thanrak_login_csrf").unwrap();
    let csrf = csrf_field(&form.text().await.unwrap());
    let res = app
        .client
        .post(format!("http://{}/login", app.addr))
        .header("cookie", format!("thanrak_login_csrf={token}"))
        .form(&[("name", name), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    res.status() == StatusCode::SEE_OTHER
}

#[tokio::test]
async fn an_admin_manages_accounts_and_resets_a_password_with_a_one_time_code() {
    let app = Server::start().await;
    let admin = app.login("admin").await;
    let (status, html) = app.page("/admin/users", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-user=\"lampang\"") && html.contains("ลำปาง"));
    let csrf = csrf_field(&html);
    // A surveyor of a subdistrict named by its code; a bad area is said in the page.
    let res = post(
        &app,
        &admin,
        "/admin/users",
        &[
            ("csrf", &csrf),
            ("name", "somchai"),
            ("role", "surveyor"),
            ("areas", "99"),
            ("agency", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"problem\""));
    let sub = app.surveyed.to_string();
    let res = post(
        &app,
        &admin,
        "/admin/users",
        &[
            ("csrf", &csrf),
            ("name", "somchai"),
            ("role", "surveyor"),
            ("areas", &sub),
            ("agency", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let first = secret(&res.text().await.unwrap());
    assert!(
        can_log_in(&app, "somchai", &first).await,
        "the first password works"
    );
    // Other areas: a district is not a surveyor's.
    let res = post(
        &app,
        &admin,
        "/admin/users/somchai/scope",
        &[("csrf", &csrf), ("areas", "5201"), ("agency", "")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A reset code, spent once.
    let res = post(
        &app,
        &admin,
        "/admin/users/somchai/reset",
        &[("csrf", &csrf)],
    )
    .await;
    let code = secret(&res.text().await.unwrap());
    assert_eq!(code.len(), 14, "{code}");
    let wrong = reset_password(&app, "somchai", "aaaa-bbbb-cccc", "a new long password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let done = reset_password(&app, "somchai", &code, "a new long password").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(
        !can_log_in(&app, "somchai", &first).await,
        "the old password is gone"
    );
    assert!(can_log_in(&app, "somchai", "a new long password").await);
    let again = reset_password(&app, "somchai", &code, "yet another password").await;
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "a code is spent once"
    );
    // Disabled: no login; enabled: back.
    let res = post(
        &app,
        &admin,
        "/admin/users/somchai/disable",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!can_log_in(&app, "somchai", "a new long password").await);
    let res = post(
        &app,
        &admin,
        "/admin/users/somchai/enable",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(can_log_in(&app, "somchai", "a new long password").await);
    // Only admins.
    let lampang = app.login("lampang").await;
    let (status, _) = app.page("/admin/users", &lampang).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

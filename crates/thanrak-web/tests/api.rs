//! The web application as a client sees it: each test spawns the real app on a free port over a
//! fresh SQLite database holding a small demo population of Lampang (52) and Roi Et (45), with
//! one account per role, and talks to it over HTTP.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use reqwest::header::{HeaderMap, AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use thanrak_app::access::{self};
use thanrak_app::db::Store;
use thanrak_core::{AreaCode, Household, RoundLabel};
use thanrak_web::auth::credentials;

mod common;

use common::{code, csrf_field, start_server, PASSWORD};

const ROUND: &str = "2568-1";

/// A running app and what the tests need to know about its data.
struct TestApp {
    addr: SocketAddr,
    store: Store,
    client: Client,
    /// Household ids of the first round, by province.
    lampang: Vec<String>,
    roi_et: Vec<String>,
    /// The subdistrict of the demo surveyor.
    surveyed: AreaCode,
    _dir: tempfile::TempDir,
}

/// The app over a fresh SQLite database in a temporary directory.
async fn spawn_app() -> TestApp {
    let (store, dir) = common::sqlite_store().await;
    spawn_app_on(store, dir).await
}

/// The app over PostgreSQL in a schema of its own, when `THANRAK_TEST_DATABASE_URL` is set.
async fn spawn_app_on_postgres() -> Option<TestApp> {
    let (store, dir) = common::postgres_store().await?;
    Some(spawn_app_on(store, dir).await)
}

async fn spawn_app_on(store: Store, dir: tempfile::TempDir) -> TestApp {
    let population = common::load_population(&store, false).await;
    let all = common::households(&store, ROUND).await;
    let ids_in = |p: &str| -> Vec<String> {
        all.iter()
            .filter(|h: &&Household| h.village_code.is_within(&code(p)))
            .map(|h| h.household_id.to_string())
            .collect()
    };
    let (lampang, roi_et) = (ids_in("52"), ids_in("45"));
    assert!(lampang.len() > 10 && roi_et.len() > 10);
    TestApp {
        addr: common::start_server(&store).await,
        store,
        client: common::client(),
        lampang,
        roi_et,
        surveyed: population.surveyed,
        _dir: dir,
    }
}

/// The `name=value` pairs a response sets, with their attributes.
fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(headers).iter().find_map(|c| {
        c.split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Session(&'a str),
    Token(&'a str),
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn get(&self, path: &str, auth: Auth<'_>) -> reqwest::Response {
        let req = self.client.get(self.url(path));
        let req = match auth {
            Auth::None => req,
            Auth::Session(s) => req.header(COOKIE, format!("thanrak_session={s}")),
            Auth::Token(t) => req.header(AUTHORIZATION, format!("Bearer {t}")),
        };
        req.send().await.unwrap()
    }

    async fn get_json(&self, path: &str, auth: Auth<'_>) -> (StatusCode, Value) {
        let res = self.get(path, auth).await;
        let status = res.status();
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("application/json"), "{path}: {ct}");
        (status, res.json().await.unwrap())
    }

    /// Posts the login form as a browser would: first GET the form for its token and cookie.
    async fn post_login(&self, name: &str, password: &str) -> reqwest::Response {
        let form = self.get("/login", Auth::None).await;
        let token = cookie_value(form.headers(), "thanrak_login_csrf").unwrap();
        let csrf = csrf_field(&form.text().await.unwrap());
        assert_eq!(token, csrf);
        self.client
            .post(self.url("/login"))
            .header(COOKIE, format!("thanrak_login_csrf={token}"))
            .form(&[("name", name), ("password", password), ("csrf", &csrf)])
            .send()
            .await
            .unwrap()
    }

    /// Logs in and returns the session token.
    async fn login(&self, name: &str) -> String {
        let res = self.post_login(name, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {name}");
        assert_eq!(res.headers()[LOCATION], "/");
        cookie_value(res.headers(), "thanrak_session").expect("a session cookie")
    }

    /// A new API token for a user.
    async fn token(&self, name: &str) -> String {
        let (token, digest) = credentials::new_api_token();
        access::add_api_token(&self.store, name, &digest)
            .await
            .unwrap();
        token
    }

    async fn households(&self, auth: Auth<'_>, query: &str) -> (StatusCode, Value) {
        self.get_json(&format!("/api/v1/rounds/{ROUND}/households{query}"), auth)
            .await
    }

    async fn household(&self, auth: Auth<'_>, id: &str) -> (StatusCode, Value) {
        self.get_json(&format!("/api/v1/rounds/{ROUND}/households/{id}"), auth)
            .await
    }

    /// Every household id a caller can list, page by page.
    async fn all_ids(&self, auth: Auth<'_>, query: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for page in 1.. {
            let sep = if query.is_empty() { "?" } else { "&" };
            let (status, body) = self
                .households(auth, &format!("{query}{sep}page={page}&per_page=37"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let items = body["items"].as_array().unwrap();
            if items.is_empty() {
                break;
            }
            ids.extend(
                items
                    .iter()
                    .map(|h| h["household_id"].as_str().unwrap().to_string()),
            );
        }
        ids
    }
}

fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    let obj = body.as_object().expect("an error is a JSON object");
    let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["code", "message"]), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(!body["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn logging_in_and_out() {
    let app = spawn_app().await;
    // Not logged in: pages go to the login page, the API answers 401.
    let home = app.get("/", Auth::None).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()[LOCATION], "/login");
    let (status, body) = app.get_json("/api/v1/me", Auth::None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");

    let res = app.post_login("Admin", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookies(res.headers())
        .into_iter()
        .find(|c| c.starts_with("thanrak_session="))
        .unwrap();
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("; Path=/;"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let session = cookie_value(res.headers(), "thanrak_session").unwrap();
    assert_eq!(session.len(), 64);

    let (status, me) = app.get_json("/api/v1/me", Auth::Session(&session)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["name"], "admin");
    assert_eq!(me["role"], "admin");
    let home = app.get("/", Auth::Session(&session)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let csp = home.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'self'"));
    let html = home.text().await.unwrap();
    assert!(html.contains("admin"));
    let csrf = csrf_field(&html);

    // Logging out ends the session in the database, not only in the browser.
    let res = app
        .client
        .post(app.url("/logout"))
        .header(COOKIE, format!("thanrak_session={session}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/login");
    let cleared = set_cookies(res.headers()).join("\n");
    assert!(
        cleared.contains("thanrak_session=; Path=/; Max-Age=0"),
        "{cleared}"
    );
    let (status, _) = app.get_json("/api/v1/me", Auth::Session(&session)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let home = app.get("/", Auth::Session(&session)).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cookies_are_secure_over_https() {
    let app = spawn_app().await;
    let form = app.get("/login", Auth::None).await;
    let token = cookie_value(form.headers(), "thanrak_login_csrf").unwrap();
    let res = app
        .client
        .post(app.url("/login"))
        .header(COOKIE, format!("thanrak_login_csrf={token}"))
        .header("x-forwarded-proto", "https")
        .form(&[("name", "admin"), ("password", PASSWORD), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookies(res.headers())
        .into_iter()
        .find(|c| c.starts_with("thanrak_session="))
        .unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_bad_password_or_unknown_name_is_refused_alike() {
    let app = spawn_app().await;
    let wrong = app.post_login("admin", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(wrong.headers(), "thanrak_session").is_none());
    let wrong = wrong.text().await.unwrap();
    let unknown = app.post_login("nobody", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = unknown.text().await.unwrap();
    let message = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง";
    assert!(wrong.contains(message) && unknown.contains(message));
    // The name typed is shown again, escaped.
    let res = app.post_login("\"><script>alert(1)</script>", "x").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)"), "{html}");
    // A disabled user cannot log in either, and its sessions end.
    let session = app.login("lampang").await;
    access::disable_user(&app.store, "lampang").await.unwrap();
    let res = app.post_login("lampang", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = app.get_json("/api/v1/me", Auth::Session(&session)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failures_are_throttled_and_the_count_survives_a_restart() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let res = app.post_login("analyst", "wrong password!").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // The sixth attempt is refused before the password is looked at, even the right one.
    let res = app.post_login("analyst", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Retry-After says when the oldest failure leaves the 15-minute window.
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert!(res.text().await.unwrap().contains("15 นาที"));
    // Another name from the same address is not affected.
    app.login("admin").await;
    // A new server over the same database (a restart) still refuses.
    let restarted = TestApp {
        addr: start_server(&app.store).await,
        ..app
    };
    let res = restarted.post_login("analyst", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let session = app.login("admin").await;
    for fields in [vec![], vec![("csrf", "0".repeat(64))]] {
        let res = app
            .client
            .post(app.url("/logout"))
            .header(COOKIE, format!("thanrak_session={session}"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "csrf_failed");
    }
    // The session was not ended by the forged posts.
    let (status, _) = app.get_json("/api/v1/me", Auth::Session(&session)).await;
    assert_eq!(status, StatusCode::OK);
    // The login form needs its own token: without the cookie, or with another value, no login.
    let form = app.get("/login", Auth::None).await;
    let csrf = csrf_field(&form.text().await.unwrap());
    for cookie in [
        String::new(),
        format!("thanrak_login_csrf={}", "1".repeat(64)),
    ] {
        let res = app
            .client
            .post(app.url("/login"))
            .header(COOKIE, cookie)
            .form(&[("name", "admin"), ("password", PASSWORD), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(cookie_value(res.headers(), "thanrak_session").is_none());
    }
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let app = spawn_app().await;
    let admin = app
        .store
        .accounts()
        .user(&thanrak_core::identity::UserName::parse("admin").unwrap())
        .await
        .unwrap();
    let token = credentials::random_hex();
    let past = chrono::Utc::now() - chrono::Duration::hours(13);
    app.store
        .accounts()
        .create_session(
            admin.id,
            &credentials::digest(&token),
            "csrf",
            past,
            past + chrono::Duration::hours(12),
        )
        .await
        .unwrap();
    let (status, _) = app.get_json("/api/v1/me", Auth::Session(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_tokens_authenticate_scripts() {
    let app = spawn_app().await;
    let token = app.token("lampang").await;
    let (status, me) = app.get_json("/api/v1/me", Auth::Token(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "area_manager");
    assert_eq!(me["areas"], serde_json::json!(["52"]));
    assert_eq!(me["sees_personal_data"], true);
    // A wrong or malformed token is refused, and no cookie can rescue a request naming one.
    let (status, body) = app
        .get_json("/api/v1/me", Auth::Token("thanrak_0000"))
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header(AUTHORIZATION, format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Disabling the user (here as the CLI does, behind the server's back) disables its tokens
    // once the server's memory of them is older than CREDENTIALS_TTL.
    access::disable_user(&app.store, "lampang").await.unwrap();
    tokio::time::sleep(thanrak_web::CREDENTIALS_TTL + std::time::Duration::from_millis(100)).await;
    let (status, _) = app.get_json("/api/v1/me", Auth::Token(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn each_role_sees_what_it_may(app: TestApp) {
    let admin = app.token("admin").await;
    let analyst = app.token("analyst").await;
    let lampang = app.token("lampang").await;
    let surveyor = app.token("surveyor").await;
    let codi = app.token("codi").await;
    let a52 = app.lampang[0].as_str();
    let a45 = app.roi_et[0].as_str();

    // Analysts see aggregates only: every household route is 403.
    let (s, b) = app.households(Auth::Token(&analyst), "").await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (s, b) = app.household(Auth::Token(&analyst), a52).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");

    // The admin sees everyone.
    let ids = app.all_ids(Auth::Token(&admin), "").await;
    assert_eq!(ids.len(), app.lampang.len() + app.roi_et.len());
    assert_eq!(
        app.household(Auth::Token(&admin), a45).await.0,
        StatusCode::OK
    );

    // Lampang's manager lists Lampang only, whatever area it asks for ...
    let mut expected = app.lampang.clone();
    expected.sort();
    assert_eq!(app.all_ids(Auth::Token(&lampang), "").await, expected);
    let (s, b) = app.households(Auth::Token(&lampang), "?area=45").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (b["total"].as_u64(), b["items"].as_array().unwrap().len()),
        (Some(0), 0)
    );
    for h in app.all_ids(Auth::Token(&lampang), "?area=52").await {
        assert!(h.starts_with("HH52"));
    }
    // ... reads a Lampang household, and gets for a Roi Et one exactly what a made-up id gets.
    let (s, b) = app.household(Auth::Token(&lampang), a52).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["household"]["household_id"], a52);
    let (s, guessed) = app.household(Auth::Token(&lampang), a45).await;
    assert_error(s, &guessed, StatusCode::NOT_FOUND, "not_found");
    let (s, made_up) = app.household(Auth::Token(&lampang), "HH459999999").await;
    assert_error(s, &made_up, StatusCode::NOT_FOUND, "not_found");
    let strip = |v: &Value, id: &str| v["message"].as_str().unwrap().replace(id, "ID");
    assert_eq!(strip(&guessed, a45), strip(&made_up, "HH459999999"));
    // Same in the second round.
    let (s, _) = app
        .get_json(
            &format!("/api/v1/rounds/2569-1/households/{a45}"),
            Auth::Token(&lampang),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The surveyor sees its subdistrict only.
    let mine = app.all_ids(Auth::Token(&surveyor), "").await;
    assert!(!mine.is_empty() && mine.len() < app.lampang.len());
    let (_, page) = app
        .households(Auth::Token(&surveyor), "?per_page=500")
        .await;
    for h in page["items"].as_array().unwrap() {
        let village = AreaCode::parse(h["village_code"].as_str().unwrap()).unwrap();
        assert_eq!(village.parent(), Some(app.surveyed));
    }
    let outside = app.lampang.iter().find(|id| !mine.contains(id)).unwrap();
    assert_eq!(
        app.household(Auth::Token(&surveyor), outside).await.0,
        StatusCode::NOT_FOUND
    );

    // The agency officer sees no household until referrals exist.
    let (s, b) = app.households(Auth::Token(&codi), "").await;
    assert_eq!((s, b["total"].as_u64()), (StatusCode::OK, Some(0)));
    assert_eq!(
        app.household(Auth::Token(&codi), a52).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn personal_data_is_masked_unless_the_role_needs_it(app: TestApp) {
    let surveyor = app.token("surveyor").await;
    let (_, page) = app.households(Auth::Token(&surveyor), "").await;
    let id = page["items"][0]["household_id"]
        .as_str()
        .unwrap()
        .to_string();

    for (name, masked) in [("admin", false), ("lampang", false), ("surveyor", true)] {
        let token = app.token(name).await;
        let (status, d) = app.household(Auth::Token(&token), &id).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        let h = &d["household"];
        assert_eq!(h["masked"], masked, "{name}");
        let members = d["members"].as_array().unwrap();
        assert!(!members.is_empty());
        let with_id: Vec<&Value> = members
            .iter()
            .filter(|m| !m["national_id"].is_null())
            .collect();
        assert!(
            !with_id.is_empty(),
            "the demo gives most members a national id"
        );
        if masked {
            assert!(h["location"].is_null());
            assert_eq!(h["house_no"], "***");
            assert!(h["head_name"].as_str().unwrap().ends_with("***"));
            for m in members {
                let first = m["first_name"].as_str().unwrap();
                assert!(
                    first.ends_with("***") && first.chars().count() == 4,
                    "{first}"
                );
                assert!(m["last_name"].is_null());
                assert!(m["birth_date"].is_null());
            }
            for m in with_id {
                let nid = m["national_id"].as_str().unwrap();
                assert!(nid.starts_with("x-xxxx-xxxxx-"), "{nid}");
            }
        } else {
            assert!(!h["location"].is_null(), "{name}");
            assert!(!h["head_name"].as_str().unwrap().contains("***"));
            for m in members {
                assert!(!m["first_name"].as_str().unwrap().contains("***"));
            }
            for m in with_id {
                let nid = m["national_id"].as_str().unwrap();
                assert_eq!(nid.len(), 13, "{nid}");
                assert!(nid.bytes().all(|b| b.is_ascii_digit()));
            }
        }
        // Lists mask the same way.
        let (_, list) = app.households(Auth::Token(&token), "?per_page=5").await;
        for item in list["items"].as_array().unwrap() {
            assert_eq!(item["masked"], masked, "{name}");
        }
    }
}

async fn unmasked_views_are_written_to_the_audit_log(app: TestApp) {
    let admin = app.token("admin").await;
    let lampang = app.token("lampang").await;
    let surveyor = app.token("surveyor").await;
    let analyst = app.token("analyst").await;
    let (s, log) = app.get_json("/api/v1/audit", Auth::Token(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(log["total"], 0);

    // Masked views, refused views and empty lists are not personal data shown.
    let (_, page) = app.households(Auth::Token(&surveyor), "").await;
    let seen_by_surveyor = page["items"][0]["household_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.household(Auth::Token(&surveyor), &seen_by_surveyor)
        .await;
    app.households(Auth::Token(&analyst), "").await;
    app.household(Auth::Token(&lampang), &app.roi_et[0]).await;
    app.households(Auth::Token(&lampang), "?area=45").await;
    assert_eq!(
        app.get_json("/api/v1/audit", Auth::Token(&admin)).await.1["total"],
        0
    );

    // Lampang's manager reads one household, then a page of three.
    let id = &app.lampang[1];
    assert_eq!(
        app.household(Auth::Token(&lampang), id).await.0,
        StatusCode::OK
    );
    let (_, page) = app
        .households(Auth::Token(&lampang), "?per_page=3&area=52")
        .await;
    let listed: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_str().unwrap())
        .collect();

    let (_, log) = app.get_json("/api/v1/audit", Auth::Token(&admin)).await;
    assert_eq!(log["total"], 2);
    let newest = &log["items"][0];
    assert_eq!(newest["user_name"], "lampang");
    assert_eq!(newest["round"], ROUND);
    assert_eq!(
        newest["action"],
        format!("GET /api/v1/rounds/{ROUND}/households?per_page=3&area=52")
    );
    assert_eq!(newest["household_ids"], serde_json::json!(listed));
    let older = &log["items"][1];
    assert_eq!(
        older["action"],
        format!("GET /api/v1/rounds/{ROUND}/households/{id}")
    );
    assert_eq!(older["household_ids"], serde_json::json!([id]));
    assert!(chrono::DateTime::parse_from_rfc3339(older["at"].as_str().unwrap()).is_ok());

    // Only admins read the log, and it is paged like every list.
    let (s, b) = app.get_json("/api/v1/audit", Auth::Token(&lampang)).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (_, one) = app
        .get_json("/api/v1/audit?per_page=1&page=2", Auth::Token(&admin))
        .await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0]["id"], older["id"]);
}

#[tokio::test]
async fn lists_are_paged_within_bounds() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    for bad in [
        "?per_page=501",
        "?per_page=0",
        "?page=0",
        "?page=x",
        "?per_page=-1",
    ] {
        let (s, b) = app.households(Auth::Token(&admin), bad).await;
        assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_request");
        let (s, b) = app
            .get_json(&format!("/api/v1/areas{bad}"), Auth::Token(&admin))
            .await;
        assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let total = app.lampang.len() + app.roi_et.len();
    let (s, b) = app.households(Auth::Token(&admin), "?per_page=500").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (b["page"].as_u64(), b["per_page"].as_u64()),
        (Some(1), Some(500))
    );
    assert_eq!(b["total"].as_u64(), Some(total as u64));
    assert_eq!(b["items"].as_array().unwrap().len(), total);
    let (_, d) = app.households(Auth::Token(&admin), "").await;
    assert_eq!(d["per_page"], 50);
    assert_eq!(d["items"].as_array().unwrap().len(), 50);
    // Pages cover the list once, in order; past the end a page is empty.
    let paged = app.all_ids(Auth::Token(&admin), "").await;
    let whole: Vec<&str> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_str().unwrap())
        .collect();
    assert_eq!(paged, whole);
    let (s, past) = app.households(Auth::Token(&admin), "?page=999").await;
    assert_eq!(s, StatusCode::OK);
    assert!(past["items"].as_array().unwrap().is_empty());
    assert_eq!(past["total"].as_u64(), Some(total as u64));
}

#[tokio::test]
async fn areas_and_rounds() {
    let app = spawn_app().await;
    let t = app.token("analyst").await;
    let auth = Auth::Token(&t);
    let (s, p) = app.get_json("/api/v1/areas", auth).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (p["total"].as_u64(), p["items"].as_array().unwrap().len()),
        (Some(77), 50)
    );
    let (_, p) = app
        .get_json("/api/v1/areas?parent=52&per_page=100", auth)
        .await;
    assert_eq!(p["total"], 13);
    assert!(p["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["parent"] == "52" && a["level"] == "district"));
    let (s, a) = app.get_json("/api/v1/areas/52", auth).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (a["name_th"].as_str(), a["name_en"].as_str()),
        (Some("ลำปาง"), Some("Lampang"))
    );
    // A well-formed code of no area is not found, said with the value; a malformed one is the
    // caller's mistake.
    let (s, b) = app.get_json("/api/v1/areas/99", auth).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    assert!(b["message"].as_str().unwrap().contains("99"));
    let (s, b) = app.get_json("/api/v1/areas?parent=99", auth).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = app.get_json("/api/v1/areas/5x", auth).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_request");
    // The picker's search: names holding the text, best first, with where each lies.
    let (s, p) = app
        .get_json(
            "/api/v1/areas?q=%E0%B8%A5%E0%B8%B3%E0%B8%9B%E0%B8%B2%E0%B8%87",
            auth,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["items"][0]["code"], "52");
    assert!(p["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["code"] == "5201" && a["within_th"] == "จ.ลำปาง"));
    // `mine`: only the areas that concern the caller's own.
    let lampang = app.token("lampang").await;
    let mine = Auth::Token(&lampang);
    let (_, p) = app.get_json("/api/v1/areas?mine=true", mine).await;
    let codes: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["52"]);
    let (_, p) = app
        .get_json(
            "/api/v1/areas?mine=true&q=%E0%B9%80%E0%B8%A1%E0%B8%B7%E0%B8%AD%E0%B8%87",
            mine,
        )
        .await;
    let items = p["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|a| a["code"].as_str().unwrap().starts_with("52")));
    let (_, p) = app
        .get_json("/api/v1/areas?mine=true&parent=52&per_page=100", mine)
        .await;
    assert_eq!(p["total"], 13);
    let (s, r) = app.get_json("/api/v1/rounds", auth).await;
    assert_eq!(s, StatusCode::OK);
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2568-1", "2569-1"]);
    assert_eq!(r["items"][0]["households"].as_u64(), Some(160));
}

#[tokio::test]
async fn errors_are_json_with_a_stable_code() {
    let app = spawn_app().await;
    let t = app.token("admin").await;
    let auth = Auth::Token(&t);
    let (s, b) = app.get_json("/api/v1/no-such-route", auth).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = app.get_json("/no-such-page", Auth::None).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = app.get_json("/api/v1/rounds/2500-1/households", auth).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = app
        .get_json("/api/v1/rounds/bad%20round/households", auth)
        .await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_request");
    let (s, b) = app.households(auth, "?area=5").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_request");
    let (s, b) = app.household(auth, "not%20an%20id").await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    // An id that cannot exist gets the words of one that does not.
    let (_, unknown) = app.household(auth, "HH009999999").await;
    let words = |v: &Value, id: &str| v["message"].as_str().unwrap().replace(id, "ID");
    assert_eq!(words(&b, "not an id"), words(&unknown, "HH009999999"));
    // Responses that may hold personal data are not cached.
    let res = app.get("/api/v1/me", auth).await;
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    assert_eq!(res.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn the_openapi_document_lists_the_routes() {
    let app = spawn_app().await;
    let res = app.get("/api/openapi.json", Auth::None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for p in [
        "/api/v1/areas",
        "/api/v1/areas/{code}",
        "/api/v1/rounds",
        "/api/v1/rounds/{round}/households",
        "/api/v1/rounds/{round}/households/{id}",
        "/api/v1/audit",
        "/api/v1/me",
    ] {
        assert!(paths.contains(p), "{p} is missing from {paths:?}");
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["name"], "thanrak_session");
    for schema in ["ErrorBody", "HouseholdDto", "MemberDto", "AreaDto"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/rounds/{round}/households"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["round", "area", "page", "per_page"]);
    // Every operation says what else it may answer, with the error body.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for code in ["400", "401", "404", "422"] {
                assert!(
                    op["responses"][code].is_object(),
                    "{method} {path} does not list {code}"
                );
            }
        }
    }
    // Values are constrained by name, enumerations come from the domain's lists.
    let param = |path: &str, name: &str| -> Value {
        let ps = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        ps.iter().find(|p| p["name"] == name).unwrap()["schema"].clone()
    };
    let area = param("/api/v1/rounds/{round}/households", "area");
    assert_eq!(
        area["pattern"],
        "^([0-9]{2}([0-9]{2}([0-9]{2}(0[1-9]|[1-9][0-9])?)?)?)?$"
    );
    let round = &doc["paths"]["/api/v1/rounds/{round}/households"]["get"]["parameters"][0];
    assert_eq!(round["schema"]["pattern"], "^[\\w.-]{1,32}$");
    let states = param("/api/v1/cases", "state");
    for s in thanrak_core::case::CaseState::CODES {
        assert!(
            states["enum"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(s)),
            "{s}"
        );
    }
    // A page past the document's maximum is refused; an empty value is none.
    let page = &param("/api/v1/audit", "page")["anyOf"][0];
    assert_eq!(page["maximum"], 1_000_000);
    let t = app.token("admin").await;
    let (s, _) = app
        .get_json("/api/v1/audit?page=1000001", Auth::Token(&t))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app.get_json("/api/v1/audit?page=", Auth::Token(&t)).await;
    assert_eq!(s, StatusCode::OK);
    // A body that is not an object is refused; a whole number written 1.0 is read.
    let res = app
        .client
        .put(format!("http://{}/api/v1/model-areas/520101", app.addr))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("[null, null]")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// URLs in a text that point anywhere but this machine.
fn external_urls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        for (i, _) in text.match_indices(scheme) {
            let rest = &text[i + scheme.len()..];
            if !(rest.starts_with("localhost") || rest.starts_with("127.0.0.1")) {
                out.push(text[i..].chars().take(60).collect());
            }
        }
    }
    out
}

#[tokio::test]
async fn the_api_docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.get("/api/docs", Auth::None).await;
    assert!(res.status().is_redirection());
    assert_eq!(res.headers()[LOCATION], "/api/docs/");
    let res = app.get("/api/docs/", Auth::None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"));
    assert_eq!(external_urls(&html), Vec::<String>::new());
    // Every script and stylesheet the page loads comes from here.
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            assets.push(part.split('"').next().unwrap().to_string());
        }
    }
    assert!(assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")));
    for asset in &assets {
        let path = format!("/api/docs/{}", asset.trim_start_matches("./"));
        let res = app.get(&path, Auth::None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let init = app
        .get("/api/docs/swagger-initializer.js", Auth::None)
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"));
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    assert_eq!(external_urls(&init), Vec::<String>::new());
}

#[tokio::test]
async fn pages_are_thai_with_an_english_switch() {
    let app = spawn_app().await;
    let th = app.get("/login", Auth::None).await;
    assert!(th.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let th = th.text().await.unwrap();
    assert!(th.contains("<html lang=\"th\">") && th.contains("เข้าสู่ระบบ"));
    let en = app.get("/login?lang=en", Auth::None).await;
    let lang = cookie_value(en.headers(), "thanrak_lang");
    assert_eq!(lang.as_deref(), Some("en"));
    let en = en.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Log in"));
    // The choice is remembered by its cookie.
    let again = app
        .client
        .get(app.url("/login"))
        .header(COOKIE, "thanrak_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("User name"));
    // The home page shows the user's areas and the session's end in Buddhist Era.
    let session = app.login("lampang").await;
    let home = app
        .get("/", Auth::Session(&session))
        .await
        .text()
        .await
        .unwrap();
    assert!(home.contains("ลำปาง") && home.contains("ผู้จัดการพื้นที่"));
    let ends = chrono::Utc::now() + chrono::Duration::hours(12);
    let year_be = ends.format("%Y").to_string().parse::<i32>().unwrap() + 543;
    assert!(home.contains(&year_be.to_string()));
}

/// Exports: whole files in the import format for roles that see personal data, inside their
/// areas, audited; refused to the others.
async fn exports_stay_inside_the_areas_and_are_audited(app: TestApp) {
    let admin = app.token("admin").await;
    let lampang = app.token("lampang").await;
    let export = |auth: String, query: &'static str| {
        let app = &app;
        async move {
            let res = app
                .get(
                    &format!("/api/v1/rounds/{ROUND}/export{query}"),
                    Auth::Token(&auth),
                )
                .await;
            let status = res.status();
            let headers = res.headers().clone();
            (status, headers, res.bytes().await.unwrap().to_vec())
        }
    };
    let ids_of = |csv: &[u8]| -> BTreeSet<String> {
        let text = std::str::from_utf8(csv).unwrap();
        text.lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    // The admin's file is the CLI's export of the round, byte for byte.
    let dir = tempfile::tempdir().unwrap();
    thanrak_app::export_round(
        &app.store,
        &RoundLabel::parse(ROUND).unwrap(),
        dir.path(),
        thanrak_app::ExportFormat::Csv,
    )
    .await
    .unwrap();
    let (status, headers, body) = export(admin.clone(), "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"households-{ROUND}.csv\"")
    );
    assert_eq!(
        body,
        std::fs::read(dir.path().join("households.csv")).unwrap()
    );
    let (_, _, members) = export(admin.clone(), "?table=members").await;
    assert_eq!(
        members,
        std::fs::read(dir.path().join("members.csv")).unwrap()
    );
    let (status, headers, xlsx) = export(admin.clone(), "?format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    assert_eq!(&xlsx[..2], b"PK");

    // Lampang's manager gets Lampang only, whatever it asks for.
    let mine: BTreeSet<String> = app.lampang.iter().cloned().collect();
    let (status, _, body) = export(lampang.clone(), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids_of(&body), mine);
    let (_, _, body) = export(lampang.clone(), "?table=members").await;
    let member_households = ids_of(&body);
    assert!(!member_households.is_empty() && member_households.is_subset(&mine));
    let (status, _, body) = export(lampang.clone(), "?area=45").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids_of(&body).is_empty());

    // Masked roles may not download personal data; bad arguments are refused.
    for name in ["surveyor", "analyst", "codi"] {
        let token = app.token(name).await;
        let (status, _, _) = export(token, "").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}");
    }
    for query in ["?format=pdf", "?table=scores", "?area=5x"] {
        let (status, _, _) = export(admin.clone(), query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }
    let res = app
        .get("/api/v1/rounds/2500-1/export", Auth::Token(&admin))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Every export is in the audit log with the households it held.
    let (_, log) = app
        .get_json("/api/v1/audit?per_page=500", Auth::Token(&admin))
        .await;
    let lines = log["items"].as_array().unwrap();
    let by_lampang: Vec<&Value> = lines
        .iter()
        .filter(|l| l["user_name"] == "lampang")
        .collect();
    assert_eq!(by_lampang.len(), 3, "{log}");
    let exported: BTreeSet<String> = by_lampang
        .iter()
        .find(|l| l["action"].as_str().unwrap().ends_with("/export"))
        .unwrap()["household_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(exported, mine);
}

/// The checks of who sees what, run on SQLite and, when `THANRAK_TEST_DATABASE_URL` is set, on
/// PostgreSQL too: the area filter is SQL, so each backend must prove it.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::spawn_app().await).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(app) = super::spawn_app_on_postgres().await else {
                    eprintln!("THANRAK_TEST_DATABASE_URL is not set: PostgreSQL half skipped");
                    return;
                };
                super::$name(app).await;
            })+
        }
    };
}

on_both_backends!(
    each_role_sees_what_it_may,
    personal_data_is_masked_unless_the_role_needs_it,
    unmasked_views_are_written_to_the_audit_log,
    exports_stay_inside_the_areas_and_are_audited,
);

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let responses = [
        ("a page", app.get("/login", Auth::None).await),
        (
            "an API answer",
            app.get("/api/v1/me", Auth::Token(&token)).await,
        ),
        ("the API viewer", app.get("/api/docs/", Auth::None).await),
        ("an error", app.get("/api/v1/me", Auth::None).await),
        (
            "a missing route",
            app.get("/no/such/page", Auth::None).await,
        ),
    ];
    let statuses: Vec<u16> = responses.iter().map(|(_, r)| r.status().as_u16()).collect();
    assert_eq!(statuses, [200, 200, 200, 401, 404]);
    for (what, res) in &responses {
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self';",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{what}: {csp}");
        }
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["referrer-policy"], "same-origin", "{what}");
        // Plain HTTP: no HSTS (a browser would ignore it, and it would be wrong to promise).
        assert!(!h.contains_key("strict-transport-security"), "{what}");
    }
    // The viewer's page still loads its own scripts and styles under that policy.
    let html = app
        .get("/api/docs/", Auth::None)
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"), "no inline script in the viewer");
    // Behind an HTTPS proxy, HSTS is sent.
    let res = app
        .client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn admins_list_and_revoke_api_tokens_through_the_api() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let first = app.token("lampang").await;
    let second = app.token("lampang").await;
    let (status, body) = app.get_json("/api/v1/tokens", Auth::Token(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items[1]["user_name"], "lampang");
    assert!(items[1]["created_at"].is_string());
    assert!(!body.to_string().contains(&first[8..]), "never the token");
    let first_id = items[1]["id"].as_i64().unwrap();
    // Not for other roles.
    let (status, body) = app.get_json("/api/v1/tokens", Auth::Token(&first)).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let delete = |id: i64, token: &str| {
        app.client
            .delete(app.url(&format!("/api/v1/tokens/{id}")))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
    };
    assert_eq!(
        delete(first_id, &first).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // The server remembers the token (it was just used); revoking it through the server makes
    // it refused at once, while the other token of the same user goes on working.
    assert_eq!(
        app.get_json("/api/v1/me", Auth::Token(&first)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        delete(first_id, &admin).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = app.get_json("/api/v1/me", Auth::Token(&first)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(
        app.get_json("/api/v1/me", Auth::Token(&second)).await.0,
        StatusCode::OK
    );
    let res = delete(first_id, &admin).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_failed_workbook_export_shows_no_path_of_the_server() {
    let app = spawn_app().await;
    // A name longer than an XLSX cell holds, stored behind the importer's back (imports now
    // refuse it) as data written before the limit would be.
    let round = thanrak_core::RoundLabel::parse(ROUND).unwrap();
    let households = common::households(&app.store, ROUND).await;
    let first = households[..1].to_vec();
    let mut members = app
        .store
        .registry()
        .scoped_round_members(&thanrak_core::identity::Scope::All, None, &round)
        .await
        .unwrap();
    members.retain(|m| m.household_id == first[0].household_id);
    members[0].first_name = "ก".repeat(40_000);
    app.store
        .registry()
        .import(&first, &members, "test", &mut |_, _| {})
        .await
        .unwrap();
    let token = app.token("admin").await;
    let (status, body) = app
        .get_json(
            &format!("/api/v1/rounds/{ROUND}/export?format=xlsx"),
            Auth::Token(&token),
        )
        .await;
    assert_error(status, &body, StatusCode::INTERNAL_SERVER_ERROR, "internal");
    let text = body.to_string();
    for leak in ["/", "tmp", ".xlsx", "cannot write"] {
        assert!(!text.contains(leak), "{leak}: {text}");
    }
}

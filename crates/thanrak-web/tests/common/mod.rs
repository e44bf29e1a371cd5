//! What the web test files share: stores (SQLite in a temporary directory, PostgreSQL in a schema
//! of its own), the small demo population with one account per role, and the real app on a free
//! port. Each test file uses part of it.

#![allow(dead_code)]

use std::future::pending;
use std::net::SocketAddr;
use std::sync::OnceLock;

use reqwest::Client;
use thanrak_app::access::{self, UserRequest};
use thanrak_app::db::Store;
use thanrak_app::scoring;
use thanrak_core::identity::Scope;
use thanrak_core::{AreaCode, Household, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_web::auth::credentials;
use thanrak_web::{AppState, WebConfig};

/// Every test account's password.
pub const PASSWORD: &str = "a long test password";

/// The argon2 hash of [`PASSWORD`], computed once: every test account shares it.
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| credentials::hash_password(PASSWORD).unwrap())
}

pub fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

/// A fresh SQLite store in a temporary directory (kept alive by the returned directory).
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    (Store::connect(&url).await.unwrap(), dir)
}

/// A fresh PostgreSQL store in a schema of its own (`w_…`), when `THANRAK_TEST_DATABASE_URL` is
/// set.
pub async fn postgres_store() -> Option<(Store, tempfile::TempDir)> {
    let store = thanrak_app::db::testing::postgres_store("w").await?;
    Some((store, tempfile::tempdir().unwrap()))
}

/// What the tests need to know of the demo population.
pub struct Population {
    /// The rounds, oldest first.
    pub rounds: Vec<String>,
    /// The subdistrict of the demo surveyor (that of the first household of Lampang).
    pub surveyed: AreaCode,
}

/// Loads 160 demo households a round in Lampang (52) and Roi Et (45), scores every round when
/// `scored`, and adds one account per role, all with [`PASSWORD`]: admin, analyst, lampang (area
/// manager of 52), surveyor (of [`Population::surveyed`]) and codi (agency officer).
pub async fn load_population(store: &Store, scored: bool) -> Population {
    let config = DemoConfig {
        households: 160,
        seed: 11,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let mut rounds: Vec<String> = thanrak_app::rounds(store)
        .await
        .unwrap()
        .iter()
        .map(|r| r.label.to_string())
        .collect();
    rounds.sort();
    if scored {
        let m = scoring::load_methodology(None).unwrap();
        for r in &rounds {
            let r = RoundLabel::parse(r).unwrap();
            scoring::score_round(store, &r, &m, &mut |_, _, _| {})
                .await
                .unwrap();
        }
    }
    let surveyed = households(store, &rounds[0])
        .await
        .iter()
        .find(|h| h.village_code.is_within(&code("52")))
        .unwrap()
        .village_code
        .parent()
        .unwrap();
    for (name, role, areas, agency) in [
        ("admin", "admin", vec![], None),
        ("analyst", "analyst", vec![], None),
        ("lampang", "area_manager", vec!["52".to_string()], None),
        ("surveyor", "surveyor", vec![surveyed.to_string()], None),
        ("codi", "agency_officer", vec![], Some("codi".to_string())),
    ] {
        let spec = access::check_user(&UserRequest {
            name: name.into(),
            role: role.into(),
            areas,
            agency,
        })
        .unwrap();
        access::add_user(store, spec, password_hash().to_string())
            .await
            .unwrap();
    }
    Population { rounds, surveyed }
}

/// Every household of `round`, in the store's list order.
pub async fn households(store: &Store, round: &str) -> Vec<Household> {
    let round = RoundLabel::parse(round).unwrap();
    store
        .registry()
        .scoped_households(&Scope::All, &round, None, 0, 100_000)
        .await
        .unwrap()
        .0
}

/// Starts the app over `store` on a free port; it lives as long as the test's runtime.
pub async fn start_server(store: &Store) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(store.clone(), WebConfig::default());
    tokio::spawn(thanrak_web::serve(listener, state, pending()));
    addr
}

/// An HTTP client that does not follow redirects, so tests see them.
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the hidden `csrf` field of a page.
pub fn csrf_field(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..].split('"').next().unwrap().to_string()
}

/// A `multipart/form-data` body of files (parts named `files`), with the form's CSRF field
/// first when given: (content type, body).
pub fn multipart(csrf: Option<&str>, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----thanrak-test-boundary";
    let mut body = Vec::new();
    if let Some(c) = csrf {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The app serving a fresh SQLite store with the scored demo population.
pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    pub client: Client,
    /// The scored rounds, oldest first.
    pub rounds: Vec<String>,
    /// The subdistrict of the demo surveyor.
    pub surveyed: AreaCode,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the app over the scored demo population.
    pub async fn start() -> Server {
        let (store, dir) = sqlite_store().await;
        let population = load_population(&store, true).await;
        Server {
            addr: start_server(&store).await,
            store,
            client: client(),
            rounds: population.rounds,
            surveyed: population.surveyed,
            _dir: dir,
        }
    }
}

/// The value of cookie `name` that a response sets.
pub fn cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .find_map(|v| {
            let v = v.to_str().ok()?;
            let (k, rest) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| rest.to_string())
        })
}

/// Logs `name` in through the login form at `addr`; returns the session cookie's value.
pub async fn login(client: &Client, addr: SocketAddr, name: &str) -> String {
    use reqwest::header::{COOKIE, LOCATION};
    let form = client
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .unwrap();
    let token = cookie_value(&form, "thanrak_login_csrf").unwrap();
    let csrf = csrf_field(&form.text().await.unwrap());
    let res = client
        .post(format!("http://{addr}/login"))
        .header(COOKIE, format!("thanrak_login_csrf={token}"))
        .form(&[("name", name), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        reqwest::StatusCode::SEE_OTHER,
        "login of {name}"
    );
    assert_eq!(res.headers()[LOCATION], "/");
    cookie_value(&res, "thanrak_session").unwrap()
}

impl Server {
    /// A session of `name` (logged in through the form).
    pub async fn login(&self, name: &str) -> String {
        login(&self.client, self.addr, name).await
    }

    /// GET `path` with a session: status and body.
    pub async fn page(&self, path: &str, session: &str) -> (reqwest::StatusCode, String) {
        let res = self
            .client
            .get(format!("http://{}{path}", self.addr))
            .header(
                reqwest::header::COOKIE,
                format!("thanrak_session={session}"),
            )
            // As a browser asks for a page.
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

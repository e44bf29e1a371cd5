//! The map: the boundaries API (stored, illustrative and fallback boundaries) and the `/map`
//! page with its static files, on the real app over a fresh SQLite database.

use reqwest::header::{AUTHORIZATION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use thanrak_app::access::{self, UserRequest};
use thanrak_core::AreaCode;
use thanrak_demo::DemoConfig;
use thanrak_web::auth::credentials;

mod common;

struct TestApp {
    base: String,
    client: Client,
    /// API token and session token of each user, by name.
    tokens: Vec<(&'static str, String, String)>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    fn tokens(&self, name: &str) -> (&str, &str) {
        let (_, api, session) = self.tokens.iter().find(|(n, _, _)| *n == name).unwrap();
        (api, session)
    }

    async fn api(&self, name: &str, path: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header(AUTHORIZATION, format!("Bearer {}", self.tokens(name).0))
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn page(&self, name: &str, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header(
                COOKIE,
                format!(
                    "{}={}",
                    thanrak_web::auth::SESSION_COOKIE,
                    self.tokens(name).1
                ),
            )
            .send()
            .await
            .unwrap()
    }
}

async fn spawn_app() -> TestApp {
    let (store, dir) = common::sqlite_store().await;
    let config = DemoConfig {
        households: 300,
        seed: 3,
        ..DemoConfig::default()
    };
    let loaded = thanrak_app::load_demo(&store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let m = thanrak_app::scoring::load_methodology(None).unwrap();
    for r in loaded.rounds.iter().flat_map(|s| s.rounds.iter()) {
        thanrak_app::scoring::score_round(&store, r, &m, &mut |_, _, _| {})
            .await
            .unwrap();
    }
    thanrak_app::boundaries::load_demo_boundaries(&store, &config.provinces)
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for (name, role, areas) in [
        ("admin", "admin", vec![]),
        ("analyst", "analyst", vec![]),
        ("lampang", "area_manager", vec!["52".to_string()]),
    ] {
        let spec = access::check_user(&UserRequest {
            name: name.into(),
            role: role.into(),
            areas,
            agency: None,
        })
        .unwrap();
        let user = access::add_user(&store, spec, common::password_hash().to_string())
            .await
            .unwrap();
        let (api, digest) = credentials::new_api_token();
        access::add_api_token(&store, name, &digest).await.unwrap();
        let session = credentials::random_hex();
        let now = chrono::Utc::now();
        store
            .accounts()
            .create_session(
                user.id,
                &credentials::digest(&session),
                &credentials::random_hex(),
                now,
                now + chrono::Duration::hours(1),
            )
            .await
            .unwrap();
        tokens.push((name, api, session));
    }
    let addr = common::start_server(&store).await;
    TestApp {
        base: format!("http://{addr}"),
        client: common::client(),
        tokens,
        _dir: dir,
    }
}

fn codes(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn boundaries_come_as_geojson_with_their_flags() {
    let app = spawn_app().await;
    let (status, fc) = app
        .api("admin", "/api/v1/boundaries?level=district&parent=52")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fc["type"], "FeatureCollection");
    let got = codes(&fc);
    assert_eq!(got.len(), 13);
    assert!(got.iter().all(|c| c.starts_with("52") && c.len() == 4));
    let f = &fc["features"][0];
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["geometry"]["type"], "Polygon");
    assert_eq!(f["properties"]["illustrative"], true);
    assert_eq!(f["properties"]["fallback"], false);
    assert_eq!(f["properties"]["name_th"], "เมืองลำปาง");

    let (_, provinces) = app.api("admin", "/api/v1/boundaries").await;
    assert_eq!(codes(&provinces), vec!["45", "52"]);

    // Bangkok's districts have no boundaries: a grid of all of them, marked as such.
    let (status, grid) = app
        .api("admin", "/api/v1/boundaries?level=district&parent=10")
        .await;
    assert_eq!(status, StatusCode::OK);
    let features = grid["features"].as_array().unwrap();
    assert_eq!(features.len(), 50);
    assert!(features
        .iter()
        .all(|f| f["properties"]["fallback"] == true && f["properties"]["illustrative"] == false));

    for (path, want) in [
        ("/api/v1/boundaries?level=province&parent=52", 422),
        ("/api/v1/boundaries?level=county", 400),
        ("/api/v1/boundaries?level=district&parent=99", 404),
    ] {
        let (status, body) = app.api("admin", path).await;
        assert_eq!(status.as_u16(), want, "{path}: {body}");
        assert!(body["code"].is_string());
    }
    let anonymous = app
        .client
        .get(format!("{}/api/v1/boundaries", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/boundaries"]["get"].is_object());
}

#[tokio::test]
async fn the_map_page_is_scoped_and_loads_only_local_files() {
    let app = spawn_app().await;
    let res = app.page("admin", "/map").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    // Scripts from this site only: no inline script, no eval.
    assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self';"));
    let html = res.text().await.unwrap();
    assert!(html.contains("data-map=") && html.contains("/assets/map.js"));
    assert!(html.contains("ขอบเขตสมมติเพื่อการสาธิต") && html.contains("illustrative boundaries"));
    // Every script is a file of this site: nothing inline for the CSP to refuse.
    for tag in html.split("<script").skip(1) {
        assert!(tag.trim_start().starts_with("src=\"/assets/"), "{tag}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));

    // The area manager of Lampang: its districts; Roi Et is not found.
    let html = app.page("lampang", "/map").await.text().await.unwrap();
    assert!(html.contains("data-code=\"5201\""));
    assert!(!html.contains("data-code=\"45"));
    assert_eq!(
        app.page("lampang", "/map?area=45").await.status(),
        StatusCode::NOT_FOUND
    );

    // An analyst sees villages of fewer than 5 households withheld, their count as a dash.
    let sub = AreaCode::parse("520101").unwrap();
    let html = app
        .page("analyst", &format!("/map?area={sub}&figure=m0"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("ไม่แสดง (คุ้มครองข้อมูลส่วนบุคคล)") || !html.contains("data-code=\"520101"));

    let bad = app.page("admin", "/map?figure=nope").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let anonymous = app
        .client
        .get(format!("{}/map", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    for (path, ty) in [
        ("/assets/map.js", "text/javascript"),
        ("/assets/area-picker.js", "text/javascript"),
        ("/assets/leaflet/leaflet.js", "text/javascript"),
        ("/assets/leaflet/leaflet.css", "text/css"),
        ("/assets/leaflet/images/layers.png", "image/png"),
        ("/assets/leaflet/LICENSE", "text/plain"),
    ] {
        let res = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(ty));
    }
    let missing = app
        .client
        .get(format!("{}/assets/leaflet/images/nope.png", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// The legend's classes of a map page: label and count of areas.
fn legend(html: &str) -> Vec<(String, u64)> {
    html.split("<tr class=\"legend-class\">")
        .skip(1)
        .map(|row| {
            let label = row
                .split("</i>")
                .nth(1)
                .unwrap()
                .split("</td>")
                .next()
                .unwrap();
            let count = row.split("<td class=\"num\">").nth(1).unwrap();
            let count: u64 = count.split_whitespace().next().unwrap().parse().unwrap();
            (label.trim().to_string(), count)
        })
        .collect()
}

#[tokio::test]
async fn the_maps_classes_are_fixed_unless_the_reader_chooses() {
    let app = spawn_app().await;
    let rows = |html: &str| html.matches("<tr data-code=").count() as u64;
    // Fixed breaks by default: the same five classes whatever the values shown, so that one
    // colour is one value on every map; every area counted in one class.
    let html = app
        .page("admin", "/map?area=52")
        .await
        .text()
        .await
        .unwrap();
    let fixed = legend(&html);
    let labels: Vec<&str> = fixed.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "0.0% – &lt; 5.0%",
            "5.0% – &lt; 10.0%",
            "10.0% – &lt; 20.0%",
            "20.0% – &lt; 40.0%",
            "40.0% – 100.0%"
        ]
    );
    assert_eq!(fixed.iter().map(|(_, n)| n).sum::<u64>(), rows(&html));
    // Quantiles on request: classes of about as many areas, none empty, the choice kept when
    // drilling down.
    let html = app
        .page("admin", "/map?area=52&classing=quantile")
        .await
        .text()
        .await
        .unwrap();
    let q = legend(&html);
    assert!((2..=5).contains(&q.len()), "{q:?}");
    assert!(q.iter().all(|(_, n)| *n > 0), "{q:?}");
    assert_eq!(q.iter().map(|(_, n)| n).sum::<u64>(), rows(&html));
    assert!(
        html.contains("classing=quantile&amp;area=5201")
            || html.contains("classing=quantile&area=5201")
    );
    // The reader's own breaks, in the units shown; breaks that do not rise are refused.
    let html = app
        .page("admin", "/map?area=52&classing=fixed&breaks=3,6")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(legend(&html).len(), 3);
    let bad = app.page("admin", "/map?area=52&breaks=20,10").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_map_and_the_dashboard_show_one_number_for_one_label() {
    let app = spawn_app().await;
    // H of each district of Lampang, in persons and in households, on both pages.
    for unit in ["person", "household"] {
        let map = app
            .page("admin", &format!("/map?area=52&figure=h&unit={unit}"))
            .await
            .text()
            .await
            .unwrap();
        let dash = app
            .page("admin", &format!("/?area=52&unit={unit}"))
            .await
            .text()
            .await
            .unwrap();
        let said = if unit == "person" {
            "นับเป็นคน"
        } else {
            "นับเป็นครัวเรือน"
        };
        assert!(map.contains(said), "the map says its unit");
        let mut compared = 0;
        for part in map.split("<tr data-code=\"").skip(1) {
            let code = part.split('"').next().unwrap();
            let cells: Vec<&str> = part
                .split("<td class=\"num\">")
                .skip(1)
                .map(|c| c.split('<').next().unwrap().trim())
                .collect();
            let on_map = cells[1];
            // The dashboard's row of the same district: its H column.
            let Some(row) = dash.split(&format!("data-key=\"{code}\"")).nth(1) else {
                continue;
            };
            let row = row.split("</tr>").next().unwrap();
            let nums: Vec<&str> = row
                .split("<td class=\"num\">")
                .skip(1)
                .map(|c| c.split('<').next().unwrap().trim())
                .collect();
            // After the group counts come H, A.
            let h = nums[nums.len() - 2];
            assert_eq!(on_map, h, "district {code}, {unit}");
            compared += 1;
        }
        assert!(compared > 0, "no district compared");
    }
}

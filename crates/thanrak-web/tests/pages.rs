//! The dashboard, figures API, target lists, downloads and family profile as a client sees them:
//! each test spawns the real app on a free port over a fresh SQLite database holding a small
//! scored demo population of Lampang (52) and Roi Et (45), with one account per role.

use std::net::SocketAddr;

use reqwest::header::{COOKIE, LOCATION};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use thanrak_app::access::{self};
use thanrak_app::db::Store;
use thanrak_app::scoring::{self, Breakdown, FigureQuery};
use thanrak_app::targeting::target_order;
use thanrak_core::identity::Scope;
use thanrak_core::measure::Unit;
use thanrak_core::{AreaCode, Household, RoundLabel};
use thanrak_web::auth::credentials;

mod common;

use common::{code, csrf_field, multipart};

struct TestApp {
    addr: SocketAddr,
    store: Store,
    client: Client,
    /// The scored rounds, oldest first.
    rounds: Vec<String>,
    /// Households of the latest round.
    households: Vec<Household>,
    /// The subdistrict of the demo surveyor.
    surveyed: AreaCode,
    _dir: tempfile::TempDir,
}

async fn spawn_app() -> TestApp {
    let (store, dir) = common::sqlite_store().await;
    let population = common::load_population(&store, true).await;
    let households = common::households(&store, population.rounds.last().unwrap()).await;
    TestApp {
        addr: common::start_server(&store).await,
        store,
        client: common::client(),
        rounds: population.rounds,
        households,
        surveyed: population.surveyed,
        _dir: dir,
    }
}

/// Attribute text as a browser reads it.
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// The text of the first element after `marker` that starts with `open` (up to its `<`).
fn text_after(html: &str, marker: &str, open: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let rest = &html[at..];
    let start = rest
        .find(open)
        .unwrap_or_else(|| panic!("{open} after {marker}"))
        + open.len();
    rest[start..].split('<').next().unwrap().to_string()
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn latest(&self) -> &str {
        self.rounds.last().unwrap()
    }

    async fn login(&self, name: &str) -> String {
        common::login(&self.client, self.addr, name).await
    }

    async fn get(&self, path: &str, session: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(COOKIE, format!("thanrak_session={session}"))
            .send()
            .await
            .unwrap()
    }

    async fn page(&self, path: &str, session: &str) -> (StatusCode, String) {
        let res = self.get(path, session).await;
        (res.status(), res.text().await.unwrap())
    }

    async fn json(&self, path: &str, session: &str) -> (StatusCode, Value) {
        let res = self.get(path, session).await;
        (res.status(), res.json().await.unwrap())
    }

    async fn figures(&self, by: Breakdown, within: Option<&str>, unit: Unit) -> scoring::Figures {
        scoring::figures(
            &self.store,
            &scoring::load_methodology(None).unwrap(),
            &FigureQuery {
                round: RoundLabel::parse(self.latest()).unwrap(),
                unit,
                by,
                within: within.map(code),
                k: None,
            },
        )
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_stored_figures_and_drills_down() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (status, html) = app.page("/?area=52&unit=household&lang=en", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let html = unescape(&html);
    let f = app
        .figures(
            Breakdown::Area(thanrak_core::AreaLevel::District),
            Some("52"),
            Unit::Household,
        )
        .await;
    let s = &f.overall.summary;
    assert_eq!(
        text_after(&html, "id=\"mpi-h\"", ">"),
        format!("{:.1}%", s.af.h * 100.0)
    );
    assert_eq!(
        text_after(&html, "id=\"mpi-m0\"", ">"),
        format!("{:.3}", s.af.m0)
    );
    for (i, g) in ["hardship", "struggling", "getting_by", "doing_well"]
        .iter()
        .enumerate()
    {
        let marker = format!("<tr data-group=\"{g}\">");
        assert_eq!(
            text_after(&html, &marker, "class=\"num hh\">"),
            s.households[i].to_string()
        );
    }
    // The contributions chart has one bar per indicator; with no one poor there is nothing to
    // share out, A is undefined, and the page says so instead.
    if s.af.m0 > 0.0 {
        assert_eq!(html.matches("data-indicator=").count(), f.indicators.len());
    } else {
        assert_eq!(html.matches("data-indicator=").count(), 0);
        assert!(html.contains("id=\"nobody-poor\""));
        assert_eq!(text_after(&html, "id=\"mpi-a\"", ">"), "—");
    }
    // One row per district, each linking one level down.
    assert!(!f.rows.is_empty());
    for r in &f.rows {
        let link = format!("/?round={}&area={}&unit=household", app.latest(), r.key);
        assert!(html.contains(&link), "a link to {}", r.key);
        assert_eq!(
            text_after(
                &html,
                &format!("data-key=\"{}\"", r.key),
                "class=\"num hh\">"
            ),
            r.summary.households.iter().sum::<u64>().to_string()
        );
    }
    // Down to a village, with breadcrumbs back up to the country.
    let village = app.households[0].village_code;
    let (status, html) = app.page(&format!("/?area={village}&lang=en"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    let html = unescape(&html);
    let crumbs = &html[html.find("id=\"crumbs\"").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</p>").unwrap()];
    for level in [2, 4, 6, 8] {
        let up = &village.to_string()[..level];
        assert!(crumbs.contains(&format!("&area={up}&")), "crumb {up}");
    }
    assert!(crumbs.contains("&area=&"), "the country");
    assert!(html.contains("Whole country"));
    // The round selector offers every scored round.
    for r in &app.rounds {
        assert!(html.contains(&format!("<option value=\"{r}\"")));
    }
}

#[tokio::test]
async fn the_dashboard_offers_the_area_data_to_roles_that_see_personal_data() {
    let app = spawn_app().await;
    let lampang = app.login("lampang").await;
    let (_, html) = app.page("/?area=5201", &lampang).await;
    assert!(html.contains("id=\"export\""), "{html}");
    let link = unescape(&text_after(&html, "id=\"export\"", "<a href=\""));
    let link = link.split('"').next().unwrap().to_string();
    assert!(
        link.contains("area=5201") && link.ends_with("table=households"),
        "{link}"
    );
    // The link downloads with the browser's session: the district's households only.
    let res = app.get(&link, &lampang).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    let in_district = app
        .households
        .iter()
        .filter(|h| h.village_code.is_within(&code("5201")))
        .count();
    assert!(in_district > 0);
    assert_eq!(rows.len(), in_district);
    // Roles that see masked data or aggregates are not offered it.
    for name in ["analyst", "surveyor"] {
        let session = app.login(name).await;
        let (_, html) = app.page("/", &session).await;
        assert!(!html.contains("id=\"export\""), "{name}");
    }
}

#[tokio::test]
async fn admins_read_the_audit_log_page() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (status, html) = app.page("/audit", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"audit-empty\""), "{html}");
    assert!(
        unescape(&html).contains("href=\"/audit\""),
        "admins have the link"
    );
    // An unmasked list of 7 households by Lampang's manager is one line naming 5 and 2 more.
    let lampang = app.login("lampang").await;
    let path = format!(
        "/api/v1/rounds/{}/households?area=52&per_page=7",
        app.latest()
    );
    let (status, body) = app.json(&path, &lampang).await;
    assert_eq!(status, StatusCode::OK);
    let first = body["items"][0]["household_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, html) = app.page("/audit?lang=en", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td class=\"user\">lampang</td>"), "{html}");
    assert!(unescape(&html).contains(&format!("/households/{}/{first}", app.latest())));
    assert!(html.contains("and 2 more"), "{html}");
    assert!(html.contains("Lines: 1"));
    // Nobody else reads it, nor sees the link.
    for name in ["lampang", "analyst", "surveyor"] {
        let session = app.login(name).await;
        let (status, _) = app.page("/audit", &session).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}");
        let (_, html) = app.page("/", &session).await;
        assert!(!unescape(&html).contains("href=\"/audit\""), "{name}");
    }
    let (status, _) = app.page("/audit?page=0", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_area_manager_stays_inside_its_areas() {
    let app = spawn_app().await;
    let lampang = app.login("lampang").await;
    // Its dashboard starts at its province.
    let (status, html) = app.page("/", &lampang).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"area-name\""));
    assert!(html.contains("ลำปาง"));
    assert!(!html.contains("ทั้งประเทศ</a>"));
    // When the round was scored, in the Buddhist Era.
    let year_be = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 543;
    assert!(text_after(&html, "id=\"scored-at\"", ">").contains(&year_be.to_string()));
    let (status, _) = app.page("/?area=45", &lampang).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .json(
            &format!("/api/v1/rounds/{}/figures?area=45", app.latest()),
            &lampang,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, body) = app
        .json(
            &format!("/api/v1/rounds/{}/figures", app.latest()),
            &lampang,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["area"], "52");
    assert_eq!(body["by"], "district");
    assert!(body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["key"].as_str().unwrap().starts_with("52")));
}

#[tokio::test]
async fn small_cells_are_suppressed_for_analysts_only() {
    let app = spawn_app().await;
    let (analyst, admin) = (app.login("analyst").await, app.login("admin").await);
    let subdistrict = app.households[0].village_code.parent().unwrap();
    let path = format!(
        "/api/v1/rounds/{}/figures?by=village&area={subdistrict}&unit=household",
        app.latest()
    );
    let (status, seen) = app.json(&path, &admin).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let (status, hidden) = app.json(&path, &analyst).await;
    assert_eq!(status, StatusCode::OK, "{hidden}");
    let f = app
        .figures(
            Breakdown::Area(thanrak_core::AreaLevel::Village),
            Some(&subdistrict.to_string()),
            Unit::Household,
        )
        .await;
    let mut small = 0;
    for (i, r) in f.rows.iter().enumerate() {
        let n: u64 = r.summary.households.iter().sum();
        assert_eq!(seen["rows"][i]["suppressed"], false);
        assert_eq!(
            seen["rows"][i]["figures"]["n"].as_f64(),
            Some(r.summary.af.n)
        );
        assert_eq!(hidden["rows"][i]["key"], r.key.as_str());
        // Small villages are withheld (others may be too, as complements).
        if n < 5 {
            assert_eq!(hidden["rows"][i]["suppressed"], true, "{}", r.key);
            small += 1;
            assert!(hidden["rows"][i]["figures"].is_null());
        }
    }
    assert!(
        small > 0,
        "the demo has villages of fewer than 5 households"
    );
    // The page shows the dash instead of numbers.
    let (_, html) = app.page(&format!("/?area={subdistrict}"), &analyst).await;
    assert!(html.contains("id=\"suppression-note\""));
    assert!(html.contains("class=\"suppressed\""));
}

#[tokio::test]
async fn target_lists_follow_the_methodology_order_inside_the_scope() {
    let app = spawn_app().await;
    let lampang = app.login("lampang").await;
    let path = format!("/api/v1/rounds/{}/targets?per_page=500", app.latest());
    let (status, body) = app.json(&path, &lampang).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    let in52 = app
        .households
        .iter()
        .filter(|h| h.village_code.is_within(&code("52")))
        .count();
    assert_eq!(body["total"].as_u64(), Some(in52 as u64));
    assert!(items
        .iter()
        .all(|t| t["village_code"].as_str().unwrap().starts_with("52")));
    // The order is that of the stored scores sorted by §5.
    let m = scoring::load_methodology(None).unwrap();
    let mut scores = scoring::household_scores(
        &app.store,
        &m,
        &RoundLabel::parse(app.latest()).unwrap(),
        Some(&code("52")),
    )
    .await
    .unwrap();
    scores.sort_by(|a, b| target_order(&a.score, &b.score));
    let want: Vec<&str> = scores
        .iter()
        .map(|s| s.score.household_id.as_str())
        .collect();
    let got: Vec<&str> = items
        .iter()
        .map(|t| t["household_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
    assert_eq!(items[0]["group"], "hardship");
    // Each item carries the household's whole score.
    for (t, s) in items.iter().zip(&scores) {
        assert_eq!(t["mpi_poor"], s.score.mpi_poor);
        assert_eq!(t["target_poor"], s.score.target_poor);
        let caps = t["capitals"].as_object().unwrap();
        assert_eq!(caps.len(), 5);
        assert_eq!(caps["human"].as_f64(), Some(s.score.capitals[0]));
        assert_eq!(caps["social"].as_f64(), Some(s.score.capitals[4]));
    }
    // Filters combine and narrow.
    let (_, hard) = app
        .json(
            &format!(
                "/api/v1/rounds/{}/targets?group=hardship&need=welfare&per_page=500",
                app.latest()
            ),
            &lampang,
        )
        .await;
    let hard = hard["items"].as_array().unwrap();
    assert!(!hard.is_empty());
    assert!(hard.iter().all(|t| t["group"] == "hardship"
        && t["needs"]
            .as_array()
            .unwrap()
            .contains(&Value::from("welfare"))));
    let (status, _) = app
        .json(
            &format!("/api/v1/rounds/{}/targets?area=45", app.latest()),
            &lampang,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Analysts see aggregates only.
    let analyst = app.login("analyst").await;
    let (status, body) = app.json(&path, &analyst).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _) = app.page("/targets", &analyst).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The page lists the same households first, and the views are audited.
    let (status, html) = app.page("/targets", &lampang).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("data-id=\"{}\"", want[0])));
    let (entries, _) = app.store.audit().entries(0, 100).await.unwrap();
    assert!(entries
        .iter()
        .any(|e| e.entry.action.starts_with("GET /targets") && e.entry.user_name == "lampang"));
}

#[tokio::test]
async fn downloads_mask_names_for_masked_roles() {
    let app = spawn_app().await;
    let surveyor = app.login("surveyor").await;
    let res = app.get("/targets/download?format=csv", &surveyor).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let text = res.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        assert!(rec[2].starts_with(&app.surveyed.to_string()));
        assert!(rec[4].ends_with("***"), "masked head name: {}", &rec[4]);
        n += 1;
    }
    assert!(n > 0);
    // An area manager sees names; XLSX is a zip archive.
    let lampang = app.login("lampang").await;
    let res = app.get("/targets/download?format=csv", &lampang).await;
    let text = res.text().await.unwrap();
    assert!(!text.lines().skip(1).all(|l| l.contains("***")));
    let res = app.get("/targets/download?format=xlsx", &lampang).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    let analyst = app.login("analyst").await;
    let res = app.get("/targets/download?format=csv", &analyst).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_family_profile_shows_reasons_and_history_inside_the_scope() {
    let app = spawn_app().await;
    let lampang = app.login("lampang").await;
    let in45 = app
        .households
        .iter()
        .find(|h| h.village_code.is_within(&code("45")))
        .unwrap();
    let (status, html) = app
        .page(
            &format!("/households/{}/{}", app.latest(), in45.household_id),
            &lampang,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("ไม่พบข้อมูลที่ขอ"));
    let (status, _) = app
        .page(
            &format!("/households/{}/NO-SUCH-ID", app.latest()),
            &lampang,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A household of 52 present in every round.
    let first = RoundLabel::parse(&app.rounds[0]).unwrap();
    let mut chosen = None;
    for h in app
        .households
        .iter()
        .filter(|h| h.village_code.is_within(&code("52")))
    {
        if app
            .store
            .registry()
            .scoped_household(&Scope::All, &first, &h.household_id)
            .await
            .is_ok()
        {
            chosen = Some(h);
            break;
        }
    }
    let h = chosen.expect("a household in both rounds");
    let (status, html) = app
        .page(
            &format!("/households/{}/{}", app.latest(), h.household_id),
            &lampang,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let m = scoring::load_methodology(None).unwrap();
    let score = scoring::household_scores(
        &app.store,
        &m,
        &RoundLabel::parse(app.latest()).unwrap(),
        Some(&h.village_code),
    )
    .await
    .unwrap()
    .into_iter()
    .find(|s| s.score.household_id == h.household_id)
    .unwrap()
    .score;
    assert!(html.contains(&format!("data-group=\"{}\"", score.group.as_str())));
    for r in score.reasons(&m.methodology) {
        assert!(
            html.contains(&format!("data-code=\"{}\"", r.code)),
            "{}",
            r.code
        );
        assert!(html.contains(r.label_th));
    }
    assert_eq!(
        html.matches("data-deprived=\"1\"").count(),
        score.deprivations.count() as usize
    );
    for r in &app.rounds {
        assert!(
            html.contains(&format!("data-round=\"{r}\"")),
            "history of {r}"
        );
    }
    assert!(html.contains("id=\"pentagon\""));
    assert!(html.contains("@page { size: A4"));
    let (entries, _) = app.store.audit().entries(0, 10).await.unwrap();
    assert!(entries.iter().any(|e| e.entry.user_name == "lampang"
        && e.entry.household_ids == vec![h.household_id.to_string()]));
    // A surveyor sees its own households masked.
    let surveyor = app.login("surveyor").await;
    let mine = app
        .households
        .iter()
        .find(|h| h.village_code.is_within(&app.surveyed))
        .unwrap();
    let (status, html) = app
        .page(
            &format!("/households/{}/{}", app.latest(), mine.household_id),
            &surveyor,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_after(&html, "id=\"head\"", ">").ends_with("***"));
}

/// A `multipart/form-data` body with a CSRF field and files, as a browser sends the import form.
/// The staged batch named by a page's confirmation form.
fn batch_of(html: &str) -> String {
    let at = html
        .find("name=\"batch\" value=\"")
        .expect("a confirmation form")
        + 20;
    html[at..].split('"').next().unwrap().to_string()
}

impl TestApp {
    /// Waits until every queued job has ended.
    async fn jobs_ended(&self) {
        for _ in 0..6000 {
            let (jobs, _) = self.store.jobs().list(None, 0, 500).await.unwrap();
            if jobs.iter().all(|j| j.state.is_finished()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the jobs did not end");
    }

    async fn upload(
        &self,
        session: &str,
        csrf: Option<&str>,
        files: &[(&str, &[u8])],
    ) -> (StatusCode, String) {
        let (ct, body) = multipart(csrf, files);
        let res = self
            .client
            .post(self.url("/import"))
            .header(COOKIE, format!("thanrak_session={session}"))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        // An upload queues a check and redirects to the page that follows it; once the check
        // has ended, that page shows the outcome.
        match res
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_string())
        {
            Some(location) if location.starts_with("/import?check=") => {
                assert_eq!(res.status(), StatusCode::SEE_OTHER);
                self.jobs_ended().await;
                self.page(&location, session).await
            }
            _ => (res.status(), res.text().await.unwrap()),
        }
    }

    async fn confirm(&self, session: &str, csrf: &str, batch: &str) -> (StatusCode, String) {
        let res = self
            .client
            .post(self.url("/import/confirm"))
            .header(COOKIE, format!("thanrak_session={session}"))
            .form(&[("csrf", csrf), ("batch", batch)])
            .send()
            .await
            .unwrap();
        // A redirect is told by where it leads; anything else by its page.
        match res.headers().get(LOCATION) {
            Some(l) => (res.status(), l.to_str().unwrap().to_string()),
            None => (res.status(), res.text().await.unwrap()),
        }
    }
}

#[tokio::test]
async fn the_import_page_reports_bad_files_and_loads_good_ones_after_confirmation() {
    let app = spawn_app().await;
    // The first round exported in the import format, relabelled as a new round.
    let dir = tempfile::tempdir().unwrap();
    let first = app.rounds[0].clone();
    thanrak_app::export_round(
        &app.store,
        &RoundLabel::parse(&first).unwrap(),
        dir.path(),
        thanrak_app::ExportFormat::Csv,
    )
    .await
    .unwrap();
    let read = |name: &str| {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap()
            .replace(&format!(",{first},"), ",2570-1,")
    };
    let (households, members) = (read("households.csv"), read("members.csv"));
    let n_households = households.lines().count() - 1;

    // Analysts may not import.
    let analyst = app.login("analyst").await;
    let (status, _) = app.page("/import", &analyst).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An area manager of 52 is refused the households of 45, row by row; nothing is written.
    let lampang = app.login("lampang").await;
    let (status, html) = app.page("/import", &lampang).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_field(&html);
    let files: [(&str, &[u8]); 2] = [
        ("households.csv", households.as_bytes()),
        ("members.csv", members.as_bytes()),
    ];
    let (status, html) = app.upload(&lampang, Some(&csrf), &files).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"report\""));
    // In Thai on the Thai page (the API keeps the English reason).
    assert!(html.contains("อยู่นอกพื้นที่ของท่าน"), "{html}");
    assert!(!html.contains("outside your areas"));
    assert!(html.contains("<td>households.csv</td>"));
    assert!(
        !html.contains("thanrak-uploads"),
        "no server path in the report"
    );

    // A malformed row is reported with its file, row, column and value.
    let admin = app.login("admin").await;
    // The dashboard shows the latest round (its figures are now held in memory for a moment).
    let (_, dash) = app.page("/", &admin).await;
    assert!(dash.contains(&format!("<option value=\"{}\" selected", app.latest())));
    let (_, html) = app.page("/import", &admin).await;
    let csrf = csrf_field(&html);
    let bad = households.replacen(",2570-1,", ",2570/1,", 1);
    let (status, html) = app
        .upload(&admin, Some(&csrf), &[("households.csv", bad.as_bytes())])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<td>2</td><td>round</td><td>2570&#x2f;1</td>"),
        "{html}"
    );
    assert!(html.contains("ซึ่งใช้ไม่ได้"), "{html}");

    // Without the session's CSRF token the upload is refused.
    let (status, _) = app.upload(&admin, None, &files).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.upload(&admin, Some("forged"), &files).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Good files: a summary, then loaded only on confirmation (with the CSRF token).
    let (status, html) = app.upload(&admin, Some(&csrf), &files).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        text_after(&html, "id=\"ready-households\"", ">"),
        n_households.to_string()
    );
    let batch = batch_of(&html);
    // The check ran as a job of the admin's: its page (and its job's page) is the admin's only.
    let (jobs, _) = app.store.jobs().list(None, 0, 1).await.unwrap();
    let check = &jobs[0];
    assert_eq!(check.new.kind, "check");
    let (status, _) = app
        .page(&format!("/import?check={}", check.id), &lampang)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.page(&format!("/jobs/{}", check.id), &lampang).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.page("/import?check=x", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!thanrak_app::rounds(&app.store)
        .await
        .unwrap()
        .iter()
        .any(|r| r.label.as_str() == "2570-1"));
    let (status, _) = app.confirm(&admin, "forged", &batch).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another user cannot confirm someone else's upload.
    let (_, other) = app.page("/import", &lampang).await;
    let (status, _) = app.confirm(&lampang, &csrf_field(&other), &batch).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The confirmation queues an import job and redirects to its page, which follows it and,
    // once the job (and the scoring of its round) has ended, shows the summary; it reloads
    // without loading again and is shown to its owner only.
    let (status, location) = app.confirm(&admin, &csrf, &batch).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/jobs/"), "{location}");
    let (status, html) = app.page(&location, &admin).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("src=\"/assets/jobs.js\""), "{html}");
    app.jobs_ended().await;
    for _ in 0..2 {
        let (status, html) = app.page(&location, &admin).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert_eq!(
            text_after(&html, "id=\"loaded-households\"", ">"),
            n_households.to_string()
        );
        assert!(html.contains("class=\"scored-households\""), "{html}");
    }
    let (status, _) = app.page(&location, &lampang).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Loading the same files again changes nothing.
    let (_, html) = app.upload(&admin, Some(&csrf), &files).await;
    let again = batch_of(&html);
    let (status, _) = app.confirm(&admin, &csrf, &again).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    app.jobs_ended().await;
    let round = thanrak_app::rounds(&app.store)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.label.as_str() == "2570-1")
        .unwrap();
    assert_eq!(round.households as usize, n_households);
    // The batch is gone once confirmed.
    let (status, _) = app.confirm(&admin, &csrf, &batch).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_imports_api_checks_and_loads_with_a_token() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let first = app.rounds[0].clone();
    thanrak_app::export_round(
        &app.store,
        &RoundLabel::parse(&first).unwrap(),
        dir.path(),
        thanrak_app::ExportFormat::Csv,
    )
    .await
    .unwrap();
    let households = std::fs::read(dir.path().join("households.csv")).unwrap();
    let members = std::fs::read(dir.path().join("members.csv")).unwrap();
    let files: [(&str, &[u8]); 2] = [("households.csv", &households), ("members.csv", &members)];
    let (ct, body) = multipart(None, &files);
    let post = |path: &str, token: &str| {
        app.client
            .post(app.url(path))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", ct.clone())
            .body(body.clone())
    };
    // A surveyor's upload of the whole round is refused for the households outside its areas.
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, "surveyor", &digest)
        .await
        .unwrap();
    let res = post("/api/v1/imports?dry_run=true", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "rejected");
    let problems = v["problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    assert!(problems.iter().all(|p| p["column"] == "village_code"
        && p["file"] == "households.csv"
        && p["reason"].as_str().unwrap().contains("outside your areas")));
    // An admin re-imports the round: nothing changes, and the round is scored again.
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, "admin", &digest)
        .await
        .unwrap();
    let before = thanrak_app::rounds(&app.store).await.unwrap();
    let res = post("/api/v1/imports", &token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "loaded");
    assert_eq!(v["scored"][0]["round"], first.as_str());
    let after = thanrak_app::rounds(&app.store).await.unwrap();
    assert_eq!(
        before
            .iter()
            .map(|r| (r.households, r.members))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|r| (r.households, r.members))
            .collect::<Vec<_>>()
    );
    // A browser session without the CSRF header is refused.
    let admin = app.login("admin").await;
    let (status, doc) = app.json("/api/openapi.json", &admin).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/rounds/{round}/figures",
        "/api/v1/rounds/{round}/targets",
        "/api/v1/imports",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    let res = app
        .client
        .post(app.url("/api/v1/imports"))
        .header(COOKIE, format!("thanrak_session={admin}"))
        .header("content-type", ct.clone())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn uploads_with_a_long_name_or_over_the_size_limit_are_refused_clearly() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, html) = app.page("/import", &admin).await;
    let csrf = csrf_field(&html);
    // A 300-character file name is the user's to fix: 400 on the page, not a server error.
    let long = format!("{}.csv", "n".repeat(296));
    let (status, html) = app
        .upload(&admin, Some(&csrf), &[(long.as_str(), b"household_id\n")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        unescape(&html).contains("the file name is 300 characters long"),
        "{html}"
    );
    // Over 64 MB: 413, saying so.
    let big = vec![b'x'; 65 * 1024 * 1024];
    let (status, html) = app
        .upload(&admin, Some(&csrf), &[("households.csv", &big)])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{html}");
    assert!(html.contains("larger than 64 MB"), "{html}");
    // The API answers alike, in JSON.
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, "admin", &digest)
        .await
        .unwrap();
    for (files, status, code, says) in [
        (
            vec![(long.as_str(), &b"household_id\n"[..])],
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the file name is 300 characters long",
        ),
        (
            vec![("households.csv", &big[..])],
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "larger than 64 MB",
        ),
    ] {
        let (ct, body) = multipart(None, &files);
        let res = app
            .client
            .post(app.url("/api/v1/imports?dry_run=true"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["code"], code, "{v}");
        assert!(v["message"].as_str().unwrap().contains(says), "{v}");
    }
}

#[tokio::test]
async fn admins_list_and_revoke_api_tokens_on_a_page() {
    let app = spawn_app().await;
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, "lampang", &digest)
        .await
        .unwrap();
    let id = app
        .store
        .accounts()
        .api_tokens(Some("lampang"))
        .await
        .unwrap()[0]
        .id;
    let me = |token: String| {
        let client = app.client.clone();
        let url = app.url("/api/v1/me");
        async move {
            client
                .get(url)
                .header("authorization", format!("Bearer {token}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // The token works, and the server now remembers it.
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    // Only admins see the page.
    let lampang = app.login("lampang").await;
    let (status, _) = app.page("/admin/tokens", &lampang).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.login("admin").await;
    let (status, html) = app.page("/admin/tokens", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("<tr data-id=\"{id}\">")), "{html}");
    assert!(html.contains("lampang"));
    let csrf = csrf_field(&html);
    let res = app
        .client
        .post(app.url("/admin/tokens/revoke"))
        .header(COOKIE, format!("thanrak_session={admin}"))
        .form(&[("csrf", csrf.as_str()), ("id", &id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/admin/tokens");
    // Refused at once, though the server had it in memory; the user is not disabled.
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED);
    let (status, html) = app.page("/admin/tokens", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(&format!("<tr data-id=\"{id}\">")));
    assert!(!app
        .store
        .accounts()
        .users()
        .await
        .unwrap()
        .iter()
        .any(|u| u.disabled));
}

#[tokio::test]
async fn import_jobs_are_listed_followed_and_private_to_their_user() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let first = app.rounds[0].clone();
    thanrak_app::export_round(
        &app.store,
        &RoundLabel::parse(&first).unwrap(),
        dir.path(),
        thanrak_app::ExportFormat::Csv,
    )
    .await
    .unwrap();
    let read = |name: &str| {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap()
            .replace(&format!(",{first},"), ",2571-1,")
    };
    let (households, members) = (read("households.csv"), read("members.csv"));
    let n_households = households.lines().count() as u64 - 1;
    let token_of = |name: &'static str| {
        let store = app.store.clone();
        async move {
            let (token, digest) = credentials::new_api_token();
            access::add_api_token(&store, name, &digest).await.unwrap();
            token
        }
    };
    let (admin, lampang) = (token_of("admin").await, token_of("lampang").await);
    let api = |path: String, token: String| {
        let req = app
            .client
            .get(app.url(&path))
            .header("authorization", format!("Bearer {token}"));
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let queue = |households: String| {
        let (ct, body) = multipart(
            None,
            &[
                ("households.csv", households.as_bytes()),
                ("members.csv", members.as_bytes()),
            ],
        );
        let req = app
            .client
            .post(app.url("/api/v1/imports?wait=false"))
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", ct)
            .body(body);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::ACCEPTED);
            let location = res.headers()[LOCATION].to_str().unwrap().to_string();
            let v: Value = res.json().await.unwrap();
            assert_eq!(v["status"], "queued");
            let id = v["job_id"].as_i64().unwrap();
            assert_eq!(location, format!("/api/v1/jobs/{id}"));
            id
        }
    };

    // Queued without waiting, then done: loaded, and its round scored by a job of its own.
    let id = queue(households.clone()).await;
    app.jobs_ended().await;
    let (status, job) = api(format!("/api/v1/jobs/{id}"), admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["kind"], "import");
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["created_by_name"], "admin");
    assert!(job["started_at"].is_string() && job["finished_at"].is_string());
    assert_eq!(
        job["params"]["files"],
        serde_json::json!(["households.csv", "members.csv"]),
        "file names only, no server path"
    );
    assert_eq!(job["result"]["status"], "loaded");
    assert_eq!(job["result"]["households"], n_households);
    // One scoring job per shipped methodology (the default's first).
    let scorings = job["result"]["scoring_jobs"].as_array().unwrap().clone();
    assert_eq!(scorings.len(), 2, "{job}");
    let scoring = scorings[1].as_i64().unwrap();
    let (_, first) = api(format!("/api/v1/jobs/{}", scorings[0]), admin.clone()).await;
    assert_eq!(first["params"]["methodology_id"], "thanrak-default-1");
    assert_eq!(first["state"], "done", "{first}");
    let (_, score) = api(format!("/api/v1/jobs/{scoring}"), admin.clone()).await;
    assert_eq!(score["params"]["methodology_id"], "tpmap-welfare-1");
    assert_eq!(score["kind"], "score");
    assert_eq!(score["state"], "done", "{score}");
    assert_eq!(score["result"]["round"], "2571-1");
    assert_eq!(score["result"]["households"], n_households);
    let round = thanrak_app::rounds(&app.store)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.label.as_str() == "2571-1")
        .unwrap();
    assert_eq!(round.households as u64, n_households);

    // A user sees its own jobs only; another's is not found. An admin sees every job.
    let (status, list) = api("/api/v1/jobs".into(), lampang.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 0, "{list}");
    let (status, _) = api(format!("/api/v1/jobs/{id}"), lampang.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = api("/api/v1/jobs?per_page=1".into(), admin.clone()).await;
    assert_eq!(list["total"], 3, "{list}");
    assert_eq!(list["per_page"], 1);
    assert_eq!(list["items"][0]["id"], scoring, "newest first");

    // Refused files: the job fails, listing every problem; nothing is written.
    let bad = households.replacen(",2571-1,", ",2570/1,", 1);
    let refused = queue(bad).await;
    app.jobs_ended().await;
    let (_, job) = api(format!("/api/v1/jobs/{refused}"), admin.clone()).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert!(
        job["error"].as_str().unwrap().starts_with("refused"),
        "{job}"
    );
    let problems = job["result"]["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["file"] == "households.csv"
        && p["row"] == 2
        && p["column"] == "round"
        && p["value"] == "2570/1"));

    // The pages: the list (Thai, Buddhist-Era dates) and each job, with its outcome.
    let session = app.login("admin").await;
    let (status, html) = app.page("/jobs", &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("data-job=\"{id}\"")), "{html}");
    assert!(html.contains("href=\"/jobs\""), "a menu link");
    assert!(
        html.contains("เสร็จแล้ว") && html.contains("ไม่สำเร็จ"),
        "{html}"
    );
    use chrono::Datelike;
    let be_year = (chrono::Utc::now().year() + 543).to_string();
    assert!(html.contains(&be_year), "{html}");
    let (_, html) = app.page("/jobs?lang=en", &session).await;
    assert!(
        html.contains(">Done<") && html.contains(">Failed<"),
        "{html}"
    );
    let (status, html) = app.page(&format!("/jobs/{refused}"), &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"report\""), "{html}");
    assert!(
        html.contains("<td>2</td><td>round</td><td>2570&#x2f;1</td>"),
        "{html}"
    );
    let (status, html) = app.page(&format!("/jobs/{scoring}"), &session).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text_after(&html, "id=\"scored-households\"", ">"),
        n_households.to_string()
    );
    let lampang_session = app.login("lampang").await;
    let (status, _) = app.page(&format!("/jobs/{id}"), &lampang_session).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, js) = app.page("/assets/jobs.js", &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.contains("/api/v1/jobs/"));
    let (_, doc) = app.json("/api/openapi.json", &session).await;
    for path in ["/api/v1/jobs", "/api/v1/jobs/{id}"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
}

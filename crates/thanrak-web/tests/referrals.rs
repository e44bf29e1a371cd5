//! Referral between agencies beyond one case: a whole target group referred as a job (run twice,
//! it opens nothing new); an agency officer reads the households of its own cases only (masked
//! until it accepts, audited when not); comments, the referral status by agency, the inbox as a
//! file; and the pages where users meet it (case page, dashboard, target list, family profile).

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thanrak_app::access::{self, UserRequest};
use thanrak_web::auth::credentials;

mod common;

async fn token(app: &common::Server, user: &str) -> String {
    let (token, digest) = credentials::new_api_token();
    access::add_api_token(&app.store, user, &digest)
        .await
        .unwrap();
    token
}

/// A second agency officer, of DASTA.
async fn add_dasta_officer(app: &common::Server) {
    let spec = access::check_user(&UserRequest {
        name: "dasta".into(),
        role: "agency_officer".into(),
        areas: vec![],
        agency: Some("dasta".into()),
    })
    .unwrap();
    access::add_user(&app.store, spec, common::password_hash().to_string())
        .await
        .unwrap();
}

struct Api<'a> {
    app: &'a common::Server,
}

impl Api<'_> {
    fn url(&self, p: &str) -> String {
        format!("http://{}/api/v1{p}", self.app.addr)
    }

    async fn get(&self, t: &str, p: &str) -> (StatusCode, Value) {
        let res = self
            .app
            .client
            .get(self.url(p))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, t: &str, p: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .app
            .client
            .post(self.url(p))
            .bearer_auth(t)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Waits for job `id` to end; returns it.
    async fn job(&self, t: &str, id: i64) -> Value {
        for _ in 0..600 {
            let (_, job) = self.get(t, &format!("/jobs/{id}")).await;
            if job["state"] == "done" || job["state"] == "failed" {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job {id} did not end");
    }
}

#[tokio::test]
async fn a_target_group_is_referred_as_a_job_and_not_twice() {
    let app = common::Server::start().await;
    let round = app.rounds.last().unwrap().clone();
    let api = Api { app: &app };
    let (lampang, surveyor) = (token(&app, "lampang").await, token(&app, "surveyor").await);
    let group = json!({"round": round, "area": "52", "group": "hardship", "need": "welfare",
                       "agency": "social_development", "note": "ทั้งกลุ่ม", "due_on": "2030-01-31"});
    // The list it refers, as the target list gives it.
    let (_, list) = api
        .get(
            &lampang,
            &format!("/rounds/{round}/targets?area=52&group=hardship&need=welfare&per_page=1"),
        )
        .await;
    let in_list = list["total"].as_u64().unwrap();
    assert!(
        in_list > 0,
        "the demo has households in hardship needing welfare"
    );

    let (status, job) = api.post(&lampang, "/referrals", group.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["kind"], "refer");
    assert_eq!(job["params"]["agency"], "social_development");
    let done = api.job(&lampang, job["id"].as_i64().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    let r = &done["result"];
    assert_eq!(r["households"].as_u64(), Some(in_list));
    assert_eq!(r["opened"].as_u64(), Some(in_list));
    assert_eq!(r["already_open"], 0);
    let (_, cases) = api
        .get(&lampang, "/cases?agency=social_development&per_page=1")
        .await;
    assert_eq!(cases["total"].as_u64(), Some(in_list));
    let first = &cases["items"][0];
    assert_eq!(first["priority"], 1, "hardship households come first");
    assert_eq!(first["due_on"], "2030-01-31");

    // Again: every household already has its open case.
    let (_, job) = api.post(&lampang, "/referrals", group.clone()).await;
    let again = api.job(&lampang, job["id"].as_i64().unwrap()).await;
    assert_eq!(again["result"]["opened"], 0, "{again}");
    assert_eq!(again["result"]["already_open"].as_u64(), Some(in_list));

    // An agency that works elsewhere: every household skipped as outside its areas.
    let admin = token(&app, "admin").await;
    let (status, _) = api
        .app
        .client
        .put(api.url("/agencies/osmep"))
        .bearer_auth(&admin)
        .json(&json!({"code": "osmep", "name_th": "สสว.", "name_en": "OSMEP", "needs": ["job", "occupation"], "areas": ["45"]}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let elsewhere = json!({"round": round, "area": "52", "group": "hardship", "need": "occupation",
                           "agency": "osmep"});
    let (_, job) = api.post(&lampang, "/referrals", elsewhere).await;
    let skipped = api.job(&lampang, job["id"].as_i64().unwrap()).await;
    assert_eq!(skipped["result"]["opened"], 0, "{skipped}");
    assert_eq!(
        skipped["result"]["outside_agency_areas"],
        skipped["result"]["households"]
    );

    // Refused: a surveyor does not refer; a list by one need referred for another; a bad need.
    let (status, _) = api.post(&surveyor, "/referrals", group.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An agency is referred the needs of its mission only.
    let mut bad = group.clone();
    bad["agency"] = json!("codi");
    let (_, job) = api.post(&lampang, "/referrals", bad).await;
    let refused = api.job(&lampang, job["id"].as_i64().unwrap()).await;
    assert_eq!(refused["state"], "failed", "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("does not meet the need"),
        "{refused}"
    );
    let mut bad = group.clone();
    bad["need"] = json!("flying");
    let (status, body) = api.post(&lampang, "/referrals", bad).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let mut bad = group;
    bad["round"] = json!("2599-9");
    let (status, _) = api.post(&lampang, "/referrals", bad).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agency_officer_reads_the_households_of_its_own_cases_only() {
    let app = common::Server::start().await;
    add_dasta_officer(&app).await;
    let round = app.rounds.last().unwrap().clone();
    let api = Api { app: &app };
    let households = common::households(&app.store, &round).await;
    let mut inside = households
        .iter()
        .filter(|h| h.village_code.is_within(&common::code("52")))
        .map(|h| h.household_id.to_string());
    let (mine, theirs, never) = (
        inside.next().unwrap(),
        inside.next().unwrap(),
        inside.next().unwrap(),
    );
    let (lampang, codi, dasta, admin) = (
        token(&app, "lampang").await,
        token(&app, "codi").await,
        token(&app, "dasta").await,
        token(&app, "admin").await,
    );
    let refer = |hh: &str, need: &str, agency: &str| json!({"round": round, "household_id": hh, "need": need, "agency": agency});
    let (status, case) = api
        .post(&lampang, "/cases", refer(&mine, "housing", "codi"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_i64().unwrap();
    let (status, other) = api
        .post(&lampang, "/cases", refer(&theirs, "tourism", "dasta"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let other = other["id"].as_i64().unwrap();
    let household = |hh: &str| format!("/rounds/{round}/households/{hh}");

    // Sent: CODI reads its household, masked; not DASTA's, not one never referred.
    let (status, h) = api.get(&codi, &household(&mine)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        h.to_string().contains("***"),
        "masked before it accepts: {h}"
    );
    for hh in [&theirs, &never] {
        assert_eq!(
            api.get(&codi, &household(hh)).await.0,
            StatusCode::NOT_FOUND
        );
    }
    // DASTA sees nothing of CODI's: not the case by id, not in its list, not its household,
    // not in the status, not in its download.
    assert_eq!(
        api.get(&dasta, &format!("/cases/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = api.get(&dasta, "/cases").await;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [other]);
    let (_, list) = api.get(&dasta, "/cases?agency=codi").await;
    assert_eq!(list["total"], 0, "another agency's list asked for: empty");
    assert_eq!(
        api.get(&dasta, &household(&mine)).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, status) = api.get(&dasta, "/cases/status").await;
    let agencies: Vec<&str> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agency"].as_str().unwrap())
        .collect();
    assert_eq!(agencies, ["dasta"]);
    let dasta_session = app.login("dasta").await;
    let (status, csv) = app.page("/cases/download?format=csv", &dasta_session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains(&theirs) && !csv.contains(&mine), "{csv}");

    // Accepted: CODI needs to know whom to visit — unmasked, and the view audited.
    let (status, _) = api
        .post(
            &codi,
            &format!("/cases/{id}/moves"),
            json!({"move": "accept", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, h) = api.get(&codi, &household(&mine)).await;
    assert!(!h.to_string().contains("***"), "{h}");
    let (_, log) = api.get(&admin, "/audit").await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["user_name"] == "codi" && e["household_ids"][0] == json!(mine)),
        "{log}"
    );
    let (_, c) = api.get(&codi, &format!("/cases/{id}")).await;
    assert_eq!(c["case"]["owner"], "codi", "who accepted owns it");
    // The family profile page opens for CODI, with the case on it.
    let codi_session = app.login("codi").await;
    let (status, html) = app
        .page(&format!("/households/{round}/{mine}"), &codi_session)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"household-cases\"") && html.contains(&format!("/cases/{id}")));
    assert!(
        !html.contains("id=\"refer-household\""),
        "an agency refers nothing"
    );
    // Resolved: masked again.
    for (m, v) in [("start", 2), ("resolve", 3)] {
        let (status, _) = api
            .post(
                &codi,
                &format!("/cases/{id}/moves"),
                json!({"move": m, "version": v}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, h) = api.get(&codi, &household(&mine)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.to_string().contains("***"), "{h}");
}

#[tokio::test]
async fn comments_status_and_the_pages_where_users_meet_referrals() {
    let app = common::Server::start().await;
    let round = app.rounds.last().unwrap().clone();
    let api = Api { app: &app };
    let (lampang, codi, surveyor) = (
        token(&app, "lampang").await,
        token(&app, "codi").await,
        token(&app, "surveyor").await,
    );
    // A household of Lampang that needs housing.
    let (_, list) = api
        .get(
            &lampang,
            &format!("/rounds/{round}/targets?area=52&need=housing&per_page=1"),
        )
        .await;
    let inside = list["items"][0]["household_id"]
        .as_str()
        .expect("a household needing housing")
        .to_string();
    let (_, case) = api
        .post(
            &lampang,
            "/cases",
            json!({"round": round, "household_id": inside, "need": "housing", "agency": "codi",
                   "due_on": "2020-01-31"}),
        )
        .await;
    let id = case["id"].as_i64().unwrap();

    // A comment keeps the state and the version; a surveyor, who only reads, may not comment.
    let (status, detail) = api
        .post(
            &codi,
            &format!("/cases/{id}/comments"),
            json!({"note": "โทรนัดแล้ว"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    assert_eq!(detail["case"]["version"], 1);
    assert_eq!(detail["history"][1]["comment"], true);
    assert_eq!(detail["history"][1]["note"], "โทรนัดแล้ว");
    // (Refused as not its part if the case is in its subdistrict, else not found.)
    let (status, _) = api
        .post(
            &surveyor,
            &format!("/cases/{id}/comments"),
            json!({"note": "x"}),
        )
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
        "{status}"
    );
    let (status, _) = api
        .post(
            &codi,
            &format!("/cases/{id}/comments"),
            json!({"note": "  "}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The referral status: CODI has one case, sent and overdue, in Lampang; none in Roi Et.
    let (status, s) = api.get(&lampang, "/cases/status?area=52").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s[0]["agency"], "codi");
    assert_eq!(
        (s[0]["by_state"]["sent"].as_u64(), s[0]["overdue"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, s) = api.get(&lampang, "/cases/status?area=45").await;
    assert_eq!(s, json!([]));
    // Filters of the list.
    let (_, l) = api.get(&codi, "/cases?overdue=true").await;
    assert_eq!(l["total"], 1);
    let (_, l) = api.get(&codi, "/cases?state=accepted").await;
    assert_eq!(l["total"], 0);
    let (status, _) = api.get(&codi, "/cases?state=flying").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The case page: its history with the comment, a comment box, the moves that are CODI's.
    let codi_s = app.login("codi").await;
    let (status, html) = app.page(&format!("/cases/{id}"), &codi_s).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("โทรนัดแล้ว") && html.contains("id=\"comment-form\""));
    assert!(html.contains("data-move=\"accept\""));
    let csrf = common::csrf_field(&html);
    let res = app
        .client
        .post(format!("http://{}/cases/{id}/comment", app.addr))
        .header(COOKIE, format!("thanrak_session={codi_s}"))
        .form(&[("csrf", csrf.as_str()), ("note", "ส่งช่างสำรวจ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&format!("/cases/{id}"), &codi_s).await;
    assert!(html.contains("ส่งช่างสำรวจ"));
    // Its household link opens the family profile.
    let href = html
        .split("href=\"/households/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let (status, _) = app.page(&format!("/households/{href}"), &codi_s).await;
    assert_eq!(status, StatusCode::OK, "/households/{href}");
    // Accepted, the case page offers to record the help given, which closes the case; the help
    // shows on the case and on the family profile.
    let (status, _) = api
        .post(
            &codi,
            &format!("/cases/{id}/moves"),
            json!({"move": "accept", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, html) = app.page(&format!("/cases/{id}"), &codi_s).await;
    assert!(html.contains("id=\"help-form\""), "{html}");
    let csrf = common::csrf_field(&html);
    let today = chrono::Utc::now().date_naive().to_string();
    let res = app
        .client
        .post(format!("http://{}/cases/{id}/help", app.addr))
        .header(COOKIE, format!("thanrak_session={codi_s}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "housing"),
            ("addresses", "living"),
            ("what", "เปลี่ยนหลังคาสังกะสี"),
            ("value_baht", "18,500"),
            ("given_on", today.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&format!("/cases/{id}"), &codi_s).await;
    assert!(
        html.contains("data-state=\"resolved\""),
        "resolved by the help"
    );
    assert!(html.contains("เปลี่ยนหลังคาสังกะสี") && html.contains("18,500.00"));
    assert!(
        !html.contains("id=\"help-form\""),
        "a resolved case takes no more"
    );
    let (_, html) = app
        .page(&format!("/households/{round}/{inside}"), &codi_s)
        .await;
    assert!(
        html.contains("id=\"household-help\"") && html.contains("เปลี่ยนหลังคาสังกะสี"),
        "{html}"
    );
    // The inbox as a spreadsheet.
    let res = app
        .client
        .get(format!("http://{}/cases/download?format=xlsx", app.addr))
        .header(COOKIE, format!("thanrak_session={codi_s}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));

    // The dashboard shows the referral status; the target list offers "refer these" to the
    // area manager and not to the surveyor; the profile lists the case and offers a referral.
    let lampang_s = app.login("lampang").await;
    let (_, html) = app.page("/", &lampang_s).await;
    assert!(
        html.contains("id=\"referral-status\"") && html.contains("data-agency=\"codi\""),
        "{html}"
    );
    let (_, html) = app.page("/targets?need=housing", &lampang_s).await;
    assert!(html.contains("id=\"refer-form\""));
    let surveyor_s = app.login("surveyor").await;
    let (_, html) = app.page("/targets", &surveyor_s).await;
    assert!(!html.contains("id=\"refer-form\""));
    let (_, html) = app
        .page(&format!("/households/{round}/{inside}"), &lampang_s)
        .await;
    assert!(html.contains(&format!("/cases/{id}")) && html.contains("id=\"refer-household\""));
    // "Refer these" queues the job and shows it.
    let (_, html) = app.page("/targets?need=housing", &lampang_s).await;
    let csrf = common::csrf_field(&html);
    let res = app
        .client
        .post(format!("http://{}/targets/refer", app.addr))
        .header(COOKIE, format!("thanrak_session={lampang_s}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("round", round.as_str()),
            ("area", "52"),
            ("group", ""),
            ("indicator", ""),
            ("need", "housing"),
            ("agency", "codi"),
            ("note", ""),
            ("due_on", ""),
            ("send", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/jobs/"), "{to}");
    let job = api
        .job(&lampang, to.trim_start_matches("/jobs/").parse().unwrap())
        .await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(
        job["result"]["already_open"], 0,
        "the case above was resolved: its household is referred again"
    );
    assert_eq!(job["result"]["opened"], job["result"]["households"]);
    let (_, html) = app.page(&to, &lampang_s).await;
    assert!(html.contains("id=\"referred-opened\""));
}

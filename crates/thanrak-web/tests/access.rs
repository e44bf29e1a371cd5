//! Who may do what, as one table: every route of the OpenAPI document and every page, asked by
//! every role, about something inside the caller's areas and something outside them, with the
//! status expected and whether personal data comes masked. A route missing from the table fails
//! the test, so a new route is added here with its answers.
//!
//! The population is the scored demo one (Lampang 52 and Roi Et 45). "Inside" is the demo
//! surveyor's subdistrict in Lampang, with a household there; "outside" is Roi Et, with a
//! household there. Roles: admin; analyst (aggregates only); `lampang`, area manager of 52;
//! `surveyor`, of one Lampang subdistrict; `codi`, an agency officer, to whom the inside
//! household is referred (so it reads that household, masked while the case is only sent).

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use thanrak_app::access;
use thanrak_core::identity::Scope;
use thanrak_web::auth::credentials;

mod common;

const ROLES: [&str; 5] = ["admin", "analyst", "lampang", "surveyor", "codi"];

/// One request of the table: method, path (with `{round}`, `{area}`, `{id}` filled in for the
/// inside and the outside case), and per role in [`ROLES`] order the answers inside and
/// outside: a status, followed by `u` (personal data shown), `m` (masked) or nothing.
struct Row {
    method: &'static str,
    /// The route as the OpenAPI document or the router names it.
    route: &'static str,
    /// The request: the route with its parameters and a query.
    request: &'static str,
    /// "inside|outside" per role.
    expect: [&'static str; 5],
}

const fn row(
    method: &'static str,
    route: &'static str,
    request: &'static str,
    expect: [&'static str; 5],
) -> Row {
    Row {
        method,
        route,
        request,
        expect,
    }
}

/// The API, under `/api/v1`.
const API: &[Row] = &[
    // Follow-up and plans (issue 12): aggregates read like the figures (an area manager stays
    // inside its areas); partners written by admins; model areas and meetings by admins and
    // area managers (told what is missing without a body); action items moved by their agency.
    row(
        "GET",
        "/change",
        "/change?from=2568-1&to={round}&area={area}",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/areas/ranking",
        "/areas/ranking?area={area}&level=village",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row("GET", "/partners", "/partners", ["200|200"; 5]),
    row(
        "PUT",
        "/partners/{code}",
        "/partners/lpru",
        ["400|400", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "DELETE",
        "/partners/{code}",
        "/partners/nobody",
        ["404|404", "403|403", "403|403", "403|403", "403|403"],
    ),
    row("GET", "/model-areas", "/model-areas", ["200|200"; 5]),
    row(
        "PUT",
        "/model-areas/{area}",
        "/model-areas/{area}",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row(
        "POST",
        "/model-areas/{area}/activities",
        "/model-areas/{area}/activities",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row(
        "POST",
        "/activities/{id}/state",
        "/activities/999999/state",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row("GET", "/meetings", "/meetings", ["200|200"; 5]),
    row(
        "POST",
        "/meetings",
        "/meetings",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row("GET", "/meetings/{id}", "/meetings/999999", ["404|404"; 5]),
    row(
        "POST",
        "/reports",
        "/reports",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/reports/{id}/file",
        "/reports/999999/file",
        ["404|404"; 5],
    ),
    row(
        "POST",
        "/action-items/{id}/moves",
        "/action-items/999999/moves",
        ["400|400", "403|403", "400|400", "403|403", "400|400"],
    ),
    row("GET", "/agencies", "/agencies", ["200|200"; 5]),
    row("GET", "/agencies/{code}", "/agencies/codi", ["200|200"; 5]),
    // Without a body: the admin is told what is missing, the others that they may not.
    row(
        "PUT",
        "/agencies/{code}",
        "/agencies/codi",
        ["400|400", "403|403", "403|403", "403|403", "403|403"],
    ),
    row("GET", "/areas", "/areas?parent={area}", ["200|200"; 5]),
    row("GET", "/areas/{code}", "/areas/{area}", ["200|200"; 5]),
    row(
        "GET",
        "/audit",
        "/audit",
        ["200|200", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/boundaries",
        "/boundaries?level=province",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/cases",
        "/cases",
        ["200|200", "403|403", "200|200", "200|200", "200|200"],
    ),
    // Without a body: a role that reads no cases is refused, the others told what is missing.
    row(
        "POST",
        "/cases",
        "/cases",
        ["400|400", "403|403", "400|400", "400|400", "400|400"],
    ),
    row(
        "GET",
        "/cases/{id}",
        "/cases/999999",
        ["404|404", "403|403", "404|404", "404|404", "404|404"],
    ),
    row(
        "POST",
        "/cases/{id}/moves",
        "/cases/999999/moves",
        ["400|400", "403|403", "400|400", "400|400", "400|400"],
    ),
    // Without a body: a role that records no help is refused, the others told what is missing.
    row(
        "POST",
        "/help",
        "/help",
        ["400|400", "403|403", "400|400", "403|403", "400|400"],
    ),
    row(
        "GET",
        "/help/summary",
        "/help/summary?area={area}",
        ["200|200", "403|403", "200|404", "200|404", "200|200"],
    ),
    // What a caller may read of a household's help, filtered: nothing to tell of the others.
    row(
        "GET",
        "/households/{id}/help",
        "/households/{id}/help",
        ["200|200", "403|403", "200|200", "200|200", "200|200"],
    ),
    // The registry is every role's; matched workers are read by admins, area managers and
    // surveyors; matches are run and accepted by admins and area managers (told what is
    // missing without a body); a hire is recorded by whoever records help.
    row(
        "GET",
        "/enterprises",
        "/enterprises?area={area}",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/enterprises/{id}",
        "/enterprises/999999",
        ["404|404"; 5],
    ),
    row(
        "POST",
        "/matches",
        "/matches",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/matches/{id}/pairs",
        "/matches/999999/pairs",
        ["404|404", "403|403", "404|404", "404|404", "403|403"],
    ),
    row(
        "POST",
        "/rounds/{round}/publish",
        "/rounds/2999-9/publish",
        ["404|404", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "POST",
        "/rounds/{round}/draft",
        "/rounds/2999-9/draft",
        ["404|404", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/matches/{id}/unplaced",
        "/matches/999999/unplaced",
        ["404|404", "403|403", "404|404", "404|404", "403|403"],
    ),
    row(
        "POST",
        "/matches/pairs/{id}/accept",
        "/matches/pairs/999999/accept",
        ["404|404", "403|403", "404|404", "403|403", "403|403"],
    ),
    row(
        "POST",
        "/matches/pairs/{id}/hire",
        "/matches/pairs/999999/hire",
        ["404|404", "403|403", "404|404", "403|403", "404|404"],
    ),
    row(
        "POST",
        "/cases/{id}/comments",
        "/cases/999999/comments",
        ["400|400", "403|403", "400|400", "400|400", "400|400"],
    ),
    // Narrowed to the area: an area manager asking beyond its areas counts nothing there.
    row(
        "GET",
        "/cases/status",
        "/cases/status?area={area}",
        ["200|200", "403|403", "200|200", "200|200", "200|200"],
    ),
    // Without a body: only the roles that refer are told what is missing.
    row(
        "POST",
        "/referrals",
        "/referrals",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/rounds/{round}/export",
        "/rounds/{round}/export?area={area}",
        ["200u|200u", "403|403", "200u|200", "403|403", "403|403"],
    ),
    // Households entered and corrected (issue 13): without a body, every role is told what is
    // missing; the history reads as the household does.
    row(
        "POST",
        "/rounds/{round}/households",
        "/rounds/{round}/households",
        ["400|400", "403|403", "400|400", "400|400", "403|403"],
    ),
    row(
        "PUT",
        "/rounds/{round}/households/{id}",
        "/rounds/{round}/households/{id}",
        ["400|400", "403|403", "400|400", "400|400", "403|403"],
    ),
    row(
        "GET",
        "/rounds/{round}/households/{id}/history",
        "/rounds/{round}/households/{id}/history",
        ["200|200", "403|403", "200|404", "200|404", "200|404"],
    ),
    // Likely duplicates: the roles that list households, inside their areas; decided by admins
    // and area managers (no such group here).
    row(
        "GET",
        "/duplicates",
        "/duplicates?area={area}",
        ["200|200", "403|403", "200|404", "200|404", "403|403"],
    ),
    row(
        "POST",
        "/duplicates/{key}/not-duplicates",
        "/duplicates/0123456789abcdef/not-duplicates",
        ["400|400", "403|403", "400|400", "403|403", "403|403"],
    ),
    row(
        "POST",
        "/duplicates/{key}/merge",
        "/duplicates/0123456789abcdef/merge",
        ["404|404", "403|403", "404|404", "403|403", "403|403"],
    ),
    // The field form holds no household: the roles that import download it.
    row(
        "GET",
        "/forms/household",
        "/forms/household?round={round}",
        ["200|200", "403|403", "200|200", "200|200", "403|403"],
    ),
    row(
        "GET",
        "/rounds/{round}/figures",
        "/rounds/{round}/figures?area={area}",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/rounds/{round}/households",
        "/rounds/{round}/households?area={area}",
        ["200u|200u", "403|403", "200u|200", "200m|200", "200|200"],
    ),
    row(
        "GET",
        "/rounds/{round}/households/{id}",
        "/rounds/{round}/households/{id}",
        ["200u|200u", "403|403", "200u|404", "200m|404", "200m|404"],
    ),
    row(
        "GET",
        "/rounds/{round}/targets",
        "/rounds/{round}/targets?area={area}",
        ["200u|200u", "403|403", "200u|200", "200m|200", "200|200"],
    ),
    row(
        "POST",
        "/imports",
        "/imports",
        ["400|400", "403|403", "400|400", "400|400", "403|403"],
    ),
    row("GET", "/jobs", "/jobs", ["200|200"; 5]),
    row(
        "GET",
        "/jobs/{id}",
        "/jobs/{job}",
        ["200|200", "404|404", "404|404", "404|404", "404|404"],
    ),
    row("GET", "/me", "/me", ["200|200"; 5]),
    row(
        "POST",
        "/rounds/{round}/score",
        "/rounds/{round}/score?methodology=nobody-1",
        ["404|404", "403|403", "403|403", "403|403", "403|403"],
    ),
    row("GET", "/rounds", "/rounds", ["200|200"; 5]),
    row(
        "GET",
        "/tokens",
        "/tokens",
        ["200|200", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "DELETE",
        "/tokens/{id}",
        "/tokens/999999",
        ["404|404", "403|403", "403|403", "403|403", "403|403"],
    ),
];

/// The pages (a browser session). Forms without their CSRF token are refused before anything
/// else (403), whatever the role.
const PAGES: &[Row] = &[
    row(
        "POST",
        "/rounds/{round}/publish",
        "/rounds/{round}/publish",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/rounds/{round}/draft",
        "/rounds/{round}/draft",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/admin/users",
        "/admin/users",
        ["200|200", "403|403", "403|403", "403|403", "403|403"],
    ),
    row("POST", "/admin/users", "/admin/users", ["403|403"; 5]),
    row(
        "POST",
        "/admin/users/{name}/disable",
        "/admin/users/nobody/disable",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/admin/users/{name}/enable",
        "/admin/users/nobody/enable",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/admin/users/{name}/reset",
        "/admin/users/nobody/reset",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/admin/users/{name}/scope",
        "/admin/users/nobody/scope",
        ["403|403"; 5],
    ),
    row("GET", "/login/reset", "/login/reset", ["200|200"; 5]),
    row("POST", "/login/reset", "/login/reset", ["403|403"; 5]),
    row("GET", "/guide", "/guide", ["200|200"; 5]),
    row(
        "GET",
        "/guide/{page}",
        "/guide/methodology-thanrak-default-1",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/guide/template.xlsx",
        "/guide/template.xlsx",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/households/new",
        "/households/new?round={round}",
        ["200u|200u", "403|403", "200u|200u", "200u|200u", "403|403"],
    ),
    row("POST", "/households/new", "/households/new", ["403|403"; 5]),
    row(
        "GET",
        "/households/fix",
        "/households/fix?check={job}&n=0",
        ["404|404", "403|403", "404|404", "404|404", "403|403"],
    ),
    row(
        "GET",
        "/households/{round}/{id}/edit",
        "/households/{round}/{id}/edit",
        ["200u|200u", "403|403", "200u|404", "200m|404", "403|403"],
    ),
    row(
        "POST",
        "/households/{round}/{id}/edit",
        "/households/{round}/{id}/edit",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/duplicates",
        "/duplicates?area={area}",
        ["200|200", "403|403", "200|404", "200|404", "403|403"],
    ),
    row(
        "POST",
        "/duplicates/{key}/not-duplicates",
        "/duplicates/0123456789abcdef/not-duplicates",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/duplicates/{key}/merge",
        "/duplicates/0123456789abcdef/merge",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/duplicates/{key}/merge",
        "/duplicates/0123456789abcdef/merge",
        ["404|404", "403|403", "404|404", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/import/form.xlsx",
        "/import/form.xlsx?round={round}",
        ["200|200", "403|403", "200|200", "200|200", "403|403"],
    ),
    row(
        "GET",
        "/change",
        "/change?area={area}",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/strategy",
        "/strategy?area={area}&level=village",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/strategy/download",
        "/strategy/download?area={area}&level=village&format=csv",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row("GET", "/model-areas", "/model-areas", ["200|200"; 5]),
    row("POST", "/model-areas", "/model-areas", ["403|403"; 5]),
    row(
        "POST",
        "/model-areas/{area}/activities",
        "/model-areas/{area}/activities",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/activities/{id}/state",
        "/activities/999999/state",
        ["403|403"; 5],
    ),
    row("GET", "/meetings", "/meetings", ["200|200"; 5]),
    row("POST", "/meetings", "/meetings", ["403|403"; 5]),
    row("POST", "/reports", "/reports", ["403|403"; 5]),
    row("GET", "/reports/{id}", "/reports/999999", ["404|404"; 5]),
    row(
        "POST",
        "/action-items/{id}/move",
        "/action-items/999999/move",
        ["403|403"; 5],
    ),
    row("GET", "/agencies", "/agencies", ["200|200"; 5]),
    row("POST", "/agencies", "/agencies", ["403|403"; 5]),
    row(
        "GET",
        "/cases",
        "/cases",
        ["200|200", "403|403", "200|200", "200|200", "200|200"],
    ),
    row(
        "POST",
        "/cases/{id}/move",
        "/cases/999999/move",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/cases/{id}/comment",
        "/cases/999999/comment",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/cases/{id}/help",
        "/cases/999999/help",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/cases/{id}",
        "/cases/999999",
        ["404|404", "403|403", "404|404", "404|404", "404|404"],
    ),
    row(
        "GET",
        "/cases/download",
        "/cases/download?format=csv",
        ["200|200", "403|403", "200|200", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/help",
        "/help?area={area}",
        ["200|200", "403|403", "200|404", "200|404", "200|200"],
    ),
    row(
        "GET",
        "/enterprises",
        "/enterprises?area={area}",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/enterprises/{id}",
        "/enterprises/999999",
        ["404|404"; 5],
    ),
    row(
        "GET",
        "/matching",
        "/matching",
        ["200|200", "403|403", "200|200", "200|200", "403|403"],
    ),
    row("POST", "/matching", "/matching", ["403|403"; 5]),
    row(
        "POST",
        "/matching/pairs/{id}/accept",
        "/matching/pairs/999999/accept",
        ["403|403"; 5],
    ),
    row(
        "POST",
        "/matching/pairs/{id}/hire",
        "/matching/pairs/999999/hire",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/",
        "/?area={area}",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/map",
        "/map?area={area}",
        ["200|200", "200|200", "200|404", "200|200", "200|200"],
    ),
    row(
        "GET",
        "/targets",
        "/targets?area={area}",
        ["200u|200u", "403|403", "200u|200", "200m|200", "200|200"],
    ),
    row("POST", "/targets/refer", "/targets/refer", ["403|403"; 5]),
    row(
        "GET",
        "/targets/download",
        "/targets/download?area={area}",
        ["200u|200u", "403|403", "200u|200", "200m|200", "200|200"],
    ),
    row(
        "GET",
        "/households/{round}/{id}",
        "/households/{round}/{id}",
        ["200u|200u", "403|403", "200u|404", "200m|404", "200m|404"],
    ),
    row(
        "POST",
        "/households/{round}/{id}/refer",
        "/households/{round}/{id}/refer",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/audit",
        "/audit",
        ["200|200", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "GET",
        "/admin/tokens",
        "/admin/tokens",
        ["200|200", "403|403", "403|403", "403|403", "403|403"],
    ),
    row(
        "POST",
        "/admin/tokens/revoke",
        "/admin/tokens/revoke",
        ["403|403"; 5],
    ),
    row(
        "GET",
        "/import",
        "/import",
        ["200|200", "403|403", "200|200", "200|200", "403|403"],
    ),
    // Not a file upload at all: refused as such once the role may import.
    row(
        "POST",
        "/import",
        "/import",
        ["400|400", "403|403", "400|400", "400|400", "403|403"],
    ),
    row("POST", "/import/confirm", "/import/confirm", ["403|403"; 5]),
    row("GET", "/jobs", "/jobs", ["200|200"; 5]),
    row(
        "GET",
        "/jobs/{id}",
        "/jobs/{job}",
        ["200|200", "404|404", "404|404", "404|404", "404|404"],
    ),
    row("GET", "/login", "/login", ["200|200"; 5]),
    row("POST", "/logout", "/logout", ["403|403"; 5]),
    row("GET", "/assets/map.js", "/assets/map.js", ["200|200"; 5]),
    row(
        "GET",
        "/assets/area-picker.js",
        "/assets/area-picker.js",
        ["200|200"; 5],
    ),
    row("GET", "/assets/jobs.js", "/assets/jobs.js", ["200|200"; 5]),
    row(
        "GET",
        "/assets/leaflet/leaflet.js",
        "/assets/leaflet/leaflet.js",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/assets/leaflet/leaflet.css",
        "/assets/leaflet/leaflet.css",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/assets/leaflet/LICENSE",
        "/assets/leaflet/LICENSE",
        ["200|200"; 5],
    ),
    row(
        "GET",
        "/assets/leaflet/images/{name}",
        "/assets/leaflet/images/marker-icon.png",
        ["200|200"; 5],
    ),
];

/// The values a request's placeholders take in one case.
struct Case {
    round: String,
    area: String,
    id: String,
    job: i64,
}

fn fill(request: &str, c: &Case) -> String {
    request
        .replace("{round}", &c.round)
        .replace("{area}", &c.area)
        .replace("{id}", &c.id)
        .replace("{job}", &c.job.to_string())
}

/// Whether a body shows personal data: `Some(true)` unmasked names, `Some(false)` masked ones,
/// `None` when it holds no name at all.
fn names_shown(body: &str) -> Option<bool> {
    // A downloaded table: its header names personal columns; data rows follow or not.
    let csv_rows = body.trim_start_matches('\u{feff}').lines().count();
    let personal_csv = body.contains("house_no,") || body.contains(",head_name,");
    if body.contains("***") {
        Some(false)
    } else if personal_csv {
        (csv_rows > 1).then_some(true)
    } else if body.contains("class=\"name\">")
        || body.contains("first_name")
        || body.contains("head_name\":\"")
        || body.contains("data-name")
        || body.contains("class=\"head\"")
    {
        Some(true)
    } else {
        None
    }
}

fn answer(status: StatusCode, body: &str) -> String {
    let mark = match names_shown(body) {
        Some(true) => "u",
        Some(false) => "m",
        None => "",
    };
    format!("{}{mark}", status.as_u16())
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let app = common::Server::start().await;
    let round = app.rounds.last().unwrap().clone();
    let households = common::households(&app.store, &round).await;
    let inside_hh = households
        .iter()
        .find(|h| h.village_code.is_within(&app.surveyed))
        .unwrap();
    let outside_hh = households
        .iter()
        .find(|h| h.village_code.is_within(&common::code("45")))
        .unwrap();
    let mut tokens = Vec::new();
    let mut sessions = Vec::new();
    for user in ROLES {
        let (token, digest) = credentials::new_api_token();
        access::add_api_token(&app.store, user, &digest)
            .await
            .unwrap();
        tokens.push(token);
        sessions.push(app.login(user).await);
    }
    // One job, the admin's: the scoring of the round, queued through the API.
    let res = app
        .client
        .post(format!("http://{}/api/v1/rounds/{round}/score", app.addr))
        .header("authorization", format!("Bearer {}", tokens[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The inside household referred to CODI by the Lampang area manager.
    let lampang = app
        .store
        .accounts()
        .user(&thanrak_core::identity::UserName::parse("lampang").unwrap())
        .await
        .unwrap();
    thanrak_app::cases::refer(
        &app.store,
        &lampang,
        &thanrak_app::cases::ReferRequest {
            round: thanrak_core::RoundLabel::parse(&round).unwrap(),
            household_id: inside_hh.household_id.clone(),
            need: "housing".into(),
            agency: thanrak_core::identity::AgencyCode::parse("codi").unwrap(),
            note: String::new(),
            due_on: None,
            send: true,
        },
    )
    .await
    .unwrap();
    let cases = [
        Case {
            round: round.clone(),
            area: app.surveyed.to_string(),
            id: inside_hh.household_id.to_string(),
            job,
        },
        Case {
            round: round.clone(),
            area: "45".into(),
            id: outside_hh.household_id.to_string(),
            job,
        },
    ];

    // Every API route of the document is in the table, and no other.
    let doc: Value = app
        .client
        .get(format!("http://{}/api/openapi.json", app.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let path = path.strip_prefix("/api/v1").unwrap_or(path);
            documented.insert((method.to_uppercase(), path.to_string()));
        }
    }
    let tabled: BTreeSet<(String, String)> = API
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_string()))
        .collect();
    assert_eq!(
        documented, tabled,
        "a route of the API is missing from the table (or gone)"
    );
    // Every page the router names is in the table.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
    let mut pages = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        for part in text.split(".route(").skip(1) {
            let path = part.trim_start().trim_start_matches('"');
            pages.insert(path[..path.find('"').unwrap()].to_string());
        }
    }
    let page_rows: BTreeSet<String> = PAGES.iter().map(|r| r.route.to_string()).collect();
    let missing: Vec<&String> = pages.difference(&page_rows).collect();
    assert!(
        missing.is_empty(),
        "pages missing from the table: {missing:?}"
    );

    let mut wrong = Vec::new();
    for (rows, api) in [(API, true), (PAGES, false)] {
        for r in rows {
            for (i, role) in ROLES.iter().enumerate() {
                let mut got = Vec::new();
                for c in &cases {
                    let path = fill(r.request, c);
                    let url = if api {
                        format!("http://{}/api/v1{path}", app.addr)
                    } else {
                        format!("http://{}{path}", app.addr)
                    };
                    let req = app
                        .client
                        .request(Method::from_bytes(r.method.as_bytes()).unwrap(), url);
                    let req = if api {
                        req.header("authorization", format!("Bearer {}", tokens[i]))
                    } else {
                        req.header("cookie", format!("thanrak_session={}", sessions[i]))
                    };
                    let res = req.send().await.unwrap();
                    let status = res.status();
                    got.push(answer(status, &res.text().await.unwrap()));
                }
                let got = got.join("|");
                if got != r.expect[i] {
                    wrong.push(format!(
                        "{} {} as {role}: expected {}, got {got}",
                        r.method, r.request, r.expect[i]
                    ));
                }
            }
        }
    }
    // Scope sanity: the outside household is outside the surveyor's and the area manager's.
    assert!(!Scope::Areas(vec![app.surveyed]).contains(&outside_hh.village_code));
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

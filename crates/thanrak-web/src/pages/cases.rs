//! The referral cases pages. `/cases`: an agency officer's inbox (the cases sent to its agency),
//! an area manager's or surveyor's cases of its areas, an admin's all — newest first, filtered
//! by state, agency or overdue, with the household, its village by name, the need and agency by
//! their names, priority, owner, due date (Buddhist Era on Thai pages) and overdue flag, and a
//! button for each move that is the user's to make (`POST /cases/{id}/move`, at the version
//! shown; a case changed since is refused with 409); `/cases/download?format=csv|xlsx` the same
//! list as a file. `/cases/{id}`: one case with its history, its moves and a comment box
//! (`POST /cases/{id}/comment`), the help recorded on it, and for the party that may resolve
//! it the form that records the help given and so closes it (`POST /cases/{id}/help`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::Paging;
use thanrak_app::cases::{self, CaseQuery};
use thanrak_app::db::Case;
use thanrak_app::scoring::default_methodology;
use thanrak_app::targeting::{table_csv, table_xlsx};
use thanrak_core::agency::Agency;
use thanrak_core::case::{self as workflow, CaseMove, CaseState};
use thanrak_core::help::{Addresses, HelpKind};
use thanrak_core::identity::User;
use thanrak_core::{AreaRegistry, Lang};

use crate::api::cases::CaseListQuery;
use crate::auth::{CsrfForm, PageUser};
use crate::error::ApiError;
use crate::i18n::LangChoice;
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// Cases per page.
const PER_PAGE: u32 = 50;

/// `/cases`, `/cases/download`, `/cases/{id}`, `/cases/{id}/move` and `/cases/{id}/comment`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(cases_page))
        .route("/cases/download", get(download))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/move", post(move_case))
        .route("/cases/{id}/comment", post(comment_case))
        .route("/cases/{id}/help", post(record_help))
}

/// The page's query string (a form's: every value is text, an unticked box absent).
#[derive(Debug, Default, Deserialize)]
struct CasesQuery {
    page: Option<u32>,
    format: Option<String>,
    state: Option<String>,
    agency: Option<String>,
    overdue: Option<String>,
}

impl CasesQuery {
    fn filter(&self) -> CaseListQuery {
        CaseListQuery {
            state: self.state.clone(),
            agency: self.agency.clone(),
            overdue: self
                .overdue
                .as_deref()
                .is_some_and(|v| v == "true" || v == "on"),
        }
    }
}

fn date(l: Lang, d: chrono::NaiveDate) -> String {
    match l {
        Lang::Th => thanrak_core::date::format_thai(d),
        Lang::En => thanrak_core::date::format_iso(d),
    }
}

/// What a case row or page needs to name things: the needs' and agencies' labels.
struct Names {
    agencies: std::sync::Arc<Vec<Agency>>,
    lang: Lang,
}

impl Names {
    async fn load(state: &AppState, lang: Lang) -> Names {
        Names {
            agencies: thanrak_app::agencies::cached_agencies(state.store(), state.figures())
                .await
                .unwrap_or_default(),
            lang,
        }
    }

    fn need(&self, id: &str) -> String {
        default_methodology()
            .methodology
            .needs()
            .iter()
            .find(|n| n.id == id)
            .map_or_else(
                || id.to_string(),
                |n| match self.lang {
                    Lang::Th => n.label_th.clone(),
                    Lang::En => n.label_en.clone(),
                },
            )
    }

    fn agency(&self, code: &str) -> String {
        self.agencies
            .iter()
            .find(|a| a.code.as_str() == code)
            .map_or_else(
                || code.to_string(),
                |a| match self.lang {
                    Lang::Th => a.name_th.clone(),
                    Lang::En => a.name_en.clone(),
                },
            )
    }
}

fn subdistrict(c: &Case) -> String {
    c.new
        .village_code
        .parent()
        .and_then(|s| AreaRegistry::official().get(&s))
        .map(|a| a.name_th.clone())
        .unwrap_or_default()
}

/// A case as the pages show it, with the moves that are `user`'s to make.
fn case_row(c: &Case, user: &User, names: &Names) -> Value {
    let l = names.lang;
    let party = thanrak_app::policy::case_party(user, &c.new.agency, &c.new.village_code);
    let moves: Vec<Value> = CaseMove::ALL
        .iter()
        .filter(|m| workflow::apply(c.state, **m, party, Some("-")).is_ok())
        .map(|m| context! { code => m.as_str(), label => m.label(l), reason => *m == CaseMove::Decline })
        .collect();
    let today = chrono::Utc::now().date_naive();
    context! {
        id => c.id,
        version => c.version,
        household_id => c.new.household_id.as_str(),
        round => c.new.round.as_str(),
        village => format!("{} · {}", c.new.village_code, subdistrict(c)),
        need => names.need(&c.new.need),
        agency => names.agency(c.new.agency.as_str()),
        state => c.state.as_str(),
        state_label => c.state.label(l),
        priority => c.new.priority,
        due => c.new.due_on.map(|d| date(l, d)),
        overdue => workflow::is_overdue(c.state, c.new.due_on, today),
        note => &c.new.note,
        by => &c.new.created_by_name,
        owner => &c.owner,
        opened => crate::i18n::format_time(l, c.created_at),
        comments => party != workflow::Party::Other,
        // One form for the row's moves: a note box when one of them needs a reason.
        reason => moves.iter().any(|m| m.get_attr("reason").is_ok_and(|r| r.is_true())),
        moves,
    }
}

/// The query string of a filter, for links that keep it.
fn filter_query(f: &CaseListQuery) -> String {
    let mut parts = Vec::new();
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("state={s}"));
    }
    if let Some(a) = f.agency.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("agency={a}"));
    }
    if f.overdue {
        parts.push("overdue=true".into());
    }
    parts.join("&")
}

async fn cases_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<CasesQuery>,
) -> Response {
    let l = lang.lang;
    let filter = q.filter();
    let (paging, query) = match (Paging::new(q.page, Some(PER_PAGE)), filter.query()) {
        (Ok(p), Ok(f)) => (p, f),
        (Err(e), _) => return error_page(&state, &lang, e.into()),
        (_, Err(e)) => return error_page(&state, &lang, e),
    };
    let list =
        match cases::list_cases(state.store(), state.figures(), &page.user, &query, paging).await {
            Ok(list) => list,
            Err(e) => return error_page(&state, &lang, ApiError::from(e)),
        };
    let names = Names::load(&state, l).await;
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|c| case_row(c, &page.user, &names))
        .collect();
    let pages = list.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let n = u64::from(list.page);
    let kept = filter_query(&filter);
    let with = |extra: String| {
        let mut s = String::from("/cases?");
        s.push_str(&extra);
        if !kept.is_empty() {
            s.push('&');
            s.push_str(&kept);
        }
        s
    };
    let own_agency = thanrak_app::policy::referral_agency(&page.user).is_some();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "cases.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            cases => rows,
            total => list.total,
            page => n,
            pages,
            prev => (n > 1).then(|| with(format!("page={}", n - 1))),
            next => (n < pages).then(|| with(format!("page={}", n + 1))),
            states => CaseState::ALL.iter().map(|s| context! { code => s.as_str(), label => s.label(l) }).collect::<Vec<_>>(),
            agencies => (!own_agency).then(|| names.agencies.iter().map(|a| context! { code => a.code.as_str(), label => names.agency(a.code.as_str()) }).collect::<Vec<_>>()),
            f_state => filter.state.as_deref().unwrap_or(""),
            f_agency => filter.agency.as_deref().unwrap_or(""),
            f_overdue => filter.overdue,
            download => if kept.is_empty() { String::new() } else { format!("&{kept}") },
        },
    )
}

/// The columns of a downloaded case list.
const TABLE_HEADER: [&str; 16] = [
    "case",
    "household_id",
    "round",
    "village_code",
    "subdistrict",
    "need",
    "agency",
    "state",
    "state_th",
    "priority",
    "due_on",
    "overdue",
    "owner",
    "referred_by",
    "opened_on",
    "note",
];

async fn download(
    State(state): State<AppState>,
    page: PageUser,
    Query(q): Query<CasesQuery>,
) -> Result<Response, ApiError> {
    let xlsx = match q.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "xlsx" => true,
        f => return Err(ApiError::invalid(format!("format {f:?}: use csv or xlsx"))),
    };
    let query: CaseQuery = q.filter().query()?;
    let list = cases::all_cases(state.store(), &page.user, &query).await?;
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.new.household_id.to_string(),
                c.new.round.to_string(),
                c.new.village_code.to_string(),
                subdistrict(c),
                c.new.need.clone(),
                c.new.agency.to_string(),
                c.state.as_str().to_string(),
                c.state.label_th().to_string(),
                c.new.priority.to_string(),
                c.new.due_on.map(|d| d.to_string()).unwrap_or_default(),
                if workflow::is_overdue(c.state, c.new.due_on, today) {
                    "yes"
                } else {
                    ""
                }
                .to_string(),
                c.owner.clone().unwrap_or_default(),
                c.new.created_by_name.clone(),
                c.created_at.date_naive().to_string(),
                c.new.note.clone(),
            ]
        })
        .collect();
    let (body, ct, ext) = if xlsx {
        (
            table_xlsx("cases", &TABLE_HEADER, &rows)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (
            table_csv(&TABLE_HEADER, &rows)?,
            "text/csv; charset=utf-8",
            "csv",
        )
    };
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"cases.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

async fn case_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path(id): Path<String>,
) -> Response {
    let l = lang.lang;
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &lang, ApiError::not_found("there is no such case"));
    };
    let (c, events) = match cases::get_case(state.store(), &page.user, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let names = Names::load(&state, l).await;
    let history: Vec<Value> = events
        .iter()
        .map(|e| {
            context! {
                // Bangkok time, the date in the Buddhist Era on Thai pages.
                at => crate::i18n::format_time(l, e.at),
                by => &e.user_name,
                comment => e.is_comment(),
                from => e.from.map(|s| s.label(l)),
                to => e.to.label(l),
                note => &e.note,
            }
        })
        .collect();
    // The help recorded on this case, and the form that records help and closes it: for the
    // party that may resolve it, while it is accepted or in progress.
    let help: Vec<Value> =
        thanrak_app::help::help_for_household(state.store(), &page.user, &c.new.household_id)
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.new.help.case_id == Some(c.id))
            .map(|r| {
                let h = &r.new.help;
                context! {
                    given => date(l, h.given_on()),
                    kind => h.kind.label(l),
                    addresses => h.addresses.label(l),
                    what => h.what(),
                    value => super::help::money(l, h.value_satang()),
                    by => &r.new.recorded_by,
                }
            })
            .collect();
    let party = thanrak_app::policy::case_party(&page.user, &c.new.agency, &c.new.village_code);
    let closes = workflow::apply(c.state, CaseMove::Resolve, party, None).is_ok()
        && thanrak_app::policy::help_recorder(&page.user).is_ok();
    let record = closes.then(|| {
        context! {
            kinds => HelpKind::ALL.iter().map(|k| context! { code => k.as_str(), label => k.label(l) }).collect::<Vec<_>>(),
            addresses => Addresses::codes().iter().filter_map(|code| Addresses::parse(code).ok()).map(|a| context! { code => a.as_str().to_string(), label => a.label(l) }).collect::<Vec<_>>(),
            today => chrono::Utc::now().date_naive().to_string(),
        }
    });
    render(
        &state,
        &lang,
        StatusCode::OK,
        "case.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            c => case_row(&c, &page.user, &names),
            history,
            help,
            record,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct HelpFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    addresses: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    value_baht: String,
    #[serde(default)]
    given_on: String,
}

/// Records the help given on a case (which resolves it) and shows the case again.
async fn record_help(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<String>,
    form: CsrfForm<HelpFields>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &lang, ApiError::not_found("there is no such case"));
    };
    let user = &form.user.user;
    let c = match cases::get_case(state.store(), user, id).await {
        Ok((c, _)) => c,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let f = form.form;
    let body = crate::api::help::HelpBody {
        round: c.new.round.to_string(),
        household_id: c.new.household_id.to_string(),
        agency: c.new.agency.to_string(),
        kind: f.kind,
        addresses: f.addresses,
        what: f.what,
        value_baht: f.value_baht,
        given_on: f.given_on,
        case_id: Some(id),
    };
    let recorded = match crate::api::help::help_request(body) {
        Ok(req) => thanrak_app::help::record_help(state.store(), user, &req)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match recorded {
        Ok(_) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) => error_page(&state, &lang, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct MoveFields {
    #[serde(default, rename = "move")]
    action: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    note: String,
    /// Where to go back to: the case's page, or the list (default).
    #[serde(default)]
    back: String,
}

fn back_to(back: &str, id: i64) -> String {
    if back == "case" {
        format!("/cases/{id}")
    } else {
        format!("/cases#case-{id}")
    }
}

async fn move_case(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<String>,
    form: CsrfForm<MoveFields>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &lang, ApiError::not_found("there is no such case"));
    };
    let Some(m) = CaseMove::parse(&form.form.action) else {
        return error_page(&state, &lang, ApiError::invalid("unknown move"));
    };
    match cases::move_case(
        state.store(),
        &form.user.user,
        id,
        form.form.version,
        m,
        &form.form.note,
    )
    .await
    {
        Ok(_) => Redirect::to(&back_to(&form.form.back, id)).into_response(),
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CommentFields {
    #[serde(default)]
    note: String,
}

async fn comment_case(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<String>,
    form: CsrfForm<CommentFields>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &lang, ApiError::not_found("there is no such case"));
    };
    match cases::comment_case(state.store(), &form.user.user, id, &form.form.note).await {
        Ok(()) => Redirect::to(&format!("/cases/{id}#history")).into_response(),
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

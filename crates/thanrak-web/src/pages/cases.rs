//! The referral cases page (`/cases`): an agency officer's inbox (the cases sent to its agency),
//! an area manager's or surveyor's cases of its areas, an admin's all — newest first, with the
//! household, its village by name, the need by its label, priority, due date (Buddhist Era on
//! Thai pages) and overdue flag, and a button for each move that is the user's to make
//! (`POST /cases/{id}/move`, at the version shown; a case changed since is refused with 409).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::Paging;
use thanrak_app::cases;
use thanrak_app::scoring::default_methodology;
use thanrak_core::case::{self as workflow, CaseMove};
use thanrak_core::identity::Scope;
use thanrak_core::{AreaRegistry, Lang};

use crate::auth::{CsrfForm, PageUser};
use crate::error::ApiError;
use crate::i18n::LangChoice;
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// Cases per page.
const PER_PAGE: u32 = 50;

/// `/cases` and `/cases/{id}/move`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(cases_page))
        .route("/cases/{id}/move", post(move_case))
}

#[derive(Debug, Default, Deserialize)]
struct CasesQuery {
    page: Option<u32>,
}

fn date(l: Lang, d: chrono::NaiveDate) -> String {
    match l {
        Lang::Th => thanrak_core::date::format_thai(d),
        Lang::En => thanrak_core::date::format_iso(d),
    }
}

async fn cases_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<CasesQuery>,
) -> Response {
    let l = lang.lang;
    let paging = match Paging::new(q.page, Some(PER_PAGE)) {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let list = match cases::list_cases(state.store(), &page.user, paging).await {
        Ok(list) => list,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let lm = default_methodology();
    let need_label = |id: &str| {
        lm.methodology
            .needs()
            .iter()
            .find(|n| n.id == id)
            .map_or_else(
                || id.to_string(),
                |n| match l {
                    Lang::Th => n.label_th.clone(),
                    Lang::En => n.label_en.clone(),
                },
            )
    };
    let registry = AreaRegistry::official();
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|c| {
            let party = thanrak_app::policy::case_party(&page.user, &c.new.agency, &c.new.village_code);
            let moves: Vec<Value> = CaseMove::ALL
                .iter()
                .filter(|m| workflow::apply(c.state, **m, party, Some("-")).is_ok())
                .map(|m| context! { code => m.as_str(), label => m.label(l), reason => *m == CaseMove::Decline })
                .collect();
            let subdistrict = c
                .new
                .village_code
                .parent()
                .and_then(|s| registry.areas().iter().find(|a| a.code == s))
                .map(|a| a.name_th.clone())
                .unwrap_or_default();
            context! {
                id => c.id,
                version => c.version,
                household_id => c.new.household_id.as_str(),
                round => c.new.round.as_str(),
                village => format!("{} · {subdistrict}", c.new.village_code),
                need => need_label(&c.new.need),
                agency => c.new.agency.as_str(),
                state => c.state.as_str(),
                state_label => c.state.label(l),
                priority => c.new.priority,
                due => c.new.due_on.map(|d| date(l, d)),
                overdue => workflow::is_overdue(c.state, c.new.due_on, today),
                note => &c.new.note,
                by => &c.new.created_by_name,
                moves,
            }
        })
        .collect();
    let pages = list.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let n = u64::from(list.page);
    render(
        &state,
        &lang,
        StatusCode::OK,
        "cases.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            cases => rows,
            // Profiles are linked only for a user who may open them (an agency officer does not
            // read the households of its cases yet), so that no link leads to a refusal.
            link_profiles => matches!(
                thanrak_app::policy::household_scope(&page.user),
                Ok(Scope::All | Scope::Areas(_))
            ),
            total => list.total,
            page => n,
            pages,
            prev => (n > 1).then(|| format!("/cases?page={}", n - 1)),
            next => (n < pages).then(|| format!("/cases?page={}", n + 1)),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct MoveFields {
    #[serde(default, rename = "move")]
    action: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    note: String,
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
        Ok(_) => Redirect::to(&format!("/cases#case-{id}")).into_response(),
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

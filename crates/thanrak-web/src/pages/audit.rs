//! The audit log (`/audit`), for admins: who saw whose personal data, when and through what,
//! newest first, a page at a time.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use thanrak_app::access::{audit_log, Paging};

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::i18n::{format_time, LangChoice};
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// Lines per page.
const PER_PAGE: u32 = 50;
/// Household ids listed on a line before "and N more".
const IDS_SHOWN: usize = 5;

/// `/audit`.
pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    page: Option<u32>,
}

async fn audit_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    let l = lang.lang;
    let paging = match Paging::new(q.page, Some(PER_PAGE)) {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let log = match audit_log(state.store(), &page.user, paging).await {
        Ok(log) => log,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let pages = log.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let lines: Vec<_> = log
        .items
        .iter()
        .map(|a| {
            let e = &a.entry;
            let ids = &e.household_ids;
            context! {
                id => a.id,
                at => format_time(l, e.at),
                user => &e.user_name,
                action => &e.action,
                round => &e.round,
                households => ids.len(),
                shown => ids.iter().take(IDS_SHOWN).map(|id| context! {
                    id => id,
                    href => e.round.as_ref().map(|r| format!("/households/{r}/{id}")),
                }).collect::<Vec<_>>(),
                more => ids.len().saturating_sub(IDS_SHOWN),
            }
        })
        .collect();
    let n = u64::from(log.page);
    render(
        &state,
        &lang,
        StatusCode::OK,
        "audit.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            lines,
            total => log.total,
            page => n,
            pages,
            prev => (n > 1).then(|| format!("/audit?page={}", n - 1)),
            next => (n < pages).then(|| format!("/audit?page={}", n + 1)),
        },
    )
}

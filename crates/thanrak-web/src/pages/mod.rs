//! Server-rendered pages (minijinja templates compiled into the binary), in Thai with an English
//! switch: login, the dashboard, and the pages of the features (among them the jobs pages).

mod agencies;
mod audit;
mod cases;
mod dashboard;
mod economy;
mod followup;
mod guide;
mod help;
mod import;
mod jobs;
mod login;
mod map;
mod plan;
mod profile;
mod records;
mod targets;
pub(crate) mod texts;
mod tokens;
mod users;

pub(crate) use import::{
    remove_staging_folder, staged_name, staging_root, upload_error, MAX_UPLOAD_BYTES,
};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use minijinja::{Environment, State, Value};

use crate::error::ApiError;
use crate::i18n::Texts;
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

/// The pages' routes.
pub fn router() -> Router<AppState> {
    login::router()
        .merge(dashboard::router())
        .merge(map::router())
        .merge(targets::router())
        .merge(profile::router())
        .merge(records::router())
        .merge(import::router())
        .merge(jobs::router())
        .merge(audit::router())
        .merge(tokens::router())
        .merge(users::router())
        .merge(guide::router())
        .merge(agencies::router())
        .merge(cases::router())
        .merge(help::router())
        .merge(economy::router())
        .merge(followup::router())
        .merge(plan::router())
}

/// The templates, compiled into the binary. `t(key)` looks a text up in the page's language.
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("change.html", include_str!("../../templates/change.html")),
        ("users.html", include_str!("../../templates/users.html")),
        ("guide.html", include_str!("../../templates/guide.html")),
        (
            "login_reset.html",
            include_str!("../../templates/login_reset.html"),
        ),
        (
            "strategy.html",
            include_str!("../../templates/strategy.html"),
        ),
        (
            "model_areas.html",
            include_str!("../../templates/model_areas.html"),
        ),
        (
            "meetings.html",
            include_str!("../../templates/meetings.html"),
        ),
        ("login.html", include_str!("../../templates/login.html")),
        ("map.html", include_str!("../../templates/map.html")),
        ("error.html", include_str!("../../templates/error.html")),
        (
            "dashboard.html",
            include_str!("../../templates/dashboard.html"),
        ),
        ("targets.html", include_str!("../../templates/targets.html")),
        ("profile.html", include_str!("../../templates/profile.html")),
        (
            "household_form.html",
            include_str!("../../templates/household_form.html"),
        ),
        (
            "household_field.html",
            include_str!("../../templates/household_field.html"),
        ),
        (
            "duplicates_merge.html",
            include_str!("../../templates/duplicates_merge.html"),
        ),
        (
            "duplicates.html",
            include_str!("../../templates/duplicates.html"),
        ),
        ("import.html", include_str!("../../templates/import.html")),
        (
            "import_report.html",
            include_str!("../../templates/import_report.html"),
        ),
        ("audit.html", include_str!("../../templates/audit.html")),
        ("tokens.html", include_str!("../../templates/tokens.html")),
        (
            "agencies.html",
            include_str!("../../templates/agencies.html"),
        ),
        ("cases.html", include_str!("../../templates/cases.html")),
        ("case.html", include_str!("../../templates/case.html")),
        ("help.html", include_str!("../../templates/help.html")),
        (
            "enterprises.html",
            include_str!("../../templates/enterprises.html"),
        ),
        (
            "enterprise.html",
            include_str!("../../templates/enterprise.html"),
        ),
        (
            "matching.html",
            include_str!("../../templates/matching.html"),
        ),
        ("jobs.html", include_str!("../../templates/jobs.html")),
        ("job.html", include_str!("../../templates/job.html")),
        (
            "job_progress.html",
            include_str!("../../templates/job_progress.html"),
        ),
    ] {
        env.add_template(name, source)
            .expect("the shipped templates are valid");
    }
    env.add_function("t", |state: &State, key: String| -> String {
        let lang = match state.lookup("lang").as_ref().and_then(Value::as_str) {
            Some("en") => Lang::En,
            _ => Lang::Th,
        };
        lang.text(&key).to_string()
    });
    env
}

/// An error page's content, kept on its response so that [`keep_menu`] can draw it again with
/// the reader's menu.
#[derive(Debug, Clone)]
pub(crate) struct ErrorView {
    status: StatusCode,
    message: String,
    lang: LangChoice,
}

/// The error page of `status` with what went wrong (`message`: the refusal's own words, which
/// name only what the reader asked for) and what to do about it; `account`: the reader's menu.
fn error_view(
    state: &AppState,
    lang: &LangChoice,
    status: StatusCode,
    message: String,
    account: Option<Value>,
) -> Response {
    let (key, todo) = match status {
        StatusCode::NOT_FOUND => ("err.not_found", "err.todo_not_found"),
        StatusCode::FORBIDDEN => ("err.forbidden", "err.todo_forbidden"),
        _ => ("err.bad_request", "err.todo_bad_request"),
    };
    let mut res = render(
        state,
        lang,
        status,
        "error.html",
        minijinja::context! { key, todo, message => &message, account },
    );
    res.extensions_mut().insert(ErrorView {
        status,
        message,
        lang: lang.clone(),
    });
    res
}

/// Draws error pages with the reader's menu: a page's own error page (an [`ErrorView`]), and
/// the JSON refusal of an extractor (a malformed query, an unknown path) to a browser asking
/// for a page rather than the API. Only error responses are touched, so other pages pay nothing.
pub(crate) async fn keep_menu(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = req.headers().clone();
    let lang = LangChoice::of(req.uri(), &headers);
    let page_path = !req.uri().path().starts_with("/api")
        && req.method() == axum::http::Method::GET
        && headers
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let res = next.run(req).await;
    let status = res.status();
    if !matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) {
        return res;
    }
    let view = match res.extensions().get::<ErrorView>().cloned() {
        Some(v) => v,
        None if page_path => {
            let body = axum::body::to_bytes(res.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            ErrorView {
                status,
                message,
                lang,
            }
        }
        None => return res,
    };
    let account = match crate::auth::page_user(&state, &headers).await {
        Some(page) => Some(dashboard::account(&page, view.lang.lang)),
        None => None,
    };
    error_view(&state, &view.lang, view.status, view.message, account)
}

/// Renders a page with the language in its context; remembers an explicit language choice.
fn render(
    state: &AppState,
    lang: &LangChoice,
    status: StatusCode,
    name: &str,
    ctx: Value,
) -> Response {
    let ctx = minijinja::context! { lang => lang.lang.code(), ..ctx };
    let html = match state
        .templates()
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => html,
        Err(e) => return ApiError::internal(&e).into_response(),
    };
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(c) = &lang.set_cookie {
        h.append(header::SET_COOKIE, c.clone());
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_key_in_the_templates_exists() {
        let re_src = [
            include_str!("../../templates/base.html"),
            include_str!("../../templates/login.html"),
            include_str!("../../templates/error.html"),
            include_str!("../../templates/dashboard.html"),
            include_str!("../../templates/targets.html"),
            include_str!("../../templates/profile.html"),
            include_str!("../../templates/import.html"),
            include_str!("../../templates/audit.html"),
            include_str!("../../templates/tokens.html"),
            include_str!("../../templates/users.html"),
            include_str!("../../templates/guide.html"),
            include_str!("../../templates/login_reset.html"),
            include_str!("../../templates/agencies.html"),
            include_str!("../../templates/jobs.html"),
            include_str!("../../templates/job.html"),
            include_str!("../../templates/job_progress.html"),
            include_str!("../../templates/cases.html"),
            include_str!("../../templates/case.html"),
            include_str!("../../templates/help.html"),
            include_str!("../../templates/enterprises.html"),
            include_str!("../../templates/enterprise.html"),
            include_str!("../../templates/matching.html"),
            include_str!("../../templates/change.html"),
            include_str!("../../templates/strategy.html"),
            include_str!("../../templates/model_areas.html"),
            include_str!("../../templates/meetings.html"),
        ];
        for src in re_src {
            for part in src.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert_ne!(Lang::En.text(key), key, "no text for {key}");
            }
        }
        templates();
    }
}

//! Logging in and out (a logged-in user lands on the dashboard, `/`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use crate::auth::{self, credentials, ClientIp, CsrfForm, LoginError};
use crate::error::ApiError;
use crate::i18n::{LangChoice, Texts};
use crate::AppState;

use super::render;

/// `/`, `/login` and `/logout`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/login/reset", get(reset_page).post(reset_password))
        .route("/logout", post(logout))
}

/// How long the login form's token stays valid.
const LOGIN_FORM_SECONDS: i64 = 3600;

/// Shows the login form with a fresh double-submit token (in a cookie and a hidden field).
fn login_form(
    state: &AppState,
    lang: &LangChoice,
    headers: &HeaderMap,
    status: StatusCode,
    name: &str,
    error: Option<&str>,
) -> Response {
    login_form_with(state, lang, headers, status, name, error, false)
}

/// [`login_form`], saying that a new password was just set when `reset_done`.
fn login_form_with(
    state: &AppState,
    lang: &LangChoice,
    headers: &HeaderMap,
    status: StatusCode,
    name: &str,
    error: Option<&str>,
    reset_done: bool,
) -> Response {
    with_form_token(state, lang, headers, status, "login.html", |csrf| {
        context! { csrf, name, error, reset_done }
    })
}

/// Renders `template` (a form posted before logging in) with a fresh double-submit token, in
/// the cookie `LOGIN_CSRF_COOKIE` (path `/login`, which covers `/login/reset`) and in the
/// context `ctx` makes from it.
fn with_form_token(
    state: &AppState,
    lang: &LangChoice,
    headers: &HeaderMap,
    status: StatusCode,
    template: &str,
    ctx: impl FnOnce(&str) -> minijinja::Value,
) -> Response {
    let csrf = credentials::random_hex();
    let mut res = render(state, lang, status, template, ctx(&csrf));
    let secure = auth::secure_cookies(state, headers);
    res.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::LOGIN_CSRF_COOKIE,
            &csrf,
            LOGIN_FORM_SECONDS,
            "/login",
            secure,
        ),
    );
    res
}

#[derive(Deserialize)]
struct LoginQuery {
    reset: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    lang: LangChoice,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let reset_done = q.reset.as_deref() == Some("done");
    login_form_with(
        &state,
        &lang,
        &headers,
        StatusCode::OK,
        "",
        None,
        reset_done,
    )
}

#[derive(Deserialize)]
struct LoginFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    lang: LangChoice,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields: LoginFields = match auth::parse_form(&body) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let form_token = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or("");
    if form_token.is_empty() || !credentials::constant_time_eq(form_token, &fields.csrf) {
        return login_form(
            &state,
            &lang,
            &headers,
            StatusCode::FORBIDDEN,
            &fields.name,
            Some("login.expired_form"),
        );
    }
    let user = match auth::login(&state, &fields.name, &fields.password, &ip).await {
        Ok(user) => user,
        Err(LoginError::Throttled { retry_after_secs }) => {
            let mut res = login_form(
                &state,
                &lang,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                &fields.name,
                Some("login.throttled"),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return res;
        }
        Err(LoginError::BadCredentials) => {
            return login_form(
                &state,
                &lang,
                &headers,
                StatusCode::UNAUTHORIZED,
                &fields.name,
                Some("login.bad_credentials"),
            )
        }
        Err(LoginError::Internal(e)) => return e.into_response(),
    };
    // A new session each time: a session token planted before logging in is worth nothing.
    if let Err(e) = auth::end_session(&state, &headers).await {
        return e.into_response();
    }
    let token = match auth::start_session(&state, &user).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let secure = auth::secure_cookies(&state, &headers);
    let max_age = state.config().session_ttl.num_seconds();
    let mut res = Redirect::to("/").into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, &token, max_age, "/", secure),
    );
    h.append(
        header::SET_COOKIE,
        auth::set_cookie(auth::LOGIN_CSRF_COOKIE, "", 0, "/login", secure),
    );
    res
}

/// The form that sets a new password with a reset code (the login form's double-submit token;
/// the cookie's path `/login` covers it).
fn reset_form(
    state: &AppState,
    lang: &LangChoice,
    headers: &HeaderMap,
    status: StatusCode,
    name: &str,
    error: Option<String>,
) -> Response {
    with_form_token(state, lang, headers, status, "login_reset.html", |csrf| {
        context! { csrf, name, error }
    })
}

async fn reset_page(
    State(state): State<AppState>,
    lang: LangChoice,
    headers: HeaderMap,
) -> Response {
    reset_form(&state, &lang, &headers, StatusCode::OK, "", None)
}

#[derive(Deserialize)]
struct ResetFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// Sets a new password with a reset code, then shows the login form with a note. Failures
/// count like failed logins (the same throttle), and say nothing of which part was wrong.
async fn reset_password(
    State(state): State<AppState>,
    lang: LangChoice,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f: ResetFields = match auth::parse_form(&body) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let l = lang.lang;
    let form_token = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or("");
    if form_token.is_empty() || !credentials::constant_time_eq(form_token, &f.csrf) {
        let msg = l.text("login.expired_form").to_string();
        return reset_form(
            &state,
            &lang,
            &headers,
            StatusCode::FORBIDDEN,
            &f.name,
            Some(msg),
        );
    }
    if let Err(e) = thanrak_app::access::check_password(&f.password) {
        return reset_form(
            &state,
            &lang,
            &headers,
            StatusCode::BAD_REQUEST,
            &f.name,
            Some(e.to_string()),
        );
    }
    if let Err(e) = auth::reset_allowed(&state, &f.name, &ip).await {
        return e.into_response();
    }
    let password = f.password.clone();
    let Ok(Ok(hash)) =
        tokio::task::spawn_blocking(move || credentials::hash_password(&password)).await
    else {
        return ApiError::internal(&"the password could not be hashed").into_response();
    };
    let code = f.code.trim().to_string();
    match thanrak_app::access::use_password_reset(
        state.store(),
        f.name.trim(),
        &credentials::digest(&code),
        &hash,
    )
    .await
    {
        Ok(()) => {
            state.forget_credentials();
            Redirect::to("/login?reset=done").into_response()
        }
        Err(e) => {
            auth::reset_failed(&state, &f.name, &ip).await;
            reset_form(
                &state,
                &lang,
                &headers,
                StatusCode::UNAUTHORIZED,
                &f.name,
                Some(e.to_string()),
            )
        }
    }
}

/// The logout form has no field but its CSRF token.
#[derive(Deserialize)]
struct NoFields {}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: CsrfForm<NoFields>,
) -> Result<Response, ApiError> {
    auth::end_session(&state, &headers).await?;
    let secure = auth::secure_cookies(&state, &headers);
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, "", 0, "/", secure),
    );
    Ok(res)
}

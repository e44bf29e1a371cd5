//! Who is asking: browser sessions (a cookie) for people and API tokens (`Authorization: Bearer`)
//! for scripts; CSRF tokens for forms; logging in with throttling.
//!
//! Sessions live in the database (`sessions`), under the SHA-256 digest of a 256-bit random token
//! that only the browser holds, in the `thanrak_session` cookie (HttpOnly, SameSite=Strict, Secure
//! over HTTPS). Each session has its own CSRF token, which every form sends back in a hidden field
//! ([`CsrfForm`]) and script requests that change something send as `X-CSRF-Token`. The login form,
//! shown before any session exists, is protected by a double-submit token in a short-lived cookie.

pub mod credentials;

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use thanrak_app::sessions::{LoginFailure, Throttle};
use thanrak_core::identity::User;

use crate::error::ApiError;
use crate::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "thanrak_session";
/// The cookie that holds the login form's CSRF token.
pub const LOGIN_CSRF_COOKIE: &str = "thanrak_login_csrf";
/// The header that carries the session's CSRF token on script requests that change something.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// API tokens are marked used at most this often, so that reading is not a write.
const TOKEN_TOUCH_INTERVAL: Duration = Duration::hours(1);

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether cookies must be marked `Secure`: always when configured, and when a proxy says that
/// the request came over HTTPS.
pub fn secure_cookies(state: &AppState, headers: &HeaderMap) -> bool {
    state.config().secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure when asked. A `max_age` of
/// zero deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age: i64, path: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    );
    HeaderValue::from_str(&text).expect("cookie names and hex values are valid header text")
}

/// The address of the client, as the server saw it (`unknown` when not served over TCP).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// The page user behind a request's session cookie, if there is a live session.
pub(crate) async fn page_user(state: &AppState, headers: &HeaderMap) -> Option<PageUser> {
    match session_of(state, headers).await {
        Ok(Some(s)) => Some(PageUser {
            user: s.user,
            csrf_token: s.csrf_token,
            expires_at: s.expires_at,
        }),
        _ => None,
    }
}

/// The logged-in session behind a request, if any.
async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<thanrak_app::db::Session>, ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let digest = credentials::digest(token);
    let now = Utc::now();
    if let Some(s) = state.sessions().get(&digest) {
        if s.expires_at > now {
            return Ok(Some(s));
        }
    }
    let session = thanrak_app::sessions::session(state.store(), &digest, now).await?;
    match &session {
        Some(s) => state.sessions().insert(digest, s.clone()),
        None => state.sessions().remove(&digest),
    }
    Ok(session)
}

/// The authenticated caller of an API route: by API token, or by session cookie.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: User,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            // A request that names a token is judged by that token alone.
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(ApiError::unauthenticated)?;
            let digest = credentials::digest(token);
            if let Some(found) = state.tokens().get(&digest) {
                return Ok(Caller { user: found.user });
            }
            let found = thanrak_app::sessions::token_user(
                state.store(),
                &digest,
                Utc::now(),
                TOKEN_TOUCH_INTERVAL,
            )
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
            let user = found.user.clone();
            state.tokens().insert(digest, found);
            return Ok(Caller { user });
        }
        let session = session_of(state, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !credentials::constant_time_eq(sent, &session.csrf_token) {
                return Err(ApiError::csrf_failed());
            }
        }
        Ok(Caller { user: session.user })
    }
}

/// The logged-in user of a page; without a session the browser is sent to the login page.
#[derive(Debug, Clone)]
pub struct PageUser {
    /// The user.
    pub user: User,
    /// The session's CSRF token, for the page's forms.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: chrono::DateTime<Utc>,
}

/// Where a page sends a browser that is not logged in.
#[derive(Debug)]
pub enum PageRejection {
    /// Not logged in: to the login page.
    Login,
    /// The session could not be read.
    Error(ApiError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Login => Redirect::to("/login").into_response(),
            PageRejection::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match session_of(state, &parts.headers).await {
            Ok(Some(s)) => Ok(PageUser {
                user: s.user,
                csrf_token: s.csrf_token,
                expires_at: s.expires_at,
            }),
            Ok(None) => Err(PageRejection::Login),
            Err(e) => Err(PageRejection::Error(e)),
        }
    }
}

/// A form posted from a page by a logged-in user, accepted only with the session's CSRF token
/// in its `csrf` field. Every form handler takes its body through this extractor.
#[derive(Debug, Clone)]
pub struct CsrfForm<T> {
    /// Who posted it.
    pub user: PageUser,
    /// The form's fields.
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Parses a URL-encoded form; a malformed one is `invalid_request`.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(body).map_err(|e| ApiError::invalid(format!("bad form: {e}")))
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field: CsrfField = parse_form(&bytes).map_err(IntoResponse::into_response)?;
        if !credentials::constant_time_eq(&field.csrf, &user.csrf_token) {
            return Err(ApiError::csrf_failed().into_response());
        }
        let form = parse_form(&bytes).map_err(IntoResponse::into_response)?;
        Ok(CsrfForm { user, form })
    }
}

/// Why a login failed.
#[derive(Debug)]
pub enum LoginError {
    /// Too many failures for this name from this address: wait this many seconds.
    Throttled {
        /// Until the oldest failure in the window leaves it.
        retry_after_secs: u64,
    },
    /// Unknown name, wrong password or disabled user (deliberately not told apart).
    BadCredentials,
    /// The store failed.
    Internal(ApiError),
}

impl From<LoginFailure> for LoginError {
    fn from(e: LoginFailure) -> Self {
        match e {
            LoginFailure::Throttled { retry_after_secs } => {
                LoginError::Throttled { retry_after_secs }
            }
            LoginFailure::BadCredentials => LoginError::BadCredentials,
            LoginFailure::Internal(e) => LoginError::Internal(e.into()),
        }
    }
}

/// Checks a name and password. Refuses at once, without looking at the password, when this name
/// has failed too often from this address within the window; records each failure.
pub async fn login(
    state: &AppState,
    name: &str,
    password: &str,
    ip: &str,
) -> Result<User, LoginError> {
    let config = state.config();
    let throttle = Throttle {
        window: config.login_window,
        max_failures: config.max_login_failures,
    };
    let password = password.to_string();
    Ok(thanrak_app::sessions::login(
        state.store(),
        throttle,
        name,
        ip,
        credentials::dummy_hash(),
        move |hash| credentials::verify_password(&password, &hash),
    )
    .await?)
}

fn throttle(state: &AppState) -> Throttle {
    let config = state.config();
    Throttle {
        window: config.login_window,
        max_failures: config.max_login_failures,
    }
}

/// Refuses a password reset while the name has failed too often from this address.
pub async fn reset_allowed(state: &AppState, name: &str, ip: &str) -> Result<(), ApiError> {
    match thanrak_app::sessions::reset_allowed(state.store(), throttle(state), name, ip).await? {
        Ok(()) => Ok(()),
        Err(secs) => Err(ApiError::too_many_requests(
            "too many failed attempts: wait before trying again",
            secs,
        )),
    }
}

/// Counts a failed password reset (a store failure only logs: the answer is a refusal anyway).
pub async fn reset_failed(state: &AppState, name: &str, ip: &str) {
    if let Err(e) =
        thanrak_app::sessions::reset_failed(state.store(), throttle(state), name, ip).await
    {
        tracing::warn!(error = %e, "a failed password reset was not recorded");
    }
}

/// Opens a session for `user`; returns the token for the cookie.
pub async fn start_session(state: &AppState, user: &User) -> Result<String, ApiError> {
    let token = credentials::random_hex();
    let now = Utc::now();
    thanrak_app::sessions::start_session(
        state.store(),
        user,
        &credentials::digest(&token),
        &credentials::random_hex(),
        now,
        now + state.config().session_ttl,
    )
    .await?;
    Ok(token)
}

/// Ends the session of this request, if any.
pub async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let digest = credentials::digest(token);
        thanrak_app::sessions::end_session(state.store(), &digest).await?;
        state.sessions().remove(&digest);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_and_written() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; thanrak_session=abc"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("thanrak_lang=en"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "thanrak_lang"), Some("en"));
        assert_eq!(cookie(&h, "missing"), None);
        let v = set_cookie(SESSION_COOKIE, "abc", 60, "/", true);
        assert_eq!(
            v.to_str().unwrap(),
            "thanrak_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
    }
}

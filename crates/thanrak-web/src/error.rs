//! The one table that maps every error to an HTTP status and a stable error code, and the
//! extractors that report malformed requests in the same JSON shape.
//!
//! | code | status | raised by |
//! | --- | --- | --- |
//! | `invalid_request` | 400 | a bad query or path value, [`AppError::Invalid`], an [`AppError::Io`] the user can act on (shown without its path) |
//! | `unauthenticated` | 401 | no session or token, or an expired or unknown one |
//! | `forbidden` | 403 | the role may not do this ([`AccessError::Forbidden`]) |
//! | `csrf_failed` | 403 | a form without the session's CSRF token |
//! | `not_found` | 404 | no such thing, or a household outside the user's areas |
//! | `conflict` | 409 | [`StoreError::Conflict`] |
//! | `payload_too_large` | 413 | an upload over the size limit |
//! | `job_failed` | 422 | a job waited for failed for another reason than its data (its error says why) |
//! | `too_many_requests` | 429 | too many failed logins, imports paused after too many clashes with hidden records ([`AccessError::Throttled`]), with `Retry-After` |
//! | `unavailable` | 503 | the database cannot be reached |
//! | `internal` | 500 | anything else: logged, and answered without details |

use axum::extract::rejection::PathRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use thanrak_app::access::AccessError;
use thanrak_app::db::StoreError;
use thanrak_app::AppError;
use thanrak_core::escape_for_terminal;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code for the kind of error (see the table in this module).
    #[schema(example = "not_found")]
    pub code: &'static str,
    /// A sentence for people; its wording may change.
    pub message: String,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds to wait before trying again, sent as `Retry-After`.
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `invalid_request`.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "log in, or send an API token as `Authorization: Bearer TOKEN`",
        )
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 403 `csrf_failed`.
    pub fn csrf_failed() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "the form is out of date or did not come from this site: reload the page and try again",
        )
    }

    /// 422 `rule`: a well-formed request that breaks a rule of the domain.
    pub fn rule(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rule", message)
    }

    /// A request naming something that does not exist.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 429 `too_many_requests`, with `Retry-After: retry_after_secs`.
    pub fn too_many_requests(message: impl Into<String>, retry_after_secs: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after_secs),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
        }
    }

    /// 422 `job_failed`: a job the request waited for failed; `message` is the job's error.
    pub fn job_failed(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "job_failed", message)
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    /// The seconds to wait before trying again, when the error says.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// 500 `internal`: the cause is logged here and not shown.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        // The cause may quote a user's value (a file name, a cell): no terminal escapes in logs.
        let cause = escape_for_terminal(&cause.to_string()).into_owned();
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error: it has been logged",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The sentence for people.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(ErrorBody {
                code: self.code,
                message: self.message,
            }),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ApiError::not_found(m),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Unavailable(m) => {
                tracing::error!(error = %escape_for_terminal(&m), "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database cannot be reached: try again later",
                )
            }
            e @ (StoreError::Config(_) | StoreError::Corrupt(_) | StoreError::Other(_)) => {
                ApiError::internal(&e)
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Store(e) => e.into(),
            AppError::NotFound(m) => ApiError::not_found(m),
            AppError::Invalid(m) => ApiError::invalid(m),
            AppError::Rule(m) => ApiError::rule(m),
            // File errors name paths of this machine: shown only when the user can act on
            // them, and then without the path.
            AppError::Io(e) => match e.without_path() {
                Some(m) => ApiError::invalid(m),
                None => ApiError::internal(&e),
            },
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Forbidden(m) => ApiError::forbidden(m),
            AccessError::Throttled {
                retry_after_secs,
                message,
            } => ApiError::too_many_requests(message, retry_after_secs),
            AccessError::App(e) => e.into(),
        }
    }
}

/// The answer to a route that does not exist.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

/// A query string, refused as `invalid_request` when it does not parse. An empty value
/// (`area=`, as a form sends an empty box) is no value: the same as leaving the name out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| ApiError::invalid(format!("bad query string: {e}")))?;
        let kept: Vec<(String, String)> =
            pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let text = serde_urlencoded::to_string(&kept)
            .map_err(|e| ApiError::invalid(format!("bad query string: {e}")))?;
        serde_urlencoded::from_str::<T>(&text)
            .map(Query)
            .map_err(|e| ApiError::invalid(format!("Failed to deserialize query string: {e}")))
    }
}

/// Path parameters, refused as `invalid_request` when they do not parse.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| ApiError::invalid(e.body_text()))
    }
}

/// A JSON body, or a 400 `invalid_request` saying what is wrong with it (rather than axum's 415
/// or 422), for handlers that answer the caller's role before they read what it sent.
pub(crate) fn json_body<T>(
    b: Result<axum::Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    b.map(|axum::Json(t)| t)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(e: ApiError) -> (StatusCode, serde_json::Value) {
        let res = e.into_response();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn internal_faults_are_answered_without_their_details() {
        let cause = StoreError::Other("relation \"users\" does not exist at 10.0.0.5".into());
        let (status, body) = body_of(ApiError::from(cause)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["code"], "internal");
        assert!(!body["message"].as_str().unwrap().contains("users"));
        let corrupt = AppError::Store(StoreError::Corrupt("national id 123".into()));
        let (status, body) = body_of(ApiError::from(corrupt)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("123"));
    }

    #[tokio::test]
    async fn each_error_kind_has_its_status_and_code() {
        let cases: Vec<(ApiError, StatusCode, &str)> = vec![
            (
                AppError::Invalid("x".into()).into(),
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            (
                AppError::NotFound("x".into()).into(),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                StoreError::NotFound("x".into()).into(),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                StoreError::Conflict("x".into()).into(),
                StatusCode::CONFLICT,
                "conflict",
            ),
            (
                StoreError::Unavailable("x".into()).into(),
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
            ),
            (
                AccessError::Forbidden("x".into()).into(),
                StatusCode::FORBIDDEN,
                "forbidden",
            ),
            (
                ApiError::csrf_failed(),
                StatusCode::FORBIDDEN,
                "csrf_failed",
            ),
            (
                ApiError::unauthenticated(),
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
            ),
            (
                AccessError::Throttled {
                    retry_after_secs: 60,
                    message: "x".into(),
                }
                .into(),
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
            ),
            (
                ApiError::payload_too_large("x"),
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status(), e.code()), (status, code));
            let (s, body) = body_of(e).await;
            assert_eq!((s, body["code"].as_str()), (status, Some(code)));
        }
    }

    #[tokio::test]
    async fn a_throttled_answer_says_when_to_try_again() {
        let e: ApiError = AccessError::Throttled {
            retry_after_secs: 840,
            message: "too many failed logins".into(),
        }
        .into();
        let res = e.into_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "840");
    }

    #[tokio::test]
    async fn file_errors_never_show_a_path_of_this_machine() {
        let path = std::path::PathBuf::from("/tmp/.tmpAbC123/round.xlsx");
        let cases = [
            thanrak_io_error(path.clone(), "Xlsx"),
            thanrak_io_error(path.clone(), "Write"),
        ];
        for e in cases {
            let (status, body) = body_of(ApiError::from(e)).await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert!(!body.to_string().contains("tmp"), "{body}");
        }
    }

    /// An [`AppError::Io`] naming `path`, as the export of a workbook would give.
    fn thanrak_io_error(path: std::path::PathBuf, kind: &str) -> AppError {
        let e = match kind {
            "Xlsx" => thanrak_app::IoError::Xlsx {
                path,
                message: "string exceeds Excel's limit of 32,767 characters".into(),
            },
            _ => thanrak_app::IoError::Write {
                path,
                source: std::io::Error::other("disk full"),
            },
        };
        AppError::Io(e)
    }
}

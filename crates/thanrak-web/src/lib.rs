//! The thanrak web application: a JSON API under `/api/v1` described by an OpenAPI document
//! (`/api/openapi.json`, viewed at `/api/docs` from files inside the binary), accounts with
//! sessions and API tokens, and server-rendered pages in Thai with an English switch.
//!
//! The router is assembled from a module per feature, each exporting `router()`. Handlers are
//! thin: they extract the request, call `thanrak-app` (or, for plain reference data, the store)
//! and render. Who may see which household is decided in `thanrak_app::access` and filtered in
//! the store, never here; errors are mapped to HTTP in one table ([`error`]).

#![forbid(unsafe_code)]

mod api;
pub mod auth;
pub mod error;
mod i18n;
mod pages;
mod parse;
pub mod server;

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use minijinja::Environment;
use thanrak_app::area_figures::FiguresCache;
use thanrak_app::audit::AuditLog;
use thanrak_app::cache::TtlCache;
use thanrak_app::db::{Session, Store, TokenUser};
use thanrak_app::jobs::{Jobs, WorkerConfig};
use utoipa_swagger_ui::{Config, SwaggerUi};

pub use server::ServerLimits;

/// Settings of the web application.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` even when the request did not come through HTTPS (behind a proxy
    /// that does not send `X-Forwarded-Proto`).
    pub secure_cookies: bool,
    /// How long a session lasts after logging in.
    pub session_ttl: chrono::Duration,
    /// Failed logins allowed for one name from one address within [`WebConfig::login_window`].
    pub max_login_failures: u64,
    /// The window over which failed logins are counted.
    pub login_window: chrono::Duration,
    /// The limits of the accept loop; `None` for [`server::default_limits`] (which raises the
    /// process's file-descriptor limit and sizes the connection cap from it).
    pub limits: Option<ServerLimits>,
    /// Settings of the job worker.
    pub jobs: WorkerConfig,
}

impl Default for WebConfig {
    /// Plain cookies (set `Secure` over HTTPS), 12-hour sessions, 5 failed logins per 15 minutes,
    /// the accept loop's default limits, the job worker's default settings.
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_ttl: chrono::Duration::hours(12),
            max_login_failures: 5,
            login_window: chrono::Duration::minutes(15),
            limits: None,
            jobs: WorkerConfig::default(),
        }
    }
}

/// How long who an API token or a session belongs to is trusted from memory. Logging out
/// through this server takes effect at once; disabling a user or revoking a token from the CLI
/// (another process) takes effect within this time.
pub const CREDENTIALS_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// What every handler can reach: the store, the audit log's writer, the job worker, the caches,
/// the settings and the page templates.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// A read replica for reads that may lag (figures, lists, profiles); `None`: the primary.
    replica: Option<Store>,
    audit: AuditLog,
    jobs: Jobs,
    figures: Arc<FiguresCache>,
    tokens: TtlCache<String, TokenUser>,
    sessions: TtlCache<String, Session>,
    config: WebConfig,
    templates: Environment<'static>,
}

impl AppState {
    /// Builds the state over an open store, and starts the audit log's writer and the job
    /// worker on the current tokio runtime. (A server marks the jobs its last run left running
    /// as failed before, with the store's `Jobs::fail_interrupted`.)
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState::with_replica(store, None, config)
    }

    /// [`AppState::new`] with a read replica (a PostgreSQL hot standby of `store`): figures,
    /// target lists, household lists and profiles are read there; every write, session, job and
    /// audit line goes to `store`.
    pub fn with_replica(store: Store, replica: Option<Store>, config: WebConfig) -> AppState {
        let figures = Arc::new(FiguresCache::new());
        let dropped = figures.clone();
        // A job that ends may have written households or scores: figures are read anew.
        let jobs = Jobs::start(store.clone(), config.jobs.clone(), move || dropped.clear());
        AppState {
            inner: Arc::new(Inner {
                audit: AuditLog::start(store.clone()),
                jobs,
                store,
                replica,
                figures,
                tokens: TtlCache::new(CREDENTIALS_TTL, 10_000),
                sessions: TtlCache::new(CREDENTIALS_TTL, 10_000),
                config,
                templates: pages::templates(),
            }),
        }
    }

    /// The audit log's writer.
    pub fn audit(&self) -> &AuditLog {
        &self.inner.audit
    }

    /// Figures read from the store, kept for a moment.
    pub fn figures(&self) -> &FiguresCache {
        &self.inner.figures
    }

    /// To be called after this server wrote households or scores: figures are read anew.
    pub fn data_changed(&self) {
        self.inner.figures.clear();
    }

    /// API tokens (by digest) seen lately and their users.
    fn tokens(&self) -> &TtlCache<String, TokenUser> {
        &self.inner.tokens
    }

    /// Forgets an API token (by digest) at once: after it is revoked through this server, it
    /// is refused from the next request on rather than when the cache entry expires.
    pub fn forget_token(&self, digest: &str) {
        self.inner.tokens.remove(&digest.to_string());
    }

    /// Forgets every session and API token seen lately: after an account changed (disabled,
    /// given other areas, a new password), so that the change applies from the next request.
    pub fn forget_credentials(&self) {
        self.inner.sessions.clear();
        self.inner.tokens.clear();
    }

    /// Sessions (by digest) seen lately.
    fn sessions(&self) -> &TtlCache<String, Session> {
        &self.inner.sessions
    }

    /// The job worker: queues jobs and knows the progress of the one under way.
    pub fn jobs(&self) -> &Jobs {
        &self.inner.jobs
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Where reads that may lag behind the last write go — figures, target lists, household
    /// lists, profiles: the read replica when the server has one, else the store.
    pub fn reads(&self) -> &Store {
        self.inner.replica.as_ref().unwrap_or(&self.inner.store)
    }

    /// The settings.
    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    fn templates(&self) -> &Environment<'static> {
        &self.inner.templates
    }
}

/// The whole application: API, OpenAPI document and viewer, pages.
pub fn app(state: AppState) -> Router {
    let (api, mut openapi) = api::router().split_for_parts();
    api::complete_document(&mut openapi);
    Router::new()
        .merge(api)
        .merge(pages::router())
        .fallback(error::not_found)
        .with_state(state.clone())
        .merge(
            SwaggerUi::new("/api/docs")
                .url("/api/openapi.json", openapi)
                // The viewer would otherwise send the document to an online validator.
                .config(Config::default().validator_url("none")),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forget_case_counts,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::keep_menu,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            security_headers,
        ))
}

/// After a request that may have changed referral cases (any write that did not fail: a
/// referral, a move, a comment, help recorded, an import), the counts of cases this server keeps
/// for a second are forgotten, so that the next page counts what is there now. Writes are few
/// beside reads; a job's end clears them too.
async fn forget_case_counts(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let res = next.run(req).await;
    if writes && !res.status().is_client_error() && !res.status().is_server_error() {
        state.figures().cases_changed();
    }
    res
}

/// The content security policy of every response. Scripts come from this server only (the
/// pages have no inline script); styles may also be inline, as the pages' `style` attributes
/// and Swagger UI need; images may be `data:` URLs (Leaflet's and Swagger UI's icons). Nothing
/// may frame a page, and forms post to this server only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Headers for every response: the content security policy, no sniffing, no framing, no
/// referrer outside the site, no caching of anything that may hold personal data, and, when the
/// request came over HTTPS, HSTS (a year) so that the browser never falls back to plain HTTP.
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = auth::secure_cookies(&state, req.headers());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// Serves the application on `listener` until `shutdown` completes (connections under the limits
/// of [`server`]), then removes the uploads still waiting for confirmation (they were this
/// process's).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config().limits.unwrap_or_else(server::default_limits);
    let served = server::serve(listener, app(state), limits, shutdown).await;
    pages::remove_staging_folder();
    served
}

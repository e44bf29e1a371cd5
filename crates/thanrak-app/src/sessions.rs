//! Logging in and out: browser sessions, API tokens and the throttling of failed logins, kept in
//! the store. The web application holds the secrets' arithmetic (argon2, token digests) and
//! hands this module digests and a password check; this module decides what the store keeps.

use chrono::{DateTime, Duration, Utc};
use thanrak_core::identity::{User, UserName};
use thanrak_store::{Session, Store, StoreError, TokenUser};

use crate::AppError;

/// The live session of a cookie's digest at `now`, if any.
pub async fn session(
    store: &Store,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Option<Session>, AppError> {
    Ok(store.accounts().session(digest, now).await?)
}

/// The user of an API token's digest, if the token is live; its last use is recorded when the
/// one on record is older than `touch_every` (so that a busy client writes once an hour).
pub async fn token_user(
    store: &Store,
    digest: &str,
    now: DateTime<Utc>,
    touch_every: Duration,
) -> Result<Option<TokenUser>, AppError> {
    let Some(found) = store.accounts().api_token_user(digest).await? else {
        return Ok(None);
    };
    if found.last_used_at.is_none_or(|t| now - t >= touch_every) {
        store
            .accounts()
            .touch_api_token(found.token_id, now)
            .await?;
    }
    Ok(Some(found))
}

/// How failed logins are throttled: at most `max_failures` for one name from one address
/// within `window`.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    /// The window failures are counted in.
    pub window: Duration,
    /// Failures allowed in the window.
    pub max_failures: u64,
}

/// Why a login failed.
#[derive(Debug)]
pub enum LoginFailure {
    /// Too many failures for this name from this address: wait this many seconds.
    Throttled {
        /// Until the oldest failure in the window leaves it.
        retry_after_secs: u64,
    },
    /// Unknown name, wrong password or disabled user (deliberately not told apart).
    BadCredentials,
    /// The store failed, or the password check could not run.
    Internal(AppError),
}

impl From<StoreError> for LoginFailure {
    fn from(e: StoreError) -> Self {
        LoginFailure::Internal(e.into())
    }
}

/// The key failed logins are counted under: the name as typed, normalised and bounded.
fn throttle_key(name: &str) -> String {
    name.trim().to_lowercase().chars().take(64).collect()
}

/// The seconds to wait when `key` has failed `throttle.max_failures` times from `ip` within the
/// window (until the oldest failure leaves it), else `None`.
async fn wait_secs(
    store: &Store,
    throttle: Throttle,
    key: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Option<u64>, StoreError> {
    let since = now - throttle.window;
    if store.accounts().login_failures(key, ip, since).await? < throttle.max_failures {
        return Ok(None);
    }
    let oldest = store
        .accounts()
        .oldest_login_failure(key, ip, since)
        .await?
        .unwrap_or(now);
    let wait = (oldest + throttle.window - now).num_seconds();
    Ok(Some(u64::try_from(wait).unwrap_or(0).max(1)))
}

/// Checks a name and password. Refuses at once, without looking at the password, when this name
/// has failed too often from this address within the window; records each failure.
/// `verify(hash)` checks the password against an argon2 hash (a dummy one for an unknown name,
/// so that the time taken does not tell names apart); it runs on a blocking thread.
pub async fn login(
    store: &Store,
    throttle: Throttle,
    name: &str,
    ip: &str,
    dummy_hash: &str,
    verify: impl FnOnce(String) -> bool + Send + 'static,
) -> Result<User, LoginFailure> {
    let key = throttle_key(name);
    let now = Utc::now();
    let since = now - throttle.window;
    if let Some(retry_after_secs) = wait_secs(store, throttle, &key, ip, now).await? {
        return Err(LoginFailure::Throttled { retry_after_secs });
    }
    let found = match UserName::parse(name) {
        Ok(n) => store.accounts().user_credentials(&n).await?,
        Err(_) => None,
    };
    let hash = found
        .as_ref()
        .map_or_else(|| dummy_hash.to_string(), |(_, h)| h.clone());
    let matches = tokio::task::spawn_blocking(move || verify(hash))
        .await
        .map_err(|e| LoginFailure::Internal(AppError::Invalid(format!("password check: {e}"))))?;
    match found {
        Some((user, _)) if matches && !user.disabled => {
            store.accounts().clear_login_failures(&key, ip).await?;
            Ok(user)
        }
        _ => {
            store
                .accounts()
                .record_login_failure(&key, ip, now, since)
                .await?;
            Err(LoginFailure::BadCredentials)
        }
    }
}

/// Whether a password reset for `name` from `ip` may be tried now: reset codes share the
/// login's throttle, so that guessing a code is as slow as guessing a password. `Err`: the
/// seconds to wait.
pub async fn reset_allowed(
    store: &Store,
    throttle: Throttle,
    name: &str,
    ip: &str,
) -> Result<Result<(), u64>, AppError> {
    match wait_secs(store, throttle, &throttle_key(name), ip, Utc::now()).await? {
        Some(secs) => Ok(Err(secs)),
        None => Ok(Ok(())),
    }
}

/// Counts a failed password reset like a failed login.
pub async fn reset_failed(
    store: &Store,
    throttle: Throttle,
    name: &str,
    ip: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    Ok(store
        .accounts()
        .record_login_failure(&throttle_key(name), ip, now, now - throttle.window)
        .await?)
}

/// Opens a session for `user` under a cookie's digest, with its CSRF token, until `expires_at`;
/// expired sessions are swept first (which keeps the table small without a background task).
pub async fn start_session(
    store: &Store,
    user: &User,
    digest: &str,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), AppError> {
    store.accounts().delete_expired_sessions(now).await?;
    Ok(store
        .accounts()
        .create_session(user.id, digest, csrf_token, now, expires_at)
        .await?)
}

/// Ends the session of a cookie's digest.
pub async fn end_session(store: &Store, digest: &str) -> Result<(), AppError> {
    Ok(store.accounts().delete_session(digest).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_under_the_name_as_typed_normalised() {
        assert_eq!(throttle_key("  SomChai "), "somchai");
        assert_eq!(throttle_key(&"x".repeat(100)).len(), 64);
    }
}

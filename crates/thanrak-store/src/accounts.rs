//! Accounts: users with their role, areas and agency; browser sessions; API tokens; failed
//! logins for throttling.
//!
//! The store holds no secret and computes none: it is handed argon2 PHC strings and SHA-256
//! digests of tokens, and looks tokens up by digest. Every function that depends on the clock takes
//! the time as an argument, so that expiry and throttling windows are tested without waiting.
//! Times are kept to whole seconds: SQLite stores them as text, which then sorts in time order.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use sqlx::Row;
use thanrak_core::AreaCode;

pub use thanrak_core::identity::{AgencyCode, NameError, Role, User, UserName};

use crate::{secs, with_pool, Store, StoreError};

/// A user to create. The caller checks that role, areas and agency fit together.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The login name.
    pub name: UserName,
    /// The argon2 PHC string of the password.
    pub password_hash: String,
    /// The role.
    pub role: Role,
    /// The areas the user is scoped to.
    pub areas: Vec<AreaCode>,
    /// The agency the user works for.
    pub agency: Option<AgencyCode>,
}

/// A live browser session with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user logged in.
    pub user: User,
    /// The per-session token that every form must send back.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// A user found by an API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUser {
    /// The token's id.
    pub token_id: i64,
    /// The token's owner.
    pub user: User,
    /// When the token was last used, to the hour (see [`Accounts::touch_api_token`]).
    pub last_used_at: Option<DateTime<Utc>>,
}

/// An API token as an admin sees it: never the token, nor its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenInfo {
    /// The token's id (given to revoke it).
    pub id: i64,
    /// Its owner's login name.
    pub user_name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the hour (see [`Accounts::touch_api_token`]).
    pub last_used_at: Option<DateTime<Utc>>,
}

fn corrupt(what: &str, value: &str, e: impl fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}: {e}"))
}

/// The columns of `users` that [`user_from_parts`] reads, in order.
const USER_COLUMNS: &str = "u.id, u.name, u.role, u.agency, u.disabled, u.created_at";

type UserRow = (i64, String, String, Option<String>, i16, DateTime<Utc>);

fn user_from_parts(row: UserRow, areas: Vec<String>) -> Result<User, StoreError> {
    let (id, name, role, agency, disabled, created_at) = row;
    Ok(User {
        id,
        name: UserName::parse(&name).map_err(|e| corrupt("user name", &name, e))?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role, "unknown"))?,
        areas: areas
            .iter()
            .map(|a| AreaCode::parse(a).map_err(|e| corrupt("area code", a, e)))
            .collect::<Result<_, _>>()?,
        agency: agency
            .map(|a| AgencyCode::parse(&a).map_err(|e| corrupt("agency", &a, e)))
            .transpose()?,
        disabled: disabled != 0,
        created_at,
    })
}

/// Reads a [`UserRow`] from the first six columns of a backend row.
macro_rules! user_row {
    ($row:expr) => {
        (
            $row.try_get::<i64, _>(0)?,
            $row.try_get::<String, _>(1)?,
            $row.try_get::<String, _>(2)?,
            $row.try_get::<Option<String>, _>(3)?,
            $row.try_get::<i16, _>(4)?,
            $row.try_get::<DateTime<Utc>, _>(5)?,
        )
    };
}

/// Users, their sessions and API tokens, and failed logins: `store.accounts()`.
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'s>(pub(crate) &'s Store);

impl Accounts<'_> {
    /// Creates a user; a name already taken is a [`StoreError::Conflict`].
    pub async fn create_user(self, new: &NewUser, now: DateTime<Utc>) -> Result<User, StoreError> {
        let now = secs(now);
        let id: i64 = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (name, password_hash, role, agency, disabled, created_at) \
                 VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
            )
            .bind(new.name.as_str())
            .bind(&new.password_hash)
            .bind(new.role.as_str())
            .bind(new.agency.as_ref().map(AgencyCode::as_str))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("a user named {} exists already", new.name))
                }
                e => e,
            })?;
            let mut areas: Vec<String> = new.areas.iter().map(ToString::to_string).collect();
            areas.sort();
            areas.dedup();
            for area in &areas {
                sqlx::query("INSERT INTO user_areas (user_id, area_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(area)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        self.user_by_id(id).await
    }

    async fn user_areas(self, user_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT area_code FROM user_areas WHERE user_id = $1 ORDER BY area_code",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    async fn user_by_id(self, id: i64) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row: Option<UserRow> = with_pool!(self.0, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(user_row!(r)),
                None => None,
            }
        });
        let row = row.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        let areas = self.user_areas(id).await?;
        user_from_parts(row, areas)
    }

    /// The user with this name, with its password hash (for logging in).
    pub async fn user_credentials(
        self,
        name: &UserName,
    ) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = $1");
        let row: Option<(UserRow, String)> = with_pool!(self.0, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(name.as_str())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some((user_row!(r), r.try_get::<String, _>(6)?)),
                None => None,
            }
        });
        let Some((row, hash)) = row else {
            return Ok(None);
        };
        let areas = self.user_areas(row.0).await?;
        Ok(Some((user_from_parts(row, areas)?, hash)))
    }

    /// The user with this name.
    pub async fn user(self, name: &UserName) -> Result<User, StoreError> {
        self.user_credentials(name)
            .await?
            .map(|(u, _)| u)
            .ok_or_else(|| StoreError::NotFound(format!("user {name}")))
    }

    /// Every user, by name.
    pub async fn users(self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name");
        let (rows, areas): (Vec<UserRow>, Vec<(i64, String)>) = with_pool!(self.0, pool => {
            let mut rows = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                rows.push(user_row!(r));
            }
            let areas = sqlx::query_as(
                "SELECT user_id, area_code FROM user_areas ORDER BY user_id, area_code",
            )
            .fetch_all(pool)
            .await?;
            (rows, areas)
        });
        let mut by_user: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (id, code) in areas {
            by_user.entry(id).or_default().push(code);
        }
        rows.into_iter()
            .map(|r| {
                let areas = by_user.remove(&r.0).unwrap_or_default();
                user_from_parts(r, areas)
            })
            .collect()
    }

    /// Disables or enables a user. Disabling also ends every session of the user; its API
    /// tokens stay but are refused while it is disabled.
    pub async fn set_user_disabled(
        self,
        name: &UserName,
        disabled: bool,
    ) -> Result<User, StoreError> {
        let id: Option<i64> = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> =
                sqlx::query_scalar("UPDATE users SET disabled = $1 WHERE name = $2 RETURNING id")
                    .bind(i16::from(disabled))
                    .bind(name.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if let (Some(id), true) = (id, disabled) {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        let id = id.ok_or_else(|| StoreError::NotFound(format!("user {name}")))?;
        self.user_by_id(id).await
    }

    /// Replaces a user's areas and agency (its role stays: the app checks that they fit it).
    pub async fn set_user_scope(
        self,
        name: &UserName,
        areas: &[AreaCode],
        agency: Option<&AgencyCode>,
    ) -> Result<User, StoreError> {
        let mut codes: Vec<String> = areas.iter().map(ToString::to_string).collect();
        codes.sort();
        codes.dedup();
        let id: Option<i64> = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> =
                sqlx::query_scalar("UPDATE users SET agency = $1 WHERE name = $2 RETURNING id")
                    .bind(agency.map(AgencyCode::as_str))
                    .bind(name.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = id {
                sqlx::query("DELETE FROM user_areas WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for area in &codes {
                    sqlx::query("INSERT INTO user_areas (user_id, area_code) VALUES ($1, $2)")
                        .bind(id)
                        .bind(area)
                        .execute(&mut *tx)
                        .await?;
                }
                // Sessions carry the user as it was: end them, so the new scope applies now.
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        let id = id.ok_or_else(|| StoreError::NotFound(format!("user {name}")))?;
        self.user_by_id(id).await
    }

    /// Keeps the digest of a one-time password-reset code for the user, until `expires_at`
    /// (replacing an earlier code).
    pub async fn set_password_reset(
        self,
        name: &UserName,
        code_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let user = self.user(name).await?;
        with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO password_resets (user_id, code_hash, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, \
                 expires_at = excluded.expires_at",
            )
            .bind(user.id)
            .bind(code_hash)
            .bind(secs(expires_at).timestamp())
            .execute(pool)
            .await?;
        });
        Ok(user)
    }

    /// Spends a reset code: when the user `name` has a live code with this digest (and is not
    /// disabled), its password becomes `password_hash`, the code is gone and its sessions end,
    /// all in one transaction. Returns whether it was done.
    pub async fn use_password_reset(
        self,
        name: &UserName,
        code_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = secs(now).timestamp();
        Ok(with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id \
                 WHERE u.name = $1 AND r.code_hash = $2 AND r.expires_at > $3 AND u.disabled = 0",
            )
            .bind(name.as_str())
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for sql in [
                    "DELETE FROM password_resets WHERE user_id = $1",
                    "DELETE FROM sessions WHERE user_id = $1",
                ] {
                    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            id.is_some()
        }))
    }

    /// Stores a new session under the digest of its token.
    pub async fn create_session(
        self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(secs(now))
            .bind(secs(expires_at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The session with this token digest, if it has not expired and its user is not disabled.
    pub async fn session(
        self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        );
        let row: Option<(UserRow, String, DateTime<Utc>)> = with_pool!(self.0, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .bind(secs(now))
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some((
                    user_row!(r),
                    r.try_get::<String, _>(6)?,
                    r.try_get::<DateTime<Utc>, _>(7)?,
                )),
                None => None,
            }
        });
        let Some((row, csrf_token, expires_at)) = row else {
            return Ok(None);
        };
        let areas = self.user_areas(row.0).await?;
        Ok(Some(Session {
            user: user_from_parts(row, areas)?,
            csrf_token,
            expires_at,
        }))
    }

    /// Ends a session (logging out). Ending a session that does not exist is not an error.
    pub async fn delete_session(self, token_hash: &str) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes the sessions that expired before `now`; returns how many.
    pub async fn delete_expired_sessions(self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(with_pool!(self.0, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(secs(now))
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Stores a new API token of a user under its digest; returns the token's id.
    pub async fn create_api_token(
        self,
        user_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(secs(now))
            .fetch_one(pool)
            .await?
        }))
    }

    /// The user owning the API token with this digest, unless the user is disabled.
    pub async fn api_token_user(self, token_hash: &str) -> Result<Option<TokenUser>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.id, t.last_used_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.disabled = 0"
        );
        let row: Option<(UserRow, i64, Option<DateTime<Utc>>)> = with_pool!(self.0, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some((
                    user_row!(r),
                    r.try_get::<i64, _>(6)?,
                    r.try_get::<Option<DateTime<Utc>>, _>(7)?,
                )),
                None => None,
            }
        });
        let Some((row, token_id, last_used_at)) = row else {
            return Ok(None);
        };
        let areas = self.user_areas(row.0).await?;
        Ok(Some(TokenUser {
            token_id,
            user: user_from_parts(row, areas)?,
            last_used_at,
        }))
    }

    /// The API tokens of the user named `user_name`, or of every user, oldest first.
    pub async fn api_tokens(
        self,
        user_name: Option<&str>,
    ) -> Result<Vec<ApiTokenInfo>, StoreError> {
        Ok(with_pool!(self.0, pool => {
            sqlx::query(
                "SELECT t.id, u.name, t.created_at, t.last_used_at FROM api_tokens t \
                 JOIN users u ON u.id = t.user_id \
                 WHERE $1 IS NULL OR u.name = $1 ORDER BY t.id",
            )
            .bind(user_name)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.try_get(0)?,
                    user_name: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    last_used_at: r.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        }))
    }

    /// Deletes the API token with this id; returns its digest, so that a server can forget it
    /// at once. [`StoreError::NotFound`] when there is no such token.
    pub async fn delete_api_token(self, id: i64) -> Result<String, StoreError> {
        let digest: Option<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar("DELETE FROM api_tokens WHERE id = $1 RETURNING token_hash")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        digest.ok_or_else(|| StoreError::NotFound(format!("there is no API token {id}")))
    }

    /// Records when a token was used. Callers do this at most once an hour per token, so that
    /// reading through the API does not turn every request into a write.
    pub async fn touch_api_token(
        self,
        token_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(secs(now))
                .bind(token_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The number of failed logins for this name from this address since `since`.
    pub async fn login_failures(
        self,
        user_name: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let n: i64 = with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT count(*) FROM login_failures WHERE user_name = $1 AND ip = $2 AND at > $3",
            )
            .bind(user_name)
            .bind(ip)
            .bind(secs(since))
            .fetch_one(pool)
            .await?
        });
        Ok(n.max(0) as u64)
    }

    /// When the oldest failed login for this name from this address since `since` happened.
    pub async fn oldest_login_failure(
        self,
        user_name: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT min(at) FROM login_failures WHERE user_name = $1 AND ip = $2 AND at > $3",
            )
            .bind(user_name)
            .bind(ip)
            .bind(secs(since))
            .fetch_one(pool)
            .await?
        }))
    }

    /// Records a failed login and forgets the failures older than `forget_before`.
    pub async fn record_login_failure(
        self,
        user_name: &str,
        ip: &str,
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM login_failures WHERE at <= $1")
                .bind(secs(forget_before))
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO login_failures (user_name, ip, at) VALUES ($1, $2, $3)")
                .bind(user_name)
                .bind(ip)
                .bind(secs(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Forgets the failed logins for this name from this address (after a successful login).
    pub async fn clear_login_failures(self, user_name: &str, ip: &str) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query("DELETE FROM login_failures WHERE user_name = $1 AND ip = $2")
                .bind(user_name)
                .bind(ip)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

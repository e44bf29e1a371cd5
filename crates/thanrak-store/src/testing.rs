//! For the tests of this crate and the crates above it: a fresh PostgreSQL store in a schema of
//! its own, on the server named by `THANRAK_TEST_DATABASE_URL` (as `.ci/run` sets it).

use std::sync::atomic::{AtomicU32, Ordering};

use crate::Store;

/// The variable that names the PostgreSQL server of the tests.
pub const TEST_DATABASE_URL: &str = "THANRAK_TEST_DATABASE_URL";

/// A store on a new, empty schema `PREFIX_PID_N_MICROS` of the test server, or `None` when
/// [`TEST_DATABASE_URL`] is not set. Schemas with the same prefix that earlier runs left behind
/// for over an hour are dropped first, so the test database does not grow run after run.
/// `prefix` is a short lower-case name per test suite (such as `t` or `w`).
pub async fn postgres_store(prefix: &str) -> Option<Store> {
    let url = std::env::var(TEST_DATABASE_URL).ok()?;
    static N: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now().timestamp_micros();
    let schema = format!(
        "{prefix}_{}_{}_{now}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("the PostgreSQL test server is reachable");
    drop_stale_schemas(&admin, prefix, now).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("a test schema can be created");
    admin.close().await;
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    Some(
        Store::connect(&url)
            .await
            .expect("the test schema can be opened"),
    )
}

/// Drops the schemas `PREFIX_PID_N_MICROS` older than an hour. Failures are ignored: a
/// concurrent test may be dropping the same schema.
async fn drop_stale_schemas(admin: &sqlx::PgPool, prefix: &str, now: i64) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname::text, $1)",
    )
    .bind(format!("{prefix}_"))
    .fetch_all(admin)
    .await
    .unwrap_or_default();
    for name in names {
        let parts: Vec<&str> = name.split('_').collect();
        let stale = parts.len() == 4
            && parts[0] == prefix
            && parts[1..]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && parts[3]
                .parse::<i64>()
                .is_ok_and(|t| now - t > 3_600_000_000);
        if stale {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE"
            )))
            .execute(admin)
            .await;
        }
    }
}

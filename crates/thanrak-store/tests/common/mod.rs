//! What every store test file shares: a fresh store per test on each backend, and the macro that
//! runs one check on both (SQLite in a temporary directory; PostgreSQL in a schema of its own when
//! `THANRAK_TEST_DATABASE_URL` is set, as `.ci/run` does).

use std::sync::atomic::{AtomicU32, Ordering};

use thanrak_store::Store;

/// A store and what keeps it alive (the temporary directory of a SQLite file).
pub struct TestStore {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite store in a temporary directory.
pub async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    TestStore {
        store: Store::connect(&url).await.unwrap(),
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL store in a new schema, or `None` when no test server is configured.
pub async fn postgres_store() -> Option<TestStore> {
    let url = std::env::var("THANRAK_TEST_DATABASE_URL").ok()?;
    static N: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    );
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("PostgreSQL reachable");
    drop_stale_schemas(&admin).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    Some(TestStore {
        store: Store::connect(&url).await.unwrap(),
        _dir: None,
    })
}

/// Drops the schemas that earlier test runs left behind (named `t_PID_N_MICROS`, older than an
/// hour), so the test database does not grow run after run. Failures are ignored: a concurrent
/// test may be dropping the same schema.
async fn drop_stale_schemas(admin: &sqlx::PgPool) {
    let now = chrono::Utc::now().timestamp_micros();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
            .fetch_all(admin)
            .await
            .unwrap_or_default();
    for name in names {
        let parts: Vec<&str> = name.split('_').collect();
        let stale = parts.len() == 4
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

/// Runs each named `async fn(&Store)` of the calling file once on SQLite and once on PostgreSQL.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let t = crate::common::sqlite_store().await;
                assert_eq!(t.store.backend(), thanrak_store::Backend::Sqlite);
                super::$name(&t.store).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(t) = crate::common::postgres_store().await else {
                    eprintln!("THANRAK_TEST_DATABASE_URL is not set: PostgreSQL half skipped");
                    return;
                };
                assert_eq!(t.store.backend(), thanrak_store::Backend::Postgres);
                super::$name(&t.store).await;
            })+
        }
    };
}
pub(crate) use conformance;

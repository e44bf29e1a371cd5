//! What every store test file shares: a fresh store per test on each backend, and the macro that
//! runs one check on both (SQLite in a temporary directory; PostgreSQL in a schema of its own when
//! `THANRAK_TEST_DATABASE_URL` is set, as `.ci/run` does).

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
    Some(TestStore {
        store: thanrak_store::testing::postgres_store("t").await?,
        _dir: None,
    })
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

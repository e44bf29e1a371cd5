//! Boundaries on both backends: SQLite in a temporary directory, and PostgreSQL when
//! `THANRAK_TEST_DATABASE_URL` is set (each test in a schema of its own).

use std::sync::atomic::{AtomicU32, Ordering};

use thanrak_core::{AreaCode, AreaLevel};
use thanrak_store::{Backend, Boundary, Store, StoreError};

/// A store and what keeps it alive (the temporary directory of a SQLite file).
struct TestStore {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    TestStore {
        store: Store::connect(&url).await.unwrap(),
        _dir: Some(dir),
    }
}

async fn postgres_store() -> Option<TestStore> {
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

fn square(code: &str, x: f64, source: &str, illustrative: bool) -> Boundary {
    Boundary {
        code: AreaCode::parse(code).unwrap(),
        geojson: format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},0],[{x1},0],[{x1},1],[{x},1],[{x},0]]]}}"#,
            x1 = x + 1.0
        ),
        source: source.into(),
        illustrative,
    }
}

async fn stores_and_lists_by_level_and_parent(s: &Store) {
    let all = vec![
        square("52", 0.0, "demo", true),
        square("5201", 0.0, "demo", true),
        square("5202", 1.0, "demo", true),
        square("4501", 2.0, "demo", true),
    ];
    assert_eq!(s.replace_boundaries(&all).await.unwrap(), 4);
    let provinces = s.boundaries(AreaLevel::Province, None).await.unwrap();
    assert_eq!(provinces, vec![all[0].clone()]);
    let districts = s.boundaries(AreaLevel::District, None).await.unwrap();
    assert_eq!(districts.len(), 3);
    let lampang = AreaCode::parse("52").unwrap();
    let inside = s
        .boundaries(AreaLevel::District, Some(&lampang))
        .await
        .unwrap();
    assert_eq!(inside, all[1..3].to_vec());
    assert!(s
        .boundaries(AreaLevel::Subdistrict, None)
        .await
        .unwrap()
        .is_empty());
}

async fn reimport_replaces_by_code(s: &Store) {
    s.replace_boundaries(&[square("5201", 0.0, "demo", true)])
        .await
        .unwrap();
    let surveyed = square("5201", 5.0, "lampang.geojson", false);
    s.replace_boundaries(std::slice::from_ref(&surveyed))
        .await
        .unwrap();
    s.replace_boundaries(std::slice::from_ref(&surveyed))
        .await
        .unwrap();
    assert_eq!(
        s.boundaries(AreaLevel::District, None).await.unwrap(),
        vec![surveyed]
    );
}

async fn an_unknown_area_writes_nothing(s: &Store) {
    // 52010101 is a village no data has named, so the store does not know it.
    let batch = vec![
        square("5201", 0.0, "f", false),
        square("52010101", 0.0, "f", false),
    ];
    assert!(matches!(
        s.replace_boundaries(&batch).await,
        Err(StoreError::Other(_) | StoreError::Conflict(_))
    ));
    assert!(s
        .boundaries(AreaLevel::District, None)
        .await
        .unwrap()
        .is_empty());
}

async fn lists_known_area_codes(s: &Store) {
    let provinces = s.area_codes(AreaLevel::Province).await.unwrap();
    assert_eq!(provinces.len(), 77);
    assert!(provinces.contains(&AreaCode::parse("52").unwrap()));
    assert!(s.area_codes(AreaLevel::Village).await.unwrap().is_empty());
}
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let t = super::sqlite_store().await;
                assert_eq!(t.store.backend(), super::Backend::Sqlite);
                super::$name(&t.store).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(t) = super::postgres_store().await else {
                    eprintln!("THANRAK_TEST_DATABASE_URL is not set: PostgreSQL half skipped");
                    return;
                };
                assert_eq!(t.store.backend(), super::Backend::Postgres);
                super::$name(&t.store).await;
            })+
        }
    };
}

conformance!(
    stores_and_lists_by_level_and_parent,
    reimport_replaces_by_code,
    an_unknown_area_writes_nothing,
    lists_known_area_codes,
);

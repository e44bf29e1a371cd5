//! Boundaries on both backends (the harness of `common`): stored and listed by level and parent,
//! replaced by code, refused whole when an area is unknown.

mod common;

use thanrak_core::{AreaCode, AreaLevel};
use thanrak_store::{Boundary, Store, StoreError};

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
    assert_eq!(s.boundaries().replace(&all).await.unwrap(), 4);
    let provinces = s
        .boundaries()
        .list(AreaLevel::Province, None)
        .await
        .unwrap();
    assert_eq!(provinces, vec![all[0].clone()]);
    let districts = s
        .boundaries()
        .list(AreaLevel::District, None)
        .await
        .unwrap();
    assert_eq!(districts.len(), 3);
    let lampang = AreaCode::parse("52").unwrap();
    let inside = s
        .boundaries()
        .list(AreaLevel::District, Some(&lampang))
        .await
        .unwrap();
    assert_eq!(inside, all[1..3].to_vec());
    assert!(s
        .boundaries()
        .list(AreaLevel::Subdistrict, None)
        .await
        .unwrap()
        .is_empty());
}

async fn reimport_replaces_by_code(s: &Store) {
    s.boundaries()
        .replace(&[square("5201", 0.0, "demo", true)])
        .await
        .unwrap();
    let surveyed = square("5201", 5.0, "lampang.geojson", false);
    s.boundaries()
        .replace(std::slice::from_ref(&surveyed))
        .await
        .unwrap();
    s.boundaries()
        .replace(std::slice::from_ref(&surveyed))
        .await
        .unwrap();
    assert_eq!(
        s.boundaries()
            .list(AreaLevel::District, None)
            .await
            .unwrap(),
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
        s.boundaries().replace(&batch).await,
        Err(StoreError::Other(_) | StoreError::Conflict(_))
    ));
    assert!(s
        .boundaries()
        .list(AreaLevel::District, None)
        .await
        .unwrap()
        .is_empty());
}

async fn lists_known_area_codes(s: &Store) {
    let provinces = s
        .boundaries()
        .area_codes(AreaLevel::Province)
        .await
        .unwrap();
    assert_eq!(provinces.len(), 77);
    assert!(provinces.contains(&AreaCode::parse("52").unwrap()));
    assert!(s
        .boundaries()
        .area_codes(AreaLevel::Village)
        .await
        .unwrap()
        .is_empty());
}

common::conformance!(
    stores_and_lists_by_level_and_parent,
    reimport_replaces_by_code,
    an_unknown_area_writes_nothing,
    lists_known_area_codes,
);

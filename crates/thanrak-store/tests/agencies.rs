//! The agency catalogue on both backends (the harness of `common`): the default catalogue on a
//! new database, added and replaced by code, read back validated.

mod common;

use thanrak_core::agency::{default_catalogue, Agency};
use thanrak_core::identity::AgencyCode;
use thanrak_store::Store;

async fn a_new_database_holds_the_default_catalogue(s: &Store) {
    let listed = s.agencies().list().await.unwrap();
    let mut expected = default_catalogue();
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(listed, expected);
}

async fn agencies_are_added_and_replaced_by_code(s: &Store) {
    let now = chrono::Utc::now();
    let a = Agency::new(
        "rubber_board",
        "การยางแห่งประเทศไทย",
        "Rubber Authority of Thailand",
        "ยางพาราและรายได้ของเกษตรกร",
        &["occupation"],
        &["52", "5001"],
        "โทร 0 5400 0000",
    )
    .unwrap();
    assert!(s.agencies().save(&a, now).await.unwrap(), "added");
    let code = AgencyCode::parse("rubber_board").unwrap();
    assert_eq!(s.agencies().get(&code).await.unwrap(), Some(a.clone()));
    let changed = Agency::new(
        "rubber_board",
        "การยางแห่งประเทศไทย (กยท.)",
        "Rubber Authority of Thailand",
        "",
        &[],
        &[],
        "",
    )
    .unwrap();
    assert!(!s.agencies().save(&changed, now).await.unwrap(), "replaced");
    assert_eq!(s.agencies().get(&code).await.unwrap(), Some(changed));
    assert_eq!(
        s.agencies().list().await.unwrap().len(),
        default_catalogue().len() + 1
    );
    let none = AgencyCode::parse("nobody").unwrap();
    assert_eq!(s.agencies().get(&none).await.unwrap(), None);
}

common::conformance!(
    a_new_database_holds_the_default_catalogue,
    agencies_are_added_and_replaced_by_code,
);

//! The policy meeting's plans on both backends: partners with their areas replaced whole, model
//! areas with their roadmap (households and enterprises kept per activity), meetings with their
//! agencies and action items written in one transaction, and an action item moved only from the
//! version read.

mod common;

use chrono::{NaiveDate, Utc};
use thanrak_core::identity::AgencyCode;
use thanrak_core::plan::{ActionItem, Activity, Heading, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::AreaCode;
use thanrak_store::{Store, StoreError};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

async fn partners_and_model_areas_round_trip(s: &Store) {
    let p = Partner::new(
        "lpru",
        "ราชภัฏลำปาง",
        "Lampang Rajabhat",
        "054",
        &["52", "4501"],
    )
    .unwrap();
    s.plan().save_partner(&p).await.unwrap();
    assert_eq!(s.plan().partners().await.unwrap(), vec![p.clone()]);
    // Saved again with other areas: the areas are replaced, not added to.
    let q = Partner::new("lpru", "ราชภัฏลำปาง", "Lampang Rajabhat", "", &["5201"]).unwrap();
    s.plan().save_partner(&q).await.unwrap();
    assert_eq!(s.plan().partners().await.unwrap(), vec![q]);

    let m = ModelArea::new("520101", Some("lpru"), day(9, 1), "อันดับหนึ่ง").unwrap();
    s.plan()
        .save_model_area(&m, "lampang", Utc::now())
        .await
        .unwrap();
    let other = ModelArea::new("450101", None, day(9, 2), "").unwrap();
    s.plan()
        .save_model_area(&other, "admin", Utc::now())
        .await
        .unwrap();
    let all = s.plan().model_areas(&[]).await.unwrap();
    assert_eq!(all.len(), 2);
    let mine = s.plan().model_areas(&[code("52")]).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].model, m);
    assert_eq!(mine[0].created_by, "lampang");

    let a = Activity::new(
        Heading::Processing,
        "แปรรูปข้าวฮาง",
        "codi",
        25_000_000,
        Some(day(10, 1)),
        Some(day(12, 31)),
        WorkState::Planned,
        &["H1", "H2"],
        &["7"],
    )
    .unwrap();
    let id = s
        .plan()
        .add_activity(&code("520101"), &a, Utc::now())
        .await
        .unwrap();
    let b = Activity::new(
        Heading::Tourism,
        "เส้นทางท่องเที่ยว",
        "dasta",
        0,
        None,
        None,
        WorkState::UnderWay,
        &[],
        &[],
    )
    .unwrap();
    s.plan()
        .add_activity(&code("450101"), &b, Utc::now())
        .await
        .unwrap();
    let got = s.plan().activities(&[code("5201")]).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, id);
    assert_eq!(got[0].activity, a);
    assert!(s
        .plan()
        .set_activity_state(id, WorkState::Done, Utc::now())
        .await
        .unwrap());
    assert!(!s
        .plan()
        .set_activity_state(9999, WorkState::Done, Utc::now())
        .await
        .unwrap());
    let got = s.plan().activities(&[]).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got.iter().find(|x| x.id == id).unwrap().activity.state,
        WorkState::Done
    );

    // Removing the partner leaves the model area without one.
    assert!(s
        .plan()
        .remove_partner(&AgencyCode::parse("lpru").unwrap())
        .await
        .unwrap());
    assert!(!s
        .plan()
        .remove_partner(&AgencyCode::parse("lpru").unwrap())
        .await
        .unwrap());
    let mine = s.plan().model_areas(&[code("52")]).await.unwrap();
    assert_eq!(mine[0].model.partner, None);
}

async fn meetings_and_action_items(s: &Store) {
    let m = Meeting::new("52", day(10, 1), "ครั้งที่ 4/2569", &["codi", "osmep"], "มติ").unwrap();
    let p = code("52");
    let items = vec![
        ActionItem::new(&p, "ซ่อมบ้าน", "codi", "5201", Some(day(11, 1)), &[]).unwrap(),
        ActionItem::new(&p, "ตลาดนัด", "osmep", "520101", None, &[]).unwrap(),
    ];
    let id = s
        .plan()
        .add_meeting(&m, &items, "lampang", Utc::now())
        .await
        .unwrap();
    let other = Meeting::new("45", day(10, 2), "ร้อยเอ็ด", &["codi"], "").unwrap();
    s.plan()
        .add_meeting(&other, &[], "admin", Utc::now())
        .await
        .unwrap();
    let all = s.plan().meetings(&[]).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].meeting.province, code("45"), "newest first");
    let mine = s.plan().meetings(&[p]).await.unwrap();
    assert_eq!(mine.len(), 1);
    let rec = &mine[0];
    assert_eq!(rec.id, id);
    assert_eq!(rec.meeting, m);
    assert_eq!(rec.items.len(), 2);
    assert_eq!(rec.items[0].item, items[0]);
    assert_eq!(rec.items[0].state, WorkState::Planned);
    assert_eq!(rec.items[0].events.len(), 1);

    let item = &rec.items[0];
    let moved = s
        .plan()
        .move_item(
            item.id,
            item.version,
            WorkState::UnderWay,
            "codi1",
            "เริ่มแล้ว",
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(moved.state, WorkState::UnderWay);
    assert_eq!(moved.version, item.version + 1);
    assert_eq!(moved.events.last().unwrap().note, "เริ่มแล้ว");
    // The same stale version again: a conflict, nothing written.
    let stale = s
        .plan()
        .move_item(
            item.id,
            item.version,
            WorkState::Done,
            "codi2",
            "",
            Utc::now(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let now = s.plan().item(item.id).await.unwrap().unwrap();
    assert_eq!(now.state, WorkState::UnderWay);
    assert_eq!(now.events.len(), 2);
    assert!(matches!(
        s.plan()
            .move_item(9999, 1, WorkState::Done, "x", "", Utc::now())
            .await,
        Err(StoreError::NotFound(_))
    ));
    // A meeting naming a case that does not exist writes nothing.
    let bad = vec![ActionItem::new(&p, "x", "codi", "52", None, &[424242]).unwrap()];
    assert!(s
        .plan()
        .add_meeting(&m, &bad, "x", Utc::now())
        .await
        .is_err());
    assert_eq!(s.plan().meetings(&[]).await.unwrap().len(), 2);
}

common::conformance!(
    partners_and_model_areas_round_trip,
    meetings_and_action_items
);

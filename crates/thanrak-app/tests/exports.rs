//! Exports sent in parts are the same files as the CLI's export, on both databases, and every
//! part is in the audit log before it is sent.

mod common;

use common::user;
use thanrak_app::audit::AuditLog;
use thanrak_app::exports::{export_for, ExportTable};
use thanrak_app::ExportFormat;
use thanrak_core::{AreaCode, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_store::{Store, User};

async fn parts_make_the_same_files(store: &Store) {
    let config = DemoConfig {
        households: 120,
        seed: 9,
        provinces: vec![
            AreaCode::parse("52").unwrap(),
            AreaCode::parse("45").unwrap(),
        ],
    };
    thanrak_app::load_demo(store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let round = "2569-1";
    let dir = tempfile::tempdir().unwrap();
    let label = RoundLabel::parse(round).unwrap();
    thanrak_app::export_round(store, &label, dir.path(), ExportFormat::Csv)
        .await
        .unwrap();
    let cli = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let log = AuditLog::start(store.clone());
    let admin = user(store, "admin", "admin", &[]).await;
    let lampang = user(store, "lampang", "area_manager", &["52"]).await;
    let export = |u: &User, table: ExportTable, area: Option<&'static str>, part: u64| {
        let (u, log) = (u.clone(), log.clone());
        async move {
            export_for(
                store,
                &log,
                &u,
                &RoundLabel::parse(round).unwrap(),
                area.map(|a| AreaCode::parse(a).unwrap()).as_ref(),
                ExportFormat::Csv,
                table,
                "test",
                part,
            )
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap()
        }
    };
    for part in [1, 7, 120, 1000] {
        assert_eq!(
            export(&admin, ExportTable::Households, None, part).await,
            cli("households.csv"),
            "part {part}"
        );
        assert_eq!(
            export(&admin, ExportTable::Members, None, part).await,
            cli("members.csv"),
            "part {part}"
        );
    }
    // Lampang's manager: the lines of the CLI's files that are Lampang's, in parts or not.
    let hh = String::from_utf8(cli("households.csv")).unwrap();
    let mut lines = hh.lines();
    let header = lines.next().unwrap();
    let village = header.split(',').position(|c| c == "village_code").unwrap();
    let mine: Vec<&str> = lines
        .filter(|l| l.split(',').nth(village).unwrap().starts_with("52"))
        .collect();
    let want = format!("{header}\n{}\n", mine.join("\n"));
    let (before, _) = store.audit().entries(0, 1).await.unwrap();
    let got = export(&lampang, ExportTable::Households, None, 7).await;
    assert_eq!(String::from_utf8(got).unwrap(), want);
    // One audit line per part of 7, naming exactly the households sent.
    let (lines, total) = store.audit().entries(0, 500).await.unwrap();
    let new: Vec<_> = lines
        .iter()
        .filter(|l| l.id > before.first().map_or(0, |b| b.id))
        .collect();
    assert_eq!(new.len(), mine.len().div_ceil(7));
    let audited: usize = new.iter().map(|l| l.entry.household_ids.len()).sum();
    assert_eq!(audited, mine.len());
    assert!(total as usize >= new.len());
    // An area outside the scope: the header alone, still audited.
    let got = export(&lampang, ExportTable::Households, Some("45"), 7).await;
    assert_eq!(String::from_utf8(got).unwrap(), format!("{header}\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_parts_make_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    parts_make_the_same_files(&Store::connect(&url).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_parts_make_the_same_files() {
    let Some(store) = thanrak_store::testing::postgres_store("a").await else {
        return;
    };
    parts_make_the_same_files(&store).await;
}

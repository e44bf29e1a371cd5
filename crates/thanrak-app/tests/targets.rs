//! Target lists are paged two ways: ordered, counted and cut in the database (a page without a
//! need), or ordered in memory (downloads, needs). Both must give the same households in the
//! same order (methodology §5), on both databases.

mod common;

use common::user;
use thanrak_app::access::Paging;
use thanrak_app::audit::AuditLog;
use thanrak_app::scoring;
use thanrak_app::targeting::{target_file, target_list, TargetQuery, TABLE_HEADER};
use thanrak_app::ExportFormat;
use thanrak_core::{AreaCode, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_store::Store;

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

async fn database_and_memory_pages_agree(store: &Store) {
    let config = DemoConfig {
        households: 400,
        seed: 5,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let lm = scoring::load_methodology(None).unwrap();
    let round = "2569-1";
    scoring::score_round(
        store,
        &RoundLabel::parse(round).unwrap(),
        &lm,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    let log = AuditLog::start(store.clone());
    let admin = user(store, "admin", "admin", &[]).await;
    let lampang = user(store, "lampang", "area_manager", &["52"]).await;
    let indicator = lm.methodology.indicators()[0].id.clone();
    let query = |area: Option<&str>, group: Option<&str>, indicator: Option<&str>| TargetQuery {
        round: RoundLabel::parse(round).unwrap(),
        area: area.map(code),
        group: group.map(str::to_string),
        indicator: indicator.map(str::to_string),
        need: None,
        persistent: None,
    };
    let queries = [
        query(None, None, None),
        query(Some("52"), None, None),
        query(Some("45"), Some("hardship"), None),
        query(None, Some("struggling"), None),
        query(None, None, Some(&indicator)),
        query(Some("52"), Some("hardship"), Some(&indicator)),
        TargetQuery {
            need: Some("job".into()),
            ..query(Some("52"), None, None)
        },
        TargetQuery {
            need: Some("welfare".into()),
            ..query(None, Some("struggling"), None)
        },
    ];
    let cache = thanrak_app::area_figures::FiguresCache::new();
    let mut compared = 0;
    for u in [&admin, &lampang] {
        for q in &queries {
            let all = target_list(store, &log, &cache, &lm, u, q, None, "test")
                .await
                .unwrap()
                .page
                .clone();
            let ids: Vec<String> = all
                .items
                .iter()
                .map(|t| t.household_id.to_string())
                .collect();
            // The streamed download, in parts of 7 rows, is the whole list's table.
            let want = thanrak_app::targeting::table_csv(
                &TABLE_HEADER,
                &thanrak_app::targeting::table_rows(&all.items, 1),
            )
            .unwrap();
            for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
                let file = target_file(store, &log, &cache, &lm, u, q, "test", format, 7)
                    .await
                    .unwrap();
                let bytes = file.body.collect().await.unwrap();
                match format {
                    ExportFormat::Csv => assert_eq!(bytes, want, "{q:?}"),
                    ExportFormat::Xlsx => assert!(bytes.starts_with(b"PK"), "{q:?}"),
                }
            }
            for per_page in [7u32, 50] {
                let pages = (ids.len() as u32).div_ceil(per_page).min(4) + 1;
                for page in 1..=pages {
                    let paging = Paging::new(Some(page), Some(per_page)).unwrap();
                    let got = target_list(store, &log, &cache, &lm, u, q, Some(paging), "test")
                        .await
                        .unwrap()
                        .page
                        .clone();
                    assert_eq!(got.total, all.total, "{q:?}");
                    let from = ((page - 1) * per_page) as usize;
                    let want: Vec<&String> =
                        ids.iter().skip(from).take(per_page as usize).collect();
                    let got_ids: Vec<String> = got
                        .items
                        .iter()
                        .map(|t| t.household_id.to_string())
                        .collect();
                    assert_eq!(
                        got_ids.iter().collect::<Vec<_>>(),
                        want,
                        "{q:?} page {page}"
                    );
                    compared += got_ids.len();
                }
            }
        }
    }
    assert!(compared > 500, "only {compared} targets compared");
}

#[tokio::test]
async fn sqlite_database_and_memory_pages_agree() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    database_and_memory_pages_agree(&Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_database_and_memory_pages_agree() {
    let Some(store) = thanrak_store::testing::postgres_store("a").await else {
        return;
    };
    database_and_memory_pages_agree(&store).await;
}

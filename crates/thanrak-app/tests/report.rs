//! The policy-meeting report (issue 12, part 5) made from a scored demo population with a
//! partner, a model area and a meeting: a PDF and a workbook come out, who may make it is the
//! policy's, and its text holds what the meeting looks at.

mod common;

use chrono::Duration;
use common::user;
use thanrak_app::access::AccessError;
use thanrak_app::plan;
use thanrak_app::report::{make_report, ReportFormat, ReportParams};
use thanrak_app::scoring;
use thanrak_core::plan::{ActionItem, Meeting, Partner};
use thanrak_core::{AreaCode, RoundLabel};
use thanrak_demo::{DemoConfig, ROUND_1, ROUND_2};
use thanrak_store::Store;

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

#[tokio::test]
async fn the_report_is_made_as_pdf_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&url).await.unwrap();
    let config = DemoConfig {
        households: 400,
        seed: 9,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(&store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let lm = scoring::load_methodology(None).unwrap();
    for r in [ROUND_1, ROUND_2] {
        scoring::score_round(
            &store,
            &RoundLabel::parse(r).unwrap(),
            &lm,
            &mut |_, _, _| {},
        )
        .await
        .unwrap();
    }
    thanrak_app::boundaries::load_demo_boundaries(&store, &[code("52")])
        .await
        .unwrap();
    let admin = user(&store, "admin", "admin", &[]).await;
    let lampang = user(&store, "lampang", "area_manager", &["52"]).await;
    let surveyor = user(&store, "surveyor", "surveyor", &["520101"]).await;
    let p = Partner::new("lpru", "ราชภัฏลำปาง", "Lampang Rajabhat", "", &["52"]).unwrap();
    plan::save_partner(&store, &admin, &p).await.unwrap();
    let today = thanrak_app::help::thai_today();
    let m = Meeting::new(
        "52",
        today - Duration::days(60),
        "ครั้งที่ 4/2569",
        &["codi"],
        "มติ",
    )
    .unwrap();
    let item = ActionItem::new(
        &code("52"),
        "ซ่อมบ้าน <20> หลัง #1",
        "codi",
        "5201",
        Some(today),
        &[],
    )
    .unwrap();
    plan::record_meeting(&store, &lampang, &m, &[item])
        .await
        .unwrap();

    let params = |format| ReportParams {
        area: "52".into(),
        round: None,
        since_round: None,
        since_meeting: None,
        format,
        user: String::new(),
    };
    let mut none = |_: &str, _: u64, _: u64| {};
    let pdf = make_report(&store, &lampang, &params(ReportFormat::Pdf), &mut none)
        .await
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_eq!(pdf.media_type, "application/pdf");
    assert_eq!(pdf.name, format!("report-52-{ROUND_2}.pdf"));
    let xlsx = make_report(&store, &lampang, &params(ReportFormat::Xlsx), &mut none)
        .await
        .unwrap();
    assert!(xlsx.bytes.starts_with(b"PK"), "a workbook is a zip file");
    // The PDF's text, read back with poppler's pdftotext (CI installs it): Thai headings, the
    // meeting's item with its special characters, the comparison with the first round.
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &pdf.bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for want in [
        "ตัวเลขสำคัญ",
        "แผนที่",
        "การเปลี่ยนแปลงจากรอบก่อน",
        "ซ่อมบ้าน<20>หลัง#1",
        ROUND_1,
        "lpru",
    ] {
        assert!(text.contains(want), "{want:?} is not in the report");
    }

    // Who may make it: an admin anywhere, an area manager in its areas; no one else.
    assert!(make_report(
        &store,
        &admin,
        &ReportParams {
            area: "45".into(),
            ..params(ReportFormat::Xlsx)
        },
        &mut none
    )
    .await
    .is_ok());
    assert!(matches!(
        make_report(
            &store,
            &lampang,
            &ReportParams {
                area: "45".into(),
                ..params(ReportFormat::Xlsx)
            },
            &mut none
        )
        .await,
        Err(AccessError::Forbidden(_))
    ));
    assert!(matches!(
        make_report(&store, &surveyor, &params(ReportFormat::Xlsx), &mut none).await,
        Err(AccessError::Forbidden(_))
    ));
}

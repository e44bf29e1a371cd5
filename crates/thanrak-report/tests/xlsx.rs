//! The workbook, read back with calamine (and its styles with zip).

mod sample;

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use thanrak_report::model::*;
use thanrak_report::{render_xlsx, ReportError};

use sample::{sample, DISTRICTS, SPECIAL};

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook")
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({row}, {col}) is {other:?}, not text"),
    }
}

fn number(range: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(v)) => *v,
        Some(Data::Int(v)) => *v as f64,
        other => panic!("({row}, {col}) is {other:?}, not a number"),
    }
}

/// The text cells of a sheet.
fn strings(range: &calamine::Range<Data>) -> Vec<String> {
    range
        .rows()
        .flatten()
        .filter_map(|d| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_sample_workbook_reads_back() {
    let report = sample();
    let bytes = render_xlsx(&report).expect("the sample renders");
    // Left to be opened in a spreadsheet (not committed).
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("sample.xlsx"), &bytes).unwrap();
    let mut book = open(&bytes);

    // The summary first, then one sheet per table and chart in order; the table names are made
    // valid ("/", "[", "]" removed) and unique ("รายอำเภอ" twice).
    let names = book.sheet_names();
    assert_eq!(
        names,
        [
            "สรุป",
            "ครัวเรือนยากจนเป้าหมาย รายอำเภอ",
            "แผนที่ 1 สัดส่วนครัวเรือนยากจน",
            "รายอำเภอ",
            "แผนภาพที่ 1 การเปลี่ยนกลุ่มของค",
            "หมู่บ้านเป้าหมาย ลำดับ ทั้งหมด",
            "รายอำเภอ (2)",
        ]
    );

    let summary = book.worksheet_range("สรุป").unwrap();
    assert_eq!(text(&summary, 0, 0), report.title);
    assert_eq!(text(&summary, 1, 0), report.subtitle);
    assert_eq!(text(&summary, 3, 0), "รอบสำรวจ");
    assert_eq!(text(&summary, 3, 1), "2568 (เทียบกับ 2567)");
    let cells: Vec<String> = strings(&summary);
    for figure in [
        "ครัวเรือนที่สำรวจ",
        "48,213",
        "ครัวเรือนยากจนเป้าหมาย",
        "6,905",
        "14.3% ลดลง 3.2% จากรอบก่อน",
    ] {
        assert!(
            cells.iter().any(|c| c == figure),
            "{figure} is not on the summary"
        );
    }
    assert!(
        cells.iter().any(|c| c == SPECIAL),
        "special text is not kept as written"
    );
    assert!(cells.iter().any(|c| c == &report.footer));
    assert!(
        cells.iter().any(|c| c == "แผ่นงาน: หมู่บ้านเป้าหมาย ลำดับ ทั้งหมด"),
        "no link to a table's sheet"
    );

    // A table: caption, bold frozen headers, numbers as numbers, percent as a share, withheld.
    let districts = book.worksheet_range("รายอำเภอ").unwrap();
    assert_eq!(
        text(&districts, 0, 0),
        "ตารางที่ 1 ครัวเรือนยากจนเป้าหมายและรายได้ รายอำเภอ"
    );
    let headers: Vec<String> = (0..6).map(|c| text(&districts, 1, c)).collect();
    assert_eq!(headers[..3], ["อำเภอ", "ครัวเรือนที่สำรวจ", "ยากจนเป้าหมาย"]);
    assert_eq!(text(&districts, 2, 0), DISTRICTS[0]);
    let households = number(&districts, 2, 1);
    let target = number(&districts, 2, 2);
    assert!(households > target && target > 0.0 && households.fract() == 0.0);
    let share = number(&districts, 2, 3);
    assert!(
        (share - target / households).abs() < 1e-12,
        "a percent cell holds the share itself"
    );
    assert_eq!(text(&districts, 5, 4), WITHHELD_MARK);
    let notes: Vec<String> = strings(&districts);
    assert!(notes.iter().any(|n| n == WITHHELD_NOTE));

    // The long table: all 300 rows, under its header.
    let villages = book.worksheet_range("หมู่บ้านเป้าหมาย ลำดับ ทั้งหมด").unwrap();
    assert_eq!(number(&villages, 301, 0), 300.0);
    assert_eq!(text(&villages, 43, 1), SPECIAL);

    // Charts as plain tables.
    let bars = book
        .worksheet_range("ครัวเรือนยากจนเป้าหมาย รายอำเภอ")
        .unwrap();
    assert_eq!(text(&bars, 1, 1), "ค่า (ครัวเรือน)");
    assert!(number(&bars, 2, 1) >= number(&bars, 3, 1));
    assert!(text(&bars, 2, 2).ends_with("ครัวเรือน"));
    let map = book.worksheet_range("แผนที่ 1 สัดส่วนครัวเรือนยากจน").unwrap();
    assert_eq!(text(&map, 2, 0), DISTRICTS[0]);
    assert_eq!(text(&map, 9, 1), "ไม่มีข้อมูล");
    let flow = book.worksheet_range("แผนภาพที่ 1 การเปลี่ยนกลุ่มของค").unwrap();
    assert_eq!(
        [text(&flow, 1, 0), text(&flow, 1, 1), text(&flow, 1, 2)],
        ["รอบ 2567", "รอบ 2568", "จำนวน"]
    );
    assert_eq!(
        (text(&flow, 2, 0), text(&flow, 2, 1), number(&flow, 2, 2)),
        ("อยู่ลำบาก".into(), "อยู่ลำบาก".into(), 2100.0)
    );

    // The formats: thousands separators, a percentage with one decimal, frozen header rows.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains(r##"formatCode="#,##0""##), "{styles}");
    assert!(styles.contains(r#"formatCode="0.0%""#), "{styles}");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet4.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        sheet.contains(r#"<pane ySplit="2" topLeftCell="A3""#),
        "the header rows are not frozen"
    );
}

#[test]
fn invalid_reports_are_refused() {
    let report = Report {
        sections: vec![Section {
            heading: "ส่วน".into(),
            blocks: vec![Block::Table(Table {
                columns: vec![Column::default()],
                rows: vec![vec![]],
                ..Table::default()
            })],
        }],
        ..Report::default()
    };
    assert!(matches!(render_xlsx(&report), Err(ReportError::Invalid(_))));
}

#[test]
fn an_empty_report_is_a_workbook_with_its_summary() {
    let bytes = render_xlsx(&Report::default()).unwrap();
    assert_eq!(open(&bytes).sheet_names(), ["สรุป"]);
}

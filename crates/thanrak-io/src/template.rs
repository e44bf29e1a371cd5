//! The import template (issue 14): an XLSX workbook a surveyor fills in — the sheets
//! `households` and `members` with Thai headers (the importer reads them as aliases), a drop-down
//! list on every coded column and 0/1 flag, a guide sheet (`คำอธิบาย`) that says what each
//! column holds, and a hidden sheet of the lists. Everything comes from the schema, so the
//! template follows the importer.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};
use thanrak_core::schema::{coded_values, Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

/// Rows of a sheet that carry the drop-down lists.
const TEMPLATE_ROWS: u32 = 5_000;

fn kind_text(c: &Column) -> String {
    match c.kind {
        Kind::Text => "ข้อความ".into(),
        Kind::Int(a, b) => format!("จำนวนเต็ม {a}–{b}"),
        Kind::Real(a, b) => format!("ตัวเลข {a}–{b}"),
        Kind::Flag => "0 = ไม่ใช่, 1 = ใช่".into(),
        Kind::Date => "วันที่ ปปปป-ดด-วว (พ.ศ. หรือ ค.ศ.)".into(),
    }
}

/// The template as the bytes of an XLSX file.
pub fn import_template() -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDEFE6");
    let required = Format::new().set_bold().set_background_color("#F9D9A6");
    // The lists first, on their own sheet: a column of Thai labels per coded column.
    let mut lists: Vec<(&str, usize)> = Vec::new();
    {
        let ws = book.add_worksheet();
        ws.set_name("lists")?;
        let mut col = 0u16;
        for c in HOUSEHOLD_COLUMNS.iter().chain(MEMBER_COLUMNS) {
            if c.name == "skills" || lists.iter().any(|(n, _)| *n == c.name) {
                continue;
            }
            if let Some(values) = coded_values(c.name) {
                ws.write_string(0, col, c.name)?;
                for (i, (_, th, _)) in values.iter().enumerate() {
                    ws.write_string(i as u32 + 1, col, *th)?;
                }
                lists.push((c.name, values.len()));
                col += 1;
            }
        }
        ws.set_hidden(true);
    }
    for (sheet, columns) in [
        ("households", HOUSEHOLD_COLUMNS),
        ("members", MEMBER_COLUMNS),
    ] {
        let ws = book.add_worksheet();
        ws.set_name(sheet)?;
        for (i, c) in columns.iter().enumerate() {
            let col = i as u16;
            ws.write_string_with_format(
                0,
                col,
                c.thai,
                if c.required { &required } else { &header },
            )?;
            ws.set_column_width(col, (c.thai.chars().count() as f64 * 1.4).clamp(10.0, 30.0))?;
            let validation = match c.kind {
                Kind::Flag => Some(DataValidation::new().allow_list_strings(&["0", "1"])?),
                _ => lists.iter().position(|(n, _)| *n == c.name).map(|at| {
                    let letter = char::from(b'A' + at as u8);
                    let n = lists[at].1 + 1;
                    DataValidation::new().allow_list_formula(Formula::new(format!(
                        "=lists!${letter}$2:${letter}${n}"
                    )))
                }),
            };
            if let Some(v) = validation {
                ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &v)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    let ws = book.add_worksheet();
    ws.set_name("คำอธิบาย")?;
    let notes = [
        "แม่แบบนำเข้าข้อมูลการสำรวจหนึ่งรอบ: กรอกชีต households (ครัวเรือน) และ members (สมาชิก) แล้วนำเข้าที่หน้านำเข้าข้อมูล",
        "หัวตารางสีส้มต้องมีค่าทุกแถว ช่องที่มีรายการให้เลือกจากรายการ (ใส่รหัสภาษาอังกฤษแทนก็ได้)",
        "ตรวจทุกแถวก่อนบันทึก หากมีปัญหาแม้แถวเดียวจะไม่บันทึกอะไรเลย และรายงานไฟล์ แถว คอลัมน์ ค่า และเหตุผล",
        "ทักษะ (skills) ใส่ได้หลายค่า คั่นด้วย ; รหัสหมู่บ้าน 8 หลัก = รหัสตำบล 6 หลัก + หมู่ที่ 2 หลัก",
    ];
    for (i, n) in notes.iter().enumerate() {
        ws.write_string(i as u32, 0, *n)?;
    }
    let top = notes.len() as u32 + 1;
    for (c, h) in ["ชีต", "คอลัมน์", "หัวตาราง", "ชนิด", "ต้องมี", "ค่าที่ใช้ได้"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(top, c as u16, *h, &header)?;
    }
    let mut row = top + 1;
    for (sheet, columns) in [
        ("households", HOUSEHOLD_COLUMNS),
        ("members", MEMBER_COLUMNS),
    ] {
        for c in columns {
            let values = coded_values(c.name)
                .map(|v| {
                    v.iter()
                        .map(|(code, th, _)| format!("{th} ({code})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            for (col, text) in [
                sheet.to_string(),
                c.name.to_string(),
                c.thai.to_string(),
                kind_text(c),
                if c.required {
                    "ต้องมี".into()
                } else {
                    String::new()
                },
                values,
            ]
            .iter()
            .enumerate()
            {
                ws.write_string(row, col as u16, text)?;
            }
            row += 1;
        }
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 30)?;
    ws.set_column_width(3, 26)?;
    ws.set_column_width(5, 80)?;
    // Open on the households sheet.
    book.worksheet_from_name("households")?.set_active(true);
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_a_workbook_with_both_sheets_and_the_guide() {
        let bytes = import_template().unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let names = book.sheet_names();
        for s in ["households", "members", "คำอธิบาย", "lists"] {
            assert!(names.iter().any(|n| n == s), "{names:?}");
        }
        let households = book.worksheet_range("households").unwrap();
        let first: Vec<String> = households
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let thai: Vec<&str> = HOUSEHOLD_COLUMNS.iter().map(|c| c.thai).collect();
        assert_eq!(first, thai);
    }
}

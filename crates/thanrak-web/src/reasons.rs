//! Thai for the reasons of an import's row report. The checks (core, io, app) word their reasons
//! in English, which the API and the CLI keep; the import page shows them in Thai by matching
//! each reason against the templates below. `{}` stands for a part that is copied over (and
//! translated again when it is itself a known reason or an area level). A reason no template
//! matches is shown as it is.

use crate::i18n::Lang;

/// (English, Thai) templates, each with the same number of `{}` in the same order.
const REASONS: &[(&str, &str)] = &[
    ("must be a number", "ต้องเป็นตัวเลข"),
    ("must be a whole number", "ต้องเป็นจำนวนเต็ม"),
    ("must be 0 or 1", "ต้องเป็น 0 หรือ 1"),
    ("must be a date", "ต้องเป็นวันที่"),
    ("must be between {} and {}", "ต้องอยู่ระหว่าง {} ถึง {}"),
    ("must be one of {}", "ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {}"),
    ("is required", "ต้องกรอกข้อมูลช่องนี้"),
    ("contains a control character", "มีอักขระควบคุมที่ใช้ไม่ได้"),
    ("contains the character {}, which is not allowed", "มีอักขระ {} ซึ่งใช้ไม่ได้"),
    ("is empty", "ว่างเปล่า"),
    ("is longer than {} characters", "ยาวเกิน {} ตัวอักษร"),
    ("must be 13 digits", "ต้องเป็นตัวเลข 13 หลัก"),
    ("check digit is wrong (expected {})", "หลักตรวจสอบไม่ถูกต้อง (ควรเป็น {})"),
    ("is not a valid national id: {}", "ไม่ใช่เลขประจำตัวประชาชนที่ถูกต้อง: {}"),
    ("must be 2, 4, 6 or 8 digits", "ต้องเป็นตัวเลข 2, 4, 6 หรือ 8 หลัก"),
    ("must be a {} code ({} digits)", "ต้องเป็นรหัส{} ({} หลัก)"),
    ("is not a known {} code", "ไม่ใช่รหัส{}ที่มีอยู่ในทะเบียน"),
    ("village number 00 is not valid", "หมู่ที่ 00 ใช้ไม่ได้"),
    (
        "is not a date (use YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era)",
        "ไม่ใช่วันที่ (ใช้รูปแบบ YYYY-MM-DD หรือ D/M/YYYY เป็น พ.ศ. หรือ ค.ศ. ก็ได้)",
    ),
    ("is not a day of the calendar", "ไม่มีวันนี้ในปฏิทิน"),
    ("has an implausible year", "ปีไม่สมเหตุสมผล"),
    ("appears twice in round {}", "ซ้ำกันในรอบ {}"),
    (
        "no such household in round {} of this import",
        "ไม่มีครัวเรือนนี้ในรอบ {} ของข้อมูลที่นำเข้า",
    ),
    ("is after the survey date {}", "อยู่หลังวันสำรวจ {}"),
    (
        "gives an age of {} at the survey date, over {}",
        "ทำให้อายุ ณ วันสำรวจเป็น {} ปี เกิน {} ปี",
    ),
    (
        "is also a member of household {} in round {}",
        "เป็นสมาชิกของครัวเรือน {} ในรอบ {} อยู่แล้ว",
    ),
    ("give birth_date or age", "ต้องมีวันเกิด (birth_date) หรืออายุ (age)"),
    (
        "give a birth_date or an age column",
        "ต้องมีคอลัมน์วันเกิด (birth_date) หรืออายุ (age)",
    ),
    ("{} is not a skill (one of {})", "{} ไม่ใช่ทักษะที่รู้จัก (ใช้ได้: {})"),
    ("required column is missing", "ไม่มีคอลัมน์ที่จำเป็นนี้"),
    ("unknown column (expected one of {})", "ไม่รู้จักคอลัมน์นี้ (ใช้ได้: {})"),
    (
        "the column {} appears twice; only the first one is read",
        "คอลัมน์ {} ซ้ำกัน ระบบอ่านเฉพาะคอลัมน์แรก",
    ),
    (
        "lat and lon go together: add the {} column or remove {}",
        "lat และ lon ต้องมีคู่กัน: เพิ่มคอลัมน์ {} หรือเอา {} ออก",
    ),
    (
        "a value in a column without a header: name the column or remove the value",
        "มีค่าในคอลัมน์ที่ไม่มีหัวตาราง: ตั้งชื่อคอลัมน์หรือลบค่านั้นออก",
    ),
    ("the file is empty", "ไฟล์ว่างเปล่า"),
    (
        "the first row is not a header: none of its cells names a column of the {} table (expected {})",
        "แถวแรกไม่ใช่หัวตาราง: ไม่มีช่องใดเป็นชื่อคอลัมน์ของตาราง {} (ใช้ได้: {})",
    ),
    ("the sheet is empty", "ชีตว่างเปล่า"),
    (
        "the row has {} values but the header has {}: {}",
        "แถวนี้มี {} ค่า แต่หัวตารางมี {} คอลัมน์: {}",
    ),
    (
        "a comma is missing, or the line is cut short",
        "ขาดเครื่องหมายจุลภาค หรือบรรทัดถูกตัดสั้น",
    ),
    (
        "a value holding a comma must be in double quotes",
        "ค่าที่มีเครื่องหมายจุลภาคต้องอยู่ในเครื่องหมายคำพูด (\")",
    ),
    (
        "the file ends inside a quoted value (the closing \" is missing): it looks cut short, so this row is not read",
        "ไฟล์จบกลางค่าที่อยู่ในเครื่องหมายคำพูด (ไม่มี \" ปิด): ไฟล์น่าจะถูกตัดสั้น จึงไม่ได้อ่านแถวนี้",
    ),
    (
        "the file is not UTF-8; it looks like TIS-620/Windows-874 Thai text: save it as UTF-8 (CSV UTF-8) and import again",
        "ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8 ดูเหมือนเป็นภาษาไทยแบบ TIS-620/Windows-874: บันทึกเป็น CSV UTF-8 แล้วนำเข้าใหม่",
    ),
    (
        "the file is not UTF-8: byte {} at position {} of this value is not valid UTF-8; save it as UTF-8 (CSV UTF-8) and import again",
        "ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8: ไบต์ {} ที่ตำแหน่ง {} ของค่านี้ไม่ใช่ UTF-8 บันทึกเป็น CSV UTF-8 แล้วนำเข้าใหม่",
    ),
    (
        "the file is UTF-16 text, not UTF-8: save it as UTF-8 (CSV UTF-8) and import again",
        "ไฟล์เป็นข้อความ UTF-16 ไม่ใช่ UTF-8: บันทึกเป็น CSV UTF-8 แล้วนำเข้าใหม่",
    ),
    (
        "this is an old Excel .xls workbook with a .csv name: save it as CSV UTF-8 or .xlsx",
        "ไฟล์นี้เป็นไฟล์ Excel .xls แบบเก่าที่ตั้งชื่อเป็น .csv: บันทึกเป็น CSV UTF-8 หรือ .xlsx",
    ),
    (
        "the village is outside your areas ({})",
        "หมู่บ้านนี้อยู่นอกพื้นที่ของท่าน ({})",
    ),
    (
        "this household id is already used by a household outside your areas; an admin can resolve it. This check is logged",
        "รหัสครัวเรือนนี้มีครัวเรือนนอกพื้นที่ของท่านใช้อยู่แล้ว ผู้ดูแลระบบช่วยแก้ไขได้ (การตรวจนี้ถูกบันทึกไว้)",
    ),
    (
        "is already recorded for a person of another household that you may not see (outside your areas, or data your role sees masked); an admin can resolve it. This check is logged",
        "มีบันทึกเป็นของบุคคลในครัวเรือนอื่นที่ท่านไม่มีสิทธิ์เห็นอยู่แล้ว (นอกพื้นที่ของท่าน หรือข้อมูลที่ปิดบังสำหรับบทบาทของท่าน) ผู้ดูแลระบบช่วยแก้ไขได้ (การตรวจนี้ถูกบันทึกไว้)",
    ),
    (
        "further rows clash with records you may not see; they are not listed because you reached the limit of {} such clashes a day (an admin can see them in the audit log)",
        "ยังมีแถวอื่นที่ซ้ำกับข้อมูลที่ท่านไม่มีสิทธิ์เห็น ระบบไม่แสดงรายการเพราะท่านตรวจพบกรณีเช่นนี้ครบ {} รายการต่อวันแล้ว (ผู้ดูแลระบบดูได้ในบันทึกการเข้าถึง)",
    ),
    (
        "the files hold households but no members table: loading them would remove the members of these households. Add the members file (or the members sheet), or choose a households-only update, which keeps the stored members",
        "ไฟล์มีตารางครัวเรือนแต่ไม่มีตารางสมาชิก: หากบันทึก สมาชิกของครัวเรือนเหล่านี้จะถูกลบ เพิ่มไฟล์สมาชิก (หรือชีต members) หรือเลือก \"ปรับปรุงเฉพาะข้อมูลครัวเรือน\" ซึ่งจะเก็บสมาชิกเดิมไว้",
    ),
    (
        "a households-only update keeps the stored members: leave the members table out, or import households and members together",
        "การปรับปรุงเฉพาะข้อมูลครัวเรือนจะเก็บสมาชิกเดิมไว้: เอาตารางสมาชิกออก หรือนำเข้าครัวเรือนพร้อมสมาชิกตามปกติ",
    ),
    (
        "a households-only update changes stored households, and round {} holds no such household yet: import it with its members",
        "การปรับปรุงเฉพาะข้อมูลครัวเรือนใช้ได้กับครัวเรือนที่บันทึกไว้แล้วเท่านั้น แต่รอบ {} ยังไม่มีครัวเรือนนี้: นำเข้าพร้อมสมาชิก",
    ),
    (
        "… and {} more problems (only the first {} are listed)",
        "… และปัญหาอีก {} รายการ (แสดงเฉพาะ {} รายการแรก)",
    ),
];

/// Words that stand in the parts of reasons.
const WORDS: &[(&str, &str)] = &[
    ("households", "ครัวเรือน (households)"),
    ("members", "สมาชิก (members)"),
    ("province", "จังหวัด"),
    ("district", "อำเภอ"),
    ("subdistrict", "ตำบล"),
    ("village", "หมู่บ้าน"),
];

/// The reason as the page shows it in `lang`.
pub fn reason(lang: Lang, en: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Th => thai(en).unwrap_or_else(|| en.to_string()),
    }
}

/// A value of the report as the page shows it in `lang`. Values are shown as written, except the
/// dates that the whole-batch checks give back as they read them (ISO, Common Era): on a Thai page
/// those are shown in the Buddhist Era, as the surveyor most likely wrote them.
pub fn value(lang: Lang, column: &str, value: &str) -> String {
    match lang {
        Lang::Th if column.ends_with("_date") => thai_date(value),
        _ => value.to_string(),
    }
}

fn thai(en: &str) -> Option<String> {
    if let Some((_, th)) = WORDS.iter().find(|(e, _)| *e == en) {
        return Some((*th).to_string());
    }
    REASONS.iter().find_map(|(pattern, th)| {
        let parts = parts_of(pattern, en)?;
        let mut out = String::new();
        let mut pieces = th.split("{}");
        out.push_str(pieces.next().unwrap_or(""));
        for (part, piece) in parts.iter().zip(pieces) {
            out.push_str(&thai(part).unwrap_or_else(|| thai_date(part)));
            out.push_str(piece);
        }
        Some(out)
    })
}

/// An ISO date (as the checks write them) in the Buddhist Era as Thai users write it; any other
/// part as it is.
fn thai_date(part: &str) -> String {
    match chrono::NaiveDate::parse_from_str(part, "%Y-%m-%d") {
        Ok(d) if part.len() == 10 => thanrak_core::date::format_thai(d),
        _ => part.to_string(),
    }
}

/// The parts of `text` that stand where `pattern` has `{}`, if `text` is of that pattern.
fn parts_of<'a>(pattern: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let literals: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(literals[0])?;
    let mut parts = Vec::new();
    for (i, literal) in literals.iter().enumerate().skip(1) {
        if i == literals.len() - 1 {
            parts.push(rest.strip_suffix(literal)?);
            rest = "";
        } else {
            let at = rest.find(literal)?;
            parts.push(&rest[..at]);
            rest = &rest[at + literal.len()..];
        }
    }
    rest.is_empty().then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_its_parts_in_both_languages() {
        for (en, th) in REASONS {
            assert_eq!(en.matches("{}").count(), th.matches("{}").count(), "{en}");
            assert!(!th.is_ascii(), "{en} has no Thai");
        }
    }

    #[test]
    fn reasons_are_shown_in_thai_with_their_parts() {
        let th = |en: &str| reason(Lang::Th, en);
        assert_eq!(th("must be a number"), "ต้องเป็นตัวเลข");
        assert_eq!(th("must be between 0 and 130"), "ต้องอยู่ระหว่าง 0 ถึง 130");
        assert_eq!(
            th("is not a valid national id: check digit is wrong (expected 1)"),
            "ไม่ใช่เลขประจำตัวประชาชนที่ถูกต้อง: หลักตรวจสอบไม่ถูกต้อง (ควรเป็น 1)"
        );
        assert_eq!(
            th("is not a known subdistrict code"),
            "ไม่ใช่รหัสตำบลที่มีอยู่ในทะเบียน"
        );
        assert_eq!(
            th("must be a village code (8 digits)"),
            "ต้องเป็นรหัสหมู่บ้าน (8 หลัก)"
        );
        assert_eq!(
            th("contains the character '/', which is not allowed"),
            "มีอักขระ '/' ซึ่งใช้ไม่ได้"
        );
        assert_eq!(
            th("the row has 3 values but the header has 5: a comma is missing, or the line is cut short"),
            "แถวนี้มี 3 ค่า แต่หัวตารางมี 5 คอลัมน์: ขาดเครื่องหมายจุลภาค หรือบรรทัดถูกตัดสั้น"
        );
        // Dates in the Buddhist Era.
        assert_eq!(
            th("is after the survey date 2023-06-15"),
            format!(
                "อยู่หลังวันสำรวจ {}",
                thanrak_core::date::format_thai(
                    chrono::NaiveDate::from_ymd_opt(2023, 6, 15).unwrap()
                )
            )
        );
        assert!(th("is after the survey date 2023-06-15").contains("2566"));
        // Dates given back by the batch checks, in the Buddhist Era on Thai pages only.
        assert!(value(Lang::Th, "birth_date", "2027-01-01").ends_with("2570"));
        assert_eq!(value(Lang::En, "birth_date", "2027-01-01"), "2027-01-01");
        assert_eq!(value(Lang::Th, "birth_date", "2570/1/1x"), "2570/1/1x");
        assert_eq!(value(Lang::Th, "age", "2027-01-01"), "2027-01-01");
        // A reason no template knows stays as it is; English stays English.
        assert_eq!(th("something new"), "something new");
        assert_eq!(th("must be a number, really"), "must be a number, really");
        assert_eq!(reason(Lang::En, "must be a number"), "must be a number");
    }

    /// Files with one mistake of each kind a surveyor makes: every reason the checks give for
    /// them has its Thai.
    #[tokio::test]
    async fn the_reasons_of_a_bad_batch_all_have_their_thai() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../thanrak-core/tests/fixtures/example-round");
        let read = |name: &str| -> Vec<Vec<String>> {
            csv::Reader::from_path(fixtures.join(name))
                .unwrap()
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect()
        };
        let (mut hh, mut mm) = (read("households.csv"), read("members.csv"));
        let header = |name: &str| -> Vec<String> {
            let mut rdr = csv::Reader::from_path(fixtures.join(name)).unwrap();
            rdr.headers().unwrap().iter().map(str::to_string).collect()
        };
        let (hh_cols, mm_cols) = (header("households.csv"), header("members.csv"));
        let col = |cols: &[String], c: &str| cols.iter().position(|x| x == c).unwrap();
        for (row, column, value) in [
            (0, "lat", "abc"),
            (1, "lat", "95"),
            (2, "housing_tenure", "castle"),
            (3, "survey_date", "2566-02-30"),
            (4, "village_code", "99999999"),
            (5, "household_id", ""),
            (6, "farm_land_rai", "1.5x"),
            (7, "electricity", "2"),
            (9, "round", "2566/1"),
            (10, "village_code", "5201010"),
            (11, "savings_thb", "-5"),
            (12, "survey_date", "yesterday"),
        ] {
            hh[row][col(&hh_cols, column)] = value.to_string();
        }
        for (row, column, value) in [
            (0, "national_id", "1234567890123"),
            (1, "birth_date", "2570-01-01"),
            (2, "age", "200"),
            (3, "sex", "X"),
            (5, "member_no", "0"),
            (6, "skills", "juggling"),
            (7, "first_name", ""),
            (10, "in_school", "yes"),
            (11, "income_thb_year", "many"),
            (12, "birth_date", ""),
            (12, "age", ""),
        ] {
            mm[row][col(&mm_cols, column)] = value.to_string();
        }
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, cols: &[String], rows: &[Vec<String>]| {
            let path = dir.path().join(name);
            let mut w = csv::Writer::from_path(&path).unwrap();
            w.write_record(cols).unwrap();
            for r in rows {
                w.write_record(r).unwrap();
            }
            w.flush().unwrap();
            path
        };
        let paths = [
            write("households.csv", &hh_cols, &hh),
            write("members.csv", &mm_cols, &mm),
            write("empty.csv", &[], &[]),
        ];
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = thanrak_app::db::Store::connect(&url).await.unwrap();
        let batch = thanrak_app::check_files(
            &store,
            &paths,
            thanrak_app::ImportMode::Whole,
            &mut |_, _, _| {},
        )
        .await
        .unwrap();
        let reasons: std::collections::BTreeSet<&str> = batch
            .diagnostics
            .iter()
            .map(|d| d.reason.as_str())
            .collect();
        assert!(reasons.len() >= 15, "{reasons:?}");
        let untranslated: Vec<&&str> = reasons
            .iter()
            .filter(|r| reason(Lang::Th, r) == **r)
            .collect();
        assert!(untranslated.is_empty(), "no Thai for {untranslated:?}");
    }
}

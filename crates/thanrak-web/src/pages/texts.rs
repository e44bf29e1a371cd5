//! The texts of the dashboard, target list, family profile and import pages: key, Thai, English.
//! [`crate::i18n::Lang::text`] looks here after its own table.

/// Texts of these pages.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.dashboard", "ภาพรวม", "Dashboard"),
    ("nav.targets", "ชี้เป้า", "Targets"),
    ("nav.import", "นำเข้าข้อมูล", "Import"),
    ("nav.api", "API", "API"),
    ("dash.title", "ภาพรวมความยากจน", "Poverty overview"),
    ("dash.round", "รอบการสำรวจ", "Survey round"),
    ("dash.unit", "นับเป็น", "Count"),
    ("dash.unit.person", "คน", "persons"),
    ("dash.unit.household", "ครัวเรือน", "households"),
    ("dash.show", "แสดง", "Show"),
    ("dash.country", "ทั้งประเทศ", "Whole country"),
    ("dash.no_rounds", "ยังไม่มีรอบการสำรวจที่คำนวณดัชนีแล้ว", "No survey round has been scored yet."),
    ("dash.scored_at", "คำนวณดัชนีเมื่อ", "Scored at"),
    ("dash.groups", "ครัวเรือน 4 กลุ่ม", "The four household groups"),
    ("dash.group", "กลุ่ม", "Group"),
    ("dash.households", "ครัวเรือน", "Households"),
    ("dash.persons", "คน", "Persons"),
    ("dash.share", "สัดส่วน", "Share"),
    ("dash.mpi", "ดัชนีความยากจนหลายมิติ (MPI)", "Multidimensional poverty index (MPI)"),
    ("dash.h", "สัดส่วนคนจน (H)", "Headcount ratio (H)"),
    ("dash.a", "ความรุนแรง (A)", "Intensity (A)"),
    ("dash.m0", "ดัชนี M0 = H × A", "Adjusted headcount M0 = H × A"),
    ("dash.contributions", "สัดส่วนที่แต่ละตัวชี้วัดมีต่อ M0", "Contribution of each indicator to M0"),
    ("dash.capitals", "ทุน 5 ด้าน (ค่าเฉลี่ย 0–100)", "Five capitals (mean, 0–100)"),
    ("dash.areas", "พื้นที่ย่อย", "Areas within"),
    ("dash.area", "พื้นที่", "Area"),
    ("dash.suppressed", "ไม่แสดงตัวเลขของกลุ่มที่มีน้อยกว่า 5 ครัวเรือน (—) เพื่อคุ้มครองข้อมูลส่วนบุคคล", "Figures of fewer than 5 households are not shown (—) to protect privacy."),
    ("dash.your_areas", "พื้นที่ของท่าน", "Your areas"),
    ("tg.title", "ชี้เป้าครัวเรือน", "Target households"),
    ("tg.order", "เรียงตามกลุ่ม (อยู่ลำบากก่อน) คะแนนความขาดแคลน (มากก่อน) และรายได้ต่อคน (น้อยก่อน)", "Ordered by group (hardship first), deprivation score (high first), income per person (low first)."),
    ("tg.household", "รหัสครัวเรือน", "Household"),
    ("tg.head", "หัวหน้าครัวเรือน", "Head"),
    ("tg.village", "หมู่บ้าน", "Village"),
    ("tg.score", "คะแนนความขาดแคลน", "Deprivation score"),
    ("tg.income", "รายได้ต่อคนต่อปี (บาท)", "Income per person per year (baht)"),
    ("tg.lacks", "สิ่งที่ขาด", "Lacks"),
    ("tg.needs", "ความช่วยเหลือที่เหมาะสม", "Help that fits"),
    ("tg.all", "ทั้งหมด", "All"),
    ("tg.indicator", "ตัวชี้วัด", "Indicator"),
    ("tg.need", "ความช่วยเหลือ", "Help"),
    ("tg.filter", "กรอง", "Filter"),
    ("tg.download", "ดาวน์โหลด", "Download"),
    ("tg.none", "ไม่พบครัวเรือนตามเงื่อนไข", "No household matches."),
    ("tg.page", "หน้า", "Page"),
    ("tg.of", "จาก", "of"),
    ("tg.prev", "ก่อนหน้า", "Previous"),
    ("tg.next", "ถัดไป", "Next"),
    ("tg.not_modelled", "ความต้องการด้านท่องเที่ยวชุมชนและการวิจัยยังไม่คำนวณ (ต้องใช้ข้อมูลกลุ่มท่องเที่ยวและพื้นที่ยุทธศาสตร์)", "Tourism and research needs are not computed yet (they need CBT groups and strategic areas)."),
    ("pf.title", "ข้อมูลครอบครัว", "Family profile"),
    ("pf.print", "พิมพ์", "Print"),
    ("pf.members", "สมาชิก", "Members"),
    ("pf.no", "ลำดับ", "No."),
    ("pf.name", "ชื่อ", "Name"),
    ("pf.national_id", "เลขประจำตัวประชาชน", "National id"),
    ("pf.sex", "เพศ", "Sex"),
    ("pf.age", "อายุ", "Age"),
    ("pf.relation", "ความสัมพันธ์", "Relation"),
    ("pf.education", "การศึกษา", "Education"),
    ("pf.occupation", "อาชีพ", "Occupation"),
    ("pf.indicators", "ตัวชี้วัด 16 ตัว", "The 16 indicators"),
    ("pf.deprived", "ขาดแคลน", "Deprived"),
    ("pf.ok", "ไม่ขาด", "Not deprived"),
    ("pf.capitals", "ทุน 5 ด้าน", "Five capitals"),
    ("pf.reasons", "เหตุผลของกลุ่ม", "Why this group"),
    ("pf.history", "ประวัติในแต่ละรอบ", "History across rounds"),
    ("pf.village", "หมู่บ้าน", "Village"),
    ("pf.house_no", "บ้านเลขที่", "House no."),
    ("pf.survey_date", "วันที่สำรวจ", "Survey date"),
    ("pf.not_scored", "รอบนี้ยังไม่ได้คำนวณดัชนี", "This round has not been scored."),
    ("im.title", "นำเข้าข้อมูลครัวเรือน", "Import household data"),
    ("im.hint", "เลือกไฟล์ CSV (ตารางครัวเรือนและตารางสมาชิก) หรือไฟล์ XLSX ที่มีชีต households และ members ระบบจะตรวจทุกแถวก่อน และจะบันทึกเมื่อท่านยืนยันเท่านั้น", "Choose CSV files (the households and members tables) or an XLSX workbook with the sheets households and members. Every row is checked first; nothing is saved until you confirm."),
    ("im.files", "ไฟล์", "Files"),
    ("im.check", "ตรวจสอบไฟล์", "Check the files"),
    ("im.no_files", "ยังไม่ได้เลือกไฟล์", "No file was chosen."),
    ("im.rejected", "พบปัญหาในไฟล์ ยังไม่มีการบันทึกข้อมูลใด ๆ แก้ไขแล้วนำเข้าใหม่", "The files have problems; nothing was saved. Fix them and upload again."),
    ("im.file", "ไฟล์", "File"),
    ("im.row", "แถว", "Row"),
    ("im.column", "คอลัมน์", "Column"),
    ("im.value", "ค่า", "Value"),
    ("im.reason", "ปัญหา", "Problem"),
    ("im.ready", "ไฟล์ถูกต้อง พร้อมบันทึก", "The files are valid and ready to load."),
    ("im.rounds", "รอบการสำรวจ", "Rounds"),
    ("im.confirm", "ยืนยันการบันทึก", "Confirm and load"),
    ("im.loaded", "บันทึกและคำนวณดัชนีเรียบร้อยแล้ว", "Loaded and scored."),
    ("im.new_villages", "หมู่บ้านใหม่", "New villages"),
    ("err.not_found", "ไม่พบข้อมูลที่ขอ", "Not found"),
    ("err.forbidden", "ท่านไม่มีสิทธิ์ดูหน้านี้", "You may not see this page"),
    ("err.back", "กลับหน้าหลัก", "Back to the dashboard"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_has_both_languages_and_one_key() {
        for (i, (key, th, en)) in super::MESSAGES.iter().enumerate() {
            assert!(!th.is_empty() && !en.is_empty(), "{key}");
            assert!(
                !super::MESSAGES[..i].iter().any(|(k, _, _)| k == key),
                "{key} twice"
            );
            assert!(
                !crate::i18n::MESSAGES.iter().any(|(k, _, _)| k == key),
                "{key} in both tables"
            );
        }
    }
}

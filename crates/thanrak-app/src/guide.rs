//! The user's guide shipped in the product (issue 14): the methodology — every dimension,
//! indicator, capital criterion, group rule and need, in Thai and English — and the import
//! format — every column with its Thai header, kind and coded values — written as Markdown from
//! the methodology file and the schema themselves, so that the guide cannot drift from what the
//! program does. `docs/` holds the same text (a test compares it), and the web shows it under
//! `/guide`.

use std::fmt::Write;

use thanrak_core::methodology::{Methodology, RuleScope};
use thanrak_core::schema::{coded_values, Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

fn scope_text(s: RuleScope) -> &'static str {
    match s {
        RuleScope::Household => "ครัวเรือน / the household",
        RuleScope::AnyMember => "สมาชิกอย่างน้อยหนึ่งคน / any member",
        RuleScope::EveryMember => "สมาชิกทุกคน / every member",
        RuleScope::NoMember => "ไม่มีสมาชิกคนใด / no member",
        RuleScope::Member => "สมาชิกแต่ละคน / each member",
    }
}

/// Backticks in a rule would end its code span: a rule holds none, but say so safely.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

/// The methodology as a guide: header, dimensions with their indicators (label, weight, rule),
/// the cut-off k, the capitals' criteria, the group rules in order and the needs.
pub fn methodology_markdown(m: &Methodology) -> String {
    let mut o = String::new();
    let title = m.title().unwrap_or(m.id());
    let _ = writeln!(o, "# {title}\n");
    let _ = writeln!(
        o,
        "วิธีการ `{}` รุ่น {} · methodology `{}` version {}. เอกสารนี้สร้างจากไฟล์วิธีการที่โปรแกรมใช้ \
         (`thanrak methodology show {}`); This page is generated from the methodology file the program runs.\n",
        m.id(),
        m.version(),
        m.id(),
        m.version(),
        m.id()
    );
    let _ = writeln!(o, "## มิติและตัวชี้วัด · Dimensions and indicators\n");
    let _ = writeln!(
        o,
        "ครัวเรือนยากจนหลายมิติเมื่อคะแนนความขาดแคลนถ่วงน้ำหนัก c ≥ k = {} (A household is \
         multidimensionally poor when its weighted deprivation score c ≥ k = {}).\n",
        m.k(),
        m.k()
    );
    for d in m.dimensions() {
        let _ = writeln!(
            o,
            "### {} · {} (น้ำหนัก / weight {})\n",
            d.label_th, d.label_en, d.weight
        );
        let _ = writeln!(
            o,
            "| ตัวชี้วัด / Indicator | น้ำหนัก / Weight | ขาดแคลนเมื่อ / Deprived when |"
        );
        let _ = writeln!(o, "|---|---|---|");
        for &i in &d.indicators {
            let ind = &m.indicators()[i];
            let _ = writeln!(
                o,
                "| **{}** · {} ({}) | {} | {}: {} |",
                ind.label_th,
                ind.label_en,
                code(&ind.id),
                ind.weight,
                scope_text(ind.rule.scope),
                code(&ind.rule.when)
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## ทุน 5 ด้าน · The five capitals\n");
    let _ = writeln!(o, "| ทุน / Capital | เกณฑ์ / Criterion | ผ่านเมื่อ / Met when |");
    let _ = writeln!(o, "|---|---|---|");
    for c in m.criteria() {
        let _ = writeln!(
            o,
            "| {} · {} | {} · {} ({}) | {}: {} |",
            c.capital.label_th(),
            c.capital.label_en(),
            c.label_th,
            c.label_en,
            code(&c.code),
            scope_text(c.rule.scope),
            code(&c.rule.when)
        );
    }
    let _ = writeln!(o, "\n## กลุ่มครัวเรือน · Household groups\n");
    let _ = writeln!(
        o,
        "กฎแรกที่เป็นจริงกำหนดกลุ่ม (the first rule that holds decides the group).\n"
    );
    let _ = writeln!(o, "| ลำดับ / Order | กลุ่ม / Group | กฎ / Rule | เมื่อ / When |");
    let _ = writeln!(o, "|---|---|---|---|");
    for (n, g) in m.group_rules().iter().enumerate() {
        let _ = writeln!(
            o,
            "| {} | {} · {} | {} · {} ({}) | {} |",
            n + 1,
            g.group.label_th(),
            g.group.label_en(),
            g.label_th,
            g.label_en,
            code(&g.id),
            code(&g.rule.when)
        );
    }
    let _ = writeln!(o, "\n## ความต้องการและหน่วยงาน · Needs and agencies\n");
    let _ = writeln!(o, "| ความต้องการ / Need | หน่วยงาน / Agencies | เมื่อ / When |");
    let _ = writeln!(o, "|---|---|---|");
    for n in m.needs() {
        let _ = writeln!(
            o,
            "| {} · {} ({}) | {} | {} |",
            n.label_th,
            n.label_en,
            code(&n.id),
            n.agencies.join(", "),
            code(&n.rule.when)
        );
    }
    let _ = writeln!(
        o,
        "\nผู้มีศักยภาพทำงาน · Capable worker: {}\n\nเส้นความยากจน · Poverty line: {} บาทต่อคนต่อปี (baht a person a year)\n\nเป้าหมายคนจน · Target poor: {}",
        code(&m.capable_worker().when),
        m.line(),
        code(&m.target_poor_rule().when)
    );
    o
}

/// The guide's files: (file name, Markdown) — each shipped methodology, then the import format.
pub fn files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Methodology::shipped()
        .iter()
        .map(|m| {
            (
                format!("methodology-{}.md", m.id()),
                methodology_markdown(m),
            )
        })
        .collect();
    files.push(("import-format.md".into(), import_format_markdown()));
    files
}

/// The import template: an XLSX workbook with both sheets (Thai headers, drop-down lists for
/// coded values) and a guide sheet (`thanrak_io::import_template`).
pub fn import_template() -> Result<Vec<u8>, crate::AppError> {
    thanrak_io::import_template()
        .map_err(|e| crate::AppError::Invalid(format!("cannot make the import template: {e}")))
}

fn kind_text(c: &Column) -> String {
    match c.kind {
        Kind::Text => match c.max_chars() {
            Some(n) => format!("ข้อความ / text (≤ {n})"),
            None => "ข้อความ / text".into(),
        },
        Kind::Int(a, b) => format!("จำนวนเต็ม / whole number {a}–{b}"),
        Kind::Real(a, b) => format!("ตัวเลข / number {a}–{b}"),
        Kind::Flag => "0 = ไม่ใช่ / no, 1 = ใช่ / yes".into(),
        Kind::Date => "วันที่ / date: YYYY-MM-DD (พ.ศ. หรือ ค.ศ. / Buddhist or Common Era)".into(),
    }
}

fn table_markdown(o: &mut String, name: &str, thai: &str, columns: &[Column]) {
    let _ = writeln!(o, "## `{name}` · {thai}\n");
    let _ = writeln!(
        o,
        "| คอลัมน์ / Column | หัวตารางภาษาไทย / Thai header | ชนิด / Kind | ต้องมี / Required | ค่าที่ใช้ได้ / Values |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|");
    for c in columns {
        let values = coded_values(c.name)
            .map(|v| {
                v.iter()
                    .map(|(code, th, en)| format!("`{code}` {th} / {en}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} |",
            c.name,
            c.thai,
            kind_text(c),
            if c.required { "ใช่ / yes" } else { "" },
            values
        );
    }
    o.push('\n');
}

/// The import format: both tables, every column with its Thai header, kind, whether required
/// and its coded values.
pub fn import_format_markdown() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# รูปแบบข้อมูลนำเข้า · The import format\n");
    let _ = writeln!(
        o,
        "ข้อมูลหนึ่งรอบการสำรวจคือสองตาราง: ครัวเรือนและสมาชิก เป็นไฟล์ CSV สองไฟล์ หรือไฟล์ XLSX ที่มีชีต \
         `households` และ `members` หัวตารางใช้ชื่อคอลัมน์หรือหัวตารางภาษาไทยก็ได้ ค่าที่เป็นรหัสใส่รหัสหรือคำภาษาไทยก็ได้ \
         ดาวน์โหลดแม่แบบ XLSX ได้จากหน้านำเข้าข้อมูล หรือ `thanrak template --out แม่แบบ.xlsx`\n\n\
         A survey round is two tables, households and members: two CSV files, or an XLSX workbook with \
         the sheets `households` and `members`. Headers may be the column names or the Thai headers; \
         coded values may be the code or the Thai label. The XLSX template is on the import page, or \
         `thanrak template --out template.xlsx`. Every row is checked first; if any has a problem, \
         nothing is written and each problem is reported with its file, row, column, value and reason.\n"
    );
    table_markdown(&mut o, "households", "ครัวเรือน", HOUSEHOLD_COLUMNS);
    table_markdown(&mut o, "members", "สมาชิก", MEMBER_COLUMNS);
    let _ = writeln!(
        o,
        "`skills` (ทักษะ) holds several values separated by `;`. `village_code` is 8 digits: the \
         official 6-digit subdistrict code and the village number (หมู่ที่)."
    );
    field_markdown(&mut o);
    o
}

/// The field survey: the XLSForm, the exports the importer reads, and the questions the form
/// asks only where they apply, with the value a skipped one takes.
fn field_markdown(o: &mut String) {
    use thanrak_core::field::form::{label_en, SKIPS};
    let _ = writeln!(
        o,
        "\n## แบบสำรวจภาคสนาม · The field survey (ODK Collect, KoboToolbox)\n"
    );
    let _ = writeln!(
        o,
        "ดาวน์โหลดแบบสำรวจครัวเรือนเป็น XLSForm จากหน้านำเข้าข้อมูล หรือ `thanrak form xlsform --round 2569 \
         --out household.xlsx` แล้วอัปโหลดขึ้น ODK Central หรือ KoboToolbox ไฟล์ส่งออกของเครื่องมือเหล่านั้นนำเข้าได้เหมือนไฟล์นำเข้าทั่วไป: \
         ODK Central ไฟล์ CSV แบบ .zip หรือ JSON (OData, `$expand=*`) และ KoboToolbox ไฟล์ .xlsx หรือ CSV สองตาราง \
         แบบสำรวจที่นำเข้าแล้วจะไม่นำเข้าซ้ำ แบบสำรวจที่แก้ไขในเครื่องมือจะแทนที่ฉบับเดิม และเก็บฉบับเดิมไว้ในประวัติของครัวเรือน \
         แบบสำรวจที่ถูกปฏิเสธในเครื่องมือ (rejected / not approved) จะไม่ถูกนำเข้า\n\n\
         Download the household survey as an XLSForm from the import page, or `thanrak form xlsform --round \
         2569 --out household.xlsx`, and publish it on ODK Central or KoboToolbox. Their exports load like \
         any import file: ODK Central's CSV .zip or its OData JSON (`$expand=*`), KoboToolbox's .xlsx or \
         its two CSV tables. A submission loaded before is not loaded again; an edited submission replaces \
         its earlier version, which is kept in the household's history; a submission rejected in the tool \
         is left out. The form's questions carry the column names above, its village lists come from the \
         area table (a village not yet known is given by its number), and the geopoint gives `lat` and \
         `lon`.\n"
    );
    let _ = writeln!(
        o,
        "คำถามที่ถามเฉพาะเมื่อเกี่ยวข้อง และค่าที่ใช้เมื่อไม่ได้ถาม · Questions asked only where they apply, and \
         the value a skipped one takes:\n"
    );
    let _ = writeln!(
        o,
        "| คอลัมน์ / Column | ถามเมื่อ / Asked when | ค่าเมื่อไม่ได้ถาม / Value when skipped |"
    );
    let _ = writeln!(o, "|---|---|---|");
    for (name, skip, value) in SKIPS {
        let _ = writeln!(
            o,
            "| `{name}` ({}) | `{}` | {} |",
            label_en(name),
            skip.relevant(),
            if value.is_empty() {
                "(ว่าง / empty)"
            } else {
                value
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_names_every_indicator_and_column() {
        let m = Methodology::thanrak_default();
        let text = methodology_markdown(m);
        for i in m.indicators() {
            assert!(
                text.contains(&i.label_th) && text.contains(&i.label_en),
                "{}",
                i.id
            );
        }
        for n in m.needs() {
            assert!(text.contains(&n.label_th), "{}", n.id);
        }
        let format = import_format_markdown();
        for c in HOUSEHOLD_COLUMNS.iter().chain(MEMBER_COLUMNS) {
            assert!(
                format.contains(&format!("| `{}` | {} |", c.name, c.thai)),
                "{}",
                c.name
            );
        }
        assert!(
            format.contains("`owned`") || format.contains("`own`"),
            "coded values are listed"
        );
    }
}

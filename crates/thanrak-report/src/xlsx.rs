//! The workbook: a summary sheet, then one sheet per table and chart (the model is checked by
//! the caller).

use rust_xlsxwriter::{
    DocProperties, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError,
};

use crate::format::display_width;
use crate::model::{
    AreaMap, BarChart, Block, Cell, Flow, Report, Table, WITHHELD_MARK, WITHHELD_NOTE,
};

/// The name of the first sheet.
pub(crate) const SUMMARY: &str = "สรุป";
/// The longest text a cell holds, in characters (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;
/// Column widths, in Excel's units (about one character each).
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;
/// The summary sheet's columns: label, value, note.
const SUMMARY_WIDTHS: [f64; 3] = [48.0, 18.0, 44.0];

/// The formats used, made once.
struct Formats {
    title: Format,
    subtitle: Format,
    heading: Format,
    bold: Format,
    header: Format,
    header_right: Format,
    wrap: Format,
    note: Format,
    right: Format,
    link: Format,
}

impl Formats {
    fn new() -> Self {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color("#E6ECF3")
            .set_border_bottom(FormatBorder::Thin);
        Self {
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new().set_font_size(13),
            heading: Format::new()
                .set_bold()
                .set_font_size(13)
                .set_font_color("#1F3A5F"),
            bold: Format::new().set_bold(),
            header_right: header.clone().set_align(FormatAlign::Right),
            header,
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            note: Format::new().set_italic().set_font_color("#595959"),
            right: Format::new().set_align(FormatAlign::Right),
            link: Format::new()
                .set_font_color("#0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
        }
    }
}

/// `#,##0` with `decimals` decimals.
fn number_format(decimals: u8) -> Format {
    let mut pattern = String::from("#,##0");
    if decimals > 0 {
        pattern.push('.');
        pattern.extend(std::iter::repeat_n('0', usize::from(decimals.min(10))));
    }
    Format::new().set_num_format(pattern)
}

/// `0.0%` with `decimals` decimals.
fn percent_format(decimals: u8) -> Format {
    let mut pattern = String::from("0");
    if decimals > 0 {
        pattern.push('.');
        pattern.extend(std::iter::repeat_n('0', usize::from(decimals.min(10))));
    }
    pattern.push('%');
    Format::new().set_num_format(pattern)
}

/// Text as a cell holds it: without the control characters XML cannot carry, cut at Excel's
/// limit.
fn cell_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(MAX_CELL_CHARS)
        .collect()
}

/// The names given to sheets so far, to make each new one follow Excel's rules and be unique.
#[derive(Default)]
pub(crate) struct SheetNames {
    taken: Vec<String>,
}

impl SheetNames {
    /// `wanted` made a valid, unused sheet name (`fallback` when nothing of it is left).
    pub(crate) fn claim(&mut self, wanted: &str, fallback: &str) -> String {
        let base = sanitise(wanted)
            .unwrap_or_else(|| sanitise(fallback).unwrap_or_else(|| "Sheet".to_owned()));
        let mut name = base.clone();
        let mut n = 2;
        while self.is_taken(&name) {
            let suffix = format!(" ({n})");
            name = format!(
                "{}{suffix}",
                cut_utf16(&base, 31 - suffix.len()).trim_end_matches([' ', '\''])
            );
            n += 1;
        }
        self.taken.push(name.to_lowercase());
        name
    }

    fn is_taken(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        // "History" is reserved by Excel.
        lower == "history" || self.taken.contains(&lower)
    }
}

/// A sheet name by Excel's rules: none of `[]:*?/\` or control characters, at most 31 UTF-16
/// units, not starting or ending with an apostrophe, not blank.
fn sanitise(name: &str) -> Option<String> {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = cut_utf16(&collapsed, 31);
    let trimmed = cut.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The longest prefix of `text` of at most `units` UTF-16 units that does not part a letter from
/// the vowels and tone marks written over or under it, nor end in a vowel written before the
/// letter it goes with (เ แ โ ใ ไ).
fn cut_utf16(text: &str, units: usize) -> &str {
    let mut used = 0;
    let mut letter_start = 0;
    for (i, c) in text.char_indices() {
        let combining = display_width(&text[i..i + c.len_utf8()]) == 0;
        if !combining {
            letter_start = i;
        }
        used += c.len_utf16();
        if used > units {
            let cut = &text[..if combining { letter_start } else { i }];
            return cut
                .trim_end_matches(['\u{0E40}', '\u{0E41}', '\u{0E42}', '\u{0E43}', '\u{0E44}']);
        }
    }
    text
}

/// A sheet name as a formula or link refers to it: quoted, with quotes doubled.
fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// The width of a column that shows these texts.
fn width_for<'a>(texts: impl IntoIterator<Item = &'a str>) -> f64 {
    let widest = texts.into_iter().map(display_width).max().unwrap_or(0);
    (widest as f64 * 1.15 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH)
}

/// A sheet of a block, to be written after the summary.
enum Sheet<'a> {
    Table(&'a Table),
    Bars(&'a BarChart),
    Map(&'a AreaMap),
    Flow(&'a Flow),
}

pub(crate) fn write(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut names = SheetNames::default();
    let summary_name = names.claim(SUMMARY, SUMMARY);

    // Name every sheet first, so that the summary can link to them.
    let mut sheets: Vec<(String, Sheet)> = Vec::new();
    for block in report.sections.iter().flat_map(|s| &s.blocks) {
        let n = sheets.len() + 1;
        let named = match block {
            Block::Table(t) => (
                names.claim(&t.sheet, &format!("ตาราง {n}")),
                Sheet::Table(t),
            ),
            Block::Bars(b) => (
                names.claim(&b.caption, &format!("แผนภูมิ {n}")),
                Sheet::Bars(b),
            ),
            Block::Map(m) => (names.claim(&m.caption, &format!("แผนที่ {n}")), Sheet::Map(m)),
            Block::Flow(fl) => (
                names.claim(&fl.caption, &format!("การเปลี่ยนกลุ่ม {n}")),
                Sheet::Flow(fl),
            ),
            Block::Paragraph(_) | Block::Figures(_) => continue,
        };
        sheets.push(named);
    }

    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(cell_text(&report.title)));
    let summary = workbook.add_worksheet();
    summary.set_name(&summary_name)?;
    write_summary(summary, report, &sheets, &f)?;
    for (name, sheet) in &sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(name)?;
        match sheet {
            Sheet::Table(t) => write_table(ws, t, &f)?,
            Sheet::Bars(b) => write_bars(ws, b, &f)?,
            Sheet::Map(m) => write_map(ws, m, &f)?,
            Sheet::Flow(fl) => write_flow(ws, fl, &f)?,
        }
    }
    workbook.save_to_buffer()
}

fn write_summary(
    ws: &mut Worksheet,
    report: &Report,
    sheets: &[(String, Sheet)],
    f: &Formats,
) -> Result<(), XlsxError> {
    for (col, width) in SUMMARY_WIDTHS.iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    let mut row: u32 = 0;
    ws.write_string_with_format(row, 0, cell_text(&report.title), &f.title)?;
    row += 1;
    if !report.subtitle.is_empty() {
        ws.write_string_with_format(row, 0, cell_text(&report.subtitle), &f.subtitle)?;
        row += 1;
    }
    row += 1;
    for (label, value) in &report.meta {
        ws.write_string_with_format(row, 0, cell_text(label), &f.bold)?;
        ws.write_string(row, 1, cell_text(value))?;
        row += 1;
    }
    let mut sheets = sheets.iter();
    for (i, section) in report.sections.iter().enumerate() {
        row += 1;
        ws.write_string_with_format(
            row,
            0,
            cell_text(&format!("{}. {}", i + 1, section.heading)),
            &f.heading,
        )?;
        row += 1;
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let text = cell_text(text);
                    ws.merge_range(row, 0, row, 2, &text, &f.wrap)?;
                    // Excel does not fit a merged cell's height to its text: estimate the lines.
                    let across: f64 = SUMMARY_WIDTHS.iter().sum();
                    let lines = text
                        .split('\n')
                        .map(|l| (display_width(l) as f64 / across).ceil().max(1.0))
                        .sum::<f64>();
                    ws.set_row_height(row, 15.0 * lines + 3.0)?;
                    row += 1;
                }
                Block::Figures(figures) => {
                    for figure in figures {
                        ws.write_string(row, 0, cell_text(&figure.label))?;
                        ws.write_string_with_format(row, 1, cell_text(&figure.value), &f.right)?;
                        if let Some(note) = &figure.note {
                            ws.write_string_with_format(row, 2, cell_text(note), &f.note)?;
                        }
                        row += 1;
                    }
                }
                Block::Table(Table { caption, .. })
                | Block::Bars(BarChart { caption, .. })
                | Block::Map(AreaMap { caption, .. })
                | Block::Flow(Flow { caption, .. }) => {
                    let Some((name, _)) = sheets.next() else {
                        continue;
                    };
                    ws.write_string(row, 0, cell_text(caption))?;
                    let url = Url::new(format!("internal:{}!A1", quoted(name)))
                        .set_text(format!("แผ่นงาน: {name}"));
                    ws.write_url_with_format(row, 1, url, &f.link)?;
                    row += 1;
                }
            }
        }
    }
    if !report.footer.is_empty() {
        row += 1;
        ws.write_string_with_format(row, 0, cell_text(&report.footer), &f.note)?;
    }
    Ok(())
}

/// Writes a caption in the first row and the headers in the second, frozen; returns the first
/// row of data.
fn write_head(
    ws: &mut Worksheet,
    caption: &str,
    headers: &[(&str, bool)],
    f: &Formats,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(0, 0, cell_text(caption), &f.bold)?;
    for (col, (header, numeric)) in headers.iter().enumerate() {
        let format = if *numeric { &f.header_right } else { &f.header };
        ws.write_string_with_format(1, col as u16, cell_text(header), format)?;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(2)
}

/// Sets each column's width from its header (which wraps) and its cells.
fn set_widths(
    ws: &mut Worksheet,
    headers: &[&str],
    cells: &[Vec<String>],
) -> Result<(), XlsxError> {
    for (col, header) in headers.iter().enumerate() {
        // A header wraps, so it needs about half its length.
        let header_width = (display_width(header) as f64 / 2.0).ceil() as usize;
        let cells_width = width_for(cells.iter().filter_map(|r| r.get(col)).map(String::as_str));
        let width = cells_width.max((header_width as f64 + 2.0).min(MAX_WIDTH));
        ws.set_column_width(col as u16, width)?;
    }
    Ok(())
}

fn write_notes(
    ws: &mut Worksheet,
    mut row: u32,
    notes: &[&str],
    f: &Formats,
) -> Result<(), XlsxError> {
    row += 1;
    for note in notes {
        ws.write_string_with_format(row, 0, cell_text(note), &f.note)?;
        row += 1;
    }
    Ok(())
}

fn write_table(ws: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    let headers: Vec<(&str, bool)> = table
        .columns
        .iter()
        .map(|c| (c.header.as_str(), c.numeric))
        .collect();
    let first = write_head(ws, &table.caption, &headers, f)?;
    let mut withheld = false;
    for (r, cells) in table.rows.iter().enumerate() {
        let row = first + r as u32;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(text) => {
                    if table.columns[c].numeric {
                        ws.write_string_with_format(row, col, cell_text(text), &f.right)?;
                    } else {
                        ws.write_string(row, col, cell_text(text))?;
                    }
                }
                Cell::Int(n) => {
                    // Past 2^53 a count is no longer exact as a spreadsheet number: kept as text.
                    if n.unsigned_abs() <= 1 << 53 {
                        ws.write_number_with_format(row, col, *n as f64, &number_format(0))?;
                    } else {
                        ws.write_string_with_format(row, col, crate::format::int(*n), &f.right)?;
                    }
                }
                Cell::Num { value, decimals } => {
                    ws.write_number_with_format(row, col, *value, &number_format(*decimals))?;
                }
                Cell::Percent { value, decimals } => {
                    ws.write_number_with_format(row, col, *value, &percent_format(*decimals))?;
                }
                Cell::Withheld => {
                    withheld = true;
                    ws.write_string_with_format(row, col, WITHHELD_MARK, &f.right)?;
                }
                Cell::Empty => {}
            }
        }
    }
    let last = first + table.rows.len() as u32;
    if !table.rows.is_empty() {
        ws.autofilter(first - 1, 0, last - 1, (table.columns.len() - 1) as u16)?;
    }
    let shown: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(crate::format::cell).collect())
        .collect();
    set_widths(ws, &headers.iter().map(|h| h.0).collect::<Vec<_>>(), &shown)?;
    let mut notes = Vec::new();
    if withheld {
        notes.push(WITHHELD_NOTE);
    }
    notes.extend(table.note.as_deref());
    write_notes(ws, last, &notes, f)
}

fn write_bars(ws: &mut Worksheet, chart: &BarChart, f: &Formats) -> Result<(), XlsxError> {
    let value_header = if chart.unit.is_empty() {
        "ค่า".to_owned()
    } else {
        format!("ค่า ({})", chart.unit)
    };
    let headers = [
        ("รายการ", false),
        (value_header.as_str(), true),
        ("ค่าที่แสดง", false),
    ];
    let first = write_head(ws, &chart.caption, &headers, f)?;
    let general = Format::new().set_num_format("#,##0.##########");
    for (i, bar) in chart.bars.iter().enumerate() {
        let row = first + i as u32;
        ws.write_string(row, 0, cell_text(&bar.label))?;
        ws.write_number_with_format(row, 1, bar.value, &general)?;
        ws.write_string(row, 2, cell_text(&bar.display))?;
    }
    let shown: Vec<Vec<String>> = chart
        .bars
        .iter()
        .map(|b| {
            vec![
                b.label.clone(),
                crate::format::num(b.value, 2),
                b.display.clone(),
            ]
        })
        .collect();
    set_widths(ws, &headers.map(|h| h.0), &shown)
}

fn write_map(ws: &mut Worksheet, map: &AreaMap, f: &Formats) -> Result<(), XlsxError> {
    let legend = if map.legend_title.is_empty() {
        "ระดับ"
    } else {
        map.legend_title.as_str()
    };
    let headers = [("พื้นที่", false), (legend, false), ("ระดับที่ (1 = ต่ำสุด)", true)];
    let first = write_head(ws, &map.caption, &headers, f)?;
    let mut shown = Vec::new();
    for (i, area) in map.areas.iter().enumerate() {
        let row = first + i as u32;
        ws.write_string(row, 0, cell_text(&area.name))?;
        let class = area.class.map_or("ไม่มีข้อมูล", |c| {
            map.classes[c].label.as_str()
        });
        ws.write_string(row, 1, cell_text(class))?;
        if let Some(c) = area.class {
            ws.write_number(row, 2, (c + 1) as f64)?;
        }
        shown.push(vec![area.name.clone(), class.to_owned(), String::new()]);
    }
    set_widths(ws, &headers.map(|h| h.0), &shown)
}

fn write_flow(ws: &mut Worksheet, flow: &Flow, f: &Formats) -> Result<(), XlsxError> {
    let headers = [
        (flow.from_title.as_str(), false),
        (flow.to_title.as_str(), false),
        ("จำนวน", true),
    ];
    let first = write_head(ws, &flow.caption, &headers, f)?;
    // Links between the same two groups added up, in the order of the groups.
    let mut counts = vec![vec![0u64; flow.nodes_to.len()]; flow.nodes_from.len()];
    for link in &flow.links {
        counts[link.from][link.to] += link.count;
    }
    let mut row = first;
    let mut shown = Vec::new();
    let count_format = number_format(0);
    for (i, from) in flow.nodes_from.iter().enumerate() {
        for (j, to) in flow.nodes_to.iter().enumerate() {
            if counts[i][j] == 0 {
                continue;
            }
            ws.write_string(row, 0, cell_text(from))?;
            ws.write_string(row, 1, cell_text(to))?;
            ws.write_number_with_format(row, 2, counts[i][j] as f64, &count_format)?;
            shown.push(vec![
                from.clone(),
                to.clone(),
                crate::format::int_u(counts[i][j]),
            ]);
            row += 1;
        }
    }
    set_widths(ws, &headers.map(|h| h.0), &shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excels_rules_and_are_unique() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("สรุป", "x"), "สรุป");
        assert_eq!(names.claim("สรุป", "x"), "สรุป (2)");
        assert_eq!(names.claim("a/b:c*d?[e]\\f", "x"), "a b c d e f");
        assert_eq!(names.claim("'quoted'", "x"), "quoted");
        assert_eq!(names.claim("", "ตาราง 3"), "ตาราง 3");
        assert_eq!(names.claim("[]", ""), "Sheet");
        assert_eq!(names.claim("history", "x"), "history (2)");
        let long = "ครัวเรือนยากจนเป้าหมายรายตำบลทั้งจังหวัด";
        let a = names.claim(long, "x");
        let b = names.claim(long, "x");
        assert!(a.encode_utf16().count() <= 31 && b.encode_utf16().count() <= 31);
        assert_ne!(a.to_lowercase(), b.to_lowercase());
        assert!(b.ends_with(" (2)"));
        // Cut before a letter rather than between a letter and its tone mark.
        assert_eq!(cut_utf16("กก้", 2), "ก");
        assert_eq!(cut_utf16("กก้", 3), "กก้");
        assert_eq!(cut_utf16("กเก", 2), "ก");
        assert_eq!(names.claim("ABC", "x"), "ABC");
        assert_eq!(
            names.claim("abc", "x"),
            "abc (2)",
            "Excel compares names without case"
        );
        for name in &names.taken {
            assert!(
                rust_xlsxwriter::utility::check_sheet_name(name).is_ok(),
                "{name}"
            );
        }
    }

    #[test]
    fn quoted_sheet_names_double_their_quotes() {
        assert_eq!(quoted("it's"), "'it''s'");
    }
}

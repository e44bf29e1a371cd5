//! Writers: the two tables as CSV or XLSX in the import format, and the diagnostics report.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use thanrak_core::date::format_iso;
use thanrak_core::schema::{Column, FieldValue, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{Household, Member};

use crate::diag::Diagnostic;
use crate::table::{needs_quote, unquote};
use crate::IoError;

/// The most data rows an XLSX sheet holds (1,048,576 rows less the header).
pub const XLSX_MAX_ROWS: usize = 1_048_575;

/// The format a table export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `households.csv` and `members.csv` in a directory.
    Csv,
    /// One workbook with the sheets `households` and `members`.
    Xlsx,
}

/// Writes both tables in `format`: for CSV `path` is a directory (created if needed), for XLSX the
/// workbook's path. Returns the files written.
pub fn write_tables(
    format: ExportFormat,
    path: &Path,
    households: &[Household],
    members: &[Member],
) -> Result<Vec<PathBuf>, IoError> {
    match format {
        ExportFormat::Csv => write_csv_tables(path, households, members),
        ExportFormat::Xlsx => {
            write_xlsx_tables(path, households, members)?;
            Ok(vec![path.to_path_buf()])
        }
    }
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> IoError + '_ {
    move |source| IoError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `households.csv` and `members.csv` into `dir` (created if needed): canonical column
/// names, the canonical text of each value, `\n` line ends, UTF-8 without a byte-order mark.
/// Text that a spreadsheet would take for a formula is written with a leading `'`, which the
/// readers remove again. Returns the two paths.
pub fn write_csv_tables(
    dir: &Path,
    households: &[Household],
    members: &[Member],
) -> Result<Vec<PathBuf>, IoError> {
    fs::create_dir_all(dir).map_err(write_error(dir))?;
    let hh_path = dir.join("households.csv");
    let file = File::create(&hh_path).map_err(write_error(&hh_path))?;
    write_csv_table(
        file,
        HOUSEHOLD_COLUMNS,
        households.iter().map(Household::to_values),
    )
    .map_err(write_error(&hh_path))?;
    let m_path = dir.join("members.csv");
    let file = File::create(&m_path).map_err(write_error(&m_path))?;
    write_csv_table(file, MEMBER_COLUMNS, members.iter().map(Member::to_values))
        .map_err(write_error(&m_path))?;
    Ok(vec![hh_path, m_path])
}

/// Writes one table as CSV to `out` (see [`write_csv_tables`]).
pub fn write_csv_table(
    out: impl Write,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<FieldValue>>,
) -> io::Result<()> {
    write_csv_part(out, columns, true, rows)
}

/// Writes rows of a table as CSV to `out`, after the header when `header` is true: a table
/// written in parts (the first with its header) is the same file as [`write_csv_table`] makes.
pub fn write_csv_part(
    out: impl Write,
    columns: &[Column],
    header: bool,
    rows: impl IntoIterator<Item = Vec<FieldValue>>,
) -> io::Result<()> {
    let mut wtr = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(1 << 16, out));
    if header {
        wtr.write_record(columns.iter().map(|c| c.name))?;
    }
    let mut cell = Vec::with_capacity(64);
    for values in rows {
        for (c, v) in columns.iter().zip(&values) {
            cell.clear();
            csv_cell(c.kind, v, &mut cell);
            wtr.write_field(&cell)?;
        }
        wtr.write_record(None::<&[u8]>)?;
    }
    wtr.flush()?;
    let mut inner = wtr.into_inner().map_err(|e| e.into_error())?;
    inner.flush()
}

/// Appends the canonical text of a value (as [`FieldValue::to_text`]) with the formula quote.
fn csv_cell(kind: Kind, value: &FieldValue, out: &mut Vec<u8>) {
    match value {
        FieldValue::Null | FieldValue::Invalid => {}
        FieldValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        FieldValue::Real(f) => {
            let _ = write!(out, "{f}");
        }
        FieldValue::Date(d) => out.extend_from_slice(format_iso(*d).as_bytes()),
        FieldValue::Text(s) => {
            if kind == Kind::Text && needs_quote(s) {
                out.push(b'\'');
            }
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Text made safe to open in a spreadsheet, for the report.
fn neutral(text: &str) -> String {
    if needs_quote(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A table of text (a header and rows) as CSV in memory: UTF-8 with a byte-order mark, so that
/// spreadsheets read Thai correctly, and text that would pass for a formula quoted with `'`.
pub fn table_csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    table_csv_part(true, header, rows)
}

/// A part of such a table: the first part (`first`) starts with the byte-order mark and the
/// header, so that parts sent one after the other make the file [`table_csv`] makes.
pub fn table_csv_part(
    first: bool,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, csv::Error> {
    let start = if first {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    let mut w = csv::Writer::from_writer(start);
    if first {
        w.write_record(header)?;
    }
    for r in rows {
        w.write_record(r.iter().map(|c| neutral(c)))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A table of text as an XLSX workbook of one sheet named `sheet`, every cell written as text
/// (never a formula).
pub fn table_xlsx(
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, cell.as_str())?;
        }
    }
    book.save_to_buffer()
}

/// A one-sheet XLSX workbook of text written a part at a time: rows go to a temporary file as
/// they come (constant memory), so a list of any length costs the memory of one row. Every cell
/// is text (never a formula), as in [`table_xlsx`].
pub struct TextSheet {
    book: Workbook,
    next_row: u32,
    columns: u16,
}

impl TextSheet {
    /// A workbook whose sheet `sheet` starts with `header` (bold, frozen).
    pub fn new(sheet: &str, header: &[&str]) -> Result<TextSheet, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet)?;
        ws.set_freeze_panes(1, 0)?;
        let bold = Format::new().set_bold();
        for (c, h) in (0u16..).zip(header) {
            ws.set_column_width(c, (h.chars().count() as f64 + 2.0).max(10.0))?;
            ws.write_string_with_format(0, c, *h, &bold)?;
        }
        Ok(TextSheet {
            book,
            next_row: 1,
            columns: u16::try_from(header.len()).unwrap_or(u16::MAX),
        })
    }

    /// Appends rows (cells past the header's width are left out). Fails past the sheet's
    /// [`XLSX_MAX_ROWS`].
    pub fn push(&mut self, rows: &[Vec<String>]) -> Result<(), XlsxError> {
        let ws = self.book.worksheet_from_index(0)?;
        for row in rows {
            for (c, cell) in (0..self.columns).zip(row) {
                ws.write_string(self.next_row, c, cell.as_str())?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// The workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.book.save_to_buffer()
    }
}

/// Writes the diagnostics as CSV with the columns `file,row,column,value,reason`, for a person to
/// open in a spreadsheet: it starts with a UTF-8 byte-order mark (Excel then shows Thai text
/// correctly) and text that would pass for a formula is quoted with a leading `'`.
pub fn write_report_csv(path: &Path, diagnostics: &[Diagnostic]) -> Result<(), IoError> {
    let write = || -> io::Result<()> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut wtr = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        wtr.write_record(["file", "row", "column", "value", "reason"])?;
        for d in diagnostics {
            wtr.write_record([
                neutral(&d.file),
                d.row.to_string(),
                neutral(&d.column),
                neutral(&d.value),
                neutral(&d.reason.to_string()),
            ])?;
        }
        wtr.flush()?;
        wtr.into_inner().map_err(|e| e.into_error())?.flush()
    };
    write().map_err(write_error(path))
}

fn xlsx_error(path: &Path) -> impl FnOnce(XlsxError) -> IoError + '_ {
    move |e| match e {
        XlsxError::IoError(source) => IoError::Write {
            path: path.to_path_buf(),
            source,
        },
        other => IoError::Xlsx {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    }
}

/// Writes both tables to one workbook with the sheets `households` and `members`: a bold,
/// frozen header of canonical names; numbers as numbers, dates as ISO text, everything else as
/// text (never as formulas), so that the readers give back exactly the records written. Sheets
/// are streamed through temporary files, so a million members take little memory.
pub fn write_xlsx_tables(
    path: &Path,
    households: &[Household],
    members: &[Member],
) -> Result<(), IoError> {
    for (table, rows) in [("households", households.len()), ("members", members.len())] {
        if rows > XLSX_MAX_ROWS {
            return Err(IoError::TooManyRows {
                path: path.to_path_buf(),
                table,
                rows,
            });
        }
    }
    let write = || -> Result<(), XlsxError> {
        let mut workbook = Workbook::new();
        let rows = households.iter().map(Household::to_values);
        write_sheet(&mut workbook, "households", HOUSEHOLD_COLUMNS, rows)?;
        let rows = members.iter().map(Member::to_values);
        write_sheet(&mut workbook, "members", MEMBER_COLUMNS, rows)?;
        workbook.save(path)
    };
    write().map_err(xlsx_error(path))
}

/// Streams one table into a new constant-memory sheet of `workbook`.
fn write_sheet(
    workbook: &mut Workbook,
    name: &str,
    columns: &[Column],
    rows: impl Iterator<Item = Vec<FieldValue>>,
) -> Result<(), XlsxError> {
    let header = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    sheet.set_freeze_panes(1, 0)?;
    for (col, c) in (0u16..).zip(columns) {
        sheet.set_column_width(col, (c.name.len() as f64 + 2.0).max(10.0))?;
        sheet.write_string_with_format(0, col, c.name, &header)?;
    }
    for (row, values) in (1u32..).zip(rows) {
        for (col, (c, v)) in (0u16..).zip(columns.iter().zip(&values)) {
            match v {
                FieldValue::Null | FieldValue::Invalid => {}
                FieldValue::Int(i) => {
                    sheet.write_number(row, col, *i as f64)?;
                }
                FieldValue::Real(f) => {
                    sheet.write_number(row, col, *f)?;
                }
                FieldValue::Date(d) => {
                    sheet.write_string(row, col, format_iso(*d))?;
                }
                FieldValue::Text(s) if c.kind == Kind::Text && needs_quote(s) => {
                    // A string cell is never a formula; Excel's quote prefix keeps it text when
                    // someone edits it. Only a leading `'` that the reader would strip needs a
                    // second one.
                    if unquote(s) != s.as_str() {
                        sheet.write_string_with_format(row, col, format!("'{s}"), &quoted)?;
                    } else {
                        sheet.write_string_with_format(row, col, s, &quoted)?;
                    }
                }
                FieldValue::Text(s) => {
                    sheet.write_string(row, col, s)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn csv_cells_match_the_canonical_text() {
        let values = [
            FieldValue::Int(-7),
            FieldValue::Real(1500.0),
            FieldValue::Real(0.1),
            FieldValue::Real(1e12),
            FieldValue::Real(-0.0),
            FieldValue::Date(NaiveDate::from_ymd_opt(2023, 6, 5).unwrap()),
            FieldValue::Text("มาลี, \"x\"".into()),
            FieldValue::Null,
        ];
        for v in values {
            let mut out = Vec::new();
            csv_cell(Kind::Text, &v, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_text(), "{v:?}");
        }
        let mut out = Vec::new();
        csv_cell(
            Kind::Text,
            &FieldValue::Text("=HYPERLINK(1)".into()),
            &mut out,
        );
        assert_eq!(out, b"'=HYPERLINK(1)");
    }

    #[test]
    fn a_sheet_written_in_parts_reads_back_as_written() {
        let header = ["rank", "name", "score"];
        let rows: Vec<Vec<String>> = (1..=5)
            .map(|i| vec![i.to_string(), format!("=สมชาย {i}"), format!("0.{i}")])
            .collect();
        let mut sheet = TextSheet::new("targets", &header).unwrap();
        sheet.push(&rows[..2]).unwrap();
        sheet.push(&rows[2..]).unwrap();
        let bytes = sheet.finish().unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let range = book.worksheet_range("targets").unwrap();
        let got: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(got[0], header);
        assert_eq!(&got[1..], &rows[..]);
        // Text stays text: no formula was written.
        assert!(book
            .worksheet_formula("targets")
            .unwrap()
            .used_cells()
            .next()
            .is_none());
        // CSV parts joined are the whole table.
        let mut joined = table_csv_part(true, &header, &rows[..2]).unwrap();
        joined.extend(table_csv_part(false, &header, &rows[2..]).unwrap());
        assert_eq!(joined, table_csv(&header, &rows).unwrap());
    }
}

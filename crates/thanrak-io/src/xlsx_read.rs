//! XLSX input: the sheets `households` and `members` (Thai ครัวเรือน / สมาชิก) of a workbook,
//! streamed cell by cell so that a sheet of a million rows is never held whole.

use std::fmt::Write as _;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use calamine::{DataRef, Reader, Xlsx};
use thanrak_core::schema::Table;
use thanrak_core::{AreaRegistry, Reason};

use crate::csv_read::PROGRESS_EVERY;
use crate::diag::{Batch, Sink};
use crate::field_read::{classify, FieldState, FieldTable, MainTarget, RepeatTarget, Tool};
use crate::limits::{self, Refusal, MAX_CELL_CHARS, MAX_COLUMNS, MAX_SHEET_ROWS};
use crate::table::{RowTarget, SurveyTarget};
use thanrak_core::field::form::MEMBERS_REPEAT;

/// The table a sheet holds, by its name.
fn sheet_table(name: &str) -> Option<Table> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("households") || name == "ครัวเรือน" {
        Some(Table::Households)
    } else if name.eq_ignore_ascii_case("members") || name == "สมาชิก" {
        Some(Table::Members)
    } else {
        None
    }
}

/// Writes a number as the canonical text: whole numbers without `.0`, others in Rust's shortest
/// form that reads back to the same value.
pub(crate) fn number_text(f: f64, out: &mut String) {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}

/// Writes a cell as the canonical text; a spreadsheet error cell is returned as its code.
pub(crate) fn cell_text(value: &DataRef, out: &mut String) -> Result<(), String> {
    match value {
        DataRef::Empty => {}
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        DataRef::Float(f) => number_text(*f, out),
        DataRef::String(s) => out.push_str(s.trim()),
        DataRef::SharedString(s) => out.push_str(s.trim()),
        DataRef::Bool(b) => out.push(if *b { '1' } else { '0' }),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{m:02}-{day:02}");
        }
        DataRef::DateTime(d) => number_text(d.as_f64(), out),
        DataRef::DateTimeIso(s) => out.push_str(s.split('T').next().unwrap_or("").trim()),
        DataRef::DurationIso(s) => out.push_str(s.trim()),
        DataRef::Error(e) => return Err(e.to_string()),
    }
    Ok(())
}

/// Reads the households and members sheets of a workbook into the batch. `file` names the
/// workbook; diagnostics and origins name a sheet as `file [sheet]`. Returns an error only when
/// the reader fails before the workbook is opened.
pub(crate) fn read_xlsx<R: Read + Seek>(
    batch: &mut Batch,
    file: &str,
    mut reader: R,
    areas: &AreaRegistry,
    progress: &mut dyn FnMut(f64),
) -> io::Result<()> {
    let (head, len) = read_head(&mut reader)?;
    let mut sink = Sink::new(batch, file.to_string());
    let Some(mut workbook) = open_workbook(&mut sink, reader, len, head)? else {
        sink.finish();
        return Ok(());
    };
    let names = workbook.sheet_names();
    if let Some(first) = names.first().cloned() {
        let mut peek = HeaderPeek(None);
        let mut quiet = Batch::default();
        read_sheet(
            &mut workbook,
            &first,
            &mut peek,
            &mut Sink::new(&mut quiet, String::new()),
            &mut |_| {},
        );
        let header: Vec<&str> = peek.0.iter().flatten().map(String::as_str).collect();
        if classify(&header) == Some(FieldTable::Main(Tool::Kobo)) {
            sink.finish();
            let state = std::cell::RefCell::new(FieldState::default());
            let mut sheets = vec![(first.clone(), true)];
            if let Some(m) = names.iter().find(|n| n.trim() == MEMBERS_REPEAT) {
                sheets.push((m.clone(), false));
            }
            for (name, main) in sheets {
                let mut sink = Sink::new(batch, format!("{file} [{name}]"));
                if main {
                    let mut t = MainTarget::new(Tool::Kobo, &state, areas);
                    read_sheet(&mut workbook, &name, &mut t, &mut sink, &mut |_| {});
                } else {
                    let mut t = RepeatTarget::new(Tool::Kobo, &state, areas);
                    read_sheet(&mut workbook, &name, &mut t, &mut sink, &mut |_| {});
                }
                sink.finish();
            }
            batch.rejected_submissions += state.into_inner().rejected;
            progress(1.0);
            return Ok(());
        }
    }
    let sheets: Vec<(String, Table)> = names
        .iter()
        .filter_map(|n| sheet_table(n).map(|t| (n.clone(), t)))
        .collect();
    if sheets.is_empty() {
        sink.report_file(Reason::NoSurveySheet {
            sheets: names.clone(),
        });
    }
    sink.finish();
    let count = sheets.len() as f64;
    for (k, (name, table)) in sheets.into_iter().enumerate() {
        let mut sink = Sink::new(batch, format!("{file} [{name}]"));
        let mut target = SurveyTarget::new(Some(table), areas);
        read_sheet(&mut workbook, &name, &mut target, &mut sink, &mut |f| {
            progress((k as f64 + f) / count)
        });
        sink.finish();
    }
    progress(1.0);
    Ok(())
}

/// Takes a sheet's header and stops.
struct HeaderPeek(Option<Vec<String>>);

impl RowTarget for HeaderPeek {
    fn header(&mut self, _: &mut Sink, header: &[&str]) -> bool {
        self.0 = Some(header.iter().map(|h| h.to_string()).collect());
        false
    }
    fn has_header(&self) -> bool {
        self.0.is_some()
    }
    fn width(&self) -> usize {
        0
    }
    fn label(&self, pos: usize) -> String {
        format!("column {}", pos + 1)
    }
    fn row(&mut self, _: &mut Sink, _: u64, _: &[&str], _: &[usize]) {}
}

/// The first bytes of a workbook: up to four, and how many there are.
pub(crate) fn read_head<R: Read + Seek>(reader: &mut R) -> io::Result<([u8; 4], usize)> {
    let mut head = [0u8; 4];
    let mut len = 0;
    while len < head.len() {
        match reader.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    reader.seek(SeekFrom::Start(0))?;
    Ok((head, len))
}

/// Opens a workbook whose first `len` bytes are `head`, after the pre-scan of its limits;
/// `None` when it is not a readable workbook (the reason is reported on the sink).
pub(crate) fn open_workbook<R: Read + Seek>(
    sink: &mut Sink,
    reader: R,
    len: usize,
    head: [u8; 4],
) -> io::Result<Option<Xlsx<BufReader<R>>>> {
    let problem = if len == 0 {
        Some(Reason::FileEmpty)
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        Some(Reason::XlsOrProtected)
    } else if !head.starts_with(b"PK") {
        Some(Reason::NotXlsx)
    } else {
        None
    };
    if let Some(reason) = problem {
        sink.report_file(reason);
        return Ok(None);
    }
    let mut reader = BufReader::new(reader);
    match limits::scan_workbook(&mut reader) {
        Ok(()) => {}
        Err(Refusal::Limit(reason)) => {
            sink.report_file(reason);
            return Ok(None);
        }
        Err(Refusal::Damaged(e)) => {
            sink.report_file(Reason::DamagedXlsx { detail: e });
            return Ok(None);
        }
    }
    match Xlsx::new(reader) {
        Ok(w) => Ok(Some(w)),
        Err(e) => {
            sink.report_file(Reason::DamagedXlsx {
                detail: e.to_string(),
            });
            Ok(None)
        }
    }
}

/// The cells of the row being gathered.
struct RowCells {
    /// The sheet's 0-based row index.
    index: u32,
    texts: Vec<String>,
    /// How many of `texts` this row uses.
    used: usize,
    /// Positions of error cells, already reported.
    bad: Vec<usize>,
}

/// Reads the sheet `name`, handing its header (the first row with a value) and rows to
/// `target`.
pub(crate) fn read_sheet<R: Read + Seek>(
    workbook: &mut Xlsx<R>,
    name: &str,
    target: &mut dyn RowTarget,
    sink: &mut Sink,
    progress: &mut dyn FnMut(f64),
) {
    let mut cells = match workbook.worksheet_cells_reader(name) {
        Ok(c) => c,
        Err(e) => {
            sink.report_file(Reason::SheetUnreadable {
                detail: e.to_string(),
            });
            return;
        }
    };
    let total_rows = f64::from(cells.dimensions().end.0.max(1));
    let mut row = RowCells {
        index: 0,
        texts: Vec::new(),
        used: 0,
        bad: Vec::new(),
    };
    let mut rows_read = 0u64;
    // Reads the gathered row; false once the sheet is not worth reading further.
    let flush = |row: &mut RowCells, target: &mut dyn RowTarget, sink: &mut Sink| {
        let texts: Vec<&str> = row.texts[..row.used].iter().map(String::as_str).collect();
        let keep_going = if target.has_header() {
            target.row(sink, u64::from(row.index) + 1, &texts, &row.bad);
            true
        } else if texts.iter().all(|t| t.is_empty()) {
            // Rows above the header may be empty; the first row with a value is the header.
            true
        } else {
            target.header(sink, &texts)
        };
        for t in &mut row.texts[..row.used] {
            t.clear();
        }
        row.used = 0;
        row.bad.clear();
        keep_going
    };
    loop {
        let cell = match cells.next_cell() {
            Ok(c) => c,
            Err(e) => {
                if row.used > 0 {
                    flush(&mut row, target, sink);
                }
                sink.report(
                    u64::from(row.index) + 1,
                    "",
                    "",
                    Reason::SheetUnreadablePast {
                        detail: e.to_string(),
                    },
                );
                return;
            }
        };
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        // The pre-scan bounds what a cell and the sheet can cost; these say which limit a
        // sheet broke, and keep the row's cells to a survey table's width.
        if r >= MAX_SHEET_ROWS {
            sink.report(
                u64::from(r) + 1,
                "",
                "",
                Reason::SheetTooManyRows {
                    max: MAX_SHEET_ROWS,
                },
            );
            return;
        }
        if c as usize >= MAX_COLUMNS {
            sink.report(
                u64::from(r) + 1,
                "",
                "",
                Reason::RowTooManyColumns { max: MAX_COLUMNS },
            );
            return;
        }
        if r != row.index {
            if row.used > 0 && !flush(&mut row, target, sink) {
                return;
            }
            row.index = r;
            rows_read += 1;
            if rows_read.is_multiple_of(PROGRESS_EVERY) {
                progress(f64::from(r) / total_rows);
            }
        }
        let c = c as usize;
        if row.texts.len() <= c {
            row.texts.resize_with(c + 1, String::new);
        }
        if let Err(code) = cell_text(cell.get_value(), &mut row.texts[c]) {
            let column = target.label(c);
            sink.report(u64::from(r) + 1, &column, &code, Reason::SpreadsheetError);
            row.bad.push(c);
        } else if row.texts[c].len() > MAX_CELL_CHARS
            && row.texts[c].chars().count() > MAX_CELL_CHARS
        {
            let column = target.label(c);
            sink.report(
                u64::from(r) + 1,
                &column,
                &row.texts[c],
                Reason::CellTooLong {
                    max: MAX_CELL_CHARS,
                },
            );
            row.texts[c].clear();
            row.bad.push(c);
        }
        row.used = row.used.max(c + 1);
    }
    let seen_header = target.has_header() || row.used > 0;
    if row.used > 0 {
        flush(&mut row, target, sink);
    }
    if !seen_header {
        sink.report_file(Reason::SheetEmpty);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};

    fn text(v: DataRef) -> Result<String, String> {
        let mut s = String::new();
        cell_text(&v, &mut s).map(|()| s)
    }

    #[test]
    fn cells_become_canonical_text() {
        assert_eq!(text(DataRef::Int(42)), Ok("42".into()));
        assert_eq!(text(DataRef::Float(3.0)), Ok("3".into()));
        assert_eq!(text(DataRef::Float(-0.0)), Ok("0".into()));
        assert_eq!(text(DataRef::Float(1500.25)), Ok("1500.25".into()));
        assert_eq!(
            text(DataRef::Float(0.1 + 0.2)),
            Ok("0.30000000000000004".into())
        );
        assert_eq!(
            text(DataRef::Float(4573661203302.0)),
            Ok("4573661203302".into())
        );
        assert_eq!(text(DataRef::Bool(true)), Ok("1".into()));
        assert_eq!(text(DataRef::SharedString(" มาลี ")), Ok("มาลี".into()));
        assert_eq!(text(DataRef::String("=x".into())), Ok("=x".into()));
        // 45092.6 is 2023-06-15 14:24 in the 1900 date system.
        let dt = ExcelDateTime::new(45092.6, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(DataRef::DateTime(dt)), Ok("2023-06-15".into()));
        assert_eq!(
            text(DataRef::DateTimeIso("2023-06-15T10:00:00".into())),
            Ok("2023-06-15".into())
        );
        assert_eq!(
            text(DataRef::Error(CellErrorType::Div0)),
            Err("#DIV/0!".into())
        );
        assert_eq!(text(DataRef::Empty), Ok(String::new()));
    }

    #[test]
    fn sheets_are_known_by_english_or_thai_names() {
        assert_eq!(sheet_table("households"), Some(Table::Households));
        assert_eq!(sheet_table(" Members "), Some(Table::Members));
        assert_eq!(sheet_table("ครัวเรือน"), Some(Table::Households));
        assert_eq!(sheet_table("สมาชิก"), Some(Table::Members));
        assert_eq!(sheet_table("Sheet1"), None);
    }
}

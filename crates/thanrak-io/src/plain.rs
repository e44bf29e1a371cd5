//! A plain table of text, CSV or XLSX, read with the same guards and row report as the survey
//! tables: the header matched against a list of columns (canonical or Thai names), each row's
//! cells handed back as text in the columns' order, for the caller to check (the logbook of
//! help given is read this way). Nothing is parsed here beyond the file format.

use std::fs::File;
use std::io;
use std::path::Path;

use calamine::Reader;
use thanrak_core::schema::{Column, Kind};
use thanrak_core::Reason;

use crate::diag::{Batch, Diagnostic, Origin, Sink};
use crate::table::{match_columns, unquote, RowTarget};
use crate::{csv_read, input_kind, xlsx_read, InputKind, IoError};

/// One row of a plain table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    /// Where it is.
    pub origin: Origin,
    /// Its cells in the order of the columns asked for (empty when the file has no such
    /// column), trimmed, with a spreadsheet's formula guard `'` removed from text.
    pub cells: Vec<String>,
    /// Columns whose problems are already reported (a missing required column, a spreadsheet
    /// error cell): the caller does not report them again.
    pub reported: Vec<&'static str>,
}

/// A plain table read from one file: its rows and every problem of the file and its header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextTable {
    /// The rows below the header that hold a value, in file order.
    pub rows: Vec<TextRow>,
    /// The problems found (file, header, cells that are not text).
    pub diagnostics: Vec<Diagnostic>,
}

struct TextTarget {
    table: &'static str,
    columns: &'static [Column],
    cell_of: Option<Vec<Option<usize>>>,
    silenced: Vec<&'static str>,
    header: Vec<String>,
    reported_unnamed: bool,
    rows: Vec<TextRow>,
}

impl RowTarget for TextTarget {
    fn header(&mut self, sink: &mut Sink, header: &[&str]) -> bool {
        match match_columns(header, self.columns, self.table, sink) {
            Some((cell_of, silenced)) => {
                self.cell_of = Some(cell_of);
                self.silenced = silenced;
                self.header = header.iter().map(|h| h.trim().to_string()).collect();
                true
            }
            None => false,
        }
    }

    fn has_header(&self) -> bool {
        self.cell_of.is_some()
    }

    fn width(&self) -> usize {
        self.header.len()
    }

    fn label(&self, pos: usize) -> String {
        if let Some(i) = self
            .cell_of
            .as_ref()
            .and_then(|c| c.iter().position(|p| *p == Some(pos)))
        {
            return self.columns[i].name.to_string();
        }
        match self.header.get(pos) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => format!("column {}", pos + 1),
        }
    }

    fn row(&mut self, sink: &mut Sink, row: u64, cells: &[&str], bad: &[usize]) {
        let Some(cell_of) = &self.cell_of else { return };
        if bad.is_empty() && cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        if !self.reported_unnamed {
            let named = |pos: usize| self.header.get(pos).is_some_and(|h| !h.is_empty());
            if let Some(pos) = (0..cells.len()).find(|&p| !named(p) && !cells[p].trim().is_empty())
            {
                self.reported_unnamed = true;
                sink.report(
                    row,
                    &format!("column {}", pos + 1),
                    cells[pos],
                    Reason::ValueWithoutHeader,
                );
            }
        }
        let mut reported = self.silenced.clone();
        let texts = self
            .columns
            .iter()
            .zip(cell_of)
            .map(|(c, at)| match at {
                Some(p) if bad.contains(p) => {
                    reported.push(c.name);
                    String::new()
                }
                Some(p) => {
                    let raw = cells.get(*p).copied().unwrap_or("");
                    let raw = if c.kind == Kind::Text {
                        unquote(raw)
                    } else {
                        raw
                    };
                    raw.trim().to_string()
                }
                None => String::new(),
            })
            .collect();
        self.rows.push(TextRow {
            origin: sink.origin(row),
            cells: texts,
            reported,
        });
    }
}

/// Reads one table of `columns` from a CSV file, or from an XLSX workbook's sheet named `table`
/// or `thai` (else its first sheet). `table` names it in messages. Problems of the file and its
/// header are diagnostics; only a path that cannot be opened or read is an error.
pub fn read_text_table(
    path: &Path,
    table: &'static str,
    thai: &str,
    columns: &'static [Column],
) -> Result<TextTable, IoError> {
    let open_error = |source| IoError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(open_error)?;
    if file.metadata().map_err(open_error)?.is_dir() {
        return Err(open_error(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory, not a file",
        )));
    }
    let read_error = |source| IoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let name = path.display().to_string();
    let mut batch = Batch::default();
    let mut target = TextTarget {
        table,
        columns,
        cell_of: None,
        silenced: Vec::new(),
        header: Vec::new(),
        reported_unnamed: false,
        rows: Vec::new(),
    };
    match input_kind(path) {
        Some(InputKind::Csv) => {
            let mut sink = Sink::new(&mut batch, name);
            let result = csv_read::read_csv_rows(&mut sink, file, &mut target, &mut |_| {});
            sink.finish();
            result.map_err(read_error)?;
        }
        Some(InputKind::Xlsx) => {
            let (head, len) = xlsx_read::read_head(&mut file).map_err(read_error)?;
            let mut sink = Sink::new(&mut batch, name.clone());
            let workbook = xlsx_read::open_workbook(&mut sink, file, len, head);
            let workbook = workbook.map_err(read_error)?;
            let sheet = workbook.as_ref().and_then(|w| {
                let names = w.sheet_names();
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(table) || n.trim() == thai)
                    .or_else(|| names.first())
                    .cloned()
            });
            if workbook.is_some() && sheet.is_none() {
                sink.report_file(Reason::SheetEmpty);
            }
            sink.finish();
            if let (Some(mut workbook), Some(sheet)) = (workbook, sheet) {
                let mut sink = Sink::new(&mut batch, format!("{name} [{sheet}]"));
                xlsx_read::read_sheet(&mut workbook, &sheet, &mut target, &mut sink, &mut |_| {});
                sink.finish();
            }
        }
        Some(InputKind::Zip | InputKind::Json) | None => {
            let mut sink = Sink::new(&mut batch, name);
            sink.report_file(Reason::NotCsvOrXlsx);
            sink.finish();
        }
    }
    Ok(TextTable {
        rows: target.rows,
        diagnostics: batch.diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use thanrak_core::help::HELP_COLUMNS;

    fn read(name: &str, text: &[u8]) -> TextTable {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut t = read_text_table(&path, "help", "ความช่วยเหลือ", HELP_COLUMNS).unwrap();
        for d in &mut t.diagnostics {
            d.file = d.file.replace(&dir.path().display().to_string(), "");
        }
        t
    }

    #[test]
    fn a_csv_is_read_as_text_in_the_columns_order() {
        let t = read(
            "h.csv",
            "หน่วยงาน,household_id,round,kind,what,value_baht,given_on,extra\n\
             codi,H1,2568-1,housing,'=ซ่อม,\"1,500\",2569-01-05,\n\
             ,,,,,,,\n\
             dasta,H2,2568-1,job,จ้างงาน,0,2026-01-05,x\n"
                .as_bytes(),
        );
        assert_eq!(t.rows.len(), 2, "{t:?}");
        assert_eq!(
            t.rows[0].cells,
            [
                "2568-1",
                "H1",
                "codi",
                "housing",
                "",
                "=ซ่อม",
                "1,500",
                "2569-01-05",
                ""
            ]
        );
        assert_eq!(t.rows[1].origin.row, 4);
        let reasons: Vec<String> = t
            .diagnostics
            .iter()
            .map(|d| format!("{} {} {}", d.row, d.column, d.reason.code()))
            .collect();
        assert_eq!(reasons, ["1 extra unknown_column"]);
    }

    #[test]
    fn header_and_file_problems_are_reported() {
        let t = read("h.csv", b"round,household_id,what\n2568-1,H1,x\n");
        let missing: Vec<&str> = t
            .diagnostics
            .iter()
            .filter(|d| d.reason == Reason::RequiredColumnMissing)
            .map(|d| d.column.as_str())
            .collect();
        assert_eq!(missing, ["agency", "kind", "value_baht", "given_on"]);
        assert!(t.rows[0].reported.contains(&"agency"));
        let t = read("h.csv", b"a,b\n1,2\n");
        assert_eq!(t.diagnostics[0].reason.code(), "not_a_header");
        let t = read("h.txt", b"x");
        assert_eq!(t.diagnostics[0].reason, Reason::NotCsvOrXlsx);
        let t = read("h.xlsx", b"not a zip");
        assert_eq!(t.diagnostics[0].reason, Reason::NotXlsx);
    }

    #[test]
    fn an_xlsx_sheet_is_read() {
        let header = [
            "round",
            "household_id",
            "agency",
            "kind",
            "what",
            "value_baht",
            "given_on",
        ];
        let rows = vec![vec![
            "2568-1".to_string(),
            "H1".into(),
            "codi".into(),
            "cash".into(),
            "เงินช่วยเหลือ".into(),
            "2500.5".into(),
            "2026-01-05".into(),
        ]];
        let bytes = crate::table_xlsx("help", &header, &rows).unwrap();
        let t = read("h.xlsx", &bytes);
        assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells[6], "2500.5");
        assert!(t.rows[0].origin.file.ends_with("h.xlsx [help]"));
    }
}

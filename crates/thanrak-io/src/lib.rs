//! Readers and writers of the two tables of a survey round (households and members, methodology
//! §1) as CSV and XLSX.
//!
//! Readers never stop at the first problem: they read every row of every file and return the
//! records that parsed together with a [`Diagnostic`] for each problem, located by file, row (as
//! the user sees it, the header being row 1), column, value and reason. The application then
//! decides whether to load all or nothing. Only operating-system failures (a path that cannot be
//! opened, read or written) are errors ([`IoError`]).
//!
//! Writers produce files that the readers read back to the same records, and that are safe to
//! open in a spreadsheet: text that would pass for a formula is quoted with a leading `'` in CSV
//! (and removed again on import), and is always a string cell in XLSX.

#![forbid(unsafe_code)]

mod csv_read;
pub mod deprivations;
mod diag;
mod field_read;
pub mod field_write;
mod limits;
mod plain;
mod stream;
mod table;
mod template;
mod write;
mod xlsform;
mod xlsx_read;

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

use thanrak_core::{AreaRegistry, Reason};

pub use csv_read::MAX_ROW_BYTES;
pub use diag::{
    Batch, Diagnostic, Origin, RejectedRow, MAX_DIAGNOSTICS_PER_FILE, MAX_REJECTED_ROWS,
};
pub use field_read::{Submission, Tool};
pub use limits::{
    MAX_CELL_CHARS, MAX_COLUMNS, MAX_PARTS, MAX_PART_BYTES, MAX_SHARED_STRINGS, MAX_SHEET_ROWS,
    MAX_UNPACKED_BYTES,
};
pub use plain::{read_text_table, TextRow, TextTable};
pub use stream::stream_csv_table;
pub use template::import_template;
pub use write::{
    table_csv, table_csv_part, table_xlsx, write_csv_part, write_csv_table, write_csv_tables,
    write_report_csv, write_tables, write_xlsx_tables, ExportFormat, TextSheet, XLSX_MAX_ROWS,
};
pub use xlsform::xlsform;

/// A failure of the operating system (or of a writer) on a path; problems with the content of
/// an input file are [`Diagnostic`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The path could not be opened (missing, a directory, no permission, …).
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file was opened but reading it failed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// Creating or writing the file failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A table has more rows than an XLSX sheet holds.
    #[error(
        "cannot write {}: the {table} table has {rows} rows, more than an XLSX sheet holds \
         ({XLSX_MAX_ROWS}); export CSV instead", path.display()
    )]
    TooManyRows {
        /// The workbook's path.
        path: PathBuf,
        /// The table that is too long.
        table: &'static str,
        /// Its number of rows.
        rows: usize,
    },
    /// The XLSX writer refused the content (say, a text longer than a cell holds).
    #[error("cannot write {}: {message}", path.display())]
    Xlsx {
        /// The workbook's path.
        path: PathBuf,
        /// The writer's reason.
        message: String,
    },
}

impl IoError {
    /// What to tell someone who cannot see this machine's files (a user of the web application):
    /// the reason without a path when the error is theirs to act on; `None` for a failure of
    /// this machine or of its writer, which is logged rather than shown.
    pub fn without_path(&self) -> Option<String> {
        match self {
            IoError::TooManyRows { table, rows, .. } => Some(format!(
                "the {table} table has {rows} rows, more than an XLSX sheet holds \
                 ({XLSX_MAX_ROWS}): export CSV instead"
            )),
            IoError::Open { .. }
            | IoError::Read { .. }
            | IoError::Write { .. }
            | IoError::Xlsx { .. } => None,
        }
    }
}

/// The kinds of input file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InputKind {
    Csv,
    Xlsx,
    /// ODK Central's CSV export.
    Zip,
    /// ODK Central's OData JSON.
    Json,
}

fn input_kind(path: &Path) -> Option<InputKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(InputKind::Csv),
        "xlsx" => Some(InputKind::Xlsx),
        "zip" => Some(InputKind::Zip),
        "json" => Some(InputKind::Json),
        _ => None,
    }
}

/// Reads the files of one import: `.csv` files (each one table, decided by its header: a header
/// naming `member_no` is members; without it, the table with more of its own columns named,
/// households on a tie) and `.xlsx` workbooks (the sheets `households` and `members`, or
/// ครัวเรือน and สมาชิก; in a sheet, the first row with a value is the header). Files are read
/// in the order given and records keep file and row order.
///
/// `progress(done, total)` is called every few thousand rows and after each file, in bytes of
/// the input files.
pub fn read_batch(
    paths: &[PathBuf],
    areas: &AreaRegistry,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Batch, IoError> {
    let mut files = Vec::with_capacity(paths.len());
    let mut total = 0u64;
    for path in paths {
        let open_error = |source| IoError::Open {
            path: path.clone(),
            source,
        };
        let file = File::open(path).map_err(open_error)?;
        let meta = file.metadata().map_err(open_error)?;
        if meta.is_dir() {
            return Err(open_error(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory, not a file",
            )));
        }
        total += meta.len();
        files.push((path, file, meta.len()));
    }
    let mut batch = Batch::default();
    let mut done = 0u64;
    let mut state = field_read::FieldState::default();
    // CSV tables of a field export, read after the others: submissions before members.
    let mut field_csvs = Vec::new();
    for (path, mut file, size) in files {
        let name = path.display().to_string();
        let read_error = |source| IoError::Read {
            path: path.clone(),
            source,
        };
        let kind = input_kind(path);
        if kind == Some(InputKind::Csv) {
            let peek = field_read::peek_csv(&mut file).map_err(read_error)?;
            file.seek(io::SeekFrom::Start(0)).map_err(read_error)?;
            if let Some((table, delimiter)) = peek {
                field_csvs.push((path, table, delimiter));
                done += size;
                continue;
            }
        }
        match kind {
            Some(InputKind::Zip) => {
                field_read::read_central_zip(&mut batch, &mut state, &name, file, areas)
                    .map_err(read_error)?;
            }
            Some(InputKind::Json) => {
                field_read::read_central_json(&mut batch, &mut state, &name, file, areas)
                    .map_err(read_error)?;
            }
            Some(InputKind::Csv) => {
                let mut sink = diag::Sink::new(&mut batch, name);
                let result = csv_read::read_csv(&mut sink, file, areas, &mut |bytes| {
                    progress(done + bytes.min(size), total)
                });
                sink.finish();
                result.map_err(read_error)?;
            }
            Some(InputKind::Xlsx) => {
                xlsx_read::read_xlsx(&mut batch, &name, file, areas, &mut |share| {
                    progress(done + (share * size as f64) as u64, total)
                })
                .map_err(read_error)?;
            }
            None => {
                let mut sink = diag::Sink::new(&mut batch, name);
                sink.report_file(Reason::NotCsvOrXlsx);
                sink.finish();
            }
        }
        done += size;
        progress(done, total);
    }
    field_csvs.sort_by_key(|(_, t, _)| matches!(t, field_read::FieldTable::Repeat(_)));
    for (path, table, delimiter) in field_csvs {
        let file = File::open(path).map_err(|source| IoError::Open {
            path: path.clone(),
            source,
        })?;
        field_read::read_field_csv(
            &mut batch,
            &mut state,
            &path.display().to_string(),
            file,
            table,
            delimiter,
            areas,
        )
        .map_err(|source| IoError::Read {
            path: path.clone(),
            source,
        })?;
    }
    batch.rejected_submissions += state.rejected;
    Ok(batch)
}

/// Reads one CSV table (households or members, decided by its header) from `reader` into
/// `batch`; `file` names it in diagnostics and origins. For uploads held in memory.
pub fn read_csv_into(
    batch: &mut Batch,
    file: &str,
    reader: impl Read,
    areas: &AreaRegistry,
) -> Result<(), IoError> {
    let mut sink = diag::Sink::new(batch, file.to_string());
    let result = csv_read::read_csv(&mut sink, reader, areas, &mut |_| {});
    sink.finish();
    result.map_err(|source| IoError::Read {
        path: PathBuf::from(file),
        source,
    })
}

/// Reads the households and members sheets of an XLSX workbook from `reader` into `batch`;
/// `file` names it in diagnostics and origins (as `file [sheet]`). For uploads held in memory.
pub fn read_xlsx_into(
    batch: &mut Batch,
    file: &str,
    reader: impl Read + Seek,
    areas: &AreaRegistry,
) -> Result<(), IoError> {
    xlsx_read::read_xlsx(batch, file, reader, areas, &mut |_| {}).map_err(|source| IoError::Read {
        path: PathBuf::from(file),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_kind_is_by_extension_in_any_case() {
        assert_eq!(input_kind(Path::new("a/b.CSV")), Some(InputKind::Csv));
        assert_eq!(input_kind(Path::new("b.xlsx")), Some(InputKind::Xlsx));
        assert_eq!(input_kind(Path::new("b.xls")), None);
        assert_eq!(input_kind(Path::new("households")), None);
    }
}

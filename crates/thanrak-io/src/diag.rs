//! What a reader hands back: records with their origin, and diagnostics located for a person.

use std::fmt;

use thanrak_core::schema::Table;
use thanrak_core::{Household, Member, Reason};

/// The most diagnostics kept for one file (or XLSX sheet); the rest are only counted, so that a
/// garbage file of a million rows cannot fill memory with complaints.
pub const MAX_DIAGNOSTICS_PER_FILE: u64 = 10_000;

/// Values longer than this (in characters) are shortened in diagnostics.
const MAX_VALUE_CHARS: usize = 200;

/// One problem, located for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as given (for an XLSX workbook, `book.xlsx [members]`, naming the sheet).
    pub file: String,
    /// The 1-based row as the user sees it in the file or sheet, the header being row 1; 0 when the
    /// problem concerns the file as a whole.
    pub row: u64,
    /// The canonical column name, or the header text when the header is the problem; empty when
    /// the problem concerns a whole row or file.
    pub column: String,
    /// The value as found (shortened when very long).
    pub value: String,
    /// What is wrong and, where it helps, what to do.
    pub reason: Reason,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.row > 0 {
            write!(f, ", row {}", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, ", {}", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, " = {:?}", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Where a parsed record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as given (see [`Diagnostic::file`]).
    pub file: String,
    /// The 1-based row, the header being row 1.
    pub row: u64,
}

/// Everything read from the paths of one import: the records that parsed, each with its origin
/// (`household_origins[i]` is where `households[i]` came from), and every problem found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Households that parsed without a problem.
    pub households: Vec<Household>,
    /// The origin of each household, index for index.
    pub household_origins: Vec<Origin>,
    /// Members that parsed without a problem.
    pub members: Vec<Member>,
    /// The origin of each member, index for index.
    pub member_origins: Vec<Origin>,
    /// Every problem found, in file and row order.
    pub diagnostics: Vec<Diagnostic>,
    /// The tables whose header was found, in the order met (a table may appear in several files).
    /// A batch with households but no members table is not a whole round: the importer must not
    /// take it to mean "these households have no members".
    pub tables: Vec<Table>,
    /// The field submissions read (ODK Central, KoboToolbox), each with its household's origin.
    pub submissions: Vec<crate::field_read::Submission>,
    /// Field submissions left out because the project rejected them in the tool.
    pub rejected_submissions: u64,
    /// The rows of the survey tables that did not parse, as their cells by column (at most
    /// [`MAX_REJECTED_ROWS`]), so that a person can correct them on a page.
    pub rejected_rows: Vec<RejectedRow>,
}

/// The most rejected rows a batch keeps the cells of.
pub const MAX_REJECTED_ROWS: usize = 5_000;

/// A row of a survey table that did not parse: where it is, its table and its cells by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// Where it is.
    pub origin: Origin,
    /// Its table.
    pub table: Table,
    /// Its cells by canonical column, as read.
    pub cells: Vec<(String, String)>,
}

impl Batch {
    /// Whether the import found no problem at all.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Shortens a value for a diagnostic.
pub(crate) fn shorten(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}

/// Collects the diagnostics and records of one file (or sheet) into a batch, applying the cap.
pub(crate) struct Sink<'a> {
    pub batch: &'a mut Batch,
    pub file: String,
    count: u64,
}

impl<'a> Sink<'a> {
    pub fn new(batch: &'a mut Batch, file: String) -> Self {
        Self {
            batch,
            file,
            count: 0,
        }
    }

    /// Reports a problem.
    pub fn report(&mut self, row: u64, column: &str, value: &str, reason: Reason) {
        self.count += 1;
        if self.count <= MAX_DIAGNOSTICS_PER_FILE {
            self.batch.diagnostics.push(Diagnostic {
                file: self.file.clone(),
                row,
                column: column.to_string(),
                value: shorten(value),
                reason,
            });
        }
    }

    /// Reports a problem with the file as a whole.
    pub fn report_file(&mut self, reason: Reason) {
        self.report(0, "", "", reason);
    }

    /// The origin of a record on `row`.
    pub fn origin(&self, row: u64) -> Origin {
        Origin {
            file: self.file.clone(),
            row,
        }
    }

    /// Ends the file: says how many problems were left out.
    pub fn finish(self) {
        if self.count > MAX_DIAGNOSTICS_PER_FILE {
            let more = self.count - MAX_DIAGNOSTICS_PER_FILE;
            self.batch.diagnostics.push(Diagnostic {
                file: self.file,
                row: 0,
                column: String::new(),
                value: String::new(),
                reason: Reason::MoreProblems {
                    more,
                    shown: MAX_DIAGNOSTICS_PER_FILE,
                },
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_on_a_char_boundary() {
        let thai = "ก".repeat(500);
        let s = shorten(&thai);
        assert_eq!(s.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(shorten("short"), "short");
    }

    #[test]
    fn the_cap_keeps_a_count_of_the_rest() {
        let mut batch = Batch::default();
        let mut sink = Sink::new(&mut batch, "f.csv".into());
        for row in 0..MAX_DIAGNOSTICS_PER_FILE + 5 {
            sink.report(row + 2, "age", "x", Reason::NotWholeNumber);
        }
        sink.finish();
        assert_eq!(batch.diagnostics.len() as u64, MAX_DIAGNOSTICS_PER_FILE + 1);
        let last = batch.diagnostics.last().unwrap();
        assert!(
            last.reason.to_string().starts_with("… and 5 more problems"),
            "{}",
            last.reason
        );
    }

    #[test]
    fn display_reads_as_a_sentence() {
        let d = Diagnostic {
            file: "m.csv".into(),
            row: 3,
            column: "sex".into(),
            value: "X".into(),
            reason: Reason::OneOf {
                codes: vec!["M".into(), "F".into()],
            },
        };
        assert_eq!(
            d.to_string(),
            "m.csv, row 3, sex = \"X\": must be one of M, F"
        );
    }
}

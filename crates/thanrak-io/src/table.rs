//! From a header and rows of cell text to records and diagnostics, whatever the file format.

use thanrak_core::schema::{
    match_header, parse_cells, Column, Kind, Table, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS,
};
use thanrak_core::{AreaRegistry, Household, Member, Reason};

use crate::diag::Sink;

/// Whether a text value would be taken for a formula (or lose its neutralising quote) when a
/// spreadsheet opens the file: such values are written with a leading `'`. A leading `'` is
/// itself quoted, so that a value that really starts with `'` survives export → import.
pub(crate) fn needs_quote(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    )
}

/// Removes the `'` that [`needs_quote`] calls for, so that export → import → export is exact.
pub(crate) fn unquote(cell: &str) -> &str {
    match cell.trim_start().strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// The canonical names of a table's columns, for messages.
fn names(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.name.to_string()).collect()
}

/// Decides which table a CSV holds from its header: `member_no` names the members table; without
/// it, the table with more columns of its own in the header wins (households on a tie), so that
/// a members file whose `member_no` is misspelt is still read as members.
pub(crate) fn detect_table(header: &[&str]) -> Table {
    let member_no = MEMBER_COLUMNS
        .iter()
        .position(|c| c.name == "member_no")
        .expect("members have a member_no column");
    if header
        .iter()
        .any(|h| match_header(MEMBER_COLUMNS, h) == Some(member_no))
    {
        return Table::Members;
    }
    let own = |columns: &'static [Column], other: &[Column]| {
        header
            .iter()
            .filter_map(|h| match_header(columns, h))
            .filter(|&i| !other.iter().any(|o| o.name == columns[i].name))
            .count()
    };
    if own(MEMBER_COLUMNS, HOUSEHOLD_COLUMNS) > own(HOUSEHOLD_COLUMNS, MEMBER_COLUMNS) {
        Table::Members
    } else {
        Table::Households
    }
}

/// Matches a header (row 1) against `columns`, reporting unknown and repeated columns and
/// missing required ones: for each column, the position of its cell in a row, and the columns
/// whose per-row errors a header diagnostic already covers. `None` when no cell names a column
/// (the row is not a header of `table`; the file is not read further).
pub(crate) fn match_columns(
    header: &[&str],
    columns: &'static [Column],
    table: &str,
    sink: &mut Sink,
) -> Option<(Vec<Option<usize>>, Vec<&'static str>)> {
    let matched: Vec<Option<usize>> = header.iter().map(|h| match_header(columns, h)).collect();
    if matched.iter().all(Option::is_none) {
        let text = header.join(",");
        sink.report(
            1,
            "",
            &text,
            Reason::NotAHeader {
                table: table.to_string(),
                expected: names(columns),
            },
        );
        return None;
    }
    let mut cell_of = vec![None; columns.len()];
    for (pos, (h, m)) in header.iter().zip(&matched).enumerate() {
        match m {
            Some(i) if cell_of[*i].is_some() => sink.report(
                1,
                h,
                "",
                Reason::DuplicateColumn {
                    column: columns[*i].name.to_string(),
                },
            ),
            Some(i) => cell_of[*i] = Some(pos),
            None if h.trim().is_empty() => {}
            None => sink.report(
                1,
                h.trim(),
                "",
                Reason::UnknownColumn {
                    expected: names(columns),
                },
            ),
        }
    }
    let mut silenced = Vec::new();
    for (c, at) in columns.iter().zip(&cell_of) {
        if c.required && at.is_none() {
            sink.report(1, c.name, "", Reason::RequiredColumnMissing);
            silenced.push(c.name);
        }
    }
    Some((cell_of, silenced))
}

/// What a file reader hands its header and rows to, whatever the format: the survey tables
/// (households, members) or a plain table of text ([`crate::plain`]).
pub(crate) trait RowTarget {
    /// Reads the header; false when the row is not a header (the file is not read further).
    fn header(&mut self, sink: &mut Sink, header: &[&str]) -> bool;
    /// Whether the header has been read.
    fn has_header(&self) -> bool;
    /// The number of cells of the header.
    fn width(&self) -> usize;
    /// How a person would name the cell at `pos` (its position before the header is read).
    fn label(&self, pos: usize) -> String;
    /// Reads one row below the header; cells at the positions in `bad` were already reported.
    fn row(&mut self, sink: &mut Sink, row: u64, cells: &[&str], bad: &[usize]);
}

/// The survey tables as a [`RowTarget`]: the table is `fixed` (an XLSX sheet's, by its name)
/// or decided by the header (a CSV file's).
pub(crate) struct SurveyTarget<'a> {
    fixed: Option<Table>,
    reader: Option<TableReader>,
    areas: &'a AreaRegistry,
}

impl<'a> SurveyTarget<'a> {
    /// A target for `table`, or for the table the header names when `None`.
    pub fn new(fixed: Option<Table>, areas: &'a AreaRegistry) -> Self {
        Self {
            fixed,
            reader: None,
            areas,
        }
    }
}

impl RowTarget for SurveyTarget<'_> {
    fn header(&mut self, sink: &mut Sink, header: &[&str]) -> bool {
        let table = self.fixed.unwrap_or_else(|| detect_table(header));
        self.reader = TableReader::from_header(header, table, sink);
        self.reader.is_some()
    }

    fn has_header(&self) -> bool {
        self.reader.is_some()
    }

    fn width(&self) -> usize {
        self.reader.as_ref().map_or(0, TableReader::width)
    }

    fn label(&self, pos: usize) -> String {
        self.reader
            .as_ref()
            .map_or_else(|| format!("column {}", pos + 1), |t| t.label(pos))
    }

    fn row(&mut self, sink: &mut Sink, row: u64, cells: &[&str], bad: &[usize]) {
        if let Some(t) = &mut self.reader {
            t.read_row(sink, row, cells, bad, self.areas);
        }
    }
}

/// Reads the rows of one table once its header is known.
pub(crate) struct TableReader {
    table: Table,
    /// For each canonical column, the position of its cell in a row, when the file has it.
    cell_of: Vec<Option<usize>>,
    /// The header text of each position.
    header: Vec<String>,
    /// Canonical columns whose per-row errors a header diagnostic already covers.
    silenced: Vec<&'static str>,
    /// Whether a value under a column without a header has been reported (once per file).
    reported_unnamed: bool,
}

impl TableReader {
    /// Matches the header (row 1 of the file) against the table's columns, reporting unknown,
    /// repeated and missing columns. `None` when the row is not a header at all; the file is
    /// then not read further.
    pub fn from_header(header: &[&str], table: Table, sink: &mut Sink) -> Option<Self> {
        let columns = table.columns();
        let (cell_of, mut silenced) = match_columns(header, columns, table.as_str(), sink)?;
        sink.batch.tables.push(table);
        let has = |name: &str| {
            columns
                .iter()
                .position(|c| c.name == name)
                .is_some_and(|i| cell_of[i].is_some())
        };
        match table {
            Table::Members if !has("birth_date") && !has("age") => {
                sink.report(1, "age", "", Reason::BirthDateOrAgeColumn);
                silenced.push("age");
            }
            Table::Households if has("lat") != has("lon") => {
                let (missing, present) = if has("lat") {
                    ("lon", "lat")
                } else {
                    ("lat", "lon")
                };
                sink.report(
                    1,
                    missing,
                    "",
                    Reason::LatLonColumns {
                        missing: missing.to_string(),
                        present: present.to_string(),
                    },
                );
                // The core reports a lone coordinate on `lon`.
                silenced.push("lon");
            }
            _ => {}
        }
        Some(Self {
            table,
            cell_of,
            header: header.iter().map(|h| h.trim().to_string()).collect(),
            silenced,
            reported_unnamed: false,
        })
    }

    /// The number of cells of the header.
    pub fn width(&self) -> usize {
        self.header.len()
    }

    /// How a person would name the cell at `pos`: its canonical column, else its header text,
    /// else its position.
    pub fn label(&self, pos: usize) -> String {
        if let Some(i) = self.cell_of.iter().position(|p| *p == Some(pos)) {
            return self.table.columns()[i].name.to_string();
        }
        match self.header.get(pos) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => format!("column {}", pos + 1),
        }
    }

    /// Reads one row: pushes its record into the batch when every cell is good, otherwise
    /// reports each problem. Cells at the positions in `bad` were already reported by the
    /// caller (say, spreadsheet error cells): they read as empty and keep the row out.
    /// Returns whether a record was added; an empty row is skipped.
    pub fn read_row(
        &mut self,
        sink: &mut Sink,
        row: u64,
        cells: &[&str],
        bad: &[usize],
        areas: &AreaRegistry,
    ) -> bool {
        if bad.is_empty() && cells.iter().all(|c| c.trim().is_empty()) {
            return false;
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
        let columns = self.table.columns();
        let mut bad_columns: Vec<&'static str> = Vec::new();
        let texts: Vec<&str> = columns
            .iter()
            .zip(&self.cell_of)
            .map(|(c, at)| match at {
                Some(p) if bad.contains(p) => {
                    bad_columns.push(c.name);
                    ""
                }
                Some(p) => {
                    let raw = cells.get(*p).copied().unwrap_or("");
                    if c.kind == Kind::Text {
                        unquote(raw)
                    } else {
                        raw
                    }
                }
                None => "",
            })
            .collect();
        let (values, cell_errors) = parse_cells(columns, &texts);
        let clean = cell_errors.is_empty() && bad.is_empty();
        let record = match self.table {
            Table::Households => Household::from_values(&values, areas).map(Record::Household),
            Table::Members => Member::from_values(&values).map(Record::Member),
        };
        let record_errors = match record {
            Ok(r) if clean => {
                match r {
                    Record::Household(h) => {
                        sink.batch.households.push(h);
                        sink.batch.household_origins.push(sink.origin(row));
                    }
                    Record::Member(m) => {
                        sink.batch.members.push(m);
                        sink.batch.member_origins.push(sink.origin(row));
                    }
                }
                return true;
            }
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        };
        if sink.batch.rejected_rows.len() < crate::diag::MAX_REJECTED_ROWS {
            let cells = columns
                .iter()
                .zip(&texts)
                .map(|(c, t)| (c.name.to_string(), t.to_string()))
                .collect();
            let origin = sink.origin(row);
            sink.batch.rejected_rows.push(crate::diag::RejectedRow {
                origin,
                table: self.table,
                cells,
            });
        }
        for e in cell_errors.iter().chain(&record_errors) {
            if self.silenced.contains(&e.column) || bad_columns.contains(&e.column) {
                continue;
            }
            sink.report(row, e.column, &e.value, e.reason.clone());
        }
        false
    }
}

enum Record {
    Household(Household),
    Member(Member),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_covers_formula_starts_and_the_quote_itself() {
        for s in ["=1+1", "+66", "-3", "@SUM(A1)", "\tx", "\rx", "'x"] {
            assert!(needs_quote(s), "{s:?}");
            assert_eq!(unquote(&format!("'{s}")), s);
        }
        for s in ["", "มาลี", "a=b", "12/3", " =x"] {
            assert!(!needs_quote(s), "{s:?}");
        }
        // A lone apostrophe before ordinary text is data, not a quote.
        assert_eq!(unquote("'O Brien"), "'O Brien");
        assert_eq!(unquote("=x"), "=x");
    }

    #[test]
    fn the_table_is_decided_by_the_header() {
        assert_eq!(detect_table(&["household_id", "member_no"]), Table::Members);
        assert_eq!(detect_table(&["รหัสครัวเรือน", "ลำดับสมาชิก"]), Table::Members);
        assert_eq!(
            detect_table(&["household_id", "survey_date"]),
            Table::Households
        );
        assert_eq!(
            detect_table(&["household_id", "membr_no", "first_name", "sex"]),
            Table::Members
        );
        assert_eq!(detect_table(&["household_id", "round"]), Table::Households);
        assert_eq!(detect_table(&[]), Table::Households);
    }
}

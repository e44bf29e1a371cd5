//! Submissions of the household form ([`thanrak_core::field`]) as ODK Central and KoboToolbox
//! export them, read into the survey tables with the same row diagnostics as the import format:
//!
//! - ODK Central's CSV export: a `.zip` holding the submissions table (`FORM.csv`, keyed by
//!   `KEY`) and the members table (`FORM-members.csv`, joined by `PARENT_KEY`); the two CSV
//!   files may also be given on their own.
//! - ODK Central's JSON: the OData `Submissions` feed with `$expand=*` (`{"value": [...]}`,
//!   members nested).
//! - KoboToolbox's XLSX export (the submissions sheet keyed by `_index`, the `members` sheet
//!   joined by `_parent_index`) and its CSV export (`;` or `,` separated; the members table as
//!   a second CSV file).
//!
//! A submission's key and version are kept ([`Submission`]) so that the application can load
//! only new submissions and replace the edited ones. Submissions the project rejected in the
//! tool (ODK Central's review state `rejected`, KoboToolbox's "not approved") are left out.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Read, Seek};

use thanrak_core::field::form::MEMBERS_REPEAT;
use thanrak_core::field::submission::{field, household_cells, member_cells, Field};
use thanrak_core::schema::{Table, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaRegistry, Reason};

use crate::diag::{Batch, Origin, Sink};
use crate::table::{RowTarget, TableReader};

/// The tool a submission came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// ODK Central (CSV or JSON).
    OdkCentral,
    /// KoboToolbox (XLSX or CSV).
    Kobo,
}

impl Tool {
    /// The stable code kept with a submission.
    pub fn code(self) -> &'static str {
        match self {
            Tool::OdkCentral => "odk_central",
            Tool::Kobo => "kobo",
        }
    }
}

/// A submission read from a field export: where its household row is, its key (stable across
/// edits: ODK Central's `KEY`/`__id`, KoboToolbox's `_id`) and its version (the instance id,
/// new with every edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The household row's origin (a household of the batch has the same).
    pub origin: Origin,
    /// The tool.
    pub tool: Tool,
    /// The submission's key.
    pub key: String,
    /// The version's instance id.
    pub version: String,
    /// When the tool received it, as the tool wrote it.
    pub submitted_at: String,
}

/// What a table of an export is, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldTable {
    /// The submissions table.
    Main(Tool),
    /// The members table (a repeat).
    Repeat(Tool),
}

/// Tells a field export's table from its header; `None` for a table of the import format.
pub(crate) fn classify(header: &[&str]) -> Option<FieldTable> {
    let has = |name: &str| {
        header
            .iter()
            .any(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    if has("PARENT_KEY") {
        Some(FieldTable::Repeat(Tool::OdkCentral))
    } else if has("KEY") && (has("SubmissionDate") || has("meta-instanceID")) {
        Some(FieldTable::Main(Tool::OdkCentral))
    } else if has("_parent_index") {
        Some(FieldTable::Repeat(Tool::Kobo))
    } else if has("_uuid") && has("_index") {
        Some(FieldTable::Main(Tool::Kobo))
    } else {
        None
    }
}

/// A submission read, as its members' rows need it.
struct Parent {
    cells: Vec<String>,
    members: usize,
    /// Rejected in the tool: its members are left out too.
    skipped: bool,
}

/// The submissions of one import read so far, by the keys their members name.
#[derive(Default)]
pub(crate) struct FieldState {
    parents: HashMap<String, Parent>,
    /// Whether a submissions table was read.
    pub mains: usize,
    /// Submissions left out as rejected in the tool.
    pub rejected: u64,
}

fn is_rejected(status: &str) -> bool {
    let s = status.trim();
    s.eq_ignore_ascii_case("rejected") || s.contains("not_approved")
}

/// The canonical columns an export's header holds, as a header for a [`TableReader`].
fn present(table: Table, found: &[bool]) -> (Vec<&'static str>, Vec<usize>) {
    let columns = table.columns();
    let idx: Vec<usize> = (0..columns.len()).filter(|&i| found[i]).collect();
    (idx.iter().map(|&i| columns[i].name).collect(), idx)
}

/// How a person names the cell at `pos` of a field table: its header, else its position.
fn header_label(header: &[String], pos: usize) -> String {
    header
        .get(pos)
        .cloned()
        .unwrap_or_else(|| format!("column {}", pos + 1))
}

/// The submissions table of an export as a [`RowTarget`].
pub(crate) struct MainTarget<'s, 'a> {
    tool: Tool,
    state: &'s RefCell<FieldState>,
    areas: &'a AreaRegistry,
    header: Vec<String>,
    reader: Option<TableReader>,
    columns: Vec<usize>,
    key: Option<usize>,
    parent_key: Option<usize>,
    version: Option<usize>,
    status: Option<usize>,
    submitted: Option<usize>,
}

impl<'s, 'a> MainTarget<'s, 'a> {
    pub fn new(tool: Tool, state: &'s RefCell<FieldState>, areas: &'a AreaRegistry) -> Self {
        Self {
            tool,
            state,
            areas,
            header: Vec::new(),
            reader: None,
            columns: Vec::new(),
            key: None,
            parent_key: None,
            version: None,
            status: None,
            submitted: None,
        }
    }

    /// Reads one submission given as (path, value) pairs; `key`, `parent_key` (what members
    /// name it by), `version`, `status` and `submitted` are its metadata.
    #[allow(clippy::too_many_arguments)]
    fn submission<'f>(
        &mut self,
        sink: &mut Sink,
        row: u64,
        fields: impl Iterator<Item = (&'f str, &'f str)>,
        key: &str,
        parent_key: &str,
        version: &str,
        status: &str,
        submitted: &str,
    ) {
        if key.trim().is_empty() {
            let name = match self.tool {
                Tool::OdkCentral => "KEY",
                Tool::Kobo => "_id",
            };
            sink.report(row, name, "", Reason::Required);
            return;
        }
        let cells = household_cells(fields);
        let skipped = is_rejected(status);
        let parent_key = if parent_key.is_empty() {
            key
        } else {
            parent_key
        };
        if !skipped {
            sink.batch.submissions.push(Submission {
                origin: sink.origin(row),
                tool: self.tool,
                key: key.trim().to_string(),
                version: if version.trim().is_empty() {
                    key.trim().to_string()
                } else {
                    version.trim().to_string()
                },
                submitted_at: submitted.trim().to_string(),
            });
            if let Some(reader) = &mut self.reader {
                let texts: Vec<&str> = self.columns.iter().map(|&i| cells[i].as_str()).collect();
                reader.read_row(sink, row, &texts, &[], self.areas);
            }
        } else {
            self.state.borrow_mut().rejected += 1;
        }
        self.state.borrow_mut().parents.insert(
            parent_key.trim().to_string(),
            Parent {
                cells,
                members: 0,
                skipped,
            },
        );
    }

    /// Starts reading submissions whose fields are not known from a header (JSON): every column
    /// is expected.
    pub fn start_without_header(&mut self, sink: &mut Sink) {
        let (names, idx) = present(Table::Households, &vec![true; HOUSEHOLD_COLUMNS.len()]);
        self.columns = idx;
        self.reader = TableReader::from_header(&names, Table::Households, sink);
        self.state.borrow_mut().mains += 1;
    }
}

impl RowTarget for MainTarget<'_, '_> {
    fn header(&mut self, sink: &mut Sink, header: &[&str]) -> bool {
        self.header = header.iter().map(|h| h.trim().to_string()).collect();
        let pos = |name: &str| self.header.iter().position(|h| h == name);
        let (key, parent_key, version, status, submitted) = match self.tool {
            Tool::OdkCentral => (
                pos("KEY"),
                None,
                pos("meta-instanceID"),
                pos("ReviewState"),
                pos("SubmissionDate"),
            ),
            Tool::Kobo => (
                pos("_id"),
                pos("_index"),
                pos("_uuid"),
                pos("_validation_status"),
                pos("_submission_time"),
            ),
        };
        (
            self.key,
            self.parent_key,
            self.version,
            self.status,
            self.submitted,
        ) = (key, parent_key, version, status, submitted);
        let mut found = vec![false; HOUSEHOLD_COLUMNS.len()];
        let (lat, lon) = (5, 6);
        for h in header {
            match field(h, false) {
                Field::Column(i) => found[i] = true,
                Field::Lat | Field::Lon | Field::GeoText => {
                    found[lat] = true;
                    found[lon] = true;
                }
                Field::Other => {}
            }
        }
        let (names, idx) = present(Table::Households, &found);
        self.columns = idx;
        self.reader = TableReader::from_header(&names, Table::Households, sink);
        self.state.borrow_mut().mains += 1;
        self.reader.is_some()
    }

    fn has_header(&self) -> bool {
        self.reader.is_some()
    }

    fn width(&self) -> usize {
        self.header.len()
    }

    fn label(&self, pos: usize) -> String {
        header_label(&self.header, pos)
    }

    fn row(&mut self, sink: &mut Sink, row: u64, cells: &[&str], _bad: &[usize]) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let get = |p: Option<usize>| p.and_then(|p| cells.get(p)).copied().unwrap_or("");
        let (key, parent_key, version, status, submitted) = (
            get(self.key),
            get(self.parent_key),
            get(self.version),
            get(self.status),
            get(self.submitted),
        );
        let header = std::mem::take(&mut self.header);
        let fields = header.iter().zip(cells).map(|(h, c)| (h.as_str(), *c));
        self.submission(
            sink, row, fields, key, parent_key, version, status, submitted,
        );
        self.header = header;
    }
}

/// The members table of an export as a [`RowTarget`].
pub(crate) struct RepeatTarget<'s, 'a> {
    tool: Tool,
    state: &'s RefCell<FieldState>,
    areas: &'a AreaRegistry,
    header: Vec<String>,
    reader: Option<TableReader>,
    columns: Vec<usize>,
    parent: Option<usize>,
}

impl<'s, 'a> RepeatTarget<'s, 'a> {
    pub fn new(tool: Tool, state: &'s RefCell<FieldState>, areas: &'a AreaRegistry) -> Self {
        Self {
            tool,
            state,
            areas,
            header: Vec::new(),
            reader: None,
            columns: Vec::new(),
            parent: None,
        }
    }

    fn start(&mut self, sink: &mut Sink, found: &mut [bool]) {
        for name in ["household_id", "round", "member_no"] {
            found[MEMBER_COLUMNS.iter().position(|c| c.name == name).unwrap()] = true;
        }
        let (names, idx) = present(Table::Members, found);
        self.columns = idx;
        self.reader = TableReader::from_header(&names, Table::Members, sink);
    }

    /// Starts reading members whose fields are not known from a header (JSON).
    pub fn start_without_header(&mut self, sink: &mut Sink) {
        self.start(sink, &mut vec![true; MEMBER_COLUMNS.len()]);
    }

    fn member<'f>(
        &mut self,
        sink: &mut Sink,
        row: u64,
        parent_key: &str,
        fields: impl Iterator<Item = (&'f str, &'f str)>,
    ) {
        let key = parent_key.trim();
        let mut state = self.state.borrow_mut();
        let Some(parent) = state.parents.get_mut(key) else {
            let column = match self.tool {
                Tool::OdkCentral => "PARENT_KEY",
                Tool::Kobo => "_parent_index",
            };
            sink.report(
                row,
                column,
                key,
                Reason::FieldNoSubmission {
                    key: key.to_string(),
                },
            );
            return;
        };
        if parent.skipped {
            return;
        }
        parent.members += 1;
        let cells = member_cells(&parent.cells, parent.members, fields);
        if let Some(reader) = &mut self.reader {
            let texts: Vec<&str> = self.columns.iter().map(|&i| cells[i].as_str()).collect();
            reader.read_row(sink, row, &texts, &[], self.areas);
        }
    }
}

impl RowTarget for RepeatTarget<'_, '_> {
    fn header(&mut self, sink: &mut Sink, header: &[&str]) -> bool {
        self.header = header.iter().map(|h| h.trim().to_string()).collect();
        let parent = match self.tool {
            Tool::OdkCentral => "PARENT_KEY",
            Tool::Kobo => "_parent_index",
        };
        self.parent = self.header.iter().position(|h| h == parent);
        if self.state.borrow().mains == 0 {
            sink.report_file(Reason::FieldNoMainTable);
            return false;
        }
        let mut found = vec![false; MEMBER_COLUMNS.len()];
        for h in header {
            if let Field::Column(i) = field(h, true) {
                found[i] = true;
            }
        }
        self.start(sink, &mut found);
        self.reader.is_some()
    }

    fn has_header(&self) -> bool {
        self.reader.is_some()
    }

    fn width(&self) -> usize {
        self.header.len()
    }

    fn label(&self, pos: usize) -> String {
        header_label(&self.header, pos)
    }

    fn row(&mut self, sink: &mut Sink, row: u64, cells: &[&str], _bad: &[usize]) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let parent = self
            .parent
            .and_then(|p| cells.get(p))
            .copied()
            .unwrap_or("");
        let header = std::mem::take(&mut self.header);
        let fields = header.iter().zip(cells).map(|(h, c)| (h.as_str(), *c));
        self.member(sink, row, parent, fields);
        self.header = header;
    }
}

/// Reads the first line of a CSV (at most 64 KiB) and says which field table it is and its
/// delimiter; `None` for a table of the import format.
pub(crate) fn peek_csv(mut reader: impl Read) -> io::Result<Option<(FieldTable, u8)>> {
    let mut buf = Vec::new();
    reader.by_ref().take(64 << 10).read_to_end(&mut buf)?;
    let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let line = String::from_utf8_lossy(&buf[..end]);
    for delimiter in [b',', b';'] {
        let cells: Vec<&str> = line
            .trim_end_matches('\r')
            .split(delimiter as char)
            .map(|c| c.trim_matches('"'))
            .collect();
        if let Some(t) = classify(&cells) {
            return Ok(Some((t, delimiter)));
        }
    }
    Ok(None)
}

/// One CSV table of a field export, read into the batch.
pub(crate) fn read_field_csv(
    batch: &mut Batch,
    state: &mut FieldState,
    file: &str,
    reader: impl Read,
    table: FieldTable,
    delimiter: u8,
    areas: &AreaRegistry,
) -> io::Result<()> {
    let mut sink = Sink::new(batch, file.to_string());
    let cell = RefCell::new(std::mem::take(state));
    let result = match table {
        FieldTable::Main(tool) => {
            let mut t = MainTarget::new(tool, &cell, areas);
            crate::csv_read::read_csv_rows_with(&mut sink, reader, &mut t, &mut |_| {}, delimiter)
        }
        FieldTable::Repeat(tool) => {
            let mut t = RepeatTarget::new(tool, &cell, areas);
            crate::csv_read::read_csv_rows_with(&mut sink, reader, &mut t, &mut |_| {}, delimiter)
        }
    };
    *state = cell.into_inner();
    sink.finish();
    result
}

/// ODK Central's CSV export as a zip: the submissions table first, then the members table.
pub(crate) fn read_central_zip<R: Read + Seek>(
    batch: &mut Batch,
    state: &mut FieldState,
    file: &str,
    reader: R,
    areas: &AreaRegistry,
) -> io::Result<()> {
    let mut sink = Sink::new(batch, file.to_string());
    let mut zip = match zip::ZipArchive::new(reader) {
        Ok(z) => z,
        Err(e) => {
            sink.report_file(Reason::FieldZip {
                detail: e.to_string(),
            });
            sink.finish();
            return Ok(());
        }
    };
    // Classify every CSV entry by its header, then read the submissions before the members.
    let mut tables: Vec<(usize, String, FieldTable, u8)> = Vec::new();
    for i in 0..zip.len() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                sink.report_file(Reason::FieldZip {
                    detail: e.to_string(),
                });
                sink.finish();
                return Ok(());
            }
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if entry.is_dir() || !name.to_ascii_lowercase().ends_with(".csv") {
            continue;
        }
        if let Some((t, d)) = peek_csv(entry)? {
            tables.push((i, name, t, d));
        }
    }
    let is_repeat = |t: &FieldTable| matches!(t, FieldTable::Repeat(_));
    // Only the members repeat of the form: a repeat table of another name is not ours.
    tables.retain(|(_, name, t, _)| {
        !is_repeat(t) || name.trim_end_matches(".csv").ends_with(MEMBERS_REPEAT)
    });
    if !tables.iter().any(|(_, _, t, _)| !is_repeat(t)) {
        sink.report_file(Reason::FieldZip {
            detail: "no submissions table (a CSV file with KEY and SubmissionDate columns)".into(),
        });
        sink.finish();
        return Ok(());
    }
    sink.finish();
    tables.sort_by_key(|(i, _, t, _)| (is_repeat(t), *i));
    for (i, name, table, delimiter) in tables {
        let entry = zip.by_index(i).map_err(io::Error::other)?;
        let limited = entry.take(crate::limits::MAX_UNPACKED_BYTES);
        read_field_csv(
            batch,
            state,
            &format!("{file} [{name}]"),
            limited,
            table,
            delimiter,
            areas,
        )?;
    }
    Ok(())
}

/// Flattens a JSON object into (path, text) pairs; `members` of the repeat are returned apart.
fn flatten(
    prefix: &str,
    value: &serde_json::Value,
    out: &mut Vec<(String, String)>,
    members: &mut Vec<serde_json::Value>,
) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}/{k}")
                };
                if k == MEMBERS_REPEAT {
                    if let Value::Array(items) = v {
                        members.extend(items.iter().cloned());
                        continue;
                    }
                }
                flatten(&path, v, out, members);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}/{i}"), v, out, members);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::Bool(b) => out.push((prefix.to_string(), if *b { "1" } else { "0" }.into())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
    }
}

/// Hands each element of the feed's `value` array to `each` as it is parsed, so that a feed of
/// any size holds one submission in memory at a time. Whether `value` was met is returned.
struct Feed<'f>(&'f mut dyn FnMut(serde_json::Value));

impl<'de> serde::de::DeserializeSeed<'de> for Feed<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Feed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object with a `value` array of submissions")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" {
                map.next_value_seed(Items(&mut *self.0))?;
                seen = true;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(seen)
    }
}

struct Items<'f>(&'f mut dyn FnMut(serde_json::Value));

impl<'de> serde::de::DeserializeSeed<'de> for Items<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of submissions")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            (self.0)(v);
        }
        Ok(())
    }
}

/// ODK Central's OData JSON (`Submissions?$expand=*`), read one submission at a time: a
/// submission's row is its place in `value` (1-based), and its members are reported on the same
/// row of `FILE [members]`.
pub(crate) fn read_central_json(
    batch: &mut Batch,
    state: &mut FieldState,
    file: &str,
    reader: impl Read,
    areas: &AreaRegistry,
) -> io::Result<()> {
    use serde::de::DeserializeSeed;
    let cell = RefCell::new(std::mem::take(state));
    // The members go to a batch of their own (a sink holds its batch), joined after.
    let mut members_batch = Batch::default();
    let mut sink = Sink::new(batch, file.to_string());
    let mut members_sink = Sink::new(&mut members_batch, format!("{file} [{MEMBERS_REPEAT}]"));
    let mut main = MainTarget::new(Tool::OdkCentral, &cell, areas);
    main.start_without_header(&mut sink);
    let mut repeat = RepeatTarget::new(Tool::OdkCentral, &cell, areas);
    repeat.start_without_header(&mut members_sink);
    let mut row = 0u64;
    let mut each = |sub: serde_json::Value| {
        row += 1;
        let mut fields = Vec::new();
        let mut members = Vec::new();
        flatten("", &sub, &mut fields, &mut members);
        if sub.get("members@odata.navigationLink").is_some() && members.is_empty() {
            sink.report(
                row,
                MEMBERS_REPEAT,
                "",
                Reason::FieldJson {
                    detail: "the members are not in the feed: export with $expand=*".into(),
                },
            );
            return;
        }
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let (key, version, status, submitted) = (
            get("__id").to_string(),
            get("meta/instanceID").to_string(),
            get("__system/reviewState").to_string(),
            get("__system/submissionDate").to_string(),
        );
        main.submission(
            &mut sink,
            row,
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &key,
            "",
            &version,
            &status,
            &submitted,
        );
        for m in members {
            let mut fields = Vec::new();
            flatten("", &m, &mut fields, &mut Vec::new());
            repeat.member(
                &mut members_sink,
                row,
                &key,
                fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            );
        }
    };
    let mut de = serde_json::Deserializer::from_reader(io::BufReader::new(reader));
    let outcome = Feed(&mut each)
        .deserialize(&mut de)
        .and_then(|seen| de.end().map(|()| seen));
    drop(main);
    drop(repeat);
    *state = cell.into_inner();
    match outcome {
        Ok(true) => {}
        Ok(false) => sink.report_file(Reason::FieldJson {
            detail: "no `value` array of submissions".into(),
        }),
        Err(e) if e.is_io() => return Err(io::Error::other(e)),
        Err(e) => sink.report_file(Reason::FieldJson {
            detail: e.to_string(),
        }),
    }
    sink.finish();
    members_sink.finish();
    let Batch {
        members,
        member_origins,
        diagnostics,
        tables,
        rejected_rows,
        ..
    } = members_batch;
    batch.members.extend(members);
    batch.member_origins.extend(member_origins);
    batch.diagnostics.extend(diagnostics);
    batch.tables.extend(tables);
    batch.rejected_rows.extend(rejected_rows);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_that_is_not_a_feed_is_reported_as_such() {
        for (text, says) in [
            (&b"{\"@odata.context\": \"x\"}"[..], "no `value` array"),
            (&b"{\"value\": [ {\"__id\": "[..], "EOF"),
            (&b"[1, 2]"[..], "an object"),
        ] {
            let mut batch = Batch::default();
            let mut state = FieldState::default();
            read_central_json(
                &mut batch,
                &mut state,
                "f.json",
                text,
                AreaRegistry::official(),
            )
            .unwrap();
            assert_eq!(batch.diagnostics.len(), 1, "{:?}", batch.diagnostics);
            let reason = batch.diagnostics[0].reason.to_string();
            assert!(reason.contains(says), "{reason}");
            assert!(batch.households.is_empty());
        }
    }

    #[test]
    fn tables_are_told_apart_by_their_headers() {
        assert_eq!(
            classify(&[
                "SubmissionDate",
                "location-household_id",
                "meta-instanceID",
                "KEY"
            ]),
            Some(FieldTable::Main(Tool::OdkCentral))
        );
        assert_eq!(
            classify(&["first_name", "PARENT_KEY", "KEY"]),
            Some(FieldTable::Repeat(Tool::OdkCentral))
        );
        assert_eq!(
            classify(&["location/household_id", "_id", "_uuid", "_index"]),
            Some(FieldTable::Main(Tool::Kobo))
        );
        assert_eq!(
            classify(&["members/first_name", "_index", "_parent_index"]),
            Some(FieldTable::Repeat(Tool::Kobo))
        );
        assert_eq!(classify(&["household_id", "round", "KEY"]), None);
    }
}

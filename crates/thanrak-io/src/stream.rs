//! A survey table of any size read as it is imported — the same guards, cell checks and
//! diagnostics as [`crate::read_batch`] — but handed over a few thousand records at a time, so
//! that memory does not grow with the file (`thanrak score --input`, national files).

use std::fs::File;
use std::path::Path;

use thanrak_core::AreaRegistry;

use crate::diag::{Batch, Sink};
use crate::table::{RowTarget, SurveyTarget};
use crate::IoError;

/// Hands the sink's batch to `each` every `every` records.
struct Streamed<'a, 'e> {
    inner: SurveyTarget<'a>,
    every: usize,
    each: &'e mut dyn FnMut(&mut Batch),
}

impl RowTarget for Streamed<'_, '_> {
    fn header(&mut self, sink: &mut Sink, header: &[&str]) -> bool {
        self.inner.header(sink, header)
    }

    fn has_header(&self) -> bool {
        self.inner.has_header()
    }

    fn width(&self) -> usize {
        self.inner.width()
    }

    fn label(&self, pos: usize) -> String {
        self.inner.label(pos)
    }

    fn row(&mut self, sink: &mut Sink, row: u64, cells: &[&str], bad: &[usize]) {
        self.inner.row(sink, row, cells, bad);
        if sink.batch.households.len() + sink.batch.members.len() >= self.every {
            (self.each)(sink.batch);
        }
    }
}

/// Reads the CSV table at `path` (households or members, decided by its header), calling `each`
/// with the batch every `every` records and once at the end. `each` takes out what it uses:
/// records left in the batch are handed over again. Diagnostics come in the batch as they are
/// found; the cap on diagnostics per file applies. Errors only when the file cannot be read.
pub fn stream_csv_table(
    path: &Path,
    areas: &AreaRegistry,
    every: usize,
    each: &mut dyn FnMut(&mut Batch),
) -> Result<(), IoError> {
    let file = File::open(path).map_err(|source| IoError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut batch = Batch::default();
    let mut sink = Sink::new(&mut batch, path.display().to_string());
    let mut target = Streamed {
        inner: SurveyTarget::new(None, areas),
        every: every.max(1),
        each,
    };
    let result = crate::csv_read::read_csv_rows(&mut sink, file, &mut target, &mut |_| {});
    sink.finish();
    (target.each)(&mut batch);
    result.map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_streams_in_parts_with_its_diagnostics() {
        let [round, _] = thanrak_demo::generate(
            &thanrak_demo::DemoConfig {
                households: 50,
                seed: 2,
                ..Default::default()
            },
            AreaRegistry::official(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        crate::write_csv_tables(dir.path(), &round.households, &round.members).unwrap();
        let mut parts = Vec::new();
        let mut members = Vec::new();
        stream_csv_table(
            &dir.path().join("members.csv"),
            AreaRegistry::official(),
            64,
            &mut |b| {
                parts.push(b.members.len());
                members.append(&mut b.members);
                b.member_origins.clear();
                assert!(b.diagnostics.is_empty());
            },
        )
        .unwrap();
        assert_eq!(members, round.members, "every member, in order");
        assert!(
            parts.len() > 2 && parts.iter().all(|n| *n <= 64),
            "{parts:?}"
        );

        // A bad cell is reported with its row, as an import reports it.
        let text = std::fs::read_to_string(dir.path().join("households.csv")).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut cells: Vec<&str> = lines[3].split(',').collect();
        cells[2] = "2025-02-30"; // survey_date: no such day
        lines[3] = cells.join(",");
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, lines.join("\n")).unwrap();
        let mut diagnostics = Vec::new();
        let mut households = 0;
        stream_csv_table(&bad, AreaRegistry::official(), 10, &mut |b| {
            households += b.households.len();
            b.households.clear();
            b.household_origins.clear();
            diagnostics.append(&mut b.diagnostics);
        })
        .unwrap();
        assert_eq!(households, 49);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].row, 4);
    }
}

//! Streaming a CSV of 0/1 deprivation columns for the standalone Alkire–Foster calculator
//! (`thanrak mpi --deprivations FILE`): any data, not only thanrak's, one row at a time so that
//! memory does not grow with the number of rows.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// A problem with the deprivation file, located for a person.
#[derive(Debug, thiserror::Error)]
pub enum DeprivationError {
    /// The file cannot be opened or read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's or the CSV reader's words.
        reason: String,
    },
    /// A column named on the command line is not in the header.
    #[error("{path}: there is no column {column:?} (columns: {columns})")]
    NoColumn {
        /// The file.
        path: String,
        /// The missing column.
        column: String,
        /// The header.
        columns: String,
    },
    /// The header leaves no indicator column.
    #[error("{path}: no indicator columns (every column but the group and weight columns is an indicator)")]
    NoIndicators {
        /// The file.
        path: String,
    },
    /// A cell that is not what its column needs.
    #[error("{path}, row {row}, column {column}: {value:?} {reason}")]
    Cell {
        /// The file.
        path: String,
        /// 1-based row (the header is row 1).
        row: u64,
        /// The column's header.
        column: String,
        /// The value found.
        value: String,
        /// What is wrong.
        reason: String,
    },
}

/// The columns of a deprivation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeprivationHeader {
    /// The indicator columns, in file order.
    pub indicators: Vec<String>,
}

/// Reads `path`, calling `on_row(deprivations, weight, group)` for every data row. Indicator cells
/// must be 0 or 1; the weight column, if any, a non-negative number; the group column any text.
/// Returns the header and the number of rows.
pub fn stream_deprivations(
    path: &Path,
    group_column: Option<&str>,
    weight_column: Option<&str>,
    mut on_row: impl FnMut(&[bool], f64, Option<&[u8]>),
) -> Result<(DeprivationHeader, u64), DeprivationError> {
    let p = path.display().to_string();
    let read_err = |e: &dyn std::fmt::Display| DeprivationError::Read {
        path: p.clone(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(|e| read_err(&e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let headers: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| read_err(&e))?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let find = |name: &str| -> Result<usize, DeprivationError> {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DeprivationError::NoColumn {
                path: p.clone(),
                column: name.to_string(),
                columns: headers.join(", "),
            })
    };
    let group = group_column.map(find).transpose()?;
    let weight = weight_column.map(find).transpose()?;
    let indicator_cols: Vec<usize> = (0..headers.len())
        .filter(|i| Some(*i) != group && Some(*i) != weight)
        .collect();
    if indicator_cols.is_empty() {
        return Err(DeprivationError::NoIndicators { path: p });
    }
    let header = DeprivationHeader {
        indicators: indicator_cols.iter().map(|i| headers[*i].clone()).collect(),
    };
    let mut row = vec![false; indicator_cols.len()];
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    let cell_err = |row: u64, col: usize, value: &[u8], reason: &str| DeprivationError::Cell {
        path: p.clone(),
        row,
        column: headers[col].clone(),
        value: String::from_utf8_lossy(value).into_owned(),
        reason: reason.to_string(),
    };
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(read_err(&e)),
        }
        n += 1;
        let line = n + 1;
        if record.len() != headers.len() {
            return Err(DeprivationError::Cell {
                path: p.clone(),
                row: line,
                column: String::new(),
                value: String::new(),
                reason: format!("has {} fields, the header {}", record.len(), headers.len()),
            });
        }
        for (slot, &col) in row.iter_mut().zip(&indicator_cols) {
            *slot = match record[col].trim_ascii() {
                b"0" => false,
                b"1" => true,
                other => return Err(cell_err(line, col, other, "must be 0 or 1")),
            };
        }
        let w = match weight {
            None => 1.0,
            Some(col) => {
                let v = std::str::from_utf8(record[col].trim_ascii())
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|w| w.is_finite() && *w >= 0.0);
                v.ok_or_else(|| cell_err(line, col, &record[col], "must be a number ≥ 0"))?
            }
        };
        on_row(&row, w, group.map(|g| record[g].trim_ascii()));
    }
    Ok((header, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn streams_rows_with_groups_and_weights() {
        let f = write("g,a,b,w\nx,1,0,2\ny,0,1,1.5\n");
        let mut rows = Vec::new();
        let (h, n) = stream_deprivations(f.path(), Some("g"), Some("w"), |r, w, g| {
            rows.push((r.to_vec(), w, g.map(|g| g.to_vec())))
        })
        .unwrap();
        assert_eq!(h.indicators, vec!["a", "b"]);
        assert_eq!(n, 2);
        assert_eq!(rows[0], (vec![true, false], 2.0, Some(b"x".to_vec())));
        assert_eq!(rows[1], (vec![false, true], 1.5, Some(b"y".to_vec())));
    }

    #[test]
    fn bad_cells_are_located() {
        let f = write("a,b\n1,0\n1,2\n");
        let e = stream_deprivations(f.path(), None, None, |_, _, _| {}).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}, row 3, column b: \"2\" must be 0 or 1",
                f.path().display()
            )
        );
        let e = stream_deprivations(f.path(), Some("g"), None, |_, _, _| {}).unwrap_err();
        assert!(e.to_string().contains("there is no column \"g\""), "{e}");
        let f = write("a,w\n1,-1\n");
        let e = stream_deprivations(f.path(), None, Some("w"), |_, _, _| {}).unwrap_err();
        assert!(e.to_string().contains("must be a number"), "{e}");
        let f = write("a,b\n1\n");
        let e = stream_deprivations(f.path(), None, None, |_, _, _| {}).unwrap_err();
        assert!(e.to_string().contains("has 1 fields"), "{e}");
    }
}

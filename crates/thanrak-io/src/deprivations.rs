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

/// The header of a deprivation file at `path` with the group and weight columns named: the
/// indicators it holds, or why it cannot be read.
pub fn read_deprivation_header(
    path: &Path,
    group_column: Option<&str>,
    weight_column: Option<&str>,
) -> Result<DeprivationHeader, DeprivationError> {
    Ok(open(path, group_column, weight_column)?.header)
}

/// The position of the column `name` in the header of the file `path`.
fn column(headers: &[String], name: &str, path: &str) -> Result<usize, DeprivationError> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| DeprivationError::NoColumn {
            path: path.to_string(),
            column: name.to_string(),
            columns: headers.join(", "),
        })
}

struct Opened {
    rdr: csv::Reader<BufReader<File>>,
    headers: Vec<String>,
    group: Option<usize>,
    weight: Option<usize>,
    indicator_cols: Vec<usize>,
    header: DeprivationHeader,
}

fn open(
    path: &Path,
    group_column: Option<&str>,
    weight_column: Option<&str>,
) -> Result<Opened, DeprivationError> {
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
    let find = |name: &str| column(&headers, name, &p);
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
    Ok(Opened {
        rdr,
        headers,
        group,
        weight,
        indicator_cols,
        header,
    })
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
    let Opened {
        mut rdr,
        headers,
        group,
        weight,
        indicator_cols,
        header,
    } = open(path, group_column, weight_column)?;
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

/// How [`fold_deprivations`] hands rows to its caller: `start` makes the state of one chunk of
/// rows, `row` adds a row to it (the deprivations as bits, bit j for indicator j; the weight; the
/// group's text), `end` turns a chunk's state into its result, and `merge` adds a later chunk's
/// result to an earlier one's. Chunks are merged in file order, so the result does not depend on
/// the number of threads.
pub trait ChunkFold: Sync {
    /// A chunk's state while its rows are read.
    type State;
    /// A chunk's result.
    type Out: Send;
    /// An empty state.
    fn start(&self) -> Self::State;
    /// Adds a row.
    fn row(&self, state: &mut Self::State, bits: u64, weight: f64, group: Option<&[u8]>);
    /// The chunk's result.
    fn end(&self, state: Self::State) -> Self::Out;
    /// `earlier` followed by `later`.
    fn merge(&self, earlier: &mut Self::Out, later: Self::Out);
}

/// What [`fold_deprivations`] found.
#[derive(Debug)]
pub enum Folded<T> {
    /// Every row read: the header, the number of rows and the merged result (`None` for a file
    /// with no rows).
    Done(DeprivationHeader, u64, Option<T>),
    /// The file needs the general reader ([`stream_deprivations`]): a quoted field, a leading
    /// empty line, or more than 64 indicators. Nothing is lost: the caller reads it again.
    Unsupported,
}

/// Bytes read at a time, cut at the last line end; a batch of them is parsed in parallel.
const CHUNK: usize = 4 << 20;

/// Reads `path` as [`stream_deprivations`] does, on every core: the file is cut into chunks of
/// whole lines, a few chunks at a time are parsed in parallel and folded by `fold`, and the
/// results are merged in file order; memory holds a few chunks, whatever the size of the file.
/// Cells are checked as by [`stream_deprivations`] and a problem is reported at the same row.
/// Files it does not read (see [`Folded::Unsupported`]) are left to that reader.
pub fn fold_deprivations<F: ChunkFold>(
    path: &Path,
    group_column: Option<&str>,
    weight_column: Option<&str>,
    fold: &F,
) -> Result<Folded<F::Out>, DeprivationError> {
    use rayon::prelude::*;
    use std::io::Read;

    let p = path.display().to_string();
    let read_err = |e: &dyn std::fmt::Display| DeprivationError::Read {
        path: p.clone(),
        reason: e.to_string(),
    };
    let mut file = File::open(path).map_err(|e| read_err(&e))?;
    let mut fill = |buf: &mut Vec<u8>| -> Result<bool, DeprivationError> {
        // Appends up to CHUNK bytes; false at the end of the file.
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let mut got = 0;
        while got < CHUNK {
            match file.read(&mut buf[start + got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_err(&e)),
            }
        }
        buf.truncate(start + got);
        Ok(got > 0)
    };
    // The header line.
    let mut carry = Vec::new();
    let mut more = true;
    while more && !carry.contains(&b'\n') {
        more = fill(&mut carry)?;
    }
    let header_end = carry
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(carry.len());
    let header_line = &carry[..header_end];
    if header_line.contains(&b'"') || header_line.trim_ascii().is_empty() {
        return Ok(Folded::Unsupported);
    }
    let headers: Vec<String> = header_line
        .strip_suffix(b"\r")
        .unwrap_or(header_line)
        .split(|b| *b == b',')
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_string()
        })
        .collect();
    let find = |name: &str| column(&headers, name, &p);
    let group = group_column.map(find).transpose()?;
    let weight = weight_column.map(find).transpose()?;
    let kinds: Vec<Cell> = (0..headers.len())
        .scan(0u32, |j, i| {
            Some(if Some(i) == group {
                Cell::Group
            } else if Some(i) == weight {
                Cell::Weight
            } else {
                *j += 1;
                Cell::Indicator(*j - 1)
            })
        })
        .collect();
    let d = kinds
        .iter()
        .filter(|k| matches!(k, Cell::Indicator(_)))
        .count();
    if d == 0 {
        return Err(DeprivationError::NoIndicators { path: p });
    }
    if d > 64 {
        return Ok(Folded::Unsupported);
    }
    let header = DeprivationHeader {
        indicators: (0..headers.len())
            .filter(|i| Some(*i) != group && Some(*i) != weight)
            .map(|i| headers[i].clone())
            .collect(),
    };
    carry.drain(..(header_end + 1).min(carry.len()));

    let batch_len = 4 * rayon::current_num_threads().max(1);
    let mut rows_before = 0u64;
    let mut total: Option<F::Out> = None;
    let mut batch: Vec<Vec<u8>> = Vec::with_capacity(batch_len);
    let mut spare: Vec<Vec<u8>> = Vec::with_capacity(batch_len);
    loop {
        // Cut chunks of whole lines until the batch is full or the file ends.
        while batch.len() < batch_len && (more || !carry.is_empty()) {
            while more && carry.len() < CHUNK {
                more = fill(&mut carry)?;
            }
            while more && !carry.contains(&b'\n') {
                more = fill(&mut carry)?;
            }
            let cut = if more {
                carry
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(carry.len(), |i| i + 1)
            } else {
                carry.len()
            };
            // Buffers are used again, so that their pages stay mapped from one batch to the next.
            let mut next = spare
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(2 * CHUNK + 1024));
            next.clear();
            next.extend_from_slice(&carry[cut..]);
            carry.truncate(cut);
            batch.push(std::mem::replace(&mut carry, next));
        }
        if batch.is_empty() {
            break;
        }
        let results: Vec<ChunkResult<F::Out>> = batch
            .par_iter()
            .map(|chunk| parse_chunk(chunk, &kinds, fold))
            .collect();
        spare.append(&mut batch);
        for r in results {
            match r {
                ChunkResult::Quoted => return Ok(Folded::Unsupported),
                ChunkResult::Bad {
                    row,
                    col,
                    value,
                    reason,
                } => {
                    let line = rows_before + row + 1;
                    return Err(match col {
                        None => DeprivationError::Cell {
                            path: p.clone(),
                            row: line,
                            column: String::new(),
                            value: String::new(),
                            reason: format!("has {value} fields, the header {}", headers.len()),
                        },
                        Some(col) => DeprivationError::Cell {
                            path: p.clone(),
                            row: line,
                            column: headers[col].clone(),
                            value,
                            reason: reason.to_string(),
                        },
                    });
                }
                ChunkResult::Rows(n, out) => {
                    rows_before += n;
                    match &mut total {
                        None => total = Some(out),
                        Some(t) => fold.merge(t, out),
                    }
                }
            }
        }
    }
    Ok(Folded::Done(
        header,
        rows_before,
        total.filter(|_| rows_before > 0),
    ))
}

/// What a column of a deprivation file holds.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Indicator(u32),
    Group,
    Weight,
}

enum ChunkResult<T> {
    Rows(u64, T),
    /// `row`: the chunk's 1-based data row; `col` `None` for a wrong number of fields (in `value`).
    Bad {
        row: u64,
        col: Option<usize>,
        value: String,
        reason: &'static str,
    },
    Quoted,
}

fn parse_chunk<F: ChunkFold>(chunk: &[u8], kinds: &[Cell], fold: &F) -> ChunkResult<F::Out> {
    if chunk.contains(&b'"') {
        return ChunkResult::Quoted;
    }
    let mut state = fold.start();
    let mut n = 0u64;
    for line in chunk.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        n += 1;
        match fast_row(line, kinds).map_or_else(|| checked_row(line, kinds, n), Ok) {
            Ok((bits, w, g)) => fold.row(&mut state, bits, w, g),
            Err(bad) => return bad,
        }
    }
    ChunkResult::Rows(n, fold.end(state))
}

/// A row in the usual shape — indicator cells of exactly `0` or `1`, a group, a weight that
/// parses — read in one pass; `None` for anything else, which [`checked_row`] then reads.
fn fast_row<'a>(line: &'a [u8], kinds: &[Cell]) -> Option<(u64, f64, Option<&'a [u8]>)> {
    let mut bits = 0u64;
    let mut w = 1.0;
    let mut g = None;
    let mut pos = 0;
    let last = kinds.len() - 1;
    for (col, kind) in kinds.iter().enumerate() {
        // The cell runs to the next comma (or the end of the line for the last column).
        let rest = line.get(pos..)?;
        let len = match kind {
            Cell::Indicator(_) => 1,
            _ => rest.iter().position(|b| *b == b',').unwrap_or(rest.len()),
        };
        let cell = rest.get(..len)?;
        let next = rest.get(len);
        if (col == last) != next.is_none() || next.is_some_and(|b| *b != b',') {
            return None;
        }
        match *kind {
            Cell::Indicator(j) => match cell[0] {
                b'0' => {}
                b'1' => bits |= 1 << j,
                _ => return None,
            },
            Cell::Group => g = Some(cell.trim_ascii()),
            Cell::Weight => {
                w = std::str::from_utf8(cell.trim_ascii())
                    .ok()?
                    .parse::<f64>()
                    .ok()
                    .filter(|w| w.is_finite() && *w >= 0.0)?;
            }
        }
        pos += len + 1;
    }
    Some((bits, w, g))
}

/// A row read with every check of the general reader, in its order: the number of fields,
/// then each indicator (spaces around a cell allowed), then the weight.
#[allow(clippy::type_complexity)]
fn checked_row<'a, T>(
    line: &'a [u8],
    kinds: &[Cell],
    n: u64,
) -> Result<(u64, f64, Option<&'a [u8]>), ChunkResult<T>> {
    let fields = line.iter().filter(|b| **b == b',').count() + 1;
    if fields != kinds.len() {
        return Err(ChunkResult::Bad {
            row: n,
            col: None,
            value: fields.to_string(),
            reason: "",
        });
    }
    let mut bits = 0u64;
    let mut w = 1.0;
    let mut g: Option<&[u8]> = None;
    let mut bad_weight = None;
    for ((col, kind), cell) in kinds.iter().enumerate().zip(line.split(|b| *b == b',')) {
        match *kind {
            Cell::Indicator(j) => match cell {
                b"0" => {}
                b"1" => bits |= 1 << j,
                other => match other.trim_ascii() {
                    b"0" => {}
                    b"1" => bits |= 1 << j,
                    _ => {
                        return Err(ChunkResult::Bad {
                            row: n,
                            col: Some(col),
                            value: String::from_utf8_lossy(other).into_owned(),
                            reason: "must be 0 or 1",
                        })
                    }
                },
            },
            Cell::Group => g = Some(cell.trim_ascii()),
            Cell::Weight => {
                let v = std::str::from_utf8(cell.trim_ascii())
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|w| w.is_finite() && *w >= 0.0);
                match v {
                    Some(v) => w = v,
                    None => bad_weight = Some((col, cell)),
                }
            }
        }
    }
    // As the general reader: every indicator is checked before the weight.
    if let Some((col, cell)) = bad_weight {
        return Err(ChunkResult::Bad {
            row: n,
            col: Some(col),
            value: String::from_utf8_lossy(cell).into_owned(),
            reason: "must be a number ≥ 0",
        });
    }
    Ok((bits, w, g))
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

    /// Collects the rows in order, as the general reader gives them.
    struct Collect;
    type Row = (u64, f64, Option<Vec<u8>>);
    impl ChunkFold for Collect {
        type State = Vec<Row>;
        type Out = Vec<Row>;
        fn start(&self) -> Vec<Row> {
            Vec::new()
        }
        fn row(&self, s: &mut Vec<Row>, bits: u64, w: f64, g: Option<&[u8]>) {
            s.push((bits, w, g.map(<[u8]>::to_vec)));
        }
        fn end(&self, s: Vec<Row>) -> Vec<Row> {
            s
        }
        fn merge(&self, earlier: &mut Vec<Row>, later: Vec<Row>) {
            earlier.extend(later);
        }
    }

    fn general(path: &Path, g: Option<&str>, w: Option<&str>) -> Result<(u64, Vec<Row>), String> {
        let mut rows = Vec::new();
        let (_, n) = stream_deprivations(path, g, w, |r, w, g| {
            let bits = r
                .iter()
                .enumerate()
                .fold(0u64, |b, (j, on)| b | (u64::from(*on) << j));
            rows.push((bits, w, g.map(<[u8]>::to_vec)));
        })
        .map_err(|e| e.to_string())?;
        Ok((n, rows))
    }

    fn parallel(
        path: &Path,
        g: Option<&str>,
        w: Option<&str>,
    ) -> Result<Option<(u64, Vec<Row>)>, String> {
        match fold_deprivations(path, g, w, &Collect).map_err(|e| e.to_string())? {
            Folded::Done(_, n, rows) => Ok(Some((n, rows.unwrap_or_default()))),
            Folded::Unsupported => Ok(None),
        }
    }

    #[test]
    fn the_parallel_reader_reads_what_the_general_one_does() {
        let cases = [
            "g,a,b,w\nx,1,0,2\ny,0,1,1.5\n",
            "\u{feff}g,a,b,w\r\nx,1,0,2\r\n\r\ny, 0 ,1 , 1.5\r\n",
            "g,a,b,w\nx,1,0,2",
            "g,a,b,w\n",
            "g,a,b,w\nx,1,0,-1\n",
            "g,a,b,w\nx,1,0,2\nx,1\n",
            "g,a,b,w\nx,1,0,2\nx,1,0,2,3\n",
            "g,a,b,w\nx,1,7,2\n",
            "g,a,b,w\nx,10,0,2\n",
            "g,a,b,w\nx,,0,2\n",
            "g,a,b,w\nx,1,0,\n",
            "g,a,b,w\nx,1,2,z\n",
        ];
        for text in cases {
            let f = write(text);
            let want = general(f.path(), Some("g"), Some("w"));
            let got = parallel(f.path(), Some("g"), Some("w")).map(|r| r.expect("supported"));
            assert_eq!(got, want, "{text:?}");
        }
        // Without group or weight columns.
        let f = write("a,b,c\n1,0,1\n0,0,0\n");
        assert_eq!(
            parallel(f.path(), None, None).unwrap().unwrap(),
            general(f.path(), None, None).unwrap()
        );
        // What it leaves to the general reader.
        let quoted = write("g,a\n\"x,y\",1\n");
        assert_eq!(parallel(quoted.path(), Some("g"), None).unwrap(), None);
        let wide = (0..65)
            .map(|i| format!("i{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let wide = write(&format!("{wide}\n{}\n", vec!["0"; 65].join(",")));
        assert_eq!(parallel(wide.path(), None, None).unwrap(), None);
    }

    #[test]
    fn rows_across_chunks_are_counted_and_located() {
        // About three chunks of rows, a bad cell far down.
        let rows = 3 * CHUNK / 16;
        let mut text = String::from("g,a,b,c,d\n");
        for i in 0..rows {
            text.push_str(&format!("p{},{},{},0,1\n", i % 77, i % 2, (i / 3) % 2));
        }
        let f = write(&text);
        let want = general(f.path(), Some("g"), None).unwrap();
        assert_eq!(want.0, rows as u64);
        assert_eq!(parallel(f.path(), Some("g"), None).unwrap().unwrap(), want);
        text.push_str("p1,1,1,x,0\n");
        let f = write(&text);
        let e = parallel(f.path(), Some("g"), None).unwrap_err();
        assert_eq!(e, general(f.path(), Some("g"), None).unwrap_err());
        assert!(e.contains(&format!("row {}, column c", rows + 2)), "{e}");
    }
}

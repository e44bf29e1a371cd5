//! CSV input: UTF-8 with an optional byte-order mark, comma-separated, `"`-quoted as RFC 4180.
//! The table (households or members) is decided by the header.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read};

use csv::ByteRecord;
use thanrak_core::{AreaRegistry, Reason};

use crate::diag::Sink;
use crate::limits::MAX_COLUMNS;
use crate::table::RowTarget;

/// The longest record read; a longer one stops the file before it is held in memory.
pub const MAX_ROW_BYTES: u64 = 1 << 20;

/// How often (in rows) progress is reported.
pub(crate) const PROGRESS_EVERY: u64 = 4096;

/// Where the guard stands in the CSV quoting, mirroring csv-core with its default settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// Before the first byte of a record; line breaks here are blank lines, which csv-core skips.
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: either the end of the quotes or the first of `""`.
    QuoteInQuoted,
}

/// The error a [`Guard`] returns when a record passes [`MAX_ROW_BYTES`].
#[derive(Debug)]
struct RowTooLong;

impl fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row longer than {MAX_ROW_BYTES} bytes")
    }
}

impl std::error::Error for RowTooLong {}

/// Sits between the file and the csv reader: drops a UTF-8 byte-order mark, counts bytes for
/// progress, and follows the quoting so that it can stop a record longer than [`MAX_ROW_BYTES`]
/// before the csv reader buffers it (an unterminated quote would otherwise pull the rest of the
/// file into one field), tell whether the input ended inside a quoted value, and number rows as
/// a spreadsheet does: csv's own line numbers lag behind after CRLF and blank lines, and count
/// line breaks inside quoted values, which a spreadsheet shows within one row.
struct Guard<R> {
    inner: R,
    head: [u8; 4],
    head_len: usize,
    head_pos: usize,
    bom: bool,
    quoting: Quoting,
    record_bytes: u64,
    /// Bytes consumed, the byte-order mark included.
    bytes: u64,
    /// Line breaks outside quotes so far (CRLF, LF or a lone CR each count once).
    line_breaks: u64,
    /// Whether the last byte was a CR outside quotes, so that a following LF is the same break.
    after_cr: bool,
    /// The row of each record seen by the guard and not yet taken by the reader, in order.
    record_rows: VecDeque<u64>,
    too_long: bool,
}

impl<R: Read> Guard<R> {
    fn new(mut inner: R) -> io::Result<Self> {
        let mut head = [0u8; 4];
        let mut head_len = 0;
        while head_len < head.len() {
            match inner.read(&mut head[head_len..]) {
                Ok(0) => break,
                Ok(n) => head_len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let bom = head[..head_len].starts_with(b"\xEF\xBB\xBF");
        let head_pos = if bom { 3 } else { 0 };
        Ok(Self {
            inner,
            head,
            head_len,
            head_pos,
            bom,
            quoting: Quoting::RecordStart,
            record_bytes: 0,
            bytes: head_pos as u64,
            line_breaks: 0,
            after_cr: false,
            record_rows: VecDeque::new(),
            too_long: false,
        })
    }

    /// The first bytes of the input (after a byte-order mark), to recognise what it is.
    fn head(&self) -> &[u8] {
        &self.head[if self.bom { 3 } else { 0 }..self.head_len]
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.too_long {
            return Err(io::Error::other(RowTooLong));
        }
        let n = if self.head_pos < self.head_len {
            let n = (self.head_len - self.head_pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.head_pos..self.head_pos + n]);
            self.head_pos += n;
            n
        } else {
            self.inner.read(buf)?
        };
        self.bytes += n as u64;
        for &b in &buf[..n] {
            use Quoting::*;
            self.record_bytes += 1;
            let after_cr = std::mem::replace(&mut self.after_cr, false);
            self.quoting = match (self.quoting, b) {
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (_, b'\n' | b'\r') => {
                    if !(b == b'\n' && after_cr) {
                        self.line_breaks += 1;
                    }
                    self.after_cr = b == b'\r';
                    self.record_bytes = 0;
                    RecordStart
                }
                (RecordStart, _) => {
                    self.record_rows.push_back(self.line_breaks + 1);
                    match b {
                        b'"' => Quoted,
                        b',' => FieldStart,
                        _ => Unquoted,
                    }
                }
                (FieldStart, b'"') => Quoted,
                (_, b',') => FieldStart,
                _ => Unquoted,
            };
            if self.record_bytes > MAX_ROW_BYTES {
                self.too_long = true;
                return Err(io::Error::other(RowTooLong));
            }
        }
        Ok(n)
    }
}

/// What the first bytes say about a file that should be CSV, when it is something else.
fn sniff(head: &[u8]) -> Option<Reason> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        Some(Reason::Utf16)
    } else if head.starts_with(b"PK\x03\x04") {
        Some(Reason::XlsxNamedCsv)
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        Some(Reason::XlsNamedCsv)
    } else {
        None
    }
}

/// Whether bytes that are not UTF-8 look like Thai in TIS-620 / Windows-874: the high bytes
/// are (nearly) all in the Thai range 0xA1–0xFB and some come in runs, as letters of a word do.
/// (A lone high byte is as likely Latin-1, whose letters share the range.)
pub(crate) fn looks_like_thai_8bit(bytes: &[u8]) -> bool {
    let is_thai = |b: u8| (0xA1..=0xFB).contains(&b);
    // Windows-874 puts punctuation (ellipsis, curly quotes) in 0x80–0x9F: neutral here.
    let high = bytes.iter().filter(|&&b| b >= 0xA0).count();
    let thai = bytes.iter().filter(|&&b| is_thai(b)).count();
    let mut run = 0;
    let mut longest = 0;
    for &b in bytes {
        run = if is_thai(b) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    high > 0 && longest >= 2 && thai * 10 >= high * 9
}

/// Why a value is not UTF-8, and what to do; `record` is the whole row, for the guess.
fn encoding_reason(field: &[u8], error: std::str::Utf8Error, record: &[u8]) -> Reason {
    if looks_like_thai_8bit(record) {
        return Reason::Thai8Bit;
    }
    let at = error.valid_up_to();
    Reason::NotUtf8 {
        byte: field[at],
        position: at + 1,
    }
}

/// The outcome of asking the csv reader for a record.
enum Step {
    Record,
    End,
    TooLong,
}

fn next_record<R: Read>(rdr: &mut csv::Reader<Guard<R>>, rec: &mut ByteRecord) -> io::Result<Step> {
    match rdr.read_byte_record(rec) {
        Ok(true) => Ok(Step::Record),
        Ok(false) => Ok(Step::End),
        Err(e) => match e.into_kind() {
            csv::ErrorKind::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()) => {
                Ok(Step::TooLong)
            }
            csv::ErrorKind::Io(e) => Err(e),
            // Flexible byte records fail only on input: anything else would be a csv bug.
            other => Err(io::Error::other(format!("{other:?}"))),
        },
    }
}

/// Reads one CSV table into the sink's batch. Returns an error only when the reader fails.
pub(crate) fn read_csv(
    sink: &mut Sink,
    reader: impl Read,
    areas: &AreaRegistry,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let mut target = crate::table::SurveyTarget::new(None, areas);
    read_csv_rows(sink, reader, &mut target, progress)
}

/// Reads one CSV table, handing its header and rows to `target`. Returns an error only when
/// the reader fails.
pub(crate) fn read_csv_rows(
    sink: &mut Sink,
    reader: impl Read,
    target: &mut dyn RowTarget,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    read_csv_rows_with(sink, reader, target, progress, b',')
}

/// [`read_csv_rows`] with another delimiter (KoboToolbox's CSV export uses `;`).
pub(crate) fn read_csv_rows_with(
    sink: &mut Sink,
    reader: impl Read,
    target: &mut dyn RowTarget,
    progress: &mut dyn FnMut(u64),
    delimiter: u8,
) -> io::Result<()> {
    let guard = Guard::new(reader)?;
    if let Some(reason) = sniff(guard.head()) {
        sink.report_file(reason);
        return Ok(());
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(guard);
    let mut cur = ByteRecord::new();
    let mut next = ByteRecord::new();
    let mut rows = 0u64;
    let mut step = next_record(&mut rdr, &mut cur)?;
    loop {
        match step {
            Step::Record => {}
            Step::End => break,
            Step::TooLong => {
                let row = rdr.get_ref().record_rows.back().copied().unwrap_or(1);
                sink.report(row, "", "", Reason::RowTooLong);
                progress(rdr.get_ref().bytes);
                return Ok(());
            }
        }
        // One record of lookahead tells whether this is the last, possibly cut-short, record.
        let after = next_record(&mut rdr, &mut next)?;
        let truncated = matches!(after, Step::End) && rdr.get_ref().quoting == Quoting::Quoted;
        let row = rdr.get_mut().record_rows.pop_front().unwrap_or(1);
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            progress(rdr.get_ref().bytes);
        }

        if cur.len() > MAX_COLUMNS {
            // Refused before the cells are looked at: matching half a million header cells
            // against the columns would cost seconds of CPU.
            let reason = if !target.has_header() {
                Reason::HeaderTooWide { max: MAX_COLUMNS }
            } else {
                Reason::RowTooManyColumns { max: MAX_COLUMNS }
            };
            sink.report(row, "", "", reason);
            progress(rdr.get_ref().bytes);
            return Ok(());
        }
        let mut fields = Vec::with_capacity(cur.len());
        for (i, f) in cur.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s),
                Err(e) => {
                    let column = target.label(i);
                    let value = String::from_utf8_lossy(f);
                    sink.report(row, &column, &value, encoding_reason(f, e, cur.as_slice()));
                    return Ok(());
                }
            }
        }
        if truncated {
            let last = fields.len().saturating_sub(1);
            let column = target.label(last);
            sink.report(
                row,
                &column,
                fields.last().copied().unwrap_or(""),
                Reason::UnclosedQuote,
            );
            progress(rdr.get_ref().bytes);
            return Ok(());
        }
        if !target.has_header() {
            if !target.header(sink, &fields) {
                return Ok(());
            }
        } else {
            {
                let width = target.width();
                let n = fields.len();
                if n < width || fields[width.min(n)..].iter().any(|f| !f.trim().is_empty()) {
                    let reason = if n < width {
                        Reason::RowTooShort {
                            values: n,
                            header: width,
                        }
                    } else {
                        Reason::RowTooWide {
                            values: n,
                            header: width,
                        }
                    };
                    sink.report(row, "", &fields.join(","), reason);
                } else {
                    target.row(sink, row, &fields, &[]);
                }
            }
        }
        std::mem::swap(&mut cur, &mut next);
        step = after;
    }
    if !target.has_header() {
        sink.report_file(Reason::FileEmpty);
    }
    progress(rdr.get_ref().bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_all(input: &[u8]) -> (Guard<&[u8]>, Vec<u8>, io::Result<usize>) {
        let mut g = Guard::new(input).unwrap();
        let mut out = Vec::new();
        let r = g.read_to_end(&mut out);
        (g, out, r)
    }

    #[test]
    fn the_guard_drops_a_bom_and_follows_quotes() {
        let (g, out, r) = guard_all(b"\xEF\xBB\xBFa,b\n\"x\ny\",\"q\"\"\"\n");
        assert!(r.is_ok());
        assert_eq!(out, b"a,b\n\"x\ny\",\"q\"\"\"\n");
        assert_eq!(g.record_rows, [1, 2]);
        assert_eq!(g.quoting, Quoting::RecordStart);
        let (g, _, _) = guard_all(b"a,b\n1,\"cut");
        assert_eq!(g.quoting, Quoting::Quoted);
        // A quote inside an unquoted value is text, as csv-core reads it.
        let (g, _, _) = guard_all(b"a,5\" pipe\n");
        assert_eq!(g.quoting, Quoting::RecordStart);
        assert_eq!(g.record_rows, [1]);
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // CRLF, a blank line, a lone CR (old Mac), a quoted line break.
        let (g, _, _) = guard_all(b"h\r\na\r\n\r\nb\rc\n\"d\ne\"\nf");
        assert_eq!(g.record_rows, [1, 2, 4, 5, 6, 7]);
    }

    #[test]
    fn row_numbers_match_the_records_csv_reads() {
        let input = b"h,i\r\n\r\n\"a\r\nb\",c\n\n\n,\n\"\"\r";
        let mut g = Guard::new(&input[..]).unwrap();
        let records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&mut g)
            .byte_records()
            .count();
        assert_eq!(records, 4);
        assert_eq!(g.record_rows, [1, 3, 6, 7]);
    }

    #[test]
    fn thai_8bit_is_told_from_latin1() {
        // "มาลี" in TIS-620: each Thai code point U+0E01.. maps to 0xA1..
        let tis: Vec<u8> = "มาลี"
            .chars()
            .map(|c| (c as u32 - 0x0E01 + 0xA1) as u8)
            .collect();
        assert!(looks_like_thai_8bit(&tis));
        assert!(!looks_like_thai_8bit(b"M\xFCller")); // Latin-1 "Müller"
        assert!(!looks_like_thai_8bit(b"plain"));
    }
}

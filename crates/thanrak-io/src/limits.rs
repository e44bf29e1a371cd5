//! Limits on what an input file may hold, and the pre-scan of an XLSX workbook that enforces
//! them before calamine opens it.
//!
//! A workbook is a zip archive of XML parts, and deflate packs a repeated byte a thousand to
//! one: a 0.5 MB upload can unpack to gigabytes. calamine streams sheets cell by cell, but it
//! loads the shared strings part whole, reserves room for as many strings as that part claims,
//! and holds a cell's text (and quick-xml the text between two tags) whole. So every part is
//! first streamed through the decompressor with byte counters, and the XML parts through a small
//! state machine that measures the text between tags and the tags themselves, without keeping
//! either: nothing the file declares is allocated before it has been counted.

use std::io::{self, Read, Seek, SeekFrom};

use thanrak_core::Reason;

/// The most a workbook may unpack to, all parts together (3 GiB). Sheets are streamed, so this
/// bounds time rather than memory: a sheet as this project writes it (inline strings) takes about
/// 900 bytes a member row, so two full sheets of Excel's 1,048,576 rows come to about 2 GiB.
pub const MAX_UNPACKED_BYTES: u64 = 3 << 30;

/// The most one part other than a worksheet may unpack to (128 MiB). calamine reads such parts
/// whole (the shared strings above all), so this bounds the memory they take.
pub const MAX_PART_BYTES: u64 = 128 << 20;

/// The most shared strings a workbook may declare or hold: four distinct texts for each row of a
/// full sheet (a national id, two names and a household id each distinct). calamine keeps each as
/// a `String` (24 bytes before its text) and reserves room for the declared count: at most
/// 96 MiB, beside the text that [`MAX_PART_BYTES`] bounds.
pub const MAX_SHARED_STRINGS: u64 = 4 * 1_048_576;

/// The most parts (files inside the zip archive) a workbook may have; Excel writes a few dozen.
pub const MAX_PARTS: u64 = 10_000;

/// The most characters a cell may hold: Excel's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The most rows a sheet may have: Excel's own limit.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// The most columns a header or row may have (CSV or XLSX); a survey table has a few dozen.
pub const MAX_COLUMNS: usize = 1_024;

/// The longest XML tag (name and attributes) accepted in a workbook part. Tags are short; the
/// longest in an ordinary workbook are namespace declarations of a few KiB.
const MAX_TAG_BYTES: u64 = 1 << 20;

/// How the scan of the text between XML tags stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Xml {
    /// Between tags: text.
    Text,
    /// Inside `<…>`, outside quotes.
    Tag,
    /// Inside a quoted attribute value of a tag (`'` or `"`).
    Quoted(u8),
}

/// What the scan of an XML part has found so far.
struct XmlScan {
    state: Xml,
    /// Whether the text now being read is a cell's (after `<t>`, `<v>`, `<f>`).
    text_counts: bool,
    /// Inside an entity such as `&amp;`, which is one character.
    in_entity: bool,
    /// Characters of the current cell (since the last `<c>` or `<si>`).
    cell_chars: usize,
    /// Bytes of the current tag.
    tag_bytes: u64,
    /// The first bytes of the current tag, enough for its name and the attribute we look for.
    tag_head: Vec<u8>,
    /// `<si>` tags seen (in the shared strings part).
    strings: u64,
    /// `uniqueCount` (or `count`) of the `<sst>` tag, when the part declares it.
    declared_strings: u64,
}

/// Why a workbook is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The reason for the user.
    Limit(Reason),
    /// The archive itself cannot be read (not a zip, a damaged part, an unknown compression).
    Damaged(String),
}

const TAG_HEAD: usize = 512;

impl XmlScan {
    fn new() -> Self {
        XmlScan {
            state: Xml::Text,
            text_counts: false,
            in_entity: false,
            cell_chars: 0,
            tag_bytes: 0,
            tag_head: Vec::with_capacity(TAG_HEAD),
            strings: 0,
            declared_strings: 0,
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), Refusal> {
        for &b in bytes {
            match self.state {
                Xml::Text => {
                    if b == b'<' {
                        self.state = Xml::Tag;
                        self.tag_bytes = 0;
                        self.tag_head.clear();
                        self.in_entity = false;
                        continue;
                    }
                    if !self.text_counts {
                        continue;
                    }
                    // A character is counted at its first byte; an entity as one character.
                    let counted = if self.in_entity {
                        self.in_entity = b != b';';
                        false
                    } else if b == b'&' {
                        self.in_entity = true;
                        true
                    } else {
                        b & 0xC0 != 0x80
                    };
                    if counted {
                        self.cell_chars += 1;
                        if self.cell_chars > MAX_CELL_CHARS {
                            return Err(Refusal::Limit(Reason::WorkbookCellTooLong {
                                max: MAX_CELL_CHARS,
                            }));
                        }
                    }
                }
                Xml::Tag | Xml::Quoted(_) => {
                    self.tag_bytes += 1;
                    if self.tag_bytes > MAX_TAG_BYTES {
                        return Err(Refusal::Limit(Reason::WorkbookTagTooLong));
                    }
                    if self.tag_head.len() < TAG_HEAD {
                        self.tag_head.push(b);
                    }
                    self.state = match (self.state, b) {
                        (Xml::Tag, b'"' | b'\'') => Xml::Quoted(b),
                        (Xml::Quoted(q), _) if b == q => Xml::Tag,
                        (Xml::Tag, b'>') => {
                            self.end_tag()?;
                            Xml::Text
                        }
                        (s, _) => s,
                    };
                }
            }
        }
        Ok(())
    }

    /// Looks at a tag just read (its first bytes are in `tag_head`, `>` included).
    fn end_tag(&mut self) -> Result<(), Refusal> {
        let head = &self.tag_head;
        let closing = head.first() == Some(&b'/');
        let self_closing = head.len() >= 2 && head[head.len() - 2] == b'/';
        let name_start = usize::from(closing);
        let name_end = head[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .map_or(head.len(), |p| p + name_start);
        let name = &head[name_start..name_end];
        // Without its namespace prefix (`x:si` is `si`).
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        self.text_counts = !closing && !self_closing && matches!(local, b"t" | b"v" | b"f");
        if closing {
            return Ok(());
        }
        match local {
            b"c" | b"row" => self.cell_chars = 0,
            b"si" => {
                self.cell_chars = 0;
                self.strings += 1;
            }
            b"sst" => {
                let attrs = &head[name_end..];
                self.declared_strings = ["uniqueCount", "count"]
                    .iter()
                    .filter_map(|a| attribute_number(attrs, a.as_bytes()))
                    .max()
                    .unwrap_or(0);
            }
            _ => {}
        }
        if self.strings > MAX_SHARED_STRINGS || self.declared_strings > MAX_SHARED_STRINGS {
            return Err(Refusal::Limit(Reason::WorkbookTooManyTexts {
                max: MAX_SHARED_STRINGS,
            }));
        }
        Ok(())
    }
}

/// The number in `name="123"` among a tag's attributes; `u64::MAX` when it does not fit.
fn attribute_number(attrs: &[u8], name: &[u8]) -> Option<u64> {
    let mut at = 0;
    while let Some(p) = attrs[at..]
        .windows(name.len())
        .position(|w| w == name)
        .map(|p| p + at)
    {
        at = p + name.len();
        // A whole attribute name: preceded by a space, followed by `=`.
        let before = p.checked_sub(1).map(|i| attrs[i]);
        let rest = &attrs[at..];
        if !before.is_some_and(|b| b.is_ascii_whitespace()) || !rest.starts_with(b"=") {
            continue;
        }
        let digits: Vec<u8> = rest[1..]
            .iter()
            .skip_while(|b| **b == b'"' || **b == b'\'')
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        let text = std::str::from_utf8(&digits).ok()?;
        return if text.is_empty() {
            None
        } else {
            Some(text.parse().unwrap_or(u64::MAX))
        };
    }
    None
}

/// Reads the end of the archive to count its parts before the zip reader indexes them all (an
/// index costs a few hundred bytes a part). A zip64 archive whose ordinary record is saturated
/// has 65,535 parts or more: refused too.
fn check_part_count<R: Read + Seek>(reader: &mut R) -> Result<(), Refusal> {
    let damaged = |e: io::Error| Refusal::Damaged(e.to_string());
    let len = reader.seek(SeekFrom::End(0)).map_err(damaged)?;
    // The end-of-central-directory record is 22 bytes plus a comment of at most 65,535.
    let tail_len = len.min(22 + 65_535);
    reader
        .seek(SeekFrom::Start(len - tail_len))
        .map_err(damaged)?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail).map_err(damaged)?;
    reader.seek(SeekFrom::Start(0)).map_err(damaged)?;
    let Some(at) = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|&at| at + 22 <= tail.len())
    else {
        // The zip reader says what is wrong.
        return Ok(());
    };
    let parts = u64::from(u16::from_le_bytes([tail[at + 10], tail[at + 11]]));
    if parts > MAX_PARTS {
        return Err(Refusal::Limit(Reason::WorkbookTooManyParts {
            max: MAX_PARTS,
        }));
    }
    Ok(())
}

/// Whether a part is a worksheet, which calamine streams (other parts it reads whole).
fn is_worksheet(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("worksheets/")
        && lower.ends_with(".xml")
        && !lower.ends_with("sharedstrings.xml")
}

/// Whether a part is XML, whose text and tags are measured.
fn is_xml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml")
}

/// Streams every part of the workbook through the decompressor, counting, and refuses it when a
/// limit is passed. The reader is left at its start.
pub(crate) fn scan_workbook<R: Read + Seek>(reader: &mut R) -> Result<(), Refusal> {
    check_part_count(reader)?;
    let mut archive =
        zip::ZipArchive::new(&mut *reader).map_err(|e| Refusal::Damaged(e.to_string()))?;
    if archive.len() as u64 > MAX_PARTS {
        return Err(Refusal::Limit(Reason::WorkbookTooManyParts {
            max: MAX_PARTS,
        }));
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..archive.len() {
        let mut part = archive
            .by_index(i)
            .map_err(|e| Refusal::Damaged(e.to_string()))?;
        let name = part
            .name()
            .map_err(|e| Refusal::Damaged(e.to_string()))?
            .into_owned();
        let cap = if is_worksheet(&name) {
            MAX_UNPACKED_BYTES
        } else {
            MAX_PART_BYTES
        };
        let mut xml = is_xml(&name).then(XmlScan::new);
        let mut size = 0u64;
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Refusal::Damaged(format!("{name}: {e}"))),
            };
            size += n as u64;
            total += n as u64;
            if total > MAX_UNPACKED_BYTES {
                return Err(Refusal::Limit(Reason::WorkbookTooLarge {
                    bytes: MAX_UNPACKED_BYTES,
                }));
            }
            if size > cap {
                return Err(Refusal::Limit(Reason::WorkbookPartTooLarge {
                    part: name.to_string(),
                    bytes: cap,
                }));
            }
            if let Some(x) = &mut xml {
                x.feed(&buf[..n])?;
            }
        }
    }
    drop(archive);
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| Refusal::Damaged(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str) -> Result<XmlScan, Refusal> {
        let mut s = XmlScan::new();
        s.feed(xml.as_bytes()).map(|()| s)
    }

    #[test]
    fn cell_text_is_counted_in_characters_with_entities_as_one() {
        let fits = format!("<c><is><t>{}</t></is></c>", "ก".repeat(MAX_CELL_CHARS));
        assert!(scan(&fits).is_ok());
        let entities = format!("<c><v>{}</v></c>", "&amp;".repeat(MAX_CELL_CHARS));
        assert!(scan(&entities).is_ok());
        let over = format!("<c><v>{}</v></c>", "x".repeat(MAX_CELL_CHARS + 1));
        assert!(matches!(scan(&over), Err(Refusal::Limit(r)) if r.to_string().contains("32767")));
        // Runs of rich text add up within one cell, and start again at the next.
        let runs = format!(
            "<si><r><t>{0}</t></r><r><t>{0}</t></r></si>",
            "x".repeat(MAX_CELL_CHARS / 2 + 1)
        );
        assert!(scan(&runs).is_err());
        let two = format!("<si><t>{0}</t></si><si><t>{0}</t></si>", "x".repeat(30_000));
        assert!(scan(&two).is_ok());
    }

    #[test]
    fn text_outside_cells_and_quoted_brackets_are_not_cells() {
        let spaces = format!("<sheetData>{}</sheetData>", " ".repeat(100_000));
        assert!(scan(&spaces).is_ok());
        assert!(scan(r#"<c r="A1" x="a>b"><v>1</v></c>"#).is_ok());
    }

    #[test]
    fn declared_and_counted_shared_strings_are_capped() {
        let s = scan(r#"<sst xmlns="x" count="7" uniqueCount="3"><si><t>a</t></si>"#).unwrap();
        assert_eq!((s.declared_strings, s.strings), (7, 1));
        assert!(scan(r#"<sst uniqueCount="99999999999999999999999">"#).is_err());
        assert!(scan(r#"<x:sst uniqueCount='5000000'>"#).is_err());
        assert!(scan(r#"<x:sst uniqueCount='3000000'>"#).is_ok());
        assert_eq!(attribute_number(b" xcount=\"5\"", b"count"), None);
    }
}

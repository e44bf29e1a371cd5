//! Files built to exhaust the reader: workbooks that unpack to gigabytes, a cell of gigabytes,
//! shared strings beyond count, headers of half a million columns. Each is built in memory, a
//! few MB at most, by repeating one deflate block: the reader must refuse it, saying which limit
//! it broke, without unpacking (let alone holding) what it declares.

mod common;

use std::io::{Cursor, Read, Write};

use common::*;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use thanrak_io::{
    read_csv_into, read_xlsx_into, Batch, MAX_CELL_CHARS, MAX_COLUMNS, MAX_SHARED_STRINGS,
};
use zip::write::SimpleFileOptions;

const MIB: u64 = 1 << 20;

/// A deflate stream that unpacks to `head`, then `unit` repeated to fill `size` bytes (rounded
/// down to whole MiB of repeats), then `tail`. Only the first MiB of repeats is compressed: the
/// block that encodes it refers back only to earlier repeats, so it can be sent again and again.
fn deflate_repeated(head: &[u8], unit: &[u8], size: u64, tail: &[u8]) -> (Vec<u8>, u64) {
    deflate_repeated_crc(head, unit, size, tail, false).0
}

/// [`deflate_repeated`], with the CRC-32 of what it unpacks to when `crc` (which costs a pass
/// over all of it).
fn deflate_repeated_crc(
    head: &[u8],
    unit: &[u8],
    size: u64,
    tail: &[u8],
    crc: bool,
) -> ((Vec<u8>, u64), u32) {
    let per_block = (MIB as usize / unit.len()) * unit.len();
    let block_of_units = unit.repeat(per_block / unit.len());
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(head).unwrap();
    // A window (32 KiB) of repeats before the repeated block, so that each copy decodes alike.
    enc.write_all(&block_of_units).unwrap();
    enc.flush().unwrap();
    let prefix_len = enc.get_ref().len();
    enc.write_all(&block_of_units).unwrap();
    enc.flush().unwrap();
    let block = enc.get_ref()[prefix_len..].to_vec();
    let mut out = enc.get_ref()[..prefix_len].to_vec();
    let blocks = (size / per_block as u64).max(2) - 1;
    for _ in 0..blocks {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&stored_final_block(tail));
    let unpacked = head.len() as u64 + (blocks + 1) * per_block as u64 + tail.len() as u64;
    let mut hasher = crc32fast::Hasher::new();
    if crc {
        hasher.update(head);
        for _ in 0..=blocks {
            hasher.update(&block_of_units);
        }
        hasher.update(tail);
    }
    ((out, unpacked), hasher.finalize())
}

/// The tail as a final stored block (its bytes as they are): the stream so far ends on a byte
/// boundary after a flush.
fn stored_final_block(tail: &[u8]) -> Vec<u8> {
    let len = tail.len() as u16;
    let mut out = vec![0x01];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(tail);
    out
}

/// A zip archive of one deflated part whose bytes are given as they are, with `crc` as the
/// content's CRC-32 (0 where nothing should read that far).
fn raw_zip(name: &str, deflated: &[u8], unpacked: u64, crc: u32) -> Vec<u8> {
    assert!(
        unpacked < u64::from(u32::MAX),
        "keep the test archive out of zip64"
    );
    let mut out = Vec::new();
    let local = |out: &mut Vec<u8>, central: bool| {
        out.extend_from_slice(if central {
            b"PK\x01\x02\x14\x00"
        } else {
            b"PK\x03\x04"
        });
        out.extend_from_slice(&[0x14, 0, 0, 0, 8, 0, 0, 0, 0x21, 0]); // version, flags, deflate, time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
        out.extend_from_slice(&(unpacked as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        if central {
            out.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
            out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            out.extend_from_slice(&0u32.to_le_bytes()); // offset of the local header
        }
        out.extend_from_slice(name.as_bytes());
    };
    local(&mut out, false);
    out.extend_from_slice(deflated);
    let central_at = out.len() as u32;
    local(&mut out, true);
    let central_len = out.len() as u32 - central_at;
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="members" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// A workbook with a members sheet whose parts are `extra` (name and bytes, small, deflated
/// normally) and `raw` (name, deflate stream, unpacked size), the latter copied as they are.
fn workbook(extra: &[(&str, &[u8])], raw: &[(&str, Vec<u8>, u64)]) -> Vec<u8> {
    let raw: Vec<_> = raw.iter().map(|(n, d, u)| (*n, d.clone(), *u, 0)).collect();
    workbook_crc(extra, &raw)
}

/// [`workbook`] with the CRC-32 of each raw part.
fn workbook_crc(extra: &[(&str, &[u8])], raw: &[(&str, Vec<u8>, u64, u32)]) -> Vec<u8> {
    let mut zout = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
    ];
    for (name, bytes) in parts.iter().chain(extra) {
        zout.start_file(*name, options).unwrap();
        zout.write_all(bytes).unwrap();
    }
    for (name, deflated, unpacked, crc) in raw {
        let one = raw_zip(name, deflated, *unpacked, *crc);
        let mut zin = zip::ZipArchive::new(Cursor::new(one)).unwrap();
        zout.raw_copy_file(zin.by_index_raw(0).unwrap()).unwrap();
    }
    zout.finish().unwrap().into_inner()
}

fn read_book(bytes: Vec<u8>) -> Batch {
    let mut batch = Batch::default();
    read_xlsx_into(&mut batch, "bomb.xlsx", Cursor::new(bytes), areas()).unwrap();
    batch
}

/// The one file-level diagnostic a refused workbook gets.
fn refusal(batch: &Batch) -> String {
    assert_eq!(batch.diagnostics.len(), 1, "{:#?}", batch.diagnostics);
    let d = &batch.diagnostics[0];
    assert_eq!((d.file.as_str(), d.row), ("bomb.xlsx", 0));
    assert!(batch.members.is_empty());
    d.reason.to_string()
}

#[test]
fn the_bomb_builder_makes_what_it_declares() {
    // The trick the other tests rely on: the repeated block unpacks to the repeats it says.
    let (deflated, unpacked) = deflate_repeated(b"<a>", b"xyz", 5 * MIB, b"</a>");
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&deflated[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out.len() as u64, unpacked);
    assert!(out.starts_with(b"<a>xyzxyz") && out.ends_with(b"xyz</a>"));
    assert!(out[3..out.len() - 4].chunks(3).all(|c| c == b"xyz"));
    assert!(deflated.len() < 100_000, "{}", deflated.len());
}

#[test]
fn a_cell_of_gigabytes_is_refused_at_excels_limit() {
    // 2 GiB of text in one inline-string cell, in an archive of about 2 MB.
    let head = format!(r#"{SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>"#);
    let tail = format!("</t></is></c></row>{SHEET_TAIL}");
    let (deflated, unpacked) =
        deflate_repeated(head.as_bytes(), b"ABCDEFGH", 2048 * MIB, tail.as_bytes());
    assert!(unpacked > 2000 * MIB);
    let book = workbook(&[], &[("xl/worksheets/sheet1.xml", deflated, unpacked)]);
    assert!(book.len() < 4 << 20, "{}", book.len());
    let batch = read_book(book);
    let reason = refusal(&batch);
    assert!(
        reason.contains(&format!(
            "a cell holds more than {MAX_CELL_CHARS} characters"
        )),
        "{reason}"
    );
    assert!(reason.contains("Excel's limit"), "{reason}");
}

#[test]
fn a_workbook_that_unpacks_past_the_total_is_refused() {
    // 26 pictures of 120 MiB each: each under the cap of a part, together over 3 GiB.
    let ((deflated, unpacked), crc) = deflate_repeated_crc(b"", &[0u8; 64], 120 * MIB, b"", true);
    let names: Vec<String> = (1..=26).map(|i| format!("xl/media/image{i}.png")).collect();
    let raw: Vec<(&str, Vec<u8>, u64, u32)> = names
        .iter()
        .map(|n| (n.as_str(), deflated.clone(), unpacked, crc))
        .collect();
    let sheet = format!("{SHEET_HEAD}{SHEET_TAIL}");
    let batch = read_book(workbook_crc(
        &[("xl/worksheets/sheet1.xml", sheet.as_bytes())],
        &raw,
    ));
    let reason = refusal(&batch);
    assert!(
        reason.starts_with("the workbook unpacks to more than 3 GiB"),
        "{reason}"
    );
}

#[test]
fn shared_strings_are_capped_in_size_and_in_count() {
    let sheet = format!("{SHEET_HEAD}{SHEET_TAIL}");
    let sheet = ("xl/worksheets/sheet1.xml", sheet.as_bytes());
    // 200 MiB of spaces between tags: no cell is long, but the part is read whole.
    let (deflated, unpacked) = deflate_repeated(b"<sst>", b"    ", 200 * MIB, b"</sst>");
    let batch = read_book(workbook(
        &[sheet],
        &[("xl/sharedStrings.xml", deflated, unpacked)],
    ));
    let reason = refusal(&batch);
    assert!(
        reason.starts_with(
            "the part xl/sharedStrings.xml of the workbook unpacks to more than 128 MiB"
        ),
        "{reason}"
    );
    // Millions of empty strings: small, but each costs a String.
    let (deflated, unpacked) = deflate_repeated(b"<sst>", b"<si><t></t></si>", 80 * MIB, b"</sst>");
    let batch = read_book(workbook(
        &[sheet],
        &[("xl/sharedStrings.xml", deflated, unpacked)],
    ));
    let reason = refusal(&batch);
    assert!(
        reason.contains(&format!("more than {MAX_SHARED_STRINGS} distinct texts")),
        "{reason}"
    );
    // A count that calamine would reserve room for.
    let claim = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#;
    let batch = read_book(workbook(
        &[sheet, ("xl/sharedStrings.xml", claim.as_bytes())],
        &[],
    ));
    let reason = refusal(&batch);
    assert!(reason.contains("distinct texts"), "{reason}");
}

#[test]
fn rows_and_columns_past_the_limits_are_refused() {
    // A cell in column 2,000 of the header.
    let wide = format!(
        r#"{SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>household_id</t></is></c><c r="BXX1" t="inlineStr"><is><t>x</t></is></c></row>{SHEET_TAIL}"#
    );
    let batch = read_book(workbook(
        &[("xl/worksheets/sheet1.xml", wide.as_bytes())],
        &[],
    ));
    let d = &batch.diagnostics;
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].reason
            .to_string()
            .starts_with(&format!("the row has more than {MAX_COLUMNS} columns")),
        "{d:#?}"
    );
    assert_eq!((d[0].file.as_str(), d[0].row), ("bomb.xlsx [members]", 1));
    // A row past Excel's last.
    let deep = format!(
        r#"{SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>household_id</t></is></c></row><row r="1048577"><c r="A1048577"><v>1</v></c></row>{SHEET_TAIL}"#
    );
    let batch = read_book(workbook(
        &[("xl/worksheets/sheet1.xml", deep.as_bytes())],
        &[],
    ));
    assert!(
        batch
            .diagnostics
            .iter()
            .any(|d| d.row == 1_048_577 && d.reason.to_string().contains("more than 1048576 rows")),
        "{:#?}",
        batch.diagnostics
    );
}

#[test]
fn a_csv_header_of_half_a_million_columns_is_refused_at_once() {
    let header = vec!["x"; 500_000].join(",");
    let mut batch = Batch::default();
    read_csv_into(&mut batch, "wide.csv", header.as_bytes(), areas()).unwrap();
    assert_eq!(batch.diagnostics.len(), 1, "{:#?}", batch.diagnostics);
    let d = &batch.diagnostics[0];
    assert_eq!((d.file.as_str(), d.row), ("wide.csv", 1));
    assert!(
        d.reason
            .to_string()
            .starts_with(&format!("the header has more than {MAX_COLUMNS} columns")),
        "{}",
        d.reason
    );
    // A data row as wide stops the file too.
    let text = format!("household_id,round\n{}\n", vec!["1"; 2_000].join(","));
    let mut batch = Batch::default();
    read_csv_into(&mut batch, "rows.csv", text.as_bytes(), areas()).unwrap();
    assert!(
        batch
            .diagnostics
            .iter()
            .any(|d| d.row == 2 && d.reason.to_string().starts_with("the row has more than")),
        "{:#?}",
        batch.diagnostics
    );
}

#[test]
fn the_example_round_still_reads_as_a_workbook() {
    let batch = read(&example_paths());
    assert!(batch.is_clean(), "{:#?}", batch.diagnostics);
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("round.xlsx");
    thanrak_io::write_xlsx_tables(&book, &batch.households, &batch.members).unwrap();
    let again = read(&[book]);
    assert!(again.is_clean(), "{:#?}", again.diagnostics);
    assert_eq!(again.members, batch.members);
}

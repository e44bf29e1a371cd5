//! Reading bad input: every problem is reported with file, row, column, value and reason, the
//! rest of the file is still read, and nothing panics.

mod common;

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use common::*;
use thanrak_core::Reason;
use thanrak_io::{
    read_batch, read_csv_into, write_xlsx_tables, Batch, Diagnostic, IoError,
    MAX_DIAGNOSTICS_PER_FILE,
};

/// A diagnostic as a person reads it: the reason in English.
#[derive(Debug, PartialEq)]
struct Shown {
    file: String,
    row: u64,
    column: String,
    value: String,
    reason: String,
}

fn shown(diagnostics: &[Diagnostic]) -> Vec<Shown> {
    diagnostics
        .iter()
        .map(|d| Shown {
            file: d.file.clone(),
            row: d.row,
            column: d.column.clone(),
            value: d.value.clone(),
            reason: d.reason.to_string(),
        })
        .collect()
}

fn diag(file: &Path, row: u64, column: &str, value: &str, reason: &str) -> Shown {
    Shown {
        file: file.display().to_string(),
        row,
        column: column.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

fn example(file: &str) -> String {
    fs::read_to_string(example_dir().join(file)).unwrap()
}

/// Writes `text` as `name` in `dir` and reads it alone.
fn read_text(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> (PathBuf, Batch) {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    let batch = read(std::slice::from_ref(&path));
    (path, batch)
}

/// The example file with one cell changed (`row` as in the file, header = 1).
fn edit(file: &str, row: usize, column: &str, value: &str) -> String {
    let mut rows = csv_rows(&example(file));
    let c = rows[0].iter().position(|h| h == column).unwrap();
    rows[row - 1][c] = value.to_string();
    csv_text(&rows)
}

#[test]
fn each_bad_cell_is_reported_where_it_is() {
    let h = "households.csv";
    let m = "members.csv";
    #[rustfmt::skip]
    let cases: &[(&str, usize, &str, &str, &str, &str)] = &[
        // (file, row, column edited, new value, column reported, reason)
        (h, 2, "survey_date", "2566-02-30", "survey_date", "is not a day of the calendar"),
        (h, 3, "survey_date", "yesterday", "survey_date",
            "is not a date (use YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era)"),
        (h, 4, "village_code", "99999901", "village_code", "is not a known subdistrict code"),
        (h, 4, "village_code", "5201010", "village_code", "must be a village code (8 digits)"),
        (h, 5, "housing_tenure", "owned", "housing_tenure",
            "must be one of own, rent, rent_free, public_land, none"),
        (h, 6, "electricity", "2", "electricity", "must be 0 or 1"),
        (h, 7, "savings_thb", "abc", "savings_thb", "must be a number"),
        (h, 8, "lat", "95", "lat", "must be between -90 and 90"),
        (h, 9, "group_memberships", "1.5", "group_memberships", "must be a whole number"),
        (h, 10, "household_id", "", "household_id", "is required"),
        (h, 11, "household_id", "EX 11", "household_id",
            "contains the character ' ', which is not allowed"),
        (h, 12, "lon", "", "lon", "lat and lon go together: give both or neither"),
        (h, 25, "receives_community_help", "yes", "receives_community_help", "must be 0 or 1"),
        (m, 2, "national_id", "4573661203303", "national_id",
            "is not a valid national id: check digit is wrong (expected 2)"),
        (m, 3, "sex", "X", "sex", "must be one of M, F"),
        (m, 4, "member_no", "0", "member_no", "must be between 1 and 999"),
        (m, 5, "skills", "juggling", "skills",
            "\"juggling\" is not a skill (one of agriculture, handicraft, food_processing, \
             construction, tourism_service, trade, digital, driving, other)"),
        (m, 2, "birth_date", "15-06-2023", "birth_date",
            "is not a date (use YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era)"),
        (m, 2, "birth_date", "", "age", "give birth_date or age"),
        (m, 6, "first_name", "", "first_name", "is required"),
        (m, 87, "age", "131", "age", "must be between 0 and 130"),
        (m, 7, "education", "phd", "education",
            "must be one of none, primary, lower_secondary, upper_secondary, vocational, \
             bachelor, higher"),
    ];
    for &(file, row, column, value, reported, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let edited = dir.path().join(file);
        fs::write(&edited, edit(file, row, column, value)).unwrap();
        let other = if file == h { m } else { h };
        let batch = read(&[edited.clone(), example_dir().join(other)]);
        let expected_value = if reported == column { value } else { "" };
        assert_eq!(
            shown(&batch.diagnostics),
            vec![diag(&edited, row as u64, reported, expected_value, reason)],
            "{file} row {row}: {column} = {value:?}"
        );
        // The bad row is left out; every other row is read.
        let (hh, mm) = if file == h { (23, 86) } else { (24, 85) };
        assert_eq!(
            (batch.households.len(), batch.members.len()),
            (hh, mm),
            "{column}"
        );
        let origins = if file == h {
            &batch.household_origins
        } else {
            &batch.member_origins
        };
        assert!(origins.iter().all(|o| o.row != row as u64));
    }
}

#[test]
fn every_problem_of_a_row_and_of_a_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = csv_rows(&example("members.csv"));
    let col = |n: &str| rows[0].iter().position(|h| h == n).unwrap();
    let (sex, literate, occupation) = (col("sex"), col("literate"), col("occupation"));
    rows[1][sex] = "?".into();
    rows[1][literate] = "maybe".into();
    rows[40][occupation] = "astronaut".into();
    let (path, batch) = read_text(dir.path(), "m.csv", csv_text(&rows));
    let got: Vec<(u64, &str)> = batch
        .diagnostics
        .iter()
        .map(|d| (d.row, d.column.as_str()))
        .collect();
    assert_eq!(got, vec![(2, "literate"), (2, "sex"), (41, "occupation")]);
    assert!(batch
        .diagnostics
        .iter()
        .all(|d| d.file == path.display().to_string()));
    assert_eq!(batch.members.len(), 84);
}

#[test]
fn a_missing_required_column_is_one_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<String>> = csv_rows(&example("members.csv"))
        .into_iter()
        .map(|mut r| {
            r.remove(6); // sex
            r
        })
        .collect();
    let (path, batch) = read_text(dir.path(), "m.csv", csv_text(&rows));
    assert_eq!(
        shown(&batch.diagnostics),
        vec![diag(&path, 1, "sex", "", "required column is missing")]
    );
    assert!(batch.members.is_empty());
}

#[test]
fn a_missing_optional_column_reads_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<String>> = csv_rows(&example("members.csv"))
        .into_iter()
        .map(|mut r| {
            r.remove(3); // national_id
            r
        })
        .collect();
    let (_, batch) = read_text(dir.path(), "m.csv", csv_text(&rows));
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!(batch.members.len(), 86);
    assert!(batch.members.iter().all(|m| m.national_id.is_none()));
}

#[test]
fn without_birth_date_and_age_columns_one_diagnostic_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<String>> = csv_rows(&example("members.csv"))
        .into_iter()
        .map(|mut r| {
            r.drain(7..9); // birth_date, age
            r
        })
        .collect();
    let (path, batch) = read_text(dir.path(), "m.csv", csv_text(&rows));
    assert_eq!(
        shown(&batch.diagnostics),
        vec![diag(
            &path,
            1,
            "age",
            "",
            "give a birth_date or an age column"
        )]
    );
}

#[test]
fn unknown_and_repeated_columns_are_reported_once_and_rows_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<String>> = csv_rows(&example("households.csv"))
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.push(if i == 0 {
                "electricty".into()
            } else {
                "1".into()
            });
            r.push(if i == 0 {
                "Savings-THB".into()
            } else {
                "5".into()
            });
            r
        })
        .collect();
    let (path, batch) = read_text(dir.path(), "h.csv", csv_text(&rows));
    assert_eq!(batch.diagnostics.len(), 2, "{:#?}", batch.diagnostics);
    let unknown = &batch.diagnostics[0];
    assert_eq!((unknown.row, unknown.column.as_str()), (1, "electricty"));
    assert!(unknown
        .reason
        .to_string()
        .starts_with("unknown column (expected one of household_id, round, survey_date,"));
    assert_eq!(
        shown(&batch.diagnostics)[1],
        diag(
            &path,
            1,
            "Savings-THB",
            "",
            "the column savings_thb appears twice; only the first one is read"
        )
    );
    assert_eq!(batch.households.len(), 24);
}

#[test]
fn a_value_under_an_unnamed_column_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = example("households.csv")
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},\n"),
            3 | 5 => format!("{l},oops\n"),
            _ => format!("{l},\n"),
        })
        .collect();
    let (path, batch) = read_text(dir.path(), "h.csv", text);
    assert_eq!(
        shown(&batch.diagnostics),
        vec![diag(
            &path,
            4,
            "column 24",
            "oops",
            "a value in a column without a header: name the column or remove the value"
        )]
    );
    assert_eq!(batch.households.len(), 24);
}

#[test]
fn rows_with_the_wrong_number_of_values_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = example("households.csv")
        .lines()
        .map(String::from)
        .collect();
    // An unquoted comma in house_no shifts the row; a trailing empty value is harmless.
    lines[1] = lines[1].replace(",1/14,", ",1,14,");
    lines[2].push(',');
    lines[3] = lines[3].rsplit_once(',').unwrap().0.to_string();
    let (path, batch) = read_text(dir.path(), "h.csv", lines.join("\n") + "\n");
    assert_eq!(batch.diagnostics.len(), 2, "{:#?}", batch.diagnostics);
    assert_eq!(batch.diagnostics[0].row, 2);
    assert_eq!(
        batch.diagnostics[0].reason.to_string(),
        "the row has 24 values but the header has 23: a value holding a comma must be in \
         double quotes"
    );
    assert_eq!(batch.diagnostics[1].file, path.display().to_string());
    assert_eq!(batch.diagnostics[1].row, 4);
    assert_eq!(
        batch.diagnostics[1].reason.to_string(),
        "the row has 22 values but the header has 23: a comma is missing, or the line is cut \
         short"
    );
    assert_eq!(batch.households.len(), 22);
}

#[test]
fn rows_are_counted_as_a_spreadsheet_shows_them() {
    // A quoted value over two lines is one row; a blank line is a row of its own.
    let dir = tempfile::tempdir().unwrap();
    let mut rows = csv_rows(&example("members.csv"));
    rows[1][4] = "มา\nลี".into();
    let mut text = csv_text(&rows[..3]);
    text.push('\n');
    text.push_str(&csv_text(&rows[3..4]).replace(",F,", ",X,"));
    let (_, batch) = read_text(dir.path(), "m.csv", text);
    assert_eq!(batch.diagnostics.len(), 1);
    assert_eq!(
        (
            batch.diagnostics[0].row,
            batch.diagnostics[0].column.as_str()
        ),
        (5, "sex")
    );
    assert_eq!(
        batch
            .member_origins
            .iter()
            .map(|o| o.row)
            .collect::<Vec<_>>(),
        [2, 3]
    );
    assert_eq!(batch.members[0].first_name, "มา\nลี");
}

#[test]
fn a_formula_quote_is_removed_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        edit("members.csv", 2, "first_name", "'=cmd|' /C calc'!A0").replace("แก้วใส", "'@แก้วใส");
    let (_, batch) = read_text(dir.path(), "m.csv", text);
    assert_eq!(batch.diagnostics, vec![]);
    assert_eq!(batch.members[0].first_name, "=cmd|' /C calc'!A0");
    assert_eq!(batch.members[0].last_name, "@แก้วใส");
}

#[test]
fn the_first_row_must_be_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = example("households.csv")
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let (_, batch) = read_text(dir.path(), "h.csv", text);
    assert_eq!(batch.diagnostics.len(), 1);
    assert_eq!(batch.diagnostics[0].row, 1);
    assert!(batch.diagnostics[0]
        .reason
        .to_string()
        .starts_with("the first row is not a header: none of its cells names a column"));
    assert!(batch.households.is_empty());
}

#[test]
fn empty_files_are_reported_and_a_header_alone_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("a.csv", ""), ("b.csv", "\u{feff}"), ("c.csv", "\n\r\n\n")] {
        let (path, batch) = read_text(dir.path(), name, text);
        assert_eq!(
            shown(&batch.diagnostics),
            vec![diag(&path, 0, "", "", "the file is empty")]
        );
    }
    let header = example("members.csv").lines().next().unwrap().to_string();
    // A header alone is a table without rows: nothing to report, and the table is known.
    let header_only = Batch {
        tables: vec![thanrak_core::schema::Table::Members],
        ..Batch::default()
    };
    let (_, batch) = read_text(dir.path(), "d.csv", &header);
    assert_eq!(batch, header_only);
    let (_, batch) = read_text(dir.path(), "e.csv", header + "\n\n");
    assert_eq!(batch, header_only);
}

#[test]
fn a_file_cut_inside_quotes_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = example("members.csv") + "EX024,2566-1,9,,\"มาลี";
    let (path, batch) = read_text(dir.path(), "m.csv", text);
    assert_eq!(
        shown(&batch.diagnostics),
        vec![diag(
            &path,
            88,
            "first_name",
            "มาลี",
            "the file ends inside a quoted value (the closing \" is missing): it looks cut \
             short, so this row is not read"
        )]
    );
    assert_eq!(batch.members.len(), 86);
}

#[test]
fn a_file_cut_mid_row_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = example("members.csv");
    let cut = &text[..text.len() - 20];
    let (_, batch) = read_text(dir.path(), "m.csv", cut);
    assert_eq!(batch.diagnostics.len(), 1, "{:#?}", batch.diagnostics);
    assert_eq!(batch.diagnostics[0].row, 87);
    assert!(batch.diagnostics[0]
        .reason
        .to_string()
        .contains("the line is cut short"));
    assert_eq!(batch.members.len(), 85);
}

/// Encodes Thai text as TIS-620 (U+0E01..U+0E5B are 0xA1..0xFB); other text must be ASCII.
fn tis620(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c as u32 {
            cp @ 0x0E01..=0x0E5B => (cp - 0x0E01 + 0xA1) as u8,
            cp if cp < 0x80 => cp as u8,
            cp => panic!("not TIS-620: U+{cp:04X}"),
        })
        .collect()
}

#[test]
fn thai_8bit_text_is_recognised_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let (path, batch) = read_text(dir.path(), "m.csv", tis620(&example("members.csv")));
    assert_eq!(batch.diagnostics.len(), 1);
    let d = &batch.diagnostics[0];
    assert_eq!(
        (
            d.file.as_str(),
            d.row,
            d.column.as_str(),
            d.reason.to_string().as_str()
        ),
        (
            path.display().to_string().as_str(),
            2,
            "first_name",
            Reason::Thai8Bit.to_string().as_str()
        )
    );
    assert!(batch.members.is_empty());
}

#[test]
fn other_bytes_that_are_not_utf8_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = edit("households.csv", 3, "house_no", "MxUELLER").into_bytes();
    let at = bytes.windows(8).position(|w| w == b"MxUELLER").unwrap();
    bytes.splice(at..at + 8, *b"M\xFCller");
    let (path, batch) = read_text(dir.path(), "h.csv", bytes);
    assert_eq!(
        shown(&batch.diagnostics),
        vec![diag(
            &path,
            3,
            "house_no",
            "M\u{fffd}ller",
            "the file is not UTF-8: byte 0xFC at position 2 of this value is not valid UTF-8; \
             save it as UTF-8 (CSV UTF-8) and import again"
        )]
    );
}

#[test]
fn files_of_other_kinds_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("household_id\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let csv = example("households.csv");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("utf16.csv", utf16, "the file is UTF-16 text, not UTF-8"),
        (
            "data.txt",
            csv.clone().into_bytes(),
            "not a CSV or XLSX file",
        ),
        (
            "old.xls",
            b"\xD0\xCF\x11\xE0rest".to_vec(),
            "not a CSV or XLSX file",
        ),
        (
            "book.xlsx",
            csv.into_bytes(),
            "the file is not an .xlsx workbook (it is not a zip",
        ),
        (
            "broken.xlsx",
            b"PK\x03\x04garbage".to_vec(),
            "the file is not a valid .xlsx workbook",
        ),
        ("empty.xlsx", Vec::new(), "the file is empty"),
        (
            "old.xlsx",
            b"\xD0\xCF\x11\xE0rest".to_vec(),
            "this is an old Excel .xls workbook",
        ),
        (
            "zip.csv",
            b"PK\x03\x04rest".to_vec(),
            "this is an Excel workbook (.xlsx) with a .csv",
        ),
    ];
    for (name, bytes, reason) in cases {
        let (path, batch) = read_text(dir.path(), name, bytes);
        assert_eq!(
            batch.diagnostics.len(),
            1,
            "{name}: {:#?}",
            batch.diagnostics
        );
        let d = &batch.diagnostics[0];
        assert_eq!(
            (d.file.clone(), d.row),
            (path.display().to_string(), 0),
            "{name}"
        );
        assert!(
            d.reason.to_string().starts_with(reason),
            "{name}: {}",
            d.reason
        );
    }
}

#[test]
fn paths_that_cannot_be_opened_are_errors_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.csv");
    let err = read_batch(std::slice::from_ref(&missing), areas(), &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, IoError::Open { .. }));
    assert!(err.to_string().contains("missing.csv"), "{err}");
    let err = read_batch(&[dir.path().to_path_buf()], areas(), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().starts_with("cannot open"), "{err}");
}

/// A reader that gives `head` and then the same byte pattern for ever, lazily.
struct Endless {
    head: Vec<u8>,
    pattern: &'static [u8],
    served: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = self.served as usize;
        for (i, b) in buf.iter_mut().enumerate() {
            let at = start + i;
            *b = match self.head.get(at) {
                Some(h) => *h,
                None => self.pattern[(at - self.head.len()) % self.pattern.len()],
            };
        }
        self.served += buf.len() as u64;
        Ok(buf.len())
    }
}

#[test]
fn an_endless_row_is_stopped_after_a_mebibyte() {
    let header = example("members.csv").lines().next().unwrap().to_string();
    let first = example("members.csv").lines().nth(1).unwrap().to_string();
    for (start, pattern) in [
        ("", &b"x"[..]),
        // An unterminated quote pulls every following line into one value.
        ("\"", &b"a,b\nc"[..]),
    ] {
        let mut input = Endless {
            head: format!("{header}\n{first}\n{start}").into_bytes(),
            pattern,
            served: 0,
        };
        let mut batch = Batch::default();
        read_csv_into(&mut batch, "upload.csv", &mut input, areas()).unwrap();
        assert_eq!(batch.members.len(), 1);
        assert_eq!(batch.diagnostics.len(), 1, "{:#?}", batch.diagnostics);
        let d = &batch.diagnostics[0];
        assert_eq!((d.file.as_str(), d.row), ("upload.csv", 3));
        assert!(
            d.reason.to_string().starts_with("row longer than 1 MiB"),
            "{}",
            d.reason
        );
        assert!(input.served < 3 << 20, "read {} bytes", input.served);
    }
}

#[test]
fn diagnostics_are_capped_per_file_with_a_count_of_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let example = example("members.csv");
    let mut lines = example.lines();
    let header = lines.next().unwrap();
    let bad = lines.next().unwrap().replace(",F,", ",X,");
    let n = MAX_DIAGNOSTICS_PER_FILE + 7;
    let mut text = String::with_capacity(bad.len() * n as usize);
    text.push_str(header);
    text.push('\n');
    for _ in 0..n {
        text.push_str(&bad);
        text.push('\n');
    }
    let (path, batch) = read_text(dir.path(), "m.csv", text);
    assert_eq!(batch.diagnostics.len() as u64, MAX_DIAGNOSTICS_PER_FILE + 1);
    assert_eq!(batch.diagnostics[0].row, 2);
    assert_eq!(
        shown(&batch.diagnostics).last().unwrap(),
        &diag(
            &path,
            0,
            "",
            "",
            "… and 7 more problems (only the first 10000 are listed)"
        )
    );
}

#[test]
fn workbooks_report_error_cells_and_missing_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let good = read(&example_paths());
    let book = dir.path().join("book.xlsx");
    write_xlsx_tables(&book, &good.households, &good.members).unwrap();
    // Plant a #DIV/0! where the first member's name is, as a spreadsheet formula would leave it.
    let planted = dir.path().join("planted.xlsx");
    let mut zin = zip::ZipArchive::new(fs::File::open(&book).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(fs::File::create(&planted).unwrap());
    let mut replaced = false;
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet2.xml" {
            let xml = String::from_utf8(bytes).unwrap();
            let cell = r#"<c r="E2" t="inlineStr"><is><t>มาลี</t></is></c>"#;
            replaced = xml.contains(cell);
            bytes = xml
                .replace(cell, r#"<c r="E2" t="e"><v>#DIV/0!</v></c>"#)
                .into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
    assert!(replaced, "the writer's cell XML changed; update the test");
    let batch = read(std::slice::from_ref(&planted));
    assert_eq!(
        shown(&batch.diagnostics),
        vec![Shown {
            file: format!("{} [members]", planted.display()),
            row: 2,
            column: "first_name".into(),
            value: "#DIV/0!".into(),
            reason: "the cell holds a spreadsheet error: correct the formula or type the value"
                .into(),
        }]
    );
    assert_eq!((batch.households.len(), batch.members.len()), (24, 85));

    // A sheet without a header row, and an empty one.
    let headless = dir.path().join("headless.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("members").unwrap();
    ws.write_string(0, 0, "EX001").unwrap();
    ws.write_number(0, 1, 1.0).unwrap();
    wb.add_worksheet().set_name("households").unwrap();
    wb.save(&headless).unwrap();
    let batch = read(std::slice::from_ref(&headless));
    let label = |sheet: &str| format!("{} [{sheet}]", headless.display());
    let expected = [
        (label("members"), 1, "the first row is not a header:"),
        (label("households"), 0, "the sheet is empty"),
    ];
    assert_eq!(
        batch.diagnostics.len(),
        expected.len(),
        "{:#?}",
        batch.diagnostics
    );
    for (d, (file, row, reason)) in batch.diagnostics.iter().zip(expected) {
        assert_eq!((&d.file, d.row), (&file, row));
        assert!(d.reason.to_string().starts_with(reason), "{}", d.reason);
    }

    let other = dir.path().join("other.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .write_string(0, 0, "household_id")
        .unwrap();
    wb.save(&other).unwrap();
    let batch = read(std::slice::from_ref(&other));
    assert_eq!(
        shown(&batch.diagnostics),
        vec![diag(
            &other,
            0,
            "",
            "",
            "the workbook has no sheet named households (ครัวเรือน) or members (สมาชิก); its \
             sheets are: Sheet1"
        )]
    );
}

#[test]
fn a_name_of_100000_characters_is_refused_with_its_row_and_a_shortened_value() {
    let dir = tempfile::tempdir().unwrap();
    let members = fs::read_to_string(example_dir().join("members.csv"))
        .unwrap()
        .replacen("มาลี", &"ก".repeat(100_000), 1);
    let (path, batch) = read_text(dir.path(), "members.csv", members.into_bytes());
    assert_eq!(batch.diagnostics.len(), 1, "{:#?}", batch.diagnostics);
    let d = &batch.diagnostics[0];
    assert_eq!(
        (d.file.clone(), d.row, d.column.as_str()),
        (path.display().to_string(), 2, "first_name")
    );
    assert_eq!(d.value.chars().count(), 201, "shortened, with an ellipsis");
    assert_eq!(
        d.reason.to_string(),
        "is 100000 characters long: a name or house number may have at most 200"
    );
}

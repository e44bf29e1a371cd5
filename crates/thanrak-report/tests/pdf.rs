//! The PDF, read back with poppler-utils (`pdftotext`, `pdfinfo`, `pdftoppm`): CI installs it,
//! and these tests fail without it. The pages are left as PNG under `tests/output/` (not
//! committed) to be looked at.

#![cfg(feature = "pdf")]

mod sample;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use thanrak_report::model::*;
use thanrak_report::{render_pdf, ReportError};

use sample::{big_map, sample, SPECIAL, THAI_WORD};

fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a poppler tool, failing the test with the fix if it is missing.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} could not be run ({e}): install poppler-utils (apt-get install poppler-utils)"
        )
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pages_of(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    let line = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .expect("pdfinfo gives a page count");
    line["Pages:".len()..].trim().parse().unwrap()
}

#[test]
fn the_sample_renders_to_readable_pages() {
    let report = sample();
    let start = Instant::now();
    let bytes = render_pdf(&report).expect("the sample renders");
    println!(
        "sample report: {} bytes in {:?}",
        bytes.len(),
        start.elapsed()
    );
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");

    let dir = output_dir();
    let pdf = dir.join("sample.pdf");
    std::fs::write(&pdf, &bytes).unwrap();

    // Title and overview, two district charts, a map, a flow, 300 rows and a landscape table.
    let pages = pages_of(&pdf);
    assert!((8..=30).contains(&pages), "{pages} pages");

    let text = poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    // pdftotext puts a space after a tone mark moved left over a tall letter ("ป้ าย"), and
    // breaks lines where the PDF does: compared without white space.
    let squeezed = squeeze(&text);
    assert!(text.contains(THAI_WORD), "no {THAI_WORD} in the text");
    assert!(text.contains("หน้า 1 / "), "no page number");
    assert!(
        text.contains(&format!("หน้า {pages} / {pages}")),
        "no last page number"
    );
    // The typst-special string comes out as written (pdftotext may break lines, not characters).
    assert!(
        squeezed.contains(&squeeze(SPECIAL)),
        "the special string is not shown as written"
    );
    assert!(
        squeezed.contains("#letx=1#{panic()}"),
        "markup in a paragraph was not shown as text"
    );
    // Thousands separators, percentages and the withheld mark.
    assert!(text.contains("48,213"));
    assert!(text.contains('%'));
    assert!(text.contains(WITHHELD_MARK));
    assert!(
        squeezed.contains(&squeeze(WITHHELD_NOTE)),
        "the withheld note is missing"
    );
    // The last of the 300 villages is there: nothing of the long table was lost.
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("300 ")),
        "row 300 is missing"
    );

    // Every page as PNG, to be looked at.
    for old in std::fs::read_dir(&dir).unwrap().flatten() {
        if old.path().extension().is_some_and(|e| e == "png") {
            std::fs::remove_file(old.path()).unwrap();
        }
    }
    poppler(
        "pdftoppm",
        &[
            "-r",
            "110",
            "-png",
            pdf.to_str().unwrap(),
            dir.join("sample").to_str().unwrap(),
        ],
    );
    let pngs = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|e| e == "png"))
        .count();
    assert_eq!(pngs, pages);
}

#[test]
fn a_province_renders_in_well_under_ten_seconds() {
    // A province: the sample's 300-row table and a map of 100 subdistricts of 200 points each.
    let mut report = sample();
    report.sections.push(Section {
        heading: "แผนที่ระดับตำบล".into(),
        blocks: vec![Block::Map(big_map(10, 50))],
    });
    let points: usize = match &report.sections.last().unwrap().blocks[0] {
        Block::Map(m) => m.areas.iter().flat_map(|a| &a.rings).map(Vec::len).sum(),
        _ => unreachable!(),
    };
    assert_eq!(points, 100 * 200);
    // The first render in a process also loads the fonts and typst's standard library; typst
    // memoises, so the same report again is faster than a new one.
    let start = Instant::now();
    render_pdf(&sample()).expect("the sample renders");
    let cold = start.elapsed();
    let start = Instant::now();
    let first = render_pdf(&report).expect("renders");
    let new = start.elapsed();
    let start = Instant::now();
    let second = render_pdf(&report).expect("renders again");
    let again = start.elapsed();
    println!(
        "timing: sample {cold:?} (first in the process); province report ({points} map points) \
         {new:?}, the same again {again:?}; {} bytes",
        first.len()
    );
    assert!(second.starts_with(b"%PDF"));
    let pdf = output_dir().join("province.pdf");
    std::fs::write(&pdf, &first).unwrap();
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    // More than 30 areas: their names are listed by class under the map.
    assert!(text.contains("ตำบลที่ 100"));
}

#[test]
fn rendering_twice_gives_two_pdfs() {
    let report = sample();
    let a = render_pdf(&report).expect("first render");
    let b = render_pdf(&report).expect("second render");
    assert!(a.starts_with(b"%PDF") && b.starts_with(b"%PDF"));
    // Same fonts, same data, no clock: the same size give or take the document's identifiers.
    assert!(
        a.len().abs_diff(b.len()) < 1024,
        "{} vs {}",
        a.len(),
        b.len()
    );
}

#[test]
fn any_strings_render() {
    // Every string field holds text that means something to typst; no typst error may follow.
    let nasty = [
        SPECIAL,
        "",
        " ",
        "\\",
        "\"",
        "]",
        "[",
        "#",
        "$",
        "*",
        "_",
        "`",
        "```",
        "<a>",
        "@a",
        "/*",
        "//",
        "}",
        "{",
        ")",
        "#panic(\"x\")",
        "#read(\"/etc/passwd\")",
        "\u{0}\u{1}\u{7f}\u{202e}",
        "ก\u{e48}\u{e48}\u{e48}",
        "😀 中文 عربي",
        "a\nb\r\nc",
    ];
    for s in nasty {
        let s = s.to_owned();
        let table = Table {
            sheet: s.clone(),
            caption: s.clone(),
            columns: vec![
                Column {
                    header: s.clone(),
                    numeric: false,
                },
                Column {
                    header: s.clone(),
                    numeric: true,
                },
            ],
            rows: vec![
                vec![Cell::Text(s.clone()), Cell::Text(s.clone())],
                vec![Cell::Withheld, Cell::Empty],
            ],
            note: Some(s.clone()),
        };
        let report = Report {
            title: s.clone(),
            subtitle: s.clone(),
            meta: vec![(s.clone(), s.clone())],
            sections: vec![Section {
                heading: s.clone(),
                blocks: vec![
                    Block::Paragraph(s.clone()),
                    Block::Figures(vec![Figure {
                        label: s.clone(),
                        value: s.clone(),
                        note: Some(s.clone()),
                    }]),
                    Block::Table(table),
                    Block::Bars(BarChart {
                        caption: s.clone(),
                        unit: s.clone(),
                        bars: vec![Bar {
                            label: s.clone(),
                            value: -1.0,
                            display: s.clone(),
                        }],
                    }),
                    Block::Map(AreaMap {
                        caption: s.clone(),
                        legend_title: s.clone(),
                        classes: vec![MapClass { label: s.clone() }],
                        areas: vec![MapArea {
                            name: s.clone(),
                            class: Some(0),
                            rings: vec![vec![[100.0, 18.0], [100.1, 18.0], [100.1, 18.1]]],
                        }],
                    }),
                    Block::Flow(Flow {
                        caption: s.clone(),
                        from_title: s.clone(),
                        to_title: s.clone(),
                        nodes_from: vec![s.clone()],
                        nodes_to: vec![s.clone(), s.clone()],
                        links: vec![FlowLink {
                            from: 0,
                            to: 1,
                            count: 3,
                        }],
                    }),
                ],
            }],
            footer: s.clone(),
        };
        let pdf = render_pdf(&report).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert!(pdf.starts_with(b"%PDF"));
    }
}

#[test]
fn empty_and_degenerate_reports_render() {
    assert!(render_pdf(&Report::default()).unwrap().starts_with(b"%PDF"));
    let report = Report {
        title: "ว่าง".into(),
        sections: vec![Section {
            heading: "ไม่มีข้อมูล".into(),
            blocks: vec![
                Block::Figures(vec![]),
                Block::Table(Table {
                    columns: vec![Column::default()],
                    ..Table::default()
                }),
                Block::Bars(BarChart::default()),
                Block::Bars(BarChart {
                    bars: vec![Bar {
                        label: "ศูนย์".into(),
                        value: 0.0,
                        display: "0".into(),
                    }],
                    ..BarChart::default()
                }),
                Block::Map(AreaMap::default()),
                Block::Map(AreaMap {
                    areas: vec![MapArea {
                        name: "จุด".into(),
                        class: None,
                        rings: vec![vec![[100.0, 18.0]]],
                    }],
                    ..AreaMap::default()
                }),
                Block::Flow(Flow::default()),
                Block::Flow(Flow {
                    nodes_from: vec!["ก".into()],
                    nodes_to: vec!["ข".into()],
                    links: vec![FlowLink {
                        from: 0,
                        to: 0,
                        count: 0,
                    }],
                    ..Flow::default()
                }),
            ],
        }],
        ..Report::default()
    };
    assert!(render_pdf(&report).unwrap().starts_with(b"%PDF"));
}

#[test]
fn invalid_reports_are_refused_before_typst() {
    let with = |block: Block| Report {
        sections: vec![Section {
            heading: "ส่วน".into(),
            blocks: vec![block],
        }],
        ..Report::default()
    };
    let short_row = with(Block::Table(Table {
        caption: "ตาราง".into(),
        columns: vec![Column::default(), Column::default()],
        rows: vec![vec![Cell::Int(1)]],
        ..Table::default()
    }));
    let nan = with(Block::Table(Table {
        columns: vec![Column::default()],
        rows: vec![vec![Cell::Num {
            value: f64::NAN,
            decimals: 1,
        }]],
        ..Table::default()
    }));
    let infinite_bar = with(Block::Bars(BarChart {
        bars: vec![Bar {
            value: f64::INFINITY,
            ..Bar::default()
        }],
        ..BarChart::default()
    }));
    let bad_class = with(Block::Map(AreaMap {
        areas: vec![MapArea {
            class: Some(0),
            ..MapArea::default()
        }],
        ..AreaMap::default()
    }));
    let bad_link = with(Block::Flow(Flow {
        nodes_from: vec!["ก".into()],
        links: vec![FlowLink {
            from: 0,
            to: 0,
            count: 1,
        }],
        ..Flow::default()
    }));
    for (report, expected) in [
        (short_row, "row 1 has 1 cells for 2 columns"),
        (nan, "not a finite number"),
        (infinite_bar, "not a finite number"),
        (bad_class, "class 0 of 0"),
        (bad_link, "link from group 0 to group 0"),
    ] {
        match render_pdf(&report) {
            Err(ReportError::Invalid(message)) => {
                assert!(
                    message.contains(expected),
                    "{message:?} does not say {expected:?}"
                );
                assert!(message.starts_with("section 1 (\"ส่วน\")"), "{message}");
            }
            other => panic!("expected Invalid({expected:?}), got {other:?}"),
        }
    }
}

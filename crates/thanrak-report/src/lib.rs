//! The policy-meeting report (Thai, every two months, for a province): a plain data model
//! ([`model`]) rendered into bytes, as PDF ([`render_pdf`]) and as an XLSX workbook
//! ([`render_xlsx`]). Gathering the figures is the application's work; this crate only renders.
//!
//! # The PDF
//! typst is used as a library. A fixed template (`src/report.typ`, compiled in) reads the report
//! from a virtual file, `data.json`: the model checked, its numbers formatted with thousands
//! separators and its charts' geometry computed (the map's projection, the flow's bands) in
//! `view.rs`. User text reaches typst only as JSON string values, never as markup, so a name
//! may hold `#`, `*`, `$`, `[`, `\`, `<`, `@` or quotes. The world typst compiles in holds the
//! template, the JSON and two fonts — Laksaman regular and bold, a TH Sarabun New derivative
//! from fonts-tlwg (GPL-2+ with the font exception, `fonts/README.md`) — and nothing else: no
//! packages, no system fonts, no clock.
//!
//! A4 portrait, page numbers "หน้า N / M" and the footer on every page. A table's columns are
//! sized from its texts' widths in the font (`fonts.rs`) at the largest size, 13 pt down to
//! 10.5 pt, at which it fits across the page; one too wide for that gets landscape pages of its
//! own. Headers repeat when a table breaks across pages, and numbers are right-aligned.
//!
//! # The workbook
//! A first sheet "สรุป" (title, subtitle, meta lines, every section's heading, paragraphs and key
//! figures, with a link to the sheet of each table or chart, and the footer); then a sheet per
//! table, bar chart, map and flow, in order, named after the table's `sheet` or the chart's
//! caption, made to follow Excel's rules and unique. Numbers are numbers (thousands separators,
//! the cell's decimals, percentages with a percent format); a withheld cell is the text
//! [`model::WITHHELD_MARK`] ("–") in both outputs, explained by [`model::WITHHELD_NOTE`] under
//! its table.
//!
//! # Changes to the model as first sketched
//! The types derive `Debug`, `Clone`, `PartialEq` and (all but [`model::Block`] and
//! [`model::Cell`]) `Default`. Nothing else was changed.
//!
//! # Invariants
//! Renders only: no thanrak crate, no IO beyond the crate's own compiled-in files, no network.
//! The PDF reads no clock (the date a report was made is in its footer or meta); the workbook
//! carries its creation time, which rust_xlsxwriter sets. Invalid input (a row with too few cells, a class or group index out of range, a
//! number that is not finite) is [`ReportError::Invalid`]; any valid report renders.

#![forbid(unsafe_code)]

mod fonts;
mod format;
pub mod model;
#[cfg(feature = "pdf")]
mod pdf;
mod view;
mod xlsx;

pub use model::{
    AreaMap, Bar, BarChart, Block, Cell, Column, Figure, Flow, FlowLink, MapArea, MapClass, Report,
    Section, Table,
};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    /// The report breaks a rule of the model; the message says where.
    #[error("invalid report: {0}")]
    Invalid(String),
    /// typst could not typeset the report (a fault of this crate's template: never expected).
    #[error("the PDF could not be typeset: {0}")]
    Typst(String),
    /// The workbook could not be written (e.g. more rows than a sheet holds).
    #[error("the workbook could not be written: {0}")]
    Xlsx(String),
    /// This build has no PDF (built without the `pdf` feature).
    #[error("this build makes no PDF (built without the `pdf` feature): ask for an .xlsx file")]
    NoPdf,
}

/// Renders the report as a PDF (A4, in Thai with the crate's own fonts).
#[cfg(feature = "pdf")]
pub fn render_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let view = view::build(report)?;
    let json = serde_json::to_vec(&view).map_err(|e| ReportError::Invalid(e.to_string()))?;
    pdf::compile(json)
}

/// Without the `pdf` feature: [`ReportError::NoPdf`], once the report is checked.
#[cfg(not(feature = "pdf"))]
pub fn render_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    view::build(report)?;
    Err(ReportError::NoPdf)
}

/// Renders the report as an XLSX workbook: a summary sheet, then a sheet per table and chart.
pub fn render_xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    // The same checks as the PDF's, so that the two fail alike.
    view::build(report)?;
    xlsx::write(report).map_err(|e| ReportError::Xlsx(e.to_string()))
}

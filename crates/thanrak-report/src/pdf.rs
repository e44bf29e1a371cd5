//! The PDF: the fixed template `report.typ` compiled by typst in a world of three files — the
//! template, `data.json` (the report's view) and the crate's two fonts. Nothing is read from disk
//! or the network; there are no packages and no system fonts.

use std::fmt::Write as _;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::fonts::FONTS;
use crate::ReportError;

/// The template, fixed: user text reaches it only as values read from `data.json`.
const TEMPLATE: &str = include_str!("report.typ");

/// The standard library and the fonts: built once per process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a fixed, valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One compilation's files.
struct ReportWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.data_id {
            Err(FileError::NotSource)
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The report's date is in its data; the template never asks for today's.
        None
    }
}

/// Compiles the template over `json` (the report's view) into PDF bytes.
pub(crate) fn compile(json: Vec<u8>) -> Result<Vec<u8>, ReportError> {
    let world = ReportWorld {
        main: Source::new(file_id("/report.typ"), TEMPLATE.to_owned()),
        data_id: file_id("/data.json"),
        data: Bytes::new(json),
    };
    let result = typst::compile::<PagedDocument>(&world).output;
    let pdf =
        result.and_then(|document| typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()));
    // typst memoises across compilations; keep only what the last few used, so that a server
    // rendering many reports does not grow.
    typst::comemo::evict(4);
    pdf.map_err(|errors| ReportError::Typst(describe(&world, errors.as_slice())))
}

/// The errors as one message: each with its place in the template (line:column) and its hints.
fn describe(world: &ReportWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        let place = world.range(diagnostic.span).and_then(|range| {
            let file = diagnostic.span.id()?;
            let source = world.source(file).ok()?;
            let (line, column) = source.lines().byte_to_line_column(range.start)?;
            Some(format!("report.typ:{}:{}: ", line + 1, column + 1))
        });
        let _ = write!(out, "{}{}", place.unwrap_or_default(), diagnostic.message);
        for hint in &diagnostic.hints {
            let _ = write!(out, " (hint: {})", hint.v);
        }
    }
    if out.is_empty() {
        out.push_str("typst failed without an error message");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_fonts_load() {
        assert_eq!(SHARED.fonts.len(), 2);
        let families: Vec<&str> = SHARED
            .fonts
            .iter()
            .map(|f| f.info().family.as_str())
            .collect();
        assert_eq!(families, ["Laksaman", "Laksaman"]);
    }

    #[test]
    fn a_broken_view_is_a_readable_error() {
        let err = compile(b"{}".to_vec()).unwrap_err().to_string();
        assert!(err.contains("report.typ:"), "{err}");
        assert!(err.contains("title"), "{err}");
    }
}

//! Field data (issue 13): the household survey as an XLSForm for ODK Collect and KoboToolbox
//! (`form`), how a submission exported by those tools becomes the rows of the import format
//! (`submission`), and likely duplicate persons and households (`duplicates`).
//!
//! The form's questions are the columns of methodology §1 under the same names, so that an
//! export's headers name the importer's columns once their group path is taken off; what the
//! form asks only where it applies (skip logic) is filled in by `submission` with the value the
//! skip implies, and only when the skip holds.

pub mod duplicates;
pub mod form;
pub mod submission;

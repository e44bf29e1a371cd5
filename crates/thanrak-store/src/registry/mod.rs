//! The registry: survey rounds with their households and members, the area table, and imports —
//! what a batch writes (`import.rs`, one function per backend where the SQL differs), what it is
//! checked against (`read.rs`'s stored keys) and the clashes kept from its checks
//! (`import_checks.rs`). `read.rs` reads whole rounds, `scoped.rs` the pages and households a
//! reader's [`Scope`](crate::Scope) lets it see, `areas.rs` the area table.

mod areas;
pub(crate) mod history;
mod import;
mod import_checks;
pub(crate) mod persons;
mod quality;
mod read;
mod scoped;

use crate::Store;

pub use history::{Recorded, SubmissionRow, VersionRow};
pub use import::{ImportSummary, MemberUpdate};
pub use import_checks::ImportConflict;
pub use persons::{DuplicateReview, PersonRow};
pub use quality::AreaQuality;
pub use read::{RoundSummary, StoredKeys};
pub use scoped::ListedHousehold;

/// Rounds, households, members, areas and imports: `store.registry()`.
#[derive(Debug, Clone, Copy)]
pub struct Registry<'s>(pub(crate) &'s Store);

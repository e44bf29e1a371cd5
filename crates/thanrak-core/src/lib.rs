//! The pure core of thanrak: domain types that validate on construction, the area registry,
//! and (in later modules) the methodology. Nothing here does IO, async work, or talks to a
//! database or the network; callers hand it values and get values back.

#![forbid(unsafe_code)]

pub mod agency;
pub mod area;
pub mod case;
pub mod classing;
pub mod date;
pub mod economy;
pub mod field;
pub mod help;
pub mod household;
pub mod identity;
pub mod ids;
pub mod labels;
pub mod reason;
pub mod schema;
pub mod strategy;
pub mod terminal;

pub use area::{Area, AreaCode, AreaLevel, AreaRegistry};
pub use household::{Household, Member};
pub use ids::{HouseholdId, NationalId, RoundLabel};
pub use labels::Lang;
pub use reason::Reason;
pub use schema::{FieldError, FieldValue};
pub use terminal::escape_for_terminal;
pub mod measure;
pub mod methodology;
pub mod plan;

#[doc(hidden)]
pub use serde as __serde;

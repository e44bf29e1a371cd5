//! The two tables of a survey round as columns: their names (and Thai aliases), kinds, how a cell's
//! text becomes a typed value, how values become a [`Household`](crate::Household) or
//! [`Member`](crate::Member) and back, and the checks that span rows and tables. Readers, writers
//! and both database backends share this one description, so a column is declared once.
//!
//! `columns` declares the tables, `fields` reads a cell's text as a [`FieldValue`], `records`
//! turns a row of values into a record and back, and `checks` holds [`check_batch`].

mod checks;
mod columns;
mod fields;
mod records;

pub use checks::{check_batch, RowProblem};
pub use columns::{
    coded_values, match_header, Coded, Column, Kind, Table, HOUSEHOLD_COLUMNS, MAX_AGE,
    MAX_NAME_CHARS, MAX_TEXT_CHARS, MEMBER_COLUMNS,
};
pub use fields::{parse_cells, FieldError, FieldValue};

//! The checks that look across rows and tables of a batch.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use super::columns::{Table, MAX_AGE};
use super::fields::FieldError;
use crate::reason::Reason;
use crate::{date, Household, HouseholdId, Member, NationalId, RoundLabel};

/// A problem found by a check that looks across rows: the row is an index into the table's slice.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// The table of the offending row.
    pub table: Table,
    /// Index of the row in the slice passed in.
    pub index: usize,
    /// The problem.
    pub error: FieldError,
    /// When the problem is a clash with a record already stored (not one of the batch): the
    /// stored household it clashes with. Whoever shows the problem decides how much of it the
    /// user may learn; the reason names the household only for callers that see everything.
    pub stored: Option<HouseholdId>,
}

/// Checks that span rows and tables: duplicated keys, members without a household (in this
/// batch), ages impossible at the survey date, and one national id in two households of a round
/// (also against `existing`: national ids already stored, with their household and round).
pub fn check_batch(
    households: &[Household],
    members: &[Member],
    existing: &HashMap<(RoundLabel, NationalId), HouseholdId>,
) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    // FxHash: the default SipHash was an eighth of a programme-size import, and these keys
    // come from the file being checked, not from an adversary who could flood one bucket.
    let mut hh_index: FxHashMap<(&RoundLabel, &HouseholdId), usize> = FxHashMap::default();
    hh_index.reserve(households.len());
    for (i, h) in households.iter().enumerate() {
        if let Some(first) = hh_index.insert((&h.round, &h.household_id), i) {
            hh_index.insert((&h.round, &h.household_id), first);
            problems.push(RowProblem {
                table: Table::Households,
                index: i,
                error: FieldError {
                    column: "household_id",
                    value: h.household_id.to_string(),
                    reason: Reason::DuplicateHousehold {
                        round: h.round.to_string(),
                    },
                },
                stored: None,
            });
        }
    }
    let mut member_keys: FxHashSet<(&RoundLabel, &HouseholdId, u16)> = FxHashSet::default();
    member_keys.reserve(members.len());
    let mut ids: FxHashMap<(&RoundLabel, NationalId), &HouseholdId> = FxHashMap::default();
    ids.reserve(members.len());
    for (i, m) in members.iter().enumerate() {
        let mut problem_with = |column, value: String, reason: Reason, stored| {
            problems.push(RowProblem {
                table: Table::Members,
                index: i,
                error: FieldError {
                    column,
                    value,
                    reason,
                },
                stored,
            })
        };
        let mut problem =
            |column, value: String, reason: Reason| problem_with(column, value, reason, None);
        if !member_keys.insert((&m.round, &m.household_id, m.member_no)) {
            problem(
                "member_no",
                m.member_no.to_string(),
                Reason::DuplicateMember {
                    household: m.household_id.to_string(),
                    round: m.round.to_string(),
                },
            );
        }
        let Some(&hi) = hh_index.get(&(&m.round, &m.household_id)) else {
            problem(
                "household_id",
                m.household_id.to_string(),
                Reason::NoSuchHousehold {
                    round: m.round.to_string(),
                },
            );
            continue;
        };
        let survey_date = households[hi].survey_date;
        if let Some(b) = m.birth_date {
            if b > survey_date {
                problem(
                    "birth_date",
                    date::format_iso(b),
                    Reason::AfterSurveyDate { survey_date },
                );
            }
        }
        match m.age_at(survey_date) {
            Some(a) if a > MAX_AGE => problem(
                if m.birth_date.is_some() {
                    "birth_date"
                } else {
                    "age"
                },
                m.birth_date.map_or_else(|| a.to_string(), date::format_iso),
                Reason::AgeOver {
                    age: i64::from(a),
                    max: i64::from(MAX_AGE),
                },
            ),
            _ => {}
        }
        if let Some(nid) = m.national_id {
            let clash = match ids.get(&(&m.round, nid)) {
                Some(other) => Some(((*other).clone(), false)),
                None => {
                    ids.insert((&m.round, nid), &m.household_id);
                    existing
                        .get(&(m.round.clone(), nid))
                        .filter(|other| {
                            **other != m.household_id
                                // A household being re-imported replaces its stored members.
                                && !hh_index.contains_key(&(&m.round, *other))
                        })
                        .map(|other| (other.clone(), true))
                }
            };
            if let Some((other, stored)) = clash {
                problem_with(
                    "national_id",
                    nid.digits(),
                    if other == m.household_id {
                        Reason::NationalIdTwiceInHousehold {
                            household: other.to_string(),
                            round: m.round.to_string(),
                        }
                    } else {
                        Reason::MemberElsewhere {
                            household: other.to_string(),
                            round: m.round.to_string(),
                        }
                    },
                    stored.then_some(other.clone()),
                );
            }
        }
    }
    problems
}

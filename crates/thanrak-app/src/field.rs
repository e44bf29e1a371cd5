//! Field data (issue 13): the survey form for ODK Collect and KoboToolbox, the submissions of
//! their exports sorted into new, edited and unchanged before an import loads them, and the
//! history of a household's record (the versions an edit replaced, with who, when and how).
//!
//! A field export is read by `thanrak_io::read_batch` like any import file, so it is checked,
//! reported row by row and loaded all or nothing by the same `check_files` and `load_checked`;
//! this module adds what submissions need: an unchanged submission is left out, an edited one
//! replaces its household and the record it replaces is kept as a version, in the import's own
//! transaction.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use thanrak_core::field::form::{household_form, XlsForm};
use thanrak_core::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{Area, AreaCode, AreaLevel, AreaRegistry, Household, HouseholdId, Member};
use thanrak_core::{Reason, RoundLabel};
use thanrak_io::{Diagnostic, Origin, Submission};
use thanrak_store::{Recorded, Scope, Store, SubmissionRow, VersionRow};

use crate::{AppError, CheckedBatch};

/// What the field submissions of a batch are.
#[derive(Debug, Clone, Default)]
pub struct FieldBatch {
    /// The submissions to record with the load (new and edited).
    pub submissions: Vec<SubmissionRow>,
    /// The households an edited submission replaces: round, household, the submission's key.
    pub edited: Vec<(RoundLabel, HouseholdId, String)>,
    /// Submissions already loaded at the same version, left out.
    pub unchanged: usize,
    /// Submissions the project rejected in the tool, left out.
    pub rejected: u64,
    /// Who loads them (kept with the versions the edits replace).
    pub saved_by: String,
}

impl FieldBatch {
    /// Whether the batch held no field submission at all.
    pub fn is_empty(&self) -> bool {
        self.submissions.is_empty() && self.unchanged == 0 && self.rejected == 0
    }

    /// New submissions (not edits of one loaded before).
    pub fn new_count(&self) -> usize {
        self.submissions.len() - self.edited.len()
    }

    /// Whether an edited submission replaces this household.
    pub fn replaces(&self, round: &RoundLabel, household: &HouseholdId) -> bool {
        self.edited
            .iter()
            .any(|(r, h, _)| r == round && h == household)
    }
}

/// The parts of a batch read from files that sorting submissions changes.
pub(crate) struct Read<'a> {
    pub households: &'a mut Vec<Household>,
    pub household_origins: &'a mut Vec<Origin>,
    pub members: &'a mut Vec<Member>,
    pub member_origins: &'a mut Vec<Origin>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

/// Sorts the batch's submissions against those loaded before: an unchanged one is taken out of
/// the batch with its members, an edited one must name the household its earlier version
/// loaded (else a problem on its row), a new one is kept.
pub(crate) async fn sort_submissions(
    store: &Store,
    read: Read<'_>,
    submissions: Vec<Submission>,
    rejected: u64,
) -> Result<FieldBatch, AppError> {
    let mut out = FieldBatch {
        rejected,
        ..FieldBatch::default()
    };
    if submissions.is_empty() {
        return Ok(out);
    }
    let at: HashMap<(&str, u64), usize> = read
        .household_origins
        .iter()
        .enumerate()
        .map(|(i, o)| ((o.file.as_str(), o.row), i))
        .collect();
    let found: Vec<(Submission, usize)> = submissions
        .into_iter()
        .filter_map(|s| {
            // A submission whose household row has problems is reported already.
            let i = *at.get(&(s.origin.file.as_str(), s.origin.row))?;
            Some((s, i))
        })
        .collect();
    let rounds: BTreeSet<RoundLabel> = found
        .iter()
        .map(|(_, i)| read.households[*i].round.clone())
        .collect();
    let rounds: Vec<RoundLabel> = rounds.into_iter().collect();
    let stored = store.registry().submissions(&rounds).await?;
    let mut drop: HashSet<usize> = HashSet::new();
    for (s, i) in found {
        let h = &read.households[i];
        let row = SubmissionRow {
            round: h.round.clone(),
            key: s.key.clone(),
            tool: s.tool.code().to_string(),
            version: s.version.clone(),
            household_id: h.household_id.clone(),
            submitted_at: s.submitted_at.clone(),
        };
        match stored.get(&(h.round.clone(), s.key.clone())) {
            Some((version, _)) if *version == s.version => {
                out.unchanged += 1;
                drop.insert(i);
            }
            Some((_, was)) if *was != h.household_id => {
                read.diagnostics.push(Diagnostic {
                    file: s.origin.file.clone(),
                    row: s.origin.row,
                    column: "household_id".into(),
                    value: h.household_id.to_string(),
                    reason: Reason::FieldEditMovesHousehold {
                        was: was.to_string(),
                    },
                });
            }
            Some(_) => {
                out.edited
                    .push((h.round.clone(), h.household_id.clone(), s.key.clone()));
                out.submissions.push(row);
            }
            None => out.submissions.push(row),
        }
    }
    if !drop.is_empty() {
        let gone: HashSet<(RoundLabel, HouseholdId)> = drop
            .iter()
            .map(|&i| {
                let h = &read.households[i];
                (h.round.clone(), h.household_id.clone())
            })
            .collect();
        let mut k = 0;
        read.households.retain(|_| {
            k += 1;
            !drop.contains(&(k - 1))
        });
        let mut k = 0;
        read.household_origins.retain(|_| {
            k += 1;
            !drop.contains(&(k - 1))
        });
        let keep: Vec<bool> = read
            .members
            .iter()
            .map(|m| !gone.contains(&(m.round.clone(), m.household_id.clone())))
            .collect();
        let mut k = 0;
        read.members.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        let mut k = 0;
        read.member_origins.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }
    Ok(out)
}

/// A household's record as a version keeps it: each column's text, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The household row.
    pub household: Vec<(String, String)>,
    /// The member rows, by member number.
    pub members: Vec<Vec<(String, String)>>,
}

impl Record {
    /// The record of a household and its members.
    pub fn of(household: &Household, members: &[Member]) -> Record {
        let cells = |columns: &[thanrak_core::schema::Column],
                     values: Vec<thanrak_core::FieldValue>| {
            columns
                .iter()
                .zip(values)
                .map(|(c, v)| (c.name.to_string(), v.to_text()))
                .collect::<Vec<_>>()
        };
        Record {
            household: cells(HOUSEHOLD_COLUMNS, household.to_values()),
            members: members
                .iter()
                .map(|m| cells(MEMBER_COLUMNS, m.to_values()))
                .collect(),
        }
    }

    /// The record as kept in the store.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a record serialises")
    }

    /// A record read back from the store.
    pub fn decode(text: &str) -> Result<Record, AppError> {
        serde_json::from_str(text)
            .map_err(|e| AppError::Store(thanrak_store::StoreError::Corrupt(e.to_string())))
    }
}

/// The versions that loading `batch` replaces, with the submissions it loads.
pub(crate) async fn recorded(
    store: &Store,
    batch: &CheckedBatch,
    source: &str,
) -> Result<Recorded, AppError> {
    let field = &batch.field;
    let mut versions = Vec::new();
    let now = Utc::now();
    let by = if field.saved_by.is_empty() {
        source.to_string()
    } else {
        field.saved_by.clone()
    };
    let mut by_round: HashMap<&RoundLabel, Vec<(&HouseholdId, &String)>> = HashMap::new();
    for (round, id, key) in &field.edited {
        by_round.entry(round).or_default().push((id, key));
    }
    for (round, edits) in by_round {
        let ids: Vec<HouseholdId> = edits.iter().map(|(id, _)| (*id).clone()).collect();
        let latest = store.registry().latest_versions(round, &ids).await?;
        let members = store
            .registry()
            .scoped_members(&Scope::All, round, &ids)
            .await?;
        for (id, key) in edits {
            let household = match store
                .registry()
                .scoped_household(&Scope::All, round, id)
                .await
            {
                Ok(h) => h,
                Err(thanrak_store::StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            let mine: Vec<Member> = members
                .iter()
                .filter(|m| &m.household_id == id)
                .cloned()
                .collect();
            versions.push(VersionRow {
                round: round.clone(),
                household_id: id.clone(),
                version: latest.get(id).copied().unwrap_or(0) + 1,
                saved_at: now,
                saved_by: by.clone(),
                source: format!("edited submission {key}"),
                record: Record::of(&household, &mine).encode(),
            });
        }
    }
    Ok(Recorded {
        submissions: field.submissions.clone(),
        versions,
        ..Recorded::default()
    })
}

/// The areas a form's village lists offer: the official provinces, districts and subdistricts
/// inside `within` (every one when `None`) and the villages the registry knows there.
pub async fn form_areas(store: &Store, within: &[AreaCode]) -> Result<Vec<Area>, AppError> {
    let registry = AreaRegistry::official();
    let inside =
        |c: &AreaCode| within.is_empty() || within.iter().any(|w| c.is_within(w) || w.is_within(c));
    let mut areas: Vec<Area> = registry
        .areas()
        .iter()
        .filter(|a| inside(&a.code))
        .cloned()
        .collect();
    let villages = store.registry().areas_of_level(AreaLevel::Village).await?;
    areas.extend(villages.into_iter().filter(|v| inside(&v.code)));
    Ok(areas)
}

/// The survey form of `round` for the areas `within` (every area when empty), as an XLSForm
/// workbook. Its version is the day and hour it was made, so that a form made again after the
/// registry learnt new villages is a new version for the tools.
pub async fn xlsform(
    store: &Store,
    round: &RoundLabel,
    within: &[AreaCode],
) -> Result<(XlsForm, Vec<u8>), AppError> {
    let areas = form_areas(store, within).await?;
    let version = Utc::now().format("%Y%m%d%H").to_string();
    let form = household_form(round, &areas, &version);
    let bytes = thanrak_io::xlsform(&form)
        .map_err(|e| AppError::Invalid(format!("cannot write the form: {e}")))?;
    Ok((form, bytes))
}

/// The survey form of `round` as `user` downloads it: for the roles that import (policy), with
/// the village lists of the areas it imports into.
pub async fn form_for(
    store: &Store,
    user: &thanrak_store::User,
    round: &RoundLabel,
) -> Result<(XlsForm, Vec<u8>), crate::access::AccessError> {
    let areas = crate::policy::import_areas(user)?.unwrap_or_default();
    Ok(xlsform(store, round, &areas).await?)
}

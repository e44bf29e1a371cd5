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
                    reason: Reason::FieldEditMovesHousehold,
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

/// The demo's field data (issue 13), so that a new user sees it on first start: the demo
/// surveyor's subdistrict in the latest round loaded as ODK Central submissions (through the
/// importer, from a CSV export of the form), a newer export with three of them edited (their
/// earlier records kept as versions), two households corrected on the web by the Lampang area
/// manager, and likely duplicates — one person recorded in two households, one by name and
/// birth date (spelt with a space), one pair marked as not duplicates. Returns what it did.
pub async fn load_demo_field(store: &Store) -> Result<String, AppError> {
    use crate::entry::{save_household, Entry, Saved};
    use thanrak_io::field_write::{central_csv_zip, Filled};
    let rounds = crate::rounds(store).await?;
    let (Some(first), Some(latest)) = (rounds.first(), rounds.last()) else {
        return Ok("no round".into());
    };
    let lampang = AreaCode::parse("52").expect("a province code");
    let (firsts, _) = store
        .registry()
        .scoped_households(&Scope::Areas(vec![lampang]), &first.label, None, 0, 1)
        .await?;
    let Some(sub) = firsts.first().and_then(|h| h.village_code.parent()) else {
        return Ok("no Lampang household".into());
    };
    let round = latest.label.clone();
    let (households, _) = store
        .registry()
        .scoped_households(&Scope::Areas(vec![sub]), &round, None, 0, 40)
        .await?;
    if households.len() < 6 {
        return Ok("too few households".into());
    }
    let ids: Vec<HouseholdId> = households.iter().map(|h| h.household_id.clone()).collect();
    let members = store
        .registry()
        .scoped_members(&Scope::All, &round, &ids)
        .await?;
    let members_of = |id: &HouseholdId| -> Vec<Member> {
        members
            .iter()
            .filter(|m| &m.household_id == id)
            .cloned()
            .collect()
    };
    let mut filled: Vec<Filled> = households
        .iter()
        .enumerate()
        .map(|(i, h)| Filled {
            key: format!("uuid:d3m0{i:04}-8f1c-4e2a-9b7d-5a6c{i:08x}"),
            version: format!("uuid:d3m0{i:04}-8f1c-4e2a-9b7d-5a6c{i:08x}"),
            submitted_at: format!("2025-07-{:02}T09:{:02}:00.000Z", 1 + i % 28, i % 60),
            review: None,
            household: h.clone(),
            members: members_of(&h.household_id),
        })
        .collect();
    let form = household_form(&round, &form_areas(store, &[sub]).await?, "demo");
    let dir = std::env::temp_dir().join(format!("thanrak-demo-field-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Invalid(e.to_string()))?;
    let zip = dir.join(format!(
        "{}.zip",
        thanrak_core::field::form::form_id(&round)
    ));
    let importer = crate::Importer {
        user_id: 0,
        user_name: "demo:odk-central".into(),
    };
    let import = |bytes: Vec<u8>| {
        let zip = zip.clone();
        let importer = importer.clone();
        async move {
            std::fs::write(&zip, bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
            crate::import_files(
                store,
                &importer,
                std::slice::from_ref(&zip),
                crate::ImportMode::Whole,
                true,
                &mut |_, _, _| {},
            )
            .await
        }
    };
    import(central_csv_zip(&form, &form.settings[1].1, &filled)).await?;
    // A newer export: three submissions edited in the field.
    for (k, f) in filled.iter_mut().enumerate().skip(1).step_by(7).take(3) {
        f.version = format!("uuid:e41t{k:04}-2b3c-4d5e-8f90-a1b2c3d4e5f6");
        f.submitted_at = "2025-08-02T10:30:00.000Z".into();
        f.household.savings_thb += 2_000.0;
        f.household.sanitary_toilet = true;
        if let Some(m) = f.members.first_mut() {
            m.income_thb_year += 12_000.0;
        }
    }
    import(central_csv_zip(&form, &form.settings[1].1, &filled)).await?;
    let _ = std::fs::remove_dir_all(&dir);
    // Two households corrected on the web by the Lampang area manager.
    let mut manager = crate::policy::command_line_user();
    manager.name = thanrak_core::identity::UserName::parse("lampang")
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    for h in households.iter().skip(2).step_by(9).take(2) {
        let record = Record::of(h, &members_of(&h.household_id));
        let keys = ["household_id", "round", "member_no"];
        let strip = |c: &Vec<(String, String)>| -> Vec<(String, String)> {
            c.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .cloned()
                .collect()
        };
        let mut entry = Entry {
            household: strip(&record.household),
            members: record.members.iter().map(strip).collect(),
            version: Some(
                store
                    .registry()
                    .latest_versions(&round, std::slice::from_ref(&h.household_id))
                    .await?
                    .get(&h.household_id)
                    .copied()
                    .unwrap_or(0),
            ),
        };
        for (k, v) in &mut entry.household {
            match k.as_str() {
                "electricity" => *v = "1".into(),
                "housing_condition" => *v = "needs_repair".into(),
                _ => {}
            }
        }
        match save_household(store, &manager, &round, h.household_id.as_str(), &entry).await {
            Ok(Saved::Saved { .. }) => {}
            Ok(Saved::Rejected(p)) => {
                return Err(AppError::Invalid(format!("demo correction refused: {p:?}")))
            }
            Err(e) => return Err(AppError::Invalid(format!("demo correction: {e}"))),
        }
    }
    // Likely duplicates: a person of household 0 also in household 3 (national id), a person
    // of household 4 also in household 5 (name spelt with a space, same birth date), a person of
    // household 1 also in household 6 (likewise), marked as not duplicates.
    let copies = [(0usize, 3usize, true), (4, 5, false), (1, 6, false)];
    let mut changed_h = Vec::new();
    let mut changed_m = Vec::new();
    for (from, to, by_id) in copies {
        let (Some(a), Some(b)) = (households.get(from), households.get(to)) else {
            continue;
        };
        let source = members_of(&a.household_id);
        let Some(person) = source
            .iter()
            .find(|m| m.birth_date.is_some() && (m.national_id.is_some() == by_id))
            .or_else(|| source.iter().find(|m| m.birth_date.is_some()))
        else {
            continue;
        };
        let mut theirs = members_of(&b.household_id);
        let mut copy = person.clone();
        copy.household_id = b.household_id.clone();
        copy.member_no = theirs.iter().map(|m| m.member_no).max().unwrap_or(0) + 1;
        copy.relation = thanrak_core::household::Relation::Relative;
        if !by_id {
            copy.national_id = None;
            // A space typed before a consonant, never before the mark that sits on one.
            let mut chars: Vec<char> = copy.first_name.chars().collect();
            let at = (2..chars.len())
                .find(|&i| ('\u{0E01}'..='\u{0E2E}').contains(&chars[i]))
                .unwrap_or(chars.len());
            chars.insert(at, ' ');
            copy.first_name = chars.into_iter().collect();
        }
        theirs.push(copy);
        changed_h.push(b.clone());
        changed_m.extend(theirs);
    }
    store
        .registry()
        .import(&changed_h, &changed_m, "demo duplicates", &mut |_, _| {})
        .await?;
    let admin = crate::policy::command_line_user();
    let list = crate::duplicates::list_duplicates(
        store,
        &admin,
        &crate::duplicates::DuplicateQuery {
            area: Some(sub),
            page: 1,
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    let marked = households.get(6).map(|h| h.household_id.clone());
    if let Some(g) = list.groups.iter().find(|g| {
        g.persons
            .iter()
            .any(|p| Some(&p.household_id) == marked.as_ref())
    }) {
        crate::duplicates::mark_not_duplicates(
            store,
            &manager,
            &g.key,
            "พี่น้องฝาแฝดชื่อเดียวกัน ตรวจที่บ้านแล้ว",
        )
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    }
    Ok(format!(
        "{} households of subdistrict {sub} loaded as ODK Central submissions (3 edited), 2 \
         corrected on the web, {} groups of likely duplicates",
        filled.len(),
        list.total
    ))
}

//! Households entered and corrected on the web (issue 13): a household of a round with its
//! members, as the cells of the import format, checked by the same parsers and batch checks as
//! an import (with the same reasons, in Thai and English), inside the user's areas, and saved in
//! one transaction with the record it replaces kept as a version — who, when, how. A change
//! made from a version that is no longer the latest is refused, so that of two corrections made
//! at once the second does not undo the first unseen. The history of a household shows each
//! change as old → new, field by field, masked for roles that see personal data masked.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thanrak_core::schema::{check_batch, parse_cells, Column, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaCode, AreaRegistry, Household, HouseholdId, Member, Reason, RoundLabel};
use thanrak_io::Diagnostic;
use thanrak_store::{
    MemberUpdate, NewAuditEntry, Recorded, Scope, Store, StoreError, User, VersionRow,
};

use crate::access::{mask_name, AccessError};
use crate::field::Record;
use crate::{policy, AppError};

/// A household as a form sends it: the cells of the import format by column name (the round
/// and household id of members are the household's), and the version it was read at (`0` for
/// a household without history, `None` for a new household).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The household's cells by column.
    pub household: Vec<(String, String)>,
    /// Each member's cells by column, in order (member numbers follow the order).
    pub members: Vec<Vec<(String, String)>>,
    /// The version the form was opened at.
    pub version: Option<i64>,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// Saved: the household, and its version now (the number of earlier versions kept).
    Saved {
        /// The household.
        household_id: HouseholdId,
        /// Versions kept.
        version: i64,
    },
    /// Refused: every problem, as an import reports it (`file` is `household` or `member N`).
    Rejected(Vec<Diagnostic>),
}

/// The cell of column `name` (empty when the record has none).
pub fn cell<'a>(cells: &'a [(String, String)], name: &str) -> &'a str {
    cells
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn problem(file: String, column: &str, value: &str, reason: Reason) -> Diagnostic {
    Diagnostic {
        file,
        row: 0,
        column: column.to_string(),
        value: value.to_string(),
        reason,
    }
}

fn unknown_columns(file: &str, cells: &[(String, String)], columns: &[Column]) -> Vec<Diagnostic> {
    cells
        .iter()
        .filter(|(k, _)| !columns.iter().any(|c| c.name == k))
        .map(|(k, _)| {
            problem(
                file.to_string(),
                k,
                "",
                Reason::UnknownColumn {
                    expected: columns.iter().map(|c| c.name.to_string()).collect(),
                },
            )
        })
        .collect()
}

/// Parses the form's cells into a household and its members, every problem reported.
pub fn parse_entry(
    round: &RoundLabel,
    household_id: &str,
    entry: &Entry,
) -> Result<(Household, Vec<Member>), Vec<Diagnostic>> {
    let mut problems = unknown_columns("household", &entry.household, HOUSEHOLD_COLUMNS);
    let texts: Vec<String> = HOUSEHOLD_COLUMNS
        .iter()
        .map(|c| match c.name {
            "round" => round.to_string(),
            "household_id" => household_id.to_string(),
            n => cell(&entry.household, n).to_string(),
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (values, errors) = parse_cells(HOUSEHOLD_COLUMNS, &refs);
    let household = Household::from_values(&values, AreaRegistry::official());
    for e in errors
        .iter()
        .chain(household.as_ref().err().into_iter().flatten())
    {
        problems.push(problem(
            "household".into(),
            e.column,
            &e.value,
            e.reason.clone(),
        ));
    }
    let mut members = Vec::new();
    for (i, cells) in entry.members.iter().enumerate() {
        let file = format!("member {}", i + 1);
        problems.extend(unknown_columns(&file, cells, MEMBER_COLUMNS));
        let texts: Vec<String> = MEMBER_COLUMNS
            .iter()
            .map(|c| match c.name {
                "round" => round.to_string(),
                "household_id" => household_id.to_string(),
                "member_no" => (i + 1).to_string(),
                n => cell(cells, n).to_string(),
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (values, errors) = parse_cells(MEMBER_COLUMNS, &refs);
        let member = Member::from_values(&values);
        for e in errors
            .iter()
            .chain(member.as_ref().err().into_iter().flatten())
        {
            problems.push(problem(file.clone(), e.column, &e.value, e.reason.clone()));
        }
        if let (Ok(m), true) = (member, errors.is_empty()) {
            members.push(m);
        }
    }
    if entry.members.is_empty() {
        problems.push(problem(
            "member 1".into(),
            "first_name",
            "",
            Reason::Required,
        ));
    }
    match household {
        Ok(h) if problems.is_empty() => Ok((h, members)),
        _ => Err(problems),
    }
}

/// Saves a household entered or corrected on the web: `household_id` of `round`, new when
/// `entry.version` is `None`. Checked as an import is, inside the user's areas; the record it
/// replaces is kept as a version. The round's scores are dropped (as an import drops them); the
/// caller queues its scoring.
pub async fn save_household(
    store: &Store,
    user: &User,
    round: &RoundLabel,
    household_id: &str,
    entry: &Entry,
) -> Result<Saved, AccessError> {
    let areas = policy::household_editor(user)?;
    // A round starts with an import (or a field export); the web adds to rounds that exist.
    crate::ensure_round(store, round).await?;
    let scope = match &areas {
        None => Scope::All,
        Some(a) => Scope::Areas(a.clone()),
    };
    let masked = !policy::sees_personal_data(user.role);
    let mut entry = entry.clone();
    if masked {
        if let Ok(hid) = HouseholdId::parse(household_id) {
            if let Ok(h) = store.registry().scoped_household(&scope, round, &hid).await {
                let m = store
                    .registry()
                    .scoped_members(&scope, round, std::slice::from_ref(&hid))
                    .await?;
                unmask(&mut entry, &Record::of(&h, &m));
            }
        }
    }
    let entry = &entry;
    let (household, members) = match parse_entry(round, household_id, entry) {
        Ok(parsed) => parsed,
        Err(problems) => return Ok(Saved::Rejected(problems)),
    };
    let id = household.household_id.clone();
    let mut problems = Vec::new();
    if let Some(a) = &areas {
        if !a.iter().any(|x| household.village_code.is_within(x)) {
            problems.push(problem(
                "household".into(),
                "village_code",
                &household.village_code.to_string(),
                Reason::OutsideYourAreas {
                    areas: a.iter().map(AreaCode::to_string).collect(),
                },
            ));
        }
    }
    // The record it replaces: one the user reads (else not found, whichever it is).
    let stored = match store.registry().scoped_household(&scope, round, &id).await {
        Ok(h) => Some(h),
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(AppError::from(e).into()),
    };
    let latest = store
        .registry()
        .latest_versions(round, std::slice::from_ref(&id))
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0);
    match (&stored, entry.version) {
        (None, Some(_)) => {
            return Err(AppError::NotFound(format!("no household {id} in round {round}")).into())
        }
        (Some(_), None) => {
            return Err(AppError::Rule(format!(
                "round {round} already holds a household {id}: open it to correct it"
            ))
            .into())
        }
        (Some(_), Some(v)) if v != latest => {
            return Err(AppError::Rule(format!(
                "household {id} was changed by someone else since you opened it (version {latest}, \
                 not {v}): open it again to see the change"
            ))
            .into())
        }
        _ => {}
    }
    if stored.is_none() {
        // Not one the user reads: a household of the round outside its areas is a clash it may
        // not see named.
        let keys = store
            .registry()
            .stored_keys(std::slice::from_ref(round))
            .await?;
        if keys.households.contains_key(&(round.clone(), id.clone())) {
            problems.push(problem(
                "household".into(),
                "household_id",
                id.as_str(),
                Reason::HiddenHousehold,
            ));
        }
    }
    let keys = store
        .registry()
        .stored_keys(std::slice::from_ref(round))
        .await?;
    for p in check_batch(
        std::slice::from_ref(&household),
        &members,
        &keys.national_ids,
    ) {
        let file = match p.table {
            thanrak_core::schema::Table::Households => "household".to_string(),
            thanrak_core::schema::Table::Members => format!("member {}", p.index + 1),
        };
        let reason = match p.stored {
            // A clash with a stored member is named only for a household the user reads.
            Some(other)
                if !policy::sees_personal_data(user.role)
                    || store
                        .registry()
                        .scoped_household(&scope, round, &other)
                        .await
                        .is_err() =>
            {
                Reason::HiddenNationalId
            }
            _ => p.error.reason,
        };
        problems.push(problem(file, p.error.column, &p.error.value, reason));
    }
    if !problems.is_empty() {
        return Ok(Saved::Rejected(problems));
    }
    let now = Utc::now();
    let before = match &stored {
        Some(h) => {
            let m = store
                .registry()
                .scoped_members(&scope, round, std::slice::from_ref(&id))
                .await?;
            Record::of(h, &m).encode()
        }
        None => String::new(),
    };
    let version = VersionRow {
        round: round.clone(),
        household_id: id.clone(),
        version: latest + 1,
        saved_at: now,
        saved_by: user.name.to_string(),
        source: if stored.is_some() {
            "corrected on the web".into()
        } else {
            "entered on the web".into()
        },
        record: before,
    };
    let recorded = Recorded {
        versions: vec![version],
        ..Recorded::default()
    };
    store
        .registry()
        .import_recorded(
            std::slice::from_ref(&household),
            &members,
            MemberUpdate::Replace,
            &format!("web entry by {}", user.name),
            &recorded,
            &mut |_, _| {},
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AccessError::from(AppError::Rule(format!(
                "household {id} was changed by someone else at the same moment: open it again"
            ))),
            other => AppError::from(other).into(),
        })?;
    store
        .audit()
        .append(&NewAuditEntry {
            at: now,
            user_id: user.id,
            user_name: user.name.to_string(),
            action: format!(
                "{} household {id} of round {round} on the web ({} members)",
                if stored.is_some() {
                    "corrected"
                } else {
                    "entered"
                },
                members.len()
            ),
            round: Some(round.to_string()),
            household_ids: vec![id.to_string()],
        })
        .await?;
    Ok(Saved::Saved {
        household_id: id,
        version: latest + 1,
    })
}

/// One field that a change changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `household`, or `member N`.
    pub record: String,
    /// The column.
    pub column: String,
    /// The value before (`—` when masked).
    pub old: String,
    /// The value after.
    pub new: String,
}

/// One change of a household's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The version the change made (1 is the first change kept).
    pub version: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// How (an edited submission, a correction on the web, a merge).
    pub source: String,
    /// The fields it changed; empty for a record entered whole.
    pub fields: Vec<FieldChange>,
}

/// The history of a household: its field submission, if any, and every change, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// The version the record is at (a correction is made from it).
    pub version: i64,
    /// The field submission it was loaded from: tool, key, version, received.
    pub submission: Option<(String, String, String, String)>,
    /// The changes, newest first.
    pub changes: Vec<Change>,
    /// Whether personal fields are masked.
    pub masked: bool,
}

/// Columns whose values a masked reader does not see in the history.
const PERSONAL: &[&str] = &[
    "first_name",
    "last_name",
    "national_id",
    "birth_date",
    "house_no",
    "lat",
    "lon",
];

/// A personal cell as a masked editor sees it (`***`, the first letter of a first name, the
/// national id's masked form); other cells as they are.
pub fn mask_cell(column: &str, value: &str) -> String {
    if value.is_empty() || !PERSONAL.contains(&column) {
        return value.to_string();
    }
    match column {
        "first_name" => mask_name(value),
        "national_id" => thanrak_core::NationalId::parse(value)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "***".into()),
        _ => "***".into(),
    }
}

/// Puts back the stored value of every personal cell a masked editor left as it was shown.
fn unmask(entry: &mut Entry, stored: &Record) {
    let keep = |cells: &mut Vec<(String, String)>, was: &[(String, String)]| {
        for (k, v) in cells.iter_mut() {
            let old = cell(was, k);
            if PERSONAL.contains(&k.as_str()) && !old.is_empty() && *v == mask_cell(k, old) {
                *v = old.to_string();
            }
        }
    };
    keep(&mut entry.household, &stored.household);
    // A member is the stored member of the number it was read with (a form sends it back, so
    // that removing a member above does not shift the others); without numbers, by position.
    let numbered = entry
        .members
        .iter()
        .any(|m| !cell(m, "member_no").is_empty());
    for (i, m) in entry.members.iter_mut().enumerate() {
        let was = if numbered {
            let no = cell(m, "member_no").to_string();
            stored
                .members
                .iter()
                .find(|r| !no.is_empty() && cell(r, "member_no") == no)
        } else {
            stored.members.get(i)
        };
        if let Some(was) = was {
            keep(m, was);
        }
    }
}

fn diff(before: &Record, after: &Record, masked: bool) -> Vec<FieldChange> {
    let show = |column: &str, v: &str| {
        if masked && PERSONAL.contains(&column) && !v.is_empty() {
            if column == "first_name" {
                mask_name(v)
            } else {
                "***".into()
            }
        } else {
            v.to_string()
        }
    };
    let mut out = Vec::new();
    let mut rows = vec![("household".to_string(), &before.household, &after.household)];
    let empty = Vec::new();
    let n = before.members.len().max(after.members.len());
    for i in 0..n {
        rows.push((
            format!("member {}", i + 1),
            before.members.get(i).unwrap_or(&empty),
            after.members.get(i).unwrap_or(&empty),
        ));
    }
    for (record, b, a) in rows {
        let columns: Vec<&String> = b.iter().chain(a.iter()).map(|(k, _)| k).collect();
        let mut seen: Vec<&String> = Vec::new();
        for c in columns {
            if seen.contains(&c) || c == "round" || c == "household_id" || c == "member_no" {
                continue;
            }
            seen.push(c);
            let (o, v) = (cell(b, c), cell(a, c));
            if o != v {
                out.push(FieldChange {
                    record: record.clone(),
                    column: c.clone(),
                    old: show(c, o),
                    new: show(c, v),
                });
            }
        }
    }
    out
}

/// The history of a household the user reads (`crate::profile` decides that it may).
pub async fn history(
    store: &Store,
    round: &RoundLabel,
    household: &Household,
    members: &[Member],
    masked: bool,
) -> Result<History, AppError> {
    let id = &household.household_id;
    let versions = store.registry().versions(round, id).await?;
    let submission = store
        .registry()
        .submission_of(round, id)
        .await?
        .map(|s| (s.tool, s.key, s.version, s.submitted_at));
    let current = Record::of(household, members);
    let records: Vec<Option<Record>> = versions
        .iter()
        .map(|v| {
            if v.record.is_empty() {
                Ok(None)
            } else {
                Record::decode(&v.record).map(Some)
            }
        })
        .collect::<Result<_, _>>()?;
    let mut changes = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let after = records
            .get(i + 1)
            .and_then(|r| r.as_ref())
            .unwrap_or(&current);
        let fields = match &records[i] {
            Some(before) => diff(before, after, masked),
            None => Vec::new(),
        };
        changes.push(Change {
            version: v.version,
            at: v.saved_at,
            by: v.saved_by.clone(),
            source: v.source.clone(),
            fields,
        });
    }
    changes.reverse();
    Ok(History {
        version: versions.last().map_or(0, |v| v.version),
        submission,
        changes,
        masked,
    })
}

/// The form of a stored household as `user` may correct it: its cells and the version to
/// correct from. Personal data is shown to the editor only where it sees it; a surveyor
/// corrects with the names masked and leaves them as they are unless it types new ones.
pub async fn entry_of(
    store: &Store,
    user: &User,
    round: &RoundLabel,
    id: &HouseholdId,
) -> Result<(Entry, bool), AccessError> {
    let areas = policy::household_editor(user)?;
    let scope = match &areas {
        None => Scope::All,
        Some(a) => Scope::Areas(a.clone()),
    };
    let household = store.registry().scoped_household(&scope, round, id).await?;
    let members = store
        .registry()
        .scoped_members(&scope, round, std::slice::from_ref(id))
        .await?;
    let version = store
        .registry()
        .latest_versions(round, std::slice::from_ref(id))
        .await?
        .get(id)
        .copied()
        .unwrap_or(0);
    let record = Record::of(&household, &members);
    let masked = !policy::sees_personal_data(user.role);
    if !masked {
        store
            .audit()
            .append(&NewAuditEntry {
                at: Utc::now(),
                user_id: user.id,
                user_name: user.name.to_string(),
                action: format!("opened household {id} of round {round} to correct it"),
                round: Some(round.to_string()),
                household_ids: vec![id.to_string()],
            })
            .await?;
    }
    let mask = |cells: Vec<(String, String)>| -> Vec<(String, String)> {
        if !masked {
            return cells;
        }
        cells
            .into_iter()
            .map(|(k, v)| {
                let v = mask_cell(&k, &v);
                (k, v)
            })
            .collect()
    };
    Ok((
        Entry {
            household: mask(record.household),
            members: record.members.into_iter().map(mask).collect(),
            version: Some(version),
        },
        masked,
    ))
}

/// The history of household `id` of `round` for `user`: the same reading as its profile (a
/// household it may not read is not found), masked likewise.
pub async fn history_for(
    store: &Store,
    user: &User,
    round: &RoundLabel,
    id: &HouseholdId,
) -> Result<History, AccessError> {
    let (scope, masked) = crate::access::household_reading(store, user, id).await?;
    let household = store.registry().scoped_household(&scope, round, id).await?;
    let members = store
        .registry()
        .scoped_members(&scope, round, std::slice::from_ref(id))
        .await?;
    Ok(history(store, round, &household, &members, masked).await?)
}

/// The version household `id` of `round` is at, when it is stored and `user` may correct it
/// (`None`: a new household for this user).
pub async fn current_version(
    store: &Store,
    user: &User,
    round: &RoundLabel,
    id: &HouseholdId,
) -> Result<Option<i64>, AccessError> {
    let scope = match policy::household_editor(user)? {
        None => Scope::All,
        Some(a) => Scope::Areas(a),
    };
    match store.registry().scoped_household(&scope, round, id).await {
        Ok(_) => Ok(Some(
            store
                .registry()
                .latest_versions(round, std::slice::from_ref(id))
                .await?
                .get(id)
                .copied()
                .unwrap_or(0),
        )),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(AppError::from(e).into()),
    }
}

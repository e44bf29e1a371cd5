//! Imports from the web: files are checked first (every row, the batch as a whole, and that each
//! household lies inside the uploader's areas) and shown as a report or a summary; only when the
//! user confirms is the batch loaded (by an import job, see [`crate::jobs`], which then queues
//! the scoring of the rounds it touched).
//!
//! | role | may import |
//! | --- | --- |
//! | admin | households anywhere |
//! | area_manager, surveyor | households inside its areas only (others are refused row by row) |
//! | analyst, agency_officer | nothing |

use std::path::PathBuf;

use chrono::{Duration as Days, Utc};
use thanrak_core::{AreaCode, Reason, RoundLabel};
pub use thanrak_io::Diagnostic;
use thanrak_store::{ImportConflict, ImportSummary, NewAuditEntry, Store, User};

use crate::access::{sees_personal_data, AccessError};
use crate::{
    audit_import, check_files, import_audit_line, load_checked, CheckedBatch, ImportMode, Importer,
    Progress, Removals,
};

/// Clashes with records a user may not see that one user may run into in a day. A clash tells
/// the user that a national id or household id is stored somewhere it cannot look; past this
/// many, its import checks are refused until the day has passed, so that they cannot be used to
/// look people up in bulk. Honest uploads meet a handful at most (a person who moved).
pub const MAX_HIDDEN_CLASHES_PER_DAY: u64 = 50;

/// What a check found.
#[derive(Debug, Clone)]
pub enum UploadCheck {
    /// Nothing can be loaded: every problem, by file and row, and the households whose rows
    /// have problems, as they were read, for correction on a page.
    Rejected(Vec<Diagnostic>, Vec<Fixable>),
    /// Every row is valid and may be loaded.
    Ready {
        /// Households in the files.
        households: usize,
        /// Members in the files.
        members: usize,
        /// The rounds the files touch.
        rounds: Vec<RoundLabel>,
        /// Stored members that loading would remove (to be confirmed by the user).
        removals: Removals,
    },
}

/// What a confirmed upload did.
#[derive(Debug, Clone)]
pub enum UploadLoad {
    /// Refused (the store changed since the check): every problem, nothing written.
    Rejected(Vec<Diagnostic>),
    /// Not loaded: it would remove other members than the user confirmed (the store changed
    /// since the check, or nothing was confirmed). Nothing written.
    Unconfirmed(Removals),
    /// Loaded (the rounds it touched are still to be scored).
    Loaded {
        /// What the store wrote.
        import: ImportSummary,
        /// Stored members removed.
        removed: usize,
    },
}

pub use crate::policy::import_areas;

/// The most households of a refused upload offered for correction on a page.
pub const MAX_FIXABLE: usize = 200;

/// A household of a refused upload as its rows were read, to be corrected on a page: its cells
/// (parsed or not) and its members', with where each row is, so that the page shows each
/// problem on its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fixable {
    /// The round, as the row gives it.
    pub round: String,
    /// The household, as the row gives it.
    pub household_id: String,
    /// The household row's cells by column (empty when the file has no row for it).
    pub household: Vec<(String, String)>,
    /// Where the household row is: file and row.
    pub household_origin: Option<(String, u64)>,
    /// Each member row's cells by column, in file order.
    pub members: Vec<Vec<(String, String)>>,
    /// Where each member row is.
    pub member_origins: Vec<(String, u64)>,
}

/// The households of a checked batch that have a problem on one of their rows (a row that did
/// not parse, or a parsed row that a check refused), at most [`MAX_FIXABLE`].
pub fn fixable(batch: &CheckedBatch) -> Vec<Fixable> {
    use std::collections::BTreeMap;
    use thanrak_core::schema::Table;
    let key_of = |cells: &[(String, String)]| {
        let get = |k: &str| {
            cells
                .iter()
                .find(|(c, _)| c == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        (get("round"), get("household_id"))
    };
    let bad: std::collections::HashSet<(&str, u64)> = batch
        .diagnostics
        .iter()
        .filter(|d| d.row > 0)
        .map(|d| (d.file.as_str(), d.row))
        .collect();
    // Every row by household: parsed or not.
    let mut all: BTreeMap<(String, String), Fixable> = BTreeMap::new();
    let mut touched: std::collections::BTreeSet<(String, String)> = Default::default();
    let mut add = |table: Table, cells: Vec<(String, String)>, file: &str, row: u64| {
        let key = key_of(&cells);
        if key.1.is_empty() {
            return;
        }
        if bad.contains(&(file, row)) {
            touched.insert(key.clone());
        }
        let f = all.entry(key.clone()).or_insert_with(|| Fixable {
            round: key.0.clone(),
            household_id: key.1.clone(),
            ..Fixable::default()
        });
        match table {
            Table::Households => {
                f.household = cells;
                f.household_origin = Some((file.to_string(), row));
            }
            Table::Members => {
                f.members.push(cells);
                f.member_origins.push((file.to_string(), row));
            }
        }
    };
    for r in &batch.rejected_rows {
        add(r.table, r.cells.clone(), &r.origin.file, r.origin.row);
    }
    for (h, o) in batch.households.iter().zip(&batch.household_origins) {
        {
            let cells = crate::field::Record::of(h, &[]).household;
            add(Table::Households, cells, &o.file, o.row);
        }
    }
    for (m, o) in batch.members.iter().zip(&batch.member_origins) {
        let cells = thanrak_core::schema::MEMBER_COLUMNS
            .iter()
            .zip(m.to_values())
            .map(|(c, v)| (c.name.to_string(), v.to_text()))
            .collect();
        add(Table::Members, cells, &o.file, o.row);
    }
    all.into_iter()
        .filter(|(k, _)| touched.contains(k))
        .map(|(_, mut f)| {
            // Members in their number's order, as the form numbers them.
            let mut rows: Vec<_> = f
                .members
                .drain(..)
                .zip(f.member_origins.drain(..))
                .collect();
            rows.sort_by_key(|(cells, _)| {
                cells
                    .iter()
                    .find(|(c, _)| c == "member_no")
                    .and_then(|(_, v)| v.trim().parse::<u32>().ok())
                    .unwrap_or(u32::MAX)
            });
            for (cells, origin) in rows {
                f.members.push(cells);
                f.member_origins.push(origin);
            }
            f
        })
        .take(MAX_FIXABLE)
        .collect()
}

/// The reason for a village outside the importer's areas. (A clash with a record the user may
/// not see is given as [`Reason::HiddenNationalId`] or [`Reason::HiddenHousehold`]: that a clash
/// exists, and nothing about where, whom or in which round.)
fn outside(areas: &[AreaCode]) -> Reason {
    Reason::OutsideYourAreas {
        areas: areas.iter().map(ToString::to_string).collect(),
    }
}

fn importer(user: &User) -> Importer {
    Importer {
        user_id: user.id,
        user_name: user.name.to_string(),
    }
}

fn file_names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| {
            p.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        })
        .collect()
}

/// Refuses every import check of a user who met too many hidden clashes in the last day,
/// whatever the files hold (refusing only the checks that clash would itself tell something).
async fn throttle(store: &Store, user: &User) -> Result<u64, AccessError> {
    let now = Utc::now();
    let (used, oldest) = store
        .registry()
        .import_conflicts_since(user.id, now - Days::days(1))
        .await?;
    if used >= MAX_HIDDEN_CLASHES_PER_DAY {
        let free_at = oldest.unwrap_or(now) + Days::days(1);
        return Err(AccessError::Throttled {
            retry_after_secs: (free_at - now).num_seconds().max(1) as u64,
            message: format!(
                "your import checks met {MAX_HIDDEN_CLASHES_PER_DAY} records you may not see in \
                 the last 24 hours; imports are paused for you until then (an admin can see why \
                 in the audit log)"
            ),
        });
    }
    Ok(MAX_HIDDEN_CLASHES_PER_DAY - used)
}

/// Whether `user` may import now: its role, and whether its import checks are paused (see
/// [`MAX_HIDDEN_CLASHES_PER_DAY`]). Asked before an import job is queued, so that a refusal is
/// answered at once; the job asks again when it runs.
pub async fn may_import(store: &Store, user: &User) -> Result<(), AccessError> {
    import_areas(user)?;
    throttle(store, user).await.map(|_| ())
}

/// Checks the files as the command-line import does, and that every household lies inside the
/// user's areas, both as uploaded and as already stored (an upload may not move or overwrite a
/// household of another area). A clash with a stored record the user may not see is reported
/// without naming it, logged for the admins and counted against the user's daily allowance.
/// Writes nothing but the log.
async fn check(
    store: &Store,
    user: &User,
    paths: &[PathBuf],
    mode: ImportMode,
    progress: Progress<'_>,
) -> Result<CheckedBatch, AccessError> {
    let areas = import_areas(user)?;
    let allowance = throttle(store, user).await?;
    let mut batch = check_files(store, paths, mode, progress).await?;
    batch.field.saved_by = user.name.to_string();
    let Some(areas) = areas else {
        return Ok(batch);
    };
    let inside = |v: &AreaCode| areas.iter().any(|a| v.is_within(a));
    let mut hidden: Vec<(usize, ImportConflict)> = Vec::new();
    // National ids that clash with stored members: named only where the user may see them.
    for c in &batch.clashes {
        let visible = sees_personal_data(user.role)
            && batch
                .stored
                .households
                .get(&(c.round.clone(), c.household.clone()))
                .is_some_and(|(village, _)| inside(village));
        if !visible {
            let d = &mut batch.diagnostics[c.diagnostic];
            d.reason = Reason::HiddenNationalId;
            hidden.push((
                c.diagnostic,
                ImportConflict {
                    round: c.round.to_string(),
                    column: d.column.clone(),
                    value: d.value.clone(),
                    household_id: c.household.to_string(),
                },
            ));
        }
    }
    for i in 0..batch.households.len() {
        let h = &batch.households[i];
        if !inside(&h.village_code) {
            let (value, reason) = (h.village_code.to_string(), outside(&areas));
            batch.reject_household(i, "village_code", value, reason);
            continue;
        }
        let stored = batch
            .stored
            .households
            .get(&(h.round.clone(), h.household_id.clone()));
        if stored.is_some_and(|(village, _)| !inside(village)) {
            let conflict = ImportConflict {
                round: h.round.to_string(),
                column: "household_id".into(),
                value: h.household_id.to_string(),
                household_id: h.household_id.to_string(),
            };
            let value = h.household_id.to_string();
            batch.reject_household(i, "household_id", value, Reason::HiddenHousehold);
            hidden.push((batch.diagnostics.len() - 1, conflict));
        }
    }
    if !hidden.is_empty() {
        record_hidden(store, user, paths, &mut batch, hidden, allowance).await?;
    }
    Ok(batch)
}

/// Logs hidden clashes for the admins and counts them against the user; past the user's
/// allowance the clashing rows are no longer listed one by one.
async fn record_hidden(
    store: &Store,
    user: &User,
    paths: &[PathBuf],
    batch: &mut CheckedBatch,
    hidden: Vec<(usize, ImportConflict)>,
    allowance: u64,
) -> Result<(), AccessError> {
    let now = Utc::now();
    let conflicts: Vec<ImportConflict> = hidden.iter().map(|(_, c)| c.clone()).collect();
    store
        .registry()
        .record_import_conflicts(user.id, now, &conflicts)
        .await?;
    let values: Vec<String> = conflicts
        .iter()
        .map(|c| format!("{}={}", c.column, c.value))
        .collect();
    store
        .audit()
        .append(&NewAuditEntry {
            at: now,
            user_id: user.id,
            user_name: user.name.to_string(),
            action: format!(
                "import check met {} stored records the user may not see (files {}): {}",
                conflicts.len(),
                file_names(paths).join(", "),
                values.join(", ")
            ),
            round: conflicts.first().map(|c| c.round.clone()),
            household_ids: conflicts.iter().map(|c| c.household_id.clone()).collect(),
        })
        .await?;
    let shown = usize::try_from(allowance).unwrap_or(usize::MAX);
    if hidden.len() > shown {
        // Past the allowance, rows are not listed: which of them clash would tell the user what
        // it may not learn. The batch is refused all the same.
        let mut drop: Vec<usize> = hidden[shown..].iter().map(|(i, _)| *i).collect();
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            batch.diagnostics.remove(i);
        }
        let file = batch.households_file();
        batch.diagnostics.push(Diagnostic {
            file,
            row: 0,
            column: String::new(),
            value: String::new(),
            reason: Reason::HiddenClashLimit {
                limit: MAX_HIDDEN_CLASHES_PER_DAY,
            },
        });
    }
    Ok(())
}

/// Checks the files (see [`check`]) and says whether they may be loaded. The check is written
/// to the audit log with its outcome.
pub async fn check_upload(
    store: &Store,
    user: &User,
    paths: &[PathBuf],
    mode: ImportMode,
    progress: Progress<'_>,
) -> Result<UploadCheck, AccessError> {
    let batch = check(store, user, paths, mode, progress).await?;
    let line = import_audit_line("import check", &file_names(paths), &batch);
    let (outcome, result) = if !batch.diagnostics.is_empty() {
        let fix = fixable(&batch);
        let d = batch.sorted_diagnostics();
        (
            format!("rejected ({} problems)", d.len()),
            UploadCheck::Rejected(d, fix),
        )
    } else {
        (
            format!(
                "ready (would remove {} stored members)",
                batch.removals.members()
            ),
            UploadCheck::Ready {
                households: batch.households.len(),
                members: batch.members.len(),
                rounds: batch.rounds,
                removals: batch.removals,
            },
        )
    };
    audit_import(store, &importer(user), format!("{line}{outcome}")).await?;
    Ok(result)
}

/// Checks the files again and, when they pass and remove exactly the `confirmed_removals`
/// stored members the user was shown (none unless confirmed), loads them in one transaction
/// (households are upserted, so loading the same files twice changes nothing). The attempt is
/// written to the audit log with its outcome. The rounds touched are left for the caller to
/// score (the import job queues a scoring job for each).
pub async fn load_upload(
    store: &Store,
    user: &User,
    paths: &[PathBuf],
    mode: ImportMode,
    confirmed_removals: usize,
    progress: Progress<'_>,
) -> Result<UploadLoad, AccessError> {
    let batch = check(store, user, paths, mode, progress).await?;
    let who = importer(user);
    let line = import_audit_line("import", &file_names(paths), &batch);
    if !batch.diagnostics.is_empty() {
        let d = batch.sorted_diagnostics();
        audit_import(
            store,
            &who,
            format!("{line}rejected ({} problems)", d.len()),
        )
        .await?;
        return Ok(UploadLoad::Rejected(d));
    }
    if batch.removals.members() != confirmed_removals {
        audit_import(
            store,
            &who,
            format!(
                "{line}not loaded: would remove {} stored members, {confirmed_removals} confirmed",
                batch.removals.members()
            ),
        )
        .await?;
        return Ok(UploadLoad::Unconfirmed(batch.removals));
    }
    let source = format!("upload by {}", user.name);
    let import = match load_checked(store, &batch, &source, progress).await {
        Ok(i) => i,
        Err(e) => {
            let _ = audit_import(store, &who, format!("{line}failed ({e})")).await;
            return Err(e.into());
        }
    };
    audit_import(
        store,
        &who,
        format!(
            "{line}loaded ({} households, {} members written, {} stored members removed)",
            import.households,
            import.members,
            batch.removals.members()
        ),
    )
    .await?;
    Ok(UploadLoad::Loaded {
        import,
        removed: batch.removals.members(),
    })
}

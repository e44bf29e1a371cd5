//! Use cases shared by the command line and the web: import, export, demo data, rounds.
//! Each takes a [`Store`] and plain arguments and returns plain structs; presentation is the
//! caller's business.

#![forbid(unsafe_code)]

pub mod access;
pub mod agencies;
pub mod area_figures;
pub mod areas;
pub mod audit;
pub mod backup;
pub mod boundaries;
pub mod cache;
pub mod cases;
pub mod change;
pub mod db;
pub mod duplicates;
pub mod economy;
pub mod entry;
pub mod exports;
pub mod field;
pub mod guide;
pub mod help;
pub mod jobs;
pub mod matching;
pub mod national;
pub mod plan;
pub mod policy;
pub mod profile;
pub mod report;
pub mod scoring;
pub mod sessions;
pub mod strategy;
pub mod targeting;
pub mod upload;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use thanrak_core::schema::{check_batch, Table};
use thanrak_core::{AreaCode, AreaRegistry, HouseholdId, Reason, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_io::{Batch, Diagnostic};
use thanrak_store::{
    ImportSummary, MemberUpdate, NewAuditEntry, RoundSummary, Store, StoreError, StoredKeys,
};

pub use thanrak_io::{ExportFormat, IoError};

/// What went wrong in a use case: user errors are kept apart from internal faults.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request names something that does not exist (a round, an area).
    #[error("{0}")]
    NotFound(String),
    /// The request is wrong (bad arguments).
    #[error("{0}")]
    Invalid(String),
    /// The request is well formed but breaks a rule of the domain that no form of it could
    /// say (every weight 0, a level not below its area): 422 over HTTP.
    #[error("{0}")]
    Rule(String),
}

impl AppError {
    /// Whether the error is the user's to fix (as opposed to an internal fault).
    pub fn is_user_error(&self) -> bool {
        match self {
            AppError::Io(_) | AppError::NotFound(_) | AppError::Invalid(_) | AppError::Rule(_) => {
                true
            }
            AppError::Store(e) => matches!(
                e,
                StoreError::NotFound(_) | StoreError::Config(_) | StoreError::Unavailable(_)
            ),
        }
    }
}

/// Progress of a long step: a phase name, units done, units in all.
pub type Progress<'a> = &'a mut (dyn FnMut(&str, u64, u64) + Send);

/// The result of an import: loaded, refused with every problem found, or waiting for the user
/// to confirm the members it would remove.
#[derive(Debug)]
pub enum ImportOutcome {
    /// Every row was valid and the batch is stored.
    Loaded(ImportSummary),
    /// Nothing was written; these are the problems, by file and row.
    Rejected(Vec<Diagnostic>),
    /// Nothing was written: the batch is valid but would remove stored members, which the user
    /// has not confirmed.
    RemovesMembers(Removals),
}

/// How an import treats the members of the households it loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Households with their members: the batch's members replace those stored for each of its
    /// households. The batch must hold a members table.
    #[default]
    Whole,
    /// Only fields of stored households change; their members are kept. The batch holds no
    /// members table and only households already stored.
    HouseholdsOnly,
}

/// Stored members that loading a batch would remove: the members of a re-imported household
/// that the batch no longer lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removals {
    /// Each household that loses members: its round, id and the numbers of the members lost.
    pub households: Vec<(RoundLabel, HouseholdId, Vec<u16>)>,
}

impl Removals {
    /// Members removed in all.
    pub fn members(&self) -> usize {
        self.households.iter().map(|(_, _, m)| m.len()).sum()
    }

    /// Whether nothing is removed.
    pub fn is_empty(&self) -> bool {
        self.households.is_empty()
    }
}

/// A problem of the batch that is a clash with a stored record (not one of the batch): which
/// diagnostic says so, and the stored household.
#[derive(Debug, Clone)]
pub struct StoredClash {
    /// Index into [`CheckedBatch::diagnostics`].
    pub diagnostic: usize,
    /// The round of the clash.
    pub round: RoundLabel,
    /// The stored household clashed with.
    pub household: HouseholdId,
}

/// A batch read from files and checked, row by row and as a whole, against the store.
#[derive(Debug)]
pub struct CheckedBatch {
    /// Households read without problems.
    pub households: Vec<thanrak_core::Household>,
    /// Where each household came from.
    pub household_origins: Vec<thanrak_io::Origin>,
    /// Members read without problems.
    pub members: Vec<thanrak_core::Member>,
    /// Where each member came from.
    pub member_origins: Vec<thanrak_io::Origin>,
    /// Every problem found; the batch may be loaded only when this is empty.
    pub diagnostics: Vec<Diagnostic>,
    /// The problems (among `diagnostics`) that are clashes with stored records: their reasons
    /// name the stored household, which callers that may not show it must reword.
    pub clashes: Vec<StoredClash>,
    /// The rounds the batch touches.
    pub rounds: Vec<RoundLabel>,
    /// How the batch treats the members of its households.
    pub mode: ImportMode,
    /// The stored records of the batch's rounds it was checked against.
    pub stored: StoredKeys,
    /// Stored members that loading the batch would remove.
    pub removals: Removals,
    /// The field submissions of the batch: which are new, edited or unchanged.
    pub field: field::FieldBatch,
    /// The rows that did not parse, with their cells (for correction on a page).
    pub rejected_rows: Vec<thanrak_io::RejectedRow>,
}

impl CheckedBatch {
    /// Reports a problem with a household of the batch (by its index).
    pub fn reject_household(&mut self, index: usize, column: &str, value: String, reason: Reason) {
        let origin = &self.household_origins[index];
        self.diagnostics.push(Diagnostic {
            file: origin.file.clone(),
            row: origin.row,
            column: column.to_string(),
            value,
            reason,
        });
    }

    /// The problems in file and row order.
    pub fn sorted_diagnostics(mut self) -> Vec<Diagnostic> {
        self.diagnostics
            .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
        self.diagnostics
    }

    /// The file that holds the batch's households (for problems of the batch as a whole).
    fn households_file(&self) -> String {
        self.household_origins
            .first()
            .map(|o| o.file.clone())
            .unwrap_or_default()
    }
}

/// Runs CPU-heavy work (reading and checking files of a whole round) without holding up the
/// other requests of a server: on a multi-threaded runtime the worker hands its other tasks to
/// another thread first; elsewhere (the CLI, tests) the work simply runs.
pub(crate) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Reads the files and checks every row and the batch as a whole (duplicates, orphans, ages,
/// national ids also against the stored households of the same rounds), and what the batch
/// would do to stored members. Writes nothing.
pub async fn check_files(
    store: &Store,
    paths: &[PathBuf],
    mode: ImportMode,
    progress: Progress<'_>,
) -> Result<CheckedBatch, AppError> {
    let areas = AreaRegistry::official();
    let batch: Batch = blocking(|| {
        thanrak_io::read_batch(paths, areas, &mut |done, total| {
            progress("read", done, total)
        })
    })?;
    let Batch {
        mut households,
        mut household_origins,
        mut members,
        mut member_origins,
        mut diagnostics,
        tables,
        submissions,
        rejected_submissions,
        rejected_rows,
    } = batch;
    let field_batch = field::sort_submissions(
        store,
        field::Read {
            households: &mut households,
            household_origins: &mut household_origins,
            members: &mut members,
            member_origins: &mut member_origins,
            diagnostics: &mut diagnostics,
        },
        submissions,
        rejected_submissions,
    )
    .await?;
    if households.is_empty()
        && members.is_empty()
        && diagnostics.is_empty()
        && field_batch.is_empty()
    {
        return Err(AppError::Invalid(
            "the files hold no households and no members".into(),
        ));
    }
    let rounds: BTreeSet<RoundLabel> = households
        .iter()
        .map(|h| h.round.clone())
        .chain(members.iter().map(|m| m.round.clone()))
        .collect();
    let rounds: Vec<RoundLabel> = rounds.into_iter().collect();
    let stored = store.registry().stored_keys(&rounds).await?;
    let mut checked = CheckedBatch {
        households,
        household_origins,
        members,
        member_origins,
        diagnostics,
        clashes: Vec::new(),
        rounds,
        mode,
        stored,
        removals: Removals::default(),
        field: field_batch,
        rejected_rows,
    };
    let has_members_table = tables.contains(&Table::Members);
    let has_households_table = tables.contains(&Table::Households);
    match mode {
        ImportMode::Whole if has_households_table && !has_members_table => {
            let file = checked.households_file();
            checked.diagnostics.push(Diagnostic {
                file,
                row: 0,
                column: String::new(),
                value: String::new(),
                reason: Reason::NoMembersTable,
            });
        }
        ImportMode::Whole => {}
        ImportMode::HouseholdsOnly => {
            if has_members_table {
                let file = checked
                    .member_origins
                    .first()
                    .map(|o| o.file.clone())
                    .unwrap_or_default();
                checked.diagnostics.push(Diagnostic {
                    file,
                    row: 0,
                    column: String::new(),
                    value: String::new(),
                    reason: Reason::HouseholdsOnlyWithMembers,
                });
            }
            for i in 0..checked.households.len() {
                let h = &checked.households[i];
                let key = (h.round.clone(), h.household_id.clone());
                if !checked.stored.households.contains_key(&key) {
                    let value = h.household_id.to_string();
                    checked.reject_household(
                        i,
                        "household_id",
                        value,
                        Reason::HouseholdsOnlyUnknown {
                            round: h.round.to_string(),
                        },
                    );
                }
            }
        }
    }
    let problems = blocking(|| {
        check_batch(
            &checked.households,
            &checked.members,
            &checked.stored.national_ids,
        )
    });
    for p in problems {
        let (origin, round) = match p.table {
            Table::Households => (
                &checked.household_origins[p.index],
                &checked.households[p.index].round,
            ),
            Table::Members => (
                &checked.member_origins[p.index],
                &checked.members[p.index].round,
            ),
        };
        if let Some(household) = p.stored {
            checked.clashes.push(StoredClash {
                diagnostic: checked.diagnostics.len(),
                round: round.clone(),
                household,
            });
        }
        checked.diagnostics.push(Diagnostic {
            file: origin.file.clone(),
            row: origin.row,
            column: p.error.column.to_string(),
            value: p.error.value,
            reason: p.error.reason,
        });
    }
    if mode == ImportMode::Whole {
        checked.removals = removals(&checked);
    }
    Ok(checked)
}

/// The stored members that loading `batch` (households with their members) would remove.
fn removals(batch: &CheckedBatch) -> Removals {
    let mut kept: HashMap<(&RoundLabel, &HouseholdId), Vec<u16>> = HashMap::new();
    for m in &batch.members {
        kept.entry((&m.round, &m.household_id))
            .or_default()
            .push(m.member_no);
    }
    let mut households = Vec::new();
    for h in &batch.households {
        let Some((_, stored)) = batch
            .stored
            .households
            .get(&(h.round.clone(), h.household_id.clone()))
        else {
            continue;
        };
        // An edited submission's earlier version is kept whole in the household's history.
        if batch.field.replaces(&h.round, &h.household_id) {
            continue;
        }
        let kept = kept.get(&(&h.round, &h.household_id));
        let mut lost: Vec<u16> = stored
            .iter()
            .copied()
            .filter(|n| !kept.is_some_and(|k| k.contains(n)))
            .collect();
        if !lost.is_empty() {
            lost.sort_unstable();
            households.push((h.round.clone(), h.household_id.clone(), lost));
        }
    }
    households.sort();
    Removals { households }
}

/// Loads a checked batch without problems in one transaction; `source` names it in the log.
pub async fn load_checked(
    store: &Store,
    batch: &CheckedBatch,
    source: &str,
    progress: Progress<'_>,
) -> Result<ImportSummary, AppError> {
    if !batch.diagnostics.is_empty() {
        return Err(AppError::Invalid(format!(
            "the batch has {} problem(s) and cannot be loaded",
            batch.diagnostics.len()
        )));
    }
    let update = match batch.mode {
        ImportMode::Whole => MemberUpdate::Replace,
        ImportMode::HouseholdsOnly => MemberUpdate::Keep,
    };
    let recorded = field::recorded(store, batch, source).await?;
    Ok(store
        .registry()
        .import_recorded(
            &batch.households,
            &batch.members,
            update,
            source,
            &recorded,
            &mut |done, total| progress("write", done, total),
        )
        .await?)
}

/// Who asked for an import, as the audit log names it.
#[derive(Debug, Clone)]
pub struct Importer {
    /// The user's id (0 for the command line, which runs with the database's own rights).
    pub user_id: i64,
    /// The user's name (`cli:NAME` for the command line, with the operating-system user).
    pub user_name: String,
}

impl Importer {
    /// The command line, run by the operating-system user of this process.
    pub fn command_line() -> Importer {
        let os_user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Importer {
            user_id: 0,
            user_name: format!("cli:{os_user}"),
        }
    }
}

/// What an import check saw, for the audit log: the files, counts and rounds; the outcome is
/// appended to it.
pub(crate) fn import_audit_line(what: &str, files: &[String], batch: &CheckedBatch) -> String {
    let field = if batch.field.is_empty() {
        String::new()
    } else {
        format!(
            "field submissions: {} new, {} edited, {} unchanged, {} rejected in the tool; ",
            batch.field.new_count(),
            batch.field.edited.len(),
            batch.field.unchanged,
            batch.field.rejected
        )
    };
    format!(
        "{what}: files {}; {field}{} households, {} members, rounds {}; ",
        files.join(", "),
        batch.households.len(),
        batch.members.len(),
        batch
            .rounds
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Writes an import's line to the audit log.
pub(crate) async fn audit_import(
    store: &Store,
    who: &Importer,
    action: String,
) -> Result<(), AppError> {
    store
        .audit()
        .append(&NewAuditEntry {
            at: chrono::Utc::now(),
            user_id: who.user_id,
            user_name: who.user_name.clone(),
            action,
            round: None,
            household_ids: Vec::new(),
        })
        .await?;
    Ok(())
}

/// What an outcome says in the audit log.
fn outcome_text(o: &ImportOutcome) -> String {
    match o {
        ImportOutcome::Loaded(s) => format!(
            "loaded ({} households, {} members written)",
            s.households, s.members
        ),
        ImportOutcome::Rejected(d) => format!("rejected ({} problems)", d.len()),
        ImportOutcome::RemovesMembers(r) => format!(
            "not loaded: would remove {} members from {} households without confirmation",
            r.members(),
            r.households.len()
        ),
    }
}

/// Reads the files, checks every row and the batch as a whole, and loads it in one transaction
/// only when there is no problem at all and any members it removes are confirmed
/// (`remove_members`). The attempt is written to the audit log, whatever its outcome.
pub async fn import_files(
    store: &Store,
    who: &Importer,
    paths: &[PathBuf],
    mode: ImportMode,
    remove_members: bool,
    progress: Progress<'_>,
) -> Result<ImportOutcome, AppError> {
    let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut batch = check_files(store, paths, mode, progress).await?;
    batch.field.saved_by = who.user_name.clone();
    let line = import_audit_line("import", &files, &batch);
    let outcome = if !batch.diagnostics.is_empty() {
        ImportOutcome::Rejected(batch.sorted_diagnostics())
    } else if !batch.removals.is_empty() && !remove_members {
        ImportOutcome::RemovesMembers(batch.removals)
    } else {
        match load_checked(store, &batch, &files.join(", "), progress).await {
            Ok(s) => ImportOutcome::Loaded(s),
            Err(e) => {
                // Nothing was written; the attempt is still logged if the log can be written.
                let _ = audit_import(store, who, format!("{line}failed ({e})")).await;
                return Err(e);
            }
        }
    };
    audit_import(store, who, format!("{line}{}", outcome_text(&outcome))).await?;
    Ok(outcome)
}

/// Writes the problems of a refused import as CSV (file, row, column, value, reason).
pub fn write_report(path: &Path, diagnostics: &[Diagnostic]) -> Result<(), AppError> {
    Ok(thanrak_io::write_report_csv(path, diagnostics)?)
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// Households written.
    pub households: usize,
    /// Members written.
    pub members: usize,
}

/// Writes one round's two tables into `dir` (`households.csv` + `members.csv`, or `round.xlsx`
/// with the round's label as its name), in the import format so that they load again unchanged.
pub async fn export_round(
    store: &Store,
    round: &RoundLabel,
    dir: &Path,
    format: ExportFormat,
) -> Result<ExportSummary, AppError> {
    ensure_round(store, round).await?;
    // Both tables are read at once, on two connections.
    let (households, members) = futures_util::future::try_join(
        store.registry().households(round),
        store.registry().members(round),
    )
    .await?;
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::Invalid(format!("cannot create the folder {}: {e}", dir.display()))
    })?;
    let files = match format {
        ExportFormat::Csv => thanrak_io::write_csv_tables(dir, &households, &members)?,
        ExportFormat::Xlsx => {
            let path = dir.join(format!("{round}.xlsx"));
            thanrak_io::write_xlsx_tables(&path, &households, &members)?;
            vec![path]
        }
    };
    Ok(ExportSummary {
        files,
        households: households.len(),
        members: members.len(),
    })
}

pub(crate) async fn ensure_round(store: &Store, round: &RoundLabel) -> Result<(), AppError> {
    if store.registry().round_exists(round).await? {
        return Ok(());
    }
    let rounds = store.registry().rounds().await?;
    let known: Vec<String> = rounds.iter().map(|r| r.label.to_string()).collect();
    Err(AppError::NotFound(if known.is_empty() {
        format!("there is no round {round}: the database holds no rounds yet (run `thanrak import` or `thanrak demo`)")
    } else {
        format!("there is no round {round} (rounds: {})", known.join(", "))
    }))
}

/// Every round with its size.
pub async fn rounds(store: &Store) -> Result<Vec<RoundSummary>, AppError> {
    Ok(store.registry().rounds().await?)
}

/// Publishes `round` (`publish`) or takes it back to a draft, as `user`
/// (`policy::publishes_rounds`: an admin), written to the audit log. Pages open on the latest
/// published round (`area_figures::default_round`).
pub async fn publish_round(
    store: &Store,
    user: &thanrak_core::identity::User,
    round: &RoundLabel,
    publish: bool,
) -> Result<(), access::AccessError> {
    policy::publishes_rounds(user)?;
    let now = chrono::Utc::now();
    let found = store
        .registry()
        .set_published(round, publish.then_some((user.name.as_str(), now)))
        .await
        .map_err(AppError::from)?;
    if !found {
        return Err(AppError::NotFound(format!("there is no round {round}")).into());
    }
    store
        .audit()
        .append(&NewAuditEntry {
            at: now,
            user_id: user.id,
            user_name: user.name.to_string(),
            action: format!(
                "round {round} {}",
                if publish {
                    "published"
                } else {
                    "taken back to a draft"
                }
            ),
            round: Some(round.to_string()),
            household_ids: Vec::new(),
        })
        .await
        .map_err(AppError::from)?;
    Ok(())
}

/// Parses a comma-separated list of province codes such as `52,45`.
pub fn parse_provinces(list: &str) -> Result<Vec<AreaCode>, AppError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let code = AreaCode::parse_level(s, thanrak_core::AreaLevel::Province)
                .map_err(|e| AppError::Invalid(format!("province {s:?} {e}")))?;
            if AreaRegistry::official().get(&code).is_none() {
                return Err(AppError::Invalid(format!("{s} is not a province code")));
            }
            Ok(code)
        })
        .collect()
}

/// What the demo loaded.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// One summary per round loaded.
    pub rounds: Vec<ImportSummary>,
}

/// Generates the demo population (two rounds) and loads it.
pub async fn load_demo(
    store: &Store,
    config: &DemoConfig,
    progress: Progress<'_>,
) -> Result<DemoSummary, AppError> {
    progress("generate", 0, 1);
    let rounds = thanrak_demo::generate(config, AreaRegistry::official())
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    progress("generate", 1, 1);
    let mut out = Vec::new();
    for r in rounds {
        let phase = format!("load {}", r.label);
        let summary = store
            .registry()
            .import(&r.households, &r.members, "demo", &mut |d, t| {
                progress(&phase, d, t)
            })
            .await?;
        // The demo's rounds are ready to look at: published.
        store
            .registry()
            .set_published(&r.label, Some(("demo", chrono::Utc::now())))
            .await?;
        out.push(summary);
    }
    Ok(DemoSummary { rounds: out })
}

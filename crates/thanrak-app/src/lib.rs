//! Use cases shared by the command line and the web: import, export, demo data, rounds.
//! Each takes a [`Store`] and plain arguments and returns plain structs; presentation is the
//! caller's business.

#![forbid(unsafe_code)]

pub mod access;
pub mod area_figures;
pub mod audit;
pub mod boundaries;
pub mod cache;
pub mod exports;
pub mod profile;
pub mod scoring;
pub mod targeting;
pub mod upload;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use thanrak_core::demo::{self, DemoConfig};
use thanrak_core::schema::{check_batch, Table};
use thanrak_core::{AreaCode, AreaRegistry, RoundLabel};
use thanrak_io::{Batch, Diagnostic};
use thanrak_store::{ImportSummary, RoundSummary, Store, StoreError};

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
}

impl AppError {
    /// Whether the error is the user's to fix (as opposed to an internal fault).
    pub fn is_user_error(&self) -> bool {
        match self {
            AppError::Io(_) | AppError::NotFound(_) | AppError::Invalid(_) => true,
            AppError::Store(e) => matches!(
                e,
                StoreError::NotFound(_) | StoreError::Config(_) | StoreError::Unavailable(_)
            ),
        }
    }
}

/// Progress of a long step: a phase name, units done, units in all.
pub type Progress<'a> = &'a mut (dyn FnMut(&str, u64, u64) + Send);

/// The result of an import: loaded, or refused with every problem found.
#[derive(Debug)]
pub enum ImportOutcome {
    /// Every row was valid and the batch is stored.
    Loaded(ImportSummary),
    /// Nothing was written; these are the problems, by file and row.
    Rejected(Vec<Diagnostic>),
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
    /// The rounds the batch touches.
    pub rounds: Vec<RoundLabel>,
}

impl CheckedBatch {
    /// Reports a problem with a household of the batch (by its index).
    pub fn reject_household(&mut self, index: usize, column: &str, value: String, reason: String) {
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
}

/// Runs CPU-heavy work (reading and checking files of a whole round) without holding up the
/// other requests of a server: on a multi-threaded runtime the worker hands its other tasks to
/// another thread first; elsewhere (the CLI, tests) the work simply runs.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Reads the files and checks every row and the batch as a whole (duplicates, orphans, ages,
/// national ids also against the stored households of the same rounds). Writes nothing.
pub async fn check_files(
    store: &Store,
    paths: &[PathBuf],
    progress: Progress<'_>,
) -> Result<CheckedBatch, AppError> {
    let areas = AreaRegistry::official();
    let batch: Batch = blocking(|| {
        thanrak_io::read_batch(paths, areas, &mut |done, total| {
            progress("read", done, total)
        })
    })?;
    let Batch {
        households,
        household_origins,
        members,
        member_origins,
        diagnostics,
    } = batch;
    if households.is_empty() && members.is_empty() && diagnostics.is_empty() {
        return Err(AppError::Invalid(
            "the files hold no households and no members".into(),
        ));
    }
    let rounds: BTreeSet<RoundLabel> = households
        .iter()
        .map(|h| h.round.clone())
        .chain(members.iter().map(|m| m.round.clone()))
        .collect();
    let mut checked = CheckedBatch {
        households,
        household_origins,
        members,
        member_origins,
        diagnostics,
        rounds: rounds.into_iter().collect(),
    };
    let existing = store.national_ids(&checked.rounds).await?;
    let problems = blocking(|| check_batch(&checked.households, &checked.members, &existing));
    for p in problems {
        let origin = match p.table {
            Table::Households => &checked.household_origins[p.index],
            Table::Members => &checked.member_origins[p.index],
        };
        checked.diagnostics.push(Diagnostic {
            file: origin.file.clone(),
            row: origin.row,
            column: p.error.column.to_string(),
            value: p.error.value,
            reason: p.error.reason,
        });
    }
    Ok(checked)
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
    Ok(store
        .import(
            &batch.households,
            &batch.members,
            source,
            &mut |done, total| progress("write", done, total),
        )
        .await?)
}

/// Reads the files, checks every row and the batch as a whole, and loads it in one transaction
/// only when there is no problem at all.
pub async fn import_files(
    store: &Store,
    paths: &[PathBuf],
    progress: Progress<'_>,
) -> Result<ImportOutcome, AppError> {
    let batch = check_files(store, paths, progress).await?;
    if !batch.diagnostics.is_empty() {
        return Ok(ImportOutcome::Rejected(batch.sorted_diagnostics()));
    }
    let source = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(ImportOutcome::Loaded(
        load_checked(store, &batch, &source, progress).await?,
    ))
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
    round: &str,
    dir: &Path,
    format: ExportFormat,
) -> Result<ExportSummary, AppError> {
    let round = parse_round(round)?;
    ensure_round(store, &round).await?;
    // Both tables are read at once, on two connections.
    let (households, members) =
        futures_util::future::try_join(store.households(&round), store.members(&round)).await?;
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

fn parse_round(round: &str) -> Result<RoundLabel, AppError> {
    RoundLabel::parse(round).map_err(|e| AppError::Invalid(format!("round label {round:?} {e}")))
}

async fn ensure_round(store: &Store, round: &RoundLabel) -> Result<(), AppError> {
    if store.round_exists(round).await? {
        return Ok(());
    }
    let rounds = store.rounds().await?;
    let known: Vec<String> = rounds.iter().map(|r| r.label.to_string()).collect();
    Err(AppError::NotFound(if known.is_empty() {
        format!("there is no round {round}: the database holds no rounds yet (run `thanrak import` or `thanrak demo`)")
    } else {
        format!("there is no round {round} (rounds: {})", known.join(", "))
    }))
}

/// Every round with its size.
pub async fn rounds(store: &Store) -> Result<Vec<RoundSummary>, AppError> {
    Ok(store.rounds().await?)
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
    let rounds = demo::generate(config, AreaRegistry::official())
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    progress("generate", 1, 1);
    let mut out = Vec::new();
    for r in rounds {
        let phase = format!("load {}", r.label);
        let summary = store
            .import(&r.households, &r.members, "demo", &mut |d, t| {
                progress(&phase, d, t)
            })
            .await?;
        out.push(summary);
    }
    Ok(DemoSummary { rounds: out })
}

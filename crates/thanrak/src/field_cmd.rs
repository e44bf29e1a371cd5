//! `thanrak form` (issue 13): the household survey as an XLSForm for ODK Central and
//! KoboToolbox. Their exports are loaded with `thanrak import`, like any import file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use thanrak_app::db::Store;
use thanrak_app::AppError;

use crate::{parse_area, parse_round, safe};

/// The survey form.
#[derive(Debug, Subcommand)]
pub(crate) enum FormCommand {
    /// Write the household survey as an XLSForm (sheets survey, choices, settings) for ODK
    /// Central or KoboToolbox: every field of the import format in Thai and English, members as
    /// a repeat, constraints that mirror the importer's checks, skip logic, the village by
    /// cascading lists from the area table, and a geopoint. Load the tools' exports with
    /// `thanrak import` (ODK Central's .zip or .json, KoboToolbox's .xlsx or .csv).
    Xlsform {
        /// The round the submissions belong to (written into the form).
        #[arg(long)]
        round: String,
        /// Offer only the villages of these areas (codes or names; repeat for more). Without
        /// it, the whole country.
        #[arg(long)]
        area: Vec<String>,
        /// The file to write (.xlsx).
        #[arg(long)]
        out: PathBuf,
    },
}

pub(crate) async fn run(command: FormCommand, store: &Store) -> Result<ExitCode, AppError> {
    match command {
        FormCommand::Xlsform { round, area, out } => {
            let round = parse_round(&round)?;
            let areas = area
                .iter()
                .map(|a| parse_area(a))
                .collect::<Result<Vec<_>, _>>()?;
            let (form, bytes) = thanrak_app::field::xlsform(store, &round, &areas).await?;
            std::fs::write(&out, bytes).map_err(|e| {
                AppError::Invalid(format!("cannot write {}: {e}", safe(out.display())))
            })?;
            let questions = form
                .survey
                .iter()
                .filter(|q| !q.kind.starts_with("begin") && !q.kind.starts_with("end"))
                .count();
            eprintln!(
                "the form for round {round} ({questions} questions, {} choices) is in {}",
                form.choices.len(),
                safe(out.display())
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `thanrak help import FILE | summary`: the logbook of help given. An import loads an agency's
//! spreadsheet all or nothing, with the row report of `thanrak import`; it acts as an admin
//! unless `--as USER` names a stored user whose rights then apply (an agency officer records for
//! the households referred to its agency only). A summary prints the logbook summed as the
//! provincial system does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use thanrak_app::access::AccessError;
use thanrak_app::db::{HelpTotals, Store};
use thanrak_app::help::{acting_user, help_summary, import_help, HelpImportOutcome, HelpLine};
use thanrak_app::AppError;
use thanrak_core::help::format_baht;

use crate::safe;

/// What to do with the logbook of help given.
#[derive(Subcommand)]
pub(crate) enum HelpCommand {
    /// Load a spreadsheet of help given (CSV, or XLSX with a sheet `help`), all or nothing.
    ///
    /// Columns: round, household_id, agency, kind (cash, in_kind, training, job, housing,
    /// health, education, other), addresses (a dimension or capital, may be empty), what,
    /// value_baht, given_on (YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era), case_id (may be
    /// empty). Every row is checked first; if any has a problem nothing is written, each
    /// problem is printed with its file, row, column, value and reason, and the exit code is 2.
    /// Cases named that are accepted or in progress are resolved by the help.
    Import {
        /// The file to load.
        path: PathBuf,
        /// Act as this stored user (its rights and its name in the logbook); default: an
        /// admin named after the operating-system user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
        /// Also write the problems as CSV to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// The logbook summed: episodes and budget by agency, dimension or capital, kind and area,
    /// households helped against households in need.
    Summary {
        /// Inside this province, district or subdistrict (its child areas are listed).
        #[arg(long)]
        area: Option<String>,
    },
}

/// The command line's error for a refusal: a user error (exit code 2), with its words.
pub(crate) fn access_error(e: AccessError) -> AppError {
    match e {
        AccessError::App(e) => e,
        AccessError::Forbidden(m) | AccessError::Throttled { message: m, .. } => {
            AppError::Invalid(m)
        }
    }
}

fn totals(t: &HelpTotals) -> String {
    format!(
        "{}\t{}\t{}",
        t.episodes,
        format_baht(t.value_satang),
        t.households
    )
}

fn lines(title: &str, lines: &[HelpLine]) {
    println!("\n{title}\tepisodes\tbaht\thouseholds");
    for l in lines {
        let label = if l.code.is_empty() {
            l.label_en.clone()
        } else {
            format!("{} ({})", l.code, l.label_en)
        };
        println!("{}\t{}", safe(label), totals(&l.totals));
    }
}

/// Runs a help subcommand.
pub(crate) async fn run(command: HelpCommand, store: &Store) -> Result<ExitCode, AppError> {
    match command {
        HelpCommand::Import { path, user, report } => {
            let (user, who) = acting_user(store, user.as_deref()).await?;
            let outcome = import_help(store, &user, &who, &path)
                .await
                .map_err(access_error)?;
            match outcome {
                HelpImportOutcome::Loaded(s) => {
                    println!(
                        "loaded {} episodes of help ({} baht) for {} households",
                        s.episodes,
                        format_baht(s.value_satang),
                        s.households
                    );
                    if !s.resolved_cases.is_empty() {
                        let ids: Vec<String> =
                            s.resolved_cases.iter().map(ToString::to_string).collect();
                        println!("resolved cases {}", ids.join(", "));
                    }
                    for (id, why) in &s.unresolved_cases {
                        eprintln!("case {id} was not resolved: {}", safe(why));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                HelpImportOutcome::Rejected(diags) => {
                    crate::print_refused("help import", &diags);
                    if let Some(path) = report {
                        thanrak_app::write_report(&path, &diags)?;
                        eprintln!("the full report is in {}", safe(path.display()));
                    }
                    Ok(ExitCode::from(2))
                }
            }
        }
        HelpCommand::Summary { area } => {
            let area = area.map(|a| crate::parse_area(&a)).transpose()?;
            let (user, _) = acting_user(store, None).await?;
            let s = help_summary(store, &user, area)
                .await
                .map_err(access_error)?;
            println!(
                "{}: {} episodes, {} baht, {} households helped",
                safe(&s.area_name_en),
                s.total.episodes,
                format_baht(s.total.value_satang),
                s.total.households
            );
            if let (Some(n), Some(round)) = (s.in_need, &s.in_need_round) {
                println!("households in need (round {}): {n}", safe(round));
            }
            lines("agency", &s.by_agency);
            lines("addresses", &s.by_addresses);
            lines("kind", &s.by_kind);
            println!("\narea\tname\tepisodes\tbaht\thouseholds helped\thouseholds in need");
            for a in &s.by_area {
                println!(
                    "{}\t{}\t{}\t{}",
                    a.code,
                    safe(&a.name_en),
                    totals(&a.totals),
                    a.in_need.map(|n| n.to_string()).unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

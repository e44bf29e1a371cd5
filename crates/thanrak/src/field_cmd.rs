//! `thanrak form` (issue 13): the household survey as an XLSForm for ODK Central and
//! KoboToolbox. Their exports are loaded with `thanrak import`, like any import file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use thanrak_app::db::Store;
use thanrak_app::AppError;

use crate::help_cmd::access_error;
use crate::{parse_area, parse_round, safe};
use thanrak_app::duplicates::{self, DuplicateQuery};

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

/// Likely duplicate persons and households.
#[derive(Debug, Subcommand)]
pub(crate) enum DuplicatesCommand {
    /// List the groups of likely duplicates not yet decided (one national id in two households;
    /// the same name and birth date in one subdistrict), with their key and evidence.
    List {
        /// Only groups with a person inside this area (code or name).
        #[arg(long)]
        area: Option<String>,
        /// Act as this stored user, with its rights (default: the command line, every area).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Also the groups decided already.
        #[arg(long)]
        decided: bool,
    },
    /// Mark a group as not duplicates (two people after all).
    NotDuplicates {
        /// The group's key, as `list` prints it.
        key: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
        /// Act as this stored user.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Merge a group: one household per round, the others' members taken in, a later round's
    /// household taking the earliest one's id; every record replaced kept in the history.
    Merge {
        /// The group's key, as `list` prints it.
        key: String,
        /// Act as this stored user.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

pub(crate) async fn duplicates(
    command: DuplicatesCommand,
    store: &Store,
) -> Result<ExitCode, AppError> {
    match command {
        DuplicatesCommand::List {
            area,
            as_user,
            decided,
        } => {
            let (user, _) = thanrak_app::help::acting_user(store, as_user.as_deref()).await?;
            let started = std::time::Instant::now();
            let list = duplicates::list_duplicates(
                store,
                &user,
                &DuplicateQuery {
                    area: area.as_deref().map(parse_area).transpose()?,
                    evidence: None,
                    decided,
                    page: 1,
                    per_page: 500,
                },
            )
            .await
            .map_err(access_error)?;
            println!("key\tevidence\tround\thousehold\tmember\tname\tnational_id\tbirth_date\tvillage\tdecision");
            for g in &list.groups {
                for p in &g.persons {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        g.key,
                        g.evidence,
                        p.round,
                        safe(&p.household_id),
                        p.member_no,
                        safe(&p.name),
                        p.national_id.as_deref().unwrap_or(""),
                        p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                        p.village_code,
                        g.review.as_ref().map(|r| r.decision.as_str()).unwrap_or("")
                    );
                }
            }
            eprintln!(
                "{} groups of likely duplicates among {} members ({} shown) in {:.1} s",
                list.total,
                list.persons,
                list.groups.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        DuplicatesCommand::NotDuplicates { key, note, as_user } => {
            let (user, _) = thanrak_app::help::acting_user(store, as_user.as_deref()).await?;
            duplicates::mark_not_duplicates(store, &user, &key, &note)
                .await
                .map_err(access_error)?;
            eprintln!("group {} marked as not duplicates", safe(&key));
            Ok(ExitCode::SUCCESS)
        }
        DuplicatesCommand::Merge { key, as_user } => {
            let (user, _) = thanrak_app::help::acting_user(store, as_user.as_deref()).await?;
            let m = duplicates::merge(store, &user, &key)
                .await
                .map_err(access_error)?;
            let rounds: Vec<String> = m.rounds.iter().map(ToString::to_string).collect();
            eprintln!(
                "merged into household {} ({} households removed or renamed, {} members removed); \
                 score rounds {} again with `thanrak score`",
                safe(&m.household_id),
                m.removed,
                m.members_removed,
                rounds.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

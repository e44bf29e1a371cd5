//! `thanrak agencies list | set CODE …`: the catalogue of cooperating agencies. Whoever runs the
//! command line administers the machine, as with `thanrak user`.

use std::process::ExitCode;

use clap::Subcommand;
use thanrak_app::agencies::{list_agencies, save_agency, AgencyRequest};
use thanrak_app::db::Store;
use thanrak_app::AppError;

use crate::safe;

/// What to do with the agency catalogue.
#[derive(Subcommand)]
pub(crate) enum AgenciesCommand {
    /// List the agencies: code, Thai name, English name, needs, areas (tab-separated).
    List,
    /// Add an agency, or replace the one of this code (every field is written as given).
    Set {
        /// The agency's code (lower case, as its users and the methodology's needs name it).
        code: String,
        /// Its Thai name.
        #[arg(long)]
        name_th: String,
        /// Its English name.
        #[arg(long)]
        name_en: String,
        /// What it is there to do.
        #[arg(long, default_value = "")]
        mission: String,
        /// The needs it meets, comma-separated (ids of the shipped methodologies' needs).
        #[arg(long, value_delimiter = ',')]
        needs: Vec<String>,
        /// The provinces, districts or subdistricts it works in, comma-separated (none: the
        /// whole country).
        #[arg(long, value_delimiter = ',')]
        areas: Vec<String>,
        /// How to reach it.
        #[arg(long, default_value = "")]
        contact: String,
    },
}

/// Runs an agencies subcommand.
pub(crate) async fn run(command: AgenciesCommand, store: &Store) -> Result<ExitCode, AppError> {
    match command {
        AgenciesCommand::List => {
            println!("code\tname_th\tname_en\tneeds\tareas");
            for a in list_agencies(store).await? {
                let areas: Vec<String> = a.areas.iter().map(ToString::to_string).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    a.code,
                    safe(&a.name_th),
                    safe(&a.name_en),
                    a.needs.join(","),
                    if areas.is_empty() {
                        "all".to_string()
                    } else {
                        areas.join(",")
                    }
                );
            }
        }
        AgenciesCommand::Set {
            code,
            name_th,
            name_en,
            mission,
            needs,
            areas,
            contact,
        } => {
            let req = AgencyRequest {
                code,
                name_th,
                name_en,
                mission,
                needs,
                areas,
                contact,
            };
            let (a, added) = save_agency(store, &req).await?;
            println!(
                "{} agency {} ({})",
                if added { "added" } else { "replaced" },
                a.code,
                safe(&a.name_th)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `thanrak boundaries …`: the area boundaries drawn by the web application's map.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use thanrak_app::boundaries::{self, BoundaryImport};
use thanrak_app::db::Store;
use thanrak_app::AppError;
use thanrak_core::AreaLevel;

use crate::safe;

/// `thanrak boundaries …`.
#[derive(Subcommand)]
pub enum BoundariesCommand {
    /// Import the boundaries of one area level from a GeoJSON FeatureCollection.
    ///
    /// Each feature carries its area code in the property NAME and a Polygon or MultiPolygon
    /// geometry. If any feature has a problem nothing is written, each problem is printed with
    /// the feature's index, its code and the reason, and the exit code is 2. Importing an area
    /// again replaces its boundary.
    Import {
        /// The GeoJSON file.
        file: PathBuf,
        /// province, district, subdistrict or village.
        #[arg(long)]
        level: String,
        /// The feature property that holds the area code (such as ADM2_PCODE without its TH prefix).
        #[arg(long, value_name = "NAME")]
        code_property: String,
    },
}

/// Runs `thanrak boundaries …`.
pub async fn run(cmd: BoundariesCommand, database_url: &str) -> Result<ExitCode, AppError> {
    let BoundariesCommand::Import {
        file,
        level,
        code_property,
    } = cmd;
    let level = AreaLevel::parse(level.trim()).ok_or_else(|| {
        AppError::Invalid(format!(
            "unknown level {level:?}: use province, district, subdistrict or village"
        ))
    })?;
    let store = Store::connect(database_url).await?;
    let outcome = boundaries::import_boundaries(&store, &file, level, &code_property).await;
    store.close().await;
    match outcome? {
        BoundaryImport::Loaded(n) => {
            eprintln!(
                "imported {n} {level} boundaries from {}",
                safe(file.display())
            );
            Ok(ExitCode::SUCCESS)
        }
        BoundaryImport::Rejected(problems) => {
            println!("feature\tcode\treason");
            for p in &problems {
                let feature = p
                    .feature
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "-".into());
                println!("{feature}\t{}\t{}", safe(&p.code), safe(&p.reason));
            }
            eprintln!(
                "{} problem(s) in {}: nothing was imported",
                problems.len(),
                safe(file.display())
            );
            Ok(ExitCode::from(2))
        }
    }
}

//! A round's data as a download, in the import format: for roles that see personal data, inside
//! their areas, written to the audit log like any other view of it.

use chrono::Utc;
use thanrak_core::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaCode, Household, Member};
use thanrak_store::{Store, User};

use crate::access::{audit, household_scope, sees_personal_data, AccessError};
use crate::audit::AuditLog;
use crate::{blocking, ensure_round, parse_round, AppError, ExportFormat};

/// Which table a CSV download holds (a workbook holds both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTable {
    /// `households.csv`.
    Households,
    /// `members.csv`.
    Members,
}

impl ExportTable {
    /// Parses `households` or `members`.
    pub fn parse(s: &str) -> Option<ExportTable> {
        match s {
            "households" => Some(ExportTable::Households),
            "members" => Some(ExportTable::Members),
            _ => None,
        }
    }
}

/// A file to send.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// The file name to offer, such as `households-2569-1.csv`.
    pub name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// Households in the file (or whose members are in it).
    pub households: usize,
}

/// The households (or members) of `round` that `user` may see, inside `area` when given, as a
/// CSV table or an XLSX workbook of both tables, in the import format (so the file loads again
/// unchanged). Only roles that see personal data may export; the households exported are written
/// to the audit log under `action` before anything is returned.
#[allow(clippy::too_many_arguments)]
pub async fn export_for(
    store: &Store,
    log: &AuditLog,
    user: &User,
    round: &str,
    area: Option<&str>,
    format: ExportFormat,
    table: ExportTable,
    action: &str,
) -> Result<ExportFile, AccessError> {
    if !sees_personal_data(user.role) {
        return Err(AccessError::Forbidden(
            "an export holds names and national ids: this role may not download one".into(),
        ));
    }
    let scope = household_scope(user)?;
    let area = area
        .filter(|a| !a.is_empty())
        .map(|a| AreaCode::parse(a).map_err(|e| AppError::Invalid(format!("area code {a:?} {e}"))))
        .transpose()?;
    let round = parse_round(round)?;
    ensure_round(store, &round).await?;
    let households = store
        .scoped_round_households(&scope, area.as_ref(), &round)
        .await?;
    let members: Vec<Member> = if format == ExportFormat::Xlsx || table == ExportTable::Members {
        store
            .scoped_round_members(&scope, area.as_ref(), &round)
            .await?
    } else {
        Vec::new()
    };
    let ids = households
        .iter()
        .map(|h| h.household_id.to_string())
        .collect();
    audit(log, user, action, round.as_str(), ids, Utc::now()).await?;
    let n = households.len();
    let (name, content_type, bytes) =
        blocking(|| write(&round.to_string(), format, table, &households, &members))?;
    Ok(ExportFile {
        name,
        content_type,
        bytes,
        households: n,
    })
}

fn write(
    round: &str,
    format: ExportFormat,
    table: ExportTable,
    households: &[Household],
    members: &[Member],
) -> Result<(String, &'static str, Vec<u8>), AppError> {
    let failed = |name: &str| {
        let path = std::path::PathBuf::from(name);
        move |source: std::io::Error| AppError::Io(thanrak_io::IoError::Write { path, source })
    };
    match format {
        ExportFormat::Csv => {
            let mut bytes = Vec::new();
            let name = match table {
                ExportTable::Households => {
                    thanrak_io::write_csv_table(
                        &mut bytes,
                        HOUSEHOLD_COLUMNS,
                        households.iter().map(Household::to_values),
                    )
                    .map_err(failed("households.csv"))?;
                    format!("households-{round}.csv")
                }
                ExportTable::Members => {
                    thanrak_io::write_csv_table(
                        &mut bytes,
                        MEMBER_COLUMNS,
                        members.iter().map(Member::to_values),
                    )
                    .map_err(failed("members.csv"))?;
                    format!("members-{round}.csv")
                }
            };
            Ok((name, "text/csv; charset=utf-8", bytes))
        }
        ExportFormat::Xlsx => {
            let dir = tempfile::tempdir().map_err(failed("a temporary folder"))?;
            let path = dir.path().join("round.xlsx");
            thanrak_io::write_xlsx_tables(&path, households, members)?;
            let bytes = std::fs::read(&path).map_err(failed("round.xlsx"))?;
            Ok((
                format!("round-{round}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            ))
        }
    }
}

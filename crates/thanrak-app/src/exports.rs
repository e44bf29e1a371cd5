//! A round's data as a download, in the import format: for roles that see personal data, inside
//! their areas, written to the audit log like any other view of it.
//!
//! A CSV table is sent in parts of [`PART_HOUSEHOLDS`] households, read by household id a part at a
//! time, so that a whole programme-size round leaves the server's memory as it came; each part is
//! written to the audit log before it is sent. A workbook is built whole (the XLSX format needs
//! the file complete) and audited once.

use chrono::Utc;
use futures_util::stream::{self, BoxStream, StreamExt};
use thanrak_core::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaCode, Household, HouseholdId, Member, RoundLabel};
use thanrak_store::{Scope, Store, User};

use crate::access::{audit, AccessError};
use crate::audit::AuditLog;
use crate::{blocking, ensure_round, AppError, ExportFormat};

/// Households in one part of a CSV export.
pub const PART_HOUSEHOLDS: u64 = 5_000;

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

/// The bytes of a download: whole, or parts to send one after the other.
pub enum ExportBody {
    /// The whole file.
    Whole(Vec<u8>),
    /// The file's parts in order. An error ends the download short.
    Parts(BoxStream<'static, Result<Vec<u8>, AccessError>>),
}

impl std::fmt::Debug for ExportBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportBody::Whole(b) => write!(f, "Whole({} bytes)", b.len()),
            ExportBody::Parts(_) => write!(f, "Parts"),
        }
    }
}

impl ExportBody {
    /// Every byte of the file, parts joined.
    pub async fn collect(self) -> Result<Vec<u8>, AccessError> {
        match self {
            ExportBody::Whole(b) => Ok(b),
            ExportBody::Parts(mut parts) => {
                let mut out = Vec::new();
                while let Some(part) = parts.next().await {
                    out.extend(part?);
                }
                Ok(out)
            }
        }
    }
}

/// A file to send.
#[derive(Debug)]
pub struct ExportFile {
    /// The file name to offer, such as `households-2569-1.csv`.
    pub name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The file.
    pub body: ExportBody,
}

/// Who exports what: everything a part needs, owned, so that parts can be read after the
/// request's handler has returned the response.
struct Export {
    store: Store,
    log: AuditLog,
    user: User,
    scope: Scope,
    area: Option<AreaCode>,
    round: RoundLabel,
    table: ExportTable,
    action: String,
    part_households: u64,
}

/// Where a CSV export has got to.
struct Cursor {
    export: Export,
    after: Option<HouseholdId>,
    first: bool,
    done: bool,
}

/// The households (or members) of `round` that `user` may see, inside `area` when given, as a
/// CSV table or an XLSX workbook of both tables, in the import format (so the file loads again
/// unchanged). Only roles that see personal data may export; what is exported is written to the
/// audit log under `action` before it is sent. A CSV table comes in parts of `part_households`
/// households ([`PART_HOUSEHOLDS`] for a server).
#[allow(clippy::too_many_arguments)]
pub async fn export_for(
    store: &Store,
    log: &AuditLog,
    user: &User,
    round: &RoundLabel,
    area: Option<&AreaCode>,
    format: ExportFormat,
    table: ExportTable,
    action: &str,
    part_households: u64,
) -> Result<ExportFile, AccessError> {
    let scope = crate::policy::export_scope(user)?;
    ensure_round(store, round).await?;
    let export = Export {
        store: store.clone(),
        log: log.clone(),
        user: user.clone(),
        scope,
        area: area.copied(),
        round: round.clone(),
        table,
        action: action.to_string(),
        part_households: part_households.max(1),
    };
    match format {
        ExportFormat::Csv => {
            let name = match table {
                ExportTable::Households => format!("households-{}.csv", export.round),
                ExportTable::Members => format!("members-{}.csv", export.round),
            };
            let cursor = Cursor {
                export,
                after: None,
                first: true,
                done: false,
            };
            let parts = stream::try_unfold(cursor, next_part).boxed();
            Ok(ExportFile {
                name,
                content_type: "text/csv; charset=utf-8",
                body: ExportBody::Parts(parts),
            })
        }
        ExportFormat::Xlsx => workbook(export).await,
    }
}

/// The next part of a CSV export, audited, and where the export has got to.
async fn next_part(mut c: Cursor) -> Result<Option<(Vec<u8>, Cursor)>, AccessError> {
    if c.done {
        return Ok(None);
    }
    let e = &c.export;
    let households = e
        .store
        .registry()
        .scoped_round_households_after(
            &e.scope,
            e.area.as_ref(),
            &e.round,
            c.after.as_ref(),
            e.part_households,
        )
        .await?;
    c.done = (households.len() as u64) < e.part_households;
    if households.is_empty() && !c.first {
        return Ok(None);
    }
    let ids: Vec<HouseholdId> = households.iter().map(|h| h.household_id.clone()).collect();
    audit(
        &e.log,
        &e.user,
        &e.action,
        e.round.as_str(),
        ids.iter().map(ToString::to_string).collect(),
        Utc::now(),
    )
    .await?;
    let mut bytes = Vec::new();
    let written = match e.table {
        ExportTable::Households => thanrak_io::write_csv_part(
            &mut bytes,
            HOUSEHOLD_COLUMNS,
            c.first,
            households.iter().map(Household::to_values),
        ),
        ExportTable::Members => {
            let members = e
                .store
                .registry()
                .scoped_members(&e.scope, &e.round, &ids)
                .await?;
            thanrak_io::write_csv_part(
                &mut bytes,
                MEMBER_COLUMNS,
                c.first,
                members.iter().map(Member::to_values),
            )
        }
    };
    written.map_err(|source| {
        AppError::Io(thanrak_io::IoError::Write {
            path: "export.csv".into(),
            source,
        })
    })?;
    c.after = ids.last().cloned();
    c.first = false;
    Ok(Some((bytes, c)))
}

/// Both tables in one workbook, audited once.
async fn workbook(e: Export) -> Result<ExportFile, AccessError> {
    let households = e
        .store
        .registry()
        .scoped_round_households(&e.scope, e.area.as_ref(), &e.round)
        .await?;
    let members = e
        .store
        .registry()
        .scoped_round_members(&e.scope, e.area.as_ref(), &e.round)
        .await?;
    let ids = households
        .iter()
        .map(|h| h.household_id.to_string())
        .collect();
    audit(
        &e.log,
        &e.user,
        &e.action,
        e.round.as_str(),
        ids,
        Utc::now(),
    )
    .await?;
    let failed = |what: &str| {
        let path = std::path::PathBuf::from(what);
        move |source: std::io::Error| AppError::Io(thanrak_io::IoError::Write { path, source })
    };
    let bytes = blocking(|| -> Result<Vec<u8>, AppError> {
        let dir = tempfile::tempdir().map_err(failed("a temporary folder"))?;
        let path = dir.path().join("round.xlsx");
        thanrak_io::write_xlsx_tables(&path, &households, &members)?;
        std::fs::read(&path).map_err(failed("round.xlsx"))
    })?;
    Ok(ExportFile {
        name: format!("round-{}.xlsx", e.round),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body: ExportBody::Whole(bytes),
    })
}

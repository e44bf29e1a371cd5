//! Backups of the whole database and their restoration (`thanrak backup`, `thanrak restore`),
//! and the check that a database is whole (`thanrak check`).
//!
//! SQLite is copied online by the store (`VACUUM INTO`: one consistent snapshot while the server
//! keeps reading and writing) into a file beside the target that is renamed over it only when
//! complete. A restore checks the file first — a thanrak database, whole, brought up to this
//! version's migrations — on a copy, keeps the database it replaces as `FILE.before-restore`
//! (a hard link, so it costs no space), and renames the copy into place: a crash at any point
//! leaves either the old database or the new one.
//!
//! PostgreSQL is backed up with its own tools: `pg_dump --format=custom`, restored with
//! `pg_restore --clean --single-transaction`, so that a restore that fails changes nothing.
//! They must be installed, of the server's major version.

use std::path::{Path, PathBuf};
use std::process::Command;

use thanrak_store::{Backend, Store};

use crate::AppError;

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The file written.
    pub file: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// How it was made (`VACUUM INTO`, `pg_dump`).
    pub method: &'static str,
}

/// What a restore replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// Where the database that was replaced is kept (SQLite), if there was one.
    pub kept: Option<PathBuf>,
    /// How it was restored.
    pub method: &'static str,
}

/// Writes a backup of the database at `url` (open as `store`) to `out`. An existing `out` is
/// replaced only once the new backup is complete.
pub async fn backup(store: &Store, url: &str, out: &Path) -> Result<BackupSummary, AppError> {
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let method = match store.backend() {
        Backend::Sqlite => {
            store.maintenance().sqlite_copy_to(&partial).await?;
            "VACUUM INTO"
        }
        Backend::Postgres => {
            run_tool(
                Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--file")
                    .arg(&partial)
                    .arg(libpq_url(url)),
                "pg_dump",
            )
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })?;
            "pg_dump"
        }
    };
    std::fs::rename(&partial, out)
        .map_err(|e| AppError::Invalid(format!("cannot write {}: {e}", out.display())))?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        file: out.to_path_buf(),
        bytes,
        method,
    })
}

/// Replaces the database at `url` with the backup `file`. The backup is checked before anything
/// is replaced; a file that is not a thanrak backup, or not whole, is refused and changes nothing.
pub async fn restore(url: &str, file: &Path) -> Result<RestoreSummary, AppError> {
    if !file.is_file() {
        return Err(AppError::NotFound(format!(
            "there is no file {}",
            file.display()
        )));
    }
    if url.starts_with("sqlite:") {
        restore_sqlite(url, file).await
    } else {
        run_tool(
            Command::new("pg_restore")
                .arg("--clean")
                .arg("--if-exists")
                .arg("--no-owner")
                .arg("--single-transaction")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(libpq_url(url))
                .arg(file),
            "pg_restore",
        )?;
        let store = Store::connect(url).await?;
        let problems = store.maintenance().problems().await;
        store.close().await;
        refuse_problems(file, problems?)?;
        Ok(RestoreSummary {
            kept: None,
            method: "pg_restore",
        })
    }
}

async fn restore_sqlite(url: &str, file: &Path) -> Result<RestoreSummary, AppError> {
    let current = Store::connect(url).await?;
    let target = current
        .maintenance()
        .sqlite_file()
        .ok_or_else(|| AppError::Invalid("an in-memory database cannot be restored into".into()))?;
    let staged = partial_path(&target);
    std::fs::copy(file, &staged).map_err(|e| {
        AppError::Invalid(format!(
            "cannot copy {} beside {}: {e}",
            file.display(),
            target.display()
        ))
    })?;
    let checked = check_sqlite_backup(file, &staged).await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&staged);
        current.close().await;
        return Err(e);
    }
    // The file alone must hold every commit before it is kept aside: fold the log into it.
    current.maintenance().checkpoint().await?;
    current.close().await;
    let kept = target.with_file_name(format!(
        "{}.before-restore",
        target.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = std::fs::remove_file(&kept);
    std::fs::hard_link(&target, &kept)
        .or_else(|_| std::fs::copy(&target, &kept).map(|_| ()))
        .map_err(|e| AppError::Invalid(format!("cannot keep {}: {e}", target.display())))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&staged, &target)
        .map_err(|e| AppError::Invalid(format!("cannot replace {}: {e}", target.display())))?;
    Ok(RestoreSummary {
        kept: Some(kept),
        method: "file",
    })
}

/// Opens the staged copy of a SQLite backup: it must already be a thanrak database (not merely
/// any SQLite file), is brought up to this version's migrations, and must be whole.
async fn check_sqlite_backup(file: &Path, staged: &Path) -> Result<(), AppError> {
    let not_backup = || {
        AppError::Invalid(format!(
            "{} is not a thanrak SQLite database or backup",
            file.display()
        ))
    };
    let head = std::fs::read(staged)
        .ok()
        .and_then(|b| b.get(..16).map(<[u8]>::to_vec));
    if head.as_deref() != Some(b"SQLite format 3\0".as_slice()) {
        return Err(not_backup());
    }
    if !thanrak_store::is_thanrak_sqlite(staged).await {
        return Err(not_backup());
    }
    let url = format!("sqlite://{}", staged.display());
    let store = Store::connect(&url).await.map_err(|_| not_backup())?;
    let problems = store.maintenance().problems().await;
    store.close().await;
    refuse_problems(file, problems?)
}

fn refuse_problems(file: &Path, problems: Vec<String>) -> Result<(), AppError> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid(format!(
        "{} is not whole: {}",
        file.display(),
        problems.join("; ")
    )))
}

/// What is wrong with the database, empty when it is whole ([`thanrak_store::Maintenance::problems`]).
pub async fn check(store: &Store) -> Result<Vec<String>, AppError> {
    Ok(store.maintenance().problems().await?)
}

/// `FILE.partial`: written first, renamed over `FILE` when complete.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// The URL for libpq's tools: sqlx's own parameters left out, libpq's kept.
fn libpq_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            !matches!(key, "statement-cache-capacity")
        })
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn run_tool(cmd: &mut Command, name: &str) -> Result<(), AppError> {
    let out = cmd.output().map_err(|e| {
        AppError::Invalid(format!(
            "cannot run {name} ({e}): install PostgreSQL's client tools of the server's major version"
        ))
    })?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    Err(AppError::Invalid(format!(
        "{name} failed: {}",
        said.trim().lines().take(5).collect::<Vec<_>>().join(" / ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_urls_keep_libpq_parameters() {
        assert_eq!(libpq_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            libpq_url("postgres://u@h/db?statement-cache-capacity=0&sslmode=disable"),
            "postgres://u@h/db?sslmode=disable"
        );
        assert_eq!(
            partial_path(Path::new("/a/b.db")),
            Path::new("/a/b.db.partial")
        );
    }
}

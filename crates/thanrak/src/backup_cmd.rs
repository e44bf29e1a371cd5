//! `thanrak backup`, `thanrak restore` and `thanrak check`: the whole database copied, put back,
//! and checked (`thanrak_app::backup`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use thanrak_app::db::Store;
use thanrak_app::AppError;

use crate::safe;

/// Writes a backup of the database to `out`.
pub async fn backup(store: &Store, url: &str, out: &Path) -> Result<ExitCode, AppError> {
    let started = Instant::now();
    let s = thanrak_app::backup::backup(store, url, out).await?;
    println!("{}", safe(s.file.display()));
    eprintln!(
        "backed up the database ({}, {:.1} MB) in {:.1} s; restore it with `thanrak restore {} --yes`",
        s.method,
        s.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        safe(s.file.display())
    );
    Ok(ExitCode::SUCCESS)
}

/// Replaces the database with a backup, once the user has said yes.
pub async fn restore(url: &str, file: &Path, yes: bool) -> Result<ExitCode, AppError> {
    if !yes {
        eprintln!(
            "this replaces the whole database at {} with {}: stop the servers that use it, then run again with --yes",
            safe(url_without_password(url)),
            safe(file.display())
        );
        return Ok(ExitCode::from(2));
    }
    let started = Instant::now();
    let s = thanrak_app::backup::restore(url, file).await?;
    eprintln!(
        "restored {} ({}) in {:.1} s",
        safe(file.display()),
        s.method,
        started.elapsed().as_secs_f64()
    );
    if let Some(kept) = s.kept {
        eprintln!(
            "the database it replaced is kept as {}",
            safe(kept.display())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what is wrong with the database; exit code 1 when anything is.
pub async fn check(store: &Store) -> Result<ExitCode, AppError> {
    let problems = thanrak_app::backup::check(store).await?;
    if problems.is_empty() {
        println!("ok");
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        println!("{}", safe(p));
    }
    Ok(ExitCode::FAILURE)
}

/// A database URL fit to print: the password, if any, left out.
fn url_without_password(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

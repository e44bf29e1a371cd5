//! The import page (`/import`): upload CSV / XLSX files, see the row report (file, row, column,
//! value, reason) or a summary, and confirm to load them. The upload queues a check job and
//! redirects to `/import?check={id}`, which follows the check's progress and then shows its
//! outcome: no file is read or checked inside a request. Uploads wait in a staging folder of
//! their own (a random name, owned by the uploader) between the check and the confirmation (a
//! refused check removes it); the confirmation queues an import job (which checks the files again, loads them and queues the
//! scoring of the rounds they touch) and redirects to the job's page (`/jobs/{id}`), which
//! follows its progress and shows its outcome. The job removes the staging folder when it ends.

use std::path::{Path as FsPath, PathBuf};
use std::sync::OnceLock;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::AccessError;
use thanrak_app::db::JobState;
use thanrak_app::jobs::{
    self, CheckParams, CheckResult, ImportParams, JobKind, JobParams, Removal,
};
use thanrak_app::upload::{import_areas, may_import};
use thanrak_app::ImportMode;

use crate::auth::{credentials, CsrfForm, PageUser};
use crate::error::ApiError;
use crate::i18n::{report_value, LangChoice};
use crate::AppState;

use super::dashboard::{account, error_page};
use super::jobs::summary;
use super::render;

/// The largest upload accepted, all files together.
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
/// The longest file name of an upload, in characters (a file system takes 255 bytes, and a
/// staged copy may get a short prefix).
pub(crate) const MAX_FILE_NAME_CHARS: usize = 200;
/// What an upload over [`MAX_UPLOAD_BYTES`] is told.
pub(crate) const TOO_LARGE: &str = "the upload is larger than 64 MB: send fewer files at a time, \
    or import large files with the command line (thanrak import)";

/// What a failed multipart read is answered: 413 when the upload is over the size limit, 400
/// for anything else.
pub(crate) fn upload_error(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::payload_too_large(TOO_LARGE)
    } else {
        ApiError::invalid(format!("bad upload: {}", e.body_text()))
    }
}

/// The name to stage an uploaded file under (see [`safe_name`]), made different from `taken`;
/// an error message when the name is too long to keep.
pub(crate) fn staged_name(name: &str, taken: &[String]) -> Result<String, String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let chars = base.chars().count();
    if chars > MAX_FILE_NAME_CHARS {
        return Err(format!(
            "the file name is {chars} characters long: rename the file to at most \
             {MAX_FILE_NAME_CHARS} characters and upload it again"
        ));
    }
    let safe = safe_name(name);
    let mut candidate = safe.clone();
    let mut k = 1;
    while taken.contains(&candidate) || STAGING_NOTES.contains(&candidate.as_str()) {
        candidate = format!("{k}_{safe}");
        k += 1;
    }
    Ok(candidate)
}
/// Staged uploads older than this are swept away.
const STAGING_HOURS: u64 = 24;

/// `/import` and `/import/confirm`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/import",
            get(import_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/import/confirm", post(confirm))
        .route("/import/form.xlsx", get(field_form))
}

/// `/import/form.xlsx?round=R`: the household survey of a round as an XLSForm for ODK Central
/// and KoboToolbox, with the village lists of the areas the user imports into.
async fn field_form(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<crate::api::forms::FormQuery>,
) -> Response {
    let round = match crate::parse::round(&q.round) {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, e),
    };
    match thanrak_app::field::form_for(state.store(), &page.user, &round).await {
        Ok((_, bytes)) => crate::api::forms::form_response(round.as_str(), bytes),
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

/// Where uploads wait for confirmation: a folder of this process, readable by its user only
/// (created with a random name, so that no other user can have prepared it).
static STAGING_ROOT: OnceLock<PathBuf> = OnceLock::new();

pub(crate) fn staging_root() -> std::io::Result<&'static FsPath> {
    if let Some(root) = STAGING_ROOT.get() {
        return Ok(root);
    }
    let root = std::env::temp_dir().join(format!(
        "thanrak-uploads-{}",
        &credentials::random_hex()[..16]
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&root)?;
    Ok(STAGING_ROOT.get_or_init(|| root))
}

/// Removes this process's staging folder and every upload still waiting in it: for a server
/// that stops.
pub(crate) fn remove_staging_folder() {
    if let Some(root) = STAGING_ROOT.get() {
        let _ = std::fs::remove_dir_all(root);
    }
}

/// The staging folder of a batch, if the name is one this page made.
fn staging_dir(batch: &str) -> Option<PathBuf> {
    let root = staging_root().ok()?;
    (batch.len() == 64 && batch.bytes().all(|b| b.is_ascii_hexdigit())).then(|| root.join(batch))
}

/// Removes staged uploads left unconfirmed for a day.
fn sweep_staging() {
    let Ok(entries) = staging_root().and_then(std::fs::read_dir) else {
        return;
    };
    let limit = std::time::Duration::from_secs(STAGING_HOURS * 3600);
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > limit);
        if old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A file name safe to write: its last component, with characters other than ASCII letters,
/// digits, `.`, `_` and `-` replaced.
pub(crate) fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "upload".into()
    } else {
        clean
    }
}

/// The import page again, saying why the upload could not be read (413 when it is too large).
fn upload_failed(
    state: &AppState,
    lang: &LangChoice,
    page: &PageUser,
    e: &axum::extract::multipart::MultipartError,
) -> Response {
    let e = upload_error(e);
    show(
        state,
        lang,
        page,
        e.status(),
        context! { error => e.message() },
    )
}

fn forbidden_unless_importer(page: &PageUser) -> Result<(), ApiError> {
    import_areas(&page.user).map(|_| ()).map_err(Into::into)
}

fn show(
    state: &AppState,
    lang: &LangChoice,
    page: &PageUser,
    status: StatusCode,
    extra: Value,
) -> Response {
    let ctx = context! {
        account => account(page, lang.lang),
        csrf => &page.csrf_token,
        ..extra
    };
    render(state, lang, status, "import.html", ctx)
}

#[derive(Debug, Default, Deserialize)]
struct ImportQuery {
    /// The check job whose progress or outcome to show.
    check: Option<String>,
}

/// The import page: the upload form, and with `?check=ID` the check of an upload — its progress
/// while the check job runs (followed by `assets/jobs.js`, which reloads the page when it ends),
/// then the row report, or the summary with the confirmation.
async fn import_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<ImportQuery>,
) -> Response {
    if let Err(e) = forbidden_unless_importer(&page) {
        return error_page(&state, &lang, e);
    }
    let Some(check) = q.check else {
        return show(&state, &lang, &page, StatusCode::OK, context! {});
    };
    let not_found = || error_page(&state, &lang, ApiError::not_found("no such check"));
    let Ok(id) = check.parse::<i64>() else {
        return not_found();
    };
    let job = match jobs::get_job(state.jobs(), &page.user, id).await {
        Ok(j) if j.new.kind == JobKind::Check.as_str() => j,
        Ok(_) => return not_found(),
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let Ok(JobParams::Check(params)) = JobParams::of(&job) else {
        return not_found();
    };
    let files: Vec<String> = params
        .files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let l = lang.lang;
    match job.state {
        JobState::Queued | JobState::Running => show(
            &state,
            &lang,
            &page,
            StatusCode::OK,
            context! { files, checking => summary(&job, l) },
        ),
        JobState::Failed => {
            let error = job.error.clone().unwrap_or_default();
            show(
                &state,
                &lang,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { files, error },
            )
        }
        JobState::Done => match jobs::result_of::<CheckResult>(&job) {
            Some(r) if r.status == "ready" => {
                let batch = params
                    .staging
                    .as_deref()
                    .and_then(FsPath::file_name)
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                show(
                    &state,
                    &lang,
                    &page,
                    StatusCode::OK,
                    context! {
                        files,
                        ready => context! {
                            batch,
                            households => r.households,
                            members => r.members,
                            households_only => params.households_only,
                            rounds => r.rounds,
                            removals => (r.removes_members > 0).then(|| removals_context(&r.removals)),
                        },
                    },
                )
            }
            Some(r) => {
                let report: Vec<Value> = r
                    .problems
                    .iter()
                    .map(|d| {
                        context! {
                            file => &d.file,
                            row => d.row,
                            column => &d.column,
                            value => report_value(l, &d.column, &d.value),
                            reason => d.reason.text(l),
                        }
                    })
                    .collect();
                let fixable: Vec<Value> = r
                    .fixable
                    .iter()
                    .enumerate()
                    .map(|(n, f)| {
                        context! {
                            href => format!("/households/fix?check={id}&n={n}"),
                            round => &f.round,
                            household_id => &f.household_id,
                            members => f.members.len(),
                        }
                    })
                    .collect();
                show(
                    &state,
                    &lang,
                    &page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { files, report, fixable },
                )
            }
            None => not_found(),
        },
    }
}

/// Files of a staging folder that are not uploads: who uploaded, and the import mode chosen.
const STAGING_NOTES: [&str; 2] = ["owner", "mode"];

/// The uploaded files of a staging folder, in name order.
fn staged_files(dir: &FsPath) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| !STAGING_NOTES.iter().any(|s| n == *s))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The import mode noted in a staging folder.
fn staged_mode(dir: &FsPath) -> ImportMode {
    match std::fs::read_to_string(dir.join("mode")).as_deref() {
        Ok("households_only") => ImportMode::HouseholdsOnly,
        _ => ImportMode::Whole,
    }
}

/// The most households listed by name in the warning about removed members.
const REMOVALS_LISTED: usize = 100;

/// The members an import removes, as the preview shows them.
fn removals_context(r: &[Removal]) -> Value {
    context! {
        members => r.iter().map(|h| h.member_nos.len()).sum::<usize>(),
        households => r.len(),
        listed => r.iter().take(REMOVALS_LISTED).map(|h| context! {
            round => &h.round,
            household_id => &h.household_id,
            member_nos => h.member_nos.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        }).collect::<Vec<_>>(),
        more => r.len().saturating_sub(REMOVALS_LISTED),
    }
}

async fn upload(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Err(e) = forbidden_unless_importer(&page) {
        return error_page(&state, &lang, e);
    }
    let Ok(mut multipart) = multipart else {
        return error_page(
            &state,
            &lang,
            ApiError::invalid("the form was not sent as a file upload"),
        );
    };
    sweep_staging();
    let batch = credentials::random_hex();
    let Some(dir) = staging_dir(&batch) else {
        return ApiError::internal(&"a staging name of the wrong shape").into_response();
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return ApiError::internal(&e).into_response();
    }
    let cleanup = |dir: &FsPath| {
        let _ = std::fs::remove_dir_all(dir);
    };
    let mut csrf_ok = false;
    let mut households_only = false;
    let mut names: Vec<String> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                cleanup(&dir);
                return upload_failed(&state, &lang, &page, &e);
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                cleanup(&dir);
                return upload_failed(&state, &lang, &page, &e);
            }
        };
        match (name.as_str(), file_name) {
            ("csrf", _) => {
                csrf_ok = credentials::constant_time_eq(
                    std::str::from_utf8(&bytes).unwrap_or(""),
                    &page.csrf_token,
                );
            }
            ("households_only", _) => households_only = &bytes[..] == b"1",
            // The form sends its CSRF token first: no file is written before it is checked.
            ("files", Some(_)) if !csrf_ok => {
                cleanup(&dir);
                return ApiError::csrf_failed().into_response();
            }
            ("files", Some(f)) if !f.is_empty() => {
                let safe = match staged_name(&f, &names) {
                    Ok(s) => s,
                    Err(error) => {
                        cleanup(&dir);
                        return show(
                            &state,
                            &lang,
                            &page,
                            StatusCode::BAD_REQUEST,
                            context! { error },
                        );
                    }
                };
                if let Err(e) = std::fs::write(dir.join(&safe), &bytes) {
                    cleanup(&dir);
                    return ApiError::internal(&e).into_response();
                }
                names.push(safe);
            }
            _ => {}
        }
    }
    if !csrf_ok {
        cleanup(&dir);
        return ApiError::csrf_failed().into_response();
    }
    if names.is_empty() {
        cleanup(&dir);
        return show(
            &state,
            &lang,
            &page,
            StatusCode::BAD_REQUEST,
            context! { no_files => true },
        );
    }
    let noted = std::fs::write(dir.join("owner"), page.user.id.to_string()).and_then(|()| {
        let m = if households_only {
            "households_only"
        } else {
            "whole"
        };
        std::fs::write(dir.join("mode"), m)
    });
    if let Err(e) = noted {
        cleanup(&dir);
        return ApiError::internal(&e).into_response();
    }
    // The check runs as a job: the request ends here, and the page follows the check.
    let params = JobParams::Check(CheckParams {
        files: names.iter().map(|n| dir.join(n)).collect(),
        staging: Some(dir.clone()),
        households_only,
        user: page.user.name.to_string(),
    });
    match state.jobs().queue(&params, &page.user).await {
        Ok(job) => Redirect::to(&format!("/import?check={}", job.id)).into_response(),
        Err(e) => {
            cleanup(&dir);
            error_page(&state, &lang, AccessError::from(e).into())
        }
    }
}

#[derive(Deserialize)]
struct ConfirmFields {
    #[serde(default)]
    batch: String,
    /// The number of stored members the preview said would be removed, sent only when the
    /// user ticked the box that confirms it.
    #[serde(default)]
    remove_members: Option<usize>,
    #[serde(default)]
    confirm_removals: Option<String>,
}

async fn confirm(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<ConfirmFields>,
) -> Response {
    let page = form.user;
    if let Err(e) = may_import(state.store(), &page.user).await {
        return error_page(&state, &lang, e.into());
    }
    let owner_ok = |dir: &FsPath| {
        std::fs::read_to_string(dir.join("owner")).is_ok_and(|o| o == page.user.id.to_string())
    };
    let Some(dir) = staging_dir(&form.form.batch).filter(|d| owner_ok(d)) else {
        return error_page(&state, &lang, ApiError::not_found("no such upload"));
    };
    let paths = match staged_files(&dir) {
        Ok(p) => p,
        Err(e) => return ApiError::internal(&e).into_response(),
    };
    let mode = staged_mode(&dir);
    let confirmed = match form.form.confirm_removals.as_deref() {
        Some("1") => form.form.remove_members.unwrap_or(0),
        _ => 0,
    };
    // From here the upload is the job's: it cannot be confirmed a second time.
    if let Err(e) = std::fs::remove_file(dir.join("owner")) {
        return ApiError::internal(&e).into_response();
    }
    let params = JobParams::Import(ImportParams {
        files: paths,
        staging: Some(dir.clone()),
        households_only: mode == ImportMode::HouseholdsOnly,
        confirmed_removals: confirmed,
        user: page.user.name.to_string(),
    });
    match state.jobs().queue(&params, &page.user).await {
        // Post, redirect, get: the job has an address of its own, so that reloading it does
        // not post the confirmation again.
        Ok(job) => Redirect::to(&format!("/jobs/{}", job.id)).into_response(),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            error_page(&state, &lang, AccessError::from(e).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_are_made_safe() {
        assert_eq!(safe_name("households.csv"), "households.csv");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\data\\ครัวเรือน.xlsx"), "_________.xlsx");
        assert_eq!(safe_name(".."), "upload");
        assert!(staging_dir("../x").is_none());
        assert!(staging_dir(&"a".repeat(64)).is_some());
    }
}

//! The jobs pages: `/jobs` lists the user's background jobs (every job for an admin), newest
//! first; `/jobs/{id}` shows one with its progress and, once it has ended, what it did (an
//! import's summary and the scoring of its rounds, or every problem of refused files) or why it
//! failed. The progress bars follow the JSON API from `assets/jobs.js` without a reload; the
//! page reloads itself once when a job it shows ends, to show the outcome.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::Paging;
use thanrak_app::cases::GroupReferralResult;
use thanrak_app::db::{Job, JobState, INTERRUPTED};
use thanrak_app::jobs::{self, ImportResult, JobKind, JobParams, ScoreResult};
use thanrak_core::methodology::Group;

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::i18n::Texts;
use crate::i18n::{format_time, report_value, Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// Jobs per page.
const PER_PAGE: u32 = 50;

/// `/jobs` and `/jobs/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(jobs_page))
        .route("/jobs/{id}", get(job_page))
}

#[derive(Debug, Default, Deserialize)]
struct JobsQuery {
    page: Option<u32>,
}

/// What a job's row shows: kind, state, progress, times, who.
pub(crate) fn summary(job: &Job, l: Lang) -> Value {
    let names = |files: &[std::path::PathBuf]| {
        files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what = match JobParams::of(job) {
        Ok(JobParams::Import(p)) => names(&p.files),
        Ok(JobParams::Check(p)) => names(&p.files),
        Ok(JobParams::Score(p)) => p.round.to_string(),
        Ok(JobParams::Refer(p)) => format!("{} · {} → {}", p.round, p.need, p.agency),
        Ok(JobParams::Match(p)) => format!(
            "{} · {} · {} km",
            p.round,
            p.area.as_deref().unwrap_or("*"),
            p.max_m / 1000
        ),
        Ok(JobParams::Report(p)) => format!(
            "{} · {} · {}",
            p.area,
            p.round.as_deref().unwrap_or("—"),
            p.format.file().0
        ),
        Err(_) => String::new(),
    };
    let kind = JobKind::parse(&job.new.kind);
    let error = job.error.as_deref().map(|e| {
        if e == INTERRUPTED {
            l.text("jb.interrupted").to_string()
        } else {
            e.to_string()
        }
    });
    context! {
        id => job.id,
        kind => kind.map_or("unknown", JobKind::as_str),
        kind_label => kind.map_or(job.new.kind.as_str(), |k| k.label(l)),
        what,
        state => job.state.as_str(),
        state_label => job.state.label(l),
        state_labels => JobState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(l)))
            .collect::<std::collections::BTreeMap<_, _>>(),
        stage => &job.stage,
        stage_label => match job.stage.as_str() {
            "read" | "write" => l.text(&format!("jb.stage.{}", job.stage)).to_string(),
            other => other.to_string(),
        },
        done => job.progress_done,
        total => job.progress_total,
        by => &job.new.created_by_name,
        created => format_time(l, job.created_at),
        started => job.started_at.map(|t| format_time(l, t)),
        finished => job.finished_at.map(|t| format_time(l, t)),
        error,
    }
}

async fn jobs_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<JobsQuery>,
) -> Response {
    let l = lang.lang;
    let paging = match Paging::new(q.page, Some(PER_PAGE)) {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let list = match jobs::list_jobs(state.jobs(), &page.user, paging).await {
        Ok(list) => list,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let pages = list.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let n = u64::from(list.page);
    render(
        &state,
        &lang,
        StatusCode::OK,
        "jobs.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            jobs => list.items.iter().map(|j| summary(j, l)).collect::<Vec<_>>(),
            total => list.total,
            page => n,
            pages,
            prev => (n > 1).then(|| format!("/jobs?page={}", n - 1)),
            next => (n < pages).then(|| format!("/jobs?page={}", n + 1)),
        },
    )
}

fn group_counts(groups: &[u64; 4], l: Lang) -> Vec<Value> {
    Group::ALL
        .iter()
        .zip(groups)
        .map(|(g, n)| {
            context! {
                label => if l == Lang::Th { g.label_th() } else { g.label_en() },
                households => n,
            }
        })
        .collect()
}

async fn job_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path(id): Path<String>,
) -> Response {
    let l = lang.lang;
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &lang, ApiError::not_found("no such job"));
    };
    let job = match jobs::get_job(state.jobs(), &page.user, id).await {
        Ok(j) => j,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    if job.new.kind == JobKind::Check.as_str() {
        // A check's outcome is shown on the import page, where its files can be confirmed.
        return Redirect::to(&format!("/import?check={}", job.id)).into_response();
    }
    let mut ctx = context! { job => summary(&job, l) };
    if let Some(r) = jobs::result_of::<ImportResult>(&job).filter(|_| job.new.kind == "import") {
        if job.state == JobState::Done {
            // The scoring jobs the import queued, with what each found once done.
            let mut rounds = Vec::new();
            let mut all_scored = true;
            for (round, sid) in r.rounds.iter().zip(&r.scoring_jobs) {
                let scoring = jobs::get_job(state.jobs(), &page.user, *sid).await.ok();
                let scored = scoring.as_ref().and_then(jobs::result_of::<ScoreResult>);
                all_scored &= scored.is_some();
                rounds.push(context! {
                    round,
                    job => scoring.as_ref().map(|s| summary(s, l)),
                    households => scored.as_ref().map(|s| s.households),
                    groups => scored.as_ref().map(|s| group_counts(&s.groups, l)),
                });
            }
            ctx = context! {
                loaded => context! {
                    households => r.households,
                    members => r.members,
                    new_villages => r.new_villages,
                    removed => r.removes_members,
                    rounds,
                    all_scored,
                },
                ..ctx
            };
        } else if !r.problems.is_empty() {
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
            ctx = context! { report, ..ctx };
        }
    }
    if let Some(r) =
        jobs::result_of::<GroupReferralResult>(&job).filter(|_| job.new.kind == "refer")
    {
        ctx = context! {
            referred => context! {
                households => r.households,
                opened => r.opened,
                already_open => r.already_open,
                outside => r.outside_agency_areas,
            },
            ..ctx
        };
    }
    if let Some(m) = jobs::result_of::<thanrak_app::matching::MatchResult>(&job)
        .filter(|_| job.new.kind == "match")
    {
        ctx = context! {
            matched => context! {
                run => m.run_id,
                workers => m.total.workers,
                placed => m.total.placed,
                hardship_workers => m.total.hardship_workers,
                hardship_placed => m.total.hardship_placed,
            },
            ..ctx
        };
    }
    if let Some(r) =
        jobs::result_of::<jobs::ReportResult>(&job).filter(|_| job.new.kind == "report")
    {
        ctx = context! {
            made_report => context! {
                name => r.name,
                size => format!("{:.1}", r.bytes as f64 / 1024.0),
                download => r.download,
            },
            ..ctx
        };
    }
    if let Some(s) = jobs::result_of::<ScoreResult>(&job).filter(|_| job.new.kind == "score") {
        ctx = context! {
            scored => context! {
                round => s.round,
                households => s.households,
                groups => group_counts(&s.groups, l),
            },
            ..ctx
        };
    }
    render(
        &state,
        &lang,
        StatusCode::OK,
        "job.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            ..ctx
        },
    )
}

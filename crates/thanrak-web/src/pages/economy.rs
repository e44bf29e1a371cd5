//! The grassroots economy's pages (issue 11): `/enterprises` lists the registry (filters by
//! area, kind and name; each enterprise with its grassroots score and the three traits shown
//! as marks), `/enterprises/{id}` the chain around one (positions, whom it buys from and sells
//! to, the poor households placed with it for roles that read workers), and `/matching` runs
//! a match (a job; the form posts to `/matching`), shows a run's totals and pairs, and accepts
//! a pair (`/matching/pairs/{id}/accept`, opening a case for the job need). Phone-friendly:
//! tables scroll sideways and the traits are marks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::Paging;
use thanrak_app::economy::{enterprise_chain, list_enterprises};
use thanrak_app::matching::{self, list_runs, run_pairs};
use thanrak_core::economy::matching::DEFAULT_MAX_M;
use thanrak_core::economy::{Enterprise, EnterpriseKind, GrassrootsScore};
use thanrak_core::household::Skills;

use crate::auth::{CsrfForm, PageUser};
use crate::error::{ApiError, Path, Query};
use crate::i18n::{Lang, LangChoice, Texts};
use crate::parse;
use crate::AppState;

use super::dashboard::{account, area_name, error_page};
use super::render;

/// `/enterprises`, `/enterprises/{id}`, `/matching` and its forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(enterprises_page))
        .route("/enterprises/{id}", get(enterprise_page))
        .route("/matching", get(matching_page).post(run_match))
        .route("/matching/pairs/{id}/accept", post(accept_pair))
        .route("/matching/pairs/{id}/hire", post(hire_pair))
}

/// Rows per page of the registry.
const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
struct EnterprisesQuery {
    area: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    page: Option<u32>,
}

fn traits(g: &GrassrootsScore, l: Lang) -> Vec<Value> {
    g.traits(l)
        .iter()
        .map(|(label, met)| context! { label => *label, met => *met })
        .collect()
}

fn skills_text(s: Skills, l: Lang) -> String {
    s.iter().map(|k| k.label(l)).collect::<Vec<_>>().join(", ")
}

fn enterprise_row(e: &Enterprise, l: Lang) -> Value {
    let f = e.fields();
    let g = e.grassroots();
    context! {
        id => f.id,
        name => &f.name,
        kind => f.kind.label(l),
        village => f.village.to_string(),
        place => area_name(&f.village.parent().unwrap_or(f.village), l),
        score => g.points(),
        traits => traits(&g, l),
        stars => f.otop_stars,
        registration => &f.registration_no,
    }
}

async fn enterprises_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<EnterprisesQuery>,
) -> Response {
    let l = lang.lang;
    let shown = || -> Result<_, ApiError> {
        let area = parse::area_or_none(q.area.as_deref().filter(|a| !a.trim().is_empty()))?;
        let filter = crate::api::economy::enterprise_filter(q.kind.as_deref(), q.name.as_deref())?;
        let paging = Paging::new(q.page, Some(PER_PAGE))?;
        Ok((area, filter, paging))
    };
    let (area, filter, paging) = match shown() {
        Ok(x) => x,
        Err(e) => return error_page(&state, &lang, e),
    };
    let list = match list_enterprises(
        state.store(),
        state.figures(),
        &page.user,
        area.as_ref(),
        &filter,
        paging,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let pages = list.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let link = |p: u64| {
        let mut pairs = vec![("page", p.to_string())];
        for (k, v) in [("area", &q.area), ("kind", &q.kind), ("name", &q.name)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.to_string()));
            }
        }
        format!(
            "/enterprises?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let n = u64::from(list.page);
    render(
        &state,
        &lang,
        StatusCode::OK,
        "enterprises.html",
        context! {
            account => account(&page, l),
            rows => list.items.iter().map(|x| enterprise_row(&x.enterprise, l)).collect::<Vec<_>>(),
            total => list.total,
            page => n,
            pages,
            prev => (n > 1).then(|| link(n - 1)),
            next => (n < pages).then(|| link(n + 1)),
            area => q.area.clone().unwrap_or_default(),
            name => q.name.clone().unwrap_or_default(),
            kind => q.kind.clone().unwrap_or_default(),
            kinds => EnterpriseKind::ALL.iter().map(|k| context! { code => k.as_str(), label => k.label(l) }).collect::<Vec<_>>(),
            runs_matches => thanrak_app::policy::match_scope(&page.user).is_ok(),
        },
    )
}

async fn enterprise_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path(id): Path<String>,
) -> Response {
    let l = lang.lang;
    let Ok(id) = id.parse::<i64>() else {
        return error_page(
            &state,
            &lang,
            ApiError::not_found(format!("there is no enterprise {id}")),
        );
    };
    let c = match enterprise_chain(state.store(), &page.user, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let f = c.line.enterprise.fields();
    let link = |e: &Option<Enterprise>, other: i64, what: &str| {
        context! {
            id => other,
            name => e.as_ref().map(|e| e.fields().name.clone()).unwrap_or_else(|| other.to_string()),
            kind => e.as_ref().map(|e| e.fields().kind.label(l)),
            what,
        }
    };
    let positions: Vec<Value> = c
        .positions
        .iter()
        .map(|p| {
            context! {
                id => p.id,
                title => &p.title,
                places => p.places,
                skills => skills_text(p.skills_wanted, l),
                wage => thanrak_core::help::format_baht(p.wage_baht_month * 100),
                season => p.season.label(l),
            }
        })
        .collect();
    let workers = c.workers.as_ref().map(|ws| {
        ws.iter()
            .map(|w| {
                context! {
                    household => w.pair.household_id.to_string(),
                    member => w.pair.member_no,
                    village => super::dashboard::place(&w.pair.village_code, l),
                    position => c.positions.iter().find(|p| p.id == w.pair.position_id).map_or_else(|| w.pair.position_id.to_string(), |p| p.title.clone()),
                    state_label => l.text(&format!("mt.state.{}", w.state.as_str())).to_string(),
                }
            })
            .collect::<Vec<_>>()
    });
    let suppliers = c.suppliers.as_ref().map(|ss| {
        ss.iter()
            .map(|s| {
                context! {
                    household => s.supplier.household_id.to_string(),
                    village => super::dashboard::place(&s.village, l),
                    what => &s.supplier.what,
                }
            })
            .collect::<Vec<_>>()
    });
    let latest_round = thanrak_app::rounds(state.store())
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.label.to_string())
        .max()
        .unwrap_or_default();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "enterprise.html",
        context! {
            account => account(&page, l),
            e => enterprise_row(&c.line.enterprise, l),
            employees => f.employees,
            local_employees => f.local_employees,
            local_pct => f.local_resource_pct,
            location => f.location.map(|(a, b)| format!("{a:.5}, {b:.5}")),
            positions,
            buys_from => c.buys_from.iter().map(|(k, e)| link(e, k.supplier_id, &k.what)).collect::<Vec<_>>(),
            sells_to => c.sells_to.iter().map(|(k, e)| link(e, k.buyer_id, &k.what)).collect::<Vec<_>>(),
            workers,
            suppliers,
            latest_round,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct MatchingQuery {
    run: Option<i64>,
    /// Only the unplaced workers of this reason.
    reason: Option<String>,
    /// The page of unplaced workers.
    upage: Option<u32>,
}

/// Unplaced workers shown a page at a time.
const UNPLACED_PER_PAGE: u32 = 50;

async fn matching_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<MatchingQuery>,
) -> Response {
    let l = lang.lang;
    let runs = match list_runs(state.store(), &page.user, 20).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let chosen = q.run.or_else(|| runs.first().map(|r| r.id));
    let run = runs.iter().find(|r| Some(r.id) == chosen).cloned();
    let pairs = match (chosen, &run) {
        (Some(id), _) => match run_pairs(state.store(), &page.user, id).await {
            Ok(p) => p,
            Err(e) => return error_page(&state, &lang, ApiError::from(e)),
        },
        _ => Vec::new(),
    };
    let reason = match crate::api::economy::unplaced_reason(q.reason.as_deref()) {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, e),
    };
    let upage = q.upage.unwrap_or(1).max(1);
    let unplaced = match chosen {
        Some(id) => {
            let paging =
                match thanrak_app::access::Paging::new(Some(upage), Some(UNPLACED_PER_PAGE)) {
                    Ok(p) => p,
                    Err(e) => return error_page(&state, &lang, ApiError::from(e)),
                };
            match matching::run_unplaced(state.store(), &page.user, id, reason, paging).await {
                Ok(u) => Some(u),
                Err(e) => return error_page(&state, &lang, ApiError::from(e)),
            }
        }
        None => None,
    };
    let run_round = run
        .as_ref()
        .map(|r| r.round.to_string())
        .unwrap_or_default();
    let unplaced_view = unplaced.map(|u| {
        let pages = u.total.div_ceil(u64::from(UNPLACED_PER_PAGE)).max(1);
        context! {
            total => thanrak_core::help::format_count(u.total),
            all => thanrak_core::help::format_count(u.by_reason.iter().map(|(_, n)| n).sum::<u64>()),
            chosen => reason.map(|r| r.as_str()),
            reasons => u.by_reason.iter().map(|(r, n)| context! {
                code => r.as_str(),
                label => r.label(l),
                count => thanrak_core::help::format_count(*n),
            }).collect::<Vec<_>>(),
            rows => u.items.iter().map(|w| context! {
                household => w.household_id.to_string(),
                member => w.member_no,
                village => super::dashboard::place(&w.village_code, l),
                hardship => w.hardship,
                reason => w.reason.label(l),
            }).collect::<Vec<_>>(),
            page => upage,
            pages,
            prev => (upage > 1).then(|| upage - 1),
            next => (u64::from(upage) < pages).then(|| upage + 1),
        }
    });
    // The round a new run starts from: the one pages open on (the latest published).
    let latest = thanrak_app::area_figures::default_round(
        state.store(),
        &thanrak_app::scoring::default_methodology(),
    )
    .await
    .ok()
    .flatten()
    .map(|r| r.to_string())
    .unwrap_or_default();
    let may_run = thanrak_app::policy::runs_matches(&page.user).is_ok();
    let may_hire = thanrak_app::policy::records_hires(&page.user);
    let rows: Vec<Value> = pairs
        .iter()
        .map(|p| {
            context! {
                id => p.pair_id,
                household => &p.household_id,
                member => p.member_no,
                village => thanrak_core::AreaCode::parse(&p.village_code).map(|v| super::dashboard::place(&v, l)).unwrap_or_else(|_| p.village_code.clone()),
                hardship => p.hardship,
                position => &p.position_title,
                enterprise => &p.enterprise_name,
                enterprise_id => p.enterprise_id,
                distance => p.distance_m.map(|d| format!("{:.1}", f64::from(d) / 1000.0)),
                skills => Skills::parse(&p.matched_skills).map(|s| skills_text(s, l)).unwrap_or_default(),
                wage => thanrak_core::help::format_baht(p.wage_baht_month * 100),
                state_label => l.text(&format!("mt.state.{}", p.state)).to_string(),
                may_accept => may_run && p.state == "proposed",
                // The hire is the case's agency's to record (or an admin's); `hire_pair` decides.
                may_hire => may_hire && p.state == "accepted",
            }
        })
        .collect();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "matching.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            may_run,
            latest,
            default_km => DEFAULT_MAX_M / 1000,
            default_area => page.user.areas.first().map(ToString::to_string).unwrap_or_default(),
            runs => runs.iter().map(|r| context! {
                id => r.id,
                round => r.round.to_string(),
                area => r.area.map(|a| a.to_string()).unwrap_or_default(),
                km => r.max_m / 1000,
                workers => r.workers,
                placed => r.placed,
                by => &r.created_by,
                chosen => Some(r.id) == chosen,
            }).collect::<Vec<_>>(),
            run => run.map(|r| context! { id => r.id, round => r.round.to_string(), workers => r.workers, placed => r.placed }),
            pairs => rows,
            run_round,
            unplaced => unplaced_view,
        },
    )
}

#[derive(Debug, Deserialize)]
struct RunFields {
    round: String,
    area: Option<String>,
    max_km: Option<u32>,
}

async fn run_match(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<RunFields>,
) -> Response {
    let f = form.form;
    let area = f.area.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let queued = match crate::api::economy::match_params(&f.round, area, f.max_km, Some(true)) {
        Ok(p) => thanrak_app::jobs::queue_match(state.jobs(), &form.user.user, &p)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match queued {
        Ok(job) => Redirect::to(&format!("/jobs/{}", job.id)).into_response(),
        Err(e) => error_page(&state, &lang, e),
    }
}

#[derive(Debug, Deserialize)]
struct AcceptFields {
    run: Option<i64>,
}

/// Records the hire of an accepted pair (a job in the logbook, which resolves its case).
async fn hire_pair(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<String>,
    form: CsrfForm<AcceptFields>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(
            &state,
            &lang,
            ApiError::not_found(format!("there is no pair {id}")),
        );
    };
    match matching::hire_pair(state.store(), &form.user.user, id).await {
        Ok(_) => {
            let back = form
                .form
                .run
                .map_or("/matching".to_string(), |r| format!("/matching?run={r}"));
            Redirect::to(&back).into_response()
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

async fn accept_pair(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<String>,
    form: CsrfForm<AcceptFields>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(
            &state,
            &lang,
            ApiError::not_found(format!("there is no pair {id}")),
        );
    };
    match matching::accept_pair(state.store(), &form.user.user, id).await {
        Ok(_) => {
            let back = form
                .form
                .run
                .map_or("/matching".to_string(), |r| format!("/matching?run={r}"));
            Redirect::to(&back).into_response()
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

//! The target list page (`/targets`, ชี้เป้า) and its downloads (`/targets/download`, CSV or
//! XLSX): households the user may see, in the order of methodology §5, with filters by group,
//! indicator, area and need. Names are masked by role; unmasked views are audited by the use case.
//! "Refer these" (`POST /targets/refer`) queues the referral of the whole filtered list to an
//! agency as a job, for users who refer households.

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::Paging;
use thanrak_app::area_figures::scored_rounds;
use thanrak_app::exports::ExportBody;
use thanrak_app::scoring::default_methodology;
use thanrak_app::targeting::{target_file, target_list, TARGET_PART};
use thanrak_app::ExportFormat;
use thanrak_core::methodology::Group;
use thanrak_core::RoundLabel;

use crate::api::figures::{methodology_for, shipped_or_default};
use crate::api::targets::TargetsQuery;
use crate::auth::{CsrfForm, PageUser};
use crate::error::{ApiError, Query};
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, error_page, GROUP_COLOURS};
use super::render;

/// `/targets` and `/targets/download`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/targets", get(targets_page))
        .route("/targets/download", get(download))
        .route("/targets/refer", post(refer))
}

/// The fields of the "refer these" form: the list's filters and the referral.
#[derive(Debug, Default, Deserialize)]
struct ReferFields {
    #[serde(default)]
    round: String,
    area: Option<String>,
    group: Option<String>,
    indicator: Option<String>,
    persistent: Option<String>,
    #[serde(default)]
    need: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    note: String,
    due_on: Option<String>,
    /// A ticked box sends `true`; an unticked one sends nothing.
    #[serde(default)]
    send: Option<String>,
}

/// Queues the referral of the whole list and shows its job.
async fn refer(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<ReferFields>,
) -> Response {
    let f = form.form;
    let body = crate::api::cases::GroupReferralBody {
        round: f.round,
        area: f.area,
        group: f.group,
        indicator: f.indicator,
        persistent: f.persistent.as_deref().and_then(|p| p.trim().parse().ok()),
        need: f.need,
        agency: f.agency,
        note: f.note,
        due_on: f.due_on,
        send: f.send.is_some(),
    };
    let queued = match crate::api::cases::referral_params(&body) {
        Ok(p) => thanrak_app::jobs::queue_referral(state.jobs(), &form.user.user, &p)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match queued {
        Ok(job) => Redirect::to(&format!("/jobs/{}", job.id)).into_response(),
        Err(e) => error_page(&state, &lang, e),
    }
}

/// Rows per page of the list.
const PER_PAGE: u32 = 50;

/// The page's query string: the API's filters plus round, page and download format.
#[derive(Debug, Default, Deserialize)]
struct PageParams {
    round: Option<String>,
    page: Option<u32>,
    format: Option<String>,
    #[serde(flatten)]
    filters: TargetsQuery,
}

/// The round asked for, or the latest scored one.
async fn round_of(state: &AppState, p: &PageParams) -> Result<Option<RoundLabel>, ApiError> {
    if let Some(r) = p.round.as_deref().filter(|r| !r.is_empty()) {
        return Ok(Some(crate::parse::round(r)?));
    }
    let lm = shipped_or_default(p.filters.methodology.as_deref())?;
    Ok(thanrak_app::area_figures::default_round(state.reads(), &lm).await?)
}

fn query_string(round: &str, f: &TargetsQuery) -> String {
    let pairs = [
        ("round", Some(round.to_string())),
        ("area", f.area.clone()),
        ("group", f.group.clone()),
        ("indicator", f.indicator.clone()),
        ("need", f.need.clone()),
        ("persistent", f.persistent.clone()),
        ("methodology", f.methodology.clone()),
    ];
    serde_urlencoded::to_string(
        pairs
            .iter()
            .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (*k, v)))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

async fn targets_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    method: Method,
    uri: OriginalUri,
    Query(p): Query<PageParams>,
) -> Response {
    let l = lang.lang;
    let round = match round_of(&state, &p).await {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(&state, &lang, ApiError::not_found("no scored round")),
        Err(e) => return error_page(&state, &lang, e),
    };
    let (lm, runs) = match methodology_for(
        &state,
        Some(round.as_str()),
        p.filters.methodology.as_deref(),
    )
    .await
    {
        Ok(x) => x,
        Err(e) => return error_page(&state, &lang, e),
    };
    let m = &lm.methodology;
    let paging = match Paging::new(p.page, Some(PER_PAGE)) {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let query = match p.filters.to_app(round.clone()) {
        Ok(q) => q,
        Err(e) => return error_page(&state, &lang, e),
    };
    let list = match target_list(
        state.reads(),
        state.audit(),
        state.figures(),
        &lm,
        &page.user,
        &query,
        Some(paging),
        &format!("{method} {}", uri.0),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let rounds: Vec<String> = scored_rounds(state.reads(), &lm)
        .await
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    let first = list.page.page.saturating_sub(1) as usize * PER_PAGE as usize;
    let label_of_group = |g: Group| {
        if l == Lang::Th {
            g.label_th()
        } else {
            g.label_en()
        }
    };
    let rows: Vec<Value> = list
        .page
        .items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            context! {
                rank => first + i + 1,
                id => t.household_id.as_str(),
                href => format!("/households/{round}/{}", t.household_id),
                village => super::dashboard::place(&t.village_code, l),
                village_code => t.village_code.to_string(),
                head => &t.head_name,
                group => t.score.group.as_str(),
                group_label => label_of_group(t.score.group),
                colour => GROUP_COLOURS[t.score.group as usize],
                score => format!("{:.3}", t.score.score),
                income => thanrak_core::help::format_count(t.score.income_pc.max(0.0).round() as u64),
                lacks => t.deprived.iter().map(|x| x.text(l == Lang::Th).to_string()).collect::<Vec<_>>(),
                needs => t.needs.iter().map(|n| n.text(l == Lang::Th).to_string()).collect::<Vec<_>>(),
            }
        })
        .collect();
    let qs = query_string(round.as_str(), &p.filters);
    let agencies = state.store().agencies().list().await.unwrap_or_default();
    let pages = list.page.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let current = u64::from(list.page.page);
    let ctx = context! {
        account => account(&page, l),
        csrf => &page.csrf_token,
        rounds,
        round => round.as_str(),
        f => context! {
            area => p.filters.area.clone().unwrap_or_default(),
            group => p.filters.group.clone().unwrap_or_default(),
            indicator => p.filters.indicator.clone().unwrap_or_default(),
            need => p.filters.need.clone().unwrap_or_default(),
            persistent => p.filters.persistent.clone().unwrap_or_default(),
        },
        groups => Group::ALL.iter().map(|g| context! { code => g.as_str(), label => label_of_group(*g) }).collect::<Vec<_>>(),
        indicators => m.indicators().iter().map(|i| context! {
            code => &i.id,
            label => if l == Lang::Th { i.short_th.clone() } else { i.short_en.clone() },
        }).collect::<Vec<_>>(),
        needs => m.needs().iter().map(|n| context! { code => &n.id, label => if l == Lang::Th { &n.label_th } else { &n.label_en } }).collect::<Vec<_>>(),
        methodology => m.id(),
        methodology_title => m.title().unwrap_or(m.id()),
        runs => runs.iter().map(|r| context! { id => &r.id, title => r.title.clone().unwrap_or_else(|| r.id.clone()) }).collect::<Vec<_>>(),
        rows,
        total => list.page.total,
        total_text => thanrak_core::help::format_count(list.page.total),
        masked => list.masked,
        page => current,
        pages,
        prev => (current > 1).then(|| format!("/targets?{qs}&page={}", current - 1)),
        next => (current < pages).then(|| format!("/targets?{qs}&page={}", current + 1)),
        // A page past the end of a list that has households: say so, and link to its last page.
        past_end => (current > pages && list.page.total > 0).then(|| format!("/targets?{qs}&page={pages}")),
        // "Refer these": for a user who refers, on the default methodology's list (cases are
        // opened from its needs).
        refer => (thanrak_app::policy::refers(&page.user).is_ok() && m.id() == default_methodology().methodology.id()).then(|| context! {
            // Each agency with the needs it meets: a household is referred by the agency's mission.
            agencies => agencies.iter().map(|a| {
                let meets: Vec<&str> = a.needs.iter().filter_map(|n| m.needs().iter().find(|x| &x.id == n)).map(|x| if l == Lang::Th { x.label_th.as_str() } else { x.label_en.as_str() }).collect();
                context! { code => a.code.as_str(), label => format!("{} · {}", if l == Lang::Th { &a.name_th } else { &a.name_en }, meets.join(", ")) }
            }).collect::<Vec<_>>(),
        }),
        csv => format!("/targets/download?{qs}&format=csv"),
        xlsx => format!("/targets/download?{qs}&format=xlsx"),
    };
    render(&state, &lang, StatusCode::OK, "targets.html", ctx)
}

async fn download(
    State(state): State<AppState>,
    page: PageUser,
    method: Method,
    uri: OriginalUri,
    Query(p): Query<PageParams>,
) -> Result<Response, ApiError> {
    let round = round_of(&state, &p)
        .await?
        .ok_or_else(|| ApiError::not_found("no scored round"))?;
    let format = match p.format.as_deref().unwrap_or("csv") {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        f => return Err(ApiError::invalid(format!("format {f:?}: use csv or xlsx"))),
    };
    let (lm, _) = methodology_for(
        &state,
        Some(round.as_str()),
        p.filters.methodology.as_deref(),
    )
    .await?;
    let query = p.filters.to_app(round.clone())?;
    let file = target_file(
        state.store(),
        state.audit(),
        state.figures(),
        &lm,
        &page.user,
        &query,
        &format!("{method} {}", uri.0),
        format,
        TARGET_PART,
    )
    .await?;
    let body = match file.body {
        ExportBody::Whole(bytes) => Body::from(bytes),
        ExportBody::Parts(parts) => Body::from_stream(parts),
    };
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    // The name keeps only letters, digits, `-` and `_` (file_stem): plain header text.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_after_their_filters() {
        let q = thanrak_app::targeting::TargetQuery {
            round: RoundLabel::parse("2569-1").unwrap(),
            area: Some(thanrak_core::AreaCode::parse("5201").unwrap()),
            group: Some("hardship".into()),
            indicator: None,
            need: Some("job\"x".into()),
            persistent: Some(2),
        };
        assert_eq!(
            thanrak_app::targeting::file_stem(&q),
            "targets-2569-1-5201-hardship-jobx-poor-2-rounds"
        );
    }
}

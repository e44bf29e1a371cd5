//! The policy meeting's pages (issue 12): `/strategy` (candidate areas ranked with every
//! component beside the score, weights and reference date on the page, a download, the partner
//! universities), `/model-areas` (model areas with their roadmaps and progress, forms to choose
//! one and add activities), `/meetings` (meetings with their action items, followed up by the
//! owning agency; a form to record a meeting). A form that is refused comes back to its page
//! with the reason in words (`?problem=`), so that nothing typed is a dead end.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::plan;
use thanrak_app::scoring::default_methodology;
use thanrak_app::strategy::{rank_areas, ranking_file, Ranking};
use thanrak_app::ExportFormat;
use thanrak_core::date::format_thai;
use thanrak_core::help::format_count;
use thanrak_core::plan::{Heading, WorkState};
use thanrak_core::AreaLevel;

use crate::api::plan::{
    activity_from, meeting_from, work_state, ActionItemBody, ActivityBody, MeetingBody,
    ModelAreaBody, RankParams,
};
use crate::auth::{CsrfForm, PageUser};
use crate::error::{ApiError, Path, Query};
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, area_name, error_page, pct};
use super::help::money;
use super::render;

/// `/strategy`, `/model-areas`, `/meetings` and their forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/strategy", get(strategy_page))
        .route("/strategy/download", get(strategy_download))
        .route(
            "/model-areas",
            get(model_areas_page).post(choose_model_area),
        )
        .route("/model-areas/{area}/activities", post(add_activity))
        .route("/activities/{id}/state", post(activity_state))
        .route("/meetings", get(meetings_page).post(add_meeting))
        .route("/action-items/{id}/move", post(move_item))
        .route("/reports", post(queue_report))
        .route("/reports/{id}", get(report_download))
}

/// Back to `page` with the reason a form was refused, or the error page for what is not the
/// form's fault.
fn refused(state: &AppState, lang: &LangChoice, page: &str, e: ApiError) -> Response {
    match e.status() {
        StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN | StatusCode::CONFLICT => {
            let q = serde_urlencoded::to_string([("problem", e.message())]).unwrap_or_default();
            Redirect::to(&format!("{page}?{q}")).into_response()
        }
        _ => error_page(state, lang, e),
    }
}

fn name(l: Lang, th: &str, en: &str) -> String {
    if l == Lang::Th {
        th.to_string()
    } else {
        en.to_string()
    }
}

fn levels(l: Lang) -> Vec<Value> {
    AreaLevel::ALL
        .iter()
        .map(|lv| context! { code => lv.as_str(), label => lv.label(l) })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct StrategyForm {
    level: Option<String>,
    area: Option<String>,
    round: Option<String>,
    top: Option<String>,
    w_concentration: Option<String>,
    w_manager: Option<String>,
    w_quality: Option<String>,
    reference: Option<String>,
    format: Option<String>,
    problem: Option<String>,
}

impl StrategyForm {
    fn params(&self) -> Result<RankParams, ApiError> {
        let clean = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let num = |field: &str, v: &Option<String>| -> Result<Option<f64>, ApiError> {
            clean(v)
                .map(|s| {
                    s.trim().parse::<f64>().map_err(|_| {
                        ApiError::invalid(format!("{field}: a number from 0 to 1, not {s:?}"))
                    })
                })
                .transpose()
        };
        Ok(RankParams {
            level: clean(&self.level),
            area: clean(&self.area),
            round: clean(&self.round),
            top: clean(&self.top)
                .map(|s| {
                    s.trim()
                        .parse::<usize>()
                        .map_err(|_| ApiError::invalid(format!("top: a number, not {s:?}")))
                })
                .transpose()?,
            w_concentration: num("concentration", &self.w_concentration)?,
            w_manager: num("area manager", &self.w_manager)?,
            w_quality: num("data quality", &self.w_quality)?,
            reference: clean(&self.reference),
        })
    }
}

async fn ranking(state: &AppState, page: &PageUser, f: &StrategyForm) -> Result<Ranking, ApiError> {
    let q = f.params()?.to_app()?;
    Ok(rank_areas(
        state.store(),
        state.figures(),
        &default_methodology(),
        &page.user,
        &q,
    )
    .await?)
}

async fn strategy_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(f): Query<StrategyForm>,
) -> Response {
    let l = lang.lang;
    let partners = plan::partners(state.store()).await.unwrap_or_default();
    let partner_rows: Vec<Value> = partners
        .iter()
        .map(|p| {
            context! {
                code => p.code.to_string(),
                name => name(l, &p.name_th, &p.name_en),
                areas => p.areas.iter().map(|a| area_name(a, l)).collect::<Vec<_>>().join(", "),
                contact => &p.contact,
            }
        })
        .collect();
    let base = context! {
        account => account(&page, l),
        levels => levels(l),
        partners => partner_rows,
        problem => f.problem.clone(),
        f => context! {
            level => f.level.clone().unwrap_or_else(|| "subdistrict".into()),
            area => f.area.clone().unwrap_or_default(),
            top => f.top.clone().unwrap_or_else(|| "20".into()),
            w_concentration => f.w_concentration.clone().unwrap_or_else(|| "0.5".into()),
            w_manager => f.w_manager.clone().unwrap_or_else(|| "0.25".into()),
            w_quality => f.w_quality.clone().unwrap_or_else(|| "0.25".into()),
            reference => f.reference.clone().unwrap_or_default(),
        },
    };
    let mut asked = f;
    if asked.top.is_none() {
        asked.top = Some("20".into());
    }
    let r = match ranking(&state, &page, &asked).await {
        Ok(r) => r,
        Err(e) if e.status() == StatusCode::BAD_REQUEST || e.status() == StatusCode::NOT_FOUND => {
            return render(
                &state,
                &lang,
                e.status(),
                "strategy.html",
                context! { problem => e.message().to_string(), ..base },
            )
        }
        Err(e) => return error_page(&state, &lang, e),
    };
    let max = r.rows.first().map_or(0.0, |x| x.ranked.score).max(1e-9);
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            let x = &row.ranked;
            context! {
                rank => x.rank,
                code => x.candidate.area.to_string(),
                name => name(l, &row.name_th, &row.name_en),
                households => format_count(x.candidate.households),
                poor => format_count(x.candidate.poor),
                poor_share => pct(x.poor_share),
                concentration => format!("{:.3}", x.concentration),
                manager => !row.partners.is_empty(),
                partners => row.partners.join(", "),
                completeness => pct(x.completeness),
                freshness => format!("{:.2}", x.freshness),
                quality => format!("{:.3}", x.data_quality),
                latest => x.candidate.latest_survey.map(format_thai),
                score => format!("{:.3}", x.score),
                width => format!("{:.1}", x.score / max * 100.0),
                target_link => format!("/targets?round={}&area={}", r.round, x.candidate.area),
                change_link => format!("/change?area={}", x.candidate.area),
            }
        })
        .collect();
    let qs = serde_urlencoded::to_string([
        ("level", r.level.as_str().to_string()),
        ("area", r.area.map(|a| a.to_string()).unwrap_or_default()),
        ("round", r.round.to_string()),
        ("w_concentration", r.weights.concentration.to_string()),
        ("w_manager", r.weights.area_manager.to_string()),
        ("w_quality", r.weights.data_quality.to_string()),
        ("reference", thanrak_core::date::format_iso(r.reference)),
    ])
    .unwrap_or_default();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "strategy.html",
        context! {
            rows,
            round => r.round.to_string(),
            area_title => r.area.map(|a| area_name(&a, l)),
            level_label => r.level.label(l),
            reference => format_thai(r.reference),
            ranked => r.ranked,
            withheld => r.withheld,
            csv => format!("/strategy/download?{qs}&format=csv"),
            xlsx => format!("/strategy/download?{qs}&format=xlsx"),
            map => format!("/map?layer=ranking&level={}", r.level.as_str()),
            ..base
        },
    )
}

async fn strategy_download(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(f): Query<StrategyForm>,
) -> Response {
    let format = match f.format.as_deref() {
        Some("xlsx") => ExportFormat::Xlsx,
        _ => ExportFormat::Csv,
    };
    let bytes = match ranking(&state, &page, &f).await {
        Ok(r) => ranking_file(&r, format).map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match bytes {
        Ok(b) => {
            let (ct, ext) = match format {
                ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
                ExportFormat::Xlsx => (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                ),
            };
            let mut res = b.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"strategic-areas.{ext}\""))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => error_page(&state, &lang, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ProblemQuery {
    problem: Option<String>,
}

fn heading_options(l: Lang) -> Vec<Value> {
    Heading::ALL
        .iter()
        .map(|h| context! { code => h.as_str(), label => h.label(l) })
        .collect()
}

fn state_options(l: Lang) -> Vec<Value> {
    WorkState::ALL
        .iter()
        .map(|s| context! { code => s.as_str(), label => s.label(l) })
        .collect()
}

async fn model_areas_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<ProblemQuery>,
) -> Response {
    let l = lang.lang;
    let user = &page.user;
    let list = match plan::model_areas(state.store(), user).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let writes = thanrak_app::policy::plan_writer(user).is_ok();
    let show_households = plan::sees_activity_households(user);
    let areas: Vec<Value> = list
        .iter()
        .map(|m| {
            let activities: Vec<Value> = Heading::ALL
                .iter()
                .flat_map(|h| m.activities.iter().filter(move |a| a.activity.heading == *h))
                .map(|a| {
                    let x = &a.activity;
                    context! {
                        id => a.id,
                        heading => x.heading.label(l),
                        title => &x.title,
                        agency => x.lead_agency.to_string(),
                        budget => money(l, x.budget_satang),
                        starts => x.starts_on.map(format_thai),
                        ends => x.ends_on.map(format_thai),
                        state => x.state.as_str(),
                        state_label => x.state.label(l),
                        households => x.households.len(),
                        household_ids => show_households.then(|| x.households.clone()),
                        enterprises => x.enterprises.clone(),
                    }
                })
                .collect();
            context! {
                code => m.record.model.area.to_string(),
                name => name(l, &m.name_th, &m.name_en),
                partner => m.partner_name.as_ref().map(|(th, en)| name(l, th, en)),
                chosen => format_thai(m.record.model.chosen_on),
                note => &m.record.model.note,
                budget => money(l, m.budget_satang),
                progress => pct(m.progress),
                by_state => WorkState::ALL.iter().zip(m.by_state).map(|(s, n)| context! { label => s.label(l), code => s.as_str(), n }).collect::<Vec<_>>(),
                activities,
                change_link => format!("/change?area={}", m.record.model.area),
                targets_link => format!("/targets?area={}", m.record.model.area),
            }
        })
        .collect();
    let partners = plan::partners(state.store()).await.unwrap_or_default();
    let agencies = state.store().agencies().list().await.unwrap_or_default();
    let latest_round = state
        .store()
        .registry()
        .rounds()
        .await
        .ok()
        .and_then(|r| r.last().map(|x| x.label.to_string()));
    render(
        &state,
        &lang,
        StatusCode::OK,
        "model_areas.html",
        context! {
            latest_round,
            account => account(&page, l),
            csrf => &page.csrf_token,
            areas,
            writes,
            problem => q.problem,
            headings => heading_options(l),
            states => state_options(l),
            partners => partners.iter().map(|p| context! { code => p.code.to_string(), name => name(l, &p.name_th, &p.name_en) }).collect::<Vec<_>>(),
            agencies => agencies.iter().map(|a| context! { code => a.code.to_string(), name => name(l, &a.name_th, &a.name_en) }).collect::<Vec<_>>(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct ChooseFields {
    #[serde(default)]
    area: String,
    partner: Option<String>,
    #[serde(default)]
    note: String,
    chosen_on: Option<String>,
}

async fn choose_model_area(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<ChooseFields>,
) -> Response {
    let f = form.form;
    let body = ModelAreaBody {
        partner: f.partner.filter(|p| !p.trim().is_empty()),
        chosen_on: f.chosen_on.filter(|d| !d.trim().is_empty()),
        note: f.note,
    };
    let on = match crate::parse::date_or_none("chosen_on", body.chosen_on.as_deref()) {
        Ok(d) => d.unwrap_or_else(thanrak_app::help::thai_today),
        Err(e) => return refused(&state, &lang, "/model-areas", e),
    };
    let done = match thanrak_core::plan::ModelArea::new(
        &f.area,
        body.partner.as_deref(),
        on,
        &body.note,
    ) {
        Ok(m) => plan::choose_model_area(state.store(), &form.user.user, &m)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::invalid(e.to_string())),
    };
    match done {
        Ok(()) => Redirect::to("/model-areas").into_response(),
        Err(e) => refused(&state, &lang, "/model-areas", e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ActivityFields {
    #[serde(default)]
    heading: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    agency: String,
    budget: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    #[serde(default)]
    households: String,
    #[serde(default)]
    enterprises: String,
}

fn split(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

async fn add_activity(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(area): Path<String>,
    form: CsrfForm<ActivityFields>,
) -> Response {
    let f = form.form;
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let body = ActivityBody {
        heading: f.heading,
        title: f.title,
        lead_agency: f.agency,
        budget_baht: nonempty(f.budget),
        starts_on: nonempty(f.starts_on),
        ends_on: nonempty(f.ends_on),
        state: None,
        households: split(&f.households),
        enterprises: split(&f.enterprises),
    };
    let done = match (crate::parse::area(&area), activity_from(&body)) {
        (Ok(area), Ok(a)) => plan::add_activity(state.store(), &form.user.user, &area, &a)
            .await
            .map_err(ApiError::from),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to(&format!("/model-areas#area-{area}")).into_response(),
        Err(e) => refused(&state, &lang, "/model-areas", e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct StateFields {
    #[serde(default)]
    state: String,
}

async fn activity_state(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<i64>,
    form: CsrfForm<StateFields>,
) -> Response {
    let done = match work_state(&form.form.state) {
        Ok(s) => plan::set_activity_state(state.store(), &form.user.user, id, s)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Redirect::to("/model-areas").into_response(),
        Err(e) => refused(&state, &lang, "/model-areas", e),
    }
}

async fn meetings_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<ProblemQuery>,
) -> Response {
    let l = lang.lang;
    let user = &page.user;
    let list = match plan::meetings(state.store(), user).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let today = thanrak_app::help::thai_today();
    let agencies = state.store().agencies().list().await.unwrap_or_default();
    let agency_name = |code: &str| {
        agencies
            .iter()
            .find(|a| a.code.as_str() == code)
            .map_or(code.to_string(), |a| name(l, &a.name_th, &a.name_en))
    };
    let meetings: Vec<Value> = list
        .iter()
        .map(|m| {
            let items: Vec<Value> = m
                .items
                .iter()
                .map(|i| {
                    let moves: Vec<Value> = WorkState::ALL
                        .iter()
                        .filter(|s| i.state.may_become(**s))
                        .map(|s| context! { code => s.as_str(), label => s.label(l) })
                        .collect();
                    let last = i.events.last();
                    context! {
                        id => i.id,
                        what => &i.item.what,
                        agency => agency_name(i.item.agency.as_str()),
                        area => area_name(&i.item.area, l),
                        due => i.item.due_on.map(format_thai),
                        state => i.state.as_str(),
                        state_label => i.state.label(l),
                        overdue => plan::item_overdue(i, today),
                        version => i.version,
                        cases => i.item.cases.clone(),
                        moves => if thanrak_app::policy::moves_action_item(user, &i.item.agency, &i.item.area) { moves } else { Vec::new() },
                        last_note => last.map(|e| e.note.clone()).filter(|n| !n.is_empty()),
                        last_by => last.map(|e| e.by.clone()),
                        last_at => last.map(|e| format_thai(e.at.date_naive())),
                    }
                })
                .collect();
            let done = m.items.iter().filter(|i| i.state == WorkState::Done).count();
            context! {
                id => m.id,
                title => &m.meeting.title,
                held => format_thai(m.meeting.held_on),
                province => area_name(&m.meeting.province, l),
                agencies => m.meeting.agencies.iter().map(|a| agency_name(a.as_str())).collect::<Vec<_>>().join(", "),
                decisions => &m.meeting.decisions,
                items,
                done,
                total => m.items.len(),
            }
        })
        .collect();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "meetings.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            meetings,
            writes => thanrak_app::policy::plan_writer(user).is_ok(),
            problem => q.problem,
            provinces => user.areas.iter().filter_map(|a| a.ancestor(AreaLevel::Province)).map(|p| p.to_string()).collect::<Vec<_>>(),
            agencies => agencies.iter().map(|a| context! { code => a.code.to_string(), name => name(l, &a.name_th, &a.name_en) }).collect::<Vec<_>>(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct MeetingFields {
    #[serde(default)]
    province: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    decisions: String,
    /// One action item a line: `what | agency | area | due | cases`.
    #[serde(default)]
    items: String,
    /// The agencies present: a ticked box `agency_CODE` each.
    #[serde(flatten)]
    other: std::collections::HashMap<String, String>,
}

async fn add_meeting(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<MeetingFields>,
) -> Response {
    let f = form.form;
    let items: Vec<ActionItemBody> = f
        .items
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let p: Vec<&str> = line.split('|').map(str::trim).collect();
            ActionItemBody {
                what: p.first().copied().unwrap_or_default().to_string(),
                agency: p.get(1).copied().unwrap_or_default().to_string(),
                area: p.get(2).copied().unwrap_or_default().to_string(),
                due_on: p.get(3).filter(|d| !d.is_empty()).map(|d| d.to_string()),
                cases: p
                    .get(4)
                    .map(|c| {
                        c.split([' ', ','])
                            .filter_map(|x| x.trim().trim_start_matches('#').parse().ok())
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let body = MeetingBody {
        province: f.province,
        held_on: f.held_on,
        title: f.title,
        agencies: {
            let mut a: Vec<String> = f
                .other
                .keys()
                .filter_map(|k| k.strip_prefix("agency_"))
                .map(String::from)
                .collect();
            a.sort();
            a
        },
        decisions: f.decisions,
        items,
    };
    let done = match meeting_from(&body) {
        Ok((m, items)) => plan::record_meeting(state.store(), &form.user.user, &m, &items)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(id) => Redirect::to(&format!("/meetings#meeting-{id}")).into_response(),
        Err(e) => refused(&state, &lang, "/meetings", e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct MoveFields {
    #[serde(default)]
    to: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    note: String,
}

async fn move_item(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(id): Path<i64>,
    form: CsrfForm<MoveFields>,
) -> Response {
    let f = form.form;
    let done = match work_state(&f.to) {
        Ok(to) => {
            plan::move_action_item(state.store(), &form.user.user, id, f.version, to, &f.note)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(i) => Redirect::to(&format!("/meetings#meeting-{}", i.meeting_id)).into_response(),
        Err(e) => refused(&state, &lang, "/meetings", e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thanrak_core::help::format_baht;

    #[test]
    fn lists_split_on_commas_spaces_and_lines() {
        assert_eq!(split("a, b\nc  d,"), vec!["a", "b", "c", "d"]);
        assert!(split(" , ").is_empty());
        assert_eq!(format_baht(150_000), "1,500.00");
    }
}

#[derive(Debug, Default, Deserialize)]
struct ReportFields {
    #[serde(default)]
    area: String,
    round: Option<String>,
    since_round: Option<String>,
    since_meeting: Option<String>,
    format: Option<String>,
}

/// Queues the policy-meeting report and shows its job (which links the file when done).
async fn queue_report(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<ReportFields>,
) -> Response {
    let f = form.form;
    let body = crate::api::plan::ReportBody {
        area: f.area,
        round: f.round,
        since_round: f.since_round,
        since_meeting: f
            .since_meeting
            .as_deref()
            .and_then(|m| m.trim().trim_start_matches('#').parse().ok()),
        format: f.format,
    };
    let queued = match crate::api::plan::report_params(&body) {
        Ok(p) => thanrak_app::jobs::queue_report(state.jobs(), &form.user.user, &p)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match queued {
        Ok(job) => Redirect::to(&format!("/jobs/{}", job.id)).into_response(),
        Err(e) => refused(&state, &lang, "/meetings", e),
    }
}

async fn report_download(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path(id): Path<i64>,
) -> Response {
    match thanrak_app::jobs::report_file(state.store(), &page.user, id).await {
        Ok((name, media, bytes)) => crate::api::plan::file_response(&name, &media, bytes),
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

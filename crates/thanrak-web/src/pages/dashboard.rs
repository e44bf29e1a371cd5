//! The dashboard (`/`): for the user's area and round, the four groups, the poverty index and
//! its indicators' contributions, the five capitals, and the areas within, each a link one level
//! down; breadcrumbs lead back up. Figures come from `thanrak_app::area_figures` (stored at
//! scoring time), which also decides where the user may look and which rows are suppressed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access;
use thanrak_app::area_figures::{area_figures, scored_rounds, AreaFigureQuery, ScopedRow};
use thanrak_app::scoring::{area_names, Breakdown};
use thanrak_core::case::CaseState;
use thanrak_core::methodology::{Capital, Group};
use thanrak_core::{AreaCode, AreaLevel};

use crate::api::figures::{methodology_for, parse_unit};
use crate::auth::PageUser;
use crate::error::{ApiError, Query};
use crate::i18n::Texts;
use crate::i18n::{format_time, Lang, LangChoice};
use crate::AppState;

use super::render;

/// `/`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route(
            "/rounds/{round}/publish",
            axum::routing::post(publish_round),
        )
        .route("/rounds/{round}/draft", axum::routing::post(draft_round))
}

#[derive(Debug, Deserialize)]
struct NoFields {}

/// Publishes the round from the dashboard (admins), then shows it.
async fn publish_round(
    State(state): State<AppState>,
    lang: LangChoice,
    axum::extract::Path(round): axum::extract::Path<String>,
    form: crate::auth::CsrfForm<NoFields>,
) -> Response {
    set_published(state, lang, round, form.user.user, true).await
}

/// Takes the round back to a draft from the dashboard (admins).
async fn draft_round(
    State(state): State<AppState>,
    lang: LangChoice,
    axum::extract::Path(round): axum::extract::Path<String>,
    form: crate::auth::CsrfForm<NoFields>,
) -> Response {
    set_published(state, lang, round, form.user.user, false).await
}

async fn set_published(
    state: AppState,
    lang: LangChoice,
    round: String,
    user: thanrak_core::identity::User,
    publish: bool,
) -> Response {
    let round = match crate::parse::round(&round) {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, e),
    };
    match thanrak_app::publish_round(state.store(), &user, &round, publish).await {
        Ok(()) => {
            // Figures asked for without a round were kept under "the default round".
            state.data_changed();
            axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!(
                "/?round={round}"
            )))
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

/// The colour of each group's bars, from the worst off.
pub(super) const GROUP_COLOURS: [&str; 4] = ["#b3261e", "#e8871e", "#d9b225", "#2e7d32"];

/// The logged-in user as every page's header and account strip show it.
pub(super) fn account(page: &PageUser, l: Lang) -> Value {
    let user = &page.user;
    context! {
        name => user.name.as_str(),
        role_label => if l == Lang::Th { user.role.label_th() } else { user.role.label_en() },
        areas => user.areas.iter().map(|c| context! { code => c.to_string(), name => area_name(c, l) }).collect::<Vec<_>>(),
        agency => user.agency.as_ref().map(|a| a.as_str().to_string()),
        session_ends => format_time(l, page.expires_at),
        can_import => thanrak_app::upload::import_areas(user).is_ok(),
        is_admin => thanrak_app::policy::is_admin(user),
        reads_cases => thanrak_app::policy::case_view(user).is_ok(),
        reads_help => thanrak_app::policy::help_view(user).is_ok(),
        reads_matches => thanrak_app::policy::match_scope(user).is_ok(),
        reads_duplicates => thanrak_app::policy::duplicate_reader(user).is_ok(),
        // A target list of households: roles that read households as a list (not analysts,
        // who see aggregates only, nor agency officers, who read referred households one by one).
        reads_targets => matches!(
            thanrak_app::policy::household_scope(user),
            Ok(thanrak_core::identity::Scope::All | thanrak_core::identity::Scope::Areas(_))
        ),
    }
}

/// The dashboard's query string.
#[derive(Debug, Default, Deserialize)]
struct DashQuery {
    round: Option<String>,
    area: Option<String>,
    unit: Option<String>,
    methodology: Option<String>,
}

/// A share as a percentage with one decimal.
pub(super) fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// An area's name in the language.
pub(super) fn area_name(code: &AreaCode, lang: Lang) -> String {
    let (th, en) = area_names(code);
    match lang {
        Lang::Th => th,
        Lang::En => en,
    }
}

/// Where a village is, as a provincial officer reads it: the village, its subdistrict and its
/// district by name ("หมู่ 5 ต.บ้านแลง อ.เมืองลำปาง" / "Village 5, Ban Laeng, Mueang Lampang").
/// Other areas: their name.
pub(crate) fn place(code: &AreaCode, lang: Lang) -> String {
    if code.level() != thanrak_core::AreaLevel::Village {
        return area_name(code, lang);
    }
    let sub = code.parent();
    let district = sub.as_ref().and_then(AreaCode::parent);
    let name = |c: Option<AreaCode>| c.map(|c| area_name(&c, lang)).unwrap_or_default();
    match lang {
        Lang::Th => format!(
            "{} ต.{} อ.{}",
            area_name(code, lang),
            name(sub),
            name(district)
        ),
        Lang::En => format!(
            "{}, {}, {}",
            area_name(code, lang),
            name(sub),
            name(district)
        ),
    }
}

/// A page showing that something is not found, not allowed or not understood. It is drawn
/// here without the menu; `pages::keep_menu` draws it again with the reader's menu.
pub(super) fn error_page(state: &AppState, lang: &LangChoice, e: ApiError) -> Response {
    match e.status() {
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::BAD_REQUEST => {}
        _ => return axum::response::IntoResponse::into_response(e),
    }
    super::error_view(state, lang, e.status(), e.message().to_string(), None)
}

fn href(round: &str, area: Option<&AreaCode>, unit: &str) -> String {
    let area = area.map(|a| a.to_string()).unwrap_or_default();
    format!("/?round={round}&area={area}&unit={unit}")
}

/// The four groups of an area; a withheld group shows "—" (and no bar).
fn group_rows(counts_h: [u64; 4], counts_p: [u64; 4], hidden: [bool; 4], lang: Lang) -> Vec<Value> {
    let (th, tp) = (counts_h.iter().sum(), counts_p.iter().sum());
    Group::ALL
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let hs = share(counts_h[i], th);
            let shown = !hidden[i];
            context! {
                code => g.as_str(),
                label => if lang == Lang::Th { g.label_th() } else { g.label_en() },
                colour => GROUP_COLOURS[i],
                households => shown.then_some(counts_h[i]),
                persons => shown.then_some(counts_p[i]),
                household_share => shown.then(|| pct(hs)),
                person_share => shown.then(|| pct(share(counts_p[i], tp))),
                width => if shown { format!("{:.1}", hs * 100.0) } else { "0".into() },
            }
        })
        .collect()
}

/// The colour of each case state in the referral status bars, in `CaseState::ALL` order.
const STATE_COLOURS: [&str; 7] = [
    "#b0bec5", "#f2b84b", "#5c9ead", "#2f6690", "#2e7d4f", "#c0564b", "#8d99a0",
];

/// The referral status by agency for the dashboard's area (nothing for a role that reads no
/// cases): each agency's cases by state, as counts and as a bar, each linked to the list.
async fn referral_rows(
    state: &AppState,
    user: &thanrak_core::identity::User,
    area: Option<&AreaCode>,
    l: Lang,
) -> Vec<Value> {
    let status =
        match thanrak_app::cases::referral_status(state.store(), state.figures(), user, area).await
        {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("referral status: {e}");
                return Vec::new();
            }
        };
    status
        .iter()
        .map(|a| {
            let code = a.agency.code.as_str();
            let mut x = 0.0;
            let bars: Vec<Value> = CaseState::ALL
                .iter()
                .zip(&a.by_state)
                .filter(|(_, n)| **n > 0)
                .map(|(st, n)| {
                    let w = *n as f64 * 100.0 / a.total.max(1) as f64;
                    let bar = context! { x => format!("{x:.2}"), w => format!("{w:.2}"), colour => STATE_COLOURS[*st as usize], label => st.label(l), n };
                    x += w;
                    bar
                })
                .collect();
            context! {
                code,
                name => if l == Lang::Th { &a.agency.name_th } else { &a.agency.name_en },
                counts => CaseState::ALL.iter().zip(&a.by_state).map(|(st, n)| context! { n, href => format!("/cases?agency={code}&state={}", st.as_str()) }).collect::<Vec<_>>(),
                overdue => a.overdue,
                overdue_href => format!("/cases?agency={code}&overdue=true"),
                total => a.total,
                bars,
            }
        })
        .collect()
}

async fn dashboard(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<DashQuery>,
) -> Response {
    let l = lang.lang;
    let user = &page.user;
    let account = account(&page, l);
    let store = state.reads();
    let asked = q.methodology.as_deref().filter(|m| !m.is_empty());
    let round_asked = q.round.as_deref().filter(|r| !r.is_empty());
    let (lm, _) = match methodology_for(&state, round_asked, asked).await {
        Ok(x) => x,
        Err(e) => return error_page(&state, &lang, e),
    };
    let lm = &*lm;
    let rounds = match scored_rounds(store, lm).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let published = store
        .registry()
        .published_rounds()
        .await
        .unwrap_or_default();
    let base = context! { account, csrf => &page.csrf_token };
    if rounds.is_empty() {
        return render(&state, &lang, StatusCode::OK, "dashboard.html", base);
    }
    let unit = match parse_unit(q.unit.as_deref()) {
        Ok(u) => u,
        Err(e) => return error_page(&state, &lang, e),
    };
    let round = match round_asked.map(crate::parse::round).transpose() {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, e),
    };
    let area = match crate::parse::area_or_none(q.area.as_deref()) {
        Ok(a) => a,
        Err(e) => return error_page(&state, &lang, e),
    };
    let query = AreaFigureQuery {
        round,
        area,
        by: None,
        unit,
    };
    let f = match area_figures(store, state.figures(), lm, user, &query).await {
        Ok(f) => f,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let round = f.round.to_string();
    let unit_s = thanrak_app::db::unit_str(unit);
    let m = &lm.methodology;
    // The round's runs, for the methodology picker (a round may be scored by several).
    let runs = match methodology_for(&state, Some(&round), Some(m.id())).await {
        Ok((_, runs)) => runs,
        Err(e) => return error_page(&state, &lang, e),
    };
    let mq = if runs.len() > 1 {
        format!("&methodology={}", m.id())
    } else {
        String::new()
    };
    let href = |round: &str, area: Option<&AreaCode>, unit: &str| {
        format!("{}{mq}", href(round, area, unit))
    };
    let scored_at = f.scored_at.map(|t| format_time(l, t));
    // Breadcrumbs: from the whole country (or the user's own area) down to the area shown.
    let start = f
        .home
        .iter()
        .find(|h| f.area.is_some_and(|a| a.is_within(h)))
        .map(|h| h.level());
    let mut crumbs = Vec::new();
    if f.home.is_empty() {
        crumbs
            .push(context! { name => l.text("dash.country"), href => href(&round, None, unit_s) });
    }
    if let Some(area) = &f.area {
        for level in AreaLevel::ALL {
            if level > area.level() || start.is_some_and(|s| level < s) {
                continue;
            }
            if let Some(c) = area.ancestor(level) {
                crumbs.push(context! {
                    name => area_name(&c, l),
                    code => c.to_string(),
                    href => href(&round, Some(&c), unit_s),
                });
            }
        }
    }
    let o = &f.overall;
    let s = &o.row.summary;
    let indicators = m.indicators();
    let contributions: Vec<Value> = if o.suppressed || s.af.m0 == 0.0 {
        Vec::new()
    } else {
        s.af.contributions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ind = &indicators[i];
                context! {
                    id => &ind.id,
                    label => match l {
                        Lang::Th => &ind.short_th,
                        Lang::En => &ind.short_en,
                    },
                    y => i * 22,
                    width => format!("{:.1}", c * 300.0),
                    value => pct(*c),
                }
            })
            .collect()
    };
    let capitals: Vec<Value> = Capital::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            context! {
                label => if l == Lang::Th { c.label_th() } else { c.label_en() },
                value => format!("{:.0}", s.mean_capitals[i] * 100.0),
            }
        })
        .collect();
    let child = |r: &ScopedRow| {
        let s = &r.row.summary;
        context! {
            key => &r.row.key,
            name => if l == Lang::Th { &r.row.name_th } else { &r.row.name_en },
            href => match f.by {
                Breakdown::Area(_) => r.area.map(|a| href(&round, Some(&a), unit_s)),
                _ => None,
            },
            suppressed => r.suppressed,
            households => r.households,
            groups => s.households.iter().zip(r.hidden_groups).map(|(n, h)| (!h).then_some(*n)).collect::<Vec<_>>(),
            h => pct(s.af.h),
            // A is the mean score of the poor: with no one poor it is undefined, not 0 %.
            a => (s.af.h > 0.0).then(|| pct(s.af.a)),
            m0 => format!("{:.3}", s.af.m0),
        }
    };
    // The table lists the areas one level down; at village level there are none (the breakdown
    // there is by group, which the group table above already shows).
    let rows: Vec<Value> = match f.by {
        Breakdown::Area(_) => f.rows.iter().map(child).collect(),
        _ => Vec::new(),
    };
    let referrals = referral_rows(&state, user, f.area.as_ref(), l).await;
    let ctx = context! {
        rounds => rounds.iter().map(|r| context! { label => r.to_string(), draft => !published.contains(r) }).collect::<Vec<_>>(),
        draft => !published.contains(&f.round),
        may_publish => thanrak_app::policy::publishes_rounds(user).is_ok(),
        methodology => m.id(),
        methodology_title => m.title().unwrap_or(m.id()),
        runs => runs.iter().map(|r| context! { id => &r.id, title => r.title.clone().unwrap_or_else(|| r.id.clone()) }).collect::<Vec<_>>(),
        round,
        unit => unit_s,
        area => f.area.map(|a| a.to_string()).unwrap_or_default(),
        // The meeting's report, for those who make it (of a province, district or subdistrict).
        report_area => f
            .area
            .filter(|a| thanrak_app::policy::report_maker(&page.user, a).is_ok())
            .filter(|a| a.level() != thanrak_core::AreaLevel::Village)
            .map(|a| a.to_string()),
        area_name => f.area.map(|a| area_name(&a, l)).unwrap_or_else(|| l.text("dash.country").to_string()),
        scored_at,
        crumbs,
        home => f.home.iter().map(|h| context! { name => area_name(h, l), href => href(&f.round.to_string(), Some(h), unit_s) }).collect::<Vec<_>>(),
        overall => context! {
            suppressed => o.suppressed,
            households => o.households,
            groups => group_rows(s.households, s.persons, o.hidden_groups, l),
            h => pct(s.af.h),
            a => (s.af.h > 0.0).then(|| pct(s.af.a)),
            m0 => format!("{:.3}", s.af.m0),
        },
        // With no one poor there is nothing to share out: a note, not sixteen rows of 0.0 %.
        nobody_poor => !o.suppressed && s.af.h == 0.0,
        contributions,
        referrals,
        case_states => CaseState::ALL.iter().map(|s| context! { code => s.as_str(), label => s.label(l), colour => STATE_COLOURS[*s as usize] }).collect::<Vec<_>>(),
        chart_height => indicators.len() * 22,
        capitals,
        rows,
        group_colours => GROUP_COLOURS.to_vec(),
        group_labels => Group::ALL.iter().map(|g| if l == Lang::Th { g.label_th() } else { g.label_en() }).collect::<Vec<_>>(),
        any_suppressed => o.hidden_groups.contains(&true) || f.rows.iter().any(|r| r.hidden_groups.contains(&true)),
        // The area's data as files, for the roles that may download personal data.
        export => access::sees_personal_data(user.role).then(|| {
            let area = f.area.map(|a| a.to_string()).unwrap_or_default();
            format!("/api/v1/rounds/{}/export?area={area}", f.round)
        }),
        ..base
    };
    render(&state, &lang, StatusCode::OK, "dashboard.html", ctx)
}

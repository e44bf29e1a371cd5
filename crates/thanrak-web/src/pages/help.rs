//! The logbook of help given, summed (`/help`): inside the user's area (or one it asks for with
//! `?area=`), the episodes and budget by agency, by dimension or capital, by kind and by the
//! areas one level down — each with a bar —, and each area's households helped against its
//! households in need (with the share as a bar). Money in baht with thousands separators; the
//! areas link one level down and the breadcrumbs lead back up. What a user reads is
//! `thanrak_app::help::help_summary`'s (an agency officer: its agency's help; an analyst: 403).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::help::{help_summary, HelpLine};
use thanrak_core::help::format_baht;
use thanrak_core::{AreaCode, AreaLevel};

use crate::auth::PageUser;
use crate::error::{ApiError, Query};
use crate::i18n::{Lang, LangChoice};
use crate::parse;
use crate::AppState;

use super::dashboard::{account, area_name, error_page};
use super::render;

/// `/help`.
pub fn router() -> Router<AppState> {
    Router::new().route("/help", get(help_page))
}

#[derive(Debug, Default, Deserialize)]
struct HelpQuery {
    area: Option<String>,
}

/// Money as the pages show it: `1,500.50 บาท` / `1,500.50 baht`.
pub(super) fn money(l: Lang, satang: i64) -> String {
    match l {
        Lang::Th => format!("{} บาท", format_baht(satang)),
        Lang::En => format!("{} baht", format_baht(satang)),
    }
}

/// The width of a bar (0–100) for `part` of `whole`.
fn width(part: i64, whole: i64) -> String {
    if whole <= 0 || part <= 0 {
        "0".into()
    } else {
        format!("{:.1}", part as f64 * 100.0 / whole as f64)
    }
}

/// A breakdown's rows, each with a bar for its share of the largest budget.
fn lines(l: Lang, lines: &[HelpLine]) -> Vec<Value> {
    let max = lines
        .iter()
        .map(|x| x.totals.value_satang)
        .max()
        .unwrap_or(0);
    lines
        .iter()
        .map(|x| {
            context! {
                code => &x.code,
                label => if l == Lang::Th { &x.label_th } else { &x.label_en },
                episodes => x.totals.episodes,
                money => money(l, x.totals.value_satang),
                households => x.totals.households,
                width => width(x.totals.value_satang, max),
            }
        })
        .collect()
}

async fn help_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<HelpQuery>,
) -> Response {
    let l = lang.lang;
    let area = match parse::area_or_none(q.area.as_deref()) {
        Ok(a) => a,
        Err(e) => return error_page(&state, &lang, e),
    };
    let s = match help_summary(state.store(), &page.user, area).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let max_area = s
        .by_area
        .iter()
        .map(|a| a.totals.value_satang)
        .max()
        .unwrap_or(0);
    let areas: Vec<Value> = s
        .by_area
        .iter()
        .map(|a| {
            let helped = i64::try_from(a.totals.households).unwrap_or(i64::MAX);
            let need = a.in_need.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
            context! {
                code => a.code.to_string(),
                name => if l == Lang::Th { &a.name_th } else { &a.name_en },
                link => (a.code.level() != AreaLevel::Village).then(|| format!("/help?area={}", a.code)),
                episodes => a.totals.episodes,
                money => money(l, a.totals.value_satang),
                width => width(a.totals.value_satang, max_area),
                helped => a.totals.households,
                in_need => a.in_need,
                // Households helped against households in need; more helped than in need
                // (help to households without a need) fills the bar.
                coverage => need.map(|n| width(helped.min(n), n)),
            }
        })
        .collect();
    // Breadcrumbs: every enclosing area, from the province down.
    let mut crumbs: Vec<Value> = Vec::new();
    let mut up: Option<AreaCode> = s.area.and_then(|a| a.parent());
    while let Some(c) = up {
        crumbs.insert(
            0,
            context! { name => area_name(&c, l), link => format!("/help?area={c}") },
        );
        up = c.parent();
    }
    let area_title = if l == Lang::Th {
        &s.area_name_th
    } else {
        &s.area_name_en
    };
    render(
        &state,
        &lang,
        StatusCode::OK,
        "help.html",
        context! {
            account => account(&page, l),
            area => s.area.map(|a| a.to_string()),
            area_title,
            crumbs,
            agency => s.agency.as_ref().map(ToString::to_string),
            episodes => s.total.episodes,
            money => money(l, s.total.value_satang),
            helped => s.total.households,
            in_need => s.in_need,
            in_need_round => s.in_need_round.as_ref().map(ToString::to_string),
            by_agency => lines(l, &s.by_agency),
            by_addresses => lines(l, &s.by_addresses),
            by_kind => lines(l, &s.by_kind),
            areas,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_money() {
        assert_eq!(width(0, 0), "0");
        assert_eq!(width(50, 200), "25.0");
        assert_eq!(money(Lang::Th, 123_456_789), "1,234,567.89 บาท");
        assert_eq!(money(Lang::En, 5), "0.05 baht");
    }
}

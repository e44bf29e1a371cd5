//! Follow-up across rounds (`/change`): what changed between two scored rounds in an area — the
//! households that left poverty and fell into it, a flow chart and the table of moves between the
//! four groups, H, A, M0 and every indicator's headcount in both rounds, the helped beside the
//! not helped, and the areas one level down (each a link down; breadcrumbs lead back up). What a
//! user reads is `thanrak_app::change::change`'s: counts withheld there are "—" here.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::area_figures::{scored_rounds, ScopedRow};
use thanrak_app::change::{change, AreaChange, ShownTransitions};
use thanrak_app::scoring::default_methodology;
use thanrak_core::help::format_count;
use thanrak_core::measure::change::{ABSENT, STATES};
use thanrak_core::methodology::Group;
use thanrak_core::{AreaCode, AreaLevel};

use crate::api::followup::ChangeParams;
use crate::auth::PageUser;
use crate::error::{ApiError, Query};
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, area_name, error_page, pct};
use super::render;

/// `/change`.
pub fn router() -> Router<AppState> {
    Router::new().route("/change", get(change_page))
}

#[derive(Debug, Default, Deserialize)]
struct ChangeForm {
    from: Option<String>,
    to: Option<String>,
    area: Option<String>,
    by: Option<String>,
}

/// The colours of the four groups (worst off first) and of "not in this round".
const COLOURS: [&str; STATES] = ["#b3261e", "#e8833a", "#8fb45a", "#2e7d32", "#9aa5ab"];

fn state_label(i: usize, l: Lang) -> String {
    match Group::ALL.get(i) {
        Some(g) => g.label(l).to_string(),
        None => match l {
            Lang::Th => "ไม่พบในรอบนี้".into(),
            Lang::En => "Not in this round".into(),
        },
    }
}

fn shown(n: u64, hidden: bool) -> String {
    if hidden {
        "—".into()
    } else {
        format_count(n)
    }
}

/// The table of moves, with each shown cell's share of its row.
fn matrix(t: &ShownTransitions, l: Lang) -> Value {
    let rows: Vec<Value> = (0..STATES)
        .map(|i| {
            let row_total: u64 = t.counts.counts[i].iter().sum();
            let cells: Vec<Value> = (0..STATES)
                .map(|j| {
                    if i == ABSENT && j == ABSENT {
                        return context! { blank => true };
                    }
                    match t.cell(i, j) {
                        Some(n) => context! {
                            count => format_count(n),
                            share => (row_total > 0 && !t.hidden[i].iter().any(|h| *h))
                                .then(|| pct(n as f64 / row_total as f64)),
                            same => i == j,
                        },
                        None => context! { count => "—", withheld => true },
                    }
                })
                .collect();
            context! { label => state_label(i, l), colour => COLOURS[i], cells }
        })
        .collect();
    let c = &t.counts;
    context! {
        heads => (0..STATES).map(|j| context! { label => state_label(j, l), colour => COLOURS[j] }).collect::<Vec<_>>(),
        rows,
        left => shown(c.left_poverty, t.poverty_hidden[0]),
        fell => shown(c.fell_into_poverty, t.poverty_hidden[1]),
        stayed => shown(c.stayed_poor, t.poverty_hidden[2]),
        // Among the households poor in the earlier round and found again, the share that left.
        left_share => (!t.poverty_hidden[0] && !t.poverty_hidden[2] && c.left_poverty + c.stayed_poor > 0)
            .then(|| pct(c.left_poverty as f64 / (c.left_poverty + c.stayed_poor) as f64)),
        any_hidden => t.any_hidden(),
    }
}

/// A flow (Sankey-style) chart of the shown cells: the earlier round's states on the left, the
/// later round's on the right, each node as tall as its households, a band per move.
fn flow(t: &ShownTransitions, l: Lang) -> Value {
    const HEIGHT: f64 = 320.0;
    const GAP: f64 = 10.0;
    const X0: f64 = 150.0;
    const X1: f64 = 450.0;
    const W: f64 = 14.0;
    let cell = |i: usize, j: usize| t.cell(i, j).unwrap_or(0) as f64;
    let left: Vec<f64> = (0..STATES)
        .map(|i| (0..STATES).map(|j| cell(i, j)).sum())
        .collect();
    let right: Vec<f64> = (0..STATES)
        .map(|j| (0..STATES).map(|i| cell(i, j)).sum())
        .collect();
    let total = left.iter().sum::<f64>().max(right.iter().sum::<f64>());
    if total <= 0.0 {
        return Value::from(());
    }
    let shown_nodes = |v: &[f64]| v.iter().filter(|x| **x > 0.0).count();
    let scale = (HEIGHT
        - GAP * (shown_nodes(&left).max(shown_nodes(&right)) as f64 - 1.0).max(0.0))
        / total;
    let place = |v: &[f64]| -> Vec<f64> {
        let mut y = 0.0;
        v.iter()
            .map(|x| {
                let at = y;
                if *x > 0.0 {
                    y += x * scale + GAP;
                }
                at
            })
            .collect()
    };
    let (ly, ry) = (place(&left), place(&right));
    let node = |x: f64, y: &[f64], v: &[f64], i: usize, anchor: &str, tx: f64| {
        context! {
            x, y => y[i], h => v[i] * scale, colour => COLOURS[i], anchor, tx,
            ty => y[i] + v[i] * scale / 2.0 + 4.0,
            label => format!("{} {}", state_label(i, l), format_count(v[i] as u64)),
        }
    };
    let nodes: Vec<Value> = (0..STATES)
        .filter(|i| left[*i] > 0.0)
        .map(|i| node(X0 - W, &ly, &left, i, "end", X0 - W - 6.0))
        .chain(
            (0..STATES)
                .filter(|j| right[*j] > 0.0)
                .map(|j| node(X1, &ry, &right, j, "start", X1 + W + 6.0)),
        )
        .collect();
    // Bands leave each left node in the order of the right nodes, and arrive in the order of
    // the left ones, so that they do not cross inside a node.
    let mut out_y = ly.clone();
    let mut in_y = ry.clone();
    let mut bands = Vec::new();
    for (i, out) in out_y.iter_mut().enumerate() {
        for (j, inn) in in_y.iter_mut().enumerate() {
            let n = cell(i, j);
            if n <= 0.0 {
                continue;
            }
            let h = n * scale;
            let (y0, y1) = (*out, *inn);
            *out += h;
            *inn += h;
            let mid = (X0 + X1) / 2.0;
            let path = format!(
                "M{X0},{y0:.1} C{mid},{y0:.1} {mid},{y1:.1} {X1},{y1:.1} L{X1},{:.1} C{mid},{:.1} {mid},{:.1} {X0},{:.1} Z",
                y1 + h,
                y1 + h,
                y0 + h,
                y0 + h
            );
            bands.push(context! {
                path,
                colour => COLOURS[i],
                title => format!("{} → {}: {}", state_label(i, l), state_label(j, l), format_count(n as u64)),
            });
        }
    }
    context! { nodes, bands, height => HEIGHT }
}

fn rate(r: Option<&ScopedRow>, f: &dyn Fn(&ScopedRow) -> f64) -> Option<f64> {
    r.filter(|r| !r.suppressed).map(f)
}

/// One measure in both rounds with the difference in percentage points.
fn measure(label: String, b: Option<f64>, a: Option<f64>, lower_is_better: bool) -> Value {
    let diff = b.zip(a).map(|(b, a)| a - b);
    context! {
        label,
        before => b.map(pct),
        after => a.map(pct),
        diff => diff.map(|d| format!("{:+.1}", d * 100.0)),
        better => diff.map(|d| if lower_is_better { d < 0.0 } else { d > 0.0 }),
        worse => diff.map(|d| if lower_is_better { d > 0.0 } else { d < 0.0 }),
    }
}

fn area_row(r: &AreaChange, l: Lang, link: Option<String>) -> Value {
    let t = &r.transitions;
    let c = &t.counts;
    let all_hidden = t.hidden.iter().flatten().all(|h| *h);
    let h = |r: &ScopedRow| r.row.summary.af.h;
    let (b, a) = (rate(r.before.as_ref(), &h), rate(r.after.as_ref(), &h));
    context! {
        code => r.area.map(|a| a.to_string()),
        name => if l == Lang::Th { &r.name_th } else { &r.name_en },
        link,
        before => shown(c.before_total(), all_hidden),
        after => shown(c.after_total(), all_hidden),
        left => shown(c.left_poverty, t.poverty_hidden[0]),
        fell => shown(c.fell_into_poverty, t.poverty_hidden[1]),
        h => measure(String::new(), b, a, true),
    }
}

async fn change_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(f): Query<ChangeForm>,
) -> Response {
    let l = lang.lang;
    let lm = default_methodology();
    let rounds = match scored_rounds(state.store(), &lm).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let clean = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    // By default the round pages open on (the latest published) and the scored round before it.
    let latest = thanrak_app::area_figures::default_round(state.store(), &lm)
        .await
        .ok()
        .flatten();
    let at = latest
        .as_ref()
        .and_then(|l| rounds.iter().position(|r| r == l))
        .unwrap_or(rounds.len().saturating_sub(1));
    let from = clean(&f.from).or_else(|| at.checked_sub(1).map(|i| rounds[i].to_string()));
    let to = clean(&f.to).or_else(|| rounds.get(at).map(ToString::to_string));
    let round_options: Vec<String> = rounds.iter().map(ToString::to_string).collect();
    let base = context! {
        account => account(&page, l),
        rounds => round_options,
        from => from.clone(),
        to => to.clone(),
        by => clean(&f.by),
        levels => AreaLevel::ALL.iter().map(|lv| context! { code => lv.as_str(), label => lv.label(l) }).collect::<Vec<_>>(),
    };
    let (Some(from), Some(to)) = (from, to) else {
        return render(
            &state,
            &lang,
            StatusCode::OK,
            "change.html",
            context! { too_few => true, ..base },
        );
    };
    let params = ChangeParams {
        from: from.clone(),
        to: to.clone(),
        area: clean(&f.area),
        by: clean(&f.by),
        unit: Some("household".into()),
    };
    let result = match params.to_app() {
        Ok(q) => change(state.store(), state.figures(), &lm, &page.user, &q)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let c = match result {
        Ok(c) => c,
        Err(e) if e.status() == StatusCode::BAD_REQUEST || e.status() == StatusCode::NOT_FOUND => {
            return render(
                &state,
                &lang,
                e.status(),
                "change.html",
                context! { problem => e.message().to_string(), ..base },
            )
        }
        Err(e) => return error_page(&state, &lang, e),
    };
    let link = |code: &AreaCode| -> String { format!("/change?from={from}&to={to}&area={code}") };
    let mut crumbs: Vec<Value> = Vec::new();
    let mut up: Option<AreaCode> = c.area.and_then(|a| a.parent());
    while let Some(code) = up {
        crumbs.insert(
            0,
            context! { name => area_name(&code, l), link => link(&code) },
        );
        up = code.parent();
    }
    let (b, a) = (c.overall.before.as_ref(), c.overall.after.as_ref());
    let af = |f: fn(&ScopedRow) -> f64| (rate(b, &f), rate(a, &f));
    let mut measures = Vec::new();
    for (label, (x, y)) in [
        ("H", af(|r| r.row.summary.af.h)),
        ("A", af(|r| r.row.summary.af.a)),
        ("M0", af(|r| r.row.summary.af.m0)),
    ] {
        let text = match (label, l) {
            ("H", Lang::Th) => "สัดส่วนคนจนหลายมิติ (H)".to_string(),
            ("H", Lang::En) => "MPI-poor share (H)".to_string(),
            ("A", Lang::Th) => "ความรุนแรงของความจน (A)".to_string(),
            ("A", Lang::En) => "Intensity (A)".to_string(),
            (_, Lang::Th) => "ดัชนีความยากจนหลายมิติ (M0 = H × A)".to_string(),
            (_, Lang::En) => "Adjusted headcount (M0 = H × A)".to_string(),
        };
        measures.push(measure(text, x, y, true));
    }
    let indicators: Vec<Value> = c
        .indicators
        .iter()
        .enumerate()
        .map(|(i, (_, th, en))| {
            let f = |r: &ScopedRow| r.row.summary.af.uncensored.get(i).copied().unwrap_or(0.0);
            measure(
                if l == Lang::Th {
                    th.clone()
                } else {
                    en.clone()
                },
                rate(b, &f),
                rate(a, &f),
                true,
            )
        })
        .collect();
    let rows: Vec<Value> = c
        .rows
        .iter()
        .map(|r| {
            let down = r
                .area
                .filter(|a| a.level() != AreaLevel::Village)
                .map(|a| link(&a));
            area_row(r, l, down)
        })
        .collect();
    let t = &c.overall.transitions.counts;
    let all_hidden = c.overall.transitions.hidden.iter().flatten().all(|h| *h);
    let persistent = format!(
        "/targets?round={}&persistent=2{}",
        c.to,
        c.area.map(|a| format!("&area={a}")).unwrap_or_default()
    );
    render(
        &state,
        &lang,
        StatusCode::OK,
        "change.html",
        context! {
            area => c.area.map(|a| a.to_string()),
            area_title => if l == Lang::Th { &c.overall.name_th } else { &c.overall.name_en },
            crumbs,
            all_link => format!("/change?from={from}&to={to}"),
            level => c.by.map(|lv| lv.label(l).to_string()),
            households_before => shown(t.before_total(), all_hidden),
            households_after => shown(t.after_total(), all_hidden),
            in_both => shown(t.in_both(), all_hidden),
            only_before => shown(t.only_before(), all_hidden),
            only_after => shown(t.only_after(), all_hidden),
            matrix => matrix(&c.overall.transitions, l),
            flow => flow(&c.overall.transitions, l),
            helped => matrix(&c.helped, l),
            not_helped => matrix(&c.not_helped, l),
            helped_households => shown(c.helped.counts.in_both() + c.helped.counts.only_before() + c.helped.counts.only_after(), c.helped.any_hidden() && c.helped.hidden.iter().flatten().all(|h| *h)),
            measures,
            indicators,
            rows,
            persistent,
            ..base
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use thanrak_core::measure::change::Transitions;

    #[test]
    fn the_flow_chart_draws_every_shown_move_once() {
        let mut counts = Transitions::default();
        counts.counts[0][0] = 10;
        counts.counts[0][2] = 30;
        counts.counts[3][3] = 60;
        counts.counts[4][1] = 5;
        let t = ShownTransitions {
            counts,
            hidden: [[false; STATES]; STATES],
            poverty_hidden: [false; 3],
        };
        let v = flow(&t, Lang::En);
        let bands = v.get_attr("bands").unwrap();
        assert_eq!(bands.len(), Some(4));
        let nodes = v.get_attr("nodes").unwrap();
        // Left: hardship, doing well, absent; right: hardship, struggling, getting by, doing well.
        assert_eq!(nodes.len(), Some(7));
        // Nothing to draw: no chart.
        let empty = ShownTransitions {
            counts: Transitions::default(),
            hidden: [[false; STATES]; STATES],
            poverty_hidden: [false; 3],
        };
        assert!(flow(&empty, Lang::Th).is_none());
    }
}

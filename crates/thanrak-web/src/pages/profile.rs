//! The family profile (`/households/{round}/{id}`): one household on one printable A4 page —
//! members (masked by role), the 16 indicators, the five-capital pentagon, group and reasons,
//! the help that fits, and the household's group and score in every scored round.

use axum::extract::{OriginalUri, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use thanrak_app::profile::household_profile;
use thanrak_core::measure::ReasonKind;
use thanrak_core::methodology::Capital;

use crate::api::figures::methodology_for;
use crate::auth::{CsrfForm, PageUser};
use crate::error::Path;
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, area_name, error_page, GROUP_COLOURS};
use super::render;

/// `/households/{round}/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/households/{round}/{id}", get(profile_page))
        .route("/households/{round}/{id}/refer", post(refer))
}

/// The centre and radius of the pentagon chart, in its SVG's units (viewBox 0 0 360 280).
const CX: f64 = 180.0;
const CY: f64 = 140.0;
const R: f64 = 95.0;

/// The points of a regular pentagon's polygon at these radii (0–1), the first axis pointing up.
fn pentagon(values: &[f64; 5], cx: f64, cy: f64, r: f64) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let angle = (-90.0 + 72.0 * i as f64).to_radians();
            let rv = r * v.clamp(0.0, 1.0);
            format!("{:.1},{:.1}", cx + rv * angle.cos(), cy + rv * angle.sin())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the profile's address may say besides the household: that it was just saved or merged.
#[derive(Debug, Default, serde::Deserialize)]
struct ProfileQuery {
    saved: Option<String>,
    merged: Option<String>,
}

async fn profile_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    method: Method,
    uri: OriginalUri,
    Path((round, id)): Path<(String, String)>,
    crate::error::Query(q): crate::error::Query<ProfileQuery>,
) -> Response {
    let l = lang.lang;
    let lm = match methodology_for(&state, Some(&round), None).await {
        Ok((lm, _)) => lm,
        Err(e) => return error_page(&state, &lang, e),
    };
    let m = &lm.methodology;
    let parsed = crate::parse::round(&round)
        .and_then(|r| crate::parse::household_id(&r, &id).map(|id| (r, id)));
    let (round, id) = match parsed {
        Ok(x) => x,
        Err(e) => return error_page(&state, &lang, e),
    };
    let p = match household_profile(
        state.reads(),
        state.audit(),
        &lm,
        &page.user,
        &round,
        &id,
        &format!("{method} {}", uri.0),
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let hv = &p.detail.household;
    let h = &hv.household;
    let th = l == Lang::Th;
    let members: Vec<Value> = p
        .detail
        .members
        .iter()
        .map(|v| {
            let mb = &v.member;
            let name = if mb.last_name.is_empty() {
                mb.first_name.clone()
            } else {
                format!("{} {}", mb.first_name, mb.last_name)
            };
            let label = |code: &'static str, thai: &'static str| if th { thai } else { code };
            context! {
                no => mb.member_no,
                name,
                national_id => &v.national_id,
                sex => label(mb.sex.as_str(), mb.sex.label_th()),
                age => v.age,
                relation => label(mb.relation.as_str(), mb.relation.label_th()),
                education => label(mb.education.as_str(), mb.education.label_th()),
                occupation => label(mb.occupation.as_str(), mb.occupation.label_th()),
            }
        })
        .collect();
    let scored = p.score.as_ref().map(|s| {
        let indicators: Vec<Value> = m
            .indicators()
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                context! {
                    id => &ind.id,
                    dimension => if th { &m.dimensions()[ind.dimension].label_th } else { &m.dimensions()[ind.dimension].label_en },
                    label => if th { &ind.label_th } else { &ind.label_en },
                    deprived => s.deprived(i),
                }
            })
            .collect();
        let axes: Vec<Value> = Capital::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // Labels sit just outside the pentagon's corners, anchored away from its centre.
                let angle = (-90.0 + 72.0 * i as f64).to_radians();
                let (x, y) = (CX + 1.1 * R * angle.cos(), CY + 1.1 * R * angle.sin());
                let anchor = if x < CX - 5.0 { "end" } else if x > CX + 5.0 { "start" } else { "middle" };
                context! {
                    label => if th { c.label_th() } else { c.label_en() },
                    value => format!("{:.0}", s.capitals[i] * 100.0),
                    x => format!("{x:.1}"),
                    y => format!("{:.1}", if y < CY { y - 4.0 } else { y + 12.0 }),
                    anchor,
                }
            })
            .collect();
        let reasons: Vec<Value> = s
            .reasons(m)
            .iter()
            .map(|r| {
                context! {
                    rule => r.kind == ReasonKind::Rule,
                    code => r.code,
                    label => if th { r.label_th } else { r.label_en },
                }
            })
            .collect();
        context! {
            group => s.group.as_str(),
            group_label => if th { s.group.label_th() } else { s.group.label_en() },
            colour => GROUP_COLOURS[s.group as usize],
            score => format!("{:.3}", s.score),
            mpi_poor => s.mpi_poor,
            income => format!("{:.0}", s.income_pc),
            indicators,
            reasons,
            pentagon => pentagon(&s.capitals, CX, CY, R),
            grid => [1.0, 0.75, 0.5, 0.25].iter().map(|r| pentagon(&[*r; 5], CX, CY, R)).collect::<Vec<_>>(),
            axes,
            needs => p.needs.iter().map(|n| n.text(th).to_string()).collect::<Vec<_>>(),
            methodology => m.title().unwrap_or(m.id()).to_string(),
        }
    });
    let history: Vec<Value> = p
        .history
        .iter()
        .map(|e| {
            context! {
                round => e.round.as_str(),
                href => format!("/households/{}/{}", e.round, h.household_id),
                current => e.round == h.round,
                group => e.group.as_str(),
                group_label => if th { e.group.label_th() } else { e.group.label_en() },
                colour => GROUP_COLOURS[e.group as usize],
                score => format!("{:.3}", e.score),
            }
        })
        .collect();
    let agencies = state.store().agencies().list().await.unwrap_or_default();
    let agency_name = |code: &str| {
        agencies
            .iter()
            .find(|a| a.code.as_str() == code)
            .map_or_else(
                || code.to_string(),
                |a| {
                    if th {
                        a.name_th.clone()
                    } else {
                        a.name_en.clone()
                    }
                },
            )
    };
    let need_name = |id: &str| {
        thanrak_app::scoring::default_methodology()
            .methodology
            .needs()
            .iter()
            .find(|n| n.id == id)
            .map_or_else(
                || id.to_string(),
                |n| {
                    if th {
                        n.label_th.clone()
                    } else {
                        n.label_en.clone()
                    }
                },
            )
    };
    let today = chrono::Utc::now().date_naive();
    let cases: Vec<Value> = p
        .cases
        .iter()
        .map(|c| {
            context! {
                id => c.id,
                round => c.new.round.as_str(),
                need => need_name(&c.new.need),
                agency => agency_name(c.new.agency.as_str()),
                state => c.state.as_str(),
                state_label => c.state.label(l),
                due => c.new.due_on.map(|d| if th { thanrak_core::date::format_thai(d) } else { d.to_string() }),
                overdue => thanrak_core::case::is_overdue(c.state, c.new.due_on, today),
            }
        })
        .collect();
    let help: Vec<Value> = p
        .help
        .iter()
        .map(|r| {
            let h = &r.new.help;
            context! {
                given => if th { thanrak_core::date::format_thai(h.given_on()) } else { h.given_on().to_string() },
                agency => agency_name(h.agency.as_str()),
                kind => h.kind.label(l),
                addresses => h.addresses.label(l),
                what => h.what(),
                value => super::help::money(l, h.value_satang()),
                case => h.case_id,
            }
        })
        .collect();
    let help_total = super::help::money(l, p.help.iter().map(|r| r.new.help.value_satang()).sum());
    // Referring this household: for a user who may refer it, on the default methodology's
    // scores (cases are opened from its needs).
    let default = thanrak_app::scoring::default_methodology();
    let refer = (thanrak_app::policy::may_refer(&page.user, &h.village_code).is_ok()
        && m.id() == default.methodology.id()
        && p.score.is_some())
    .then(|| {
        context! {
            needs => default.methodology.needs().iter().map(|n| context! {
                code => &n.id,
                label => if th { &n.label_th } else { &n.label_en },
                fits => p.needs.iter().any(|x| x.id == n.id),
            }).collect::<Vec<_>>(),
            // The agencies working here, each with the needs it meets (its mission).
            agencies => agencies.iter().filter(|a| a.works_in(&h.village_code)).map(|a| context! {
                code => a.code.as_str(),
                label => format!("{} · {}", if th { &a.name_th } else { &a.name_en }, a.needs.iter().map(|n| need_name(n)).collect::<Vec<_>>().join(", ")),
            }).collect::<Vec<_>>(),
        }
    });
    let record_of = |r: &str| match r.strip_prefix("member ") {
        Some(n) => format!(
            "{} {n}",
            if th {
                "สมาชิกคนที่"
            } else {
                "Member"
            }
        ),
        None => (if th {
            "ครัวเรือน"
        } else {
            "Household"
        })
        .to_string(),
    };
    let changes: Vec<Value> = p
        .changes
        .changes
        .iter()
        .map(|c| {
            context! {
                version => c.version,
                at => crate::i18n::format_time(l, c.at),
                by => &c.by,
                source => super::records::source_label(&c.source, l),
                fields => c.fields.iter().map(|f| context! {
                    record => record_of(&f.record),
                    label => super::records::column_label(&f.column, l),
                    old => super::records::cell_display(&f.column, &f.old, l),
                    new => super::records::cell_display(&f.column, &f.new, l),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let submission = p.changes.submission.as_ref().map(|(tool, key, _, received)| {
        context! {
            tool => match tool.as_str() { "odk_central" => "ODK Central", "kobo" => "KoboToolbox", t => t },
            key,
            received => match thanrak_core::date::parse_date(received.get(..10).unwrap_or("")) {
                Ok(d) if th => thanrak_core::date::format_thai(d),
                Ok(d) => d.to_string(),
                Err(_) => String::new(),
            },
        }
    });
    let ctx = context! {
        account => account(&page, l),
        csrf => &page.csrf_token,
        changes,
        submission,
        may_edit => p.may_edit,
        saved => q.saved.is_some(),
        merged => q.merged.is_some(),
        cases,
        refer,
        help,
        help_total,
        id => h.household_id.as_str(),
        round => h.round.as_str(),
        village => area_name(&h.village_code, l),
        village_code => h.village_code.to_string(),
        subdistrict => h.village_code.parent().map(|c| area_name(&c, l)),
        house_no => &h.house_no,
        head => &hv.head_name,
        masked => hv.masked,
        survey_date => if th { thanrak_core::date::format_thai(h.survey_date) } else { h.survey_date.to_string() },
        members,
        scored,
        history,
    };
    render(&state, &lang, StatusCode::OK, "profile.html", ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pentagon_starts_at_the_top() {
        let p = pentagon(&[1.0, 0.0, 0.0, 0.0, 0.0], 100.0, 100.0, 50.0);
        assert!(p.starts_with("100.0,50.0 100.0,100.0"), "{p}");
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReferFields {
    #[serde(default)]
    need: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    note: String,
    due_on: Option<String>,
}

/// Refers this household (sent at once) and shows the case opened.
async fn refer(
    State(state): State<AppState>,
    lang: LangChoice,
    Path((round, id)): Path<(String, String)>,
    form: CsrfForm<ReferFields>,
) -> Response {
    let req = (|| {
        let round = crate::parse::round(&round)?;
        let household_id = crate::parse::household_id(&round, &id)?;
        Ok::<_, crate::error::ApiError>(thanrak_app::cases::ReferRequest {
            round,
            household_id,
            need: form.form.need.clone(),
            agency: crate::parse::agency(&form.form.agency)?,
            note: form.form.note.clone(),
            due_on: crate::parse::date_or_none("due_on", form.form.due_on.as_deref())?,
            send: true,
        })
    })();
    let opened = match req {
        Ok(req) => thanrak_app::cases::refer(state.store(), &form.user.user, &req)
            .await
            .map_err(crate::error::ApiError::from),
        Err(e) => Err(e),
    };
    match opened {
        Ok(c) => Redirect::to(&format!("/cases/{}", c.id)).into_response(),
        Err(e) => error_page(&state, &lang, e),
    }
}

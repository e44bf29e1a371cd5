//! The agency catalogue (`/agencies`): every agency with its mission, the needs it meets (by
//! their labels in the default methodology) and the areas it works in (by name), for every
//! signed-in user; admins also get a form that adds an agency or changes one (`POST /agencies`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::agencies::{self, AgencyRequest};
use thanrak_app::scoring::default_methodology;
use thanrak_core::{AreaRegistry, Lang};

use crate::auth::{CsrfForm, PageUser};
use crate::error::ApiError;
use crate::i18n::LangChoice;
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// `/agencies`.
pub fn router() -> Router<AppState> {
    Router::new().route("/agencies", get(agencies_page).post(save))
}

/// The form's fields: lists as text, comma-separated.
#[derive(Debug, Default, Deserialize)]
struct AgencyFields {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    mission: String,
    #[serde(default)]
    needs: String,
    #[serde(default)]
    areas: String,
    #[serde(default)]
    contact: String,
}

fn list(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

async fn show(
    state: &AppState,
    lang: &LangChoice,
    page: &PageUser,
    status: StatusCode,
    extra: Value,
) -> Response {
    let l = lang.lang;
    let list = match agencies::list_agencies(state.store()).await {
        Ok(a) => a,
        Err(e) => return error_page(state, lang, ApiError::from(e)),
    };
    let lm = default_methodology();
    let need_label = |id: &str| {
        lm.methodology
            .needs()
            .iter()
            .find(|n| n.id == id)
            .map_or_else(
                || id.to_string(),
                |n| match l {
                    Lang::Th => n.label_th.clone(),
                    Lang::En => n.label_en.clone(),
                },
            )
    };
    let registry = AreaRegistry::official();
    let area_name = |c: &thanrak_core::AreaCode| {
        registry
            .areas()
            .iter()
            .find(|a| a.code == *c)
            .map_or_else(|| c.to_string(), |a| a.name_th.clone())
    };
    let rows: Vec<Value> = list
        .iter()
        .map(|a| {
            context! {
                code => a.code.as_str(),
                name => if l == Lang::Th { &a.name_th } else { &a.name_en },
                other_name => if l == Lang::Th { &a.name_en } else { &a.name_th },
                name_th => &a.name_th,
                name_en => &a.name_en,
                mission => &a.mission,
                needs => a.needs.iter().map(|n| need_label(n)).collect::<Vec<_>>(),
                need_ids => a.needs.join(", "),
                areas => a.areas.iter().map(&area_name).collect::<Vec<_>>(),
                area_codes => a.areas.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                contact => &a.contact,
            }
        })
        .collect();
    let needs: Vec<Value> = agencies::known_needs()
        .iter()
        .map(|id| context! { id, label => need_label(id) })
        .collect();
    let ctx = context! {
        account => account(page, l),
        csrf => &page.csrf_token,
        agencies => rows,
        may_edit => thanrak_app::policy::is_admin(&page.user),
        needs,
        ..extra
    };
    render(state, lang, status, "agencies.html", ctx)
}

async fn agencies_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
) -> Response {
    show(&state, &lang, &page, StatusCode::OK, context! {}).await
}

async fn save(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<AgencyFields>,
) -> Response {
    let f = form.form;
    let req = AgencyRequest {
        code: f.code.clone(),
        name_th: f.name_th.clone(),
        name_en: f.name_en.clone(),
        mission: f.mission.clone(),
        needs: list(&f.needs),
        areas: list(&f.areas),
        contact: f.contact.clone(),
    };
    match agencies::save_agency_as(state.store(), &form.user.user, &req).await {
        Ok((a, _)) => Redirect::to(&format!("/agencies#agency-{}", a.code)).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() == StatusCode::FORBIDDEN {
                return error_page(&state, &lang, e);
            }
            // The form again, as the user filled it, with what is wrong (a 400 for whatever
            // the user can correct, whether the API would call it malformed or unknown).
            let status = if e.status().is_client_error() {
                StatusCode::BAD_REQUEST
            } else {
                e.status()
            };
            let error = e.message().to_string();
            show(
                &state,
                &lang,
                &form.user,
                status,
                context! {
                    error,
                    draft => context! {
                        code => f.code, name_th => f.name_th, name_en => f.name_en,
                        mission => f.mission, needs => f.needs, areas => f.areas,
                        contact => f.contact,
                    },
                },
            )
            .await
        }
    }
}

//! The accounts (`/admin/users`), for admins: every user with its role, areas, agency and
//! state; a form to add one (its first password is generated and shown once); for each user,
//! disable or enable, other areas or agency, and a one-time password-reset code shown once, to
//! hand over in person or by phone — never by e-mail. The user enters the code on the login
//! page (`/login/reset`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use thanrak_app::access::{self, UserRequest};
use thanrak_core::identity::Role;
use thanrak_core::AreaRegistry;

use crate::auth::{credentials, CsrfForm, PageUser};
use crate::error::{ApiError, Path};
use crate::i18n::{format_time, Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, area_name, error_page};
use super::render;

/// `/admin/users` and its forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page).post(add_user))
        .route("/admin/users/{name}/disable", post(disable))
        .route("/admin/users/{name}/enable", post(enable))
        .route("/admin/users/{name}/reset", post(reset))
        .route("/admin/users/{name}/scope", post(scope))
}

fn admin(user: &thanrak_core::identity::User) -> Result<(), ApiError> {
    Ok(thanrak_app::policy::admin_only(
        user,
        "only an admin manages accounts",
    )?)
}

/// A secret shown once on the page after it was made.
struct Shown {
    user: String,
    what: &'static str,
    secret: String,
    until: Option<String>,
}

async fn page(
    state: &AppState,
    lang: &LangChoice,
    page: &PageUser,
    shown: Option<Shown>,
    problem: Option<String>,
) -> Response {
    let l = lang.lang;
    if let Err(e) = admin(&page.user) {
        return error_page(state, lang, e);
    }
    let users = match access::list_users(state.store()).await {
        Ok(u) => u,
        Err(e) => return error_page(state, lang, ApiError::from(e)),
    };
    let agencies = state.store().agencies().list().await.unwrap_or_default();
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            context! {
                name => u.name.as_str(),
                role => u.role.label(l),
                areas => u.areas.iter().map(|a| format!("{a} {}", area_name(a, l))).collect::<Vec<_>>(),
                area_codes => u.areas.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                agency => u.agency.as_ref().map(|a| a.as_str().to_string()),
                disabled => u.disabled,
                created => format_time(l, u.created_at),
                is_me => u.id == page.user.id,
            }
        })
        .collect();
    render(
        state,
        lang,
        if problem.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "users.html",
        context! {
            account => account(page, l),
            csrf => &page.csrf_token,
            users => rows,
            roles => Role::ALL.iter().map(|r| context! { code => r.as_str(), label => r.label(l) }).collect::<Vec<_>>(),
            agencies => agencies.iter().map(|a| context! { code => a.code.as_str(), name => if l == Lang::Th { &a.name_th } else { &a.name_en } }).collect::<Vec<_>>(),
            shown => shown.map(|s| context! { user => s.user, what => s.what, secret => s.secret, until => s.until }),
            problem,
        },
    )
}

async fn users_page(State(state): State<AppState>, lang: LangChoice, p: PageUser) -> Response {
    page(&state, &lang, &p, None, None).await
}

/// Areas typed in a form: codes or names, separated by commas or spaces.
fn areas_of(text: &str) -> Result<Vec<String>, String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            AreaRegistry::official()
                .known(s)
                .map(|c| c.to_string())
                .map_err(|e| format!("{s:?} {e}"))
        })
        .collect()
}

#[derive(Deserialize)]
struct AddFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    areas: String,
    #[serde(default)]
    agency: String,
}

async fn add_user(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<AddFields>,
) -> Response {
    if let Err(e) = admin(&form.user.user) {
        return error_page(&state, &lang, e);
    }
    let f = &form.form;
    let spec = areas_of(&f.areas).and_then(|areas| {
        access::check_user(&UserRequest {
            name: f.name.trim().to_string(),
            role: f.role.clone(),
            areas,
            agency: Some(f.agency.trim().to_string()).filter(|a| !a.is_empty()),
        })
        .map_err(|e| e.to_string())
    });
    let spec = match spec {
        Ok(s) => s,
        Err(p) => return page(&state, &lang, &form.user, None, Some(p)).await,
    };
    let password = credentials::random_password();
    let hashed = {
        let p = password.clone();
        tokio::task::spawn_blocking(move || credentials::hash_password(&p)).await
    };
    let Ok(Ok(hash)) = hashed else {
        return error_page(
            &state,
            &lang,
            ApiError::internal(&"the password could not be hashed"),
        );
    };
    match access::add_user(state.store(), spec, hash).await {
        Ok(u) => {
            let shown = Shown {
                user: u.name.to_string(),
                what: "us.first_password",
                secret: password,
                until: None,
            };
            page(&state, &lang, &form.user, Some(shown), None).await
        }
        Err(e) => page(&state, &lang, &form.user, None, Some(e.to_string())).await,
    }
}

#[derive(Deserialize)]
struct NoFields {}

async fn disable(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(name): Path<String>,
    form: CsrfForm<NoFields>,
) -> Response {
    set_disabled(state, lang, name, form.user, true).await
}

async fn enable(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(name): Path<String>,
    form: CsrfForm<NoFields>,
) -> Response {
    set_disabled(state, lang, name, form.user, false).await
}

/// Disables a user (not the admin itself: that would lock it out) or enables it again.
async fn set_disabled(
    state: AppState,
    lang: LangChoice,
    name: String,
    admin_user: PageUser,
    disable: bool,
) -> Response {
    if let Err(e) = admin(&admin_user.user) {
        return error_page(&state, &lang, e);
    }
    if disable && name == admin_user.user.name.as_str() {
        let problem = Some("an admin does not disable its own account".to_string());
        return page(&state, &lang, &admin_user, None, problem).await;
    }
    let done = if disable {
        access::disable_user(state.store(), &name).await
    } else {
        access::enable_user(state.store(), &name).await
    };
    match done {
        Ok(_) => {
            state.forget_credentials();
            Redirect::to("/admin/users").into_response()
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

async fn reset(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(name): Path<String>,
    form: CsrfForm<NoFields>,
) -> Response {
    if let Err(e) = admin(&form.user.user) {
        return error_page(&state, &lang, e);
    }
    let code = credentials::reset_code();
    match access::set_password_reset(state.store(), &name, &credentials::digest(&code)).await {
        Ok((u, until)) => {
            let shown = Shown {
                user: u.name.to_string(),
                what: "us.reset_code",
                secret: code,
                until: Some(format_time(lang.lang, until)),
            };
            page(&state, &lang, &form.user, Some(shown), None).await
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

#[derive(Deserialize)]
struct ScopeFields {
    #[serde(default)]
    areas: String,
    #[serde(default)]
    agency: String,
}

async fn scope(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(name): Path<String>,
    form: CsrfForm<ScopeFields>,
) -> Response {
    if let Err(e) = admin(&form.user.user) {
        return error_page(&state, &lang, e);
    }
    let f = &form.form;
    let areas = match areas_of(&f.areas) {
        Ok(a) => a,
        Err(p) => return page(&state, &lang, &form.user, None, Some(p)).await,
    };
    let agency = Some(f.agency.trim().to_string()).filter(|a| !a.is_empty());
    match access::set_user_scope(state.store(), &name, areas, agency).await {
        Ok(_) => {
            state.forget_credentials();
            Redirect::to("/admin/users").into_response()
        }
        Err(thanrak_app::AppError::Invalid(p)) => {
            page(&state, &lang, &form.user, None, Some(p)).await
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

//! API tokens (`/admin/tokens`), for admins: who holds which token, since when, last used when,
//! and a button to revoke one token without disabling its user.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use thanrak_app::access::{api_tokens_for, revoke_api_token_for};

use crate::auth::{CsrfForm, PageUser};
use crate::error::ApiError;
use crate::i18n::{format_time, LangChoice};
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// `/admin/tokens` and `/admin/tokens/revoke`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(tokens_page))
        .route("/admin/tokens/revoke", post(revoke))
}

async fn tokens_page(State(state): State<AppState>, lang: LangChoice, page: PageUser) -> Response {
    let l = lang.lang;
    let tokens = match api_tokens_for(state.store(), &page.user).await {
        Ok(t) => t,
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let rows: Vec<_> = tokens
        .iter()
        .map(|t| {
            context! {
                id => t.id,
                user => &t.user_name,
                created => format_time(l, t.created_at),
                used => t.last_used_at.map(|u| format_time(l, u)),
            }
        })
        .collect();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "tokens.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            tokens => rows,
        },
    )
}

#[derive(Deserialize)]
struct RevokeFields {
    #[serde(default)]
    id: i64,
}

async fn revoke(
    State(state): State<AppState>,
    lang: LangChoice,
    form: CsrfForm<RevokeFields>,
) -> Response {
    match revoke_api_token_for(state.store(), &form.user.user, form.form.id).await {
        Ok(digest) => {
            state.forget_token(&digest);
            Redirect::to("/admin/tokens").into_response()
        }
        Err(e) => error_page(&state, &lang, ApiError::from(e)),
    }
}

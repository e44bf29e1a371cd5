//! The user's guide in the product (`/guide`): the methodology and the import format as
//! `thanrak_app::guide` writes them (the same text as `docs/`), shown as HTML, and the import
//! template to download (`/guide/template.xlsx`). Every signed-in role reads it.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;

use crate::auth::PageUser;
use crate::error::{ApiError, Path};
use crate::i18n::LangChoice;
use crate::AppState;

use super::dashboard::{account, error_page};
use super::render;

/// `/guide`, `/guide/{page}` and `/guide/template.xlsx`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/guide", get(index))
        .route("/guide/template.xlsx", get(template))
        .route("/guide/{page}", get(guide_page))
}

async fn index(State(state): State<AppState>, lang: LangChoice, page: PageUser) -> Response {
    let files = thanrak_app::guide::files();
    let pages: Vec<_> = files
        .iter()
        .map(|(name, text)| {
            context! {
                href => format!("/guide/{}", name.trim_end_matches(".md")),
                title => text.lines().next().unwrap_or("").trim_start_matches("# ").to_string(),
            }
        })
        .collect();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "guide.html",
        context! { account => account(&page, lang.lang), pages, body => None::<String> },
    )
}

async fn guide_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path(name): Path<String>,
) -> Response {
    let files = thanrak_app::guide::files();
    let Some((_, text)) = files
        .iter()
        .find(|(file, _)| file.trim_end_matches(".md") == name)
    else {
        return error_page(
            &state,
            &lang,
            ApiError::not_found(format!("there is no guide page {name}")),
        );
    };
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(text, options));
    render(
        &state,
        &lang,
        StatusCode::OK,
        "guide.html",
        context! { account => account(&page, lang.lang), pages => Vec::<()>::new(), body => Some(html) },
    )
}

async fn template(_page: PageUser) -> Result<Response, ApiError> {
    let bytes = thanrak_app::guide::import_template()?;
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"thanrak-import-template.xlsx\""),
    );
    Ok(res)
}

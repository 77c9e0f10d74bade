//! The visitor's two pages, linked from every visitor mail (the report id in the path is
//! the 122-bit secret only the visitor holds, as for `status_url`):
//!
//! - `GET /v1/reports/{id}/view`: the report's reference, status, due time and reply;
//! - `GET /v1/reports/{id}/optout`: a page with one button; `POST` to the same path
//!   records that the report's address gets no more mail from this inbox (a GET changes
//!   nothing: mail scanners open links).
//!
//! Both are plain HTML, no script, `Referrer-Policy: no-referrer` (the URL is a secret).
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::AppError;
use crate::report::valid_id;
use crate::state::Shared;
use crate::util::{esc, now_ms, sha256_hex};

/// The opt-out key of an address (its SHA-256, lower-cased and trimmed first).
pub fn email_sha(email: &str) -> String {
    sha256_hex(email.trim().to_lowercase().as_bytes())
}

/// The visitor's status page.
pub fn status_link(public_url: &str, id: &str) -> String {
    format!("{public_url}/v1/reports/{id}/view")
}

/// The visitor's opt-out page.
pub fn optout_link(public_url: &str, id: &str) -> String {
    format!("{public_url}/v1/reports/{id}/optout")
}

/// The routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/reports/{id}/view", get(view))
        .route("/v1/reports/{id}/optout", get(optout_page).post(optout))
}

fn page(title: &str, body: &str) -> Response {
    let mut r = Html(format!(
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
         <title>{t}</title><style>body{{font:16px system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}</style>\
         <h1>{t}</h1>{body}</html>",
        t = esc(title)
    ))
    .into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn report(app: &Shared, id: &str) -> Result<crate::store::Row, AppError> {
    if !valid_id(id) {
        return Err(AppError::NotFound);
    }
    app.store.get(id).await?.ok_or(AppError::NotFound)
}

async fn view(State(app): State<Shared>, Path(id): Path<String>) -> Result<Response, AppError> {
    let r = report(&app, &id).await?;
    let (locale, tz) = super::queue::report_meta(&app.store, &id).await?;
    let zone = if tz.parse::<chrono_tz::Tz>().is_ok() {
        tz
    } else {
        "UTC".into()
    };
    let _ = locale;
    let due = r
        .due_at
        .map(|d| super::channel::local_time(d, &zone))
        .unwrap_or_default();
    let mut body = format!(
        "<p>Reference <strong>{}</strong></p><p>Status: <strong>{}</strong></p>",
        esc(&r.reference),
        esc(&r.status.replace('_', " "))
    );
    if !due.is_empty() && r.answered_at.is_none() {
        body.push_str(&format!("<p>Reply due by {}</p>", esc(&due)));
    }
    if let Some(reply) = &r.reply {
        body.push_str(&format!(
            "<h2>Our reply</h2><p style=\"white-space:pre-wrap\">{}</p>",
            esc(reply)
        ));
    }
    body.push_str(&format!(
        "<p><a href=\"/v1/reports/{}/optout\">No more emails about my reports</a></p>",
        esc(&id)
    ));
    Ok(page("Your report", &body))
}

async fn optout_page(
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    report(&app, &id).await?;
    Ok(page(
        "No more emails",
        &format!(
            "<p>We send you mail only about reports you sent us. Stop all of it?</p>\
             <form method=post action=\"/v1/reports/{}/optout\"><button>Stop emails to my address</button></form>",
            esc(&id)
        ),
    ))
}

async fn optout(State(app): State<Shared>, Path(id): Path<String>) -> Result<Response, AppError> {
    let r = report(&app, &id).await?;
    if let Some(email) = &r.email {
        super::queue::opt_out(&app.store, &email_sha(email), now_ms()).await?;
    }
    Ok(page(
        "No more emails",
        "<p>Done: this address gets no more mail from us.</p>",
    ))
}

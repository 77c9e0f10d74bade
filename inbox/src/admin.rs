//! The admin page: server-rendered HTML, no build step, no script. The team signs in with
//! the admin token (only its SHA-256 is configured), sees open reports soonest-due first
//! (100 a page) with what is left or how late they are, and marks them in progress /
//! answered / resolved / spam with a reply the visitor reads in the widget's "Your
//! reports", or erases a report's personal data. Also sets the incident notice. Session: a
//! random id in an `HttpOnly; SameSite=Strict` cookie (`Secure` over https) that the
//! server expires; form posts must come from `INBOX_PUBLIC_URL`'s origin ([`crate::auth`]).
//! Every answer carries a CSP without scripts, `X-Frame-Options: DENY`,
//! `Cache-Control: no-store` and `Referrer-Policy: same-origin`.
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use reach_us_core::time::{iso_utc, parse_iso};
use serde::Deserialize;

use crate::auth::{live_session, same_origin, AdminForm, COOKIE};
use crate::error::AppError;
use crate::state::Shared;
use crate::store::Row;
use crate::util::{constant_time_eq, esc, now_ms, sha256_hex};

/// Open reports per page.
pub const PAGE_SIZE: u32 = 100;

/// The admin routes (with the page's security headers).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/login", post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/reports/{id}", post(update))
        .route("/admin/reports/{id}/erase", post(erase))
        .route("/admin/notice", post(notice))
        .route(
            "/admin/incidents/{id}/update",
            post(crate::incident::admin_update),
        )
        .layer(axum::middleware::map_response(locked_down))
}

/// The admin page's headers: no script at all, no framing, no caching, no referrer to
/// other sites (same-origin keeps `Origin` on our own form posts).
async fn locked_down(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;max-width:72rem;color:#1a1a1a}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.45rem;text-align:left;vertical-align:top}\
.msg{white-space:pre-wrap;max-width:28rem}.overdue{color:#a00000;font-weight:600}.kept{color:#0a6b2d}\
textarea{width:100%;min-height:3rem}form.inline{display:grid;gap:.3rem}label{font-weight:600}\
.atts{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem;white-space:normal}.att img{display:block;object-fit:cover;border:1px solid #ccc;border-radius:4px}";

fn shell(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>\
         <title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        esc(title)
    ))
}

fn login_page(message: Option<&str>, enabled: bool) -> Html<String> {
    let note = if enabled {
        message
            .map(|m| format!("<p role=alert>{}</p>", esc(m)))
            .unwrap_or_default()
    } else {
        "<p role=alert>The admin page is off: set INBOX_ADMIN_TOKEN_SHA256 (<code>reach-us-inbox hash-token &lt;token&gt;</code> prints it).</p>".into()
    };
    shell(
        "Reach Us inbox — sign in",
        &format!("<h1>Reach Us inbox</h1>{note}<form method=post action=/admin/login><label for=token>Admin token</label> \
                  <input id=token name=token type=password autocomplete=current-password required> <button>Sign in</button></form>"),
    )
}

/// "due in 1 h 5 min", "overdue by 12 min".
pub fn countdown(due: i64, now: i64) -> (String, bool) {
    let span = |ms: i64| {
        let min = (ms + 59_999) / 60_000;
        match (min / 1440, (min % 1440) / 60, min % 60) {
            (0, 0, m) => format!("{m} min"),
            (0, h, 0) => format!("{h} h"),
            (0, h, m) => format!("{h} h {m} min"),
            (d, h, _) => format!("{d} d {h} h"),
        }
    };
    if now <= due {
        (format!("due in {}", span(due - now)), false)
    } else {
        (format!("overdue by {}", span(now - due)), true)
    }
}

fn row_html(r: &Row, now: i64, files: &str) -> String {
    let (due, late) = match r.due_at {
        Some(d) if r.answered_at.is_none() => {
            let (text, late) = countdown(d, now);
            (
                format!("<time datetime={}>{}</time>", iso_utc(d), esc(&text)),
                late,
            )
        }
        Some(d) => {
            let kept = r.answered_at.is_some_and(|a| a <= d);
            (
                format!(
                    "<span class={}>{}</span>",
                    if kept { "kept" } else { "overdue" },
                    if kept {
                        "answered — promise kept"
                    } else {
                        "answered late"
                    }
                ),
                false,
            )
        }
        None => ("no promise".into(), false),
    };
    let options: String = crate::store::STATUSES
        .iter()
        .map(|s| {
            format!(
                "<option value={s}{}>{}</option>",
                if *s == r.status { " selected" } else { "" },
                s.replace('_', " ")
            )
        })
        .collect();
    let contact = [r.email.as_deref(), r.phone.as_deref()]
        .into_iter()
        .flatten()
        .map(esc)
        .collect::<Vec<_>>()
        .join("<br>");
    format!(
        "<tr{}><td><code>{}</code><br><small>{}</small></td><td>{}</td><td class=msg>{}{files}</td><td>{}</td><td>{}</td>\
         <td><form class=inline method=post action=/admin/reports/{}><label for=s-{id}>Status</label><select id=s-{id} name=status>{options}</select>\
         <label for=r-{id}>Reply the visitor sees</label><textarea id=r-{id} name=reply maxlength=4000>{}</textarea><button>Save</button></form>\
         <form method=post action=/admin/reports/{id}/erase><button>Erase personal data</button></form></td></tr>",
        if late { " class=overdue" } else { "" },
        esc(&r.reference),
        esc(&r.category),
        due,
        esc(&r.message),
        contact,
        r.page_url.as_deref().map(esc).unwrap_or_default(),
        esc(&r.id),
        esc(r.reply.as_deref().unwrap_or("")),
        id = esc(&r.id),
    )
}

/// `?page=` of the admin page.
#[derive(Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    if live_session(&app, &headers).is_none() {
        return Ok(login_page(None, app.cfg.admin_token_sha256.is_some()).into_response());
    }
    let now = now_ms();
    let page = q.page.unwrap_or(1).max(1);
    let (open, overdue) = app.store.open_counts(now).await?;
    let rows = app
        .store
        .open_reports(PAGE_SIZE, (page - 1).saturating_mul(PAGE_SIZE))
        .await?;
    let notice = app.store.notice().await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let files = crate::attachments::for_reports(&app.store, &ids).await?;
    let described = crate::attachments::described(&app.store, &ids).await?;
    let body: String = rows
        .iter()
        .map(|r| {
            let stored = files.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            let cell = crate::attachments::cell(stored, described.get(&r.id).copied().unwrap_or(0));
            row_html(r, now, &cell)
        })
        .collect();
    // notify (issue 20): channel health.
    let health = crate::notify::health::section(&app, now).await?;
    let incidents = crate::incident::admin_html(&app).await?;
    let pages = open.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let mut nav = String::new();
    if page > 1 {
        nav.push_str(&format!(
            "<a href=\"/admin?page={}\">← newer due</a> ",
            page - 1
        ));
    }
    if u64::from(page) < pages {
        nav.push_str(&format!(
            "<a href=\"/admin?page={}\">later due →</a>",
            page + 1
        ));
    }
    let notice_title = notice
        .as_deref()
        .and_then(|n| serde_json::from_str::<serde_json::Value>(n).ok())
        .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(String::from))
        .unwrap_or_default();
    Ok(shell(
        "Reach Us inbox",
        &format!(
            "<h1>Reach Us inbox</h1>\
             <p>{open} open report(s), <strong{}>{overdue} overdue</strong>. Soonest due first, page {page} of {pages}. <a href=/admin>Reload</a></p>\
             <table><caption class=sr>Open reports</caption><thead><tr><th>Reference</th><th>Promise</th><th>Message</th><th>Contact</th><th>Page</th><th>Update</th></tr></thead><tbody>{body}</tbody></table>\
             <nav>{nav}</nav>{health}\
             <h2>Incident notice</h2><form class=inline method=post action=/admin/notice>\
             <label for=n-title>Title (empty clears the notice)</label><input id=n-title name=title value=\"{}\">\
             <label for=n-body>Details</label><textarea id=n-body name=body></textarea>\
             <label for=n-next>Next update by (RFC 3339, optional)</label><input id=n-next name=next_update_by placeholder=2026-11-23T15:00:00Z>\
             <button>Publish notice</button></form>{incidents}\
             <form method=post action=/admin/logout><button>Sign out</button></form>",
            if overdue > 0 { " class=overdue" } else { "" },
            esc(&notice_title),
        ),
    )
    .into_response())
}

#[derive(Deserialize)]
struct Login {
    token: String,
}

async fn login(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Login>,
) -> Response {
    let Some(hash) = app.cfg.admin_token_sha256.clone() else {
        return login_page(None, false).into_response();
    };
    let now = now_ms();
    if let Err(wait) = app.login_limiter.take(app.client_ip(peer, &headers), now) {
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            login_page(Some("Too many attempts; wait a minute."), true),
        )
            .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return r;
    }
    if !same_origin(&app, &headers) {
        return (
            StatusCode::FORBIDDEN,
            login_page(Some("Sign in from this inbox's own page."), true),
        )
            .into_response();
    }
    if !constant_time_eq(&sha256_hex(f.token.trim().as_bytes()), &hash) {
        return (
            StatusCode::UNAUTHORIZED,
            login_page(Some("That token is not right."), true),
        )
            .into_response();
    }
    let id = app.sessions.start(now);
    let mut r = Redirect::to("/admin").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        app.sessions.ttl_secs(),
        if app.cfg.https() { "; Secure" } else { "" }
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(s) = crate::auth::session(&headers) {
        app.sessions.end(&s);
    }
    let mut r = Redirect::to("/admin").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("ru_admin=; Path=/; Max-Age=0"),
    );
    r
}

#[derive(Deserialize)]
struct Update {
    status: String,
    reply: Option<String>,
}

async fn update(
    _: AdminForm,
    State(app): State<Shared>,
    Path(id): Path<String>,
    Form(f): Form<Update>,
) -> Result<Response, AppError> {
    crate::api::change_status(&app, &id, &f.status, f.reply.as_deref()).await?;
    Ok(Redirect::to("/admin").into_response())
}

async fn erase(
    _: AdminForm,
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::api::erase_report(&app, &id).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Deserialize)]
struct NoticeForm {
    title: String,
    body: Option<String>,
    next_update_by: Option<String>,
}

async fn notice(
    _: AdminForm,
    State(app): State<Shared>,
    Form(f): Form<NoticeForm>,
) -> Result<Response, AppError> {
    let text = if f.title.trim().is_empty() {
        None
    } else {
        let mut v = serde_json::json!({"title": f.title.trim(), "updated_at": iso_utc(now_ms())});
        if let Some(b) = f.body.filter(|b| !b.trim().is_empty()) {
            v["body"] = b.trim().into();
        }
        if let Some(n) = f.next_update_by.filter(|n| !n.trim().is_empty()) {
            if parse_iso(n.trim()).is_none() {
                return Err(AppError::invalid(
                    "invalid_notice",
                    "next_update_by",
                    "write an RFC 3339 time like 2026-11-23T15:00:00Z",
                ));
            }
            v["next_update_by"] = n.trim().into();
        }
        Some(
            crate::api::checked_notice(&v)
                .map_err(|e| AppError::invalid("invalid_notice", "notice", e))?,
        )
    };
    app.store.set_notice(text.as_deref()).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns() {
        let m = 60_000;
        assert_eq!(countdown(65 * m, 0), ("due in 1 h 5 min".into(), false));
        assert_eq!(countdown(0, 12 * m), ("overdue by 12 min".into(), true));
        assert_eq!(countdown(3 * 1440 * m + 61 * m, 0).0, "due in 3 d 1 h");
    }
}

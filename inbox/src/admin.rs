//! The admin page: server-rendered HTML, no build step, no script. The team logs in with
//! the admin token (only its SHA-256 is configured), sees open reports soonest-due first
//! with what is left or how late they are, and marks them in progress / answered /
//! resolved with a reply the visitor reads in the widget's "Your reports". Also sets the
//! incident notice. Session: a random id in an `HttpOnly; SameSite=Strict` cookie; form
//! posts must come from this origin.
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use reach_us_core::time::{iso_utc, parse_iso};
use serde::Deserialize;

use crate::store::Row;
use crate::util::{constant_time_eq, esc, now_ms, random_id, sha256_hex};
use crate::web::{blocking, Shared};

const COOKIE: &str = "ru_admin";

/// The admin routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/login", post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/reports/{id}", post(update))
        .route("/admin/notice", post(notice))
}

/// The session id in the request's cookie, if any.
pub fn session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE && v.len() == 32).then(|| v.to_string())
        })
}

/// A state-changing form post must come from a page of this origin (or a client that
/// sends no `Origin` at all, which is not a browser's cross-site form).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin.split_once("://").is_some_and(|(_, h)| h == host)
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;max-width:72rem;color:#1a1a1a}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.45rem;text-align:left;vertical-align:top}\
.msg{white-space:pre-wrap;max-width:28rem}.overdue{color:#a00000;font-weight:600}.kept{color:#0a6b2d}\
textarea{width:100%;min-height:3rem}form.inline{display:grid;gap:.3rem}label{font-weight:600}";

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

fn row_html(r: &Row, now: i64) -> String {
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
        "<tr{}><td><code>{}</code><br><small>{}</small></td><td>{}</td><td class=msg>{}</td><td>{}</td><td>{}</td>\
         <td><form class=inline method=post action=/admin/reports/{}><label for=s-{id}>Status</label><select id=s-{id} name=status>{options}</select>\
         <label for=r-{id}>Reply the visitor sees</label><textarea id=r-{id} name=reply maxlength=4000>{}</textarea><button>Save</button></form></td></tr>",
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

async fn page(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if !app.is_admin(&headers) {
        return login_page(None, app.cfg.admin_token_sha256.is_some()).into_response();
    }
    let now = now_ms();
    let (rows, notice) = match blocking(&app, |s| Ok((s.open_reports(500)?, s.notice()?))).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    };
    let overdue = rows
        .iter()
        .filter(|r| r.answered_at.is_none() && r.due_at.is_some_and(|d| d < now))
        .count();
    let body: String = rows.iter().map(|r| row_html(r, now)).collect();
    let notice_title = notice
        .as_deref()
        .and_then(|n| serde_json::from_str::<serde_json::Value>(n).ok())
        .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(String::from))
        .unwrap_or_default();
    shell(
        "Reach Us inbox",
        &format!(
            "<meta http-equiv=refresh content=30><h1>Reach Us inbox</h1>\
             <p>{} open report(s), <strong{}>{overdue} overdue</strong>. Soonest due first; this page refreshes every 30 s.</p>\
             <table><caption class=sr>Open reports</caption><thead><tr><th>Reference</th><th>Promise</th><th>Message</th><th>Contact</th><th>Page</th><th>Update</th></tr></thead><tbody>{body}</tbody></table>\
             <h2>Incident notice</h2><form class=inline method=post action=/admin/notice>\
             <label for=n-title>Title (empty clears the notice)</label><input id=n-title name=title value=\"{}\">\
             <label for=n-body>Details</label><textarea id=n-body name=body></textarea>\
             <label for=n-next>Next update by (RFC 3339, optional)</label><input id=n-next name=next_update_by placeholder=2026-11-23T15:00:00Z>\
             <button>Publish notice</button></form>\
             <form method=post action=/admin/logout><button>Sign out</button></form>",
            rows.len(),
            if overdue > 0 { " class=overdue" } else { "" },
            esc(&notice_title),
        ),
    )
    .into_response()
}

#[derive(Deserialize)]
struct Login {
    token: String,
}

async fn login(
    State(app): State<Shared>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Login>,
) -> Response {
    let Some(hash) = app.cfg.admin_token_sha256.clone() else {
        return login_page(None, false).into_response();
    };
    if app
        .limiter
        .take(app.client_ip(peer, &headers), now_ms())
        .is_err()
    {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            login_page(Some("Too many attempts; wait a minute."), true),
        )
            .into_response();
    }
    if !same_origin(&headers) || !constant_time_eq(&sha256_hex(f.token.trim().as_bytes()), &hash) {
        return (
            StatusCode::UNAUTHORIZED,
            login_page(Some("That token is not right."), true),
        )
            .into_response();
    }
    let id = random_id();
    app.sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.clone());
    let mut r = Redirect::to("/admin").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(s) = session(&headers) {
        app.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&s);
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
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Update>,
) -> Response {
    if !app.is_admin(&headers) || !same_origin(&headers) {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    }
    if !crate::store::STATUSES.contains(&f.status.as_str())
        || f.reply.as_ref().is_some_and(|r| r.chars().count() > 4000)
    {
        return (StatusCode::BAD_REQUEST, "unknown status or reply too long").into_response();
    }
    let now = now_ms();
    match blocking(&app, move |s| {
        s.set_status(&id, &f.status, f.reply.as_deref(), now)
    })
    .await
    {
        Ok(true) => Redirect::to("/admin").into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "no such report").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct NoticeForm {
    title: String,
    body: Option<String>,
    next_update_by: Option<String>,
}

async fn notice(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<NoticeForm>,
) -> Response {
    if !app.is_admin(&headers) || !same_origin(&headers) {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    }
    let text = if f.title.trim().is_empty() {
        None
    } else {
        let mut v = serde_json::json!({"title": f.title.trim(), "updated_at": iso_utc(now_ms())});
        if let Some(b) = f.body.filter(|b| !b.trim().is_empty()) {
            v["body"] = b.trim().into();
        }
        if let Some(n) = f.next_update_by.filter(|n| !n.trim().is_empty()) {
            if parse_iso(n.trim()).is_none() {
                return (
                    StatusCode::BAD_REQUEST,
                    "next update: write an RFC 3339 time like 2026-11-23T15:00:00Z",
                )
                    .into_response();
            }
            v["next_update_by"] = n.trim().into();
        }
        match crate::web::checked_notice(&v) {
            Ok(t) => Some(t),
            Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
        }
    };
    match blocking(&app, move |s| s.set_notice(text.as_deref())).await {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
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

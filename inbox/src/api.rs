//! The JSON routes: the widget's protocol and the admin API (token only, see
//! [`crate::auth`]).
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /v1/reports` | widget | store a `reach-us/v1` report (idempotent by `Idempotency-Key`) |
//! | `GET /v1/reports/{id}/status` | widget | `{status, due_at, answered_at?, reply?}` |
//! | `GET /v1/track-record` | widget | kept ratio and median first answer over the window (cached briefly) |
//! | `GET /v1/notice` | widget | the incident notice, or 204 |
//! | `PUT`/`DELETE /v1/notice` | admin | set / clear it |
//! | `GET /v1/reports` | admin | every report, newest first, paged (`Link: rel="next"`) |
//! | `POST /v1/reports/{id}/status` | admin | `{status, reply?}` |
//! | `DELETE /v1/reports/{id}` | admin | erase the report's personal data |
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use reach_us_core::time::iso_utc;
use serde_json::{json, Value};

use crate::auth::Admin;
use crate::error::AppError;
use crate::report::{self, valid_id};
use crate::state::{App, Shared};
use crate::store::{Insert, NewReport, Row};
use crate::util::{now_ms, sha256_hex};

/// Largest body accepted (the widget's own limit, from core).
pub const MAX_BODY: usize = reach_us_core::defaults::MAX_REPORT_BYTES;

/// Removes a key from the in-flight set when the request ends, however it ends.
struct InFlight<'a>(&'a Mutex<HashSet<String>>, String);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.1);
    }
}

fn json_text(status: StatusCode, text: String, replayed: bool) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], text).into_response();
    if replayed {
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    r
}

/// `POST /v1/reports` with a JSON body, or the `report` part of a multipart one (the
/// route is [`crate::attachments::create`], which also stores the files).
pub async fn accept(
    app: &App,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    let now = now_ms();
    app.limiter
        .take(app.client_ip(peer, headers), now)
        .map_err(AppError::RateLimited)?;
    let raw: Value =
        serde_json::from_str(&body).map_err(|_| AppError::report("body", "must be JSON"))?;
    let s = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("");
    // The honeypot: a field people never see. A bot that fills it is told "thanks".
    if !s(report::HONEYPOT).trim().is_empty() {
        return Ok((
            StatusCode::CREATED,
            Json(json!({"id": s("id"), "reference": s("reference")})),
        )
            .into_response());
    }
    let checked = report::check(&raw, &app.cfg)?;
    let id = checked.id.clone();
    match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) if k == id => {}
        Some(_) => {
            return Err(AppError::report(
                "Idempotency-Key",
                "must equal the report id",
            ))
        }
        None => return Err(AppError::report("Idempotency-Key", "header is required")),
    }
    let _guard = {
        let mut set = app.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(id.clone()) {
            return Err(AppError::InProgress);
        }
        InFlight(&app.inflight, id.clone())
    };
    // The promise clock starts at the server's receipt (the browser's time only within a
    // small skew): a backdated report cannot arrive overdue.
    let start = report::clock_start(checked.created_at, now);
    // The live promise: the configured one, or longer when the backlog needs it. The due
    // time stored, answered (and shown on the receipt) and counted is this one.
    let live = crate::surge::promise(&app, &checked.category, start).await?;
    let due_at = live.map(|(_, d)| d);
    let response = json!({
        "id": id,
        "reference": checked.reference,
        "accepted_at": iso_utc(now),
        "due_at": due_at.map(iso_utc),
        "respond_within_minutes": live.map(|(m, _)| m),
        "status_url": format!("{}/v1/reports/{id}/status", app.cfg.public_url),
    });
    let new = NewReport {
        row: Row {
            id: id.clone(),
            reference: checked.reference,
            category: checked.category,
            message: checked.message,
            email: checked.email,
            phone: checked.phone,
            page_url: checked.page_url,
            created_at: start,
            accepted_at: now,
            due_at,
            status: "received".into(),
            answered_at: None,
            reply: None,
        },
        // Replay vs conflict is decided on the body as sent; the cleaned one is stored.
        body_sha: sha256_hex(body.as_bytes()),
        body: checked.body.to_string(),
        response: response.to_string(),
    };
    // notify (issue 20): the report's notifications, in the same transaction.
    let jobs = crate::notify::jobs_for_new(&app.cfg, &new.row);
    let inserted = app.store.insert_with(&new, jobs).await?;
    if !matches!(inserted, Insert::Conflict) {
        // "Yes, same problem": linked to the incident in force (a replay links once).
        crate::incident::link(&app, &id, &raw).await?;
    }
    match inserted {
        Insert::Created(r) => {
            app.notify_wake.notify_one();
            Ok(json_text(StatusCode::CREATED, r, false))
        }
        Insert::Replay(r) => Ok(json_text(StatusCode::CREATED, r, true)),
        Insert::Conflict => Err(AppError::IdempotencyConflict),
    }
}

/// The status JSON of a row.
pub fn status_json(r: &Row) -> Value {
    let mut v = json!({"id": r.id, "reference": r.reference, "status": r.status, "due_at": r.due_at.map(iso_utc)});
    if let Some(a) = r.answered_at {
        v["answered_at"] = json!(iso_utc(a));
    }
    if let Some(reply) = &r.reply {
        v["reply"] = json!(reply);
    }
    v
}

/// `GET /v1/reports/{id}/status`.
pub async fn status(
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !valid_id(&id) {
        return Err(AppError::NotFound);
    }
    let r = app.store.get(&id).await?.ok_or(AppError::NotFound)?;
    let mut resp = Json(status_json(&r)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The track record now (one pass over the window's promised reports).
pub async fn compute_track_record(app: &App) -> Result<Value, AppError> {
    let now = now_ms();
    let days = app.cfg.track_window_days;
    let since = now - i64::from(days) * 86_400_000;
    let (rows, spam) = app.store.promised_since(since).await?;
    let (kept, total, median) = crate::store::track_record(&rows, now);
    let ratio = if total == 0 {
        0.0
    } else {
        f64::from(kept) / f64::from(total)
    };
    // Spam is not counted, but how much of it there was is published: dismissing a broken
    // promise as spam shows.
    Ok(
        json!({"window_days": days, "kept_ratio": ratio, "median_reply_minutes": median, "total": total, "kept": kept, "spam": spam}),
    )
}

/// `GET /v1/track-record`: computed at most once per `INBOX_TRACK_CACHE_SECS` per process
/// (concurrent pollers wait for the one computation), and again at once after this process
/// changed a status. Browsers are told `no-cache`: a visitor who reopens the widget after
/// an answer must not be shown the record from before it out of their own HTTP cache.
pub async fn track_record(State(app): State<Shared>) -> Result<Response, AppError> {
    let ttl = Duration::from_secs(u64::from(app.cfg.track_cache_secs));
    let value = {
        let mut slot = app.track.lock().await;
        let generation = app.track_generation.load(Ordering::Acquire);
        match &*slot {
            Some((at, g, v)) if at.elapsed() < ttl && *g == generation => v.clone(),
            _ => {
                let v = compute_track_record(&app).await?;
                *slot = Some((Instant::now(), generation, v.clone()));
                v
            }
        }
    };
    // The live promise rides along (not cached with the record: the backlog moves).
    let mut value = value;
    value["surge"] = crate::surge::published(&app).await?;
    let mut resp = Json(value).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// `GET /v1/notice`.
pub async fn notice(State(app): State<Shared>) -> Result<Response, AppError> {
    Ok(match app.store.notice().await? {
        Some(n) => json_text(StatusCode::OK, n, false),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Check a notice with the widget's own reader; the canonical JSON to store.
pub fn checked_notice(v: &Value) -> Result<String, String> {
    reach_us_core::receipts::Notice::from_value("notice", &crate::util::value(v))
        .map_err(|e| e.to_string())?;
    Ok(v.to_string())
}

/// A request body must be declared JSON (a browser cannot send that cross-site without
/// a CORS preflight).
fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if ok {
        Ok(())
    } else {
        Err(AppError::NotJson)
    }
}

/// `PUT /v1/notice` (admin).
pub async fn put_notice(
    _: Admin,
    State(app): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    require_json(&headers)?;
    let text = serde_json::from_str::<Value>(&body)
        .map_err(|e| e.to_string())
        .and_then(|v| checked_notice(&v))
        .map_err(|e| AppError::invalid("invalid_notice", "notice", e))?;
    app.store.set_notice(Some(&text)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /v1/notice` (admin).
pub async fn delete_notice(_: Admin, State(app): State<Shared>) -> Result<Response, AppError> {
    app.store.set_notice(None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Paging of `GET /v1/reports`.
#[derive(serde::Deserialize)]
pub struct ListQuery {
    /// Rows per page, 1–1000 (default 500).
    limit: Option<u32>,
    /// The cursor from the previous page's `Link` (`<accepted_at ms>.<id>`).
    after: Option<String>,
}

/// `GET /v1/reports` (admin): newest first, `limit` rows; when the page is full, a
/// `Link: </v1/reports?limit=…&after=…>; rel="next"` header to the next.
pub async fn list(
    _: Admin,
    State(app): State<Shared>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            c.split_once('.')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_string())))
                .filter(|(_, id)| valid_id(id))
                .ok_or_else(|| {
                    AppError::invalid("invalid_cursor", "after", "use the Link header's URL")
                })?,
        ),
    };
    let rows = app.store.list(limit, after).await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            format!(
                "</v1/reports?limit={limit}&after={}.{}>; rel=\"next\"",
                r.accepted_at, r.id
            )
        });
    let mut resp = Json(
        rows.iter()
            .map(|r| {
                let mut v = status_json(r);
                v["category"] = json!(r.category);
                v["message"] = json!(r.message);
                v["created_at"] = json!(iso_utc(r.created_at));
                v["accepted_at"] = json!(iso_utc(r.accepted_at));
                v
            })
            .collect::<Vec<_>>(),
    )
    .into_response();
    if let Some(link) = next.and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert(header::LINK, link);
    }
    Ok(resp)
}

#[derive(serde::Deserialize)]
struct StatusChange {
    status: String,
    reply: Option<String>,
}

/// Check a status change (API and form); the reply, trimmed of nothing.
pub fn check_status(status: &str, reply: Option<&str>) -> Result<(), AppError> {
    if !crate::store::STATUSES.contains(&status) {
        return Err(AppError::invalid(
            "invalid_status",
            "status",
            "must be received, in_progress, answered, resolved or spam",
        ));
    }
    if reply.is_some_and(|r| r.chars().count() > reach_us_core::defaults::MAX_REPLY_CHARS) {
        return Err(AppError::invalid(
            "invalid_status",
            "reply",
            format!(
                "is longer than {} characters",
                reach_us_core::defaults::MAX_REPLY_CHARS
            ),
        ));
    }
    Ok(())
}

/// Check and apply a status change (the JSON API and the admin page's form alike); the
/// track record is recomputed on its next read. `NotFound` for an unknown report.
pub async fn change_status(
    app: &App,
    id: &str,
    status: &str,
    reply: Option<&str>,
) -> Result<(), AppError> {
    check_status(status, reply)?;
    // notify (issue 20): the reply mail is queued before the change (see `reply_job`).
    let now = now_ms();
    if app.cfg.notify.visitor_mail {
        if let Some(row) = app.store.get(id).await? {
            if let Some(job) = crate::notify::reply_job(&app.cfg, &row, status, reply, now) {
                crate::notify::queue::enqueue(&app.store, &[job]).await?;
            }
        }
    }
    let changed = app.store.set_status(id, status, reply, now).await?;
    app.notify_wake.notify_one();
    app.track_changed();
    if !changed {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// `POST /v1/reports/{id}/status` (admin).
pub async fn set_status(
    _: Admin,
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    require_json(&headers)?;
    let change: StatusChange = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("invalid_status", "body", e.to_string()))?;
    change_status(&app, &id, &change.status, change.reply.as_deref()).await?;
    let r = app.store.get(&id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(status_json(&r)).into_response())
}

/// `DELETE /v1/reports/{id}` (admin): erase the report's personal data (message, contact,
/// page, stored body, reply). Its id, reference, category, status and times stay, so it
/// still counts in the track record.
pub async fn erase(
    _: Admin,
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    erase_report(&app, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Erase one report's personal data (the JSON API and the admin page's form alike);
/// `NotFound` for an unknown report.
pub async fn erase_report(app: &App, id: &str) -> Result<(), AppError> {
    if !app.store.erase(id, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    crate::attachments::erase(app, id).await?;
    // notify (issue 20): a queued reply's text goes too.
    crate::notify::queue::erase(&app.store, id).await?;
    Ok(())
}

/// Erase the personal data of reports older than `INBOX_RETENTION_DAYS` (0: none); how
/// many. `main` runs it at start and hourly.
pub async fn purge_expired(app: &App) -> Result<u64, AppError> {
    if app.cfg.retention_days == 0 {
        return Ok(0);
    }
    let now = now_ms();
    let before = now - i64::from(app.cfg.retention_days) * 86_400_000;
    let erased = app.store.erase_before(before, now).await?;
    crate::attachments::erase_before(app, before).await?;
    // notify (issue 20): queued replies' texts too.
    crate::notify::queue::erase_before(&app.store, before).await?;
    Ok(erased)
}

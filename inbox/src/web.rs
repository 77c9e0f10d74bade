//! HTTP: the widget's protocol and the admin API.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /v1/reports` | widget | store a `reach-us/v1` report (idempotent by `Idempotency-Key`) |
//! | `GET /v1/reports/{id}/status` | widget | `{status, due_at, answered_at?, reply?}` |
//! | `GET /v1/track-record` | widget | kept ratio and median first answer over the window |
//! | `GET /v1/notice` | widget | the incident notice, or 204 |
//! | `PUT`/`DELETE /v1/notice` | admin | set / clear it |
//! | `GET /v1/reports` | admin | every report (JSON) |
//! | `POST /v1/reports/{id}/status` | admin | `{status, reply?}` |
//! | `/admin` | team | the admin page ([`crate::admin`]) |
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reach_us_core::defaults::SCHEMA;
use reach_us_core::time::{iso_utc, parse_iso};
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::InboxConfig;
use crate::limit::Limiter;
use crate::store::{Insert, NewReport, Row, Store, StoreError};
use crate::util::{constant_time_eq, now_ms, sha256_hex};

/// Largest body accepted (the widget's own limit).
pub const MAX_BODY: usize = 64 * 1024;
/// Longest message, characters (the widget's ceiling).
pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// Shared state of the handlers.
pub struct App {
    /// Storage.
    pub store: Arc<Store>,
    /// Configuration.
    pub cfg: InboxConfig,
    /// Per-IP limit for reports and logins.
    pub limiter: Limiter,
    /// Keys whose POST is being processed (a second one meanwhile gets 409).
    pub inflight: Mutex<HashSet<String>>,
    /// Admin sessions (cookie values).
    pub sessions: Mutex<HashSet<String>>,
}

/// Shared state.
pub type Shared = Arc<App>;

impl App {
    /// New state.
    pub fn new(store: Arc<Store>, cfg: InboxConfig) -> Shared {
        let limiter = Limiter::new(cfg.rate_per_min, cfg.rate_burst);
        Arc::new(App {
            store,
            cfg,
            limiter,
            inflight: Mutex::default(),
            sessions: Mutex::default(),
        })
    }

    /// The `Authorization: Bearer <token>` or admin session cookie checks out.
    pub fn is_admin(&self, headers: &HeaderMap) -> bool {
        let Some(hash) = self.cfg.admin_token_sha256.as_deref() else {
            return false;
        };
        if let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return constant_time_eq(&sha256_hex(token.trim().as_bytes()), hash);
        }
        crate::admin::session(headers).is_some_and(|s| {
            self.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&s)
        })
    }

    /// The client's IP (the proxy's `X-Forwarded-For` when trusted).
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if self.cfg.trust_proxy {
            if let Some(ip) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|s| s.trim().parse().ok())
            {
                return ip;
            }
        }
        peer.ip()
    }
}

/// Run storage work off the async threads.
pub async fn blocking<T: Send + 'static>(
    app: &Shared,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| StoreError(e.to_string()))?
}

/// The router (serve it with `into_make_service_with_connect_info::<SocketAddr>()`).
pub fn router(app: Shared) -> Router {
    let origins = &app.cfg.allow_origins;
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    let cors = CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // Without this a browser cannot read `Retry-After` on a cross-origin 429/503.
        .expose_headers([header::RETRY_AFTER]);
    // One table: the widget's routes (POST report, GET status/track record/notice) and the
    // admin API's (token) share paths, told apart by method. CORS only lets browsers on the
    // allowed origins use GET and POST; the admin API is for tools holding the token.
    Router::new()
        .route("/v1/reports", post(create).get(list))
        .route("/v1/reports/{id}/status", get(status).post(set_status))
        .route("/v1/track-record", get(track_record))
        .route(
            "/v1/notice",
            get(notice).put(put_notice).delete(delete_notice),
        )
        .merge(crate::admin::routes())
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/admin") }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(cors)
        .with_state(app)
}

/// A JSON error: `{"error", "field"?, "message"}`.
pub fn error(status: StatusCode, code: &str, field: Option<&str>, message: &str) -> Response {
    let mut body = json!({"error": code, "message": message});
    if let Some(f) = field {
        body["field"] = json!(f);
    }
    (status, Json(body)).into_response()
}

fn bad(field: &str, message: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_report",
        Some(field),
        message,
    )
}

fn unavailable(e: StoreError) -> Response {
    eprintln!("inbox: {e}");
    let mut r = error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        None,
        "try again shortly",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn valid_id(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Fields other than these are refused: a typo'd field is a bug worth seeing.
const REPORT_FIELDS: [&str; 14] = [
    "schema",
    "id",
    "reference",
    "created_at",
    "category",
    "message",
    "contact",
    "promise",
    "page",
    "locale",
    "timezone",
    "client",
    "user",
    "website",
];

/// Check a report body; the first problem, naming its field.
fn validate(report: &Value, cfg: &InboxConfig) -> Result<(), (&'static str, String)> {
    let Value::Object(map) = report else {
        return Err(("body", "must be a JSON object".into()));
    };
    if let Some(k) = map.keys().find(|k| !REPORT_FIELDS.contains(&k.as_str())) {
        return Err(("body", format!("has an unknown field {k:?}")));
    }
    if str_at(report, "/schema") != Some(SCHEMA) {
        return Err(("schema", format!("must be {SCHEMA:?}")));
    }
    if !str_at(report, "/id").is_some_and(valid_id) {
        return Err((
            "id",
            "must be 8 to 64 characters of letters, digits and -".into(),
        ));
    }
    match str_at(report, "/message") {
        Some(m) if m.trim().is_empty() => return Err(("message", "is empty".into())),
        Some(m) if m.chars().count() > MAX_MESSAGE_CHARS => {
            return Err((
                "message",
                format!("is longer than {MAX_MESSAGE_CHARS} characters"),
            ))
        }
        Some(_) => {}
        None => return Err(("message", "must be a string".into())),
    }
    let category = str_at(report, "/category").unwrap_or("");
    let category_ok = (1..=40).contains(&category.len())
        && category
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !category_ok {
        return Err((
            "category",
            "must be 1–40 characters of a-z, 0-9, _ or -".into(),
        ));
    }
    if let Some(w) = &cfg.widget {
        if !w.categories.iter().any(|c| c.id == category) {
            return Err((
                "category",
                format!("{category:?} is not one of this brand's categories"),
            ));
        }
    }
    if str_at(report, "/created_at").is_none_or(|t| parse_iso(t).is_none()) {
        return Err(("created_at", "must be an RFC 3339 UTC time".into()));
    }
    match str_at(report, "/reference") {
        Some(r) if !r.is_empty() && r.chars().count() <= 64 && !r.chars().any(char::is_control) => {
        }
        _ => return Err(("reference", "must be 1–64 printable characters".into())),
    }
    for (ptr, field, max) in [
        ("/contact/email", "contact.email", 254),
        ("/contact/phone", "contact.phone", 40),
        ("/page/url", "page.url", 2048),
    ] {
        match report.pointer(ptr) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.chars().count() <= max => {}
            Some(_) => {
                return Err((
                    field,
                    format!("must be a string of at most {max} characters"),
                ))
            }
        }
    }
    Ok(())
}

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

async fn create(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let now = now_ms();
    if let Err(wait) = app.limiter.take(app.client_ip(peer, &headers), now) {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            None,
            "too many reports from this address; try again later",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return r;
    }
    let report: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(_) => return bad("body", "must be JSON"),
    };
    // The honeypot: a field people never see. A bot that fills it is told "thanks".
    if str_at(&report, "/website").is_some_and(|w| !w.trim().is_empty()) {
        return (StatusCode::CREATED, Json(json!({"id": str_at(&report, "/id").unwrap_or(""), "reference": str_at(&report, "/reference").unwrap_or("")}))).into_response();
    }
    if let Err((field, message)) = validate(&report, &app.cfg) {
        return bad(field, &message);
    }
    let id = str_at(&report, "/id").unwrap_or_default().to_string();
    match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) if k == id => {}
        Some(_) => return bad("Idempotency-Key", "must equal the report id"),
        None => return bad("Idempotency-Key", "header is required"),
    }
    let _guard = {
        let mut set = app.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(id.clone()) {
            let mut r = error(
                StatusCode::CONFLICT,
                "in_progress",
                None,
                "this Idempotency-Key is being processed; retry shortly",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
        InFlight(&app.inflight, id.clone())
    };
    // The promise clock starts when the visitor saved the report, unless the browser's
    // clock is implausible (ahead of ours, or older than any retention).
    let claimed = str_at(&report, "/created_at")
        .and_then(parse_iso)
        .unwrap_or(now);
    let start = if claimed > now + 5 * 60_000 || claimed < now - 31 * 86_400_000 {
        now
    } else {
        claimed
    };
    let category = str_at(&report, "/category").unwrap_or_default().to_string();
    let due_at = app
        .cfg
        .widget
        .as_ref()
        .and_then(|w| crate::due::due(w, &category, start));
    let reference = str_at(&report, "/reference")
        .unwrap_or_default()
        .to_string();
    let response = json!({
        "id": id,
        "reference": reference,
        "accepted_at": iso_utc(now),
        "due_at": due_at.map(iso_utc),
        "status_url": format!("{}/v1/reports/{id}/status", app.cfg.public_url),
    });
    let new = NewReport {
        row: Row {
            id: id.clone(),
            reference,
            category,
            message: str_at(&report, "/message").unwrap_or_default().to_string(),
            email: str_at(&report, "/contact/email").map(String::from),
            phone: str_at(&report, "/contact/phone").map(String::from),
            page_url: str_at(&report, "/page/url").map(String::from),
            created_at: start,
            accepted_at: now,
            due_at,
            status: "received".into(),
            answered_at: None,
            reply: None,
        },
        body_sha: sha256_hex(body.as_bytes()),
        body,
        response: response.to_string(),
    };
    match blocking(&app, move |s| s.insert(&new)).await {
        Ok(Insert::Created(r)) => json_text(StatusCode::CREATED, r, false),
        Ok(Insert::Replay(r)) => json_text(StatusCode::CREATED, r, true),
        Ok(Insert::Conflict) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_conflict",
            Some("Idempotency-Key"),
            "this key was used with a different body",
        ),
        Err(e) => unavailable(e),
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

async fn status(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    if !valid_id(&id) {
        return error(StatusCode::NOT_FOUND, "not_found", None, "no such report");
    }
    match blocking(&app, move |s| s.get(&id)).await {
        Ok(Some(r)) => {
            let mut resp = Json(status_json(&r)).into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", None, "no such report"),
        Err(e) => unavailable(e),
    }
}

async fn track_record(State(app): State<Shared>) -> Response {
    let now = now_ms();
    let days = app.cfg.track_window_days;
    let since = now - i64::from(days) * 86_400_000;
    match blocking(&app, move |s| s.promised_since(since)).await {
        Ok(rows) => {
            let (kept, total, median) = crate::store::track_record(&rows, now);
            let ratio = if total == 0 {
                0.0
            } else {
                f64::from(kept) / f64::from(total)
            };
            Json(json!({"window_days": days, "kept_ratio": ratio, "median_reply_minutes": median, "total": total, "kept": kept})).into_response()
        }
        Err(e) => unavailable(e),
    }
}

async fn notice(State(app): State<Shared>) -> Response {
    match blocking(&app, |s| s.notice()).await {
        Ok(Some(n)) => json_text(StatusCode::OK, n, false),
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => unavailable(e),
    }
}

fn forbidden() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        None,
        "admin token required (Authorization: Bearer …)",
    )
}

/// Check a notice with the widget's own reader; the canonical JSON to store.
pub fn checked_notice(v: &Value) -> Result<String, String> {
    reach_us_core::receipts::Notice::from_value("notice", &crate::util::value(v))
        .map_err(|e| e.to_string())?;
    Ok(v.to_string())
}

async fn put_notice(State(app): State<Shared>, headers: HeaderMap, body: String) -> Response {
    if !app.is_admin(&headers) {
        return forbidden();
    }
    let text = match serde_json::from_str::<Value>(&body)
        .map_err(|e| e.to_string())
        .and_then(|v| checked_notice(&v))
    {
        Ok(t) => t,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_notice",
                Some("notice"),
                &e,
            )
        }
    };
    match blocking(&app, move |s| s.set_notice(Some(&text))).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => unavailable(e),
    }
}

async fn delete_notice(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if !app.is_admin(&headers) {
        return forbidden();
    }
    match blocking(&app, |s| s.set_notice(None)).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => unavailable(e),
    }
}

async fn list(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if !app.is_admin(&headers) {
        return forbidden();
    }
    match blocking(&app, |s| s.all(100_000)).await {
        Ok(rows) => Json(
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
        .into_response(),
        Err(e) => unavailable(e),
    }
}

#[derive(serde::Deserialize)]
struct StatusChange {
    status: String,
    reply: Option<String>,
}

async fn set_status(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: String,
) -> Response {
    if !app.is_admin(&headers) {
        return forbidden();
    }
    let change: StatusChange = match serde_json::from_str(&body) {
        Ok(c) => c,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_status",
                Some("body"),
                &e.to_string(),
            )
        }
    };
    if !crate::store::STATUSES.contains(&change.status.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_status",
            Some("status"),
            "must be received, in_progress, answered or resolved",
        );
    }
    if change
        .reply
        .as_ref()
        .is_some_and(|r| r.chars().count() > 4000)
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_status",
            Some("reply"),
            "is longer than 4000 characters",
        );
    }
    let now = now_ms();
    let id2 = id.clone();
    match blocking(&app, move |s| {
        s.set_status(&id2, &change.status, change.reply.as_deref(), now)
            .and_then(|ok| if ok { s.get(&id2) } else { Ok(None) })
    })
    .await
    {
        Ok(Some(r)) => Json(status_json(&r)).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", None, "no such report"),
        Err(e) => unavailable(e),
    }
}

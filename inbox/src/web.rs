//! HTTP: `POST /v1/reports`, `GET /v1/reports` (JSON list) and `GET /` (what arrived, as HTML).
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reach_us_core::defaults::SCHEMA;
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::store::{Insert, Store};

/// Largest body accepted.
const MAX_BODY: usize = 64 * 1024;

/// The router.
pub fn router(store: Arc<Store>, origins: &str) -> Router {
    let allow = if origins.trim() == "*" {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.split(',').filter_map(|o| HeaderValue::from_str(o.trim()).ok()))
    };
    let cors = CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::HeaderName::from_static("idempotency-key")]);
    Router::new()
        .route("/", get(index))
        .route("/v1/reports", post(create).get(list))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(cors)
        .with_state(store)
}

fn bad(field: &str, problem: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_report", "field": field, "message": problem}))).into_response()
}

fn str_field<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field).and_then(Value::as_str)
}

async fn create(State(store): State<Arc<Store>>, headers: HeaderMap, body: String) -> Response {
    let report: Value = match serde_json::from_str(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return bad("body", "must be a JSON object"),
    };
    if str_field(&report, "schema") != Some(SCHEMA) {
        return bad("schema", "must be \"reach-us/v1\"");
    }
    let Some(id) = str_field(&report, "id").filter(|s| (8..=64).contains(&s.len())) else {
        return bad("id", "must be a string of 8 to 64 characters");
    };
    match str_field(&report, "message") {
        Some(m) if !m.trim().is_empty() => {}
        _ => return bad("message", "must be a non-empty string"),
    }
    let key = match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) if k == id => k.to_string(),
        Some(_) => return bad("Idempotency-Key", "must equal the report id"),
        None => return bad("Idempotency-Key", "header is required"),
    };
    let accepted_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| reach_us_core::time::iso_utc(d.as_millis() as i64))
        .unwrap_or_default();
    let response = json!({
        "id": id,
        "reference": str_field(&report, "reference").unwrap_or(id),
        "accepted_at": accepted_at,
        "due_at": report.get("promise").and_then(|p| p.get("due_at")).cloned().unwrap_or(Value::Null),
    });
    match store.insert(&key, report, response).await {
        Ok(Insert::Created(s)) => (StatusCode::CREATED, Json(s.response)).into_response(),
        Ok(Insert::Replay(s)) => (StatusCode::OK, Json(s.response)).into_response(),
        Ok(Insert::Conflict) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "idempotency_conflict", "message": "this Idempotency-Key was used with a different body"})),
        )
            .into_response(),
        Err(e) => {
            eprintln!("inbox: storing failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"error": "storage_unavailable"}))).into_response()
        }
    }
}

async fn list(State(store): State<Arc<Store>>) -> Response {
    let all: Vec<Value> = store.all().await.into_iter().map(|s| s.report).collect();
    Json(all).into_response()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

async fn index(State(store): State<Arc<Store>>) -> Html<String> {
    let all = store.all().await;
    let mut rows = String::new();
    for s in &all {
        let r = &s.report;
        let g = |p: &str| r.pointer(p).and_then(Value::as_str).unwrap_or("");
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=msg>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            esc(g("/reference")),
            esc(g("/created_at")),
            esc(g("/category")),
            esc(g("/message")),
            esc(g("/contact/email")),
            esc(g("/contact/phone")),
            esc(g("/promise/due_at")),
            esc(g("/page/url")),
        ));
    }
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta http-equiv=refresh content=5>\
         <meta name=viewport content='width=device-width,initial-scale=1'><title>Reach Us inbox</title>\
         <style>body{{font:15px/1.4 system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}}.msg{{white-space:pre-wrap;max-width:30rem}}</style>\
         </head><body><h1>Reach Us inbox</h1><p>{} report(s). This page refreshes every 5 s.</p>\
         <table><thead><tr><th>Reference</th><th>Created</th><th>Category</th><th>Message</th><th>Contact</th><th>Due</th><th>Page</th></tr></thead>\
         <tbody>{}</tbody></table></body></html>",
        all.len(),
        rows
    ))
}

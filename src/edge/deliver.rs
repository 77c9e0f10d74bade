//! One delivery attempt: `POST` the report as JSON with its `Idempotency-Key`, with a
//! timeout. Any 2xx is acceptance; a JSON answer may carry the server's `reference`.
use std::cell::Cell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use js_sys::{Reflect, JSON};
use reach_us_core::outbox::{self, Outcome};
use reach_us_core::payload::Report;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use crate::error::SendError;

/// The report as a plain JS object (the `submit` event's detail).
pub fn to_js(report: &Report) -> JsValue {
    report.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// The report as the JSON text that is sent.
pub fn encode(report: &Report) -> Result<String, SendError> {
    let value = report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| SendError::Encode(e.to_string()))?;
    JSON::stringify(&value)
        .map(String::from)
        .map_err(|_| SendError::Encode("JSON.stringify failed".into()))
}

/// A server reference is kept only if it is short and printable.
fn sane_reference(v: JsValue) -> Option<String> {
    let s = v.as_string()?;
    let s = s.trim();
    (!s.is_empty() && s.chars().count() <= 64 && !s.chars().any(char::is_control)).then(|| s.to_string())
}

/// `fetch` with a timeout: the response, or why there is none.
async fn fetch(url: &str, init: RequestInit, timeout_ms: u32) -> Result<Response, SendError> {
    let window = web_sys::window().ok_or(SendError::Network)?;
    let controller = AbortController::new().ok();
    let timed_out = Rc::new(Cell::new(false));
    let _timer = controller.clone().map(|c| {
        init.set_signal(Some(&c.signal()));
        let flag = timed_out.clone();
        Timeout::new(timeout_ms, move || {
            flag.set(true);
            c.abort();
        })
    });
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    match answer.and_then(|r| r.dyn_into::<Response>()) {
        Ok(r) => Ok(r),
        Err(_) if timed_out.get() => Err(SendError::Timeout),
        Err(_) => Err(SendError::Network),
    }
}

/// GET a JSON document (status, track record, notice); None on any failure.
pub async fn get_json(url: &str, timeout_ms: u32) -> Option<JsValue> {
    let init = RequestInit::new();
    init.set_method("GET");
    let response = fetch(url, init, timeout_ms).await.ok().filter(Response::ok)?;
    JsFuture::from(response.json().ok()?).await.ok()
}

/// One attempt: POST `body` with its `Idempotency-Key`, classified for the outbox.
pub async fn attempt(endpoint: &str, id: &str, body: &str, timeout_ms: u32) -> Outcome {
    let Ok(headers) = Headers::new() else { return Outcome::Transient(None) };
    let _ = headers.set("Content-Type", "application/json");
    let _ = headers.set("Idempotency-Key", id);
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    let response = match fetch(endpoint, init, timeout_ms).await {
        Ok(r) => r,
        Err(_) => return Outcome::Transient(None),
    };
    let status = response.status();
    let retry_after = outbox::retry_after(response.headers().get("retry-after").ok().flatten().as_deref());
    match Outcome::of_status(Some(status), retry_after) {
        Outcome::Accepted(_) => {
            // The body is optional and only ever read for a reference.
            let reference = match response.json() {
                Ok(p) => JsFuture::from(p)
                    .await
                    .ok()
                    .and_then(|json| Reflect::get(&json, &JsValue::from_str("reference")).ok())
                    .and_then(sane_reference),
                Err(_) => None,
            };
            Outcome::Accepted(reference)
        }
        other => other,
    }
}

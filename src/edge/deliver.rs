//! One delivery attempt at one backend, with a timeout: `POST` the body and headers its
//! format gives (the `json` format with the report's `Idempotency-Key`), or the host
//! page's `submit` callback. What the answer means — including vendor errors inside a 2xx
//! and a `json` answer's `reference` — is the core's [`Backend::classify`].
use std::cell::Cell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use js_sys::{Promise, Reflect, JSON};
use reach_us_core::backend::{Backend, Format};
use reach_us_core::outbox::{self, Outcome};
use reach_us_core::value::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, RequestMode, Response};

use crate::bridge::Bridge;
use crate::edge::files::Loaded;
use crate::edge::read;
use crate::ui::SendError;

/// A stored body as a plain JS object (the `submit` event's detail, a callback's argument).
pub fn to_js(body: &str) -> JsValue {
    JSON::parse(body).unwrap_or(JsValue::NULL)
}

/// `fetch` with a timeout that covers the body too: the response and its text (None when
/// the body could not be read in time), or why there is none.
async fn fetch(
    url: &str,
    init: RequestInit,
    timeout_ms: u32,
) -> Result<(Response, Option<String>), SendError> {
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
        Ok(r) => {
            let text = match r.text() {
                Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
                Err(_) => None,
            };
            Ok((r, text))
        }
        Err(_) if timed_out.get() => Err(SendError::Timeout),
        Err(_) => Err(SendError::Network),
    }
}

/// GET a JSON document (status, track record, notice); None on any failure.
pub async fn get_json(url: &str, timeout_ms: u32) -> Option<JsValue> {
    let init = RequestInit::new();
    init.set_method("GET");
    let (response, text) = fetch(url, init, timeout_ms).await.ok()?;
    JSON::parse(&text.filter(|_| response.ok())?).ok()
}

/// The stored body read back as the report tree the non-JSON formats are rendered from.
fn report_value(stored: &str) -> Value {
    JSON::parse(stored)
        .map(|j| read::value(&j))
        .unwrap_or(Value::Null)
}

/// The request for one attempt at `backend` (None for `callback`: no request). With
/// `files`, a `json` backend gets `multipart/form-data`: the stored report as the first
/// part (`report`), each file as a `file` part, and a `note` part when some were lost.
/// The rendered formats cannot carry files; the core's body says how many were left out.
fn request(
    backend: &Backend,
    id: &str,
    stored: &str,
    keepalive: bool,
    files: Option<&Loaded>,
) -> Option<RequestInit> {
    if backend.format == Format::Callback {
        return None;
    }
    // Only the rendered formats need the report read back; `json` sends the stored text.
    let report = if backend.format == Format::Json {
        Value::Null
    } else {
        report_value(stored)
    };
    let body = backend.body(stored, &report);
    let multipart = files
        .filter(|_| backend.format == Format::Json)
        .and_then(|f| {
            let form = web_sys::FormData::new().ok()?;
            form.append_with_str("report", stored).ok()?;
            for (name, _, blob) in &f.files {
                form.append_with_blob_and_filename("file", blob, name)
                    .ok()?;
            }
            if let Some(note) = f.note() {
                form.append_with_str("note", &note).ok()?;
            }
            Some(form)
        });
    let headers = Headers::new().ok()?;
    backend.request_headers(&body, id, |k, v| {
        // The browser writes a multipart body's Content-Type itself (with its boundary).
        if multipart.is_none() || k != "Content-Type" {
            let _ = headers.set(k, v);
        }
    });
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    match &multipart {
        Some(form) => init.set_body(form),
        None => init.set_body(&JsValue::from_str(&body.text)),
    }
    if backend.no_cors {
        init.set_mode(RequestMode::NoCors);
    }
    if keepalive {
        let _ = Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
    }
    Some(init)
}

/// Fire a `keepalive` request that may outlive the page (pagehide). Its answer is never
/// read: the stored copy stays until a later attempt sees a 2xx.
pub fn keepalive(backend: &Backend, id: &str, stored: &str) {
    if let (Some(w), Some(init)) = (web_sys::window(), request(backend, id, stored, true, None)) {
        let _ = w.fetch_with_str_and_init(&backend.url, &init);
    }
}

/// The host page delivers it: every `submit` listener is called with the report and the
/// returned promises settle the attempt (no listener yet: try again later).
async fn callback(
    id: &str,
    stored: &str,
    timeout_ms: u32,
    bridge: &Bridge,
    files: Option<&Loaded>,
) -> Outcome {
    let report = to_js(stored);
    if let Some(f) = files {
        // The page's code gets the files as `File` objects (`report.files`), and the note.
        let list: js_sys::Array = f
            .files
            .iter()
            .filter_map(|(name, mime, blob)| {
                let bag = web_sys::FilePropertyBag::new();
                bag.set_type(mime);
                web_sys::File::new_with_blob_sequence_and_options(
                    &js_sys::Array::of1(blob),
                    name,
                    &bag,
                )
                .ok()
            })
            .collect();
        let _ = Reflect::set(&report, &"files".into(), &list);
        if let Some(note) = f.note() {
            let _ = Reflect::set(&report, &"files_note".into(), &note.into());
        }
    }
    let Some(settled) = bridge.deliver(&report) else {
        return Outcome::Transient(None);
    };
    let timeout = Promise::new(&mut |_, reject| {
        let _ = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, timeout_ms as i32)
        });
    });
    match JsFuture::from(Promise::race(&js_sys::Array::of2(&settled, &timeout))).await {
        Ok(_) => Outcome::Accepted(None, None),
        Err(e) => {
            // `reject({permanent: true})` or an error with `status: 4xx`: do not retry.
            let status = Reflect::get(&e, &"status".into())
                .ok()
                .and_then(|s| s.as_f64())
                .map(|s| s as u16);
            let permanent = Reflect::get(&e, &"permanent".into())
                .ok()
                .is_some_and(|p| p.is_truthy());
            web_sys::console::warn_2(
                &JsValue::from_str(&format!(
                    "Reach Us: the submit callback failed for report {id}"
                )),
                &e,
            );
            // A status reads as an HTTP answer would (408/409/429 and 5xx: retried, other
            // 4xx: refused); `permanent` refuses whatever the status.
            match (status, permanent) {
                (Some(s), true) => Outcome::Permanent(s),
                (None, true) => Outcome::Permanent(400),
                (s, false) => match Outcome::of_status(s.filter(|s| *s >= 400), None) {
                    Outcome::Permanent(s) => Outcome::Permanent(s),
                    _ => Outcome::Transient(None),
                },
            }
        }
    }
}

/// One attempt at `backend`, classified for the outbox.
pub async fn attempt(
    backend: &Backend,
    id: &str,
    stored: &str,
    timeout_ms: u32,
    bridge: &Bridge,
    files: Option<&Loaded>,
) -> Outcome {
    let Some(init) = request(backend, id, stored, false, files) else {
        return callback(id, stored, timeout_ms, bridge, files).await;
    };
    let (response, text) = match fetch(&backend.url, init, timeout_ms).await {
        Ok(r) => r,
        Err(_) => return Outcome::Transient(None),
    };
    if backend.no_cors {
        // An opaque answer: the server answered, its status is unreadable.
        return Outcome::Accepted(None, None);
    }
    let status = response.status();
    let retry_after = outbox::retry_after(
        response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .as_deref(),
    );
    // An answer whose body never came (timeout, broken connection) says nothing yet —
    // except a `json` backend's 2xx, which is its acceptance whatever the body (the
    // reference in it is optional): retrying it would resend a report already taken.
    let Some(text) = text else {
        return if backend.idempotent() && (200..300).contains(&status) {
            Outcome::Accepted(None, None)
        } else {
            Outcome::Transient(None)
        };
    };
    let json = JSON::parse(&text)
        .map(|j| read::value(&j))
        .unwrap_or(Value::Null);
    let verdict = backend.classify(status, &text, &json, retry_after);
    if let Some(why) = &verdict.why {
        web_sys::console::warn_1(&JsValue::from_str(&format!(
            "Reach Us: {}: {why}",
            backend.url
        )));
    }
    verdict.outcome
}

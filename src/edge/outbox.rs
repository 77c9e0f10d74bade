//! The outbox at the edge: entries in `localStorage` (chosen over IndexedDB because it is
//! synchronous — the report is on disk before `fetch` is even called, and a reload or a
//! closed tab in between cannot lose it — and a few dozen small reports fit easily), one
//! tab at a time sending (Web Locks; a tab without them sends alone and relies on the
//! idempotency key), attempts through [`deliver::attempt`], decisions by the core.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use reach_us_core::outbox::{self, Entry, OutboxError, Policy, State};
use reach_us_core::time::Millis;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::edge::{deliver, env, store};

/// The storage key (versioned with the schema).
pub const KEY: &str = "reach-us:v1:outbox";
/// The Web Lock every tab of the site takes to send.
pub const LOCK: &str = "reach-us:v1:outbox";

/// Every readable entry.
pub fn load() -> Vec<Entry> {
    store::load_list(KEY, |v| Entry::from_value(v).ok())
}

/// Write the entries. False when the browser refuses (quota, storage off).
pub fn save(list: &[Entry]) -> bool {
    let ok = store::save_list(KEY, list);
    store::mark_returning();
    ok
}

/// Why a report could not be saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveError {
    /// Outbox limits (too many waiting, or too large).
    Limit(OutboxError),
    /// The browser would not store it (it is still sent from memory).
    Storage,
}

/// Save a new report before its first attempt.
pub fn enqueue(id: &str, body: String, now: Millis, policy: &Policy) -> Result<(), SaveError> {
    let mut list = load();
    if !list.iter().any(|e| e.id == id) {
        outbox::admit(&list, body.len(), policy).map_err(SaveError::Limit)?;
    }
    match list.iter_mut().find(|e| e.id == id) {
        Some(e) => e.retry_now(now),
        None => list.push(Entry::new(id, body, now)),
    }
    if save(&list) {
        Ok(())
    } else {
        Err(SaveError::Storage)
    }
}

/// What happened to one entry during a flush.
#[derive(Clone, Debug)]
pub struct Flushed {
    /// Report id.
    pub id: String,
    /// The body (to build a receipt from, when delivered).
    pub body: String,
    /// Where it is now.
    pub state: State,
    /// Attempts so far.
    pub attempts: u32,
}

/// Send everything due, until nothing is. Delivered entries leave the outbox; refused and
/// expired ones stay (flagged) until the visitor has been told.
async fn drain(endpoint: &str, timeout_ms: u32, policy: Policy) -> Vec<Flushed> {
    let mut out = Vec::new();
    loop {
        let mut list = load();
        outbox::expire(&mut list, env::now(), &policy);
        let Some(id) = outbox::ready(&list, env::now()).into_iter().next() else {
            save(&list);
            break;
        };
        let Some(body) = list.iter().find(|e| e.id == id).map(|e| e.body.clone()) else { break };
        let outcome = deliver::attempt(endpoint, &id, &body, timeout_ms).await;
        // Re-read: this tab holds the lock, but a new report may have been added meanwhile.
        let mut list = load();
        let Some(e) = list.iter_mut().find(|e| e.id == id) else { continue };
        e.record(outcome, env::now(), js_sys::Math::random(), &policy);
        out.push(Flushed { id: e.id.clone(), body: e.body.clone(), state: e.state.clone(), attempts: e.attempts });
        list.retain(|e| !matches!(e.state, State::Delivered { .. }));
        if !save(&list) {
            break;
        }
    }
    out
}

/// Flush under the site-wide Web Lock (skipped when another tab holds it: that tab sends).
pub async fn flush(endpoint: String, timeout_ms: u32, policy: Policy) -> Vec<Flushed> {
    let results: Rc<RefCell<Vec<Flushed>>> = Rc::default();
    let locks = web_sys::window().and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok()).filter(|l| !l.is_undefined());
    let request = locks.as_ref().and_then(|l| Reflect::get(l, &"request".into()).ok()).and_then(|f| f.dyn_into::<Function>().ok());
    match (locks, request) {
        (Some(locks), Some(request)) => {
            let r = results.clone();
            let cb = Closure::once_into_js(move |lock: JsValue| -> Promise {
                wasm_bindgen_futures::future_to_promise(async move {
                    if !lock.is_null() {
                        *r.borrow_mut() = drain(&endpoint, timeout_ms, policy).await;
                    }
                    Ok(JsValue::UNDEFINED)
                })
            });
            let opts = Object::new();
            let _ = Reflect::set(&opts, &"ifAvailable".into(), &JsValue::TRUE);
            if let Ok(p) = request.call3(&locks, &LOCK.into(), &opts, &cb) {
                let _ = JsFuture::from(Promise::from(p)).await;
            }
        }
        _ => *results.borrow_mut() = drain(&endpoint, timeout_ms, policy).await,
    }
    results.take()
}

/// Drop an entry the visitor has been told about.
pub fn forget(id: &str) {
    let mut list = load();
    list.retain(|e| e.id != id);
    save(&list);
}

/// The network is back: make every pending entry due now.
pub fn wake_all() {
    let mut list = load();
    outbox::wake_all(&mut list, env::now());
    save(&list);
}

/// When the next pending entry is due.
pub fn next_wake() -> Option<Millis> {
    outbox::next_wake(&load())
}

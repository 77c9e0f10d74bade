//! The outbox at the edge: entries in `localStorage` (chosen over IndexedDB because it is
//! synchronous — the report is on disk before `fetch` is even called, and a reload or a
//! closed tab in between cannot lose it — and a few dozen small reports fit easily), one
//! tab at a time sending (Web Locks; a storage lease where they are missing), attempts
//! through [`deliver::attempt`] at the backend the core picks, decisions by the core.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect, JSON};
use reach_us_core::backend::Backend;
use reach_us_core::json::ToJson;
use reach_us_core::outbox::{self, Entry, OutboxError, Policy, Route, State};
use reach_us_core::time::Millis;
use reach_us_core::Config;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bridge::Bridge;
use crate::edge::{deliver, env, read, store};

/// Each entry lives under its own key, this prefix + the report id (versioned with the
/// schema). One key per report, not one list: tabs keep their own copy of `localStorage`
/// that the browser syncs with the others a moment later, so a tab that rewrote a whole
/// list could write back a copy without the report another tab had just saved — lost.
/// Written one by one, an entry is only ever written about itself.
pub const PREFIX: &str = "reach-us:v1:outbox:";
/// Where earlier versions kept all entries in one JSON list; moved to [`PREFIX`] keys on
/// first read, so nothing that was waiting is lost by an upgrade.
const LEGACY: &str = "reach-us:v1:outbox";
/// The Web Lock every tab of the site takes to send.
pub const LOCK: &str = "reach-us:v1:outbox";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn parse(text: &str) -> Option<Entry> {
    Entry::from_value(&read::value(&JSON::parse(text).ok()?)).ok()
}

/// One entry, if it is stored and readable.
pub fn get(id: &str) -> Option<Entry> {
    parse(&storage()?.get_item(&format!("{PREFIX}{id}")).ok()??)
}

/// Every readable entry (in no particular order: [`outbox::next_ready`] picks the oldest).
pub fn load() -> Vec<Entry> {
    let Some(s) = storage() else {
        return Vec::new();
    };
    migrate(&s);
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    keys.iter()
        .filter_map(|k| parse(&s.get_item(k).ok()??))
        .collect()
}

fn migrate(s: &web_sys::Storage) {
    if s.get_item(LEGACY).ok().flatten().is_none() {
        return;
    }
    let old = store::load_list(LEGACY, |v| Entry::from_value(v).ok());
    if old.iter().all(|e| get(&e.id).is_some() || put(e)) {
        let _ = s.remove_item(LEGACY);
    }
}

/// Write one entry. False when the browser refuses (quota, storage off).
pub fn put(e: &Entry) -> bool {
    let ok = storage().is_some_and(|s| {
        s.set_item(&format!("{PREFIX}{}", e.id), &e.to_json())
            .is_ok()
    });
    store::mark_returning();
    ok
}

/// Remove one entry.
fn remove(id: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&format!("{PREFIX}{id}"));
    }
    store::mark_returning();
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
    let entry = match get(id) {
        Some(mut e) => {
            e.retry_now(now);
            e
        }
        None => {
            outbox::admit(&load(), body.len(), policy).map_err(SaveError::Limit)?;
            Entry::new(id, body, now)
        }
    };
    if put(&entry) {
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
}

/// Everything a flush needs from the config.
#[derive(Clone)]
pub struct Plan {
    /// The configured backends.
    pub backends: Rc<[Backend]>,
    /// How they are used.
    pub route: Route,
    /// One attempt's timeout, ms.
    pub timeout_ms: u32,
    /// Retry policy.
    pub policy: Policy,
}

impl Plan {
    /// The plan for a config.
    pub fn of(config: &Config) -> Plan {
        Plan {
            backends: config.backends.clone().into(),
            route: Route {
                backends: config.backends.len(),
                deliver: config.deliver,
            },
            timeout_ms: config.timeout_ms,
            policy: Policy {
                retention_ms: i64::from(config.retention_days) * 86_400_000,
                ..Policy::default()
            },
        }
    }

    /// The backend an entry's next attempt goes to.
    pub fn backend(&self, e: &Entry) -> Option<&Backend> {
        self.backends.get(e.target(self.route))
    }
}

/// One attempt at the entry's next backend, its outcome recorded on `e`.
pub async fn attempt(e: &mut Entry, plan: &Plan, bridge: &Bridge) {
    let Some(backend) = plan.backend(e) else {
        return;
    };
    let files = crate::edge::files::load(&e.id, &e.body).await;
    let outcome = deliver::attempt(
        backend,
        &e.id,
        &e.body,
        plan.timeout_ms,
        bridge,
        files.as_ref(),
    )
    .await;
    e.record(
        outcome,
        plan.route,
        env::now(),
        js_sys::Math::random(),
        &plan.policy,
    );
}

/// Send everything due, until nothing is (or the storage lease is lost). Delivered entries
/// leave the outbox; refused and expired ones stay (flagged) until the visitor has been told.
async fn drain(plan: &Plan, bridge: &Bridge, lease: bool) -> Vec<Flushed> {
    let mut out = Vec::new();
    loop {
        if lease && !take_lease(plan.timeout_ms) {
            break;
        }
        let mut list = load();
        let before = list.clone();
        outbox::expire(&mut list, env::now(), &plan.policy);
        for (e, was) in list.iter().zip(&before) {
            if e != was {
                put(e);
            }
        }
        let Some(mut sent) = outbox::next_ready(&list, env::now()).cloned() else {
            break;
        };
        let id = sent.id.clone();
        attempt(&mut sent, plan, bridge).await;
        // Re-read: this tab holds the lock, but another tab may have settled it meanwhile.
        if !get(&id).is_some_and(|e| e.pending()) {
            continue; // settled (or told and forgotten) elsewhere: that one stands
        }
        out.push(Flushed {
            id: id.clone(),
            body: sent.body.clone(),
            state: sent.state.clone(),
        });
        if matches!(sent.state, State::Delivered { .. }) {
            remove(&id);
            crate::edge::files::forget(&id, &sent.body);
        } else if !put(&sent) {
            break;
        }
    }
    if lease {
        drop_lease();
    }
    out
}

/// The storage lease of tabs without Web Locks.
const LEASE: &str = "reach-us:v1:lease";

thread_local! {
    static TAB: String = format!("{:x}", (js_sys::Math::random() * 1e15) as u64);
}

/// Take or renew the lease for one attempt's time plus a margin. localStorage has no
/// compare-and-set: write, then read back to see who won a simultaneous write.
fn take_lease(timeout_ms: u32) -> bool {
    let Some(s) = storage() else { return true }; // no storage: nothing to share either
    let me = TAB.with(String::clone);
    let now = env::now();
    if !outbox::may_lease(s.get_item(LEASE).ok().flatten().as_deref(), &me, now) {
        return false;
    }
    let _ = s.set_item(
        LEASE,
        &outbox::lease(&me, now + Millis::from(timeout_ms) + 5_000),
    );
    s.get_item(LEASE)
        .ok()
        .flatten()
        .is_some_and(|v| v.starts_with(&format!("{me} ")))
}

fn drop_lease() {
    if let Some(s) = storage() {
        let me = TAB.with(String::clone);
        if s.get_item(LEASE)
            .ok()
            .flatten()
            .is_some_and(|v| v.starts_with(&format!("{me} ")))
        {
            let _ = s.remove_item(LEASE);
        }
    }
}

/// Flush under the site-wide Web Lock (skipped when another tab holds it: that tab
/// sends); without Web Locks, under a storage lease.
pub async fn flush(plan: Plan, bridge: Bridge) -> Vec<Flushed> {
    let results: Rc<RefCell<Vec<Flushed>>> = Rc::default();
    let locks = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined());
    let request = locks
        .as_ref()
        .and_then(|l| Reflect::get(l, &"request".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok());
    match (locks, request) {
        (Some(locks), Some(request)) => {
            let r = results.clone();
            let cb = Closure::once_into_js(move |lock: JsValue| -> Promise {
                wasm_bindgen_futures::future_to_promise(async move {
                    if !lock.is_null() {
                        *r.borrow_mut() = drain(&plan, &bridge, false).await;
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
        _ => *results.borrow_mut() = drain(&plan, &bridge, true).await,
    }
    results.take()
}

/// The page is going away: hand every pending report that is due soon to a `keepalive`
/// request (64 KiB in all, the browser's budget), but only to backends that honour the
/// `Idempotency-Key` — the stored copy stays and is sent again on the next page, so a
/// backend without it could get it twice.
pub fn flush_on_hide(plan: &Plan) {
    let mut budget: usize = 64 * 1024;
    for e in load().iter().filter(|e| e.pending()) {
        let Some(backend) = plan.backend(e).filter(|b| b.idempotent()) else {
            continue;
        };
        // Files cannot ride a keepalive request (its 64 KiB budget): sent on the next page.
        if reach_us_core::attachments::described(&e.body) {
            continue;
        }
        if e.body.len() > budget {
            break;
        }
        budget -= e.body.len();
        deliver::keepalive(backend, &e.id, &e.body);
    }
}

/// Drop an entry the visitor has been told about.
pub fn forget(id: &str) {
    if let Some(e) = get(id) {
        crate::edge::files::forget(id, &e.body);
    }
    remove(id);
}

/// The network is back: make every pending entry due now.
pub fn wake_all() {
    let now = env::now();
    for mut e in load() {
        let was = e.next_at;
        outbox::wake_all(std::slice::from_mut(&mut e), now);
        if e.next_at != was {
            put(&e);
        }
    }
}

/// When the next pending entry is due.
pub fn next_wake() -> Option<Millis> {
    outbox::next_wake(&load())
}

//! The outbox runner: flushes on mount (every page load retries what earlier pages left),
//! when the browser comes back online, when a report is saved, and when the next retry is
//! due; hands pending reports to keepalive requests on `pagehide`; turns what happened into
//! receipts, events and the visitor's state.
use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use js_sys::JSON;
use reach_us_core::outbox::State as Sent;
use reach_us_core::receipts::{self, Receipt as Kept};
use reach_us_core::time::parse_iso;
use reach_us_core::value::Value;
use reach_us_core::Config;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::edge::{env, outbox, read, store};
use crate::ui::SendError;
use crate::ui::{Accepted, Action, Phase, Ui, Undelivered};

fn field<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for k in path {
        let Value::Map(entries) = cur else {
            return None;
        };
        cur = &entries.iter().find(|(n, _)| n == k)?.1;
    }
    match cur {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn offline() -> bool {
    web_sys::window().is_some_and(|w| !w.navigator().on_line())
}

/// The reports the outbox gave up on, newest first (what "Not delivered" lists).
pub fn undelivered() -> Rc<Vec<Undelivered>> {
    let mut list: Vec<(i64, Undelivered)> = Vec::new();
    for e in outbox::load() {
        let Sent::Failed { status } = e.state else {
            continue;
        };
        let body = JSON::parse(&e.body)
            .map(|j| read::value(&j))
            .unwrap_or(Value::Null);
        let text = |path: &[&str]| field(&body, path).unwrap_or_default().to_string();
        let at = list
            .iter()
            .position(|(created, _)| *created < e.created)
            .unwrap_or(list.len());
        list.insert(
            at,
            (
                e.created,
                Undelivered {
                    reference: text(&["reference"]),
                    message: text(&["message"]),
                    id: e.id,
                    status,
                },
            ),
        );
    }
    Rc::new(list.into_iter().map(|(_, u)| u).collect())
}

/// Apply one flush's results.
fn report(results: Vec<outbox::Flushed>, dispatcher: &UseReducerDispatcher<Ui>, bridge: &Bridge) {
    let mut kept = store::load();
    let mut kept_changed = false;
    for f in results {
        let body = JSON::parse(&f.body)
            .map(|j| read::value(&j))
            .unwrap_or(Value::Null);
        match f.state {
            Sent::Delivered { reference, due } => {
                let reference = reference
                    .or_else(|| field(&body, &["reference"]).map(String::from))
                    .unwrap_or_default();
                let created = field(&body, &["created_at"])
                    .and_then(parse_iso)
                    .unwrap_or_else(env::now);
                // The due time the backend answered (the promise it made) wins.
                let due = due.or_else(|| field(&body, &["promise", "due_at"]).and_then(parse_iso));
                let category = field(&body, &["category"]).unwrap_or("").to_string();
                receipts::remember(
                    &mut kept,
                    Kept::new(&f.id, &reference, &category, created, due),
                );
                kept_changed = true;
                crate::events::delivered(bridge, &f.id, &reference);
                let receipt = Accepted {
                    id: f.id.clone(),
                    reference,
                    created_at: created,
                    due_at: due,
                };
                dispatcher.dispatch(Action::Outcome(f.id, Box::new(Phase::Sent(receipt))));
            }
            Sent::Failed { status } => {
                let reason = reach_us_core::outbox::failed_reason(status, true);
                crate::events::failed(bridge, &f.id, &reason);
                let err = status.map(SendError::Status).unwrap_or(SendError::Timeout);
                dispatcher.dispatch(Action::Outcome(f.id, Box::new(Phase::Failed(err))));
            }
            Sent::Pending => {
                dispatcher.dispatch(Action::Outcome(
                    f.id,
                    Box::new(Phase::Queued { offline: offline() }),
                ));
            }
        }
    }
    if kept_changed {
        store::save(&kept);
        dispatcher.dispatch(Action::Receipts(Rc::new(kept)));
    }
    dispatcher.dispatch(Action::Undelivered(undelivered()));
}

/// The effect's dependency: the same config `Rc`, not an equal config.
struct Same(Rc<Config>);

impl PartialEq for Same {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// One round of the outbox runner (shared by the timer, the bridge's kick and itself).
type Runner = Rc<dyn Fn()>;

/// Start the runner; returns nothing: use [`Bridge::kick`] to flush now.
#[hook]
pub fn use_outbox(config: Rc<Config>, dispatcher: UseReducerDispatcher<Ui>, bridge: Bridge) {
    // Compared by pointer: a new config is a new `Rc` (a later `init`); comparing the
    // contents on every render would cost time and a deep `PartialEq` in the wasm.
    use_effect_with(Same(config), move |Same(config)| {
        let timer: Rc<RefCell<Option<Timeout>>> = Rc::default();
        let running: Rc<RefCell<bool>> = Rc::default();
        let again: Rc<RefCell<bool>> = Rc::default();
        let plan = outbox::Plan::of(config);
        let kick: Rc<RefCell<Option<Runner>>> = Rc::default();
        let run: Runner = {
            let (timer, running, again, kick) =
                (timer.clone(), running.clone(), again.clone(), kick.clone());
            let (dispatcher, bridge, plan) = (dispatcher.clone(), bridge.clone(), plan.clone());
            Rc::new(move || {
                if std::mem::replace(&mut *running.borrow_mut(), true) {
                    *again.borrow_mut() = true; // a flush is under way: go round once more after it
                    return;
                }
                let (timer, running, again, kick) =
                    (timer.clone(), running.clone(), again.clone(), kick.clone());
                let (dispatcher, bridge, plan) = (dispatcher.clone(), bridge.clone(), plan.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    loop {
                        let results = outbox::flush(plan.clone(), bridge.clone()).await;
                        report(results, &dispatcher, &bridge);
                        if !std::mem::replace(&mut *again.borrow_mut(), false) {
                            break;
                        }
                    }
                    *running.borrow_mut() = false;
                    // Wake for the next retry (another tab may hold the lock: check again then).
                    if let Some(at) = outbox::next_wake() {
                        let wait = (at - env::now()).clamp(250, 3_600_000) as u32;
                        let k = kick.clone();
                        *timer.borrow_mut() = Some(Timeout::new(wait, move || {
                            if let Some(f) = k.borrow().as_ref() {
                                f();
                            }
                        }));
                    }
                });
            })
        };
        *kick.borrow_mut() = Some(run.clone());
        bridge.set_kick(Some(run.clone()));
        let online = web_sys::window().map(|w| {
            let r = run.clone();
            EventListener::new(&w, "online", move |_| {
                outbox::wake_all();
                r()
            })
        });
        // The page is going away: hand what is pending to keepalive requests.
        let hide = web_sys::window().map(|w| {
            let plan = plan.clone();
            EventListener::new(&w, "pagehide", move |_| outbox::flush_on_hide(&plan))
        });
        // Another tab sent (or was refused) a report this tab shows: follow it.
        let storage = web_sys::window().map(|w| {
            let d = dispatcher.clone();
            EventListener::new(&w, "storage", move |e| {
                let key = e.dyn_ref::<web_sys::StorageEvent>().and_then(|s| s.key());
                if key.as_deref() == Some(store::KEY) {
                    d.dispatch(Action::Receipts(Rc::new(store::load())));
                } else if key
                    .as_deref()
                    .is_some_and(|k| k.starts_with(outbox::PREFIX))
                {
                    let changed: Vec<(String, Result<(), Option<u16>>)> = outbox::load()
                        .into_iter()
                        .filter_map(|e| match e.state {
                            Sent::Failed { status } => Some((e.id, Err(status))),
                            Sent::Pending if e.attempts > 0 => Some((e.id, Ok(()))),
                            _ => None,
                        })
                        .collect();
                    if !changed.is_empty() {
                        d.dispatch(Action::OutboxElsewhere(changed, offline()));
                    }
                    d.dispatch(Action::Undelivered(undelivered()));
                }
            })
        });
        dispatcher.dispatch(Action::Undelivered(undelivered()));
        run();
        move || {
            drop(online);
            drop(hide);
            drop(storage);
            timer.borrow_mut().take();
            kick.borrow_mut().take();
            bridge.set_kick(None);
        }
    });
}

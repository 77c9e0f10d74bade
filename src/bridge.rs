//! The bridge between the page and the app, both ways. Verbs reach the yew app as
//! [`Action`]s through a dispatcher slot the app fills when it mounts; calls that arrive
//! before that wait in order. Events go to `ReachUs('on', …)` listeners and, as
//! `reach-us:<name>` `CustomEvent`s, to the host element. (The handle the page calls is
//! [`crate::widget::Widget`]; what it passes in is read by [`crate::args`].)
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, ShadowRoot};
use yew::UseReducerDispatcher;

use crate::ui::{Action, Ui};

/// The events a page can listen to.
pub const EVENTS: [&str; 6] = ["ready", "open", "close", "submit", "delivered", "failed"];

/// Where the app's dispatcher lives once it is mounted, and the page's listeners.
#[derive(Default)]
pub struct Slot {
    dispatcher: Option<UseReducerDispatcher<Ui>>,
    pending: Vec<Action>,
    listeners: Vec<(String, Function)>,
    root: Option<ShadowRoot>,
    kick: Option<Rc<dyn Fn()>>,
}

/// Shared handle to the slot; equal when it is the same slot.
#[derive(Clone, Default)]
pub struct Bridge(Rc<RefCell<Slot>>);

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bridge")
    }
}

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Bridge {
    /// A bridge whose events also go to `root`'s host element.
    pub fn new(root: ShadowRoot) -> Self {
        let bridge = Bridge::default();
        bridge.0.borrow_mut().root = Some(root);
        bridge
    }

    /// Send an action to the app now, or when it mounts.
    pub fn send(&self, action: Action) {
        let dispatcher = self.0.borrow().dispatcher.clone();
        match dispatcher {
            Some(d) => d.dispatch(action),
            None => self.0.borrow_mut().pending.push(action),
        }
    }

    /// Called by the app when it mounts: take the dispatcher, replay what waited.
    pub fn attach(&self, dispatcher: UseReducerDispatcher<Ui>) {
        let pending = {
            let mut slot = self.0.borrow_mut();
            slot.dispatcher = Some(dispatcher.clone());
            std::mem::take(&mut slot.pending)
        };
        for a in pending {
            dispatcher.dispatch(a);
        }
    }

    /// Tell the page: listeners first (a throwing listener is logged, never rethrown),
    /// then a `reach-us:<event>` CustomEvent on the host element.
    pub fn emit(&self, event: &str, detail: &JsValue) {
        let (listeners, root) = {
            let slot = self.0.borrow();
            let l: Vec<Function> = slot
                .listeners
                .iter()
                .filter(|(e, _)| e == event)
                .map(|(_, f)| f.clone())
                .collect();
            (l, slot.root.clone())
        };
        for f in listeners {
            if let Err(e) = f.call1(&JsValue::UNDEFINED, detail) {
                web_sys::console::error_2(
                    &JsValue::from_str(&format!("Reach Us: a '{event}' listener threw")),
                    &e,
                );
            }
        }
        if let Some(host) = root.map(|r| r.host()) {
            let init = CustomEventInit::new();
            init.set_detail(detail);
            if let Ok(ev) =
                CustomEvent::new_with_event_init_dict(&format!("reach-us:{event}"), &init)
            {
                let _ = host.dispatch_event(&ev);
            }
        }
    }

    /// A `callback` backend's attempt: call every `submit` listener with the report; the
    /// promise settles when all returned promises do (a throw is a rejection). None when
    /// no listener is registered yet.
    pub fn deliver(&self, report: &JsValue) -> Option<js_sys::Promise> {
        let listeners: Vec<Function> = self
            .0
            .borrow()
            .listeners
            .iter()
            .filter(|(e, _)| e == "submit")
            .map(|(_, f)| f.clone())
            .collect();
        if listeners.is_empty() {
            return None;
        }
        let results = Array::new();
        for f in listeners {
            results.push(&match f.call1(&JsValue::UNDEFINED, report) {
                Ok(v) => v,
                Err(e) => js_sys::Promise::reject(&e).into(),
            });
        }
        Some(js_sys::Promise::all(&results))
    }

    /// Install (or remove) the outbox runner's "flush now".
    pub fn set_kick(&self, kick: Option<Rc<dyn Fn()>>) {
        self.0.borrow_mut().kick = kick;
    }

    /// Ask the outbox runner to flush now.
    pub fn kick(&self) {
        let k = self.0.borrow().kick.clone();
        if let Some(k) = k {
            k();
        }
    }

    pub(crate) fn on(&self, event: String, f: Function) {
        self.0.borrow_mut().listeners.push((event, f));
    }

    pub(crate) fn off(&self, event: &str, f: &Function) {
        self.0
            .borrow_mut()
            .listeners
            .retain(|(e, g)| !(e == event && g == f));
    }

    pub(crate) fn clear(&self) {
        let mut slot = self.0.borrow_mut();
        slot.listeners.clear();
        slot.pending.clear();
        slot.dispatcher = None;
        slot.kick = None;
    }
}

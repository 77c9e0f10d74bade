//! The JS API bridge: `boot` (called by the loader), the [`Widget`] handle the loader's
//! `ReachUs(...)` forwards to, the verb table, and events. Verbs reach the yew app as
//! [`Action`]s through a dispatcher slot the app fills when it mounts; calls that arrive
//! before that wait in order. Events go to `ReachUs('on', …)` listeners and, as
//! `reach-us:<name>` `CustomEvent`s, to the host element.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use reach_us_core::form::Field;
use reach_us_core::payload::User;
use reach_us_core::value::Value;
use reach_us_core::{Config, ConfigError, RawConfig};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, ShadowRoot};
use yew::{AppHandle, UseReducerDispatcher};

use crate::app::{App, AppProps};
use crate::edge::i18n::{with_strings, Tables};
use crate::edge::{env, read, style, zone};
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

    fn on(&self, event: String, f: Function) {
        self.0.borrow_mut().listeners.push((event, f));
    }

    fn off(&self, event: &str, f: &Function) {
        self.0
            .borrow_mut()
            .listeners
            .retain(|(e, g)| !(e == event && g == f));
    }

    fn clear(&self) {
        let mut slot = self.0.borrow_mut();
        slot.listeners.clear();
        slot.pending.clear();
        slot.dispatcher = None;
        slot.kick = None;
    }
}

/// The running widget, as seen from JavaScript.
#[wasm_bindgen]
pub struct Widget {
    bridge: Option<Bridge>,
    raw: RefCell<RawConfig>,
    root: Option<ShadowRoot>,
    app: Rc<RefCell<Mount>>,
    tables: Rc<Tables>,
}

/// Where the yew app is: not yet mounted (its locale's table is on the way), running, or
/// shut down (a table arriving after `shutdown` mounts nothing).
#[derive(Default)]
enum Mount {
    #[default]
    Waiting,
    Running(AppHandle<App>),
    Down,
}

fn entries(obj: &Object) -> Vec<(String, JsValue)> {
    Object::entries(obj)
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.unchecked_into();
            pair.get(0).as_string().map(|k| (k, pair.get(1)))
        })
        .collect()
}

fn read_attrs(attrs: &JsValue) -> Vec<(String, String)> {
    match attrs.dyn_ref::<Object>() {
        Some(obj) => entries(obj)
            .into_iter()
            .filter_map(|(k, v)| v.as_string().map(|v| (k, v)))
            .collect(),
        None => Vec::new(),
    }
}

/// Read a `ReachUs('init', config)` object over `raw` (see [`RawConfig::apply`]).
fn read_init(raw: &mut RawConfig, arg: &JsValue) -> Result<(), ConfigError> {
    match read::value(arg) {
        v @ Value::Map(_) => raw.apply(&v),
        Value::Other(kind) => Err(ConfigError::Shape(format!(
            "ReachUs('init', config) needs a config object, not {kind}"
        ))),
        _ => Err(ConfigError::Shape(
            "ReachUs('init', config) needs a config object".into(),
        )),
    }
}

/// Validate; a promise the config cannot back (bad duration or hours, or a time zone
/// this browser does not know) is reported and dropped, and the widget runs without it.
fn resolve(raw: RawConfig) -> Result<Config, ConfigError> {
    let (mut config, dropped) = Config::resolve(raw)?;
    for e in dropped {
        env::console_error(&format!("{e} — the widget makes no promise for it"));
    }
    let unknown = |rule: &Option<reach_us_core::promise::PromiseRule>| {
        rule.as_ref()
            .and_then(|r| r.time_zone.clone())
            .filter(|tz| zone::IntlZone::new(tz).is_none())
    };
    if let Some(tz) = unknown(&config.promise) {
        env::console_error(&format!("Reach Us config: `promise.business_hours.time_zone` \"{tz}\" is not a time zone this browser knows — the widget makes no promise"));
        config.promise = None;
    }
    let p = reach_us_core::theme::palette(config.color);
    if p.adjusted {
        env::console_warn(&format!(
            "Reach Us: brand colour {} is adjusted where it is used for text or buttons ({} / {}) to keep 4.5:1 contrast",
            config.color.hex(), p.accent.hex(), p.accent_on_light.hex()
        ));
    }
    for (i, c) in config.categories.iter_mut().enumerate() {
        if let Some(tz) = unknown(&c.promise) {
            env::console_error(&format!("Reach Us config: `categories[{i}].business_hours.time_zone` \"{tz}\" is not a time zone this browser knows — no promise for it"));
            c.promise = None;
            c.promise_dropped = true;
        }
    }
    Ok(config)
}

fn remove_facade(root: &ShadowRoot) {
    if let Ok(Some(el)) = root.query_selector("[data-ru-facade]") {
        el.remove();
    }
}

/// Mark the host element `data-ready`: the widget is mounted (or has given up on a bad
/// config); the tests and a brand's own scripts can wait for it.
fn ready(root: &ShadowRoot) {
    let _ = root.host().set_attribute("data-ready", "");
}

fn inert(raw: RawConfig, root: &ShadowRoot) -> Widget {
    remove_facade(root);
    ready(root);
    Widget {
        bridge: None,
        raw: RefCell::new(raw),
        root: Some(root.clone()),
        app: Rc::default(),
        tables: Tables::new(None),
    }
}

/// See [`crate::boot`].
pub fn boot(root: ShadowRoot, attrs: JsValue, queue: JsValue, glue: JsValue) -> Widget {
    let pairs = read_attrs(&attrs);
    let mut raw =
        match RawConfig::from_attributes(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            Ok((raw, unknown)) => {
                for name in unknown {
                    env::console_warn(&format!(
                        "Reach Us: ignoring unknown attribute {name} (see the README for the list)"
                    ));
                }
                Some(raw)
            }
            Err(e) => {
                env::console_error(&e.to_string());
                None
            }
        };
    let mut later: Vec<(String, JsValue, JsValue)> = Vec::new();
    if let Some(calls) = queue.dyn_ref::<Array>() {
        for call in calls.iter() {
            let Ok(call) = call.dyn_into::<Array>() else {
                continue;
            };
            let verb = call.get(0).as_string().unwrap_or_default();
            if verb == "init" {
                // Read even when the attributes already failed: the brand sees every error.
                let read = match raw.as_mut() {
                    Some(r) => read_init(r, &call.get(1)),
                    None => read_init(&mut RawConfig::default(), &call.get(1)),
                };
                if let Err(e) = read {
                    env::console_error(&e.to_string());
                    raw = None;
                }
            } else {
                later.push((verb, call.get(1), call.get(2)));
            }
        }
    }
    let Some(raw) = raw else {
        return inert(RawConfig::default(), &root);
    };
    let config = match resolve(raw.clone()) {
        Ok(c) => c,
        Err(e) => {
            env::console_error(&e.to_string());
            return inert(raw, &root);
        }
    };
    if let Err(e) = style::adopt(&root, &config) {
        // The exception object itself: the console shows its name, message and stack.
        web_sys::console::error_2(&"Reach Us: could not apply styles:".into(), &e);
    }
    let Some(container) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
    else {
        return inert(raw, &root);
    };
    let bridge = Bridge::default();
    bridge.0.borrow_mut().root = Some(root.clone());
    let app: Rc<RefCell<Mount>> = Rc::default();
    let tables = Tables::new(glue.as_string());
    let widget = Widget {
        bridge: Some(bridge.clone()),
        raw: RefCell::new(raw),
        root: Some(root.clone()),
        app: app.clone(),
        tables,
    };
    // Calls queued before the code arrived first (listeners among them hear `ready`).
    for (verb, a, b) in later {
        widget.run(&verb, a, b);
    }
    // Mounted now in English (or a locale already fetched), else once the visitor's table
    // has arrived; calls made meanwhile wait in the bridge, in order.
    let (b, r, slot) = (bridge.clone(), root.clone(), app.clone());
    with_strings(&widget.tables, config, move |config, strings| {
        if matches!(*slot.borrow(), Mount::Down) {
            return;
        }
        let _ = r.append_child(&container);
        let props = AppProps {
            bridge: b.clone(),
            config: Rc::new(config),
            strings: Rc::new(strings),
            root: r.clone(),
        };
        let handle = yew::Renderer::<App>::with_root_and_props(container, props).render();
        *slot.borrow_mut() = Mount::Running(handle);
        ready(&r);
        let detail = Object::new();
        let _ = Reflect::set(
            &detail,
            &"version".into(),
            &reach_us_core::WIDGET_VERSION.into(),
        );
        b.emit("ready", &detail);
    });
    widget
}

fn field_of(name: &str) -> Option<Field> {
    match name {
        "category" => Some(Field::Category),
        "message" => Some(Field::Message),
        "email" => Some(Field::Email),
        "phone" => Some(Field::Phone),
        _ => None,
    }
}

fn prefill_values(arg: &JsValue) -> Result<Vec<(Field, String)>, String> {
    let Value::Map(entries) = read::value(arg) else {
        return Err("prefill needs an object like {message: '…'}".into());
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        if key == "contact" {
            if let Value::Map(contact) = value {
                for (sub, field) in [("email", Field::Email), ("phone", Field::Phone)] {
                    if let Some((_, Value::Str(v))) = contact.iter().find(|(k, _)| k == sub) {
                        out.push((field, v.clone()));
                    }
                }
            }
            continue;
        }
        let field = field_of(&key).ok_or_else(|| {
            format!("prefill: unknown field \"{key}\" (category, message, contact)")
        })?;
        let Value::Str(text) = value else {
            return Err(format!("prefill: {key} must be a string"));
        };
        out.push((field, text));
    }
    Ok(out)
}

fn event_and_fn(verb: &str, a: &JsValue, b: &JsValue) -> Result<(String, Function), String> {
    let event = a
        .as_string()
        .filter(|e| EVENTS.contains(&e.as_str()))
        .ok_or_else(|| {
            format!(
                "ReachUs('{verb}', event, fn): event must be one of {}",
                EVENTS.join(", ")
            )
        })?;
    // typeof, not instanceof: a Proxy's getPrototypeOf trap is never run.
    if !b.is_function() {
        return Err(format!(
            "ReachUs('{verb}', '{event}', fn): fn must be a function"
        ));
    }
    Ok((event, b.clone().unchecked_into()))
}

#[wasm_bindgen]
impl Widget {
    /// Handle one `ReachUs(verb, a, b)` call. Never throws: problems go to the console.
    /// The verb comes as a `JsValue`: nothing of the page's is converted on the way in.
    /// (It was a `String`: the glue then allocated and reallocated (to a size of `NaN`,
    /// so 0) for whatever it was given, and threw halfway when a Symbol, a null-prototype
    /// object or a throwing `toString` would not become a string. After three such calls
    /// the tab hung: the call never returned. Issue #23.)
    pub fn call(&self, verb: JsValue, a: JsValue, b: JsValue) {
        self.run(&verb.as_string().unwrap_or_default(), a, b)
    }
}

impl Widget {
    /// A later `init` read over a copy of the config: the running one stays on an error.
    fn reinit(&self, a: &JsValue) -> Result<(Config, RawConfig), ConfigError> {
        let mut raw = self.raw.borrow().clone();
        read_init(&mut raw, a)?;
        Ok((resolve(raw.clone())?, raw))
    }

    fn run(&self, verb: &str, a: JsValue, b: JsValue) {
        let Some(bridge) = &self.bridge else {
            if verb != "shutdown" {
                env::console_error("Reach Us is not running (see the config error above)");
            }
            return;
        };
        match verb {
            // The clock is read with the open, so the dialog renders once with it.
            "open" | "toggle" => {
                bridge.send(Action::Tick(env::now()));
                bridge.send(if verb == "open" { Action::Open } else { Action::Toggle });
            }
            "close" => bridge.send(Action::Close),
            "prefill" => match prefill_values(&a) {
                Ok(values) => bridge.send(Action::Prefill(values)),
                Err(e) => env::console_error(&format!("Reach Us: {e}")),
            },
            "identify" => {
                let user = if a.is_object() {
                    User::from_value(&read::value(&a))
                } else {
                    Err("identify needs an object like {email: '…', user_id: '…'}".into())
                };
                match user {
                    Ok(u) => bridge.send(Action::Identify(u)),
                    Err(e) => env::console_error(&format!("Reach Us: {e}")),
                }
            }
            "on" => match event_and_fn("on", &a, &b) {
                Ok((event, f)) => bridge.on(event, f),
                Err(e) => env::console_error(&format!("Reach Us: {e}")),
            },
            "off" => match event_and_fn("off", &a, &b) {
                Ok((event, f)) => bridge.off(&event, &f),
                Err(e) => env::console_error(&format!("Reach Us: {e}")),
            },
            "init" => match self.reinit(&a) {
                Ok((config, raw)) => {
                    *self.raw.borrow_mut() = raw;
                    if let Some(root) = &self.root {
                        let _ = style::adopt(root, &config);
                    }
                    let bridge = bridge.clone();
                    with_strings(&self.tables, config, move |config, strings| {
                        bridge.send(Action::Configure(Rc::new(config), Rc::new(strings)))
                    });
                }
                Err(e) => env::console_error(&e.to_string()),
            },
            "shutdown" => self.shutdown(),
            other => env::console_error(&format!(
                "Reach Us: unknown verb \"{other}\"; known: init, open, close, toggle, prefill, identify, on, off, shutdown"
            )),
        }
    }
}

#[wasm_bindgen]
impl Widget {
    /// Unmount the app and drop every listener. The loader then removes the host element.
    pub fn shutdown(&self) {
        if let Mount::Running(app) = self.app.replace(Mount::Down) {
            app.destroy();
        }
        if let Some(bridge) = &self.bridge {
            bridge.clear();
        }
        if let Some(root) = &self.root {
            while let Some(child) = root.first_child() {
                let _ = root.remove_child(&child);
            }
        }
    }
}

//! The JS API bridge: `boot` (called by the loader), the [`Widget`] handle the loader's
//! `ReachUs(...)` forwards to, and the verb table. Verbs reach the yew app as
//! [`Action`]s through a dispatcher slot that the app fills when it mounts; calls that
//! arrive before that wait in order.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use reach_us_core::form::Field;
use reach_us_core::i18n::{negotiate, Strings};
use reach_us_core::{Config, ConfigError, RawConfig};
use wasm_bindgen::prelude::*;
use web_sys::ShadowRoot;
use yew::UseReducerDispatcher;

use crate::app::{App, AppProps};
use crate::edge::{env, style};
use crate::state::{Action, State};

/// Where the app's dispatcher lives once it is mounted.
#[derive(Default)]
pub struct Slot {
    dispatcher: Option<UseReducerDispatcher<State>>,
    pending: Vec<Action>,
}

/// Shared handle to the slot; equal when it is the same slot.
#[derive(Clone, Default)]
pub struct Bridge(Rc<RefCell<Slot>>);

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
    pub fn attach(&self, dispatcher: UseReducerDispatcher<State>) {
        let pending = {
            let mut slot = self.0.borrow_mut();
            slot.dispatcher = Some(dispatcher.clone());
            std::mem::take(&mut slot.pending)
        };
        for a in pending {
            dispatcher.dispatch(a);
        }
    }
}

/// The running widget, as seen from JavaScript.
#[wasm_bindgen]
pub struct Widget {
    bridge: Option<Bridge>,
    raw: RefCell<RawConfig>,
}

fn read_attrs(attrs: &JsValue) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(obj) = attrs.dyn_ref::<Object>() {
        for entry in Object::entries(obj).iter() {
            let pair: Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push((k, v));
            }
        }
    }
    out
}

fn read_init(arg: &JsValue) -> Result<RawConfig, ConfigError> {
    if !arg.is_object() {
        return Err(ConfigError::Shape("ReachUs('init', config) needs a config object".into()));
    }
    serde_wasm_bindgen::from_value(arg.clone()).map_err(|e| ConfigError::Shape(e.to_string()))
}

fn strings_for(config: &Config) -> Strings {
    let candidates = env::locale_candidates(config.locale.as_deref());
    let locale = negotiate(candidates.iter().map(String::as_str));
    Strings::new(locale, config.texts.clone())
}

fn remove_facade(root: &ShadowRoot) {
    if let Ok(Some(el)) = root.query_selector("[data-ru-facade]") {
        el.remove();
    }
}

/// See [`crate::boot`].
pub fn boot(root: ShadowRoot, attrs: JsValue, queue: JsValue) -> Widget {
    let pairs = read_attrs(&attrs);
    let mut raw = match RawConfig::from_attributes(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok((raw, unknown)) => {
            for name in unknown {
                env::console_warn(&format!("Reach Us: ignoring unknown attribute {name} (see the README for the list)"));
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
            let call: Array = match call.dyn_into() {
                Ok(a) => a,
                Err(_) => continue,
            };
            let verb = call.get(0).as_string().unwrap_or_default();
            if verb == "init" {
                match (raw.take(), read_init(&call.get(1))) {
                    (Some(r), Ok(init)) => raw = Some(r.merge(init)),
                    (_, Err(e)) => env::console_error(&e.to_string()),
                    (None, Ok(_)) => {}
                }
            } else {
                later.push((verb, call.get(1), call.get(2)));
            }
        }
    }
    let Some(raw) = raw else {
        remove_facade(&root);
        return Widget { bridge: None, raw: RefCell::default() };
    };
    let config = match Config::from_raw(raw.clone()) {
        Ok(c) => c,
        Err(e) => {
            env::console_error(&e.to_string());
            remove_facade(&root);
            return Widget { bridge: None, raw: RefCell::new(raw) };
        }
    };
    if let Err(e) = style::adopt(&root) {
        env::console_error(&format!("Reach Us: could not apply styles: {e:?}"));
    }
    let strings = strings_for(&config);
    let container = match web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_element("div").ok()) {
        Some(c) => c,
        None => return Widget { bridge: None, raw: RefCell::new(raw) },
    };
    let _ = root.append_child(&container);
    let bridge = Bridge::default();
    let props = AppProps { bridge: bridge.clone(), config: Rc::new(config), strings: Rc::new(strings), root: root.clone() };
    yew::Renderer::<App>::with_root_and_props(container, props).render();
    let widget = Widget { bridge: Some(bridge), raw: RefCell::new(raw) };
    for (verb, a, b) in later {
        widget.call(verb, a, b);
    }
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
    let obj = arg.dyn_ref::<Object>().ok_or("prefill needs an object like {message: '…'}")?;
    let mut out = Vec::new();
    for entry in Object::entries(obj).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        if key == "contact" {
            for sub in ["email", "phone"] {
                if let Some(v) = Reflect::get(&value, &JsValue::from_str(sub)).ok().and_then(|v| v.as_string()) {
                    out.push((field_of(sub).ok_or("unreachable")?, v));
                }
            }
            continue;
        }
        let field = field_of(&key).ok_or_else(|| format!("prefill: unknown field {key:?} (category, message, contact)"))?;
        let text = value.as_string().ok_or_else(|| format!("prefill: {key} must be a string"))?;
        out.push((field, text));
    }
    Ok(out)
}

#[wasm_bindgen]
impl Widget {
    /// Handle one `ReachUs(verb, a, b)` call. Never throws: problems go to the console.
    pub fn call(&self, verb: String, a: JsValue, _b: JsValue) {
        let Some(bridge) = &self.bridge else {
            env::console_error("Reach Us is not running (see the config error above)");
            return;
        };
        match verb.as_str() {
            "open" => bridge.send(Action::Open),
            "close" => bridge.send(Action::Close),
            "toggle" => bridge.send(Action::Toggle),
            "prefill" => match prefill_values(&a) {
                Ok(values) => bridge.send(Action::Prefill(values)),
                Err(e) => env::console_error(&format!("Reach Us: {e}")),
            },
            "init" => match read_init(&a).map(|init| self.raw.borrow().clone().merge(init)).and_then(|raw| {
                Config::from_raw(raw.clone()).map(|c| (c, raw))
            }) {
                Ok((config, raw)) => {
                    *self.raw.borrow_mut() = raw;
                    let strings = strings_for(&config);
                    bridge.send(Action::Configure(Rc::new(config), Rc::new(strings)));
                }
                Err(e) => env::console_error(&e.to_string()),
            },
            other => env::console_error(&format!(
                "Reach Us: unknown verb {other:?}; known: init, open, close, toggle, prefill"
            )),
        }
    }
}

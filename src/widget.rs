//! The running widget: `boot` (called by the loader) validates the config, mounts the yew
//! app once the visitor's strings are there, and returns the [`Widget`] handle that the
//! loader's `ReachUs(...)` forwards verbs to. Verbs reach the app through the
//! [`Bridge`](crate::bridge::Bridge).
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use reach_us_core::payload::User;
use reach_us_core::{Config, ConfigError, RawConfig};
use wasm_bindgen::prelude::*;
use web_sys::ShadowRoot;
use yew::AppHandle;

use crate::app::{App, AppProps};
use crate::args::{event_and_fn, prefill_values, read_attrs, read_init};
use crate::bridge::Bridge;
use crate::edge::i18n::{with_strings, Tables};
use crate::edge::{env, read, style, zone};
use crate::ui::Action;

/// The running widget, as seen from JavaScript.
#[wasm_bindgen]
pub struct Widget {
    /// Set once the app is started (never while the config is invalid).
    bridge: RefCell<Option<Bridge>>,
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
    let widget = Widget {
        bridge: RefCell::new(None),
        raw: RefCell::new(raw.clone().unwrap_or_default()),
        root: Some(root),
        app: Rc::default(),
        tables: Tables::new(glue.as_string()),
    };
    match raw.map(resolve) {
        Some(Ok(config)) => widget.start(config, later),
        Some(Err(e)) => {
            env::console_error(&e.to_string());
            widget.give_up();
        }
        None => widget.give_up(),
    }
    widget
}

impl Widget {
    /// The config is invalid: remove the facade and mark the host element settled but not
    /// running. A later `init` that makes the config valid still starts it.
    fn give_up(&self) {
        if let Some(root) = &self.root {
            remove_facade(root);
            // Settled, not running: `data-error` tells a QA script apart from a mount.
            let _ = root.host().set_attribute("data-error", "config");
            ready(root);
        }
    }

    /// Start the app with a valid config: the calls queued before the code arrived run
    /// first (listeners among them hear `ready`), then it mounts in English (or a locale
    /// already fetched), else once the visitor's table has arrived; calls made meanwhile
    /// wait in the bridge, in order.
    fn start(&self, config: Config, later: Vec<(String, JsValue, JsValue)>) {
        let Some(root) = self.root.clone() else {
            return;
        };
        if let Err(e) = style::adopt(&root, &config) {
            // The exception object itself: the console shows its name, message and stack.
            web_sys::console::error_2(&"Reach Us: could not apply styles:".into(), &e);
        }
        let Some(container) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("div").ok())
        else {
            return self.give_up();
        };
        let _ = root.host().remove_attribute("data-error");
        let bridge = Bridge::new(root.clone());
        *self.bridge.borrow_mut() = Some(bridge.clone());
        for (verb, a, b) in later {
            self.run(&verb, a, b);
        }
        let slot = self.app.clone();
        with_strings(&self.tables, config, move |config, strings| {
            if matches!(*slot.borrow(), Mount::Down) {
                return;
            }
            let _ = root.append_child(&container);
            let props = AppProps {
                bridge: bridge.clone(),
                config: Rc::new(config),
                strings: Rc::new(strings),
                root: root.clone(),
            };
            let handle = yew::Renderer::<App>::with_root_and_props(container, props).render();
            *slot.borrow_mut() = Mount::Running(handle);
            ready(&root);
            let detail = Object::new();
            let _ = Reflect::set(
                &detail,
                &"version".into(),
                &reach_us_core::WIDGET_VERSION.into(),
            );
            bridge.emit("ready", &detail);
        });
    }
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
        let bridge = self.bridge.borrow().clone();
        let Some(bridge) = &bridge else {
            match verb {
                // A later `init` that makes the config valid starts the widget after all
                // (a tag without `data-endpoint`, its backends given once the page is ready).
                "init" => match self.reinit(&a) {
                    Ok((config, raw)) if !matches!(*self.app.borrow(), Mount::Down) => {
                        *self.raw.borrow_mut() = raw;
                        self.start(config, Vec::new());
                    }
                    Ok(_) => {}
                    Err(e) => env::console_error(&e.to_string()),
                },
                "shutdown" => self.shutdown(),
                _ => env::console_error("Reach Us is not running (see the config error above)"),
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
        if let Some(bridge) = &*self.bridge.borrow() {
            bridge.clear();
        }
        if let Some(root) = &self.root {
            while let Some(child) = root.first_child() {
                let _ = root.remove_child(&child);
            }
        }
    }
}

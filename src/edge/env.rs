//! What the page and the browser tell us: clock, randomness, page, time zone, language.
use js_sys::{Date, Intl, Object, Reflect};
use reach_us_core::payload::Page;
use reach_us_core::time::Millis;
use wasm_bindgen::{JsCast, JsValue};

/// Now, in milliseconds since the epoch.
pub fn now() -> Millis {
    Date::now() as Millis
}

/// 16 bytes from `crypto.getRandomValues` (available on plain http too, unlike
/// `crypto.randomUUID`). Falls back to `Math.random` only if the Crypto API is absent.
pub fn random16() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    if !filled {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// The page the visitor is on.
pub fn page() -> Page {
    let Some(window) = web_sys::window() else {
        return Page::default();
    };
    let doc = window.document();
    Page {
        url: window.location().href().unwrap_or_default(),
        title: doc.as_ref().map(|d| d.title()).unwrap_or_default(),
        referrer: doc.as_ref().map(|d| d.referrer()).unwrap_or_default(),
    }
}

/// The visitor's IANA time zone, from `Intl`.
pub fn timezone() -> String {
    let dtf = Intl::DateTimeFormat::new(&js_sys::Array::new(), &Object::new());
    Reflect::get(&dtf.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// Locale candidates in priority order: the config's, the page's `lang`,
/// then `navigator.languages`.
pub fn locale_candidates(configured: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = configured.map(String::from).into_iter().collect();
    if let Some(window) = web_sys::window() {
        if let Some(lang) = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
        {
            out.push(lang);
        }
        for l in window.navigator().languages().iter() {
            if let Some(s) = l.as_string() {
                out.push(s);
            }
        }
    }
    out
}

/// Write to the console as the widget, never throwing.
pub fn console_error(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(msg));
}

/// A console warning as the widget.
pub fn console_warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

/// Focus an element if it is an `HtmlElement`.
pub fn focus(el: &web_sys::Element) {
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    }
}

//! The delivery events the page hears (README "Events"): `delivered {id, reference}` and
//! `failed {id, reason}`, said in one place for the outbox runner and for the one attempt
//! from memory when storage is refused.
use wasm_bindgen::JsValue;

use crate::bridge::Bridge;

fn detail(pairs: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o.into()
}

/// A backend took report `id`; `reference` is the one the visitor was shown.
pub fn delivered(bridge: &Bridge, id: &str, reference: &str) {
    bridge.emit(
        "delivered",
        &detail(&[("id", id), ("reference", reference)]),
    );
}

/// Report `id` will not be delivered, for `reason` ([`reach_us_core::outbox::failed_reason`]).
pub fn failed(bridge: &Bridge, id: &str, reason: &str) {
    bridge.emit("failed", &detail(&[("id", id), ("reason", reason)]));
}

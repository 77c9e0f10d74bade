//! Turn what a page passes to `ReachUs(...)` into the core's plain [`Value`] tree, so the
//! core can read it with errors that name the field.
use js_sys::{Array, Object};
use reach_us_core::value::Value;
use wasm_bindgen::{JsCast, JsValue};

/// Deeper than any config; guards against cyclic objects.
const MAX_DEPTH: u8 = 8;

/// Convert a JS value. Functions, symbols and anything deeper than [`MAX_DEPTH`] become
/// `Null` (absent); the core then reports a missing or mistyped field by name.
pub fn value(js: &JsValue) -> Value {
    convert(js, 0)
}

fn convert(js: &JsValue, depth: u8) -> Value {
    if depth > MAX_DEPTH || js.is_null() || js.is_undefined() {
        return Value::Null;
    }
    if let Some(b) = js.as_bool() {
        return Value::Bool(b);
    }
    if let Some(n) = js.as_f64() {
        return Value::Num(n);
    }
    if let Some(s) = js.as_string() {
        return Value::Str(s);
    }
    if let Some(a) = js.dyn_ref::<Array>() {
        return Value::List(a.iter().map(|v| convert(&v, depth + 1)).collect());
    }
    if js.is_function() {
        return Value::Null;
    }
    match js.dyn_ref::<Object>() {
        Some(o) => Value::Map(
            Object::entries(o)
                .iter()
                .filter_map(|e| {
                    let pair: Array = e.unchecked_into();
                    pair.get(0)
                        .as_string()
                        .map(|k| (k, convert(&pair.get(1), depth + 1)))
                })
                .collect(),
        ),
        None => Value::Null,
    }
}

//! Turn what a page passes to `ReachUs(...)` into the core's plain [`Value`] tree, so the
//! core can read it with errors that name the field.
//!
//! The page's argument may be anything: a Proxy whose traps throw, an object with a
//! throwing getter, a null-prototype object, a revoked Proxy, a sparse array of a billion
//! slots. So this reads it only through `typeof` checks and through calls declared
//! `catch` (a throw becomes an `Err` here instead of unwinding through the wasm, which
//! would leave Rust state half-updated), never with `instanceof` (which runs a Proxy's
//! `getPrototypeOf` trap), and within a bounded budget of values.
use js_sys::{Array, Reflect};
use reach_us_core::value::Value;
use wasm_bindgen::prelude::*;

/// Deeper than any config; guards against cyclic objects.
const MAX_DEPTH: u8 = 8;
/// Most values read from one argument (a config has a few hundred at most).
const MAX_VALUES: u32 = 20_000;
/// What a value that could not be read is called in the error.
const UNREADABLE: &str = "a value that could not be read (it threw)";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn own_keys(o: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
}

/// Convert a JS value. Functions, symbols, BigInts, what cannot be read and what is too
/// large become [`Value::Other`], which every reader refuses naming the field; anything
/// deeper than [`MAX_DEPTH`] becomes `Null` (absent).
pub fn value(js: &JsValue) -> Value {
    convert(js, 0, &mut 0)
}

/// `js[key]`, or None when reading it threw.
pub fn get(js: &JsValue, key: &JsValue) -> Option<JsValue> {
    Reflect::get(js, key).ok()
}

fn convert(js: &JsValue, depth: u8, budget: &mut u32) -> Value {
    *budget += 1;
    if *budget > MAX_VALUES {
        return Value::Other("too large an object");
    }
    if depth > MAX_DEPTH || js.is_null() || js.is_undefined() {
        return Value::Null;
    }
    if js.is_function() {
        return Value::Other("a function");
    }
    if js.is_symbol() {
        return Value::Other("a symbol");
    }
    if js.is_bigint() {
        return Value::Other("a BigInt");
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
    if !js.is_object() {
        return Value::Null;
    }
    let mut read = || -> Option<Value> {
        if is_array(js).ok()? {
            let len = get(js, &"length".into())?.as_f64()?;
            if len > f64::from(MAX_VALUES) {
                return Some(Value::Other("too long an array"));
            }
            let mut out = Vec::with_capacity(len as usize);
            for i in 0..len as u32 {
                out.push(convert(&get(js, &i.into())?, depth + 1, budget));
            }
            return Some(Value::List(out));
        }
        let keys = own_keys(js).ok()?;
        let mut out = Vec::new();
        for k in keys.iter() {
            // A getter that throws costs its own field, named in the error.
            let v =
                get(js, &k).map_or(Value::Other(UNREADABLE), |v| convert(&v, depth + 1, budget));
            out.push((k.as_string()?, v));
        }
        Some(Value::Map(out))
    };
    read().unwrap_or(Value::Other(UNREADABLE))
}

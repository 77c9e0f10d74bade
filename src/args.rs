//! Reading what the page passes in: the tag's `data-*` attributes, a `ReachUs('init', …)`
//! object, `prefill` values, and an `on`/`off` listener. Never trusts a shape: a page's
//! arguments are read through `catch` calls (`edge::read`), and every problem is a message.
use js_sys::{Array, Function, Object};
use reach_us_core::form::Field;
use reach_us_core::value::Value;
use reach_us_core::{ConfigError, RawConfig};
use wasm_bindgen::prelude::*;

use crate::bridge::EVENTS;
use crate::edge::read;

pub(crate) fn entries(obj: &Object) -> Vec<(String, JsValue)> {
    Object::entries(obj)
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.unchecked_into();
            pair.get(0).as_string().map(|k| (k, pair.get(1)))
        })
        .collect()
}

pub(crate) fn read_attrs(attrs: &JsValue) -> Vec<(String, String)> {
    match attrs.dyn_ref::<Object>() {
        Some(obj) => entries(obj)
            .into_iter()
            .filter_map(|(k, v)| v.as_string().map(|v| (k, v)))
            .collect(),
        None => Vec::new(),
    }
}

/// Read a `ReachUs('init', config)` object over `raw` (see [`RawConfig::apply`]).
pub(crate) fn read_init(raw: &mut RawConfig, arg: &JsValue) -> Result<(), ConfigError> {
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

pub(crate) fn field_of(name: &str) -> Option<Field> {
    match name {
        "category" => Some(Field::Category),
        "message" => Some(Field::Message),
        "email" => Some(Field::Email),
        "phone" => Some(Field::Phone),
        _ => None,
    }
}

pub(crate) fn prefill_values(arg: &JsValue) -> Result<Vec<(Field, String)>, String> {
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

pub(crate) fn event_and_fn(
    verb: &str,
    a: &JsValue,
    b: &JsValue,
) -> Result<(String, Function), String> {
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

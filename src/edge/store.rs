//! Receipts kept in the visitor's browser (`localStorage`, one JSON array per site), so a
//! visitor who comes back on another page or another day sees "Your reports". Storage can
//! be missing or full (private modes, quotas): then nothing is kept, and nothing breaks.
use js_sys::JSON;
use reach_us_core::receipts::Receipt;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::edge::read;

/// The storage key (versioned with the schema).
pub const KEY: &str = "reach-us:v1:receipts";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Every readable receipt, newest first. Unreadable entries are skipped, not fatal.
pub fn load() -> Vec<Receipt> {
    let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) else { return Vec::new() };
    let Ok(parsed) = JSON::parse(&text) else { return Vec::new() };
    match read::value(&parsed) {
        reach_us_core::value::Value::List(items) => items.iter().filter_map(|v| Receipt::from_value(v).ok()).collect(),
        _ => Vec::new(),
    }
}

/// Keep `list`. Returns false when the browser would not store it.
pub fn save(list: &[Receipt]) -> bool {
    let Ok(value) = list.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) else { return false };
    let Ok(text) = JSON::stringify(&value) else { return false };
    let text: String = text.into();
    storage().is_some_and(|s| s.set_item(KEY, &text).is_ok())
}

/// Read a JSON body, or None.
pub async fn get_json(url: &str, timeout_ms: u32) -> Option<JsValue> {
    crate::edge::deliver::get_json(url, timeout_ms).await
}

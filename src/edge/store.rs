//! Receipts kept in the visitor's browser (`localStorage`, one JSON array per site), so a
//! visitor who comes back on another page or another day sees "Your reports". Storage can
//! be missing or full (private modes, quotas): then nothing is kept, and nothing breaks.
use js_sys::JSON;
use reach_us_core::json::{self, ToJson};
use reach_us_core::receipts::Receipt;

use reach_us_core::value::Value;

use crate::edge::read;

/// The storage key (versioned with the schema).
pub const KEY: &str = "reach-us:v1:receipts";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A JSON array kept under `key`, each item read back with `parse`; unreadable items (an
/// older or damaged entry) are skipped, not fatal.
pub fn load_list<T>(key: &str, parse: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    let Some(text) = storage().and_then(|s| s.get_item(key).ok().flatten()) else {
        return Vec::new();
    };
    let Ok(parsed) = JSON::parse(&text) else {
        return Vec::new();
    };
    match read::value(&parsed) {
        Value::List(items) => items.iter().filter_map(parse).collect(),
        _ => Vec::new(),
    }
}

/// Keep `list` under `key` as JSON. False when the browser would not store it.
pub fn save_list<T: ToJson>(key: &str, list: &[T]) -> bool {
    storage().is_some_and(|s| s.set_item(key, &json::array(list)).is_ok())
}

/// The flag the loader reads (`localStorage["reach-us"]`): set while this browser has
/// reports waiting to be sent, reports it could not deliver and has not been told of, or
/// receipts still open, so a returning visitor's page loads the widget when idle (pending
/// reports are retried, due times and failures shown) without any intent.
pub const FLAG: &str = "reach-us";

/// Recompute [`FLAG`] from the stored lists.
pub fn mark_returning() {
    let open = load().iter().any(Receipt::open) || !crate::edge::outbox::load().is_empty();
    if let Some(s) = storage() {
        let _ = if open {
            s.set_item(FLAG, "1")
        } else {
            s.remove_item(FLAG)
        };
    }
}

/// Every readable receipt, newest first.
pub fn load() -> Vec<Receipt> {
    load_list(KEY, |v| Receipt::from_value(v).ok())
}

/// Keep the receipts. Returns false when the browser would not store them.
pub fn save(list: &[Receipt]) -> bool {
    let ok = save_list(KEY, list);
    mark_returning();
    ok
}

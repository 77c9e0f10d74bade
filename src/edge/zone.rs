//! Time zones from the browser's `Intl`, which knows every IANA zone: the promise engine's
//! [`Zone`] without shipping a tz database in the wasm.
use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use reach_us_core::promise::{PromiseRule, Zone};
use reach_us_core::time::{days_from_civil, Millis};
use wasm_bindgen::{JsCast, JsValue};

/// An IANA zone backed by `Intl.DateTimeFormat`.
pub struct IntlZone {
    dtf: Intl::DateTimeFormat,
}

impl IntlZone {
    /// The zone, or None when the browser does not know it (`RangeError`). Built once per
    /// zone name (the formatter is the costly part), then shared.
    pub fn new(name: &str) -> Option<IntlZone> {
        let dtf = super::intl::cached(format!("zone {name}"), || {
            let opts = Object::new();
            for (k, v) in [
                ("timeZone", name),
                ("hourCycle", "h23"),
                ("year", "numeric"),
                ("month", "numeric"),
                ("day", "numeric"),
                ("hour", "numeric"),
                ("minute", "numeric"),
                ("second", "numeric"),
            ] {
                let _ = Reflect::set(&opts, &k.into(), &v.into());
            }
            Reflect::get(&js_sys::global(), &"Intl".into())
                .and_then(|intl| Reflect::get(&intl, &"DateTimeFormat".into()))
                .and_then(|c| c.dyn_into::<Function>())
                .and_then(|ctor| {
                    Reflect::construct(&ctor, &Array::of2(&JsValue::from_str("en-US"), &opts))
                })
                .unwrap_or(JsValue::UNDEFINED)
        });
        (!dtf.is_undefined()).then(|| IntlZone {
            dtf: dtf.unchecked_into(),
        })
    }
}

impl Zone for IntlZone {
    fn offset_minutes(&self, utc: Millis) -> i32 {
        let parts = self
            .dtf
            .format_to_parts(&Date::new(&JsValue::from_f64(utc as f64)));
        let mut f = [0i64; 6]; // year, month, day, hour, minute, second
        for p in parts.iter() {
            let kind = Reflect::get(&p, &"type".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let idx = match kind.as_str() {
                "year" => 0,
                "month" => 1,
                "day" => 2,
                "hour" => 3,
                "minute" => 4,
                "second" => 5,
                _ => continue,
            };
            f[idx] = Reflect::get(&p, &"value".into())
                .ok()
                .and_then(|v| v.as_string())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
        }
        let local = days_from_civil(f[0], f[1] as u32, f[2] as u32) * 86_400_000
            + f[3] * 3_600_000
            + f[4] * 60_000
            + f[5] * 1000;
        let utc_s = utc.div_euclid(1000) * 1000;
        ((local - utc_s) / 60_000) as i32
    }
}

/// When a reply under `rule`'s hours within `minutes` (the rule's own, or the live
/// promise's) is due for a report at `now`; None if the zone is unknown
/// (the widget then promises nothing) or the hours never open.
pub fn due(rule: &PromiseRule, now: Millis, minutes: u32) -> Option<Millis> {
    rule.due_within(minutes, now, IntlZone::new)
}

/// The next opening if the team is closed at `now` (None when open or around the clock).
pub fn opens(rule: &PromiseRule, now: Millis) -> Option<Millis> {
    rule.opens(now, IntlZone::new)
}

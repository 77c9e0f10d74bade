//! Durations and instants for humans, formatted by the browser's `Intl` in the visitor's
//! locale and time zone: no hand-written plural or date tables in the wasm.
use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use reach_us_core::time::Millis;
use wasm_bindgen::{JsCast, JsValue};

fn obj(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

fn locales(locale: &str) -> Array {
    Array::of1(&JsValue::from_str(locale))
}

fn unit(locale: &str, value: u32, unit: &str) -> String {
    let nf = Intl::NumberFormat::new(&locales(locale), &obj(&[("style", "unit"), ("unit", unit), ("unitDisplay", "long")]));
    nf.format().call1(&JsValue::NULL, &JsValue::from(value)).ok().and_then(|v| v.as_string()).unwrap_or_else(|| format!("{value} {unit}"))
}

/// "2 hours", "90 minutes", "1 day" ("2小时", "90分钟"…). A mixed duration uses
/// `Intl.DurationFormat` where the browser has it ("1 hour, 30 minutes"), minutes otherwise.
pub fn duration(locale: &str, minutes: u32) -> String {
    if minutes % 1440 == 0 {
        return unit(locale, minutes / 1440, "day");
    }
    if minutes % 60 == 0 {
        return unit(locale, minutes / 60, "hour");
    }
    if minutes > 60 {
        let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).unwrap_or(JsValue::UNDEFINED);
        if let Ok(ctor) = Reflect::get(&intl, &JsValue::from_str("DurationFormat")).and_then(|c| c.dyn_into::<Function>()) {
            let args = Array::of2(&locales(locale), &obj(&[("style", "long")]));
            if let Ok(df) = Reflect::construct(&ctor, &args) {
                let value = Object::new();
                let _ = Reflect::set(&value, &"hours".into(), &JsValue::from(minutes / 60));
                let _ = Reflect::set(&value, &"minutes".into(), &JsValue::from(minutes % 60));
                let format = Reflect::get(&df, &"format".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
                if let Some(s) = format.and_then(|f| f.call1(&df, &value).ok()).and_then(|v| v.as_string()) {
                    return s;
                }
            }
        }
    }
    unit(locale, minutes, "minute")
}

/// An instant in the visitor's time zone: "13:30" when it is today, "Tue 09:30"
/// within a week, "24 Nov, 09:30" beyond.
pub fn when(locale: &str, at: Millis, now: Millis) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    let today = Date::new(&JsValue::from_f64(now as f64));
    let same_day = date.get_full_year() == today.get_full_year() && date.get_month() == today.get_month() && date.get_date() == today.get_date();
    let opts = if same_day {
        obj(&[("hour", "numeric"), ("minute", "2-digit")])
    } else if at - now < 6 * 86_400_000 {
        obj(&[("weekday", "short"), ("hour", "numeric"), ("minute", "2-digit")])
    } else {
        obj(&[("day", "numeric"), ("month", "short"), ("hour", "numeric"), ("minute", "2-digit")])
    };
    let dtf = Intl::DateTimeFormat::new(&locales(locale), &opts);
    dtf.format().call1(&JsValue::NULL, &date).ok().and_then(|v| v.as_string()).unwrap_or_else(|| reach_us_core::time::iso_utc(at))
}

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
    let nf = Intl::NumberFormat::new(
        &locales(locale),
        &obj(&[("style", "unit"), ("unit", unit), ("unitDisplay", "long")]),
    );
    nf.format()
        .call1(&JsValue::NULL, &JsValue::from(value))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("{value} {unit}"))
}

/// "2 hours", "90 minutes", "1 day" ("2小时", "90分钟"…). A mixed duration uses
/// `Intl.DurationFormat` where the browser has it ("1 hour, 30 minutes"), minutes otherwise.
pub fn duration(locale: &str, minutes: u32) -> String {
    if minutes.is_multiple_of(1440) {
        return unit(locale, minutes / 1440, "day");
    }
    if minutes.is_multiple_of(60) {
        return unit(locale, minutes / 60, "hour");
    }
    if minutes > 60 {
        let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl"))
            .unwrap_or(JsValue::UNDEFINED);
        if let Ok(ctor) = Reflect::get(&intl, &JsValue::from_str("DurationFormat"))
            .and_then(|c| c.dyn_into::<Function>())
        {
            let args = Array::of2(&locales(locale), &obj(&[("style", "long")]));
            if let Ok(df) = Reflect::construct(&ctor, &args) {
                let value = Object::new();
                let _ = Reflect::set(&value, &"hours".into(), &JsValue::from(minutes / 60));
                let _ = Reflect::set(&value, &"minutes".into(), &JsValue::from(minutes % 60));
                let format = Reflect::get(&df, &"format".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<Function>().ok());
                if let Some(s) = format
                    .and_then(|f| f.call1(&df, &value).ok())
                    .and_then(|v| v.as_string())
                {
                    return s;
                }
            }
        }
    }
    unit(locale, minutes, "minute")
}

fn local_day(d: &Date) -> i64 {
    reach_us_core::time::days_from_civil(
        i64::from(d.get_full_year()),
        d.get_month() + 1,
        d.get_date(),
    )
}

/// An instant in the visitor's time zone: "today 13:30", "tomorrow 09:00" (words from
/// `Intl.RelativeTimeFormat`), "Tue 09:30" within a week, "24 Nov, 09:30" beyond.
pub fn when(locale: &str, at: Millis, now: Millis) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    let today = Date::new(&JsValue::from_f64(now as f64));
    let diff = local_day(&date) - local_day(&today);
    let opts = if diff == 0 || diff == 1 {
        let time = Intl::DateTimeFormat::new(&locales(locale), &obj(&[("timeStyle", "short")]));
        let time = time
            .format()
            .call1(&JsValue::NULL, &date)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let rtf = Intl::RelativeTimeFormat::new(&locales(locale), &obj(&[("numeric", "auto")]));
        let day = rtf.format(diff as f64, "day");
        return format!("{} {}", String::from(day), time);
    } else if at - now < 6 * 86_400_000 {
        obj(&[
            ("weekday", "short"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
        ])
    } else {
        obj(&[
            ("day", "numeric"),
            ("month", "short"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
        ])
    };
    let dtf = Intl::DateTimeFormat::new(&locales(locale), &opts);
    dtf.format()
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| reach_us_core::time::iso_utc(at))
}

/// A wall-clock time in another zone with its name: "09:00 GMT+8".
pub fn clock_in(locale: &str, at: Millis, time_zone: &str) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    let opts = obj(&[
        ("hour", "numeric"),
        ("minute", "2-digit"),
        ("timeZone", time_zone),
        ("timeZoneName", "short"),
    ]);
    let ctor = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|i| Reflect::get(&i, &"DateTimeFormat".into()))
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok());
    let dtf = ctor.and_then(|c| Reflect::construct(&c, &Array::of2(&locales(locale), &opts)).ok());
    dtf.and_then(|d| {
        Reflect::get(&d, &"format".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call1(&d, &date).ok())
    })
    .and_then(|v| v.as_string())
    .unwrap_or_default()
}

/// A wall-clock time in the visitor's zone: "10:00".
pub fn clock(locale: &str, at: Millis) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    let dtf = Intl::DateTimeFormat::new(&locales(locale), &obj(&[("timeStyle", "short")]));
    dtf.format()
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// "in 43 minutes", "in 2 hours", "in 3 days" (`Intl.RelativeTimeFormat`).
pub fn relative(locale: &str, ms: Millis) -> String {
    let minutes = (ms as f64 / 60_000.0).round().max(1.0);
    let (value, unit) = if minutes < 90.0 {
        (minutes, "minute")
    } else if minutes < 36.0 * 60.0 {
        ((minutes / 60.0).round(), "hour")
    } else {
        ((minutes / 1440.0).round(), "day")
    };
    let rtf = Intl::RelativeTimeFormat::new(&locales(locale), &obj(&[("numeric", "always")]));
    rtf.format(value, unit).into()
}

/// A share as a percentage: "97%".
pub fn percent(locale: &str, ratio: f64) -> String {
    let nf = Intl::NumberFormat::new(
        &locales(locale),
        &obj(&[("style", "percent"), ("maximumFractionDigits", "0")]),
    );
    nf.format()
        .call1(&JsValue::NULL, &JsValue::from_f64(ratio))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A length of time rounded up to whole minutes, in the largest sensible unit.
pub fn span(locale: &str, ms: Millis) -> String {
    let minutes = ((ms + 59_999) / 60_000).max(1) as u32;
    if minutes >= 120 && !minutes.is_multiple_of(60) && minutes < 48 * 60 {
        return unit(locale, (minutes + 30) / 60, "hour");
    }
    duration(locale, minutes)
}

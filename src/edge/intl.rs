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

thread_local! {
    /// Formatters already built, by what they format and for which locale: building an
    /// `Intl` formatter costs far more than using one, and a render (every keystroke)
    /// would otherwise build several. A list: a dozen entries at most in a session.
    static FORMATTERS: std::cell::RefCell<Vec<(String, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The formatter for `key` (what it formats and the locale), built by `make` once.
pub(crate) fn cached(key: String, make: impl FnOnce() -> JsValue) -> JsValue {
    if let Some(f) = FORMATTERS.with(|c| {
        c.borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, f)| f.clone())
    }) {
        return f;
    }
    let f = make();
    FORMATTERS.with(|c| c.borrow_mut().push((key, f.clone())));
    f
}

/// Format `value` with a cached formatter's bound `format` function.
fn format_with(formatter: &JsValue, value: &JsValue) -> Option<String> {
    let format: Function = Reflect::get(formatter, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    format.call1(formatter, value).ok()?.as_string()
}

fn date_format(locale: &str, key: &str, opts: &[(&str, &str)]) -> JsValue {
    cached(format!("dtf {key} {locale}"), || {
        Intl::DateTimeFormat::new(&locales(locale), &obj(opts)).into()
    })
}

fn relative_format(locale: &str, numeric: &str) -> Intl::RelativeTimeFormat {
    cached(format!("rtf {numeric} {locale}"), || {
        Intl::RelativeTimeFormat::new(&locales(locale), &obj(&[("numeric", numeric)])).into()
    })
    .unchecked_into()
}

fn unit(locale: &str, value: u32, unit: &str) -> String {
    let nf = cached(format!("unit {unit} {locale}"), || {
        Intl::NumberFormat::new(
            &locales(locale),
            &obj(&[("style", "unit"), ("unit", unit), ("unitDisplay", "long")]),
        )
        .into()
    });
    format_with(&nf, &JsValue::from(value)).unwrap_or_else(|| format!("{value} {unit}"))
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
        // Undefined where the browser has no `Intl.DurationFormat`.
        let df = cached(format!("duration {locale}"), || {
            let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl"))
                .unwrap_or(JsValue::UNDEFINED);
            Reflect::get(&intl, &JsValue::from_str("DurationFormat"))
                .and_then(|c| c.dyn_into::<Function>())
                .and_then(|ctor| {
                    Reflect::construct(
                        &ctor,
                        &Array::of2(&locales(locale), &obj(&[("style", "long")])),
                    )
                })
                .unwrap_or(JsValue::UNDEFINED)
        });
        if !df.is_undefined() {
            let value = Object::new();
            let _ = Reflect::set(&value, &"hours".into(), &JsValue::from(minutes / 60));
            let _ = Reflect::set(&value, &"minutes".into(), &JsValue::from(minutes % 60));
            if let Some(s) = format_with(&df, &value) {
                return s;
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
    let dtf = if diff == 0 || diff == 1 {
        let time = format_with(
            &date_format(locale, "short-time", &[("timeStyle", "short")]),
            &date,
        )
        .unwrap_or_default();
        let day = relative_format(locale, "auto").format(diff as f64, "day");
        return format!("{} {}", String::from(day), time);
    } else if at - now < 6 * 86_400_000 {
        date_format(
            locale,
            "weekday",
            &[
                ("weekday", "short"),
                ("hour", "numeric"),
                ("minute", "2-digit"),
            ],
        )
    } else {
        date_format(
            locale,
            "date",
            &[
                ("day", "numeric"),
                ("month", "short"),
                ("hour", "numeric"),
                ("minute", "2-digit"),
            ],
        )
    };
    format_with(&dtf, &date).unwrap_or_else(|| reach_us_core::time::iso_utc(at))
}

/// A wall-clock time in another zone with its name: "09:00 GMT+8".
pub fn clock_in(locale: &str, at: Millis, time_zone: &str) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    // Undefined for a zone the browser does not know (a RangeError, caught).
    let dtf = cached(format!("clock-in {time_zone} {locale}"), || {
        let opts = obj(&[
            ("hour", "numeric"),
            ("minute", "2-digit"),
            ("timeZone", time_zone),
            ("timeZoneName", "short"),
        ]);
        Reflect::get(&js_sys::global(), &"Intl".into())
            .and_then(|i| Reflect::get(&i, &"DateTimeFormat".into()))
            .and_then(|c| c.dyn_into::<Function>())
            .and_then(|c| Reflect::construct(&c, &Array::of2(&locales(locale), &opts)))
            .unwrap_or(JsValue::UNDEFINED)
    });
    if dtf.is_undefined() {
        return String::new();
    }
    format_with(&dtf, &date).unwrap_or_default()
}

/// A wall-clock time in the visitor's zone: "10:00".
pub fn clock(locale: &str, at: Millis) -> String {
    let date = Date::new(&JsValue::from_f64(at as f64));
    format_with(
        &date_format(locale, "short-time", &[("timeStyle", "short")]),
        &date,
    )
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
    relative_format(locale, "always").format(value, unit).into()
}

/// A share as a percentage: "97%".
pub fn percent(locale: &str, ratio: f64) -> String {
    let nf = cached(format!("percent {locale}"), || {
        Intl::NumberFormat::new(
            &locales(locale),
            &obj(&[("style", "percent"), ("maximumFractionDigits", "0")]),
        )
        .into()
    });
    format_with(&nf, &JsValue::from_f64(ratio)).unwrap_or_default()
}

/// A length of time rounded up to whole minutes, in the largest sensible unit.
pub fn span(locale: &str, ms: Millis) -> String {
    let minutes = ((ms + 59_999) / 60_000).max(1) as u32;
    if minutes >= 120 && !minutes.is_multiple_of(60) && minutes < 48 * 60 {
        return unit(locale, (minutes + 30) / 60, "hour");
    }
    duration(locale, minutes)
}

/// Build, ahead of need, the formatters the open dialog uses (the promise line's due time
/// and duration, "Your reports" countdowns) and the brand's time zones, one per task, then
/// call `then`: the first `Intl.DateTimeFormat` of a page costs tens of milliseconds (ICU
/// loads the locale's patterns), which would otherwise land on the click that opens the
/// dialog; one per task, so a click that comes meanwhile waits for one formatter at most.
pub fn warm(locale: String, zones: Vec<String>, step: usize, then: Box<dyn FnOnce()>) {
    gloo::timers::callback::Timeout::new(0, move || {
        let now = js_sys::Date::now() as Millis;
        let l = locale.as_str();
        match step {
            0 => drop(date_format(l, "short-time", &[("timeStyle", "short")])),
            1 => drop(relative_format(l, "auto")),
            2 => drop(duration(l, 60)),
            3 => drop(duration(l, 1)),
            4 => drop(relative_format(l, "always")),
            n => match zones.get(n - 5) {
                Some(tz) => {
                    let _ = crate::edge::zone::IntlZone::new(tz);
                    let _ = clock_in(l, now, tz);
                }
                None => return then(),
            },
        }
        warm(locale, zones, step + 1, then)
    })
    .forget();
}

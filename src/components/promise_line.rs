//! The promise before sending, for the chosen category, in the visitor's own time:
//! "We reply within 2 hours of business hours: by today 11:30 (your time)." or, when the
//! team is closed, when it opens (in the brand's zone and the visitor's) and the due time.
use std::cell::RefCell;
use std::rc::Rc;

use reach_us_core::i18n::{Msg, Strings};
use reach_us_core::promise::PromiseRule;
use reach_us_core::time::Millis;
use reach_us_core::Config;
use yew::prelude::*;

use crate::edge::{intl, zone};
use crate::ui::State;

/// The line last computed and what it was computed from: the config (held, so its address
/// cannot be reused by another), the category, the visitor's language and the minute. A
/// render (every keystroke) reuses it; the engine and the formatters run again only when
/// one of those changes.
struct Last {
    config: Rc<Config>,
    category: String,
    locale: &'static str,
    format: String,
    minute: Millis,
    /// The live promise's minutes (0: as configured).
    surge: u32,
    line: Option<(String, Millis)>,
}

thread_local! {
    static LAST: RefCell<Option<Last>> = const { RefCell::new(None) };
}

/// The text and the due time (None when no promise can be backed: unknown zone, no hours);
/// `busy`: the promise was widened for the backlog, and the line says so first.
fn compute(
    s: &Strings,
    rule: &PromiseRule,
    minutes: u32,
    now: Millis,
    busy: bool,
) -> Option<(String, Millis)> {
    let locale = s.format_locale();
    let due = zone::due(rule, now, minutes)?;
    let due_text = intl::when(locale, due, now);
    let text = match (zone::opens(rule, now), rule.time_zone.as_deref()) {
        (Some(at), Some(tz)) => s.fmt(
            Msg::PromiseClosed,
            &[
                ("opens", &intl::clock_in(locale, at, tz)),
                ("opens_local", &intl::clock(locale, at)),
                ("due", &due_text),
            ],
        ),
        _ => s.fmt(
            if rule.business() {
                Msg::PromiseBusiness
            } else {
                Msg::PromiseDue
            },
            &[
                ("duration", &intl::duration(locale, minutes)),
                ("due", &due_text),
            ],
        ),
    };
    let text = if busy {
        format!("{} {text}", s.get(Msg::Busy))
    } else {
        text
    };
    Some((text, due))
}

/// The promise line (nothing when no promise can be backed).
pub fn promise_line(state: &State) -> Html {
    let s = &state.strings;
    let Some((rule, minutes, busy)) = crate::live::rule(state, &state.form.category) else {
        return html! {};
    };
    let surge = if busy { minutes } else { 0 };
    let now = state.now;
    let minute = now.div_euclid(60_000);
    let line = LAST.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some(l)
                if l.minute == minute
                    && l.locale == s.locale()
                    && l.format == s.format_locale()
                    && Rc::ptr_eq(&l.config, &state.config)
                    && l.category == state.form.category
                    && l.surge == surge =>
            {
                l.line.clone()
            }
            _ => {
                let line = compute(s, rule, minutes, now, busy);
                *last = Some(Last {
                    config: state.config.clone(),
                    category: state.form.category.clone(),
                    locale: s.locale(),
                    format: s.format_locale().to_string(),
                    minute,
                    surge,
                    line: line.clone(),
                });
                line
            }
        }
    });
    let Some((text, due)) = line else {
        return html! {};
    };
    html! { <p class="ru-promise" data-ru-busy={busy.then_some("")} data-ru-due={reach_us_core::time::iso_utc(due)}>{ text }</p> }
}

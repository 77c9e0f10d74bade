//! The promise before sending, for the chosen category, in the visitor's own time:
//! "We reply within 2 hours of business hours: by today 11:30 (your time)." or, when the
//! team is closed, when it opens (in the brand's zone and the visitor's) and the due time.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::edge::{env, intl, zone};
use crate::state::State;

/// The promise line (nothing when no promise can be backed).
pub fn promise_line(state: &State) -> Html {
    let s = &state.strings;
    let locale = s.format_locale();
    let Some(rule) = state.config.rule_for(&state.form.category) else {
        return html! {};
    };
    let now = env::now();
    let Some(due) = zone::due(rule, now) else {
        return html! {};
    };
    let duration = intl::duration(locale, rule.minutes);
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
            &[("duration", &duration), ("due", &due_text)],
        ),
    };
    html! { <p class="ru-promise" data-ru-due={reach_us_core::time::iso_utc(due)}>{ text }</p> }
}

//! The receipt: the reference to keep, when it was sent, and the promise again with its
//! concrete due time in the visitor's own time zone.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::edge::intl;
use crate::ui::{Accepted, Action, Ui};

/// The receipt view for what was accepted.
pub fn receipt_view(state: &UseReducerHandle<Ui>, r: &Accepted) -> Html {
    let s = &state.strings;
    let locale = s.format_locale();
    // The promise made: the report's own (the live one when it was widened), with the due
    // time the backend answered when it gave one.
    let made = state
        .attempt
        .as_ref()
        .and_then(|(_, rep)| rep.promise.as_ref())
        .map(|p| p.respond_within_minutes);
    let promise = match (state.config.rule_for(&state.form.category), r.due_at) {
        (Some(p), Some(due)) => Some((
            s.fmt(
                Msg::ReceiptPromise,
                &[
                    (
                        "duration",
                        &intl::duration(locale, made.unwrap_or(p.minutes)),
                    ),
                    ("due", &intl::when(locale, due, state.now)),
                ],
            ),
            reach_us_core::time::iso_utc(due),
        )),
        _ => None,
    };
    let again = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Reset))
    };
    let done = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Close))
    };
    html! {
        <div class="ru-receipt">
            <h3>{ s.get(Msg::ReceiptTitle) }</h3>
            <div>
                <p class="ru-label" id="ru-ref-label">{ s.get(Msg::ReceiptReference) }</p>
                <p class="ru-ref" aria-labelledby="ru-ref-label" data-ru-reference={r.reference.clone()}>{ r.reference.clone() }</p>
            </div>
            if let Some((p, due)) = promise {
                <p class="ru-promise" data-ru-due={due}>{ p }</p>
            }
            <p class="ru-hint">{ s.get(Msg::ReceiptKeep) }</p>
            <div class="ru-actions">
                <button type="button" class="ru-send" data-ru-autofocus="" onclick={done}>{ s.get(Msg::Done) }</button>
                <button type="button" class="ru-secondary" onclick={again}>{ s.get(Msg::NewReport) }</button>
            </div>
        </div>
    }
}

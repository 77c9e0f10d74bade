//! "Saved — we'll send it when you're back online": the report is in the outbox and will
//! be delivered by this or a later page; the promise clock started when it was saved.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::edge::intl;
use crate::ui::{Action, Ui};

/// The saved-not-yet-delivered view (`offline`: the browser is offline).
pub fn queued_view(state: &UseReducerHandle<Ui>, offline: bool) -> Html {
    let s = &state.strings;
    let loc = s.format_locale();
    let Some((_, report)) = &state.attempt else {
        return html! {};
    };
    let done = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Close))
    };
    let again = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Reset))
    };
    let promise = match (state.config.rule_for(&report.category), report.due_millis()) {
        (Some(p), Some(due)) => Some(s.fmt(
            Msg::ReceiptPromise,
            &[
                ("duration", &intl::duration(loc, p.minutes)),
                ("due", &intl::when(loc, due, state.now)),
            ],
        )),
        _ => None,
    };
    html! {
        <div class="ru-receipt ru-queued">
            <p class="ru-queued-text">{ s.get(if offline { Msg::QueuedOffline } else { Msg::QueuedRetry }) }</p>
            <div>
                <p class="ru-label" id="ru-ref-label">{ s.get(Msg::ReceiptReference) }</p>
                <p class="ru-ref" aria-labelledby="ru-ref-label">{ report.reference.clone() }</p>
            </div>
            if let Some(p) = promise {
                <p class="ru-promise">{ p }</p>
            }
            <div class="ru-actions">
                <button type="button" class="ru-send" data-ru-autofocus="" onclick={done}>{ s.get(Msg::Done) }</button>
                <button type="button" class="ru-secondary" onclick={again}>{ s.get(Msg::NewReport) }</button>
            </div>
        </div>
    }
}

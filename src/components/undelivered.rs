//! "Not delivered": reports the outbox gave up on — refused by the backend, or still not
//! taken when retention ran out — also those that failed while the visitor was on another
//! page. Each keeps the visitor's text (copy it, or email it when the brand gave an
//! address) until they dismiss it; nothing leaves the browser's storage unseen.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::components::report_form::failure_text;
use crate::edge::outbox;
use crate::hooks::use_outbox::undelivered;
use crate::ui::SendError;
use crate::ui::{Action, Phase, Ui};

/// The list (nothing when there is nothing to tell).
pub fn undelivered_list(state: &UseReducerHandle<Ui>) -> Html {
    let s = &state.strings;
    // The report the form is showing as failed is told there, with its text in the field.
    let in_form = match (&state.phase, &state.attempt) {
        (Phase::Failed(_), Some((_, r))) => Some(r.id.as_str()),
        _ => None,
    };
    let items: Vec<_> = state
        .undelivered
        .iter()
        .filter(|u| Some(u.id.as_str()) != in_form)
        .collect();
    if items.is_empty() {
        return html! {};
    }
    html! {
        <section class="ru-reports ru-undelivered" aria-labelledby="ru-undelivered-title">
            <h3 id="ru-undelivered-title" class="ru-label">{ s.get(Msg::UndeliveredTitle) }</h3>
            <ul class="ru-report-list">
                { for items.into_iter().map(|u| {
                    let why = failure_text(s, &u.status.map(SendError::Status).unwrap_or(SendError::Timeout));
                    let ref_id = format!("ru-u-{}", u.id);
                    let copy = {
                        let text = u.message.clone();
                        Callback::from(move |_| {
                            if let Some(w) = web_sys::window() {
                                let _ = w.navigator().clipboard().write_text(&text);
                            }
                        })
                    };
                    let dismiss = {
                        let (id, dispatcher) = (u.id.clone(), state.dispatcher());
                        Callback::from(move |_| {
                            outbox::forget(&id);
                            dispatcher.dispatch(Action::Undelivered(undelivered()));
                        })
                    };
                    let mailto = state.config.fallback_email.as_ref().map(|to| {
                        let subject = js_sys::encode_uri_component(&format!("{} {}", s.get(Msg::Title), u.reference));
                        format!("mailto:{to}?subject={subject}&body={}", js_sys::encode_uri_component(&u.message))
                    });
                    html! {
                        <li class="ru-report" data-ru-undelivered={u.id.clone()}>
                            <span class="ru-report-ref" id={ref_id.clone()}>{ u.reference.clone() }</span>
                            <span class="ru-verdict" data-v="over">{ why }</span>
                            <p class="ru-reply">{ u.message.clone() }</p>
                            <div class="ru-actions">
                                <button type="button" class="ru-secondary ru-small" aria-describedby={ref_id.clone()} onclick={copy}>{ s.get(Msg::CopyText) }</button>
                                if let Some(href) = mailto {
                                    <a class="ru-secondary ru-small ru-link-button" aria-describedby={ref_id.clone()} href={href}>{ s.get(Msg::EmailUs) }</a>
                                }
                                <button type="button" class="ru-secondary ru-small" aria-describedby={ref_id} onclick={dismiss}>{ s.get(Msg::Dismiss) }</button>
                            </div>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

//! The dialog: `role="dialog"`, `aria-modal="true"`, named by its title; Escape closes,
//! Tab stays inside; a polite live region announces sending, failure and delivery. Once the
//! app has primed it, it stays in the DOM, `hidden` while closed.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::components::notice_banner::notice_banner;
use crate::components::queued::queued_view;
use crate::components::receipt::receipt_view;
use crate::components::report_form::report_form;
use crate::components::undelivered::undelivered_list;
use crate::components::your_reports::your_reports;
use crate::ui::{Action, Phase, Ui};

/// The dialog; `node_ref` is for focus management, `trap` the keydown handler that keeps
/// Tab inside (the app's `use_focus_trap`), `send` and `link` the app's Send paths.
pub fn dialog(
    state: &UseReducerHandle<Ui>,
    node_ref: &NodeRef,
    trap: Callback<KeyboardEvent>,
    send: Callback<()>,
    link: Callback<(String, String)>,
) -> Html {
    let s = &state.strings;
    let onkeydown = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                e.stop_propagation();
                dispatcher.dispatch(Action::Close);
            } else {
                trap.emit(e);
            }
        })
    };
    let close = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Close))
    };
    let title = match state.config.brand.as_deref() {
        Some(brand) => s.fmt(Msg::TitleBrand, &[("brand", brand)]),
        None => s.get(Msg::Title).to_string(),
    };
    let status = match &state.phase {
        Phase::Sending => s.get(Msg::Sending).to_string(),
        Phase::Sent(_) => s.get(Msg::ReceiptTitle).to_string(),
        Phase::Queued { offline: true } => s.get(Msg::QueuedOffline).to_string(),
        Phase::Queued { offline: false } => s.get(Msg::QueuedRetry).to_string(),
        _ => String::new(),
    };
    html! {
        <div ref={node_ref.clone()} class="ru-dialog" role="dialog" aria-modal="true" aria-labelledby="ru-title" hidden={!state.open} {onkeydown}>
            <div class="ru-head">
                <h2 id="ru-title" class="ru-title">{ title }</h2>
                <button type="button" class="ru-close" aria-label={s.get(Msg::Close).to_string()} onclick={close}>
                    <span aria-hidden="true">{ "×" }</span>
                </button>
            </div>
            <div class="ru-body">
                <p class="ru-sr" role="status" aria-live="polite">{ status }</p>
                { notice_banner(state) }
                if let Phase::Sent(receipt) = &state.phase {
                    { receipt_view(state, receipt) }
                } else if let Phase::Queued { offline } = &state.phase {
                    { queued_view(state, *offline) }
                } else {
                    { undelivered_list(state) }
                    // Only while open: what its live region has told starts afresh on
                    // each open (the reducer forgets it on close).
                    if state.open {
                        { your_reports(state) }
                    }
                    { report_form(state, send, link) }
                }
            </div>
        </div>
    }
}

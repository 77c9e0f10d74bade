//! The dialog: `role="dialog"`, `aria-modal="true"`, named by its title; Escape closes,
//! Tab stays inside; a polite live region announces sending, failure and delivery.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::components::notice_banner::NoticeBanner;
use crate::components::queued::QueuedView;
use crate::components::receipt::ReceiptView;
use crate::components::report_form::ReportForm;
use crate::components::undelivered::UndeliveredList;
use crate::components::your_reports::YourReports;
use crate::hooks::use_focus_trap::use_focus_trap;
use crate::state::{Action, Phase, State};

/// Dialog props.
#[derive(Properties, PartialEq)]
pub struct DialogProps {
    /// For focus management.
    pub node_ref: NodeRef,
    /// The app state.
    pub state: UseReducerHandle<State>,
}

/// The dialog.
#[function_component(Dialog)]
pub fn dialog(props: &DialogProps) -> Html {
    let state = &props.state;
    let s = &state.strings;
    let trap = use_focus_trap(props.node_ref.clone());
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
        <div ref={props.node_ref.clone()} class="ru-dialog" role="dialog" aria-modal="true" aria-labelledby="ru-title" {onkeydown}>
            <div class="ru-head">
                <h2 id="ru-title" class="ru-title">{ title }</h2>
                <button type="button" class="ru-close" aria-label={s.get(Msg::Close).to_string()} onclick={close}>
                    <span aria-hidden="true">{ "×" }</span>
                </button>
            </div>
            <div class="ru-body">
                <p class="ru-sr" role="status" aria-live="polite">{ status }</p>
                <NoticeBanner state={state.clone()} />
                if let Phase::Sent(receipt) = &state.phase {
                    <ReceiptView receipt={receipt.clone()} state={state.clone()} />
                } else if let Phase::Queued { offline } = &state.phase {
                    <QueuedView state={state.clone()} offline={*offline} />
                } else {
                    <UndeliveredList state={state.clone()} />
                    <YourReports state={state.clone()} />
                    <ReportForm state={state.clone()} />
                }
            </div>
        </div>
    }
}

//! The Send path: validate in the core, build the report, attempt delivery, and turn
//! the outcome into actions. The visitor's text stays in the state throughout.
use std::rc::Rc;

use reach_us_core::defaults;
use reach_us_core::form::validate;
use reach_us_core::payload::{Context, Report};
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::edge::{deliver, env, store, zone};
use reach_us_core::receipts;
use crate::error::SendError;
use crate::state::{Action, Phase, Receipt, State};

/// A callback that sends the current form.
#[hook]
pub fn use_send(state: UseReducerHandle<State>) -> Callback<()> {
    let bridge = use_context::<Bridge>().unwrap_or_default();
    Callback::from(move |_| {
        if matches!(state.phase, Phase::Sending | Phase::Sent(_)) {
            return;
        }
        let form = match validate(&state.form, &state.config) {
            Ok(f) => f,
            Err(errors) => return state.dispatch(Action::Rejected(errors)),
        };
        // A retry of the same text is the same report: same id, same Idempotency-Key,
        // same promise clock. Edited text is a new report.
        let report = state.retry().unwrap_or_else(|| {
            let now = env::now();
            // The promise clock starts now, at first save; the engine counts the
            // category's business hours in the brand's zone.
            let due = state.config.rule_for(&form.category).and_then(|rule| zone::due(rule, now));
            let ctx = Context { random: env::random16(), now, page: env::page(), locale: state.strings.locale().to_string(), timezone: env::timezone(), user: None, due };
            Rc::new(Report::build(form, &state.config, Context { user: state.user.clone(), ..ctx }))
        });
        let now = report.created_millis();
        let endpoint = state.config.endpoint.clone();
        let dispatcher = state.dispatcher();
        dispatcher.dispatch(Action::Sending(report.clone()));
        bridge.emit("submit", &deliver::to_js(&report));
        let bridge = bridge.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match deliver::post(&endpoint, &report, defaults::SEND_TIMEOUT_MS).await {
                Ok(server_ref) => {
                    let receipt = Receipt {
                        id: report.id.clone(),
                        reference: server_ref.unwrap_or_else(|| report.reference.clone()),
                        created_at: now,
                        due_at: report.due_millis(),
                    };
                    bridge.emit("delivered", &detail(&[("id", &receipt.id), ("reference", &receipt.reference)]));
                    // Kept in this browser for "Your reports" (re-read: another tab may have added some).
                    let mut list = store::load();
                    receipts::remember(&mut list, receipts::Receipt::new(&receipt.id, &receipt.reference, &report.category, report.created_millis(), receipt.due_at));
                    store::save(&list);
                    dispatcher.dispatch(Action::Receipts(Rc::new(list)));
                    dispatcher.dispatch(Action::Delivered(receipt));
                }
                Err(e) => {
                    let reason = match &e {
                        SendError::Network => "network".to_string(),
                        SendError::Timeout => "timeout".to_string(),
                        SendError::Status(s) => format!("http_{s}"),
                        SendError::Encode(_) => "encode".to_string(),
                    };
                    bridge.emit("failed", &detail(&[("id", &report.id), ("reason", &reason)]));
                    dispatcher.dispatch(Action::Failed(e));
                }
            }
        });
    })
}

/// A small `{key: "value"}` object for an event detail.
fn detail(pairs: &[(&str, &str)]) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o.into()
}

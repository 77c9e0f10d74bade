//! The Send path: validate in the core, build the report, save it in the outbox BEFORE
//! any network attempt, and kick the outbox runner, which delivers it (and retries it
//! until a backend takes it). The visitor's text stays in the state throughout.
use std::rc::Rc;

use reach_us_core::backend::Format;
use reach_us_core::form::validate;
use reach_us_core::json::ToJson;
use reach_us_core::outbox::{Entry, State as Sent};
use reach_us_core::payload::{Context, Report};
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::components::attachments::FileOp;
use crate::edge::outbox::{self, SaveError};
use crate::edge::{deliver, env, zone};
use crate::ui::SendError;
use crate::ui::{Accepted, Action, Phase, Ui};

/// A callback that sends the current form; `bridge` is the page's side, for the events.
/// (A plain function, not a hook: it keeps no state of its own between renders.)
pub fn on_send(state: UseReducerHandle<Ui>, bridge: Bridge) -> Callback<()> {
    Callback::from(move |_| {
        if matches!(
            state.phase,
            Phase::Sending | Phase::Sent(_) | Phase::Queued { .. }
        ) || state.files.preparing()
        {
            return; // (a file still being prepared: Send is marked disabled until it is ready)
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
            let due = state
                .config
                .rule_for(&form.category)
                .and_then(|rule| zone::due(rule, now));
            let ctx = Context {
                random: env::random16(),
                now,
                page: env::page().tidy(state.config.page_url_full),
                locale: state.strings.locale().to_string(),
                timezone: env::timezone(),
                user: state.user.clone(),
                due,
            };
            Rc::new(Report::build(form, &state.config, ctx))
        });
        let dispatcher = state.dispatcher();
        // Files: described in the body (fixed for every attempt) and staged under the
        // report's id (IndexedDB write started) before the outbox entry is written.
        let files = state.files.ready();
        let policy = &state.config.attachments;
        let total: u64 = files.iter().map(|f| f.meta.size).sum();
        if total > u64::from(policy.max_total_bytes) {
            let name = files
                .last()
                .map(|f| f.meta.name.clone())
                .unwrap_or_default();
            let refuse = reach_us_core::attachments::Refusal::Total;
            return dispatcher.dispatch(Action::File(FileOp::Refuse(refuse, name)));
        }
        let metas: Vec<_> = files.iter().map(|f| f.meta.clone()).collect();
        let body = reach_us_core::attachments::describe(&report.to_json(), &metas);
        if !files.is_empty() {
            crate::edge::files::stage(&report.id, Rc::new(files));
        }
        let plan = outbox::Plan::of(&state.config);
        // With a `callback` backend the `submit` listeners ARE the delivery (called by the
        // outbox, once per attempt); otherwise `submit` tells the page a report was sent.
        let notify = |bridge: &Bridge| {
            if !plan.backends.iter().any(|b| b.format == Format::Callback) {
                bridge.emit("submit", &deliver::to_js(&body));
            }
        };
        match outbox::enqueue(
            &report.id,
            body.clone(),
            report.created_millis(),
            &plan.policy,
        ) {
            Err(SaveError::Limit(e)) => dispatcher.dispatch(Action::Failed(SendError::Limit(e))),
            Ok(()) => {
                dispatcher.dispatch(Action::Sending(report.clone()));
                notify(&bridge);
                bridge.kick();
            }
            Err(SaveError::Storage) => {
                // The browser would not store it (private mode, quota): one attempt from
                // memory, and the visitor is told if it fails, with their text intact.
                dispatcher.dispatch(Action::Sending(report.clone()));
                notify(&bridge);
                let bridge = bridge.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    // One round through the backends, from memory, by the same rules.
                    let mut entry = Entry::new(&report.id, body, report.created_millis());
                    while entry.pending() && entry.next_at <= env::now() {
                        outbox::attempt(&mut entry, &plan, &bridge).await;
                    }
                    // The page hears the outcome as from the outbox: `delivered`, or
                    // `failed` (`http_<status>`, or `network` when no backend answered).
                    let phase = match entry.state {
                        Sent::Delivered { reference } => {
                            let reference = reference.unwrap_or_else(|| report.reference.clone());
                            crate::events::delivered(&bridge, &report.id, &reference);
                            Phase::Sent(Accepted {
                                id: report.id.clone(),
                                reference,
                                created_at: report.created_millis(),
                                due_at: report.due_millis(),
                            })
                        }
                        Sent::Failed { status: Some(s) } => {
                            let reason = reach_us_core::outbox::failed_reason(Some(s), false);
                            crate::events::failed(&bridge, &report.id, &reason);
                            Phase::Failed(SendError::Status(s))
                        }
                        _ => {
                            let reason = reach_us_core::outbox::failed_reason(None, false);
                            crate::events::failed(&bridge, &report.id, &reason);
                            Phase::Failed(SendError::Network)
                        }
                    };
                    dispatcher.dispatch(Action::Outcome(report.id.clone(), Box::new(phase)));
                });
            }
        }
    })
}

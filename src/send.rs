//! The Send path: validate in the core, build the report, save it in the outbox BEFORE
//! any network attempt, and kick the outbox runner, which delivers it (and retries it
//! until a backend takes it). The visitor's text stays in the state throughout.
use std::rc::Rc;

use reach_us_core::backend::Format;
use reach_us_core::form::{validate, Problem, ValidForm};
use reach_us_core::json::ToJson;
use reach_us_core::outbox::{Entry, State as Sent};
use reach_us_core::payload::{Context, Report};
use yew::prelude::*;

use crate::attached::FileOp;
use crate::bridge::Bridge;
use crate::edge::outbox::{self, SaveError};
use crate::edge::{deliver, env, zone};
use crate::ui::{Accepted, Action, Phase, SendError, State, Ui};

/// A send is under way or done: a second one now would be a duplicate.
fn settled(state: &State) -> bool {
    matches!(
        state.phase,
        Phase::Sending | Phase::Sent(_) | Phase::Queued { .. }
    )
}

/// A callback that sends the current form; `bridge` is the page's side, for the events.
/// (A plain function, not a hook: it keeps no state of its own between renders.)
pub fn on_send(state: UseReducerHandle<Ui>, bridge: Bridge) -> Callback<()> {
    Callback::from(move |_| {
        if settled(&state) || state.files.preparing() {
            return; // (a file still being prepared: Send is marked disabled until it is ready)
        }
        let form = match validate(&state.form, &state.config) {
            Ok(f) => f,
            Err(errors) => return state.dispatch(Action::Rejected(errors)),
        };
        // A retry of the same text is the same report: same id, same Idempotency-Key,
        // same promise clock. Edited text is a new report.
        let report = state.retry().unwrap_or_else(|| build(&state, form, None));
        submit(&state, &bridge, report);
    })
}

/// "Yes, same problem": a short report linked to the incident `id`, in one tap. Its
/// text names the incident (and carries whatever the visitor had typed); contact is
/// optional (checked only if given). The app makes it a callback of (incident id, text).
pub fn on_send_linked(state: UseReducerHandle<Ui>, bridge: Bridge) -> Callback<(String, String)> {
    Callback::from(move |(id, text): (String, String)| send_linked(&state, &bridge, &id, text))
}

fn send_linked(state: &UseReducerHandle<Ui>, bridge: &Bridge, id: &str, text: String) {
    if settled(state) || state.files.preparing() {
        return;
    }
    let typed = state.form.message.trim();
    let input = reach_us_core::form::FormInput {
        message: if typed.is_empty() {
            text
        } else {
            format!("{text}\n{typed}")
        },
        ..state.form.clone()
    };
    let form = match validate(&input, &state.config) {
        Ok(form) => form,
        // Contact is optional here: a missing one is the only problem forgiven (a
        // malformed one is still shown, so the update can reach them).
        Err(e) if e.iter().all(|e| e.problem == Problem::ContactRequired) => ValidForm {
            category: input.category.trim().to_string(),
            message: input.message.trim().to_string(),
            email: None,
            phone: None,
        },
        Err(errors) => return state.dispatch(Action::Rejected(errors)),
    };
    let report = build(state, form, Some(id.to_string()));
    submit(state, bridge, report)
}

/// Build a new report: the promise clock starts now, at first save, under the live
/// promise for its category ([`crate::live`]) counted in the brand's business hours.
fn build(state: &State, form: ValidForm, incident: Option<String>) -> Rc<Report> {
    let now = env::now();
    let live = crate::live::rule(state, &form.category);
    let due = live.and_then(|(rule, minutes, _)| zone::due(rule, now, minutes));
    let ctx = Context {
        random: env::random16(),
        now,
        page: env::page().tidy(state.config.page_url_full),
        locale: state.strings.locale().to_string(),
        timezone: env::timezone(),
        user: state.user.clone(),
        due,
    };
    let mut report = Report::build(form, &state.config, ctx);
    if let (Some(p), Some((_, minutes, true))) = (report.promise.as_mut(), live) {
        p.respond_within = reach_us_core::promise::live::within(minutes);
        p.respond_within_minutes = minutes;
    }
    report.incident = incident;
    Rc::new(report)
}

/// Save `report` in the outbox and start delivering it.
fn submit(state: &UseReducerHandle<Ui>, bridge: &Bridge, report: Rc<Report>) {
    let bridge = bridge.clone();
    {
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
                        Sent::Delivered { reference, due } => {
                            let reference = reference.unwrap_or_else(|| report.reference.clone());
                            crate::events::delivered(&bridge, &report.id, &reference);
                            Phase::Sent(Accepted {
                                id: report.id.clone(),
                                reference,
                                created_at: report.created_millis(),
                                due_at: due.or(report.due_millis()),
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
    }
}

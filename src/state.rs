//! The widget's state and everything that can happen to it, as in yew's
//! `function_todomvc`: an [`Action`] enum and a [`Reducible`] state. No I/O here.
use std::rc::Rc;

use reach_us_core::form::{Field, FieldError, FormInput};
use reach_us_core::i18n::Strings;
use reach_us_core::payload::{Report, User};
use reach_us_core::receipts::{self, Notice, TrackRecord};
use reach_us_core::time::Millis;
use reach_us_core::Config;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::error::SendError;

/// What the visitor gets after a report is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Report id (the idempotency key).
    pub id: String,
    /// Reference shown to the visitor (the server's when it gave one).
    pub reference: String,
    /// When it was sent.
    pub created_at: Millis,
    /// When the reply is due, if a promise was made.
    pub due_at: Option<Millis>,
}

/// Where the form is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Being filled in.
    Editing,
    /// A delivery attempt is under way.
    Sending,
    /// Saved in the outbox; retried until a backend takes it (offline: waiting for the network).
    Queued {
        /// The browser says it is offline.
        offline: bool,
    },
    /// The last attempt failed; the text is kept.
    Failed(SendError),
    /// Accepted by the backend.
    Sent(Receipt),
}

/// The whole UI state.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Validated config.
    pub config: Rc<Config>,
    /// The visitor's strings.
    pub strings: Rc<Strings>,
    /// Dialog open?
    pub open: bool,
    /// Form content.
    pub form: FormInput,
    /// Current validation errors.
    pub errors: Vec<FieldError>,
    /// Delivery phase.
    pub phase: Phase,
    /// Bumped when the first invalid field should take focus.
    pub focus_error: u32,
    /// Bumped each time the dialog closes, so focus goes back to the launcher.
    pub closed: u32,
    /// The last report attempted and the form it was built from: a retry of an unchanged
    /// form resends the same report (same id, same `Idempotency-Key`).
    pub attempt: Option<(FormInput, Rc<Report>)>,
    /// Who the page says the visitor is.
    pub user: Option<User>,
    /// Reports the outbox gave up on (refused, or retention ran out), newest first, until
    /// the visitor dismisses them: also those that failed while they were elsewhere.
    pub undelivered: Rc<Vec<Undelivered>>,
    /// Receipts kept in this browser, newest first.
    pub receipts: Rc<Vec<receipts::Receipt>>,
    /// The brand's track record, when its endpoint answered sensibly.
    pub track: Option<TrackRecord>,
    /// The incident notice, if any.
    pub notice: Option<Notice>,
    /// The live promise the brand's track record endpoint published (category id →
    /// minutes, only where widened; [`crate::live`]).
    pub surge: Rc<Vec<(String, u32)>>,
    /// The visitor answered "No, something else" to the incident offer.
    pub not_incident: bool,
    /// The dialog is kept in the DOM (hidden while closed) once primed, after mount.
    pub primed: bool,
    /// The clock for countdowns (updated on open and every 30 s while open).
    pub now: Millis,
    /// The page's `ReachUs(...)` side, for the Send path's events (a field here rather
    /// than a yew context: one consumer does not pay for a `ContextProvider` component).
    pub bridge: Bridge,
}

/// Everything that can happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open the dialog.
    Open,
    /// Close the dialog.
    Close,
    /// Open if closed, close if open.
    Toggle,
    /// The visitor typed into a field.
    Edit(Field, String),
    /// The host page prefilled fields (only the given ones change).
    Prefill(Vec<(Field, String)>),
    /// Validation failed.
    Rejected(Vec<FieldError>),
    /// An attempt started with this report, built from the current form.
    Sending(Rc<Report>),
    /// The backend accepted the report.
    Delivered(Receipt),
    /// The attempt failed for good (refused, or the outbox could not take it).
    Failed(SendError),
    /// The outbox reports on report `id` (applies when it is the visitor's current one).
    Outcome(String, Box<Phase>),
    /// Start a new report after a receipt.
    Reset,
    /// The page identified the visitor.
    Identify(User),
    /// The receipts in storage changed (this tab or another).
    Receipts(Rc<Vec<receipts::Receipt>>),
    /// Another tab's outbox run changed these reports: (id, refused with status, or
    /// still pending after an attempt).
    OutboxElsewhere(Vec<(String, Result<(), Option<u16>>)>, bool),
    /// The outbox's given-up reports changed.
    Undelivered(Rc<Vec<Undelivered>>),
    /// The track record arrived.
    Track(TrackRecord),
    /// A notice arrived (from `notice_url`).
    Notice(Notice),
    /// The track record endpoint published this live promise.
    Surge(Rc<Vec<(String, u32)>>),
    /// "No, something else": stop offering the incident.
    NotIncident,
    /// The clock moved.
    Tick(Millis),
    /// Keep the dialog built (hidden while closed) from now on.
    Prime,
    /// A new config (a later `init`).
    Configure(Rc<Config>, Rc<Strings>),
}

/// A report the outbox gave up on, as the visitor is told of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Undelivered {
    /// Report id (the outbox key).
    pub id: String,
    /// The reference the visitor was shown.
    pub reference: String,
    /// Their text, to copy or email.
    pub message: String,
    /// Why: the status of a refusal; `None` when retention ran out.
    pub status: Option<u16>,
}

impl State {
    /// The initial state for a config.
    pub fn new(config: Rc<Config>, strings: Rc<Strings>, bridge: Bridge) -> Self {
        let form = FormInput {
            category: config
                .categories
                .first()
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            ..FormInput::default()
        };
        let notice = config.notice.clone();
        State {
            config,
            strings,
            bridge,
            open: false,
            form,
            errors: Vec::new(),
            phase: Phase::Editing,
            focus_error: 0,
            closed: 0,
            attempt: None,
            user: None,
            undelivered: Rc::default(),
            receipts: Rc::default(),
            track: None,
            notice,
            surge: Rc::default(),
            not_incident: false,
            primed: false,
            now: 0,
        }
    }

    /// The report to retry, if the form is unchanged since it was attempted.
    pub fn retry(&self) -> Option<Rc<Report>> {
        self.attempt
            .as_ref()
            .filter(|(form, _)| *form == self.form)
            .map(|(_, r)| r.clone())
    }

    /// The error for a field, if any.
    pub fn error_for(&self, field: Field) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Open => s.open = true,
            Action::Close => {
                if !s.open {
                    return self;
                }
                s.open = false;
                s.closed += 1;
            }
            Action::Toggle => {
                return self.reduce(if s.open { Action::Close } else { Action::Open });
            }
            Action::Edit(field, value) => {
                s.form.set(field, value);
                // A field's error goes once the visitor changes it.
                s.errors.retain(|e| e.field != field);
                if matches!(s.phase, Phase::Failed(_)) {
                    s.phase = Phase::Editing;
                }
            }
            Action::Prefill(values) => {
                if matches!(s.phase, Phase::Sending) {
                    return self;
                }
                if matches!(s.phase, Phase::Sent(_)) {
                    s = s.next_report();
                }
                for (field, value) in values {
                    s.form.set(field, value);
                }
            }
            Action::Rejected(errors) => {
                s.errors = errors;
                s.focus_error += 1;
            }
            Action::Sending(report) => {
                s.errors.clear();
                s.phase = Phase::Sending;
                s.attempt = Some((s.form.clone(), report));
            }
            Action::Delivered(receipt) => s.phase = Phase::Sent(receipt),
            Action::Failed(err) => s.phase = Phase::Failed(err),
            Action::Outcome(id, phase) => {
                let current = s.attempt.as_ref().is_some_and(|(_, r)| r.id == id);
                if !current || matches!(s.phase, Phase::Sent(_)) {
                    return self;
                }
                s.phase = *phase;
            }
            Action::Reset => {
                let user = s.user.clone();
                s = s.next_report();
                if let Some(u) = user {
                    return Rc::new(s).reduce(Action::Identify(u));
                }
            }
            Action::Identify(user) => {
                // Known contact details fill empty fields; what the visitor typed wins.
                if s.form.email.trim().is_empty() {
                    if let Some(e) = &user.email {
                        s.form.email = e.clone();
                    }
                }
                if s.form.phone.trim().is_empty() {
                    if let Some(p) = &user.phone {
                        s.form.phone = p.clone();
                    }
                }
                s.user = Some(user);
            }
            Action::Receipts(r) => {
                // Delivered by another tab (it held the send lock): this tab shows the receipt too.
                if matches!(s.phase, Phase::Sending | Phase::Queued { .. }) {
                    if let Some((_, rep)) = &s.attempt {
                        if let Some(k) = r.iter().find(|k| k.id == rep.id) {
                            s.phase = Phase::Sent(Receipt {
                                id: k.id.clone(),
                                reference: k.reference.clone(),
                                created_at: rep.created_millis(),
                                due_at: rep.due_millis(),
                            });
                        }
                    }
                }
                s.receipts = r;
            }
            Action::OutboxElsewhere(list, offline) => {
                if matches!(s.phase, Phase::Sending | Phase::Queued { .. }) {
                    if let Some((_, rep)) = &s.attempt {
                        match list.iter().find(|(id, _)| *id == rep.id) {
                            Some((_, Err(status))) => {
                                s.phase = Phase::Failed(
                                    status.map(SendError::Status).unwrap_or(SendError::Timeout),
                                )
                            }
                            Some((_, Ok(()))) => s.phase = Phase::Queued { offline },
                            None => return self,
                        }
                    }
                }
            }
            Action::Undelivered(list) => {
                if list == s.undelivered {
                    return self;
                }
                s.undelivered = list;
            }
            Action::Track(t) => s.track = Some(t),
            Action::Notice(n) => s.notice = Some(n),
            Action::Surge(surge) => s.surge = surge,
            Action::NotIncident => s.not_incident = true,
            Action::Tick(now) => s.now = now,
            Action::Prime => s.primed = true,
            Action::Configure(config, strings) => {
                s.config = config;
                s.strings = strings;
                if !s.config.categories.iter().any(|c| c.id == s.form.category) {
                    s.form.category = s
                        .config
                        .categories
                        .first()
                        .map(|c| c.id.clone())
                        .unwrap_or_default();
                }
            }
        }
        Rc::new(s)
    }
}

impl State {
    /// A blank form for the next report; everything that is not about the report just
    /// sent (dialog, identity, receipts, track record, notice, clock) carries over.
    fn next_report(&self) -> State {
        State {
            form: FormInput {
                category: self
                    .config
                    .categories
                    .first()
                    .map(|c| c.id.clone())
                    .unwrap_or_default(),
                ..FormInput::default()
            },
            errors: Vec::new(),
            phase: Phase::Editing,
            attempt: None,
            ..self.clone()
        }
    }
}

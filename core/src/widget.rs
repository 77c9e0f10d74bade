//! The widget's state and everything that can happen to it, as in yew's
//! `function_todomvc`: an [`Action`] enum and a pure reducer, [`State::reduce`]. No I/O
//! here, no browser types: the widget (`reach-us`) wraps it in a yew `Reducible`
//! (`src/ui.rs`), and the tests below run natively.
use std::rc::Rc;

use crate::form::{Field, FieldError, FormInput};
use crate::i18n::Strings;
use crate::payload::{Report, User};
use crate::receipts::{self, Notice, TrackRecord};
use crate::send_error::SendError;
use crate::time::Millis;
use crate::Config;

/// What the visitor is shown once a backend accepted their report (the form's end state).
/// Not to be confused with [`receipts::Receipt`], the record kept in this browser for
/// status checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
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
    Sent(Accepted),
}

/// What the shell attaches to a report: the widget's are the visitor's files, whose bytes
/// are browser objects. The reducer only applies their changes, and knows that other
/// files make another report.
pub trait Attachments: Clone + std::fmt::Debug + Default + PartialEq {
    /// One change to them.
    type Op: Clone + std::fmt::Debug + PartialEq;
    /// Apply one change.
    fn apply(&mut self, op: Self::Op);
}

/// Nothing attached (the native tests; a shell without files).
impl Attachments for () {
    type Op = ();
    fn apply(&mut self, _: ()) {}
}

/// The whole UI state.
#[derive(Clone, Debug, PartialEq)]
pub struct State<F: Attachments = ()> {
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
    /// minutes, only where widened; the widget's `live`).
    pub surge: Rc<Vec<(String, u32)>>,
    /// The visitor answered "No, something else" to the incident offer.
    pub not_incident: bool,
    /// The dialog is kept in the DOM (hidden while closed) once primed, after mount.
    pub primed: bool,
    /// The clock for countdowns (updated on open and every 30 s while open).
    pub now: Millis,
    /// What is attached to the report being written.
    pub files: F,
    /// While the dialog is open: each listed receipt's last milestone (see
    /// [`receipts::Verdict::milestone`]). Starts afresh on each open.
    pub seen: Vec<(String, u8)>,
    /// The last milestone change, for the list's polite live region: the receipt's id and
    /// the clock when it changed (the text is rendered at that instant, so it stays the
    /// same until the next change and is announced once).
    pub announce: Option<(String, Millis)>,
}

/// Everything that can happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<F: Attachments = ()> {
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
    Delivered(Accepted),
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
    /// Keep the dialog built (hidden while closed) from now on; the clock, read then.
    Prime(Millis),
    /// A new config (a later `init`).
    Configure(Rc<Config>, Rc<Strings>),
    /// The attached files changed.
    File(F::Op),
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

impl<F: Attachments> State<F> {
    /// The initial state for a config.
    pub fn new(config: Rc<Config>, strings: Rc<Strings>) -> Self {
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
            seen: Vec::new(),
            announce: None,
            files: F::default(),
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

impl<F: Attachments> State<F> {
    /// The next state after `action`. Returns `self` (the same `Rc`) when nothing
    /// changed, so the view does not render again.
    pub fn reduce(self: Rc<Self>, action: Action<F>) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Open => s.open = true,
            Action::Close => {
                if !s.open {
                    return self;
                }
                s.open = false;
                s.closed += 1;
                // The next open starts afresh, as the list itself does.
                s.seen.clear();
                s.announce = None;
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
                            s.phase = Phase::Sent(Accepted {
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
            Action::File(op) => {
                s.files.apply(op);
                // Other files make another report (a new id), unless it is on its way.
                if matches!(s.phase, Phase::Editing | Phase::Failed(_)) {
                    s.attempt = None;
                    s.phase = Phase::Editing;
                }
            }
            Action::Prime(now) => {
                s.primed = true;
                s.now = now;
            }
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
        s.note_milestones();
        Rc::new(s)
    }

    /// Milestones (a report turning overdue, or answered) of the first five receipts,
    /// while open and once the clock has been read: a change becomes [`State::announce`];
    /// the countdown itself is not announced every tick.
    fn note_milestones(&mut self) {
        if !self.open || self.now == 0 {
            return;
        }
        for r in self.receipts.iter().take(LISTED) {
            let m = r.verdict(self.now).milestone();
            let old = match self.seen.iter_mut().find(|(id, _)| *id == r.id) {
                Some(e) => Some(std::mem::replace(&mut e.1, m)),
                None => {
                    self.seen.push((r.id.clone(), m));
                    None
                }
            };
            if old.is_some_and(|old| old != m) {
                self.announce = Some((r.id.clone(), self.now));
            }
        }
    }
}

/// How many receipts "Your reports" lists.
pub const LISTED: usize = 5;

impl<F: Attachments> State<F> {
    /// A blank form for the next report; everything that is not about the report just
    /// sent (dialog, identity, receipts, track record, notice, clock) carries over.
    fn next_report(&self) -> State<F> {
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
            files: F::default(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    //! The reducer, natively: every rule the views rely on.
    use super::*;
    use crate::config::RawConfig;
    use crate::form::Problem;
    use crate::receipts::{Receipt as Kept, Status};

    fn state() -> Rc<State> {
        let (raw, _) = RawConfig::from_attributes([("endpoint", "/r"), ("promise", "2h")]).unwrap();
        let config = Rc::new(Config::from_raw(raw).unwrap());
        Rc::new(State::new(config, Rc::new(Strings::new(None, Vec::new()))))
    }

    fn report(s: &State) -> Rc<Report> {
        use crate::payload::{Context, Page};
        let form = crate::form::ValidForm {
            category: s.form.category.clone(),
            message: "The door won't open".into(),
            email: None,
            phone: None,
        };
        let ctx = Context {
            random: [7; 16],
            now: 1_000,
            page: Page::default(),
            locale: "en".into(),
            timezone: "UTC".into(),
            user: None,
            due: Some(1_000 + 7_200_000),
        };
        Rc::new(Report::build(form, &s.config, ctx))
    }

    fn sending() -> Rc<State> {
        let s = state().reduce(Action::Edit(Field::Message, "The door won't open".into()));
        let r = report(&s);
        s.reduce(Action::Sending(r))
    }

    #[test]
    fn starts_closed_editing_on_the_first_category() {
        let s = state();
        assert!(!s.open);
        assert_eq!(s.phase, Phase::Editing);
        assert_eq!(s.form.category, s.config.categories[0].id);
    }

    #[test]
    fn close_when_closed_changes_nothing_and_toggle_counts_closes() {
        let s = state();
        let same = s.clone().reduce(Action::Close);
        assert!(Rc::ptr_eq(&s, &same), "no new state, so no render");
        let opened = s.reduce(Action::Toggle);
        assert!(opened.open);
        let closed = opened.reduce(Action::Toggle);
        assert!(!closed.open);
        assert_eq!(
            closed.closed, 1,
            "focus goes back to the launcher once per close"
        );
    }

    #[test]
    fn editing_a_field_clears_only_its_error_and_a_failure() {
        let s = state().reduce(Action::Rejected(vec![
            FieldError {
                field: Field::Message,
                problem: Problem::Required,
            },
            FieldError {
                field: Field::Email,
                problem: Problem::Email,
            },
        ]));
        assert_eq!(s.focus_error, 1);
        let s = s.reduce(Action::Failed(SendError::Network));
        let s = s.reduce(Action::Edit(Field::Message, "x".into()));
        assert!(s.error_for(Field::Message).is_none());
        assert!(s.error_for(Field::Email).is_some());
        assert_eq!(s.phase, Phase::Editing);
    }

    #[test]
    fn a_retry_of_the_unchanged_form_is_the_same_report() {
        let s = sending();
        let first = s.attempt.as_ref().unwrap().1.clone();
        let s = s.reduce(Action::Failed(SendError::Timeout));
        assert!(Rc::ptr_eq(&s.retry().unwrap(), &first));
        let edited = s.reduce(Action::Edit(Field::Message, "other text".into()));
        assert!(edited.retry().is_none(), "edited text is a new report");
    }

    #[test]
    fn prefill_waits_while_sending_and_starts_a_new_report_after_a_receipt() {
        let s = sending();
        let same = s
            .clone()
            .reduce(Action::Prefill(vec![(Field::Message, "p".into())]));
        assert!(Rc::ptr_eq(&s, &same));
        let accepted = Accepted {
            id: "a".into(),
            reference: "R".into(),
            created_at: 1,
            due_at: None,
        };
        let s = s.reduce(Action::Delivered(accepted));
        let s = s.reduce(Action::Prefill(vec![(Field::Message, "p".into())]));
        assert_eq!(s.phase, Phase::Editing);
        assert_eq!(s.form.message, "p");
        assert!(s.attempt.is_none());
    }

    #[test]
    fn outcomes_apply_only_to_the_current_report_and_never_undo_a_receipt() {
        let s = sending();
        let other = s.clone().reduce(Action::Outcome(
            "someone-else".into(),
            Box::new(Phase::Editing),
        ));
        assert!(Rc::ptr_eq(&s, &other));
        let id = s.attempt.as_ref().unwrap().1.id.clone();
        let queued = s.reduce(Action::Outcome(
            id.clone(),
            Box::new(Phase::Queued { offline: true }),
        ));
        assert_eq!(queued.phase, Phase::Queued { offline: true });
        let accepted = Accepted {
            id: id.clone(),
            reference: "R".into(),
            created_at: 1,
            due_at: None,
        };
        let sent = queued.reduce(Action::Delivered(accepted));
        let after = sent.clone().reduce(Action::Outcome(
            id,
            Box::new(Phase::Failed(SendError::Network)),
        ));
        assert!(Rc::ptr_eq(&sent, &after));
    }

    #[test]
    fn a_receipt_from_another_tab_ends_this_tabs_wait() {
        let s = sending();
        let rep = s.attempt.as_ref().unwrap().1.clone();
        let kept = Kept {
            id: rep.id.clone(),
            reference: "FROM-TAB".into(),
            category: rep.category.clone(),
            created_at: String::new(),
            due_at: None,
            status: Status::Received,
            answered_at: None,
            reply: None,
        };
        let s = s.reduce(Action::Receipts(Rc::new(vec![kept])));
        match &s.phase {
            Phase::Sent(a) => {
                assert_eq!(a.reference, "FROM-TAB");
                assert_eq!(a.due_at, rep.due_millis());
            }
            p => panic!("still {p:?}"),
        }
        assert_eq!(s.receipts.len(), 1);
    }

    #[test]
    fn another_tabs_refusal_fails_this_report_and_its_retry_queues_it() {
        let s = sending();
        let id = s.attempt.as_ref().unwrap().1.id.clone();
        let refused = s.clone().reduce(Action::OutboxElsewhere(
            vec![(id.clone(), Err(Some(422)))],
            false,
        ));
        assert_eq!(refused.phase, Phase::Failed(SendError::Status(422)));
        let expired = s.clone().reduce(Action::OutboxElsewhere(
            vec![(id.clone(), Err(None))],
            false,
        ));
        assert_eq!(expired.phase, Phase::Failed(SendError::Timeout));
        let pending = s
            .clone()
            .reduce(Action::OutboxElsewhere(vec![(id, Ok(()))], true));
        assert_eq!(pending.phase, Phase::Queued { offline: true });
        let unrelated = s
            .clone()
            .reduce(Action::OutboxElsewhere(vec![("x".into(), Ok(()))], true));
        assert!(Rc::ptr_eq(&s, &unrelated));
    }

    #[test]
    fn identify_fills_only_empty_contact_fields_and_survives_reset() {
        let user = User {
            email: Some("known@brand.co".into()),
            phone: Some("+4930123456".into()),
            ..User::default()
        };
        let s = state().reduce(Action::Edit(Field::Email, "typed@x.co".into()));
        let s = s.reduce(Action::Identify(user));
        assert_eq!(s.form.email, "typed@x.co", "what the visitor typed wins");
        assert_eq!(s.form.phone, "+4930123456");
        let s = s.reduce(Action::Reset);
        assert_eq!(s.form.email, "known@brand.co");
        assert_eq!(s.phase, Phase::Editing);
    }

    #[test]
    fn an_unchanged_undelivered_list_does_not_render_again() {
        let s = state();
        let same = s.clone().reduce(Action::Undelivered(Rc::default()));
        assert!(Rc::ptr_eq(&s, &same));
    }

    #[test]
    fn a_new_config_keeps_a_valid_category_and_replaces_a_gone_one() {
        let s = state().reduce(Action::Edit(Field::Category, "gone".into()));
        let (raw, _) = RawConfig::from_attributes([("endpoint", "/r")]).unwrap();
        let config = Rc::new(Config::from_raw(raw).unwrap());
        let s = s.reduce(Action::Configure(
            config.clone(),
            Rc::new(Strings::new(None, Vec::new())),
        ));
        assert_eq!(s.form.category, config.categories[0].id);
        assert!(
            s.config.rule_for(&s.form.category).is_none(),
            "the new config made no promise"
        );
    }

    fn kept(id: &str, due: &str) -> Kept {
        Kept {
            id: id.into(),
            reference: id.to_uppercase(),
            category: "problem".into(),
            created_at: "2026-12-01T10:00:00Z".into(),
            due_at: Some(due.into()),
            status: Status::Received,
            answered_at: None,
            reply: None,
        }
    }

    #[test]
    fn a_milestone_is_announced_once_and_forgotten_on_close() {
        let due = crate::time::parse_iso("2026-12-01T12:00:00Z").unwrap();
        let s = state().reduce(Action::Receipts(Rc::new(vec![kept(
            "a",
            "2026-12-01T12:00:00Z",
        )])));
        let s = s.reduce(Action::Tick(due - 60_000)).reduce(Action::Open);
        assert_eq!(s.seen, vec![("a".to_string(), 0)]);
        assert_eq!(s.announce, None, "the first look is not a change");
        let s = s.reduce(Action::Tick(due + 60_000));
        assert_eq!(
            s.announce,
            Some(("a".to_string(), due + 60_000)),
            "turned overdue"
        );
        let s = s.reduce(Action::Tick(due + 120_000));
        assert_eq!(
            s.announce,
            Some(("a".to_string(), due + 60_000)),
            "same words until the next change"
        );
        let s = s.reduce(Action::Close);
        assert!(s.seen.is_empty() && s.announce.is_none());
        let s = s.reduce(Action::Open);
        assert_eq!(s.announce, None, "a new open starts afresh");
    }

    #[test]
    fn nothing_is_noted_while_closed_or_before_the_clock_was_read() {
        let s = state().reduce(Action::Receipts(Rc::new(vec![kept(
            "a",
            "2026-12-01T12:00:00Z",
        )])));
        assert!(s.seen.is_empty());
        let s = s.reduce(Action::Open);
        assert!(s.seen.is_empty(), "now is 0 until the first tick");
        let s = s.reduce(Action::Close).reduce(Action::Prime(5));
        assert!(s.primed && s.now == 5 && s.seen.is_empty());
    }

    /// A shell's attachments for the test: names, added one by one.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct Names(Vec<String>);

    impl Attachments for Names {
        type Op = String;
        fn apply(&mut self, op: String) {
            self.0.push(op);
        }
    }

    #[test]
    fn other_files_make_another_report_unless_it_is_on_its_way() {
        let (raw, _) = RawConfig::from_attributes([("endpoint", "/r")]).unwrap();
        let config = Rc::new(Config::from_raw(raw).unwrap());
        let s: Rc<State<Names>> =
            Rc::new(State::new(config, Rc::new(Strings::new(None, Vec::new()))));
        let s = s.reduce(Action::Edit(Field::Message, "Door".into()));
        let r = {
            let plain = state();
            report(&plain)
        };
        let sending = s.clone().reduce(Action::Sending(r.clone()));
        let failed = sending.clone().reduce(Action::Failed(SendError::Network));
        assert!(failed.retry().is_some());
        let with_photo = failed.reduce(Action::File("door.jpg".into()));
        assert_eq!(with_photo.files, Names(vec!["door.jpg".into()]));
        assert!(
            with_photo.retry().is_none() && with_photo.phase == Phase::Editing,
            "a new report"
        );
        let still = sending.reduce(Action::File("late.jpg".into()));
        assert_eq!(
            still.phase,
            Phase::Sending,
            "the report on its way keeps its id"
        );
        let next = still
            .reduce(Action::Delivered(Accepted {
                id: r.id.clone(),
                reference: "R".into(),
                created_at: 1,
                due_at: None,
            }))
            .reduce(Action::Reset);
        assert_eq!(
            next.files,
            Names::default(),
            "a new report starts without files"
        );
    }
}

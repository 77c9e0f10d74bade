//! "Your reports": the receipts kept in this browser, each with the verdict on its
//! promise — a live countdown, "answered: promise kept", or, honestly, "overdue by 12 min"
//! with a one-click follow-up that references the original.
use reach_us_core::form::Field;
use reach_us_core::i18n::Msg;
use reach_us_core::receipts::{Receipt, Verdict};
use reach_us_core::time::parse_iso;
use std::cell::RefCell;

use yew::prelude::*;

use crate::edge::intl;
use crate::ui::{Action, State, Ui};

/// What the list's live region has told: each report's last milestone, and the last
/// announcement. The app keeps it (a `use_mut_ref`) and starts it afresh when the dialog closes.
/// (A list, not a HashMap: five entries at most, and a map instance costs ~2 KiB of wasm.)
#[derive(Default)]
pub struct Announced {
    seen: Vec<(String, u8)>,
    said: String,
}

/// Which milestone a verdict is at (a change is announced).
fn milestone(v: Verdict) -> u8 {
    match v {
        Verdict::NoPromise | Verdict::DueIn(_) => 0,
        Verdict::Overdue(_) => 1,
        Verdict::Kept(_) | Verdict::Late(..) => 2,
    }
}

fn line(state: &State, r: &Receipt) -> (String, &'static str, bool) {
    let s = &state.strings;
    let loc = s.format_locale();
    let now = state.now;
    match r.verdict(now) {
        Verdict::DueIn(left) => (
            s.fmt(Msg::ReportDue, &[("relative", &intl::relative(loc, left))]),
            "due",
            false,
        ),
        Verdict::Overdue(by) => (
            s.fmt(Msg::ReportOverdue, &[("duration", &intl::span(loc, by))]),
            "over",
            true,
        ),
        Verdict::Kept(at) => (
            s.fmt(Msg::ReportKept, &[("time", &intl::when(loc, at, now))]),
            "kept",
            false,
        ),
        Verdict::Late(at, by) => (
            s.fmt(
                Msg::ReportLate,
                &[
                    ("time", &intl::when(loc, at, now)),
                    ("duration", &intl::span(loc, by)),
                ],
            ),
            "over",
            true,
        ),
        Verdict::NoPromise => {
            let at = parse_iso(&r.created_at).unwrap_or(now);
            (
                s.fmt(Msg::ReportSent, &[("time", &intl::when(loc, at, now))]),
                "due",
                false,
            )
        }
    }
}

/// The list (nothing when there are no receipts).
pub fn your_reports(state: &UseReducerHandle<Ui>, announced: &RefCell<Announced>) -> Html {
    // Milestones (a report turning overdue, or answered) are announced once through a
    // polite live region; the countdown itself is not read out every tick.
    if state.receipts.is_empty() {
        return html! {};
    }
    let s = &state.strings;
    // (Not before the clock has been read: the first render on open precedes the first tick.)
    if state.now > 0 {
        let a = &mut *announced.borrow_mut();
        for r in state.receipts.iter().take(5) {
            let m = milestone(r.verdict(state.now));
            let old = match a.seen.iter_mut().find(|(id, _)| *id == r.id) {
                Some(e) => Some(std::mem::replace(&mut e.1, m)),
                None => {
                    a.seen.push((r.id.clone(), m));
                    None
                }
            };
            if old.is_some_and(|old| old != m) {
                // Kept until the next milestone: re-rendering the same text announces nothing.
                a.said = format!("{}: {}", r.reference, line(state, r).0);
            }
        }
    }
    let announce = announced.borrow().said.clone();
    html! {
        <section class="ru-reports" aria-labelledby="ru-reports-title">
            <h3 id="ru-reports-title" class="ru-label">{ s.get(Msg::YourReports) }</h3>
            <p class="ru-sr" role="status" aria-live="polite">{ announce }</p>
            <ul class="ru-report-list">
                { for state.receipts.iter().take(5).map(|r| {
                    let (text, class, follow) = line(state, r);
                    let follow_up = {
                        let dispatcher = state.dispatcher();
                        let (category, prefix) = (r.category.clone(), s.fmt(Msg::FollowUpText, &[("reference", &r.reference)]));
                        Callback::from(move |_| dispatcher.dispatch(Action::Prefill(vec![(Field::Category, category.clone()), (Field::Message, prefix.clone())])))
                    };
                    html! {
                        <li class="ru-report" data-ru-report={r.id.clone()}>
                            <span class="ru-report-ref">{ r.reference.clone() }</span>
                            <span class="ru-verdict" data-v={class}>{ text }</span>
                            if let Some(reply) = &r.reply {
                                <p class="ru-reply"><span class="ru-sr">{ s.get(Msg::ReportReply) }{ ": " }</span>{ reply.clone() }</p>
                            }
                            if follow {
                                <button type="button" class="ru-secondary ru-small" onclick={follow_up}>{ s.get(Msg::FollowUp) }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

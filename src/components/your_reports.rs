//! "Your reports": the receipts kept in this browser, each with the verdict on its
//! promise — a live countdown, "answered: promise kept", or, honestly, "overdue by 12 min"
//! with a one-click follow-up that references the original.
use reach_us_core::form::Field;
use reach_us_core::i18n::Msg;
use reach_us_core::receipts::{Receipt, Verdict};
use reach_us_core::time::parse_iso;

use yew::prelude::*;

use crate::edge::intl;
use reach_us_core::time::Millis;
use reach_us_core::widget::LISTED;

use crate::ui::{Action, State, Ui};

/// A receipt's line at `now`: text, style, and whether a follow-up is offered.
fn line(state: &State, r: &Receipt, now: Millis) -> (String, &'static str, bool) {
    let s = &state.strings;
    let loc = s.format_locale();
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

/// The list (nothing when there are no receipts). Milestones (a report turning overdue,
/// or answered) are announced once through a polite live region, in the words of the
/// instant they happened (the reducer notes them: `State::announce`).
pub fn your_reports(state: &UseReducerHandle<Ui>) -> Html {
    if state.receipts.is_empty() {
        return html! {};
    }
    let s = &state.strings;
    let announce = state
        .announce
        .as_ref()
        .and_then(|(id, at)| {
            let r = state.receipts.iter().find(|r| r.id == *id)?;
            Some(format!("{}: {}", r.reference, line(state, r, *at).0))
        })
        .unwrap_or_default();
    html! {
        <section class="ru-reports" aria-labelledby="ru-reports-title">
            <h3 id="ru-reports-title" class="ru-label">{ s.get(Msg::YourReports) }</h3>
            <p class="ru-sr" role="status" aria-live="polite">{ announce }</p>
            <ul class="ru-report-list">
                { for state.receipts.iter().take(LISTED).map(|r| {
                    let (text, class, follow) = line(state, r, state.now);
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

//! The incident notice at the top of the dialog: title, body, when it was updated and
//! when the next update is promised (flagged once that time has passed).
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::edge::intl;
use crate::ui::State;

/// The banner (nothing without a notice).
pub fn notice_banner(state: &State) -> Html {
    let Some(n) = &state.notice else {
        return html! {};
    };
    let s = &state.strings;
    let loc = s.format_locale();
    let now = state.now;
    html! {
        <section class="ru-notice" aria-labelledby="ru-notice-title">
            <p class="ru-notice-kicker">{ s.get(Msg::NoticeLabel) }</p>
            <h3 id="ru-notice-title" class="ru-notice-title">{ n.title.resolve(s.locale()).to_string() }</h3>
            if let Some(b) = &n.body {
                <p class="ru-notice-body">{ b.resolve(s.locale()).to_string() }</p>
            }
            <p class="ru-notice-meta">
                if let Some(u) = n.updated_at {
                    <span>{ s.fmt(Msg::NoticeUpdated, &[("time", &intl::when(loc, u, now))]) }</span>
                }
                if let Some(next) = n.next_update_by {
                    <span data-late={n.late(now).then_some("")}>
                        { s.fmt(if n.late(now) { Msg::NoticeLate } else { Msg::NoticeNext }, &[("time", &intl::when(loc, next, now))]) }
                    </span>
                }
            </p>
        </section>
    }
}

//! The brand's record, when its endpoint gave one that makes sense: "Kept 97% of reply
//! promises in the last 30 days (median reply 38 minutes)." Otherwise nothing.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::edge::intl;
use crate::ui::State;

/// The line.
pub fn track_record_line(state: &State) -> Html {
    let Some(t) = state.track else {
        return html! {};
    };
    let s = &state.strings;
    let loc = s.format_locale();
    let text = s.fmt(
        Msg::TrackRecord,
        &[
            ("percent", &intl::percent(loc, t.kept_ratio)),
            ("days", &t.window_days.to_string()),
            (
                "median",
                &intl::duration(loc, t.median_reply_minutes.max(1)),
            ),
        ],
    );
    html! { <p class="ru-track">{ text }</p> }
}

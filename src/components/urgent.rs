//! The urgent hotline: shown the moment an urgent category is chosen, above the form, so
//! nobody with a safety problem has to type first. The form stays available below it.
use reach_us_core::config::Urgent;
use reach_us_core::i18n::{Msg, Strings};
use yew::prelude::*;

/// The hotline box.
pub fn urgent_hotline(urgent: &Urgent, s: &Strings) -> Html {
    let text = match &urgent.text {
        Some(t) => t.resolve(s.locale()).to_string(),
        None => s.get(Msg::UrgentCall).to_string(),
    };
    html! {
        <div class="ru-urgent" role="note" aria-labelledby="ru-urgent-text">
            <p id="ru-urgent-text" class="ru-urgent-text">{ text }</p>
            <a class="ru-hotline" href={format!("tel:{}", urgent.tel)}>{ urgent.hotline.clone() }</a>
        </div>
    }
}

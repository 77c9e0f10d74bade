//! The urgent hotline: shown the moment an urgent category is chosen, above the form, so
//! nobody with a safety problem has to type first. The form stays available below it.
use reach_us_core::config::Urgent;
use reach_us_core::i18n::{Msg, Strings};
use yew::prelude::*;

/// Props.
#[derive(Properties, PartialEq)]
pub struct UrgentProps {
    /// The hotline.
    pub urgent: Urgent,
    /// Strings.
    pub strings: std::rc::Rc<Strings>,
}

/// The hotline box.
#[function_component(UrgentHotline)]
pub fn urgent_hotline(props: &UrgentProps) -> Html {
    let s = &props.strings;
    let text = match &props.urgent.text {
        Some(t) => t.resolve(s.locale()).to_string(),
        None => s.get(Msg::UrgentCall).to_string(),
    };
    html! {
        <div class="ru-urgent" role="note" aria-labelledby="ru-urgent-text">
            <p id="ru-urgent-text" class="ru-urgent-text">{ text }</p>
            <a class="ru-hotline" href={format!("tel:{}", props.urgent.tel)}>{ props.urgent.hotline.clone() }</a>
        </div>
    }
}

//! The launcher: a real `<button>` in a corner, the same markup and classes the loader's
//! facade uses, so swapping one for the other moves no pixel.
use std::rc::Rc;

use reach_us_core::i18n::{Msg, Strings};
use yew::prelude::*;

/// What the launcher shows.
pub struct LauncherProps {
    /// For returning focus here.
    pub node_ref: NodeRef,
    /// Strings.
    pub strings: Rc<Strings>,
    /// Whether the dialog is open (`aria-expanded`).
    pub expanded: bool,
    /// Click.
    pub onclick: Callback<MouseEvent>,
    /// A service notice is up: the dot turns into a signal.
    pub notice: bool,
    /// A report could not be delivered (the visitor has not dismissed it yet).
    pub undelivered: bool,
}

/// The launcher button.
pub fn launcher(props: &LauncherProps) -> Html {
    html! {
        <button ref={props.node_ref.clone()} type="button" class="ru-launcher" part="launcher"
            aria-expanded={props.expanded.to_string()} onclick={props.onclick.clone()}>
            <span class="ru-launcher-dot" data-dot={(props.notice || props.undelivered).then_some("")} aria-hidden="true"></span>
            { props.strings.get(Msg::Launcher) }
            if props.notice {
                <span class="ru-sr">{ " (" }{ props.strings.get(Msg::NoticeLabel) }{ ")" }</span>
            }
            if props.undelivered {
                <span class="ru-sr">{ " (" }{ props.strings.get(Msg::UndeliveredTitle) }{ ")" }</span>
            }
        </button>
    }
}

//! The root component: owns the state, connects the bridge, places the launcher and
//! the dialog, and moves focus where it belongs (into the dialog on open, to the first
//! bad field on a failed Send, back to the launcher on close).
use std::rc::Rc;

use reach_us_core::config::Position;
use reach_us_core::i18n::Strings;
use reach_us_core::Config;
use web_sys::ShadowRoot;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::components::dialog::Dialog;
use crate::components::launcher::Launcher;
use crate::edge::env;
use crate::state::{Action, State};

/// What `boot` hands the app.
#[derive(Properties, Clone, PartialEq)]
pub struct AppProps {
    /// The JS API bridge.
    pub bridge: Bridge,
    /// Validated config.
    pub config: Rc<Config>,
    /// The visitor's strings.
    pub strings: Rc<Strings>,
    /// The shadow root we live in (for focus and the loader's facade).
    pub root: ShadowRoot,
}

/// Text direction of a locale.
pub fn dir(locale: &str) -> &'static str {
    match locale.split('-').next().unwrap_or("") {
        "ar" | "he" | "fa" | "ur" => "rtl",
        _ => "ltr",
    }
}

/// The widget.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = use_reducer({
        let (config, strings) = (props.config.clone(), props.strings.clone());
        move || State::new(config, strings)
    });
    let launcher_ref = use_node_ref();
    let dialog_ref = use_node_ref();
    // Where focus was when the dialog opened: it goes back there on close (our launcher,
    // or the page's own `data-reach-us-open` button).
    let opener = use_mut_ref(|| None::<web_sys::Element>);

    // Mount: take over from the loader's facade (keeping focus if it had it), then let
    // the bridge deliver the calls that waited.
    {
        let (bridge, dispatcher, root, launcher_ref) = (props.bridge.clone(), state.dispatcher(), props.root.clone(), launcher_ref.clone());
        use_effect_with((), move |_| {
            if let Ok(Some(facade)) = root.query_selector("[data-ru-facade]") {
                let had_focus = root.active_element().is_some_and(|a| facade.contains(Some(&a)));
                facade.remove();
                if had_focus {
                    if let Some(el) = launcher_ref.cast::<web_sys::Element>() {
                        env::focus(&el);
                    }
                }
            }
            bridge.attach(dispatcher);
        });
    }
    // Focus into the message box on open; tell the page.
    {
        let dialog_ref = dialog_ref.clone();
        let (bridge, opener, root) = (props.bridge.clone(), opener.clone(), props.root.clone());
        let first = use_mut_ref(|| true);
        use_effect_with(state.open, move |open| {
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                bridge.emit(if *open { "open" } else { "close" }, &js_sys::Object::new());
            }
            if *open {
                let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
                let host: web_sys::Element = root.host();
                *opener.borrow_mut() = active.filter(|a| *a != host);
                if let Some(dialog) = dialog_ref.cast::<web_sys::Element>() {
                    let target = dialog.query_selector("#ru-message").ok().flatten().or_else(|| dialog.query_selector("[data-ru-autofocus]").ok().flatten());
                    if let Some(el) = target {
                        env::focus(&el);
                    }
                }
            }
        });
    }
    // Back to where focus was on close.
    {
        let (launcher_ref, opener) = (launcher_ref.clone(), opener.clone());
        use_effect_with(state.closed, move |closed| {
            if *closed > 0 {
                let target = opener.borrow_mut().take().filter(|el| el.is_connected()).or_else(|| launcher_ref.cast::<web_sys::Element>());
                if let Some(el) = target {
                    env::focus(&el);
                }
            }
        });
    }
    // First bad field takes focus after a refused Send.
    {
        let dialog_ref = dialog_ref.clone();
        use_effect_with(state.focus_error, move |n| {
            if *n > 0 {
                if let Some(el) = dialog_ref.cast::<web_sys::Element>().and_then(|d| d.query_selector("[aria-invalid=\"true\"]").ok().flatten()) {
                    env::focus(&el);
                }
            }
        });
    }

    // After a delivery the form is gone: focus goes to the receipt's first action.
    {
        let dialog_ref = dialog_ref.clone();
        let sent = matches!(state.phase, crate::state::Phase::Sent(_));
        use_effect_with(sent, move |sent| {
            if *sent {
                if let Some(el) = dialog_ref.cast::<web_sys::Element>().and_then(|d| d.query_selector("[data-ru-autofocus]").ok().flatten()) {
                    env::focus(&el);
                }
            }
        });
    }

    let locale = state.strings.locale();
    let class = classes!("ru-root", (state.config.position == Position::BottomLeft).then_some("ru-left"), state.open.then_some("ru-open"), (!state.config.launcher).then_some("ru-nolauncher"));
    let on_launcher = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Toggle))
    };
    html! {
        <ContextProvider<Bridge> context={props.bridge.clone()}>
            <div class={class} lang={locale} dir={dir(locale)}>
                if state.config.launcher {
                    <Launcher node_ref={launcher_ref} strings={state.strings.clone()} expanded={state.open} onclick={on_launcher} />
                }
                if state.open {
                    <Dialog node_ref={dialog_ref} state={state.clone()} />
                }
            </div>
        </ContextProvider<Bridge>>
    }
}

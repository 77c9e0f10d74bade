//! The root component: owns the state, connects the bridge, places the launcher and
//! the dialog, and moves focus where it belongs (into the dialog on open, to the first
//! bad field on a failed Send, back to the launcher on close).
use std::rc::Rc;

use reach_us_core::i18n::Strings;
use reach_us_core::Config;
use web_sys::ShadowRoot;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::components::dialog::dialog;
use crate::components::launcher::{launcher, LauncherProps};
use crate::edge::{deliver, env, read, store};
use crate::hooks::use_focus_trap::use_focus_trap;
use crate::hooks::use_outbox::use_outbox;
use reach_us_core::receipts::{Notice, TrackRecord};

/// Timeout for the status, track-record and notice fetches.
const FETCH_TIMEOUT_MS: u32 = 8_000;

/// Read the track record and the live promise it carries (`surge`, [`crate::live`]).
/// Unreachable or nonsense: nothing changes (the configured promise stands).
async fn read_track(d: &UseReducerDispatcher<Ui>, url: &str) {
    if let Some(j) = deliver::get_json(url, FETCH_TIMEOUT_MS).await {
        let v = read::value(&j);
        if let Some(t) = TrackRecord::from_value(&v) {
            d.dispatch(Action::Track(t));
        }
        let surge = match &v {
            reach_us_core::value::Value::Map(m) => m
                .iter()
                .find(|(k, _)| k == "surge")
                .map(|(_, s)| reach_us_core::promise::live::surge_from_value(s))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        d.dispatch(Action::Surge(Rc::new(surge)));
    }
}

/// The track record's URL (the brand's promise's).
fn track_url(config: &Config) -> Option<String> {
    config
        .promise
        .as_ref()
        .and_then(|p| p.track_record_url.clone())
}

/// Ask the brand's endpoints about open receipts and the track record; store and show
/// what they say. A failing endpoint changes nothing: no guess is shown. The track record
/// is read again only when the last read started more than [`crate::live::FRESH_MS`] ago.
fn refresh(
    dispatcher: &UseReducerDispatcher<Ui>,
    config: &Rc<Config>,
    receipts: &Rc<Vec<reach_us_core::receipts::Receipt>>,
) {
    let track_url = track_url(config).filter(|u| crate::live::start_read(u, env::now()));
    let jobs: Vec<(String, String)> = receipts
        .iter()
        .filter(|r| r.open())
        .filter_map(|r| {
            config
                .rule_for(&r.category)
                .and_then(|p| p.status_url.as_ref())
                .map(|u| (r.id.clone(), reach_us_core::find::replace(u, "{id}", &r.id)))
        })
        .collect();
    let d = dispatcher.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(url) = track_url {
            read_track(&d, &url).await;
        }
        let mut answers = Vec::new();
        for (id, url) in jobs {
            if let Some(json) = deliver::get_json(&url, FETCH_TIMEOUT_MS).await {
                answers.push((id, read::value(&json)));
            }
        }
        // Read the list only now, after the network: a receipt added meanwhile (a report
        // delivered while these requests were out) must not be written over.
        let mut changed = false;
        let mut list = store::load();
        for (id, status) in &answers {
            if let Some(r) = list.iter_mut().find(|r| &r.id == id) {
                changed |= r.apply_status(status).is_ok();
            }
        }
        if changed {
            store::save(&list);
            d.dispatch(Action::Receipts(Rc::new(list)));
        }
    });
}
use crate::ui::{Action, State, Ui};

/// What `boot` hands the app.
#[derive(Properties, Clone)]
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

/// `boot` renders the app once with its props; a later `init` reaches it as an action.
/// Equal when they are the same objects (no deep comparison of the config).
impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        self.bridge == other.bridge
            && Rc::ptr_eq(&self.config, &other.config)
            && Rc::ptr_eq(&self.strings, &other.strings)
            && self.root == other.root
    }
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
        move || Ui::new(State::new(config, strings))
    });
    let launcher_ref = use_node_ref();
    let dialog_ref = use_node_ref();
    let trap = use_focus_trap(dialog_ref.clone());
    // Where focus was when the dialog opened: it goes back there on close (our launcher,
    // or the page's own `data-reach-us-open` button).
    let opener = use_mut_ref(|| None::<web_sys::Element>);

    // Mount: take over from the loader's facade (keeping focus if it had it), then let
    // the bridge deliver the calls that waited.
    {
        let (bridge, dispatcher, root, launcher_ref) = (
            props.bridge.clone(),
            state.dispatcher(),
            props.root.clone(),
            launcher_ref.clone(),
        );
        let notice_url = state.config.notice_url.clone();
        let track = track_url(&state.config);
        let (config, strings) = (state.config.clone(), state.strings.clone());
        use_effect_with((), move |_| {
            if let Ok(Some(facade)) = root.query_selector("[data-ru-facade]") {
                let had_focus = root
                    .active_element()
                    .is_some_and(|a| facade.contains(Some(&a)));
                facade.remove();
                if had_focus {
                    if let Some(el) = launcher_ref.cast::<web_sys::Element>() {
                        env::focus(&el);
                    }
                }
            }
            // Receipts from earlier visits, and the notice from its URL.
            dispatcher.dispatch(Action::Receipts(std::rc::Rc::new(store::load())));
            // The live promise, read as the code mounts (on intent), so the open shows it
            // without waiting; the open reads it again only when it is a minute old.
            if let Some(url) = track.filter(|u| crate::live::start_read(u, env::now())) {
                let d = dispatcher.clone();
                wasm_bindgen_futures::spawn_local(async move { read_track(&d, &url).await });
            }
            if let Some(url) = notice_url {
                let d = dispatcher.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(n) = deliver::get_json(&url, FETCH_TIMEOUT_MS)
                        .await
                        .and_then(|j| Notice::from_value("notice", &read::value(&j)).ok())
                    {
                        d.dispatch(Action::Notice(n));
                    }
                });
            }
            let primer = dispatcher.clone();
            bridge.attach(dispatcher);
            // The formatters the open needs, then the hidden dialog, built now in tasks
            // of their own (while the pointer still hovers), not on the click. From then
            // on the dialog is in the DOM, hidden until opened: the click only shows it.
            let (locale, zones) = (strings.format_locale().to_string(), config.zones());
            crate::edge::intl::warm(
                locale,
                zones,
                0,
                Box::new(move || primer.dispatch(Action::Prime(env::now()))),
            );
        });
    }
    // On open: focus into the message box, tell the page, read the clock, then what the
    // brand's endpoints say (statuses, track record); while open, the clock ticks every
    // 30 s for the countdowns. (One effect per dependency: each costs wasm.)
    {
        let dialog_ref = dialog_ref.clone();
        let (bridge, opener, root) = (props.bridge.clone(), opener.clone(), props.root.clone());
        let (dispatcher, config, receipts, clock) = (
            state.dispatcher(),
            state.config.clone(),
            state.receipts.clone(),
            state.now,
        );
        let first = use_mut_ref(|| true);
        use_effect_with(state.open, move |open| {
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                bridge.emit(if *open { "open" } else { "close" }, &js_sys::Object::new());
            }
            let mut tick = None;
            if *open {
                let active = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element());
                let host: web_sys::Element = root.host();
                *opener.borrow_mut() = active.filter(|a| *a != host);
                if let Some(dialog) = dialog_ref.cast::<web_sys::Element>() {
                    let target = dialog
                        .query_selector("#ru-message")
                        .ok()
                        .flatten()
                        .or_else(|| dialog.query_selector("[data-ru-autofocus]").ok().flatten());
                    if let Some(el) = target {
                        env::focus(&el);
                    }
                }
                // Read the clock unless the opening click just did (a second render
                // before the first paint otherwise).
                let now = env::now();
                if now - clock > 1_000 {
                    dispatcher.dispatch(Action::Tick(now));
                }
                refresh(&dispatcher, &config, &receipts);
                let d = dispatcher.clone();
                tick = Some(gloo::timers::callback::Interval::new(30_000, move || {
                    d.dispatch(Action::Tick(env::now()))
                }));
            }
            move || drop(tick)
        });
    }
    // Back to where focus was on close.
    {
        let (launcher_ref, opener) = (launcher_ref.clone(), opener.clone());
        use_effect_with(state.closed, move |closed| {
            if *closed > 0 {
                let target = opener
                    .borrow_mut()
                    .take()
                    .filter(|el| el.is_connected())
                    .or_else(|| launcher_ref.cast::<web_sys::Element>());
                if let Some(el) = target {
                    env::focus(&el);
                }
            }
        });
    }
    // After a refused Send the first bad field takes focus; after a delivery the form is
    // gone, and focus goes to the receipt's first action.
    {
        let dialog_ref = dialog_ref.clone();
        let sent = matches!(
            state.phase,
            crate::ui::Phase::Sent(_) | crate::ui::Phase::Queued { .. }
        );
        use_effect_with((state.focus_error, sent), move |(n, sent)| {
            let target = match (*n, *sent) {
                (_, true) => "[data-ru-autofocus]",
                // A new report ("Report something else"): the receipt's buttons are gone,
                // so focus goes to the message box (not <body>, where Escape is lost).
                (0, false) => "#ru-message",
                (_, false) => "[aria-invalid=\"true\"]",
            };
            let find = |sel: &str| {
                dialog_ref
                    .cast::<web_sys::Element>()
                    .and_then(|d| d.query_selector(sel).ok().flatten())
            };
            if let Some(el) = find(target).or_else(|| find("#ru-message")) {
                env::focus(&el);
            }
        });
    }

    use_outbox(
        state.config.clone(),
        state.dispatcher(),
        props.bridge.clone(),
    );

    let locale = state.strings.locale();
    let on_launcher = {
        let dispatcher = state.dispatcher();
        // The clock is read here, with the click, so the open renders once with it (both
        // actions are reduced before the one render), instead of again after the open.
        Callback::from(move |_| {
            dispatcher.dispatch(Action::Tick(env::now()));
            dispatcher.dispatch(Action::Toggle)
        })
    };
    // The Send path (storage, network, the page's events) is made here, not in a view.
    let send = crate::send::on_send(state.clone(), props.bridge.clone());
    let link = crate::send::on_send_linked(state.clone(), props.bridge.clone());
    html! {
            <div class="ru-root" data-pos={state.config.position.as_str()} data-open={state.open.then_some("")} data-launcher={(!state.config.launcher).then_some("none")} data-theme={state.config.theme.as_str()} lang={locale} dir={dir(locale)}>
                if state.config.launcher {
                    { launcher(&LauncherProps { node_ref: launcher_ref, strings: state.strings.clone(), expanded: state.open, onclick: on_launcher, notice: state.notice.is_some(), undelivered: !state.undelivered.is_empty() }) }
                }
                if state.open || state.primed {
                    { dialog(&state, &dialog_ref, trap, send, link) }
                }
            </div>
    }
}

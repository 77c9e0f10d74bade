//! The incident offer (issue 21): when the notice describes a known incident and the
//! chosen category or the words typed match it (in the visitor's language, in the browser:
//! nothing is sent before Send), the form asks "Is this about <title>?" — "Yes, same
//! problem" files a short report linked to it in one tap (contact optional, so the visitor
//! still gets the team's update); "No, something else" puts the offer away.
use reach_us_core::i18n::Msg;
use yew::prelude::*;

use crate::ui::{Action, Phase, Ui};

/// Lower-case the way the visitor's language does it (the browser's
/// `toLocaleLowerCase`: no Unicode case tables in the wasm).
fn lower(text: &str, locale: &str) -> String {
    js_sys::JsString::from(text)
        .to_locale_lower_case(Some(locale))
        .into()
}

/// The offer, or nothing; `link` files the linked report (the app's Send path).
pub fn incident_offer(state: &UseReducerHandle<Ui>, link: Callback<(String, String)>) -> Html {
    if state.not_incident || !matches!(state.phase, Phase::Editing | Phase::Failed(_)) {
        return html! {};
    }
    let Some((notice, incident)) = state
        .notice
        .as_ref()
        .and_then(|n| n.incident.as_ref().map(|i| (n, i)))
    else {
        return html! {};
    };
    let s = &state.strings;
    let locale = s.locale();
    let low = |t: &str| lower(t, locale);
    if !incident.matches(
        locale,
        &state.form.category,
        &low(&state.form.message),
        &low,
    ) {
        return html! {};
    }
    let title = notice.title.resolve(locale).to_string();
    let yes = {
        let (id, text) = (
            incident.id.clone(),
            s.fmt(Msg::IncidentSame, &[("title", &title)]),
        );
        link.reform(move |_: MouseEvent| (id.clone(), text.clone()))
    };
    let no = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::NotIncident))
    };
    html! {
        <div class="ru-incident" role="group" aria-labelledby="ru-incident-q" data-ru-incident={incident.id.clone()}>
            <p id="ru-incident-q" class="ru-incident-q">{ s.fmt(Msg::IncidentAsk, &[("title", &title)]) }</p>
            <div class="ru-actions">
                <button type="button" class="ru-send ru-small" onclick={yes}>{ s.get(Msg::IncidentYes) }</button>
                <button type="button" class="ru-secondary ru-small" onclick={no}>{ s.get(Msg::IncidentNo) }</button>
            </div>
        </div>
    }
}

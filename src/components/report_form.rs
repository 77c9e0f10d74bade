//! The report form: the promise, the category, the message, the contact fields and Send.
use reach_us_core::config::Label;
use reach_us_core::form::{char_count, Field, Problem};
use reach_us_core::i18n::{Msg, Strings};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::promise_line::promise_line;
use crate::components::text_field::{text_field, TextFieldProps};
use crate::components::track_record::track_record_line;
use crate::components::urgent::urgent_hotline;
use crate::ui::SendError;
use crate::ui::{Action, Phase, Ui};

fn problem_text(s: &Strings, p: Problem) -> String {
    match p {
        Problem::TooLong { max, count } => s.fmt(
            p.msg(),
            &[("max", &max.to_string()), ("count", &count.to_string())],
        ),
        _ => s.get(p.msg()).to_string(),
    }
}

/// Why sending failed, in the visitor's words: never the backend's raw message.
pub fn failure_text(s: &Strings, e: &SendError) -> String {
    let reason = match e {
        SendError::Network => s.get(Msg::ErrNetwork).to_string(),
        SendError::Timeout => s.get(Msg::ErrTimeout).to_string(),
        SendError::Status(code) => s.fmt(Msg::ErrServer, &[("status", &code.to_string())]),
        SendError::Limit(reach_us_core::outbox::OutboxError::Full) => {
            s.get(Msg::ErrFull).to_string()
        }
        SendError::Limit(reach_us_core::outbox::OutboxError::TooLarge) => {
            s.get(Msg::ErrLarge).to_string()
        }
    };
    s.fmt(Msg::ErrRejected, &[("reason", &reason)])
}

/// The form; `send` is the app's Send path and `link` its one-tap report linked to an
/// incident (this view does no I/O itself).
pub fn report_form(
    state: &UseReducerHandle<Ui>,
    send: Callback<()>,
    link: Callback<(String, String)>,
) -> Html {
    let s = &state.strings;
    let config = &state.config;
    let locale = s.format_locale();
    let edit = |field: Field| {
        let dispatcher = state.dispatcher();
        Callback::from(move |v: String| dispatcher.dispatch(Action::Edit(field, v)))
    };
    let err = |field: Field| state.error_for(field).map(|e| problem_text(s, e.problem));
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        send.emit(());
    });
    let on_category = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            dispatcher.dispatch(Action::Edit(
                Field::Category,
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    let sending = matches!(state.phase, Phase::Sending) || state.files.preparing();
    let (onpaste, ondragover, ondrop) = crate::components::attachments::handlers(state);
    let count = char_count(state.form.message.trim());
    let counter = s.fmt(
        Msg::MessageCount,
        &[
            ("count", &count.to_string()),
            ("max", &config.max_message_chars.to_string()),
        ],
    );
    let cat_error = err(Field::Category);
    let urgent = config
        .categories
        .iter()
        .find(|c| c.id == state.form.category)
        .and_then(|c| c.urgent.clone());
    // Couldn't deliver: the visitor keeps their text (copy) and, when the brand gave one,
    // an address to email it to, filled in.
    let text = state.form.message.clone();
    let copy = Callback::from(move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
        }
    });
    let mailto = config.fallback_email.as_ref().map(|to| {
        let subject = js_sys::encode_uri_component(s.get(Msg::Title));
        let body = js_sys::encode_uri_component(&state.form.message);
        format!("mailto:{to}?subject={subject}&body={body}")
    });
    html! {
        <form class="ru-form" novalidate=true {onsubmit} {onpaste} {ondragover} {ondrop}>
            if let Some(u) = urgent {
                { urgent_hotline(&u, s) }
            }
            { promise_line(state) }
            { track_record_line(state) }
            <div class="ru-field">
                <label class="ru-label" for="ru-category">{ s.get(Msg::Category) }</label>
                <select id="ru-category" class="ru-select" onchange={on_category}
                    aria-invalid={cat_error.as_ref().map(|_| "true")} aria-describedby={cat_error.as_ref().map(|_| "ru-category-error")}>
                    { for config.categories.iter().map(|c| {
                        let label = match &c.label { Label::Builtin(m) => s.get(*m).to_string(), Label::Custom(t) => t.resolve(locale).to_string() };
                        html! { <option value={c.id.clone()} selected={c.id == state.form.category}>{ label }</option> }
                    }) }
                </select>
                if let Some(e) = cat_error {
                    <p id="ru-category-error" class="ru-error">{ e }</p>
                }
            </div>
            { text_field(TextFieldProps { id: "ru-message", label: s.get(Msg::Message).to_string(), kind: "text", multiline: true, required: true,
                value: state.form.message.clone(), autocomplete: None, error: err(Field::Message), hint: Some(counter), counter: true,
                oninput: edit(Field::Message) }) }
            { crate::components::attachments::attachments(state) }
            { crate::components::incident_offer::incident_offer(state, link) }
            if config.contact_fields.email || config.contact_fields.phone {
                <fieldset class="ru-field ru-contact">
                    <legend class="ru-label">{ s.get(Msg::ContactLegend) }</legend>
                    <p class="ru-hint">{ s.get(if config.require_contact { Msg::ContactHint } else { Msg::ContactHintOptional }) }</p>
                    if config.contact_fields.email {
                        { text_field(TextFieldProps { id: "ru-email", label: s.get(Msg::Email).to_string(), kind: "email", autocomplete: Some("email"),
                            multiline: false, required: false, hint: None, counter: false,
                            value: state.form.email.clone(), error: err(Field::Email), oninput: edit(Field::Email) }) }
                    }
                    if config.contact_fields.phone {
                        { text_field(TextFieldProps { id: "ru-phone", label: s.get(Msg::Phone).to_string(), kind: "tel", autocomplete: Some("tel"),
                            multiline: false, required: false, hint: None, counter: false,
                            value: state.form.phone.clone(), error: err(Field::Phone), oninput: edit(Field::Phone) }) }
                    }
                </fieldset>
            }
            if let Phase::Failed(e) = &state.phase {
                <div class="ru-alert" role="alert">
                    <p class="ru-alert-text">{ failure_text(s, e) }</p>
                    <div class="ru-actions">
                        <button type="button" class="ru-secondary ru-small" onclick={copy}>{ s.get(Msg::CopyText) }</button>
                        if let Some(href) = mailto.clone() {
                            <a class="ru-secondary ru-small ru-link-button" href={href}>{ s.get(Msg::EmailUs) }</a>
                        }
                    </div>
                </div>
            }
            <div class="ru-actions">
                <button type="submit" class="ru-send" aria-disabled={sending.then_some("true")}>
                    { s.get(if matches!(state.phase, Phase::Sending) { Msg::Sending } else { Msg::Send }) }
                </button>
            </div>
        </form>
    }
}

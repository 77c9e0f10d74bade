//! A labelled text input or textarea with its hint and its error right beside it,
//! tied together with `aria-describedby` and `aria-invalid`.
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What a field shows.
pub struct TextFieldProps {
    /// Element id (unique within the shadow root).
    pub id: &'static str,
    /// Visible label.
    pub label: String,
    /// Current value.
    pub value: String,
    /// `type` of the input (`email`, `tel`); ignored for a textarea.
    pub kind: &'static str,
    /// A textarea instead of an input.
    pub multiline: bool,
    /// `autocomplete` token.
    pub autocomplete: Option<&'static str>,
    /// The error to show, if any.
    pub error: Option<String>,
    /// A hint under the field (e.g. the character count).
    pub hint: Option<String>,
    /// Whether the hint is the character counter (right-aligned).
    pub counter: bool,
    /// `aria-required`.
    pub required: bool,
    /// New value on every keystroke.
    pub oninput: Callback<String>,
}

/// A text field.
pub fn text_field(p: TextFieldProps) -> Html {
    let err_id = format!("{}-error", p.id);
    let hint_id = format!("{}-hint", p.id);
    // (Built by hand, not `[String].join`: one instance of join less in the wasm.)
    let described = match (p.error.is_some(), p.hint.is_some()) {
        (true, true) => Some(format!("{err_id} {hint_id}")),
        (true, false) => Some(err_id.clone()),
        (false, true) => Some(hint_id.clone()),
        (false, false) => None,
    };
    let invalid = p.error.as_ref().map(|_| "true");
    let required = p.required.then_some("true");
    let control = if p.multiline {
        let cb = p.oninput.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        });
        html! {
            <textarea id={p.id} class="ru-textarea" value={p.value.clone()} {oninput}
                aria-invalid={invalid} aria-describedby={described} aria-required={required} rows="5" />
        }
    } else {
        let cb = p.oninput.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        html! {
            <input id={p.id} class="ru-input" type={p.kind} value={p.value.clone()} {oninput}
                autocomplete={p.autocomplete} aria-invalid={invalid} aria-describedby={described} aria-required={required} />
        }
    };
    html! {
        <div class="ru-field">
            <label class="ru-label" for={p.id}>{ p.label.clone() }</label>
            { control }
            if let Some(e) = &p.error {
                <p id={err_id} class="ru-error">{ e.clone() }</p>
            }
            if let Some(h) = &p.hint {
                <p id={hint_id} class="ru-hint" data-count={p.counter.then_some("")}>{ h.clone() }</p>
            }
        </div>
    }
}

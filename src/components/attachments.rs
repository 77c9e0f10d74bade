//! "Photos or files": pick (a file input, `accept` from the config; phones offer the
//! camera), drop onto the form, or paste a screenshot into it. Each file shows a canvas
//! thumbnail (images) or a PDF badge, its name and size, and a Remove button named after
//! it. The list and its state live in [`Files`] (part of the widget's state); the work on
//! a file ([`crate::edge::files::prepare`]) starts when it arrives, never on the open, and
//! renders nothing but a fieldset until it is used.
use std::rc::Rc;

use reach_us_core::attachments::{human_size, Refusal};
use reach_us_core::i18n::Msg;
use wasm_bindgen::JsCast;
use web_sys::{DataTransfer, FileList, HtmlInputElement};
use yew::prelude::*;

use crate::edge::files;
use crate::ui::{Action, Ui};

pub use crate::attached::{FileOp, Files, Item};

/// Start preparing every file of `list`, within the config's limits.
fn take(state: &UseReducerHandle<Ui>, list: Option<FileList>) {
    let Some(list) = list else { return };
    let policy = state.config.attachments.clone();
    let dispatcher = state.dispatcher();
    let mut count = state.files.items.len();
    let mut key = state.files.next;
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        let name = reach_us_core::attachments::clean_name(&file.name(), None);
        if policy.room(count).is_err() {
            dispatcher.dispatch(Action::File(FileOp::Refuse(Refusal::Count, name)));
            break;
        }
        count += 1;
        dispatcher.dispatch(Action::File(FileOp::Add(key, name)));
        // Sizes of the files ready now; the per-report total is checked again at Send.
        let others: Vec<u64> = state
            .files
            .items
            .iter()
            .filter_map(|i| i.ready.as_ref().map(|p| p.meta.size))
            .collect();
        let (policy, dispatcher) = (policy.clone(), dispatcher.clone());
        wasm_bindgen_futures::spawn_local(async move {
            // The database opens on first use, while the file is prepared.
            let _ = crate::edge::idb::open().await;
            let done = files::prepare(file, policy, others).await.map(Rc::new);
            dispatcher.dispatch(Action::File(FileOp::Done(key, done)));
        });
        key += 1;
    }
}

/// The form's `paste`, `dragover` and `drop` handlers: files pasted or dropped anywhere on
/// the form are attached (text pastes are left alone).
pub fn handlers(
    state: &UseReducerHandle<Ui>,
) -> (Callback<Event>, Callback<DragEvent>, Callback<DragEvent>) {
    let on = state.config.attachments.on();
    let paste = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let files = e
                .dyn_ref::<web_sys::ClipboardEvent>()
                .and_then(|c| c.clipboard_data())
                .and_then(|d: DataTransfer| d.files())
                .filter(|f| f.length() > 0);
            if on && files.is_some() {
                e.prevent_default();
                take(&state, files);
            }
        })
    };
    let over = Callback::from(move |e: DragEvent| {
        if on {
            e.prevent_default();
        }
    });
    let drop = {
        let state = state.clone();
        Callback::from(move |e: DragEvent| {
            if on {
                e.prevent_default();
                take(&state, e.data_transfer().and_then(|d| d.files()));
            }
        })
    };
    (paste, over, drop)
}

/// The attachments fieldset (nothing when `attachments.max_files` is 0).
pub fn attachments(state: &UseReducerHandle<Ui>) -> Html {
    let policy = &state.config.attachments;
    if !policy.on() {
        return Html::default();
    }
    let s = &state.strings;
    let onchange = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            take(&state, input.files());
            input.set_value(""); // the same file may be picked again after a Remove
        })
    };
    let max = policy.max_files.to_string();
    let error = state.files.error.as_ref().map(|(why, name)| {
        let limit = match why {
            Refusal::Size => human_size(u64::from(policy.max_file_bytes)),
            Refusal::Total => human_size(u64::from(policy.max_total_bytes)),
            _ => max.clone(),
        };
        let msg = match why {
            Refusal::Count => Msg::ErrAttachCount,
            Refusal::Type => Msg::ErrAttachType,
            Refusal::Size => Msg::ErrAttachSize,
            Refusal::Total => Msg::ErrAttachTotal,
            Refusal::Unreadable => Msg::ErrAttachRead,
        };
        s.fmt(msg, &[("name", name), ("max", &limit)])
    });
    let described = if error.is_some() {
        "ru-files-error ru-files-hint"
    } else {
        "ru-files-hint"
    };
    html! {
        <fieldset class="ru-field ru-files">
            <legend class="ru-label">{ s.get(Msg::AttachLegend) }</legend>
            <p id="ru-files-hint" class="ru-hint">{ s.fmt(Msg::AttachHint, &[("max", &max)]) }</p>
            <input id="ru-files" class="ru-file-input" type="file" multiple=true accept={policy.accept()}
                aria-describedby={described} {onchange} />
            <label for="ru-files" class="ru-secondary ru-small ru-file-button">{ s.get(Msg::AttachAdd) }</label>
            if let Some(e) = error {
                <p id="ru-files-error" class="ru-error" role="alert">{ e }</p>
            }
            if !state.files.items.is_empty() {
                <ul class="ru-file-list">
                    { for state.files.items.iter().map(|item| {
                        let key = item.key;
                        let remove = {
                            let d = state.dispatcher();
                            Callback::from(move |e: MouseEvent| {
                                // The button goes away: keep focus in the dialog, on the picker.
                                let input = e
                                    .target()
                                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                                    .map(|n| n.get_root_node())
                                    .and_then(|r| r.dyn_into::<web_sys::ShadowRoot>().ok())
                                    .and_then(|r| r.get_element_by_id("ru-files"))
                                    .and_then(|i| i.dyn_into::<web_sys::HtmlElement>().ok());
                                if let Some(i) = input {
                                    let _ = i.focus();
                                }
                                d.dispatch(Action::File(FileOp::Remove(key)))
                            })
                        };
                        match &item.ready {
                            None => html! {
                                <li key={key} class="ru-file" aria-busy="true">
                                    <span class="ru-file-badge" aria-hidden="true">{ "…" }</span>
                                    <span class="ru-file-name">{ s.fmt(Msg::AttachPreparing, &[("name", &item.name)]) }</span>
                                </li>
                            },
                            Some(p) => html! {
                                <li key={key} class="ru-file">
                                    if let Some(c) = &p.thumb {
                                        { Html::VRef(c.clone().into()) }
                                    } else {
                                        <span class="ru-file-badge" aria-hidden="true">{ "PDF" }</span>
                                    }
                                    <span class="ru-file-name">{ p.meta.name.clone() }</span>
                                    <span class="ru-file-size">{ human_size(p.meta.size) }</span>
                                    <button type="button" class="ru-secondary ru-small ru-file-remove" onclick={remove}>
                                        { s.fmt(Msg::AttachRemove, &[("name", &p.meta.name)]) }
                                    </button>
                                </li>
                            },
                        }
                    }) }
                </ul>
            }
        </fieldset>
    }
}

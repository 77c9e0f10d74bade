//! Keep Tab and Shift+Tab inside a modal container (WAI-ARIA dialog pattern).
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

fn focusables(container: &Element) -> Vec<HtmlElement> {
    let mut out = Vec::new();
    if let Ok(list) = container.query_selector_all(FOCUSABLE) {
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                out.push(el);
            }
        }
    }
    out
}

/// A keydown handler for `container` that wraps Tab focus from last to first and back.
#[hook]
pub fn use_focus_trap(container: NodeRef) -> Callback<KeyboardEvent> {
    use_callback(container, |e: KeyboardEvent, container| {
        if e.key() != "Tab" {
            return;
        }
        let Some(el) = container.cast::<Element>() else {
            return;
        };
        let items = focusables(&el);
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return;
        };
        // Inside a shadow root, the focused element is the root's activeElement.
        let active = el
            .get_root_node()
            .dyn_into::<web_sys::ShadowRoot>()
            .ok()
            .and_then(|r| r.active_element())
            .or_else(|| {
                web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
            });
        let on = |t: &HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == t.unchecked_ref::<Element>())
        };
        let inside = active.as_ref().is_some_and(|a| el.contains(Some(a)));
        if e.shift_key() && (on(first) || !inside) {
            e.prevent_default();
            let _ = last.focus();
        } else if !e.shift_key() && (on(last) || !inside) {
            e.prevent_default();
            let _ = first.focus();
        }
    })
}

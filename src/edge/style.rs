//! The widget's stylesheet, adopted by its shadow root as a constructable stylesheet:
//! no `<style>` element and no `style=` attribute, so a strict CSP needs no `unsafe-inline`.
use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, ShadowRoot};

/// The CSS, compiled in (one request fewer on intent).
pub const CSS: &str = include_str!("../../www/reach-us.css");

/// Replace the shadow root's adopted sheets with the widget's full sheet.
pub fn adopt(root: &ShadowRoot) -> Result<(), JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    Reflect::set(root, &JsValue::from_str("adoptedStyleSheets"), &Array::of1(&sheet))?;
    Ok(())
}

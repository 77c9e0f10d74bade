//! The widget's stylesheet, adopted by its shadow root as a constructable stylesheet:
//! no `<style>` element and no `style=` attribute, so a strict CSP needs no `unsafe-inline`.
use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, ShadowRoot};

/// The CSS, compiled in (one request fewer on intent), minified by `build.rs`.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/reach-us.min.css"));

/// Replace the shadow root's adopted sheets with the widget's full sheet and the
/// placement rule for this config.
pub fn adopt(root: &ShadowRoot, config: &reach_us_core::Config) -> Result<(), JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    let placement = CssStyleSheet::new()?;
    placement.replace_sync(&reach_us_core::theme::css(config.look()))?;
    Reflect::set(
        root,
        &JsValue::from_str("adoptedStyleSheets"),
        &Array::of2(&sheet, &placement),
    )?;
    Ok(())
}

//! Reach Us, the browser widget: a yew app mounted in an open shadow root by the loader
//! (`www/reach-us.js`), which calls [`boot`] once the visitor shows intent.
//!
//! Everything that can be decided without a browser lives in `reach-us-core`; this
//! crate is the thin shell around it: components, the JS API bridge, `fetch`, `Intl`.
#![warn(missing_docs)]

pub mod app;
pub mod args;
pub mod attached;
pub mod bridge;
pub mod components;
pub mod edge;
pub mod events;
pub mod hooks;
pub mod live;
pub mod send;
pub mod ui;
pub mod widget;

use wasm_bindgen::prelude::*;

pub use widget::Widget;

/// Start the widget inside `root` (the open shadow root the loader made).
///
/// * `attrs`: the script tag's `data-*` attributes, names without `data-`.
/// * `queue`: the `ReachUs(...)` calls made before the code arrived, each an array
///   `[verb, arg]`; `init` calls are merged into the config before the first render.
///
/// * `glue`: the URL the glue was imported from; the tables of locales other than English
///   are fetched beside it (`<glue minus .js>.<locale>.json`). Without it, English only.
///
/// The app mounts at once in English, else when the visitor's table has arrived; the
/// host element gets `data-ready` then, and the `ready` event fires.
///
/// Never throws: a bad config is reported with one `console.error` and the launcher
/// is removed, so the host page is never broken by it.
#[wasm_bindgen]
pub fn boot(root: web_sys::ShadowRoot, attrs: JsValue, queue: JsValue, glue: JsValue) -> Widget {
    widget::boot(root, attrs, queue, glue)
}

/// A small free-list allocator instead of the default dlmalloc (measured: see README "Size").
/// The widget is single-threaded wasm, which is what `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

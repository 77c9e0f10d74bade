//! A launcher that opens a dialog with one labelled textarea and a character count:
//! the least a "reach us" widget on yew can be. `scripts/yew-floor` builds it with the
//! widget's build (std rebuilt for size, wasm-opt) and prints its brotli size.
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[function_component(App)]
fn app() -> Html {
    let open = use_state(|| false);
    let text = use_state(String::new);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())
        })
    };
    html! {
        <div class="w">
            <button class="launcher" aria-expanded={(*open).to_string()} onclick={toggle.clone()}>{ "Reach us now" }</button>
            if *open {
                <div role="dialog" aria-modal="true" aria-labelledby="t">
                    <h2 id="t">{ "Reach us" }</h2>
                    <label for="m">{ "Message" }</label>
                    <textarea id="m" value={(*text).clone()} {oninput} />
                    <p>{ format!("{} characters", text.chars().count()) }</p>
                    <button onclick={toggle}>{ "Close" }</button>
                </div>
            }
        </div>
    }
}

/// Mount the app in `root`.
#[wasm_bindgen]
pub fn boot(root: web_sys::Element) {
    yew::Renderer::<App>::with_root(root).render();
}

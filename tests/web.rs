//! Component tests in headless Chromium (wasm-bindgen-test): the real widget mounted in a
//! real shadow root, driven through real DOM events.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo::timers::future::sleep;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{
    Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

wasm_bindgen_test_configure!(run_in_browser);

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn attrs(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), &(*v).into()).unwrap();
    }
    o.into()
}

/// Mount the widget as the loader does: a host element, an open shadow root, a facade.
fn mount(pairs: &[(&str, &str)], queue: Array) -> (ShadowRoot, reach_us::Widget) {
    let host = doc().create_element("reach-us-widget").unwrap();
    doc().body().unwrap().append_child(&host).unwrap();
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let root = host.attach_shadow(&init).unwrap();
    let facade = doc().create_element("div").unwrap();
    facade.set_attribute("data-ru-facade", "").unwrap();
    root.append_child(&facade).unwrap();
    let widget = reach_us::boot(root.clone(), attrs(pairs), queue.into(), JsValue::UNDEFINED);
    (root, widget)
}

/// Wait (bounded) until `selector` matches inside `root`.
async fn find(root: &ShadowRoot, selector: &str) -> Element {
    for _ in 0..200 {
        if let Ok(Some(el)) = root.query_selector(selector) {
            return el;
        }
        sleep(Duration::from_millis(10)).await;
    }
    panic!("{selector} never appeared");
}

async fn gone(root: &ShadowRoot, selector: &str) {
    for _ in 0..200 {
        if root.query_selector(selector).unwrap().is_none() {
            return;
        }
        sleep(Duration::from_millis(10)).await;
    }
    panic!("{selector} never went away");
}

async fn settle() {
    sleep(Duration::from_millis(20)).await;
}

fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().unwrap().click();
}

fn type_into(el: &Element, text: &str) {
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.set_value(text);
    } else {
        el.dyn_ref::<HtmlInputElement>().unwrap().set_value(text);
    }
    // `input` must bubble to reach yew's delegated listener at the app root.
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn renders_launcher_and_replaces_the_facade() {
    let (root, _w) = mount(
        &[("endpoint", "/r"), ("brand", "Acme"), ("locale", "en")],
        Array::new(),
    );
    let launcher = find(&root, "button.ru-launcher").await;
    assert_eq!(launcher.text_content().unwrap().trim(), "Reach us now");
    assert_eq!(
        launcher.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    gone(&root, "[data-ru-facade]").await;
    // Styles are adopted, not inlined.
    let sheets = Reflect::get(&root, &"adoptedStyleSheets".into()).unwrap();
    assert_eq!(
        Array::from(&sheets).length(),
        2,
        "widget sheet + placement sheet"
    );
    assert!(root.query_selector("style").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn opens_an_accessible_dialog_with_the_promise() {
    let (root, _w) = mount(
        &[
            ("endpoint", "/r"),
            ("brand", "Acme"),
            ("promise", "2h"),
            ("locale", "en"),
        ],
        Array::new(),
    );
    click(&find(&root, "button.ru-launcher").await);
    let dialog = find(&root, "[role=dialog]:not([hidden])").await;
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    let title = root.get_element_by_id(&title_id).unwrap();
    assert_eq!(title.text_content().unwrap(), "Tell Acme what's wrong");
    let promise = find(&root, ".ru-promise").await.text_content().unwrap();
    assert!(
        promise.starts_with("We reply within 2 hours: by today ")
            || promise.starts_with("We reply within 2 hours: by tomorrow "),
        "{promise}"
    );
    // Every field has a visible label bound to it.
    for id in ["ru-category", "ru-message", "ru-email", "ru-phone"] {
        let label = root.query_selector(&format!("label[for={id}]")).unwrap();
        assert!(
            label.is_some_and(|l| !l.text_content().unwrap().trim().is_empty()),
            "{id} has no label"
        );
    }
    // Focus is in the message box.
    settle().await;
    assert_eq!(
        root.active_element().map(|e| e.id()),
        Some("ru-message".to_string())
    );
}

#[wasm_bindgen_test]
async fn validation_marks_fields_and_counts_characters() {
    let (root, _w) = mount(
        &[
            ("endpoint", "/r"),
            ("max-message-chars", "5"),
            ("locale", "en"),
        ],
        Array::new(),
    );
    click(&find(&root, "button.ru-launcher").await);
    let send = find(&root, "button.ru-send").await;
    click(&send);
    let message = find(&root, "#ru-message[aria-invalid=true]").await;
    assert!(find(&root, "#ru-message-error")
        .await
        .text_content()
        .unwrap()
        .contains("describe"));
    let email_err = find(&root, "#ru-email-error").await;
    assert!(email_err
        .text_content()
        .unwrap()
        .contains("email or a phone"));
    type_into(&message, "门打不开了");
    settle().await;
    assert_eq!(
        find(&root, "#ru-message-hint")
            .await
            .text_content()
            .unwrap(),
        "5 / 5 characters"
    );
    assert!(
        root.query_selector("#ru-message-error").unwrap().is_none(),
        "error clears when the field changes"
    );
    type_into(&message, "门打不开了!");
    click(&root.query_selector("button.ru-send").unwrap().unwrap());
    let err = find(&root, "#ru-message-error").await;
    assert_eq!(
        err.text_content().unwrap(),
        "Please shorten this to 5 characters (now 6)."
    );
}

#[wasm_bindgen_test]
async fn a_network_failure_saves_the_report_and_says_so() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    // Port 9 (discard) on loopback: nothing listens, the fetch fails at once.
    let (root, _w) = mount(
        &[("endpoint", "http://127.0.0.1:9/r"), ("locale", "en")],
        Array::new(),
    );
    click(&find(&root, "button.ru-launcher").await);
    type_into(
        &find(&root, "#ru-message").await,
        "Brakes squeal <img src=x onerror=alert(1)>",
    );
    type_into(&find(&root, "#ru-email").await, "a@b.co");
    settle().await;
    click(&find(&root, "button.ru-send").await);
    let saved = find(&root, ".ru-queued-text").await;
    assert!(
        saved.text_content().unwrap().starts_with("Saved."),
        "{:?}",
        saved.text_content()
    );
    // The report is on disk, text intact, waiting for its next attempt.
    // One key per report: "reach-us:v1:outbox:<id>".
    let keys: Vec<String> = (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .filter(|k| k.starts_with("reach-us:v1:outbox:"))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let outbox = storage.get_item(&keys[0]).unwrap().unwrap();
    let entry = js_sys::JSON::parse(&outbox).unwrap();
    let field = |o: &JsValue, k: &str| {
        js_sys::Reflect::get(o, &k.into())
            .unwrap()
            .as_string()
            .unwrap_or_default()
    };
    assert_eq!(field(&entry, "state"), "pending", "{outbox}");
    let body = js_sys::JSON::parse(&field(&entry, "body")).unwrap();
    assert_eq!(
        field(&body, "message"),
        "Brakes squeal <img src=x onerror=alert(1)>",
        "{outbox}"
    );
    assert!(
        root.query_selector("img").unwrap().is_none(),
        "user text is never HTML"
    );
    storage.clear().unwrap();
}

#[wasm_bindgen_test]
async fn bad_config_removes_the_launcher_without_throwing() {
    let (root, w) = mount(&[("promise", "2h")], Array::new());
    settle().await;
    assert!(root.query_selector("[data-ru-facade]").unwrap().is_none());
    assert!(root.query_selector("button").unwrap().is_none());
    // Calls on a widget that is not running do not throw.
    w.call("open".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
}

#[wasm_bindgen_test]
async fn queued_init_and_open_apply_before_first_paint() {
    let q = Array::new();
    let cfg = Object::new();
    Reflect::set(&cfg, &"endpoint".into(), &"/r".into()).unwrap();
    // (Languages other than English come as fetched tables, checked end to end by
    // Playwright; here a brand text stands for "the init was applied".)
    let texts = Object::new();
    Reflect::set(&texts, &"launcher".into(), &"立即联系我们".into()).unwrap();
    Reflect::set(&cfg, &"texts".into(), &texts).unwrap();
    Reflect::set(&cfg, &"locale".into(), &"zh-CN".into()).unwrap();
    q.push(&Array::of2(&"init".into(), &cfg));
    q.push(&Array::of1(&"open".into()));
    let (root, w) = mount(&[], q);
    find(&root, "[role=dialog]").await;
    assert_eq!(
        find(&root, "button.ru-launcher")
            .await
            .text_content()
            .unwrap()
            .trim(),
        "立即联系我们"
    );
    assert_eq!(
        root.query_selector(".ru-root")
            .unwrap()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("en"),
        "no table could be fetched (no glue URL given): English, and marked so"
    );
    w.call("close".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    // Closed: hidden (kept, primed for the next open), or not there at all.
    gone(&root, "[role=dialog]:not([hidden])").await;
    w.call("toggle".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    find(&root, "[role=dialog]:not([hidden])").await;
}

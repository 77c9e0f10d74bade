//! IndexedDB for attachment blobs: database `reach-us`, object store `files`, one record
//! per report under the report's id (the outbox key), holding `[{name, type, blob}, …]`.
//! Blobs do not belong in `localStorage` (strings only, ~5 MB for the whole site); the
//! report itself stays there, written synchronously before any attempt.
//!
//! Nothing here runs until it is needed: the database is opened when a visitor first picks
//! a file, or when the outbox finds a waiting report that describes files.
//!
//! Order: [`put`] starts its `readwrite` transaction synchronously (the database being
//! open) before the outbox entry is written; any later read of that record, in this tab or
//! another, is a transaction created after it, which IndexedDB runs after it. A page that
//! unloads before the write commits loses the files, not the report: the report is then
//! delivered with a note saying how many files were lost.
use std::cell::RefCell;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB: &str = "reach-us";
const STORE: &str = "files";

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// A request's result as a promise (rejected on its `error` event).
fn settle(req: &IdbRequest) -> Promise {
    let req = req.clone();
    Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let fail = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(fail.unchecked_ref()));
    })
}

/// The database, opened (and its store created) on first use; None when the browser has
/// no IndexedDB or refuses it (some private modes).
pub async fn open() -> Option<IdbDatabase> {
    if let Some(db) = OPEN.with(|o| o.borrow().clone()) {
        return Some(db);
    }
    let factory = web_sys::window()?.indexed_db().ok()??;
    let req = factory.open_with_u32(DB, 1).ok()?;
    let upgrade = {
        let req = req.clone();
        Closure::once_into_js(move || {
            if let Some(db) = req
                .result()
                .ok()
                .and_then(|d| d.dyn_into::<IdbDatabase>().ok())
            {
                let _ = db.create_object_store(STORE);
            }
        })
    };
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = JsFuture::from(settle(&req)).await.ok()?.dyn_into().ok()?;
    OPEN.with(|o| *o.borrow_mut() = Some(db.clone()));
    Some(db)
}

/// Whether the database is open already (a [`put`] can start at once).
pub fn ready() -> bool {
    OPEN.with(|o| o.borrow().is_some())
}

fn store(mode: IdbTransactionMode) -> Option<web_sys::IdbObjectStore> {
    let db = OPEN.with(|o| o.borrow().clone())?;
    db.transaction_with_str_and_mode(STORE, mode)
        .ok()?
        .object_store(STORE)
        .ok()
}

/// Store `files` (an array of `{name, type, blob}`) under `id`, starting the transaction
/// now. False when the database is not open or refuses (quota): the files then live in
/// this page's memory only.
pub fn put(id: &str, files: &Array) -> bool {
    store(IdbTransactionMode::Readwrite)
        .and_then(|s| s.put_with_key(files, &JsValue::from_str(id)).ok())
        .is_some()
}

/// The files stored under `id` (None: nothing stored, or no database).
pub async fn get(id: &str) -> Option<Array> {
    open().await?;
    let req = store(IdbTransactionMode::Readonly)?
        .get(&JsValue::from_str(id))
        .ok()?;
    JsFuture::from(settle(&req)).await.ok()?.dyn_into().ok()
}

/// Remove the files of `id` (delivered, or dismissed). Only touches a database that exists:
/// a report without files never opens one.
pub fn delete(id: &str) {
    let id = id.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        if open().await.is_some() {
            if let Some(s) = store(IdbTransactionMode::Readwrite) {
                let _ = s.delete(&JsValue::from_str(&id));
            }
        }
    });
}

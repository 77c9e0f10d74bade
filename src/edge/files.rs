//! A visitor's files, made fit to send by the browser's own APIs (no image code in the
//! wasm): an image is decoded with `createImageBitmap` (`imageOrientation: "from-image"`,
//! so a phone photo stands the right way up), drawn at most `long_edge` px on its long
//! side on an `OffscreenCanvas`, and re-encoded (`convertToBlob`, JPEG or WebP). The new
//! file is only pixels: EXIF, GPS and every other metadata block of the original stay
//! behind. A PDF is recognised by its first bytes (`%PDF-`), never by its name, and sent
//! as it is. Anything else is refused.
//!
//! The work is asynchronous (the browser decodes and encodes off the main thread) and
//! starts when the visitor picks, drops or pastes a file, never on the open or the Send.
//!
//! At Send the prepared files are [`stage`]d for the report: kept in memory for this page
//! and written to IndexedDB ([`crate::edge::idb`]) for later pages. [`load`] finds them
//! again for each attempt.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use reach_us_core::attachments::{self, ImageFormat, Kind, Meta, Policy, Refusal};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions};

use crate::edge::idb;

/// A file ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// Its description in the report.
    pub meta: Meta,
    /// What is sent.
    pub blob: Blob,
    /// A small preview drawn on a canvas (images only): no `blob:` or `data:` URL, so the
    /// host page's Content-Security-Policy needs no `img-src` for it.
    pub thumb: Option<HtmlCanvasElement>,
}

/// Thumbnail edge, device px (shown at 48 CSS px).
const THUMB: u32 = 96;

async fn head_is_pdf(blob: &Blob) -> bool {
    let Ok(head) = blob.slice_with_i32_and_i32(0, 5) else {
        return false;
    };
    match JsFuture::from(head.array_buffer()).await {
        Ok(buf) => attachments::is_pdf(&Uint8Array::new(&buf).to_vec()),
        Err(_) => false,
    }
}

fn thumbnail(bitmap: &ImageBitmap) -> Option<HtmlCanvasElement> {
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(THUMB);
    canvas.set_height(THUMB);
    let _ = canvas.set_attribute("class", "ru-thumb");
    let _ = canvas.set_attribute("aria-hidden", "true");
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    // Cover: the centre square of the image.
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let side = w.min(h);
    let _ = ctx.draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        bitmap,
        (w - side) / 2.0,
        (h - side) / 2.0,
        side,
        side,
        0.0,
        0.0,
        f64::from(THUMB),
        f64::from(THUMB),
    );
    Some(canvas)
}

/// Decode, downscale and re-encode an image; None when it is not one the browser decodes.
async fn reencode(file: &Blob, policy: &Policy) -> Option<(Blob, Option<HtmlCanvasElement>)> {
    let window = web_sys::window()?;
    let opts = ImageBitmapOptions::new();
    opts.set_image_orientation(web_sys::ImageOrientation::FromImage);
    let bitmap: ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob_and_image_bitmap_options(file, &opts)
            .ok()?,
    )
    .await
    .ok()?
    .dyn_into()
    .ok()?;
    let (w, h) = attachments::fit(bitmap.width(), bitmap.height(), policy.long_edge);
    let canvas = web_sys::OffscreenCanvas::new(w, h).ok()?;
    let ctx: web_sys::OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let _ = Reflect::set(&ctx, &"imageSmoothingQuality".into(), &"high".into());
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(w), f64::from(h))
        .ok()?;
    let thumb = thumbnail(&bitmap);
    bitmap.close();
    let enc = ImageEncodeOptions::new();
    enc.set_type(policy.format.mime());
    enc.set_quality(0.82);
    let blob: Blob = JsFuture::from(canvas.convert_to_blob_with_options(&enc).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    Some((blob, thumb))
}

/// Make one picked, dropped or pasted file fit to send, within the limits beside the
/// `others` already attached (their sizes).
pub async fn prepare(
    file: web_sys::File,
    policy: Policy,
    others: Vec<u64>,
) -> Result<Prepared, Refusal> {
    let name = file.name();
    if policy.pdf && head_is_pdf(&file).await {
        let size = file.size() as u64;
        policy.admit(Kind::Pdf, size, &others)?;
        return Ok(Prepared {
            meta: Meta {
                name: attachments::clean_name(&name, None),
                mime: "application/pdf".into(),
                size,
            },
            blob: file.into(),
            thumb: None,
        });
    }
    if !policy.images {
        return Err(Refusal::Type);
    }
    let (blob, thumb) = reencode(&file, &policy).await.ok_or(Refusal::Type)?;
    let size = blob.size() as u64;
    policy.admit(Kind::Image, size, &others)?;
    // What the browser really encoded (a browser that cannot encode WebP gives PNG).
    let mime = blob.type_();
    let format = if mime == "image/webp" {
        ImageFormat::Webp
    } else {
        ImageFormat::Jpeg
    };
    Ok(Prepared {
        meta: Meta {
            name: attachments::clean_name(&name, Some(format)),
            mime: if mime.is_empty() {
                format.mime().into()
            } else {
                mime
            },
            size,
        },
        blob,
        thumb,
    })
}

thread_local! {
    /// Files of reports sent from this page, by report id (until delivered).
    static MEMORY: RefCell<Vec<(String, Rc<Vec<Prepared>>)>> = const { RefCell::new(Vec::new()) };
}

fn record(p: &Prepared) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"name".into(), &p.meta.name.as_str().into());
    let _ = Reflect::set(&o, &"type".into(), &p.meta.mime.as_str().into());
    let _ = Reflect::set(&o, &"blob".into(), &p.blob);
    o.into()
}

/// Keep `files` for report `id`: in memory, and in IndexedDB when it is open (the write
/// starts now, before the caller writes the outbox entry).
pub fn stage(id: &str, files: Rc<Vec<Prepared>>) {
    let list: Array = files.iter().map(record).collect();
    idb::put(id, &list);
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        m.retain(|(k, _)| k != id);
        m.push((id.to_string(), files));
    });
}

/// The files that travel with one attempt.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// `(name, type, blob)` of each file found.
    pub files: Vec<(String, String, Blob)>,
    /// How many the report describes.
    pub declared: usize,
}

impl Loaded {
    /// The note to send when some were lost (a reload before IndexedDB had them, storage
    /// cleared by the browser): the report still goes, and says so.
    pub fn note(&self) -> Option<String> {
        (self.files.len() < self.declared)
            .then(|| attachments::note(self.declared - self.files.len(), self.declared, true))
    }
}

/// The files of report `id` whose stored body is `body`: from this page's memory, else from
/// IndexedDB. Only looked for when the body describes files.
pub async fn load(id: &str, body: &str) -> Option<Loaded> {
    if !attachments::described(body) {
        return None;
    }
    let declared = js_sys::JSON::parse(body)
        .map(|j| attachments::count(&crate::edge::read::value(&j)))
        .unwrap_or(0);
    let mut out = Loaded {
        files: Vec::new(),
        declared,
    };
    if let Some(files) = MEMORY.with(|m| {
        m.borrow()
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, f)| f.clone())
    }) {
        out.files = files
            .iter()
            .map(|p| (p.meta.name.clone(), p.meta.mime.clone(), p.blob.clone()))
            .collect();
        return Some(out);
    }
    if let Some(list) = idb::get(id).await {
        for item in list.iter() {
            let text = |k: &str| {
                Reflect::get(&item, &k.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            if let (Some(name), Some(mime), Ok(blob)) = (
                text("name"),
                text("type"),
                Reflect::get(&item, &"blob".into()).and_then(|b| b.dyn_into::<Blob>()),
            ) {
                out.files.push((name, mime, blob));
            }
        }
    }
    Some(out)
}

/// Report `id` is done with (delivered, or dismissed): drop its files everywhere.
pub fn forget(id: &str, body: &str) {
    MEMORY.with(|m| m.borrow_mut().retain(|(k, _)| k != id));
    if attachments::described(body) {
        idb::delete(id);
    }
}

//! The files attached to the report being written, as the widget's state holds them:
//! each being prepared or ready ([`Prepared`]: its description, the re-encoded bytes and a
//! thumbnail, browser objects). Core's reducer applies their changes through
//! [`reach_us_core::widget::Attachments`]; the work on a file is `edge::files`'s.
use std::rc::Rc;

use reach_us_core::attachments::{Meta, Refusal};
use web_sys::{Blob, HtmlCanvasElement};

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

/// One file of the form: being prepared, or ready.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Identifies it across updates.
    pub key: u32,
    /// Its name as picked (cleaned), for "Preparing …" and messages.
    pub name: String,
    /// Ready to send (None: still being prepared).
    pub ready: Option<Rc<Prepared>>,
}

/// The form's files and the last refusal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Files {
    /// In the order they came.
    pub items: Vec<Item>,
    /// Why the last file was refused, and its name.
    pub error: Option<(Refusal, String)>,
    /// The key the next file gets.
    pub next: u32,
}

/// A change to [`Files`].
#[derive(Clone, Debug, PartialEq)]
pub enum FileOp {
    /// A file arrived (its key, name); preparation has started.
    Add(u32, String),
    /// Preparation ended.
    Done(u32, Result<Rc<Prepared>, Refusal>),
    /// The visitor removed it.
    Remove(u32),
    /// Refused before preparation (too many).
    Refuse(Refusal, String),
    /// A new report: no files.
    Clear,
}

impl Files {
    /// Apply one change.
    pub fn apply(&mut self, op: FileOp) {
        match op {
            FileOp::Add(key, name) => {
                self.error = None;
                self.next = self.next.max(key + 1);
                self.items.push(Item {
                    key,
                    name,
                    ready: None,
                });
            }
            FileOp::Done(key, Ok(p)) => {
                if let Some(i) = self.items.iter_mut().find(|i| i.key == key) {
                    i.ready = Some(p);
                }
            }
            FileOp::Done(key, Err(why)) => {
                if let Some(at) = self.items.iter().position(|i| i.key == key) {
                    let item = self.items.remove(at);
                    self.error = Some((why, item.name));
                }
            }
            FileOp::Remove(key) => {
                self.items.retain(|i| i.key != key);
                self.error = None;
            }
            FileOp::Refuse(why, name) => self.error = Some((why, name)),
            FileOp::Clear => *self = Files::default(),
        }
    }

    /// Some file is still being prepared (Send waits for it).
    pub fn preparing(&self) -> bool {
        self.items.iter().any(|i| i.ready.is_none())
    }

    /// The prepared files, in order.
    pub fn ready(&self) -> Vec<Prepared> {
        self.items
            .iter()
            .filter_map(|i| i.ready.as_deref().cloned())
            .collect()
    }
}

impl reach_us_core::widget::Attachments for Files {
    type Op = FileOp;

    fn apply(&mut self, op: FileOp) {
        Files::apply(self, op)
    }
}

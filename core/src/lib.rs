//! The pure heart of Reach Us: everything that can be decided without a browser.
//!
//! No I/O, no clocks, no randomness: callers pass "now" and random bytes in, so every
//! function here is deterministic and tested natively with `cargo test` in milliseconds.
//! The browser shell (the `reach-us` crate) and the reference backend both build on it.
#![warn(missing_docs)]
// The size rules of `clippy.toml` are for what ships in the wasm; tests may use std freely.
#![cfg_attr(test, allow(clippy::disallowed_methods, clippy::disallowed_types))]

pub mod attachments;
pub mod backend;
pub mod check;
pub mod config;
pub mod defaults;
pub mod duration;
pub mod error;
pub mod find;
pub mod form;
pub mod i18n;
pub mod incident;
pub mod json;
pub mod outbox;
pub mod outcome;
pub mod payload;
pub mod promise;
pub mod receipts;
pub mod reference;
pub mod send_error;
pub mod teams;
pub mod text;
pub mod theme;
pub mod time;
pub mod value;
pub mod widget;

pub use config::{Config, RawConfig};
pub use error::ConfigError;

/// The widget's version, sent in every report as `client.widget_version`.
pub const WIDGET_VERSION: &str = env!("CARGO_PKG_VERSION");

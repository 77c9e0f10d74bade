//! The pure heart of Reach Us: everything that can be decided without a browser.
//!
//! No I/O, no clocks, no randomness: callers pass "now" and random bytes in, so every
//! function here is deterministic and tested natively with `cargo test` in milliseconds.
//! The browser shell (the `reach-us` crate) and the reference backend both build on it.

pub mod backend;
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
pub mod payload;
pub mod promise;
pub mod receipts;
pub mod reference;
pub mod theme;
pub mod time;
pub mod value;

pub use config::{Config, RawConfig};
pub use error::ConfigError;

/// The widget's version, sent in every report as `client.widget_version`.
pub const WIDGET_VERSION: &str = env!("CARGO_PKG_VERSION");

//! The browser edge: thin wrappers over the platform (page info, clock, randomness,
//! `Intl`, `fetch`, stylesheets). Each is small enough to be obviously right and is
//! exercised by the browser tests; nothing here decides anything the core could.

pub mod deliver;
pub mod env;
pub mod files;
pub mod i18n;
pub mod idb;
pub mod intl;
pub mod outbox;
pub mod read;
pub mod store;
pub mod style;
pub mod zone;

//! The reference inbox: the backend that makes the widget's promise verifiable.
//!
//! One process: `POST /v1/reports` (idempotent, validated, rate-limited, CORS allow-list,
//! honeypot), the authoritative due time from the widget's own promise engine
//! (`reach-us-core`), `GET /v1/reports/{id}/status`, `GET /v1/track-record`,
//! `GET|PUT|DELETE /v1/notice`, and a server-rendered admin page. Reports live in SQLite
//! (WAL, `synchronous=FULL`): a 2xx means the row is on disk.
pub mod admin;
pub mod client;
pub mod config;
pub mod due;
pub mod limit;
pub mod store;
pub mod util;
pub mod web;

pub use config::InboxConfig;
pub use store::Store;

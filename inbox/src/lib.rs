//! The reference inbox: the backend that makes the widget's promise verifiable.
//!
//! One process: `POST /v1/reports` (idempotent, validated, rate-limited, CORS allow-list,
//! honeypot), the authoritative due time from the widget's own promise engine
//! (`reach-us-core`), `GET /v1/reports/{id}/status`, `GET /v1/track-record`,
//! `GET|PUT|DELETE /v1/notice`, the admin API, and a server-rendered admin page. Reports
//! live in SQLite (WAL, `synchronous=FULL`: a 2xx means the row is on disk) or PostgreSQL
//! (an async pool; several processes may share it).
//!
//! Layout (as the axum examples): [`state`] (the shared state), [`auth`] (the `Admin`
//! extractors), [`error`] (`AppError`, so handlers use `?`), [`api`] and [`admin`] (the
//! routes, siblings), [`report`] (reading a report), [`store`], [`web`] (router and server).
pub mod admin;
pub mod api;
pub mod attachments;
pub mod auth;
pub mod config;
pub mod due;
pub mod error;
pub mod incident;
pub mod limit;
pub mod notify;
pub mod report;
pub mod state;
pub mod store;
pub mod surge;
pub mod util;
pub mod web;

pub use config::InboxConfig;
pub use store::Store;

//! The reference inbox: a small backend that speaks the widget's protocol. It accepts
//! `reach-us/v1` reports (idempotent by `Idempotency-Key`), keeps them in an append-only
//! JSON-lines file, and shows what arrived at `/`.
//!
//! Configuration (environment):
//! * `INBOX_ADDR` — listen address, default `127.0.0.1:8787`;
//! * `INBOX_DATA` — the JSON-lines file, default `.inbox-data/reports.jsonl`;
//! * `INBOX_ALLOW_ORIGINS` — comma-separated origins allowed by CORS, or `*` (default).
mod store;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use store::Store;

#[tokio::main]
async fn main() {
    let addr: SocketAddr = match std::env::var("INBOX_ADDR").unwrap_or_else(|_| "127.0.0.1:8787".into()).parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("inbox: INBOX_ADDR is not an address: {e}");
            std::process::exit(2);
        }
    };
    let data = PathBuf::from(std::env::var("INBOX_DATA").unwrap_or_else(|_| ".inbox-data/reports.jsonl".into()));
    let store = match Store::open(&data).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("inbox: cannot open {}: {e}", data.display());
            std::process::exit(2);
        }
    };
    let origins = std::env::var("INBOX_ALLOW_ORIGINS").unwrap_or_else(|_| "*".into());
    let app = web::router(store, &origins);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("inbox: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    println!("inbox: listening on http://{addr}/ (reports in {})", data.display());
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    {
        eprintln!("inbox: {e}");
    }
}

//! `reach-us-inbox`: run the reference inbox (configuration: environment, see
//! [`reach_us_inbox::InboxConfig`]), or `reach-us-inbox hash-token <token>` to print the
//! SHA-256 to configure as `INBOX_ADMIN_TOKEN_SHA256`.
use std::net::SocketAddr;
use std::sync::Arc;

use reach_us_inbox::{web, InboxConfig, Store};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("hash-token") {
        match args.get(1) {
            Some(t) => println!("{}", reach_us_inbox::util::sha256_hex(t.trim().as_bytes())),
            None => {
                eprintln!("usage: reach-us-inbox hash-token <token>");
                std::process::exit(2);
            }
        }
        return;
    }
    let cfg = InboxConfig::from_env().unwrap_or_else(|e| {
        eprintln!("inbox: {e}");
        std::process::exit(2);
    });
    // Off the async threads: the PostgreSQL client blocks on its own runtime.
    let db = cfg.db.clone();
    let opened = tokio::task::spawn_blocking(move || Store::open(&db))
        .await
        .unwrap_or_else(|e| Err(reach_us_inbox::store::StoreError(e.to_string())));
    let store = opened.unwrap_or_else(|e| {
        eprintln!("inbox: cannot open {}: {e}", redact(&cfg.db));
        std::process::exit(2);
    });
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .unwrap_or_else(|e| {
            eprintln!("inbox: cannot listen on {}: {e}", cfg.addr);
            std::process::exit(2);
        });
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!(
        "inbox: listening on http://{addr}/ ({} {}, CORS for {}, admin {})",
        store.kind(),
        redact(&cfg.db),
        cfg.allow_origins.join(", "),
        if cfg.admin_token_sha256.is_some() {
            "on"
        } else {
            "off: set INBOX_ADMIN_TOKEN_SHA256"
        }
    );
    let app = web::router(web::App::new(Arc::new(store), cfg));
    let serve = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    if let Err(e) = serve.await {
        eprintln!("inbox: {e}");
    }
}

/// The database location without a password, for logs.
fn redact(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &db[..s], &db[at + 1..]),
        _ => db.to_string(),
    }
}

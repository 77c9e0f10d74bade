//! `reach-us-inbox`: run the reference inbox (configuration: environment, see
//! [`reach_us_inbox::InboxConfig`]), or `reach-us-inbox hash-token <token>` to print the
//! SHA-256 to configure as `INBOX_ADMIN_TOKEN_SHA256`.
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
    let store = Store::open(&cfg.db, cfg.db_pool as usize)
        .await
        .unwrap_or_else(|e| {
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
    let limits = web::ServeLimits::from_config(&cfg);
    let app = web::App::new(store, cfg);
    // notify (issue 20): the notification worker.
    let _relay = reach_us_inbox::notify::worker::spawn(app.clone());
    // Retention: erase expired personal data now and every hour.
    let purger = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match reach_us_inbox::api::purge_expired(&purger).await {
                Ok(0) => {}
                Ok(n) => println!("inbox: erased the personal data of {n} expired report(s)"),
                Err(e) => eprintln!("inbox: retention: {e:?}"),
            }
        }
    });
    // Stop on Ctrl-C and on SIGTERM (what `docker stop`, systemd and Kubernetes send):
    // no new connections, requests in flight finish.
    web::serve(listener, web::router(app), limits, async {
        let term = async {
            #[cfg(unix)]
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
                return;
            }
            std::future::pending::<()>().await
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    })
    .await;
}

/// The database location without a password, for logs.
fn redact(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &db[..s], &db[at + 1..]),
        _ => db.to_string(),
    }
}

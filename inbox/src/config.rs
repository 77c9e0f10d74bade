//! The inbox's configuration, from the environment (and the brand's widget config file for
//! the promise). Defaults live here.
use std::net::SocketAddr;

use reach_us_core::{Config, RawConfig};

/// Everything the inbox runs with.
#[derive(Clone, Debug)]
pub struct InboxConfig {
    /// `INBOX_ADDR`, default `127.0.0.1:8787`.
    pub addr: SocketAddr,
    /// `INBOX_DB`: the SQLite file (default `.inbox-data/inbox.sqlite3`) or a
    /// `postgres://user:password@host:port/db` URL.
    pub db: String,
    /// `INBOX_ALLOW_ORIGINS`: comma-separated brand origins that get CORS headers (`*` for
    /// any). Default: the demo page's origins.
    pub allow_origins: Vec<String>,
    /// `INBOX_ADMIN_TOKEN_SHA256`: hex SHA-256 of the admin token (`reach-us-inbox
    /// hash-token <token>` prints it). Unset: the admin page and admin API are off.
    pub admin_token_sha256: Option<String>,
    /// `INBOX_PUBLIC_URL`: how browsers reach this inbox (for `status_url`), default
    /// `http://<addr>`.
    pub public_url: String,
    /// `INBOX_RATE_PER_MIN`: reports per minute per client IP (0: no limit), default 30.
    pub rate_per_min: u32,
    /// `INBOX_RATE_BURST`: reports a client IP may send at once, default 10.
    pub rate_burst: u32,
    /// `INBOX_TRUST_PROXY=1`: take the client IP from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy: bool,
    /// `INBOX_WIDGET_CONFIG`: the brand's widget config (JSON, the widget's schema) whose
    /// `promise` and `categories` decide due times. Unset: no promise.
    pub widget: Option<Config>,
    /// `INBOX_TRACK_WINDOW_DAYS`, default 30.
    pub track_window_days: u32,
}

impl InboxConfig {
    /// Defaults for tests and the demo.
    pub fn local(db: String) -> InboxConfig {
        InboxConfig {
            addr: ([127, 0, 0, 1], 8787).into(),
            db,
            allow_origins: vec![
                "http://127.0.0.1:8080".into(),
                "http://localhost:8080".into(),
            ],
            admin_token_sha256: None,
            public_url: "http://127.0.0.1:8787".into(),
            rate_per_min: 30,
            rate_burst: 10,
            trust_proxy: false,
            widget: None,
            track_window_days: 30,
        }
    }

    /// Read the environment; a clear error naming the variable when something is wrong.
    pub fn from_env() -> Result<InboxConfig, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str, d: u32| -> Result<u32, String> {
            var(k).map_or(Ok(d), |v| {
                v.trim()
                    .parse()
                    .map_err(|_| format!("{k} must be a whole number, not {v:?}"))
            })
        };
        let mut c = InboxConfig::local(
            var("INBOX_DB").unwrap_or_else(|| ".inbox-data/inbox.sqlite3".into()),
        );
        if let Some(a) = var("INBOX_ADDR") {
            c.addr = a
                .parse()
                .map_err(|e| format!("INBOX_ADDR is not an address ({a:?}): {e}"))?;
        }
        c.public_url = var("INBOX_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{}", c.addr))
            .trim_end_matches('/')
            .to_string();
        if let Some(o) = var("INBOX_ALLOW_ORIGINS") {
            c.allow_origins = o
                .split(',')
                .map(|s| s.trim().trim_end_matches('/').to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(h) = var("INBOX_ADMIN_TOKEN_SHA256") {
            let h = h.trim().to_ascii_lowercase();
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err("INBOX_ADMIN_TOKEN_SHA256 must be 64 hex digits (reach-us-inbox hash-token <token> prints it)".into());
            }
            c.admin_token_sha256 = Some(h);
        }
        c.rate_per_min = num("INBOX_RATE_PER_MIN", c.rate_per_min)?;
        c.rate_burst = num("INBOX_RATE_BURST", c.rate_burst)?.max(1);
        c.track_window_days = num("INBOX_TRACK_WINDOW_DAYS", c.track_window_days)?.clamp(1, 365);
        c.trust_proxy = var("INBOX_TRUST_PROXY").is_some_and(|v| v == "1" || v == "true");
        if let Some(path) = var("INBOX_WIDGET_CONFIG") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("INBOX_WIDGET_CONFIG {path}: {e}"))?;
            c.widget =
                Some(widget_config(&text).map_err(|e| format!("INBOX_WIDGET_CONFIG {path}: {e}"))?);
        }
        Ok(c)
    }
}

/// Read a widget config (JSON) with the widget's own validator. Delivery fields are not
/// the inbox's business: a missing `endpoint` is filled in.
pub fn widget_config(text: &str) -> Result<Config, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let mut raw = RawConfig::from_value(&crate::util::value(&json)).map_err(|e| e.to_string())?;
    if raw.endpoint.is_none() && raw.backends.is_none() {
        raw.endpoint = Some("/".into());
    }
    Config::from_raw(raw).map_err(|e| e.to_string())
}

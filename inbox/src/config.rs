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
    /// `INBOX_TRUST_PROXY=1` (or the number of proxies in front, `2`, …): take the client IP
    /// from `X-Forwarded-For`, the entry the outermost trusted proxy appended (counted from
    /// the right; entries further left are whatever the client sent).
    pub trust_proxy: bool,
    /// How many proxies `INBOX_TRUST_PROXY` trusts (1 for `1`/`true`).
    pub proxy_hops: u32,
    /// `INBOX_LOGIN_PER_MIN`, `INBOX_LOGIN_BURST`: admin sign-in attempts per client IP, a
    /// bucket of their own (default 10 a minute, 5 at once).
    pub login_per_min: u32,
    /// See `login_per_min`.
    pub login_burst: u32,
    /// `INBOX_KEEP_PAGE_QUERY=1`: keep the query string and fragment of `page.url` and
    /// `page.referrer` (default: stripped, they often carry personal data and tokens).
    pub keep_page_query: bool,
    /// `INBOX_HEADER_TIMEOUT_SECS`: time a connection gets to send a request's headers, and
    /// the longest a kept-alive connection may sit idle (default 10).
    pub header_timeout_secs: u32,
    /// `INBOX_REQUEST_TIMEOUT_SECS`: time for a whole request, body included (default 30).
    pub request_timeout_secs: u32,
    /// `INBOX_MAX_CONNECTIONS`: open connections at most; more are closed at once (default:
    /// the process's open-file limit less 128, so the database and files keep descriptors).
    pub max_connections: u32,
    /// `INBOX_TRACK_CACHE_SECS`: how long a computed track record is served (default 10).
    pub track_cache_secs: u32,
    /// `INBOX_RETENTION_DAYS`: personal data (message, contact, page, reply) of reports
    /// accepted longer ago is erased, hourly (default 180; 0 keeps it).
    pub retention_days: u32,
    /// `INBOX_SESSION_HOURS`: an admin session's lifetime on the server (default 12).
    pub session_hours: u32,
    /// `INBOX_DB_POOL`: PostgreSQL connections per process (default 16).
    pub db_pool: u32,
    /// `INBOX_WIDGET_CONFIG`: the brand's widget config (JSON, the widget's schema) whose
    /// `promise` and `categories` decide due times. Unset: no promise.
    pub widget: Option<Config>,
    /// `INBOX_TRACK_WINDOW_DAYS`, default 30.
    pub track_window_days: u32,
    /// notify (issue 20): channels, SMTP, escalation (`INBOX_CHANNELS`, …; see
    /// [`crate::notify::config`]). Default: nothing is pushed.
    pub notify: crate::notify::NotifyConfig,
    /// `INBOX_CAPACITY_*`: the team's capacity for the live promise ([`crate::surge`]).
    pub surge: crate::surge::SurgeConfig,
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
            proxy_hops: 1,
            login_per_min: 10,
            login_burst: 5,
            keep_page_query: false,
            header_timeout_secs: 10,
            request_timeout_secs: 30,
            max_connections: default_max_connections(),
            track_cache_secs: 10,
            retention_days: 180,
            session_hours: 12,
            db_pool: crate::store::DEFAULT_POOL as u32,
            widget: None,
            track_window_days: 30,
            notify: crate::notify::NotifyConfig::default(),
            surge: crate::surge::SurgeConfig::default(),
        }
    }

    /// Read the environment; a clear error naming the variable when something is wrong.
    pub fn from_env() -> Result<InboxConfig, String> {
        InboxConfig::from_lookup(|k| std::env::var(k).ok())
    }

    /// Read the variables `lookup` gives (the environment, or a test's map). An empty
    /// value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<InboxConfig, String> {
        let var = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        // On/off variables: 1/true/yes/on and 0/false/no/off, anything else an error.
        let flag = |k: &str| -> Result<Option<bool>, String> {
            match var(k).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(None),
                Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(Some(true)),
                Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(Some(false)),
                Some(v) => Err(format!(
                    "{k} must be 1 or 0 (true/false, yes/no, on/off), not {v:?}"
                )),
            }
        };
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
        if let Some(v) = var("INBOX_TRUST_PROXY") {
            let v = v.trim();
            let hops = match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => 1,
                "false" | "no" | "off" => 0,
                n => n.parse().map_err(|_| {
                    format!("INBOX_TRUST_PROXY must be 1 (or the number of proxies), not {v:?}")
                })?,
            };
            c.trust_proxy = hops > 0;
            c.proxy_hops = hops.max(1);
        }
        c.login_per_min = num("INBOX_LOGIN_PER_MIN", c.login_per_min)?;
        c.login_burst = num("INBOX_LOGIN_BURST", c.login_burst)?.max(1);
        c.keep_page_query = flag("INBOX_KEEP_PAGE_QUERY")?.unwrap_or(false);
        c.header_timeout_secs = num("INBOX_HEADER_TIMEOUT_SECS", c.header_timeout_secs)?.max(1);
        c.request_timeout_secs = num("INBOX_REQUEST_TIMEOUT_SECS", c.request_timeout_secs)?.max(1);
        c.max_connections = num("INBOX_MAX_CONNECTIONS", c.max_connections)?.max(1);
        c.track_cache_secs = num("INBOX_TRACK_CACHE_SECS", c.track_cache_secs)?;
        c.retention_days = num("INBOX_RETENTION_DAYS", c.retention_days)?;
        c.session_hours = num("INBOX_SESSION_HOURS", c.session_hours)?.clamp(1, 24 * 30);
        c.db_pool = num("INBOX_DB_POOL", c.db_pool)?.clamp(1, 256);
        c.surge = crate::surge::SurgeConfig::from_vars(&var)?;
        if let Some(path) = var("INBOX_WIDGET_CONFIG") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("INBOX_WIDGET_CONFIG {path}: {e}"))?;
            c.widget =
                Some(widget_config(&text).map_err(|e| format!("INBOX_WIDGET_CONFIG {path}: {e}"))?);
        }
        // notify (issue 20).
        c.notify = crate::notify::NotifyConfig::from_vars(&var)?;
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

impl InboxConfig {
    /// The origin (`scheme://host[:port]`) browsers see this inbox at, from
    /// `INBOX_PUBLIC_URL`: what the admin page's form posts must come from.
    pub fn public_origin(&self) -> String {
        let url = self.public_url.trim_end_matches('/');
        match url.find("://") {
            Some(i) => match url[i + 3..].find('/') {
                Some(j) => url[..i + 3 + j].to_ascii_lowercase(),
                None => url.to_ascii_lowercase(),
            },
            None => url.to_ascii_lowercase(),
        }
    }

    /// Served over https (the session cookie gets `Secure`).
    pub fn https(&self) -> bool {
        self.public_url.to_ascii_lowercase().starts_with("https://")
    }
}

/// The open-file limit (`/proc/self/limits`, Linux) less 128 for the database, the log and
/// the listener; 896 where it cannot be read.
fn default_max_connections() -> u32 {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse::<u64>().ok())
        })
        .map_or(896, |n| n.saturating_sub(128).clamp(64, 1_000_000) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<InboxConfig, String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        InboxConfig::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_and_the_documented_limits() {
        let c = read(&[]).unwrap();
        assert_eq!((c.rate_per_min, c.rate_burst), (30, 10));
        assert_eq!((c.login_per_min, c.login_burst), (10, 5));
        assert!(!c.keep_page_query && !c.trust_proxy);
        // The live promise's capacity comes through the same lookup, not the process's environment.
        let c = read(&[("INBOX_CAPACITY_PER_HOUR", "6")]).unwrap();
        assert!(c.surge.capacity_per_hour.is_some());
        // A rate of 0 per minute turns the limit off; a burst is at least one request.
        let c = read(&[("INBOX_RATE_PER_MIN", "0"), ("INBOX_RATE_BURST", "0")]).unwrap();
        assert_eq!((c.rate_per_min, c.rate_burst), (0, 1));
        // Clamped, as the README's table says.
        let c = read(&[
            ("INBOX_TRACK_WINDOW_DAYS", "9999"),
            ("INBOX_SESSION_HOURS", "0"),
            ("INBOX_DB_POOL", "100000"),
        ])
        .unwrap();
        assert_eq!(
            (c.track_window_days, c.session_hours, c.db_pool),
            (365, 1, 256)
        );
    }

    #[test]
    fn on_off_variables_read_alike_and_a_typo_names_the_variable() {
        for on in ["1", "true", "yes", "on", "TRUE"] {
            assert!(
                read(&[("INBOX_KEEP_PAGE_QUERY", on)])
                    .unwrap()
                    .keep_page_query,
                "{on}"
            );
            assert!(
                read(&[("INBOX_TRUST_PROXY", on)]).unwrap().trust_proxy,
                "{on}"
            );
        }
        for off in ["0", "false", "no", "off", ""] {
            assert!(
                !read(&[("INBOX_KEEP_PAGE_QUERY", off)])
                    .unwrap()
                    .keep_page_query,
                "{off}"
            );
            assert!(
                !read(&[("INBOX_TRUST_PROXY", off)]).unwrap().trust_proxy,
                "{off}"
            );
        }
        let e = read(&[("INBOX_KEEP_PAGE_QUERY", "ja")]).unwrap_err();
        assert!(e.contains("INBOX_KEEP_PAGE_QUERY"), "{e}");
        let e = read(&[("INBOX_RATE_PER_MIN", "lots")]).unwrap_err();
        assert!(e.contains("INBOX_RATE_PER_MIN"), "{e}");
        let c = read(&[("INBOX_TRUST_PROXY", "2")]).unwrap();
        assert_eq!((c.trust_proxy, c.proxy_hops), (true, 2));
    }

    #[test]
    fn the_widget_config_is_a_path_and_its_errors_name_it() {
        let e = read(&[("INBOX_WIDGET_CONFIG", r#"{"promise": "2h"}"#)]).unwrap_err();
        assert!(e.starts_with("INBOX_WIDGET_CONFIG"), "{e}");
        let dir = std::env::temp_dir().join(format!("ru-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.json");
        std::fs::write(&path, r#"{"promise": "2h"}"#).unwrap();
        let c = read(&[("INBOX_WIDGET_CONFIG", path.to_str().unwrap())]).unwrap();
        assert_eq!(c.widget.unwrap().promise.unwrap().minutes, 120);
    }
}

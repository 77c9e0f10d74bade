//! The application state the handlers share: storage, configuration, the rate limiters,
//! the in-flight keys, admin sessions and the track-record cache.
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::HeaderMap;
use serde_json::Value;

use crate::config::InboxConfig;
use crate::limit::Limiter;
use crate::store::Store;

/// Shared state of the handlers.
pub struct App {
    /// Storage.
    pub store: Store,
    /// Configuration.
    pub cfg: InboxConfig,
    /// Per-IP limit for reports.
    pub limiter: Limiter,
    /// Per-IP limit for admin sign-in attempts (a bucket of its own).
    pub login_limiter: Limiter,
    /// Keys whose POST is being processed (a second one meanwhile gets 409).
    pub inflight: Mutex<HashSet<String>>,
    /// Admin sessions.
    pub sessions: Sessions,
    /// The last computed track record: when, at which generation (one computation at a
    /// time).
    pub track: tokio::sync::Mutex<Option<(Instant, u64, Value)>>,
    /// Bumped when this process changes something the track record counts.
    pub track_generation: AtomicU64,
    /// notify (issue 20): wakes the notification worker when something was queued.
    pub notify_wake: tokio::sync::Notify,
    /// The backlog behind the live promise.
    pub surge: crate::surge::Live,
}

/// Shared state.
pub type Shared = Arc<App>;

impl App {
    /// New state.
    pub fn new(store: Store, cfg: InboxConfig) -> Shared {
        Arc::new(App {
            store,
            limiter: Limiter::new(cfg.rate_per_min, cfg.rate_burst),
            login_limiter: Limiter::new(cfg.login_per_min, cfg.login_burst),
            sessions: Sessions::new(i64::from(cfg.session_hours) * 3_600_000),
            cfg,
            inflight: Mutex::default(),
            track: tokio::sync::Mutex::new(None),
            track_generation: AtomicU64::new(0),
            notify_wake: tokio::sync::Notify::new(),
            surge: crate::surge::Live::default(),
        })
    }

    /// The client's IP. Behind `INBOX_TRUST_PROXY=n` proxies: the `X-Forwarded-For` entry
    /// the outermost trusted proxy appended, the n-th from the right (every entry left of it
    /// is whatever the client sent). Without enough entries: the peer.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if !self.cfg.trust_proxy {
            return peer.ip();
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let n = self.cfg.proxy_hops.max(1) as usize;
        // An entry may carry a port (`203.0.113.7:51234`, `[2001:db8::1]:443`).
        let ip = |e: &str| {
            e.parse::<IpAddr>()
                .ok()
                .or_else(|| e.parse::<SocketAddr>().ok().map(|a| a.ip()))
        };
        hops.len()
            .checked_sub(n)
            .and_then(|i| ip(hops[i]))
            .unwrap_or(peer.ip())
    }

    /// Forget the cached track record (after a change this process made).
    pub fn track_changed(&self) {
        self.track_generation.fetch_add(1, Ordering::AcqRel);
        self.surge.changed();
    }
}

/// Admin sessions: random ids with an expiry the server enforces (the cookie's `Max-Age`
/// is only a hint to the browser).
pub struct Sessions {
    ttl_ms: i64,
    map: Mutex<HashMap<String, i64>>,
}

impl Sessions {
    /// Sessions that live `ttl_ms`.
    pub fn new(ttl_ms: i64) -> Sessions {
        Sessions {
            ttl_ms,
            map: Mutex::default(),
        }
    }

    /// Lifetime, seconds (for the cookie).
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_ms / 1000
    }

    /// Start a session at `now`; its id.
    pub fn start(&self, now: i64) -> String {
        let id = crate::util::random_id();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, exp| *exp > now);
        map.insert(id.clone(), now + self.ttl_ms);
        id
    }

    /// `id` is a live session at `now` (an expired one is forgotten).
    pub fn valid(&self, id: &str, now: i64) -> bool {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(id) {
            Some(exp) if *exp > now => true,
            Some(_) => {
                map.remove(id);
                false
            }
            None => false,
        }
    }

    /// End a session.
    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Defect 10: sessions never expired on the server (only the cookie had a Max-Age).
    #[test]
    fn sessions_expire_on_the_server() {
        let s = Sessions::new(12 * 3_600_000);
        let id = s.start(0);
        assert!(s.valid(&id, 3_600_000));
        assert!(!s.valid(&id, 12 * 3_600_000 + 1), "expired");
        assert!(!s.valid(&id, 0), "and forgotten");
        let other = s.start(0);
        s.end(&other);
        assert!(!s.valid(&other, 1));
    }

    #[test]
    fn forwarded_for_is_read_from_the_right() {
        let mut cfg = InboxConfig::local(String::new());
        cfg.trust_proxy = true;
        let store = Store::Sqlite(Arc::new(Mutex::new(
            rusqlite::Connection::open_in_memory().unwrap(),
        )));
        let peer: SocketAddr = "10.0.0.1:1".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        let app = App::new(store.clone(), cfg.clone());
        assert_eq!(app.client_ip(peer, &h).to_string(), "203.0.113.7");
        cfg.proxy_hops = 2;
        let two = App::new(store.clone(), cfg.clone());
        assert_eq!(two.client_ip(peer, &h).to_string(), "6.6.6.6");
        cfg.proxy_hops = 3;
        assert_eq!(
            App::new(store, cfg).client_ip(peer, &h),
            peer.ip(),
            "too few hops"
        );
    }
}

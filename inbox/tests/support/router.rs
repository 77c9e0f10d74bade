//! An inbox behind its real router, called with `tower::ServiceExt::oneshot` (no
//! sockets), for the surge and incident tests.
#![allow(dead_code)]
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http_body_util::BodyExt;
use reach_us_inbox::config::widget_config;
use reach_us_inbox::{web, InboxConfig, Store};
use serde_json::Value;
use tower::ServiceExt;

use super::client::{sample_report, Reply};
use super::{fresh_db, Db};

/// The admin token of these tests.
pub const TOKEN: &str = "test-admin-token";

/// A test's inbox: its router (leaked, so the handle is `Copy`) and its state.
#[derive(Clone, Copy)]
pub struct Inbox(pub &'static Router, pub &'static reach_us_inbox::state::App);

/// Start an inbox on a fresh database with this widget config (JSON).
pub async fn start(db: Db, widget: &str, tweak: impl FnOnce(&mut InboxConfig)) -> Inbox {
    let mut cfg = InboxConfig::local(fresh_db(db).await);
    cfg.admin_token_sha256 = Some(reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()));
    cfg.rate_per_min = 0;
    cfg.public_url = "http://inbox.test".into();
    cfg.widget = Some(widget_config(widget).expect("widget config"));
    tweak(&mut cfg);
    let store = Store::open(&cfg.db, 4).await.expect("store");
    let app = web::App::new(store, cfg);
    let state: &'static std::sync::Arc<reach_us_inbox::state::App> =
        Box::leak(Box::new(app.clone()));
    Inbox(Box::leak(Box::new(web::router(app))), state.as_ref())
}

impl Inbox {
    /// One request from 127.0.0.1.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "inbox.test");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::from(body.to_string())).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        let resp = self.0.clone().oneshot(req).await.expect("infallible");
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        Reply {
            status: parts.status.as_u16(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// POST a report body.
    pub async fn post(&self, id: &str, body: &str) -> Reply {
        self.send(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", id),
            ],
            body,
        )
        .await
    }

    /// An admin API call with the token.
    pub async fn admin(&self, method: &str, path: &str, body: &str) -> Reply {
        let auth = format!("Bearer {TOKEN}");
        self.send(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body,
        )
        .await
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], "").await
    }
}

/// A report id for `n`.
pub fn uuid(n: u32) -> String {
    format!("{n:08x}-2222-4222-8222-222222222222")
}

/// A valid report for `id`, edited.
pub fn report_with(id: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&sample_report(id, "The charger is dead")).unwrap();
    edit(&mut v);
    v.to_string()
}

//! The router (the routes live in [`crate::api`] and [`crate::admin`]) and the server
//! loop with its limits against hostile clients:
//!
//! - headers must arrive within `INBOX_HEADER_TIMEOUT_SECS`, which is also how long a
//!   kept-alive connection may sit idle (hyper's `header_read_timeout`);
//! - a whole request, body included, gets `INBOX_REQUEST_TIMEOUT_SECS` (then `408`);
//! - at most `INBOX_MAX_CONNECTIONS` connections are open; more are closed on accept.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use crate::api;
pub use crate::api::{checked_notice, status_json, MAX_BODY};
pub use crate::report::MAX_MESSAGE_CHARS;
pub use crate::state::{App, Shared};

/// The router (serve it with [`serve`], or `axum::serve` with
/// `into_make_service_with_connect_info::<SocketAddr>()`).
pub fn router(app: Shared) -> Router {
    let origins = &app.cfg.allow_origins;
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    let cors = CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // Without this a browser cannot read `Retry-After` on a cross-origin 429/503.
        .expose_headers([header::RETRY_AFTER]);
    let timeout = Duration::from_secs(u64::from(app.cfg.request_timeout_secs));
    // One table: the widget's routes (POST report, GET status/track record/notice) and the
    // admin API's (token only) share paths, told apart by method. CORS only lets browsers on
    // the allowed origins use GET and POST; the admin API is for tools holding the token.
    Router::new()
        .route(
            "/v1/reports",
            post(crate::attachments::create).get(api::list),
        )
        .route("/v1/reports/{id}", axum::routing::delete(api::erase))
        .route(
            "/v1/reports/{id}/status",
            get(api::status).post(api::set_status),
        )
        .route("/v1/track-record", get(api::track_record))
        .route(
            "/v1/notice",
            get(api::notice)
                .put(api::put_notice)
                .delete(api::delete_notice),
        )
        .route("/v1/incidents", get(crate::incident::list))
        .route(
            "/v1/incidents/{id}/updates",
            post(crate::incident::post_update),
        )
        .merge(crate::admin::routes())
        .merge(crate::notify::visitor::routes()) // notify (issue 20)
        .merge(crate::attachments::routes())
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/admin") }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(app)
}

/// How long a shutdown waits for requests in progress.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Limits of the server loop.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// Time to send a request's headers, and the longest idle keep-alive.
    pub header_timeout: Duration,
    /// Connections open at most.
    pub max_connections: usize,
}

impl ServeLimits {
    /// From the configuration.
    pub fn from_config(cfg: &crate::InboxConfig) -> ServeLimits {
        ServeLimits {
            header_timeout: Duration::from_secs(u64::from(cfg.header_timeout_secs)),
            max_connections: cfg.max_connections as usize,
        }
    }
}

/// Serve `app` on `listener` (HTTP/1.1, hyper) until `shutdown` resolves; each request gets
/// `ConnectInfo<SocketAddr>`. On shutdown, requests in progress are finished (up to
/// [`SHUTDOWN_GRACE`]) and idle connections closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => {
                let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
                return;
            }
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    eprintln!("inbox: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream); // full: close at once rather than hold another descriptor
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _slot = slot;
            let _ = conn.await;
        });
    }
}

/// `serve` with the peer as `SocketAddr`: for callers that already have the listener.
pub async fn serve_app(listener: tokio::net::TcpListener, app: Shared) {
    let limits = ServeLimits::from_config(&app.cfg);
    serve(listener, router(app), limits, std::future::pending()).await
}

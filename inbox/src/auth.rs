//! Who may change things.
//!
//! - [`Admin`]: the JSON admin API. Only `Authorization: Bearer <token>`; the admin page's
//!   cookie is not accepted there, so a page on another site cannot use a signed-in
//!   browser against it (the API is for tools holding the token).
//! - [`AdminSession`]: the admin page (a session cookie the server expires).
//! - [`AdminForm`]: the admin page's form posts: a session, and an `Origin` (or, without
//!   one, `Referer`) equal to `INBOX_PUBLIC_URL`'s origin. `Host` is not consulted: a
//!   reverse proxy may rewrite it.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::error::AppError;
use crate::state::{App, Shared};
use crate::util::{constant_time_eq, now_ms, sha256_hex};

/// The admin page's session cookie.
pub const COOKIE: &str = "ru_admin";

/// A request carrying the admin token.
pub struct Admin;

/// A request from a signed-in admin page (any method; check the origin with
/// [`AdminForm`] for posts).
pub struct AdminSession(pub String);

/// A form post from this inbox's own admin page by a signed-in admin.
pub struct AdminForm;

/// The bearer token checks out.
pub fn has_token(app: &App, headers: &HeaderMap) -> bool {
    let Some(hash) = app.cfg.admin_token_sha256.as_deref() else {
        return false;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| constant_time_eq(&sha256_hex(token.trim().as_bytes()), hash))
}

/// The session id in the request's cookie, if any.
pub fn session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE && v.len() == 32).then(|| v.to_string())
        })
}

/// A live session's id, if the request has one (and the admin is on).
pub fn live_session(app: &App, headers: &HeaderMap) -> Option<String> {
    app.cfg.admin_token_sha256.as_ref()?;
    session(headers).filter(|s| app.sessions.valid(s, now_ms()))
}

/// The request comes from a page of `INBOX_PUBLIC_URL`'s origin: its `Origin`, or when a
/// browser sent none, its `Referer`. Neither: not a browser form of ours.
pub fn same_origin(app: &App, headers: &HeaderMap) -> bool {
    let ours = app.cfg.public_origin();
    let get = |h| headers.get(h).and_then(|v| v.to_str().ok());
    match (get(header::ORIGIN), get(header::REFERER)) {
        (Some(origin), _) => origin.trim_end_matches('/').eq_ignore_ascii_case(&ours),
        (None, Some(referer)) => {
            let r = referer.to_ascii_lowercase();
            r == ours || r.starts_with(&format!("{ours}/"))
        }
        (None, None) => false,
    }
}

impl FromRequestParts<Shared> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, AppError> {
        if has_token(app, &parts.headers) {
            Ok(Admin)
        } else {
            Err(AppError::Unauthorized)
        }
    }
}

impl FromRequestParts<Shared> for AdminSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, AppError> {
        live_session(app, &parts.headers)
            .map(AdminSession)
            .ok_or(AppError::Unauthorized)
    }
}

impl FromRequestParts<Shared> for AdminForm {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, AppError> {
        live_session(app, &parts.headers).ok_or(AppError::Unauthorized)?;
        if same_origin(app, &parts.headers) {
            Ok(AdminForm)
        } else {
            Err(AppError::CrossOrigin)
        }
    }
}

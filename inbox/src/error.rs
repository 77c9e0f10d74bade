//! Errors the handlers return with `?`: each is a JSON answer `{"error", "field"?,
//! "message"}` with its status (and `Retry-After` where the client should retry).
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::store::StoreError;

/// What went wrong, as the client will be told.
#[derive(Debug)]
pub enum AppError {
    /// 400 with a code, naming the field.
    Invalid {
        /// `invalid_report`, `invalid_status`, `invalid_notice`, …
        code: &'static str,
        /// The field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// 401: admin token or session required.
    Unauthorized,
    /// 403: a state-changing request from another origin.
    CrossOrigin,
    /// 404.
    NotFound,
    /// 409 + `Retry-After: 1`: the same key is being processed.
    InProgress,
    /// 415: the body must be `application/json`.
    NotJson,
    /// 422: the key was used with another body.
    IdempotencyConflict,
    /// 429 + `Retry-After` (seconds).
    RateLimited(u64),
    /// 503 + `Retry-After: 5`: storage failed (logged with the database's own words).
    Storage(StoreError),
}

impl AppError {
    /// A 400 `invalid_report` naming `field`.
    pub fn report(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            code: "invalid_report",
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A 400 with another code.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            code,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::CrossOrigin => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::InProgress => StatusCode::CONFLICT,
            AppError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::IdempotencyConflict => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// `Retry-After` seconds, when the client should retry.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::InProgress => Some(1),
            AppError::RateLimited(s) => Some(*s),
            AppError::Storage(_) => Some(5),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Storage(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (code, field, message) = match &self {
            AppError::Invalid {
                code,
                field,
                message,
            } => (*code, Some(field.as_str()), message.clone()),
            AppError::Unauthorized => (
                "unauthorized",
                None,
                "admin token required (Authorization: Bearer …)".into(),
            ),
            AppError::CrossOrigin => (
                "cross_origin",
                None,
                "state-changing requests must come from this inbox's own pages".into(),
            ),
            AppError::NotFound => ("not_found", None, "no such report".into()),
            AppError::InProgress => (
                "in_progress",
                None,
                "this Idempotency-Key is being processed; retry shortly".into(),
            ),
            AppError::NotJson => (
                "unsupported_media_type",
                Some("Content-Type"),
                "send the body as application/json".into(),
            ),
            AppError::IdempotencyConflict => (
                "idempotency_conflict",
                Some("Idempotency-Key"),
                "this key was used with a different body".into(),
            ),
            AppError::RateLimited(_) => (
                "rate_limited",
                None,
                "too many requests from this address; try again later".into(),
            ),
            AppError::Storage(e) => {
                eprintln!("inbox: {e}");
                ("storage_unavailable", None, "try again shortly".into())
            }
        };
        let mut body = json!({"error": code, "message": message});
        if let Some(f) = field {
            body["field"] = json!(f);
        }
        let mut r = (self.status(), Json(body)).into_response();
        if let Some(s) = self.retry_after() {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

//! What one delivery attempt came to: accepted, worth retrying, or refused. Backends
//! classify their answers into it (`backend::classify`); the outbox's state machine acts
//! on it.
use crate::time::Millis;

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: the backend has it. Its reference and the due time it set (the promise it
    /// made, which the receipt shows), if it gave them.
    Accepted(Option<String>, Option<Millis>),
    /// Worth retrying: no answer, timeout, 408, 429, 5xx. `Retry-After`, if given, in ms.
    Transient(Option<Millis>),
    /// Not worth retrying: another 4xx (the status).
    Permanent(u16),
}

impl Outcome {
    /// Classify an HTTP status (None: no response at all).
    pub fn of_status(status: Option<u16>, retry_after_ms: Option<Millis>) -> Outcome {
        match status {
            None => Outcome::Transient(None),
            Some(s) if (200..300).contains(&s) => Outcome::Accepted(None, None),
            // 409: the same key is still being processed (another tab, a keepalive send).
            Some(408 | 409 | 429) => Outcome::Transient(retry_after_ms),
            Some(s) if s >= 500 => Outcome::Transient(retry_after_ms),
            Some(s) => Outcome::Permanent(s),
        }
    }
}

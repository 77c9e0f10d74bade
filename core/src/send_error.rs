//! Why a delivery attempt failed, as the widget's state and the visitor see it.
use crate::outbox::OutboxError;
use std::fmt;

/// Why a delivery attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// No connection, DNS, CORS refusal, connection reset: the request never got an answer.
    Network,
    /// No answer within the timeout.
    Timeout,
    /// The backend answered with a non-2xx status.
    Status(u16),
    /// The outbox refused it (too many waiting, too large): nothing was sent.
    Limit(OutboxError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Network => f.write_str("network error"),
            SendError::Timeout => f.write_str("timeout"),
            SendError::Status(s) => write!(f, "HTTP {s}"),
            SendError::Limit(OutboxError::Full) => {
                f.write_str("outbox limit: too many reports waiting")
            }
            SendError::Limit(OutboxError::TooLarge) => {
                f.write_str("outbox limit: report too large")
            }
        }
    }
}

impl std::error::Error for SendError {}

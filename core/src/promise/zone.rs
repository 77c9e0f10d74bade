//! Time zones, as the engine needs them: the UTC offset in force at an instant.
use crate::time::Millis;

/// A time zone.
pub trait Zone {
    /// Minutes to add to UTC to get local wall time at `utc` (e.g. +480 for Shanghai).
    fn offset_minutes(&self, utc: Millis) -> i32;
}

/// A zone with one fixed offset (UTC itself, or tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedOffset(pub i32);

impl Zone for FixedOffset {
    fn offset_minutes(&self, _utc: Millis) -> i32 {
        self.0
    }
}

//! The authoritative due time: the widget's own promise engine (`reach-us-core`), with a
//! real tz database (chrono-tz) where the browser uses `Intl`.
use chrono::{Offset, TimeZone};
use reach_us_core::promise::Zone;
use reach_us_core::Config;

/// A chrono-tz zone for the engine.
pub struct Tz(pub chrono_tz::Tz);

impl Zone for Tz {
    fn offset_minutes(&self, utc: i64) -> i32 {
        match chrono::DateTime::from_timestamp_millis(utc) {
            Some(dt) => {
                self.0
                    .offset_from_utc_datetime(&dt.naive_utc())
                    .fix()
                    .local_minus_utc()
                    / 60
            }
            None => 0,
        }
    }
}

/// When a report in `category`, whose clock started at `start`, is due under the brand's
/// promise (None: no promise for it, or its zone is unknown).
pub fn due(config: &Config, category: &str, start: i64) -> Option<i64> {
    config
        .rule_for(category)?
        .due(start, |name| name.parse().ok().map(Tz))
}

/// When a reply promised within `minutes` (the live promise, [`crate::surge`]) under
/// `rule`'s hours is due, for a clock started at `start`.
pub fn due_in(rule: &reach_us_core::promise::PromiseRule, start: i64, minutes: u32) -> Option<i64> {
    rule.due_within(minutes, start, |name| name.parse().ok().map(Tz))
}

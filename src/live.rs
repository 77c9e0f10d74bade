//! The live promise in the widget (issue 21): the brand's track record endpoint may
//! publish `surge` (category id → minutes, only where the team's backlog widened the
//! promise; the reference inbox does). It is read with the track record — when the code
//! mounts and again on an open at most once a minute, never before the first paint — and
//! the promise line, the report's `promise` and its due time use the widened rule. When
//! the endpoint is unreachable the configured promise stands, as before.
use reach_us_core::promise::live;
use reach_us_core::promise::PromiseRule;

use crate::ui::State;

/// How long a read of the track record (and `surge`) is used before an open reads it again.
pub const FRESH_MS: i64 = 60_000;

thread_local! {
    /// Which URL the last read was of and when it started (a read in flight counts: the
    /// open that follows the loading click must not start a second one).
    static LAST_READ: std::cell::RefCell<(String, reach_us_core::time::Millis)> = const { std::cell::RefCell::new((String::new(), 0)) };
}

/// Start a read of `url` at `now` unless one started within [`FRESH_MS`]: whether to read.
pub fn start_read(url: &str, now: reach_us_core::time::Millis) -> bool {
    LAST_READ.with(|last| {
        let mut last = last.borrow_mut();
        let fresh = last.0 == url && now - last.1 < FRESH_MS;
        if !fresh {
            *last = (url.to_string(), now);
        }
        !fresh
    })
}

/// The rule for `category`, the minutes to promise under it now, and whether they were
/// widened.
pub fn rule<'a>(state: &'a State, category: &str) -> Option<(&'a PromiseRule, u32, bool)> {
    let rule = state.config.rule_for(category)?;
    Some(
        match live::surge_for(&state.surge, category, rule.minutes) {
            Some(minutes) => (rule, minutes, true),
            None => (rule, rule.minutes, false),
        },
    )
}

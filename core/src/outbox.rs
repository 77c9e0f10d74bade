//! The outbox: what to send next and when, so that no report is ever lost. A report is
//! saved (by the browser shell) before its first attempt, keeps its id (the
//! `Idempotency-Key`) for every retry, and leaves the outbox only when a backend said 2xx
//! or when it failed for good — and then the visitor is told, never silently.
//!
//! Pure: the caller passes "now" and the jitter; storage, timers and `fetch` are the
//! shell's. Backoff: `base · 2^(attempt-1) · (1 + jitter)` with jitter in [0, 1),
//! capped at `max`, and never sooner than a `Retry-After` the backend gave.
use serde::Serialize;

use crate::error::ConfigError;
use crate::time::Millis;
use crate::value::{self, Value};

/// Retry policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// First retry delay before jitter, ms.
    pub base_ms: Millis,
    /// Longest delay, ms.
    pub max_ms: Millis,
    /// How long a report is retried before it counts as failed, ms.
    pub retention_ms: Millis,
    /// Most reports waiting at once.
    pub max_entries: usize,
    /// Largest report body, bytes.
    pub max_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { base_ms: 2_000, max_ms: 3_600_000, retention_ms: 7 * 86_400_000, max_entries: 50, max_bytes: 64 * 1024 }
    }
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: the backend has it. Its reference, if it gave one.
    Accepted(Option<String>),
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
            Some(s) if (200..300).contains(&s) => Outcome::Accepted(None),
            Some(408 | 429) => Outcome::Transient(retry_after_ms),
            Some(s) if s >= 500 => Outcome::Transient(retry_after_ms),
            Some(s) => Outcome::Permanent(s),
        }
    }
}

/// Parse `Retry-After`: delta-seconds only (an HTTP date is rare from APIs; ignored).
pub fn retry_after(header: Option<&str>) -> Option<Millis> {
    header?.trim().parse::<u32>().ok().map(|s| Millis::from(s.min(86_400)) * 1000)
}

/// Where a report is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting for its next attempt.
    Pending,
    /// A backend accepted it.
    Delivered {
        /// The backend's reference, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Given up: the backend refused it (status) or retention ran out (no status).
    Failed {
        /// The refusing status, if it was a refusal.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
}

/// One report in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Report id, the `Idempotency-Key`.
    pub id: String,
    /// The exact body sent on every attempt.
    pub body: String,
    /// First saved (the promise clock starts here), ms.
    pub created: Millis,
    /// Attempts made.
    pub attempts: u32,
    /// Not before, ms.
    pub next_at: Millis,
    /// Where it is.
    #[serde(flatten)]
    pub state: State,
}

/// Why a report cannot even be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxError {
    /// Too many reports are waiting already.
    Full,
    /// This report is larger than the limit.
    TooLarge,
}

impl Entry {
    /// A new entry, due at once.
    pub fn new(id: &str, body: String, now: Millis) -> Entry {
        Entry { id: id.into(), body, created: now, attempts: 0, next_at: now, state: State::Pending }
    }

    /// The visitor pressed Send again on a report that failed: try it again now (same
    /// id, same body). Delivered entries are left alone.
    pub fn retry_now(&mut self, now: Millis) {
        if matches!(self.state, State::Failed { .. }) {
            self.state = State::Pending;
            self.next_at = now;
        }
    }

    /// Still to be sent.
    pub fn pending(&self) -> bool {
        self.state == State::Pending
    }

    /// Record an attempt's outcome. `jitter` in [0, 1).
    pub fn record(&mut self, outcome: Outcome, now: Millis, jitter: f64, policy: &Policy) {
        if !self.pending() {
            return; // delivered or failed: later answers (another tab's) change nothing
        }
        self.attempts = self.attempts.saturating_add(1);
        match outcome {
            Outcome::Accepted(reference) => self.state = State::Delivered { reference },
            Outcome::Permanent(status) => self.state = State::Failed { status: Some(status) },
            Outcome::Transient(retry_after) => {
                let exp = self.attempts.saturating_sub(1).min(30);
                let backoff = (policy.base_ms.saturating_mul(1 << exp)).min(policy.max_ms);
                let jittered = ((backoff as f64) * (1.0 + jitter.clamp(0.0, 0.999))) as Millis;
                let delay = jittered.min(policy.max_ms).max(retry_after.unwrap_or(0));
                self.next_at = now + delay;
                if self.next_at - self.created > policy.retention_ms {
                    // The next try would come after retention: stop now and say so.
                    self.state = State::Failed { status: None };
                }
            }
        }
    }

    /// Read back from storage.
    pub fn from_value(v: &Value) -> Result<Entry, ConfigError> {
        let f = value::object("outbox", v, &["id", "body", "created", "attempts", "next_at", "state", "reference", "status"])?;
        let get = |k: &str| value::member(&f, k);
        let s = |k: &'static str| get(k).ok_or(ConfigError::Missing { field: k }).and_then(|v| value::string(k, v));
        let n = |k: &'static str| get(k).ok_or(ConfigError::Missing { field: k }).and_then(|v| value::integer(k, v, 0, i64::MAX / 2));
        let state = match s("state")?.as_str() {
            "pending" => State::Pending,
            "delivered" => State::Delivered { reference: get("reference").map(|v| value::string("reference", v)).transpose()? },
            "failed" => State::Failed { status: get("status").map(|v| value::integer("status", v, 100, 599).map(|x| x as u16)).transpose()? },
            _ => return Err(ConfigError::invalid("state", "is not pending, delivered or failed")),
        };
        Ok(Entry { id: s("id")?, body: s("body")?, created: n("created")?, attempts: n("attempts")? as u32, next_at: n("next_at")?, state })
    }
}

/// Admit a new report, or say why not (nothing is dropped to make room).
pub fn admit(entries: &[Entry], body_len: usize, policy: &Policy) -> Result<(), OutboxError> {
    if body_len > policy.max_bytes {
        return Err(OutboxError::TooLarge);
    }
    if entries.iter().filter(|e| e.pending()).count() >= policy.max_entries {
        return Err(OutboxError::Full);
    }
    Ok(())
}

/// Pending entries due at `now`, oldest first.
pub fn ready(entries: &[Entry], now: Millis) -> Vec<String> {
    let mut v: Vec<&Entry> = entries.iter().filter(|e| e.pending() && e.next_at <= now).collect();
    v.sort_by_key(|e| e.created);
    v.into_iter().map(|e| e.id.clone()).collect()
}

/// When the next pending entry is due, if any.
pub fn next_wake(entries: &[Entry]) -> Option<Millis> {
    entries.iter().filter(|e| e.pending()).map(|e| e.next_at).min()
}

/// The network is back: everything pending is due now (backoff was for a dead line).
pub fn wake_all(entries: &mut [Entry], now: Millis) {
    for e in entries.iter_mut().filter(|e| e.pending()) {
        e.next_at = e.next_at.min(now);
    }
}

/// Give up on pending entries older than retention (they are reported, not dropped).
pub fn expire(entries: &mut [Entry], now: Millis, policy: &Policy) {
    for e in entries.iter_mut().filter(|e| e.pending() && now - e.created > policy.retention_ms) {
        e.state = State::Failed { status: None };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: Policy = Policy { base_ms: 2_000, max_ms: 3_600_000, retention_ms: 7 * 86_400_000, max_entries: 50, max_bytes: 65_536 };

    #[test]
    fn classification() {
        assert_eq!(Outcome::of_status(None, None), Outcome::Transient(None));
        assert_eq!(Outcome::of_status(Some(201), None), Outcome::Accepted(None));
        for s in [408, 429, 500, 502, 503, 504] {
            assert_eq!(Outcome::of_status(Some(s), Some(5_000)), Outcome::Transient(Some(5_000)), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 413, 422] {
            assert_eq!(Outcome::of_status(Some(s), None), Outcome::Permanent(s), "{s}");
        }
        assert_eq!(retry_after(Some(" 7 ")), Some(7_000));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(Some("99999999")), Some(86_400_000));
    }

    #[test]
    fn every_transition() {
        let fresh = || Entry::new("k", "{}".into(), 0);
        // pending --2xx--> delivered
        let mut e = fresh();
        e.record(Outcome::Accepted(Some("SRV-1".into())), 10, 0.0, &P);
        assert_eq!(e.state, State::Delivered { reference: Some("SRV-1".into()) });
        // delivered stays delivered whatever comes later
        e.record(Outcome::Permanent(400), 20, 0.0, &P);
        assert_eq!((e.attempts, e.state.clone()), (1, State::Delivered { reference: Some("SRV-1".into()) }));
        // pending --4xx--> failed(status)
        let mut e = fresh();
        e.record(Outcome::Permanent(400), 10, 0.0, &P);
        assert_eq!(e.state, State::Failed { status: Some(400) });
        e.record(Outcome::Accepted(None), 20, 0.0, &P);
        assert_eq!(e.state, State::Failed { status: Some(400) });
        // pending --transient--> pending, backoff doubling with jitter, capped
        let mut e = fresh();
        let delays: Vec<Millis> = (0..14)
            .map(|_| {
                let before = e.next_at;
                let now = before;
                e.record(Outcome::Transient(None), now, 0.0, &P);
                e.next_at - now
            })
            .collect();
        assert_eq!(&delays[..6], &[2_000, 4_000, 8_000, 16_000, 32_000, 64_000]);
        assert_eq!(*delays.last().unwrap(), 3_600_000);
        let mut j = fresh();
        j.record(Outcome::Transient(None), 0, 0.5, &P);
        assert_eq!(j.next_at, 3_000);
        // Retry-After wins when longer
        let mut r = fresh();
        r.record(Outcome::Transient(Some(30_000)), 0, 0.0, &P);
        assert_eq!(r.next_at, 30_000);
        // failed --visitor sends again--> pending, due now, same key
        let mut again = fresh();
        again.record(Outcome::Permanent(400), 10, 0.0, &P);
        again.retry_now(50);
        assert_eq!((again.pending(), again.next_at, again.id.as_str()), (true, 50, "k"));
        let mut done = fresh();
        done.record(Outcome::Accepted(None), 10, 0.0, &P);
        done.retry_now(50);
        assert!(!done.pending());
        // pending --past retention--> failed(no status)
        let mut old = fresh();
        expire(std::slice::from_mut(&mut old), P.retention_ms + 1, &P);
        assert_eq!(old.state, State::Failed { status: None });
    }

    #[test]
    fn admission_limits_are_errors_not_drops() {
        let many: Vec<Entry> = (0..50).map(|i| Entry::new(&i.to_string(), "{}".into(), 0)).collect();
        assert_eq!(admit(&many, 10, &P), Err(OutboxError::Full));
        assert_eq!(admit(&[], 70_000, &P), Err(OutboxError::TooLarge));
        assert_eq!(admit(&many[..49], 10, &P), Ok(()));
    }

    #[test]
    fn back_online_everything_is_due() {
        let mut list = vec![Entry::new("a", "{}".into(), 0), Entry::new("b", "{}".into(), 0)];
        list[0].record(Outcome::Transient(None), 0, 0.0, &P);
        list[1].record(Outcome::Permanent(400), 0, 0.0, &P);
        wake_all(&mut list, 10);
        assert_eq!(ready(&list, 10), vec!["a".to_string()]);
    }

    #[test]
    fn ready_and_wake() {
        let mut a = Entry::new("a", "{}".into(), 5);
        let b = Entry::new("b", "{}".into(), 1);
        a.next_at = 100;
        let list = vec![a, b];
        assert_eq!(ready(&list, 50), vec!["b".to_string()]);
        assert_eq!(ready(&list, 100), vec!["b".to_string(), "a".to_string()]);
        assert_eq!(next_wake(&list), Some(1));
    }

    #[test]
    fn entries_round_trip_through_storage() {
        for state in [State::Pending, State::Delivered { reference: Some("R".into()) }, State::Delivered { reference: None }, State::Failed { status: Some(400) }, State::Failed { status: None }] {
            let e = Entry { id: "k".into(), body: "{\"a\":1}".into(), created: 5, attempts: 3, next_at: 9, state };
            let v = crate::value::from_json(serde_json::to_value(&e).unwrap());
            assert_eq!(Entry::from_value(&v).unwrap(), e);
        }
    }

    proptest! {
        /// No sequence of failures loses a report before retention: it stays pending (and is
        /// retried) until a 2xx, a 4xx refusal, or retention; the key never changes.
        #[test]
        fn nothing_is_lost_before_retention(outcomes in proptest::collection::vec((0u8..4, 0u32..120_000, 0.0f64..1.0), 1..60)) {
            let mut e = Entry::new("key-1", "{}".into(), 0);
            let mut now = 0;
            for (kind, gap, jitter) in outcomes {
                now = now.max(e.next_at) + Millis::from(gap);
                let was_pending = e.pending();
                let outcome = match kind { 0 => Outcome::Transient(None), 1 => Outcome::Transient(Some(Millis::from(gap))), 2 => Outcome::Accepted(None), _ => Outcome::Permanent(400) };
                let terminal = matches!(outcome, Outcome::Accepted(_) | Outcome::Permanent(_));
                e.record(outcome, now, jitter, &P);
                prop_assert_eq!(&e.id, "key-1");
                if was_pending && !terminal {
                    // Still pending unless the next try would fall after retention.
                    prop_assert!(e.pending() || e.next_at - e.created > P.retention_ms);
                    if e.pending() {
                        prop_assert!(e.next_at > now);
                        prop_assert!(e.next_at - now <= P.max_ms.max(Millis::from(gap)));
                    }
                }
            }
        }
    }
}

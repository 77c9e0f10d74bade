//! The outbox: what to send next and when, so that no report is ever lost. A report is
//! saved (by the browser shell) before its first attempt, keeps its id (the
//! `Idempotency-Key`) for every retry, and leaves the outbox only when a backend said 2xx
//! or when it failed for good — and then the visitor is told, never silently.
//!
//! Pure: the caller passes "now" and the jitter; storage, timers and `fetch` are the
//! shell's. Backoff: `base · 2^(attempt-1) · (1 + jitter)` with jitter in [0, 1),
//! capped at `max`, and never sooner than a `Retry-After` the backend gave.

use crate::backend::Deliver;
use crate::error::ConfigError;
pub use crate::outcome::Outcome;
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
        Policy {
            base_ms: 2_000,
            max_ms: 3_600_000,
            retention_ms: 7 * 86_400_000,
            max_entries: 50,
            max_bytes: crate::defaults::MAX_REPORT_BYTES,
        }
    }
}

/// Why a report will not be delivered, as the `failed` event says it (README "Events"):
/// `http_<status>` when a backend refused it; without a status, `expired` when it was kept
/// in the outbox (`kept`) until its retention ran out, `network` when it could not be kept
/// (storage refused) and its one attempt from memory reached no backend.
pub fn failed_reason(status: Option<u16>, kept: bool) -> String {
    match status {
        Some(s) => format!("http_{s}"),
        None if kept => "expired".into(),
        None => "network".into(),
    }
}

/// Parse `Retry-After`: delta-seconds only (an HTTP date is rare from APIs; ignored).
pub fn retry_after(header: Option<&str>) -> Option<Millis> {
    header?
        .trim()
        .parse::<u32>()
        .ok()
        .map(|s| Millis::from(s.min(86_400)) * 1000)
}

/// Where a report is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for its next attempt.
    Pending,
    /// A backend accepted it.
    Delivered {
        /// The backend's reference, if any.
        reference: Option<String>,
        /// The due time the backend set, if it said (it wins over the report's own).
        due: Option<Millis>,
    },
    /// Given up: the backend refused it (status) or retention ran out (no status).
    Failed {
        /// The refusing status, if it was a refusal.
        status: Option<u16>,
    },
}

/// How many backends there are and how they are used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// Number of configured backends (at least 1).
    pub backends: usize,
    /// All must accept, or the first that does.
    pub deliver: Deliver,
}

impl Route {
    /// The default: one backend.
    pub const ONE: Route = Route {
        backends: 1,
        deliver: Deliver::All,
    };
}

/// One report in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Backoff rounds so far (the exponent of the next delay).
    pub rounds: u32,
    /// `deliver: all`: indexes of the backends that accepted it already.
    pub done: Vec<u32>,
    /// `deliver: first`: the backend the next attempt goes to.
    pub via: u32,
    /// `deliver: first`: a fallback failed only for now in this round (so a refusal by
    /// the last backend is not the whole answer).
    pub soft: bool,
    /// A reference an earlier backend gave (`deliver: all`).
    pub got: Option<String>,
    /// A due time an earlier backend gave (`deliver: all`).
    pub got_due: Option<Millis>,
    /// Where it is.
    pub state: State,
}

impl crate::json::ToJson for Entry {
    /// As stored: the entry's fields, the state's tag as `state` and its details beside it.
    fn to_json(&self) -> String {
        let mut o = crate::json::Object::new();
        o.str("id", &self.id)
            .str("body", &self.body)
            .int("created", self.created)
            .int("attempts", i64::from(self.attempts))
            .int("next_at", self.next_at)
            .int("rounds", i64::from(self.rounds));
        if !self.done.is_empty() {
            let mut list = String::from("[");
            for (i, d) in self.done.iter().enumerate() {
                if i > 0 {
                    list.push(',');
                }
                list.push_str(&d.to_string());
            }
            list.push(']');
            o.raw("done", &list);
        }
        if self.via != 0 {
            o.int("via", i64::from(self.via));
        }
        if self.soft {
            o.bool("soft", true);
        }
        o.opt_str("got", self.got.as_deref());
        if let Some(d) = self.got_due {
            o.int("got_due", d);
        }
        match &self.state {
            State::Pending => o.str("state", "pending"),
            State::Delivered { reference, due } => {
                o.str("state", "delivered")
                    .opt_str("reference", reference.as_deref());
                if let Some(d) = due {
                    o.int("due", *d);
                }
                &mut o
            }
            State::Failed { status } => {
                o.str("state", "failed");
                if let Some(s) = status {
                    o.int("status", i64::from(*s));
                }
                &mut o
            }
        };
        o.done()
    }
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
        Entry {
            id: id.into(),
            body,
            created: now,
            attempts: 0,
            next_at: now,
            rounds: 0,
            done: Vec::new(),
            via: 0,
            soft: false,
            got: None,
            got_due: None,
            state: State::Pending,
        }
    }

    /// The backend (index) the next attempt goes to.
    pub fn target(&self, route: Route) -> usize {
        let n = route.backends.max(1);
        match route.deliver {
            Deliver::All => (0..n)
                .find(|i| !self.done.contains(&(*i as u32)))
                .unwrap_or(0),
            Deliver::First => (self.via as usize).min(n - 1),
        }
    }

    fn back_off(&mut self, retry_after: Option<Millis>, now: Millis, jitter: f64, policy: &Policy) {
        let exp = self.rounds.min(30);
        self.rounds = self.rounds.saturating_add(1);
        self.via = 0;
        self.soft = false;
        let backoff = (policy.base_ms.saturating_mul(1 << exp)).min(policy.max_ms);
        let jittered = ((backoff as f64) * (1.0 + jitter.clamp(0.0, 0.999))) as Millis;
        let delay = jittered.min(policy.max_ms).max(retry_after.unwrap_or(0));
        self.next_at = now + delay;
        let deadline = self.created.saturating_add(policy.retention_ms);
        if self.next_at > deadline {
            // The backoff would pass the end of retention: one last try at its end, unless
            // the backend asked us to wait longer than that; then it stays pending until
            // retention ends and `expire` gives up on it then (never sooner than the
            // backend's `Retry-After`, never before `retention_days`).
            let earliest = now.saturating_add(retry_after.unwrap_or(0));
            self.next_at = if earliest > deadline || now >= deadline {
                deadline + 1
            } else {
                deadline
            };
        }
    }

    /// The visitor pressed Send again on a report that failed: try it again now (same
    /// id, same body). Delivered entries are left alone.
    pub fn retry_now(&mut self, now: Millis) {
        if matches!(self.state, State::Failed { .. }) {
            self.state = State::Pending;
            self.next_at = now;
            self.via = 0;
            self.soft = false;
        }
    }

    /// Still to be sent.
    pub fn pending(&self) -> bool {
        self.state == State::Pending
    }

    /// Record the outcome of an attempt at [`Entry::target`]. `jitter` in [0, 1).
    ///
    /// `all`: each acceptance marks that backend done and the next one is due at once;
    /// delivered when all are done; any refusal fails the report. `first`: an acceptance
    /// delivers; any failure moves to the next backend at once; after the last one the
    /// round backs off and starts again from the first — and a refusal by the last one
    /// fails the report only when every backend of the round refused.
    pub fn record(
        &mut self,
        outcome: Outcome,
        route: Route,
        now: Millis,
        jitter: f64,
        policy: &Policy,
    ) {
        if !self.pending() {
            return; // delivered or failed: later answers (another tab's) change nothing
        }
        self.attempts = self.attempts.saturating_add(1);
        let target = self.target(route);
        let last = target + 1 >= route.backends.max(1);
        let transient = matches!(outcome, Outcome::Transient(_));
        match (route.deliver, outcome) {
            (Deliver::All, Outcome::Accepted(reference, due)) => {
                if !self.done.contains(&(target as u32)) {
                    self.done.push(target as u32);
                }
                let reference = reference.or_else(|| self.got.take());
                let due = due.or_else(|| self.got_due.take());
                if self.done.len() >= route.backends.max(1) {
                    self.state = State::Delivered { reference, due };
                } else {
                    self.got = reference;
                    self.got_due = due;
                    self.next_at = now;
                }
            }
            (Deliver::First, Outcome::Accepted(reference, due)) => {
                self.state = State::Delivered { reference, due }
            }
            (Deliver::All, Outcome::Permanent(status)) => {
                self.state = State::Failed {
                    status: Some(status),
                }
            }
            (Deliver::First, Outcome::Permanent(_) | Outcome::Transient(_)) if !last => {
                self.soft |= transient;
                self.via += 1;
                self.next_at = now;
            }
            (Deliver::First, Outcome::Permanent(status)) if !self.soft => {
                self.state = State::Failed {
                    status: Some(status),
                }
            }
            (_, Outcome::Permanent(_)) => self.back_off(None, now, jitter, policy),
            (_, Outcome::Transient(retry_after)) => self.back_off(retry_after, now, jitter, policy),
        }
    }

    /// Read back from storage.
    pub fn from_value(v: &Value) -> Result<Entry, ConfigError> {
        let f = value::object(
            "outbox",
            v,
            &[
                "id",
                "body",
                "created",
                "attempts",
                "next_at",
                "rounds",
                "done",
                "via",
                "soft",
                "got",
                "got_due",
                "state",
                "reference",
                "due",
                "status",
            ],
        )?;
        let get = |k: &str| value::member(&f, k);
        let s = |k: &'static str| {
            get(k)
                .ok_or(ConfigError::Missing { field: k })
                .and_then(|v| value::string(k, v))
        };
        let n = |k: &'static str| {
            get(k)
                .ok_or(ConfigError::Missing { field: k })
                .and_then(|v| value::integer(k, v, 0, i64::MAX / 2))
        };
        let state = match s("state")?.as_str() {
            "pending" => State::Pending,
            "delivered" => State::Delivered {
                reference: get("reference")
                    .map(|v| value::string("reference", v))
                    .transpose()?,
                due: get("due")
                    .map(|v| value::integer("due", v, 0, i64::MAX / 2))
                    .transpose()?,
            },
            "failed" => State::Failed {
                status: get("status")
                    .map(|v| value::integer("status", v, 100, 599).map(|x| x as u16))
                    .transpose()?,
            },
            _ => {
                return Err(ConfigError::invalid(
                    "state",
                    "is not pending, delivered or failed",
                ))
            }
        };
        let attempts = n("attempts")? as u32;
        let small = |k: &'static str| {
            get(k)
                .map(|v| value::integer(k, v, 0, 1_000_000).map(|x| x as u32))
                .transpose()
        };
        let done = match get("done") {
            Some(v) => value::list("done", v)?
                .iter()
                .map(|i| value::integer("done", i, 0, 64).map(|x| x as u32))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Entry {
            id: s("id")?,
            body: s("body")?,
            created: n("created")?,
            attempts,
            next_at: n("next_at")?,
            // Entries saved before `rounds` existed: one round per attempt.
            rounds: small("rounds")?.unwrap_or(attempts),
            done,
            via: small("via")?.unwrap_or(0),
            soft: get("soft")
                .map(|v| value::boolean("soft", v))
                .transpose()?
                .unwrap_or(false),
            got: get("got").map(|v| value::string("got", v)).transpose()?,
            got_due: get("got_due")
                .map(|v| value::integer("got_due", v, 0, i64::MAX / 2))
                .transpose()?,
            state,
        })
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

/// The storage lease a tab without Web Locks takes before sending: `"<tab> <until ms>"`.
/// May `me` take (or renew) it at `now`? Yes when nobody holds it, it is ours, it has
/// expired, or it cannot be read.
pub fn may_lease(current: Option<&str>, me: &str, now: Millis) -> bool {
    let Some((holder, until)) = current.and_then(|c| c.split_once(' ')) else {
        return true;
    };
    holder == me || until.parse::<Millis>().map_or(true, |u| u <= now)
}

/// The lease text for `me` until `until`.
pub fn lease(me: &str, until: Millis) -> String {
    format!("{me} {until}")
}

/// The pending entry to send next at `now`: the oldest one that is due.
pub fn next_ready(entries: &[Entry], now: Millis) -> Option<&Entry> {
    entries
        .iter()
        .filter(|e| e.pending() && e.next_at <= now)
        .min_by_key(|e| e.created)
}

/// When the next pending entry is due, if any.
pub fn next_wake(entries: &[Entry]) -> Option<Millis> {
    entries
        .iter()
        .filter(|e| e.pending())
        .map(|e| e.next_at)
        .min()
}

/// The network is back: everything pending is due now (backoff was for a dead line).
pub fn wake_all(entries: &mut [Entry], now: Millis) {
    for e in entries.iter_mut().filter(|e| e.pending()) {
        e.next_at = e.next_at.min(now);
    }
}

/// Give up on pending entries older than retention (they are reported, not dropped).
pub fn expire(entries: &mut [Entry], now: Millis, policy: &Policy) {
    for e in entries
        .iter_mut()
        .filter(|e| e.pending() && now - e.created > policy.retention_ms)
    {
        e.state = State::Failed { status: None };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: Policy = Policy {
        base_ms: 2_000,
        max_ms: 3_600_000,
        retention_ms: 7 * 86_400_000,
        max_entries: 50,
        max_bytes: 65_536,
    };

    #[test]
    fn classification() {
        assert_eq!(Outcome::of_status(None, None), Outcome::Transient(None));
        assert_eq!(
            Outcome::of_status(Some(201), None),
            Outcome::Accepted(None, None)
        );
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert_eq!(
                Outcome::of_status(Some(s), Some(5_000)),
                Outcome::Transient(Some(5_000)),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 413, 422] {
            assert_eq!(
                Outcome::of_status(Some(s), None),
                Outcome::Permanent(s),
                "{s}"
            );
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
        e.record(
            Outcome::Accepted(Some("SRV-1".into()), None),
            Route::ONE,
            10,
            0.0,
            &P,
        );
        assert_eq!(
            e.state,
            State::Delivered {
                reference: Some("SRV-1".into()),
                due: None
            }
        );
        // delivered stays delivered whatever comes later
        e.record(Outcome::Permanent(400), Route::ONE, 20, 0.0, &P);
        assert_eq!(
            (e.attempts, e.state.clone()),
            (
                1,
                State::Delivered {
                    reference: Some("SRV-1".into()),
                    due: None
                }
            )
        );
        // pending --4xx--> failed(status)
        let mut e = fresh();
        e.record(Outcome::Permanent(400), Route::ONE, 10, 0.0, &P);
        assert_eq!(e.state, State::Failed { status: Some(400) });
        e.record(Outcome::Accepted(None, None), Route::ONE, 20, 0.0, &P);
        assert_eq!(e.state, State::Failed { status: Some(400) });
        // pending --transient--> pending, backoff doubling with jitter, capped
        let mut e = fresh();
        let delays: Vec<Millis> = (0..14)
            .map(|_| {
                let before = e.next_at;
                let now = before;
                e.record(Outcome::Transient(None), Route::ONE, now, 0.0, &P);
                e.next_at - now
            })
            .collect();
        assert_eq!(&delays[..6], &[2_000, 4_000, 8_000, 16_000, 32_000, 64_000]);
        assert_eq!(*delays.last().unwrap(), 3_600_000);
        let mut j = fresh();
        j.record(Outcome::Transient(None), Route::ONE, 0, 0.5, &P);
        assert_eq!(j.next_at, 3_000);
        // Retry-After wins when longer
        let mut r = fresh();
        r.record(Outcome::Transient(Some(30_000)), Route::ONE, 0, 0.0, &P);
        assert_eq!(r.next_at, 30_000);
        // failed --visitor sends again--> pending, due now, same key
        let mut again = fresh();
        again.record(Outcome::Permanent(400), Route::ONE, 10, 0.0, &P);
        again.retry_now(50);
        assert_eq!(
            (again.pending(), again.next_at, again.id.as_str()),
            (true, 50, "k")
        );
        let mut done = fresh();
        done.record(Outcome::Accepted(None, None), Route::ONE, 10, 0.0, &P);
        done.retry_now(50);
        assert!(!done.pending());
        // pending --past retention--> failed(no status)
        let mut old = fresh();
        expire(std::slice::from_mut(&mut old), P.retention_ms + 1, &P);
        assert_eq!(old.state, State::Failed { status: None });
    }

    #[test]
    fn deliver_all_tracks_each_backend() {
        let all = Route {
            backends: 3,
            deliver: Deliver::All,
        };
        let mut e = Entry::new("k", "{}".into(), 0);
        assert_eq!(e.target(all), 0);
        e.record(
            Outcome::Accepted(Some("A-1".into()), None),
            all,
            10,
            0.0,
            &P,
        );
        assert_eq!(
            (e.pending(), e.target(all), e.next_at),
            (true, 1, 10),
            "next backend due at once"
        );
        e.record(Outcome::Transient(None), all, 20, 0.0, &P);
        assert_eq!(
            (e.pending(), e.target(all), e.next_at),
            (true, 1, 2_020),
            "backs off on the same backend"
        );
        e.record(Outcome::Accepted(None, None), all, 2_020, 0.0, &P);
        assert_eq!(e.target(all), 2);
        e.record(Outcome::Accepted(None, None), all, 2_030, 0.0, &P);
        assert_eq!(
            e.state,
            State::Delivered {
                reference: Some("A-1".into()),
                due: None
            },
            "the reference an earlier backend gave"
        );
        assert_eq!(e.done, vec![0, 1, 2]);
        // The due time a backend set survives the later backends' acceptance, and storage.
        let mut d = Entry::new("k", "{}".into(), 0);
        d.record(Outcome::Accepted(None, Some(77)), all, 1, 0.0, &P);
        let stored = crate::json::ToJson::to_json(&d);
        let back = Entry::from_value(&crate::value::from_json(
            serde_json::from_str(&stored).unwrap(),
        ))
        .unwrap();
        assert_eq!(back.got_due, Some(77));
        d.record(Outcome::Accepted(Some("B".into()), None), all, 2, 0.0, &P);
        d.record(Outcome::Accepted(None, None), all, 3, 0.0, &P);
        assert_eq!(
            d.state,
            State::Delivered {
                reference: Some("B".into()),
                due: Some(77)
            }
        );
        let stored = crate::json::ToJson::to_json(&d);
        let back = Entry::from_value(&crate::value::from_json(
            serde_json::from_str(&stored).unwrap(),
        ))
        .unwrap();
        assert_eq!(back.state, d.state);
        // A refusal by any backend fails the report; a retry keeps what was accepted.
        let mut r = Entry::new("k", "{}".into(), 0);
        r.record(Outcome::Accepted(None, None), all, 1, 0.0, &P);
        r.record(Outcome::Permanent(403), all, 2, 0.0, &P);
        assert_eq!(r.state, State::Failed { status: Some(403) });
        r.retry_now(5);
        assert_eq!((r.pending(), r.target(all)), (true, 1));
    }

    #[test]
    fn deliver_first_falls_back_in_order() {
        let first = Route {
            backends: 2,
            deliver: Deliver::First,
        };
        // Primary down: the fallback is tried at once and takes it.
        let mut e = Entry::new("k", "{}".into(), 0);
        e.record(Outcome::Transient(None), first, 10, 0.0, &P);
        assert_eq!((e.target(first), e.next_at), (1, 10));
        e.record(
            Outcome::Accepted(Some("F".into()), None),
            first,
            11,
            0.0,
            &P,
        );
        assert_eq!(
            e.state,
            State::Delivered {
                reference: Some("F".into()),
                due: None
            }
        );
        // Both down: one backoff for the round, then the primary again.
        let mut e = Entry::new("k", "{}".into(), 0);
        e.record(Outcome::Transient(None), first, 10, 0.0, &P);
        e.record(Outcome::Transient(None), first, 11, 0.0, &P);
        assert_eq!((e.pending(), e.target(first), e.next_at), (true, 0, 2_011));
        // Primary refuses, fallback refuses: failed, with the last status.
        let mut e = Entry::new("k", "{}".into(), 0);
        e.record(Outcome::Permanent(401), first, 10, 0.0, &P);
        e.record(Outcome::Permanent(404), first, 11, 0.0, &P);
        assert_eq!(e.state, State::Failed { status: Some(404) });
        // Primary only down for now, fallback refuses: not final, the round is retried.
        let mut e = Entry::new("k", "{}".into(), 0);
        e.record(Outcome::Transient(None), first, 10, 0.0, &P);
        e.record(Outcome::Permanent(400), first, 11, 0.0, &P);
        assert_eq!((e.pending(), e.target(first), e.soft), (true, 0, false));
    }

    #[test]
    fn storage_lease() {
        assert!(may_lease(None, "a", 10));
        assert!(may_lease(Some("a 100"), "a", 10), "ours: renew");
        assert!(!may_lease(Some("b 100"), "a", 10), "another tab's, live");
        assert!(may_lease(Some("b 100"), "a", 100), "expired");
        assert!(may_lease(Some("garbage"), "a", 10));
        assert_eq!(lease("a", 42), "a 42");
    }

    #[test]
    fn admission_limits_are_errors_not_drops() {
        let many: Vec<Entry> = (0..50)
            .map(|i| Entry::new(&i.to_string(), "{}".into(), 0))
            .collect();
        assert_eq!(admit(&many, 10, &P), Err(OutboxError::Full));
        assert_eq!(admit(&[], 70_000, &P), Err(OutboxError::TooLarge));
        assert_eq!(admit(&many[..49], 10, &P), Ok(()));
    }

    #[test]
    fn back_online_everything_is_due() {
        let mut list = vec![
            Entry::new("a", "{}".into(), 0),
            Entry::new("b", "{}".into(), 0),
        ];
        list[0].record(Outcome::Transient(None), Route::ONE, 0, 0.0, &P);
        list[1].record(Outcome::Permanent(400), Route::ONE, 0, 0.0, &P);
        wake_all(&mut list, 10);
        assert_eq!(next_ready(&list, 10).map(|e| e.id.as_str()), Some("a"));
    }

    #[test]
    fn ready_and_wake() {
        let mut a = Entry::new("a", "{}".into(), 5);
        let b = Entry::new("b", "{}".into(), 1);
        a.next_at = 100;
        let list = vec![a, b];
        assert_eq!(next_ready(&list, 50).map(|e| e.id.as_str()), Some("b"));
        assert_eq!(
            next_ready(&list, 100).map(|e| e.id.as_str()),
            Some("b"),
            "the oldest first"
        );
        let only_a = vec![list[0].clone()];
        assert_eq!(next_ready(&only_a, 99), None);
        assert_eq!(next_ready(&only_a, 100).map(|e| e.id.as_str()), Some("a"));
        assert_eq!(next_wake(&list), Some(1));
    }

    #[test]
    fn entries_round_trip_through_storage() {
        for state in [
            State::Pending,
            State::Delivered {
                reference: Some("R".into()),
                due: None,
            },
            State::Delivered {
                reference: None,
                due: None,
            },
            State::Failed { status: Some(400) },
            State::Failed { status: None },
        ] {
            let e = Entry {
                attempts: 3,
                next_at: 9,
                rounds: 2,
                done: vec![1],
                via: 1,
                soft: true,
                got: Some("G".into()),
                state,
                ..Entry::new("k", "{\"a\":1}".into(), 5)
            };
            let v = crate::value::from_json(
                serde_json::from_str(&crate::json::ToJson::to_json(&e)).unwrap(),
            );
            assert_eq!(Entry::from_value(&v).unwrap(), e);
        }
    }

    #[test]
    fn retention_is_kept_to_the_end_and_retry_after_is_never_cut_short() {
        let day = 86_400_000;
        let p = Policy {
            retention_ms: day,
            ..P
        };
        let one = Route {
            backends: 1,
            deliver: Deliver::All,
        };
        // A 503 asking for a day's wait, an hour in: it stays pending (not failed within
        // seconds), is not tried before the Retry-After, and expires when retention ends.
        let mut e = Entry::new("k", "{}".into(), 0);
        e.record(Outcome::Transient(Some(day)), one, 3_600_000, 0.0, &p);
        assert!(e.pending());
        assert_eq!(e.next_at, day + 1);
        let mut list = vec![e];
        expire(&mut list, day, &p);
        assert!(list[0].pending(), "not before retention ends");
        expire(&mut list, day + 1, &p);
        assert_eq!(list[0].state, State::Failed { status: None });
        // A backoff that would pass the end: one last try at the end of retention.
        let mut e = Entry::new("k", "{}".into(), 0);
        e.rounds = 20; // the next delay is the longest, an hour
        e.record(Outcome::Transient(None), one, day - 60_000, 0.0, &p);
        assert!(e.pending());
        assert_eq!(
            e.next_at, day,
            "the last try comes at the end, not an hour early"
        );
    }

    proptest! {
        /// No sequence of failures loses a report before retention: it stays pending (and is
        /// retried) until a 2xx, a 4xx refusal, or retention; the key never changes.
        #[test]
        fn nothing_is_lost_before_retention(outcomes in proptest::collection::vec((0u8..4, 0u32..120_000, 0.0f64..1.0), 1..60), backends in 1usize..4, first in proptest::bool::ANY) {
            let route = Route { backends, deliver: if first { Deliver::First } else { Deliver::All } };
            let mut e = Entry::new("key-1", "{}".into(), 0);
            let mut now = 0;
            for (kind, gap, jitter) in outcomes {
                now = now.max(e.next_at) + Millis::from(gap);
                let was_pending = e.pending();
                let outcome = match kind { 0 => Outcome::Transient(None), 1 => Outcome::Transient(Some(Millis::from(gap))), 2 => Outcome::Accepted(None, None), _ => Outcome::Permanent(400) };
                let terminal = matches!(outcome, Outcome::Accepted(..) | Outcome::Permanent(_));
                let target = e.target(route);
                prop_assert!(target < backends);
                e.record(outcome, route, now, jitter, &P);
                prop_assert_eq!(&e.id, "key-1");
                if was_pending && !terminal {
                    // Still pending: only `expire`, at the end of retention, gives up.
                    prop_assert!(e.pending());
                    if e.pending() && !(first && target + 1 < backends) {
                        prop_assert!(e.next_at > now);
                        prop_assert!(e.next_at - now <= P.max_ms.max(Millis::from(gap)));
                    }
                }
            }
        }
    }

    #[test]
    fn failed_reasons_are_the_documented_words() {
        assert_eq!(failed_reason(Some(400), true), "http_400");
        assert_eq!(failed_reason(Some(413), false), "http_413");
        assert_eq!(failed_reason(None, true), "expired");
        assert_eq!(failed_reason(None, false), "network");
    }
}

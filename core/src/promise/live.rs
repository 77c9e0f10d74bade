//! The live promise: the reply time the team can keep *now*, given its open backlog and
//! its capacity. Never shorter than the brand's configured promise; widened when the
//! backlog means the configured one would be missed; back to the configured one as the
//! backlog clears. Pure: the inbox passes the backlog, the capacity and "now".
//!
//! **Why it holds.** Capacity `c` is answers per business hour. A report accepted with
//! `B` reports open before it is promised at least `(B + 2) / c` business hours (itself,
//! every open report, and one more for the answer already in progress), widened by a
//! safety margin and rounded up to a readable step. If the team answers at `c` per business
//! hour, soonest-due first (the admin page's order), no such promise is broken: take a
//! missed report `j` and the last instant `t0` before its due time at which the team was
//! idle or answering a report due later; every report answered in `(t0, due_j]` is due by
//! `due_j` and arrived after `t0`. The last of those `N` to arrive found at least
//! `N − 1 − c·(t − t0)` of them still open, so it was promised at least `t0 + N/c`, which
//! is at most `due_j`: the `N` answers fit, a contradiction. (The `+ 2` pays for the
//! answer that may be in progress at `t0`.) The simulation tests below run it with
//! arrival streams from many seeds, a tenfold surge for three hours included.
//!
//! Times are business time, counted by the shared engine ([`super::due`]) in the
//! category's own hours.
use super::engine::{due, DueError};
use super::hours::BusinessHours;
use super::zone::Zone;
use crate::defaults::MAX_PROMISE_MINUTES;
use crate::time::Millis;
use crate::value::{self, Value};

/// The team's pace and how much slack the live promise keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    /// Answers per business hour (> 0).
    pub per_hour: f64,
    /// Extra share of time on top of what the backlog needs (0.2 = 20 %).
    pub margin: f64,
}

/// The margin used when none is configured.
pub const DEFAULT_MARGIN: f64 = 0.2;

/// Round minutes up to a step a person reads easily: 15 minutes below an hour, 30 below
/// four hours, whole hours after; never above the 30-day ceiling.
pub fn round_up(minutes: u32) -> u32 {
    let step = match minutes {
        0..=59 => 15,
        60..=239 => 30,
        _ => 60,
    };
    minutes
        .div_ceil(step)
        .saturating_mul(step)
        .min(MAX_PROMISE_MINUTES)
}

/// The business minutes a backlog of `open` reports (not counting the new one) needs.
pub fn needed_minutes(open: u32, cap: Capacity) -> u32 {
    if cap.per_hour.is_nan() || cap.per_hour <= 0.0 {
        return 0; // no capacity known: nothing to widen by
    }
    let hours = (f64::from(open) + 2.0) / cap.per_hour * (1.0 + cap.margin.clamp(0.0, 10.0));
    let m = (hours * 60.0).ceil();
    if m >= f64::from(MAX_PROMISE_MINUTES) {
        MAX_PROMISE_MINUTES
    } else {
        m as u32
    }
}

/// The promise, in minutes of business time, the team can keep for a report accepted
/// with `open` reports ahead of it: the configured one unless the backlog needs more.
pub fn live_minutes(configured: u32, open: u32, cap: Option<Capacity>) -> u32 {
    let need = cap.map_or(0, |c| needed_minutes(open, c));
    if need <= configured {
        configured
    } else {
        round_up(need).max(configured)
    }
}

/// The live promise (minutes) and its due instant for a report at `now`.
pub fn live_due(
    configured: u32,
    hours: &BusinessHours,
    zone: &dyn Zone,
    now: Millis,
    open: u32,
    cap: Option<Capacity>,
) -> Result<(u32, Millis), DueError> {
    let minutes = live_minutes(configured, open, cap);
    Ok((minutes, due(hours, zone, now, minutes)?))
}

/// Business minutes between `a` and `b` (`a ≤ b`): the most minutes `m` whose due time
/// from `a` is not after `b` (found by halving, with the engine itself).
pub fn business_minutes(hours: &BusinessHours, zone: &dyn Zone, a: Millis, b: Millis) -> u32 {
    if b <= a {
        return 0;
    }
    let (mut lo, mut hi) = (0u32, ((b - a) / 60_000).min(i64::from(u32::MAX)) as u32);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        match due(hours, zone, a, mid) {
            Ok(t) if t <= b => lo = mid,
            _ => hi = mid - 1,
        }
    }
    lo
}

/// Capacity measured from the answers given in a window: answers per business hour, or
/// None with fewer than `min_answers` answers or no business time (too little to go on).
pub fn measured_per_hour(answers: u32, business_minutes: u32, min_answers: u32) -> Option<f64> {
    (answers >= min_answers.max(1) && business_minutes > 0)
        .then(|| f64::from(answers) * 60.0 / f64::from(business_minutes))
}

/// A duration string for `minutes` in the config's own form: `"6h"`, `"1h30m"`, `"45m"`.
pub fn within(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The widened promises a backend publishes (`"surge": {"order": 360}`: category id →
/// minutes), read leniently: anything malformed is skipped, never trusted shorter than
/// the configured promise by its user.
pub fn surge_from_value(v: &Value) -> Vec<(String, u32)> {
    let Ok(f) = value::object("surge", v, &[]) else {
        return Vec::new();
    };
    f.iter()
        .filter_map(|(k, v)| {
            let m = value::integer(k, v, 1, i64::from(MAX_PROMISE_MINUTES)).ok()?;
            Some((k.to_string(), m as u32))
        })
        .take(50)
        .collect()
}

/// The minutes to promise for `category` given the published surge (None: as configured).
pub fn surge_for(surge: &[(String, u32)], category: &str, configured: u32) -> Option<u32> {
    surge
        .iter()
        .find(|(k, _)| k == category)
        .map(|(_, m)| *m)
        .filter(|m| *m > configured)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promise::FixedOffset;

    const HOUR: Millis = 3_600_000;

    fn office() -> BusinessHours {
        BusinessHours::parse([("mon-fri", "09:00-18:00")], &[]).unwrap()
    }

    #[test]
    fn configured_until_the_backlog_needs_more() {
        let cap = Some(Capacity {
            per_hour: 10.0,
            margin: 0.2,
        });
        assert_eq!(live_minutes(120, 0, cap), 120);
        // 13 open: (13 + 2) / 10 h · 1.2 = 108 min < 120.
        assert_eq!(live_minutes(120, 13, cap), 120);
        // 48 open: 50 / 10 · 1.2 = 6 h.
        assert_eq!(live_minutes(120, 48, cap), 360);
        // 49 open: 6 h 7.2 min → 7 h (whole hours past 4 h).
        assert_eq!(live_minutes(120, 49, cap), 420);
        assert_eq!(live_minutes(120, 1_000_000, cap), MAX_PROMISE_MINUTES);
        assert_eq!(
            live_minutes(120, 500, None),
            120,
            "no capacity: as configured"
        );
        assert_eq!(
            live_minutes(
                120,
                500,
                Some(Capacity {
                    per_hour: 0.0,
                    margin: 0.2
                })
            ),
            120
        );
        assert_eq!(
            live_minutes(
                15,
                3,
                Some(Capacity {
                    per_hour: 12.0,
                    margin: 0.0
                })
            ),
            30
        );
    }

    #[test]
    fn rounding_and_duration_text() {
        assert_eq!(round_up(1), 15);
        assert_eq!(round_up(61), 90);
        assert_eq!(round_up(241), 300);
        assert_eq!(within(360), "6h");
        assert_eq!(within(90), "1h30m");
        assert_eq!(within(45), "45m");
        for m in [15, 90, 360, 43_200] {
            assert_eq!(crate::duration::parse_minutes(&within(m)), Ok(m));
        }
    }

    #[test]
    fn business_minutes_inverts_the_engine() {
        let h = office();
        let z = FixedOffset(60);
        // Mon 2026-11-23 08:00 UTC = 09:00 local; to Tue 08:00 UTC: one 9-hour day.
        let mon = crate::time::parse_iso("2026-11-23T08:00:00Z").unwrap();
        assert_eq!(business_minutes(&h, &z, mon, mon + 24 * HOUR), 540);
        assert_eq!(business_minutes(&h, &z, mon, mon + 7 * 24 * HOUR), 5 * 540);
        assert_eq!(business_minutes(&h, &z, mon + HOUR, mon), 0);
        assert_eq!(measured_per_hour(90, 540 * 5, 10), Some(2.0));
        assert_eq!(measured_per_hour(9, 540, 10), None);
    }

    #[test]
    fn a_published_surge_is_read_leniently() {
        let v = crate::value::from_json(
            serde_json::json!({"order": 360, "bad": -1, "x": "6h", "big": 99_999_999}),
        );
        assert_eq!(surge_from_value(&v), vec![("order".to_string(), 360)]);
        assert!(surge_from_value(&Value::Null).is_empty());
        let s = surge_from_value(&v);
        assert_eq!(surge_for(&s, "order", 120), Some(360));
        assert_eq!(
            surge_for(&s, "order", 600),
            None,
            "never shorter than configured"
        );
        assert_eq!(surge_for(&s, "other", 120), None);
    }

    use crate::promise::sim::{run, Rng, Scenario};

    /// The case: normal load, then ten times normal for three hours, given the
    /// stated capacity. No report accepted after the surge began has its promise broken,
    /// the promise widened during the surge, and it is back to the configured one after.
    /// (The same stream under the fixed promise breaks most of them.)
    #[test]
    fn a_tenfold_surge_breaks_no_promise() {
        // Mon 2026-11-23 09:00 local (UTC+1).
        let start = crate::time::parse_iso("2026-11-23T08:00:00Z").unwrap();
        let surge_at = start + 26 * HOUR; // Tue 11:00 local
        let end = start + 14 * 24 * HOUR;
        let mut sc = Scenario {
            hours: office(),
            offset_minutes: 60,
            start,
            length: end - start,
            configured: 120,
            capacity: Capacity {
                per_hour: 6.0,
                margin: DEFAULT_MARGIN,
            },
            live: true,
        };
        let hours = office();
        let rate = |t: Millis| {
            if !crate::promise::is_open(&hours, &FixedOffset(60), t) {
                0.2
            } else if t >= surge_at && t < surge_at + 3 * HOUR {
                30.0
            } else {
                3.0
            }
        };
        for seed in 0..40 {
            sc.live = true;
            let all = run(seed, &sc, &rate);
            // Reports accepted from the surge on, up to a few days before the end (the
            // simulation stops; later ones may still be waiting, within their promise).
            let after: Vec<_> = all
                .iter()
                .filter(|s| s.arrived >= surge_at && s.arrived < start + 10 * 24 * HOUR)
                .collect();
            assert!(after.len() > 100, "seed {seed}: {} reports", after.len());
            for s in &after {
                assert_eq!(s.kept(end), Some(true), "seed {seed}: {s:?}");
            }
            assert!(
                all.iter().all(|s| s.kept(end) != Some(false)),
                "seed {seed}: none broken at all"
            );
            let widest = after.iter().map(|s| s.promised).max().unwrap();
            assert!(
                widest >= 8 * 60,
                "seed {seed}: the promise widened ({widest} min)"
            );
            // From day 9 on the queue is quiet again: the configured promise.
            let late: Vec<_> = all
                .iter()
                .filter(|s| s.arrived > start + 9 * 24 * HOUR)
                .collect();
            let normal = late.iter().filter(|s| s.promised == 120).count();
            assert!(
                normal * 2 >= late.len(),
                "seed {seed}: back to normal ({normal} of {})",
                late.len()
            );
            // The fixed promise, same stream: broken for many.
            sc.live = false;
            let fixed = run(seed, &sc, &rate);
            let broken = fixed
                .iter()
                .filter(|s| s.arrived >= surge_at && s.kept(end) == Some(false))
                .count();
            assert!(broken > 50, "seed {seed}: the fixed promise broke {broken}");
        }
    }

    /// Random streams: bursts of any size at any time, capacities from 1 to 30 an hour,
    /// 24/7 and office hours. Whatever arrives, no live promise is broken.
    #[test]
    fn random_streams_break_no_promise() {
        for seed in 0..30u64 {
            let mut r = Rng::new(seed + 1000);
            let cap = Capacity {
                per_hour: 1.0 + r.unit() * 29.0,
                margin: r.unit() * 0.3,
            };
            let base = r.unit() * cap.per_hour * 0.8;
            let burst_at = (r.unit() * 72.0) as i64 * HOUR;
            let burst_len = (1.0 + r.unit() * 6.0) as i64 * HOUR;
            let factor = 2.0 + r.unit() * 18.0;
            let start = crate::time::parse_iso("2026-11-23T08:00:00Z").unwrap();
            let rate = move |t: Millis| {
                let k = t - start;
                if k >= burst_at && k < burst_at + burst_len {
                    base * factor
                } else {
                    base
                }
            };
            let sc = Scenario {
                hours: if seed % 2 == 0 {
                    BusinessHours::always()
                } else {
                    office()
                },
                offset_minutes: 60,
                start,
                length: 12 * 24 * HOUR,
                configured: [30, 120, 240][(seed % 3) as usize],
                capacity: cap,
                live: true,
            };
            let all = run(seed, &sc, &rate);
            let end = start + sc.length;
            for s in &all {
                assert_ne!(s.kept(end), Some(false), "seed {seed}: {s:?}");
            }
        }
    }
}

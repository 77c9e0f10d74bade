//! Counting business time forward. The engine walks real time in segments that never
//! cross a window edge or a UTC-offset change, so DST gaps and overlaps come out right:
//! a skipped local hour is never counted, a repeated one that is open is counted twice
//! (the team really was at work twice as long).
use super::hours::{BusinessHours, Date};
use super::zone::Zone;
use crate::time::{civil_from_days, Millis};

const MINUTE: Millis = 60_000;
const DAY: Millis = 86_400_000;
/// How far ahead the engine looks for an opening before giving up.
const HORIZON_DAYS: i64 = 400;
/// Segments walked before giving up (a 30-day promise with split windows needs ~200).
const MAX_STEPS: usize = 10_000;

/// Why no due time can be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueError {
    /// No open window within the horizon (a year of holidays, say).
    NeverOpen,
}

/// Where the local wall clock is at an instant.
struct Local {
    /// Days since 1970-01-01, local.
    days: i64,
    /// Milliseconds since local midnight.
    ms: Millis,
}

fn local(zone: &dyn Zone, t: Millis) -> Local {
    let lt = t + Millis::from(zone.offset_minutes(t)) * MINUTE;
    Local {
        days: lt.div_euclid(DAY),
        ms: lt.rem_euclid(DAY),
    }
}

fn date_of(days: i64) -> (Date, usize) {
    let (y, m, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday; 0 = Monday.
    (
        Date {
            year: y as i32,
            month: m as u8,
            day: d as u8,
        },
        (days + 3).rem_euclid(7) as usize,
    )
}

/// First instant in `(a, b]` whose offset differs from `a`'s (`b`'s must differ).
fn transition(zone: &dyn Zone, a: Millis, b: Millis) -> Millis {
    let off = zone.offset_minutes(a);
    let (mut lo, mut hi) = (a, b);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if zone.offset_minutes(mid) == off {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The first instant from `t` at which the local wall clock shows `target` (local epoch
/// ms) or later, and the offset change crossed on the way, if any.
fn reach(zone: &dyn Zone, t: Millis, target: Millis) -> (Millis, Option<Millis>) {
    let off = Millis::from(zone.offset_minutes(t)) * MINUTE;
    let cand = target - off;
    if cand <= t {
        return (t, None);
    }
    let off2 = Millis::from(zone.offset_minutes(cand)) * MINUTE;
    if off2 == off {
        return (cand, None);
    }
    let tr = transition(zone, t, cand);
    // After the change local time is x + off2: it shows `target` at target - off2, but not
    // before the change itself (a target inside a spring-forward gap is reached at once).
    ((target - off2).max(tr), Some(tr))
}

/// Is the brand open at `t`?
pub fn is_open(hours: &BusinessHours, zone: &dyn Zone, t: Millis) -> bool {
    if hours.always {
        return true;
    }
    let l = local(zone, t);
    let (date, wd) = date_of(l.days);
    hours
        .windows(date, wd)
        .iter()
        .any(|w| l.ms >= Millis::from(w.start) * MINUTE && l.ms < Millis::from(w.end) * MINUTE)
}

/// The next instant at or after `t` when the brand is open (`t` itself when open now).
pub fn next_opening(hours: &BusinessHours, zone: &dyn Zone, t: Millis) -> Result<Millis, DueError> {
    if is_open(hours, zone, t) {
        return Ok(t);
    }
    let l = local(zone, t);
    for k in 0..HORIZON_DAYS {
        let (date, wd) = date_of(l.days + k);
        if let Some(w) = hours
            .windows(date, wd)
            .iter()
            .find(|w| k > 0 || Millis::from(w.start) * MINUTE > l.ms)
        {
            let target = (l.days + k) * DAY + Millis::from(w.start) * MINUTE;
            return Ok(reach(zone, t, target).0);
        }
    }
    Err(DueError::NeverOpen)
}

/// When a reply promised within `minutes` of business time is due, for a report at `now`.
pub fn due(
    hours: &BusinessHours,
    zone: &dyn Zone,
    now: Millis,
    minutes: u32,
) -> Result<Millis, DueError> {
    let mut left = Millis::from(minutes) * MINUTE;
    if hours.always {
        return Ok(now + left);
    }
    let mut t = now;
    for _ in 0..MAX_STEPS {
        let l = local(zone, t);
        let (date, wd) = date_of(l.days);
        let open = hours.windows(date, wd).iter().find(|w| {
            l.ms >= Millis::from(w.start) * MINUTE && l.ms < Millis::from(w.end) * MINUTE
        });
        match open {
            Some(w) => {
                let (end, crossed) = reach(zone, t, l.days * DAY + Millis::from(w.end) * MINUTE);
                // Stop at an offset change: local time may jump out of (or back into) the window.
                let seg_end = crossed.unwrap_or(end);
                if seg_end - t >= left {
                    return Ok(t + left);
                }
                left -= seg_end - t;
                t = seg_end;
            }
            None => t = next_opening(hours, zone, t)?,
        }
    }
    Err(DueError::NeverOpen)
}

//! A simulated help desk, for the live promise's tests and the surge benchmark
//! (`cargo run -p reach-us-core --example surge`): reports arrive minute by minute at a
//! given rate, each is promised a reply (the live promise for the backlog it finds, or the
//! fixed configured one, to compare), and a team answers a steady number per business hour,
//! soonest due first, as the inbox's admin page lists them. Deterministic for a seed.
use super::engine::{due, is_open};
use super::hours::BusinessHours;
use super::live::{live_due, Capacity};
use super::zone::FixedOffset;
use crate::time::Millis;

const MIN: Millis = 60_000;

/// A small deterministic generator (xorshift64).
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What is simulated.
pub struct Scenario {
    /// The team's hours (the promise counts them, the team works in them).
    pub hours: BusinessHours,
    /// The hours' zone, a fixed offset in minutes.
    pub offset_minutes: i32,
    /// First simulated minute.
    pub start: Millis,
    /// How long, ms.
    pub length: Millis,
    /// The configured promise, minutes of business time.
    pub configured: u32,
    /// The team's capacity (and the live promise's margin).
    pub capacity: Capacity,
    /// Promise the live promise (true) or always the configured one (false).
    pub live: bool,
}

/// One simulated report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimReport {
    /// Accepted at.
    pub arrived: Millis,
    /// Reports open when it arrived.
    pub backlog: u32,
    /// Minutes promised.
    pub promised: u32,
    /// Due at.
    pub due: Millis,
    /// Answered at (None: not within the simulated time).
    pub answered: Option<Millis>,
}

impl SimReport {
    /// Answered by its due time (None while it may still be).
    pub fn kept(&self, end: Millis) -> Option<bool> {
        match self.answered {
            Some(a) => Some(a <= self.due),
            None if end > self.due => Some(false),
            None => None,
        }
    }
}

/// Run `sc` with arrivals at `rate(t)` reports per hour.
pub fn run(seed: u64, sc: &Scenario, rate: &dyn Fn(Millis) -> f64) -> Vec<SimReport> {
    let z = FixedOffset(sc.offset_minutes);
    let mut rng = Rng::new(seed);
    let mut all: Vec<SimReport> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut credit = 0.0; // answers the team can give now (accrues in business minutes)
    let mut t = sc.start;
    while t < sc.start + sc.length {
        let p = rate(t).max(0.0) / 60.0;
        let mut n = p.floor() as u32;
        if rng.unit() < p.fract() {
            n += 1;
        }
        for _ in 0..n {
            let backlog = open.len() as u32;
            let (promised, due_at) = if sc.live {
                live_due(sc.configured, &sc.hours, &z, t, backlog, Some(sc.capacity))
            } else {
                due(&sc.hours, &z, t, sc.configured).map(|d| (sc.configured, d))
            }
            .expect("the simulated hours open");
            all.push(SimReport {
                arrived: t,
                backlog,
                promised,
                due: due_at,
                answered: None,
            });
            open.push(all.len() - 1);
        }
        if is_open(&sc.hours, &z, t) {
            credit += sc.capacity.per_hour / 60.0;
            while credit >= 1.0 && !open.is_empty() {
                credit -= 1.0;
                let k = (0..open.len())
                    .min_by_key(|&k| (all[open[k]].due, open[k]))
                    .expect("not empty");
                let i = open.remove(k);
                all[i].answered = Some(t + MIN);
            }
            if open.is_empty() {
                credit = credit.min(1.0); // idle time is not banked
            }
        }
        t += MIN;
    }
    all
}

//! The surge benchmark: `cargo run -p reach-us-core --example surge [seeds]`.
//!
//! A team with business hours Mon–Fri 09:00–18:00 (UTC+1), a configured promise of 2
//! business hours and a capacity of 6 answers per business hour; 3 reports an hour while
//! open (0.2 an hour while closed), then ten times that (30 an hour) for three hours from
//! Tuesday 11:00. The same arrivals are promised twice: the fixed configured promise, and
//! the live promise (`reach_us_core::promise::live`, 20 % margin). Prints, per hour of the
//! first seed: arrivals, capacity, backlog, the promise made, and the share kept under
//! each; then the share kept over all seeds.
use reach_us_core::promise::live::{Capacity, DEFAULT_MARGIN};
use reach_us_core::promise::sim::{run, Scenario, SimReport};
use reach_us_core::promise::{is_open, BusinessHours, FixedOffset};
use reach_us_core::time::{iso_utc, parse_iso, Millis};

const HOUR: Millis = 3_600_000;

fn share(list: &[&SimReport], end: Millis) -> (usize, usize) {
    let decided: Vec<bool> = list.iter().filter_map(|s| s.kept(end)).collect();
    (decided.iter().filter(|k| **k).count(), decided.len())
}

fn pct((kept, n): (usize, usize)) -> String {
    if n == 0 {
        "–".into()
    } else {
        format!("{:.1} %", 100.0 * kept as f64 / n as f64)
    }
}

fn main() {
    let seeds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let hours = BusinessHours::parse([("mon-fri", "09:00-18:00")], &[]).unwrap();
    let start = parse_iso("2026-11-23T08:00:00Z").unwrap(); // Mon 09:00 local
    let surge_at = start + 26 * HOUR; // Tue 11:00 local
    let mut sc = Scenario {
        hours: hours.clone(),
        offset_minutes: 60,
        start,
        length: 14 * 24 * HOUR,
        configured: 120,
        capacity: Capacity {
            per_hour: 6.0,
            margin: DEFAULT_MARGIN,
        },
        live: true,
    };
    let end = start + sc.length;
    let rate = |t: Millis| {
        if !is_open(&hours, &FixedOffset(60), t) {
            0.2
        } else if t >= surge_at && t < surge_at + 3 * HOUR {
            30.0
        } else {
            3.0
        }
    };
    let live = run(1, &sc, &rate);
    sc.live = false;
    let fixed = run(1, &sc, &rate);
    println!("Surge benchmark: configured promise 2 business hours, capacity {} answers per business hour, margin {:.0} %, surge 10x for 3 h from Tue 11:00 (UTC+1); seed 1", sc.capacity.per_hour, DEFAULT_MARGIN * 100.0);
    println!();
    println!("| hour (local) | arrivals | capacity | backlog at start | promise made (live) | kept, fixed 2 h | kept, live |");
    println!("|---|---|---|---|---|---|---|");
    let mut h = start + HOUR; // Mon 10:00 local
    while h < start + 3 * 24 * HOUR + 10 * HOUR {
        let in_hour = |s: &&SimReport| s.arrived >= h && s.arrived < h + HOUR;
        let l: Vec<&SimReport> = live.iter().filter(in_hour).collect();
        let f: Vec<&SimReport> = fixed.iter().filter(in_hour).collect();
        let open = is_open(&hours, &FixedOffset(60), h);
        if open || !l.is_empty() {
            let backlog = live
                .iter()
                .filter(|s| s.arrived < h && s.answered.is_none_or(|a| a > h))
                .count();
            let promise = match (
                l.iter().map(|s| s.promised).min(),
                l.iter().map(|s| s.promised).max(),
            ) {
                (Some(a), Some(b)) if a == b => fmt(a),
                (Some(a), Some(b)) => format!("{} – {}", fmt(a), fmt(b)),
                _ => "–".into(),
            };
            let local = iso_utc(h + HOUR);
            println!(
                "| {} {} | {} | {} | {} | {} | {} | {} |",
                ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                    [((h + HOUR - (start + HOUR - 9 * HOUR)) / (24 * HOUR)) as usize % 7],
                &local[11..16],
                l.len(),
                if open {
                    format!("{}", sc.capacity.per_hour)
                } else {
                    "closed".into()
                },
                backlog,
                promise,
                pct(share(&f, end)),
                pct(share(&l, end)),
            );
        }
        h += HOUR;
    }
    let (mut lk, mut ln, mut fk, mut fnn, mut widest) = (0, 0, 0, 0, 0);
    for seed in 0..seeds {
        sc.live = true;
        let l = run(seed, &sc, &rate);
        sc.live = false;
        let f = run(seed, &sc, &rate);
        let after = |v: &Vec<SimReport>| {
            v.iter()
                .filter(|s| s.arrived >= surge_at)
                .cloned()
                .collect::<Vec<_>>()
        };
        let (la, fa) = (after(&l), after(&f));
        let (a, b) = share(&la.iter().collect::<Vec<_>>(), end);
        let (c, d) = share(&fa.iter().collect::<Vec<_>>(), end);
        widest = widest.max(la.iter().map(|s| s.promised).max().unwrap_or(0));
        lk += a;
        ln += b;
        fk += c;
        fnn += d;
    }
    println!();
    println!("Over {seeds} seeds, reports accepted from the surge on (14 simulated days each):");
    println!();
    println!("| promise | reports decided | kept | share kept | widest promise made |");
    println!("|---|---|---|---|---|");
    println!("| fixed 2 h | {fnn} | {fk} | {} | 2 h |", pct((fk, fnn)));
    println!(
        "| live | {ln} | {lk} | {} | {} |",
        pct((lk, ln)),
        fmt(widest)
    );
}

fn fmt(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

//! `inbox-load`: a load generator for the inbox on loopback. Posts unique reports from
//! `--connections` kept-alive connections for `--seconds`, then prints reports/s and the
//! p50/p99 latency. Usage: `inbox-load http://127.0.0.1:8787 [--connections 16] [--seconds 10]`.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reach_us_inbox::client::{sample_report, Conn};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args
        .first()
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8787".into());
    let flag = |name: &str, d: u64| {
        args.windows(2)
            .find(|w| w[0] == name)
            .and_then(|w| w[1].parse().ok())
            .unwrap_or(d)
    };
    let (conns, seconds) = (flag("--connections", 16), flag("--seconds", 10));
    let Ok(addr) = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse::<SocketAddr>()
    else {
        eprintln!("inbox-load: give the inbox as http://IP:PORT");
        std::process::exit(2);
    };
    let seq = Arc::new(AtomicU64::new(0));
    let run = reach_us_inbox::util::random_id()[..4].to_string(); // ids unique across runs too
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (seq, run) = (seq.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let (mut lat, mut errors, mut non2xx) = (Vec::new(), 0u64, 0u64);
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let id = format!("{c:08x}-{run}-4000-8000-{n:012x}");
                let body = sample_report(&id, "load test");
                let t = Instant::now();
                match conn
                    .send(
                        "POST",
                        "/v1/reports",
                        &[
                            ("Content-Type", "application/json"),
                            ("Idempotency-Key", &id),
                        ],
                        &body,
                    )
                    .await
                {
                    Ok(r) if (200..300).contains(&r.status) => lat.push(t.elapsed()),
                    Ok(_) => non2xx += 1,
                    Err(_) => errors += 1,
                }
            }
            (lat, errors, non2xx)
        }));
    }
    let start = Instant::now();
    let (mut lat, mut errors, mut non2xx) = (Vec::new(), 0, 0);
    for t in tasks {
        if let Ok((l, e, n)) = t.await {
            lat.extend(l);
            errors += e;
            non2xx += n;
        }
    }
    let elapsed = start.elapsed().as_secs_f64().max(1e-9);
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("connections {conns}, {seconds} s: {} reports stored, {:.0} reports/s, p50 {:.2} ms, p99 {:.2} ms, non-2xx {non2xx}, errors {errors}", lat.len(), lat.len() as f64 / elapsed, pct(0.5), pct(0.99));
}

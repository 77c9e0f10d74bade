//! `inbox-load`: a load generator for the inbox on loopback. Posts unique reports from
//! `--connections` kept-alive connections for `--seconds`, then prints reports/s and the
//! p50/p99 latency. Usage: `inbox-load http://127.0.0.1:8787[,http://…] [--connections 16]
//! [--seconds 10]` (several inboxes: connections spread over them).
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

/// A valid `reach-us/v1` body for `id`.
fn sample_report(id: &str) -> String {
    serde_json::json!({
        "schema": "reach-us/v1", "id": id, "reference": format!("LOAD-{}", &id[..6]),
        "created_at": reach_us_core::time::iso_utc(reach_us_inbox::util::now_ms()), "category": "problem",
        "message": "load test", "contact": {"email": "load@example.com"}, "promise": null,
        "page": {"url": "http://127.0.0.1/load", "title": "load", "referrer": ""}, "locale": "en",
        "timezone": "UTC", "client": {"widget_version": "0.0.0"}
    })
    .to_string()
}

/// One kept-alive connection (hyper's HTTP/1.1 client), reopened when it breaks.
struct Conn {
    addr: SocketAddr,
    sender: Option<hyper::client::conn::http1::SendRequest<Full<Bytes>>>,
}

impl Conn {
    /// POST a report (from `from`, as `X-Forwarded-For`, when given); its status, or None
    /// when the exchange failed.
    async fn post(&mut self, id: &str, body: String, from: Option<String>) -> Option<u16> {
        let mut req = hyper::Request::post("/v1/reports")
            .header("content-type", "application/json")
            .header("idempotency-key", id);
        if let Some(ip) = from {
            req = req.header("x-forwarded-for", ip);
        }
        self.send(req, body).await
    }

    /// One request; its status, or None when the exchange failed.
    async fn send(&mut self, req: hyper::http::request::Builder, body: String) -> Option<u16> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(self.addr).await.ok()?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .ok()?;
            tokio::spawn(conn);
            self.sender = Some(sender);
        }
        let sender = self.sender.as_mut()?;
        let req = req
            .header("host", self.addr.to_string())
            .body(Full::new(Bytes::from(body)))
            .ok()?;
        let result = async {
            sender.ready().await.ok()?;
            let resp = sender.send_request(req).await.ok()?;
            let status = resp.status().as_u16();
            resp.into_body().collect().await.ok()?;
            Some(status)
        }
        .await;
        if result.is_none() {
            self.sender = None;
        }
        result
    }
}

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
    // `--spoof`: every report from another client address (`X-Forwarded-For`; the inbox
    // must run with INBOX_TRUST_PROXY=1): the rate limiter's worst case.
    let spoof = args.iter().any(|a| a == "--spoof");
    // `--spoof-from N`: the first spoofed address's number (to continue a previous run).
    let spoof_from = flag("--spoof-from", 0);
    // `--honeypot`: fill the honeypot field: the inbox answers 201 without storing, so the
    // run measures everything before the database (rate limiter included).
    let honeypot = args.iter().any(|a| a == "--honeypot");
    // `--pollers N`: N more connections polling GET /v1/track-record meanwhile.
    let pollers = flag("--pollers", 0);
    // Several inboxes (comma-separated): connections are spread over them in turn.
    let Ok(addrs) = url
        .split(',')
        .map(|u| {
            u.trim()
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .parse::<SocketAddr>()
        })
        .collect::<Result<Vec<_>, _>>()
    else {
        eprintln!("inbox-load: give the inbox as http://IP:PORT[,http://IP:PORT…]");
        std::process::exit(2);
    };
    let seq = Arc::new(AtomicU64::new(0));
    let run = reach_us_inbox::util::random_id()[..4].to_string(); // ids unique across runs too
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (seq, run) = (seq.clone(), run.clone());
        let addr = addrs[c as usize % addrs.len()];
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn { addr, sender: None };
            let (mut lat, mut errors, mut non2xx) = (Vec::new(), 0u64, 0u64);
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let id = format!("{c:08x}-{run}-4000-8000-{n:012x}");
                let mut body = sample_report(&id);
                if honeypot {
                    body = body.replacen('{', "{\"website\":\"http://spam.example\",", 1);
                }
                let t = Instant::now();
                let from = spoof.then(|| {
                    let b = ((n + spoof_from) as u32 + 1).to_be_bytes();
                    format!("10.{}.{}.{}", b[1], b[2], b[3])
                });
                match conn.post(&id, body, from).await {
                    Some(s) if (200..300).contains(&s) => lat.push(t.elapsed()),
                    Some(_) => non2xx += 1,
                    None => errors += 1,
                }
            }
            (lat, errors, non2xx)
        }));
    }
    let polls = Arc::new(AtomicU64::new(0));
    for p in 0..pollers {
        let addr = addrs[p as usize % addrs.len()];
        let polls = polls.clone();
        tokio::spawn(async move {
            let mut conn = Conn { addr, sender: None };
            while Instant::now() < deadline {
                if conn
                    .send(hyper::Request::get("/v1/track-record"), String::new())
                    .await
                    == Some(200)
                {
                    polls.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
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
    println!("connections {conns}, {seconds} s: {} reports stored, {:.0} reports/s, p50 {:.2} ms, p99 {:.2} ms, non-2xx {non2xx}, errors {errors}{}", lat.len(), lat.len() as f64 / elapsed, pct(0.5), pct(0.99),
        if pollers > 0 { format!(", {pollers} pollers: {:.0} track-record GETs/s", polls.load(Ordering::Relaxed) as f64 / elapsed) } else { String::new() });
}

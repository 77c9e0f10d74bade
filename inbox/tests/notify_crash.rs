//! The relay under `kill -9`, and its latency, with the real binary: reports are posted,
//! the inbox is killed three times while its queue drains into a local webhook receiver
//! (each answer takes 20 ms, so a kill usually lands mid-send), then restarted on the same
//! database until the queue is empty. Every notification must arrive (0 lost); a repeat
//! is possible only for the message in flight at each kill (the receiver had it, the dead
//! process never read the answer), so at most one per kill, and the webhook's `id` lets
//! a receiver drop it. Prints the figures.
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::client::Conn;
use support::vendors::Vendors;

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn spawn(addr: SocketAddr, db: &str, hook: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reach-us-inbox"))
        .env("INBOX_ADDR", addr.to_string())
        .env("INBOX_DB", db)
        .env("INBOX_RATE_PER_MIN", "0")
        .env("INBOX_CHANNELS", "hook")
        .env("INBOX_CHANNEL_HOOK", format!("webhook {hook}"))
        .env("INBOX_CHANNEL_HOOK_SECRET", "k")
        .env("INBOX_CHANNEL_HOOK_PER_MIN", "100000")
        .env("INBOX_NOTIFY_LEASE_SECS", "2")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the inbox")
}

async fn wait_ready(addr: SocketAddr) {
    let start = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the inbox did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn body(id: &str, i: usize) -> String {
    serde_json::json!({
        "schema": "reach-us/v1", "id": id, "reference": format!("CRASH-{i:05}"),
        "created_at": reach_us_core::time::iso_utc(reach_us_inbox::util::now_ms()), "category": "problem",
        "message": format!("report {i}"), "contact": {"email": "x@example.com"}, "promise": null,
        "page": {"url": "http://127.0.0.1/", "title": "", "referrer": ""}, "locale": "en", "timezone": "UTC",
        "client": {"widget_version": "0.1.0"}
    })
    .to_string()
}

fn id_of(n: usize, salt: &str) -> String {
    format!("{}{:04x}-0000-4000-8000-{n:012x}", &salt[..4], 0)
}

/// Notification ids received, with how many times each.
fn received(v: &Vendors) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for g in v.of("webhook") {
        for n in g.json()["notifications"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            *m.entry(n["id"].as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
    }
    m
}

async fn crash(kind: &str, db: &str) {
    let vendors = Vendors::start(&[("webhook", "k")]).await;
    vendors.delay(Duration::from_millis(20));
    let hook = vendors.url("webhook");
    let addr = free_addr();
    let salt = reach_us_inbox::util::random_id();
    const N: usize = 300;
    let mut child = spawn(addr, db, &hook);
    wait_ready(addr).await;
    let mut conn = Conn::new(addr);
    for i in 0..N {
        let id = id_of(i, &salt);
        let r = conn
            .send(
                "POST",
                "/v1/reports",
                &[
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", &id),
                ],
                &body(&id, i),
            )
            .await
            .expect("post");
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // Three kills while the queue drains (each at a different moment of a send).
    let mut kills = 0;
    // The first kill lands in the first drain; the others after the restarted process has
    // taken over the dead one's leases (2 s) and is sending again.
    for pause in [150u64, 2600, 2900] {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        child.kill().expect("kill -9");
        let _ = child.wait();
        kills += 1;
        let at_kill = received(&vendors).len();
        child = spawn(addr, db, &hook);
        wait_ready(addr).await;
        println!("relay crash test ({kind}): kill {kills} after {at_kill} of {N} delivered");
        assert!(at_kill < N, "the kill came before the queue was empty");
    }
    let start = Instant::now();
    vendors
        .until(120, "every notification after the kills", |_| {
            received(&vendors).len() == N
        })
        .await;
    let drained = start.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = received(&vendors);
    let _ = child.kill();
    let _ = child.wait();
    let lost = (0..N)
        .filter(|i| !got.contains_key(&format!("{}:new:hook", id_of(*i, &salt))))
        .count();
    let twice: usize = got.values().map(|c| c - 1).sum();
    let requests = vendors.of("webhook").len();
    println!(
        "relay crash test ({kind}): {N} notifications, {kills} × kill -9 mid-queue; {} delivered, {lost} lost, {twice} delivered twice ({requests} requests; the last restart drained the rest in {:.1} s)",
        got.len(),
        drained.as_secs_f64()
    );
    assert_eq!(lost, 0, "no notification lost");
    assert!(
        twice <= kills,
        "at most the message in flight at each kill is repeated: {twice}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_kill_9_mid_queue_loses_no_notification() {
    let db = support::fresh_db(support::Db::Sqlite).await;
    crash("SQLite", &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_kill_9_mid_queue_loses_no_notification() {
    if support::postgres_url().is_none() {
        return;
    }
    let db = support::fresh_db(support::Db::Postgres).await;
    crash("PostgreSQL", &db).await;
}

/// Report stored → channel received: posts spaced 20 ms apart into a running inbox, each
/// timed from the moment its POST was sent (an upper bound of "stored") to its arrival at
/// the receiver. Prints p50 / p99 / max.
async fn latency(kind: support::Db) {
    let vendors = Vendors::start(&[("webhook", "k")]).await;
    let addr = free_addr();
    let db = support::fresh_db(kind).await;
    let mut child = spawn(addr, &db, &vendors.url("webhook"));
    wait_ready(addr).await;
    let salt = reach_us_inbox::util::random_id();
    const N: usize = 200;
    let mut sent: HashMap<String, Instant> = HashMap::new();
    let mut conn = Conn::new(addr);
    for i in 0..N {
        let id = id_of(i, &salt);
        sent.insert(format!("{id}:new:hook"), Instant::now());
        let r = conn
            .send(
                "POST",
                "/v1/reports",
                &[
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", &id),
                ],
                &body(&id, i),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 201);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    vendors
        .until(30, "all", |_| received(&vendors).len() == N)
        .await;
    let _ = child.kill();
    let _ = child.wait();
    let mut lat: Vec<f64> = Vec::new();
    for g in vendors.of("webhook") {
        for n in g.json()["notifications"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let t = sent[n["id"].as_str().unwrap()];
            lat.push(g.at.duration_since(t).as_secs_f64() * 1000.0);
        }
    }
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = |q: f64| lat[((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1];
    println!(
        "relay latency ({kind:?}, webhook on 127.0.0.1, {N} reports 20 ms apart, debug build): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        p(0.5),
        p(0.99),
        lat[lat.len() - 1]
    );
    assert_eq!(lat.len(), N);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notification_latency_sqlite() {
    latency(support::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notification_latency_postgres() {
    if support::postgres_url().is_none() {
        return;
    }
    latency(support::Db::Postgres).await;
}

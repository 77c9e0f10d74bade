//! Scale-out: two inbox processes behind one PostgreSQL. Concurrent identical POSTs split
//! across both store exactly one row and every 2xx is the same answer; the track record
//! agrees on both. Needs `INBOX_TEST_POSTGRES_URL` (skipped without it, failed with
//! `INBOX_REQUIRE_POSTGRES`).
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::client::{sample_report, Conn};

const TOKEN: &str = "scale-token";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(db: &str) -> (Server, SocketAddr) {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_reach-us-inbox"))
            .env("INBOX_ADDR", addr.to_string())
            .env("INBOX_DB", db)
            .env("INBOX_DB_POOL", "8")
            .env("INBOX_RATE_PER_MIN", "0")
            .env("INBOX_TRACK_CACHE_SECS", "0")
            .env(
                "INBOX_ADMIN_TOKEN_SHA256",
                reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()),
            )
            .env("INBOX_WIDGET_CONFIG", widget_file())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the inbox"),
    );
    let t0 = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the inbox did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (server, addr)
}

fn widget_file() -> String {
    let path = std::env::temp_dir().join(format!("reach-us-scale-{}.json", support::unique()));
    std::fs::write(
        &path,
        r#"{"promise": {"respond_within": "15m", "business_hours": "24/7"}, "categories": [{"id": "problem", "label": "Problem"}]}"#,
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

async fn post(addr: SocketAddr, id: &str, body: &str) -> (u16, String) {
    let r = Conn::new(addr)
        .send(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", id),
            ],
            body,
        )
        .await
        .expect("post");
    (r.status, r.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_one_postgres_one_row_per_key_and_one_track_record() {
    if support::postgres_url().is_none() {
        return;
    }
    let db = support::fresh_db(support::Db::Postgres).await;
    let (_a, a) = start(&db).await;
    let (_b, b) = start(&db).await;
    let auth = format!("Bearer {TOKEN}");
    let mut statuses = Vec::new();
    for round in 0..5u32 {
        let id = format!("{round:08x}-5555-4555-8555-555555555555");
        let body = sample_report(&id, "two processes");
        let tasks: Vec<_> = (0..20)
            .map(|n| {
                let (id, body) = (id.clone(), body.clone());
                let to = if n % 2 == 0 { a } else { b };
                tokio::spawn(async move { post(to, &id, &body).await })
            })
            .collect();
        let mut bodies = Vec::new();
        for t in tasks {
            let (status, body) = t.await.unwrap();
            statuses.push(status);
            if status == 201 {
                bodies.push(body);
            }
        }
        assert!(!bodies.is_empty());
        assert!(
            bodies.windows(2).all(|w| w[0] == w[1]),
            "every 2xx is the same answer: {bodies:?}"
        );
    }
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    for addr in [a, b] {
        let list = Conn::new(addr)
            .send("GET", "/v1/reports", &[("Authorization", &auth)], "")
            .await
            .unwrap()
            .json();
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(5),
            "one row per key, seen from {addr}"
        );
    }
    // Answer two through A, mark one spam through B: both publish the same record.
    for (n, to, status) in [(0, a, "answered"), (1, a, "answered"), (2, b, "spam")] {
        let r = Conn::new(to)
            .send(
                "POST",
                &format!("/v1/reports/{n:08x}-5555-4555-8555-555555555555/status"),
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/json"),
                ],
                &format!(r#"{{"status":"{status}"}}"#),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let mut records = Vec::new();
    for addr in [a, b] {
        let t = Conn::new(addr)
            .send("GET", "/v1/track-record", &[], "")
            .await
            .unwrap()
            .json();
        records.push(t);
    }
    assert_eq!(records[0], records[1], "the same track record from both");
    assert_eq!(
        (records[0]["kept"].as_u64(), records[0]["total"].as_u64()),
        (Some(2), Some(2))
    );
    println!(
        "two processes, 5 keys × 20 concurrent POSTs: {} × 201, {} × 409, 5 rows; track record {}",
        statuses.iter().filter(|s| **s == 201).count(),
        statuses.iter().filter(|s| **s == 409).count(),
        records[0]
    );
}

//! Crash test: `kill -9` the inbox while clients are posting, restart it on the same
//! database, and check that every report that got a 2xx is there (0 lost) and none twice.
use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use support::client::{sample_report, Conn};

const TOKEN: &str = "crash-token";

fn free_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

fn spawn(addr: SocketAddr, db: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reach-us-inbox"))
        .env("INBOX_ADDR", addr.to_string())
        .env("INBOX_DB", db)
        .env("INBOX_RATE_PER_MIN", "0")
        .env(
            "INBOX_ADMIN_TOKEN_SHA256",
            reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()),
        )
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

/// `docker stop` / systemd / Kubernetes send SIGTERM: the inbox stops at once and
/// cleanly (exit 0), and what it acknowledged is there after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_inbox_cleanly() {
    let dir = std::env::temp_dir().join(format!(
        "reach-us-term-{}-{}",
        std::process::id(),
        reach_us_inbox::util::random_id()
    ));
    let db = dir.join("inbox.sqlite3").to_string_lossy().to_string();
    let addr = free_addr();
    let mut child = spawn(addr, &db);
    wait_ready(addr).await;
    let id = "0000aaaa-1111-4111-8111-111111111111";
    let r = Conn::new(addr)
        .send(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", id),
            ],
            &sample_report(id, "The door will not open"),
        )
        .await
        .expect("post");
    assert_eq!(r.status, 201, "{}", r.body);
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "SIGTERM did not stop the inbox"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "a clean exit, not a kill: {status:?}");
    let addr = free_addr();
    let mut again = spawn(addr, &db);
    wait_ready(addr).await;
    let auth = format!("Bearer {TOKEN}");
    let list = Conn::new(addr)
        .send("GET", "/v1/reports", &[("Authorization", &auth)], "")
        .await
        .expect("list");
    assert!(list.body.contains(id), "{}", list.body);
    let _ = again.kill();
    let _ = again.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_kill_9_mid_load_loses_no_acknowledged_report() {
    let db = std::env::temp_dir()
        .join(format!(
            "reach-us-crash-{}-{}",
            std::process::id(),
            reach_us_inbox::util::random_id()
        ))
        .join("inbox.sqlite3");
    crash_test("SQLite", &db.to_string_lossy()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_kill_9_mid_load_loses_no_acknowledged_report() {
    let Some(base) = std::env::var("INBOX_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("INBOX_REQUIRE_POSTGRES").is_err(),
            "INBOX_REQUIRE_POSTGRES is set but INBOX_TEST_POSTGRES_URL is not"
        );
        eprintln!("PostgreSQL crash test SKIPPED: set INBOX_TEST_POSTGRES_URL (scripts/postgres prints one)");
        return;
    };
    let name = format!(
        "crash_{}_{}",
        std::process::id(),
        &reach_us_inbox::util::random_id()[..12]
    );
    let create = (base.clone(), name.clone());
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&create.0, postgres::NoTls).expect("connect");
        c.batch_execute(&format!("CREATE DATABASE {}", create.1))
            .expect("create database");
    })
    .await
    .expect("task");
    let url = format!(
        "{}/{name}",
        &base[..base.rfind('/').expect("URL with a database")]
    );
    crash_test("PostgreSQL", &url).await;
}

async fn crash_test(kind: &str, db: &str) {
    let addr = free_addr();
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut attempts = 0u64;
    for round in 0..3u32 {
        let mut child = spawn(addr, db);
        wait_ready(addr).await;
        let stop = Instant::now() + Duration::from_millis(700);
        let tasks: Vec<_> = (0..8u32)
            .map(|c| {
                let acked = acked.clone();
                tokio::spawn(async move {
                    let mut conn = Conn::new(addr);
                    let mut n = 0u64;
                    // Keep posting until the server is gone (after the kill).
                    loop {
                        n += 1;
                        let id = format!("{round:04x}{c:04x}-0000-4000-8000-{n:012x}");
                        let body = sample_report(&id, "crash test");
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
                            Ok(r) if (200..300).contains(&r.status) => {
                                acked.lock().unwrap().insert(id);
                            }
                            Ok(r) => panic!("unexpected {}: {}", r.status, r.body),
                            Err(_) if Instant::now() > stop => return n,
                            Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(700)).await;
        child.kill().expect("kill -9"); // SIGKILL: no shutdown, no flush
        let _ = child.wait();
        for t in tasks {
            attempts += t.await.expect("client task");
        }
    }
    let mut child = spawn(addr, db);
    wait_ready(addr).await;
    let auth = format!("Bearer {TOKEN}");
    // The list is paged: follow `Link: <…>; rel="next"` to the end.
    let mut stored: Vec<String> = Vec::new();
    let mut next = Some("/v1/reports?limit=1000".to_string());
    while let Some(path) = next.take() {
        let page = Conn::new(addr)
            .send("GET", &path, &[("Authorization", &auth)], "")
            .await
            .expect("list");
        stored.extend(
            page.json()
                .as_array()
                .expect("list")
                .iter()
                .filter_map(|r| r["id"].as_str().map(String::from)),
        );
        next = page
            .header("link")
            .and_then(|l| l.strip_prefix('<'))
            .and_then(|l| l.split('>').next())
            .map(String::from);
    }
    let _ = child.kill();
    let _ = child.wait();
    let unique: HashSet<&String> = stored.iter().collect();
    let acked = acked.lock().unwrap();
    let lost: Vec<&String> = acked.iter().filter(|id| !unique.contains(id)).collect();
    println!(
        "crash test ({kind}): 3 × kill -9 under 8 connections; {attempts} attempts, {} acknowledged (2xx), {} stored, {} lost, {} twice",
        acked.len(),
        stored.len(),
        lost.len(),
        stored.len() - unique.len()
    );
    assert!(acked.len() > 50, "the load ran");
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert_eq!(stored.len(), unique.len(), "no report stored twice");
}

//! Defect 4 (#17): no header, body or idle timeouts. 1,100 half-sent requests held every
//! descriptor for over a minute and a normal request timed out. Real sockets against the
//! real binary (set `INBOX_TEST_BINARY` to run another build, e.g. an older one).
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;
use support::client::{sample_report, Conn};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(addr: SocketAddr) -> Server {
    start_with(addr, &[])
}

fn start_with(addr: SocketAddr, env: &[(&str, &str)]) -> Server {
    let bin = std::env::var("INBOX_TEST_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_reach-us-inbox").to_string());
    let db = std::env::temp_dir()
        .join(format!("reach-us-slow-{}", support::unique()))
        .join("inbox.sqlite3");
    Server(
        Command::new(bin)
            .env("INBOX_ADDR", addr.to_string())
            .env("INBOX_DB", db)
            .env("INBOX_RATE_PER_MIN", "0")
            .env("INBOX_HEADER_TIMEOUT_SECS", "1")
            .env("INBOX_REQUEST_TIMEOUT_SECS", "2")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the inbox"),
    )
}

/// Whether the server has closed `s` (EOF or reset), and what it sent before.
async fn closed(s: &mut TcpStream) -> (bool, String) {
    let mut buf = [0u8; 1024];
    let mut got = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await {
            Err(_) => return (false, String::from_utf8_lossy(&got).into_owned()), // still open
            Ok(Ok(0)) | Ok(Err(_)) => return (true, String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]), // e.g. a 408; read on to the close
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_cut_off_and_others_are_served() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let _server = start(addr);
    let t0 = Instant::now();
    while TcpStream::connect(addr).await.is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the inbox did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // 300 connections that never finish their headers, 100 that never finish their body,
    // 100 that finish a request and then sit idle.
    let mut slow = Vec::new();
    for n in 0..500 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let bytes: &[u8] = match n % 5 {
            0..=2 => b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-",
            3 => b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: abcdefgh\r\nContent-Length: 1000\r\n\r\n{\"schema\"",
            _ => b"GET /v1/notice HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        s.write_all(bytes).await.expect("write");
        slow.push(s);
    }
    // A normal client is served meanwhile.
    let id = "0000abcd-0000-4000-8000-000000000001";
    let r = tokio::time::timeout(
        Duration::from_secs(3),
        Conn::new(addr).send(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", id),
            ],
            &sample_report(id, "served"),
        ),
    )
    .await
    .expect("a normal request is answered in time")
    .expect("answer");
    assert_eq!(r.status, 201, "{}", r.body);
    // Past the header (1 s) and request (2 s) timeouts, every slow connection is closed.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let mut open = 0;
    for (n, s) in slow.iter_mut().enumerate() {
        let (gone, said) = closed(s).await;
        if !gone {
            open += 1;
        }
        if n % 5 == 3 && gone {
            assert!(
                said.starts_with("HTTP/1.1 408"),
                "a body that never ends: 408, not {said:?}"
            );
        }
    }
    println!("500 slow connections: {open} still open after 3.5 s");
    assert_eq!(
        open, 0,
        "{open} of 500 slow connections still open after 3.5 s"
    );
}

/// `INBOX_MAX_CONNECTIONS`: connections past the limit are closed on accept, and served
/// again once others end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_are_closed_on_accept() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let _server = start_with(
        addr,
        &[
            ("INBOX_MAX_CONNECTIONS", "5"),
            ("INBOX_HEADER_TIMEOUT_SECS", "30"),
        ],
    );
    let t0 = Instant::now();
    let probe = loop {
        if let Ok(s) = TcpStream::connect(addr).await {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the inbox did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    drop(probe);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /v1/notice HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut sixth = TcpStream::connect(addr).await.unwrap();
    assert!(
        closed(&mut sixth).await.0,
        "the sixth connection is closed at once"
    );
    for s in &mut held {
        assert!(!closed(s).await.0, "the five within the limit stay");
    }
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = Conn::new(addr)
        .send("GET", "/v1/notice", &[], "")
        .await
        .unwrap();
    assert_eq!(r.status, 204, "served again once others ended");
}

/// Shutdown (SIGINT) is graceful: idle kept-alive connections are closed and the process
/// ends at once, without waiting for their idle timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_closes_idle_connections_and_exits() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut server = start_with(addr, &[("INBOX_HEADER_TIMEOUT_SECS", "30")]);
    let t0 = Instant::now();
    while TcpStream::connect(addr).await.is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the inbox did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut conn = Conn::new(addr);
    assert_eq!(
        conn.send("GET", "/v1/notice", &[], "")
            .await
            .unwrap()
            .status,
        204
    );
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /v1/notice HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGINT"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exited.success(), "{exited:?}");
    assert!(closed(&mut idle).await.0, "the idle connection is closed");
}

//! `scripts/demo`'s relay, as the demo runs it: `scripts/demo-receivers.py` (the local team
//! chat, a signed webhook checked as the README says, and an aiosmtpd mailbox) and the
//! inbox binary with the demo's channel variables. A report posted as the demo page does
//! appears in the team chat and the mailbox within seconds, and a webhook with a wrong
//! signature is refused by the receiver.
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::client::Conn;

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get(port: u16, path: &str) -> String {
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    Conn::new(addr)
        .send("GET", path, &[], "")
        .await
        .map(|r| r.body)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_reaches_the_demo_team_chat_and_mailbox_within_seconds() {
    let (chat, smtp, inbox) = (port(), port(), port());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let _receivers = Kill(
        Command::new("/usr/bin/python3")
            .arg(format!("{root}/scripts/demo-receivers.py"))
            .env("DEMO_CHAT_PORT", chat.to_string())
            .env("DEMO_SMTP_PORT", smtp.to_string())
            .env("DEMO_HOOK_SECRET", "demo-secret")
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 (scripts/setup installs python3-aiosmtpd)"),
    );
    let db = support::fresh_db(support::Db::Sqlite).await;
    let _inbox = Kill(
        Command::new(env!("CARGO_BIN_EXE_reach-us-inbox"))
            .env("INBOX_ADDR", format!("127.0.0.1:{inbox}"))
            .env("INBOX_DB", &db)
            .env("INBOX_WIDGET_CONFIG", format!("{root}/www/demo/acme.json"))
            .env("INBOX_CHANNELS", "chat,mail")
            .env(
                "INBOX_CHANNEL_CHAT",
                format!("webhook http://127.0.0.1:{chat}/hook"),
            )
            .env("INBOX_CHANNEL_CHAT_SECRET", "demo-secret")
            .env("INBOX_CHANNEL_MAIL", "email team@acme.example")
            .env("INBOX_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
            .env("INBOX_MAIL_FROM", "Acme Motors <support@acme.example>")
            .env(
                "INBOX_ESCALATE",
                "*: 50%=chat, overdue=chat; safety: 0%=chat",
            )
            .stdout(Stdio::null())
            .spawn()
            .expect("the inbox"),
    );
    let start = Instant::now();
    while get(chat, "/").await.is_empty()
        || tokio::net::TcpStream::connect(("127.0.0.1", inbox))
            .await
            .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the demo's receivers and inbox did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let id = "0b8f1c2d-aaaa-4bbb-8ccc-ddddeeeeffff";
    let body = serde_json::json!({
        "schema": "reach-us/v1", "id": id, "reference": "ACME-DEMO01",
        "created_at": reach_us_core::time::iso_utc(reach_us_inbox::util::now_ms()), "category": "safety",
        "message": "Smoke from the charger <script>alert(1)</script>", "contact": {"email": "driver@example.com"},
        "promise": null, "page": {"url": "http://127.0.0.1:8080/", "title": "Acme", "referrer": ""},
        "locale": "de", "timezone": "Europe/Berlin", "client": {"widget_version": "0.1.0"}
    })
    .to_string();
    let addr = format!("127.0.0.1:{inbox}").parse().unwrap();
    let sent = Instant::now();
    let r = Conn::new(addr)
        .send(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", id),
            ],
            &body,
        )
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    loop {
        let page = get(chat, "/").await;
        let mail = get(chat, "/mail").await;
        if page.contains("Urgent report: ACME-DEMO01")
            && page.contains("New report: ACME-DEMO01")
            && mail.contains("Wir haben Ihre Meldung ACME-DEMO01 erhalten")
            && mail.contains("team@acme.example")
        {
            assert!(
                page.contains("&lt;script&gt;") && !page.contains("<script>"),
                "the chat page escapes"
            );
            println!(
                "demo relay: team chat and mailbox had the report {:.0} ms after the POST",
                sent.elapsed().as_secs_f64() * 1000.0
            );
            break;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "not within 5 s: chat {page} mail {mail}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The receiver checks the signature: a forged POST is refused.
    let forged = Conn::new(format!("127.0.0.1:{chat}").parse().unwrap())
        .send(
            "POST",
            "/hook",
            &[
                ("X-Reach-Us-Timestamp", "1"),
                ("X-Reach-Us-Signature", "sha256=00"),
                ("Content-Type", "application/json"),
            ],
            "{\"notifications\":[]}",
        )
        .await
        .unwrap();
    assert_eq!(forged.status, 401);
}

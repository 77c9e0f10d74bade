//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` (installed by
//! `scripts/setup`), started on 127.0.0.1 with a handler that prints every message it
//! accepts as one JSON line (envelope and the raw message), read back here.
#![allow(dead_code)]
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SERVER: &str = r#"
import asyncio, json, sys
from aiosmtpd.controller import Controller
class H:
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                          "data": envelope.content.decode("utf8", "replace")}), flush=True)
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print(json.dumps({"ready": True}), flush=True)
sys.stdin.read()
c.stop()
"#;

/// One received mail.
#[derive(Clone, Debug)]
pub struct Mail {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The raw message.
    pub data: String,
}

impl Mail {
    /// The decoded text: headers as sent, the body with quoted-printable / base64 undone.
    pub fn text(&self) -> String {
        let (head, body) = self
            .data
            .split_once("\r\n\r\n")
            .or_else(|| self.data.split_once("\n\n"))
            .unwrap_or((&self.data, ""));
        let body = if head
            .to_ascii_lowercase()
            .contains("content-transfer-encoding: base64")
        {
            use base64::Engine;
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .unwrap_or_default(),
            )
            .into_owned()
        } else if head.to_ascii_lowercase().contains("quoted-printable") {
            qp(body)
        } else {
            body.to_string()
        };
        body.replace("\r\n", "\n")
    }

    /// A header's raw value.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        head.split("\r\n")
            .find(|l| {
                l.to_ascii_lowercase()
                    .starts_with(&format!("{}:", name.to_ascii_lowercase()))
            })
            .map(|l| l[name.len() + 1..].trim().to_string())
    }
}

fn qp(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The running server.
pub struct Smtp {
    /// Its port.
    pub port: u16,
    child: Child,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    /// Start it on a free port.
    pub fn start() -> Smtp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("/usr/bin/python3")
            .args(["-c", SERVER, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/setup installs python3-aiosmtpd)");
        let out = child.stdout.take().unwrap();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let m = mails.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if v["ready"] == true {
                    let _ = tx.send(());
                    continue;
                }
                m.lock().unwrap().push(Mail {
                    to: v["to"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                    data: v["data"].as_str().unwrap_or("").to_string(),
                });
            }
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("aiosmtpd started");
        Smtp { port, child, mails }
    }

    /// `smtp://127.0.0.1:<port>` (plain: a local server).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The mails so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Wait until `f` holds.
    pub async fn until(&self, secs: u64, what: &str, f: impl Fn(&[Mail]) -> bool) {
        let end = Instant::now() + Duration::from_secs(secs);
        while !f(&self.mails()) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; mails: {:#?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

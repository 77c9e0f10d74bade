//! Local stand-ins for the chat vendors, on 127.0.0.1: each checks a request the way its
//! vendor documents it (body shape, size limit, signature recomputed here from the
//! vendor's own algorithm, not the inbox's code) and answers as the vendor does — errors
//! inside a 200 included. Answers can be scripted per path (rate limits, outages), and a
//! per-path rate limit can be enforced like DingTalk's (20 a minute, then `130101`).
#![allow(dead_code)]
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Got {
    /// `feishu`, `dingtalk`, …
    pub vendor: String,
    /// The query string.
    pub query: String,
    /// Headers, lower-case names.
    pub headers: HashMap<String, String>,
    /// Body text.
    pub body: String,
    /// When.
    pub at: Instant,
    /// The vendor's verdict: `ok`, or why it refused.
    pub verdict: String,
    /// What it answered.
    pub answered: u16,
}

impl Got {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }

    /// The chat text, wherever this vendor carries it.
    pub fn text(&self) -> String {
        let j = self.json();
        match self.vendor.as_str() {
            "feishu" => j["content"]["text"].as_str().unwrap_or("").into(),
            "dingtalk" | "wecom" => j["text"]["content"].as_str().unwrap_or("").into(),
            "discord" => j["content"].as_str().unwrap_or("").into(),
            "slack" => slack_payload(&self.body)["text"]
                .as_str()
                .unwrap_or("")
                .into(),
            "teams" => j["attachments"][0]["content"]["body"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|t| t["text"].as_str())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            _ => self.body.clone(),
        }
    }
}

fn slack_payload(body: &str) -> serde_json::Value {
    let p = body.strip_prefix("payload=").unwrap_or("");
    let decoded = percent_decode(&p.replace('+', " "));
    serde_json::from_str(&decoded).unwrap_or_default()
}

/// Decode `%XX` escapes.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
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

/// A scripted answer: status, body, `Retry-After`.
pub type Answer = (u16, String, Option<String>);

#[derive(Default)]
struct Inner {
    got: Vec<Got>,
    script: HashMap<String, VecDeque<Answer>>,
    per_min: HashMap<String, usize>,
    delay: Option<Duration>,
}

/// The receivers.
#[derive(Clone)]
pub struct Vendors {
    /// Where they listen.
    pub addr: SocketAddr,
    secrets: Arc<HashMap<String, String>>,
    inner: Arc<Mutex<Inner>>,
}

type S = (Arc<HashMap<String, String>>, Arc<Mutex<Inner>>);

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The vendor's own check and answer.
fn judge(
    vendor: &str,
    secret: Option<&String>,
    query: &str,
    headers: &HeaderMap,
    body: &str,
) -> (String, Answer) {
    let ok_json = |b: &str| (200u16, b.to_string(), None);
    let j: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match vendor {
        // Feishu: {"msg_type":"text","content":{"text":…}}; signed: timestamp (s) + sign in
        // the body, sign = base64(HMAC-SHA256(key = "timestamp\nsecret", msg = "")).
        "feishu" => {
            if body.len() > 20_000 {
                return (
                    "too large".into(),
                    ok_json(r#"{"code":9499,"msg":"Bad Request","data":{}}"#),
                );
            }
            if j["msg_type"] != "text" || !j["content"]["text"].is_string() {
                return (
                    "bad body".into(),
                    ok_json(r#"{"code":9499,"msg":"Bad Request","data":{}}"#),
                );
            }
            if let Some(secret) = secret {
                let ts = j["timestamp"].as_str().and_then(|t| t.parse::<i64>().ok());
                let want = ts.map(|t| b64(&hmac(format!("{t}\n{secret}").as_bytes(), b"")));
                let fresh = ts.is_some_and(|t| (now_secs() - t).abs() < 3600);
                if !fresh || want.as_deref() != j["sign"].as_str() {
                    return (
                        "bad sign".into(),
                        ok_json(
                            r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}"#,
                        ),
                    );
                }
            }
            (
                "ok".into(),
                ok_json(
                    r#"{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}"#,
                ),
            )
        }
        // DingTalk: {"msgtype":"text","text":{"content":…}}; signed: &timestamp=<ms>&sign=
        // urlencode(base64(HMAC-SHA256(key = secret, msg = "timestamp\nsecret"))).
        "dingtalk" => {
            if j["msgtype"] != "text" || !j["text"]["content"].is_string() {
                return (
                    "bad body".into(),
                    ok_json(r#"{"errcode":40035,"errmsg":"缺少参数 json"}"#),
                );
            }
            if let Some(secret) = secret {
                let q: HashMap<&str, &str> = query
                    .split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .collect();
                let ts = q.get("timestamp").and_then(|t| t.parse::<i64>().ok());
                let sign = q.get("sign").map(|s| percent_decode(s));
                let want = ts.map(|t| {
                    b64(&hmac(
                        secret.as_bytes(),
                        format!("{t}\n{secret}").as_bytes(),
                    ))
                });
                let fresh = ts.is_some_and(|t| (now_secs() * 1000 - t).abs() < 3_600_000);
                if !fresh || want != sign || !q.contains_key("access_token") {
                    return (
                        "bad sign".into(),
                        ok_json(
                            r#"{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}"#,
                        ),
                    );
                }
            }
            ("ok".into(), ok_json(r#"{"errcode":0,"errmsg":"ok"}"#))
        }
        // WeCom: text content at most 2048 bytes (40058 otherwise).
        "wecom" => match j["text"]["content"].as_str() {
            Some(t) if j["msgtype"] == "text" && t.len() <= 2048 => {
                ("ok".into(), ok_json(r#"{"errcode":0,"errmsg":"ok"}"#))
            }
            Some(_) => (
                "too long".into(),
                ok_json(
                    r#"{"errcode":40058,"errmsg":"invalid param content exceed max length 2048"}"#,
                ),
            ),
            None => (
                "bad body".into(),
                ok_json(r#"{"errcode":40008,"errmsg":"invalid message type"}"#),
            ),
        },
        // Slack: payload={"text":…} as a form, or JSON; 200 "ok"; errors are statuses.
        "slack" => {
            let p = if ct.starts_with("application/x-www-form-urlencoded") {
                slack_payload(body)
            } else {
                j.clone()
            };
            if p["text"].is_string() {
                ("ok".into(), (200, "ok".into(), None))
            } else {
                ("bad body".into(), (400, "invalid_payload".into(), None))
            }
        }
        // Discord: content ≤ 2000 characters; 204.
        "discord" => match j["content"].as_str() {
            Some(c) if c.chars().count() <= 2000 => ("ok".into(), (204, String::new(), None)),
            _ => (
                "bad body".into(),
                (
                    400,
                    r#"{"message":"Invalid Form Body","code":50035}"#.into(),
                    None,
                ),
            ),
        },
        // Teams Workflows: a message with an Adaptive Card attachment; 202.
        "teams" => {
            let a = &j["attachments"][0];
            if j["type"] == "message"
                && a["contentType"] == "application/vnd.microsoft.card.adaptive"
                && a["content"]["type"] == "AdaptiveCard"
            {
                ("ok".into(), (202, String::new(), None))
            } else {
                (
                    "bad body".into(),
                    (
                        400,
                        "{\"error\":{\"code\":\"InvalidRequestContent\"}}".into(),
                        None,
                    ),
                )
            }
        }
        // The generic webhook: X-Reach-Us-Signature = sha256=hex(HMAC(secret, "ts.body")),
        // the timestamp within 5 minutes.
        "webhook" => {
            let h = |k: &str| {
                headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            let ts = h("x-reach-us-timestamp").parse::<i64>().ok();
            let secret = secret.cloned().unwrap_or_default();
            let want = ts.map(|t| {
                let mac = hmac(secret.as_bytes(), format!("{t}.{body}").as_bytes());
                format!(
                    "sha256={}",
                    mac.iter().map(|b| format!("{b:02x}")).collect::<String>()
                )
            });
            let fresh = ts.is_some_and(|t| (now_secs() - t).abs() <= 300);
            if fresh && want.as_deref() == Some(h("x-reach-us-signature").as_str()) {
                ("ok".into(), (200, "{}".into(), None))
            } else {
                ("bad sign".into(), (401, "bad signature".into(), None))
            }
        }
        // A webhook URL that redirects elsewhere (a moved or hijacked endpoint).
        "redirect" => ("redirect".into(), (307, String::new(), None)),
        _ => ("unknown".into(), (404, String::new(), None)),
    }
}

async fn receive(
    State((secrets, inner)): State<S>,
    Path(vendor): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let query = query.unwrap_or_default();
    let (verdict, answer) = judge(&vendor, secrets.get(&vendor), &query, &headers, &body);
    let (answer, delay) = record(&inner, vendor, query, &headers, body, verdict, answer);
    // Like a vendor: the message is in the channel as soon as it arrived; the answer may
    // take a while (and never reach a sender killed meanwhile).
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let mut r = (StatusCode::from_u16(answer.0).unwrap(), answer.1).into_response();
    if let Some(ra) = answer.2 {
        r.headers_mut().insert("retry-after", ra.parse().unwrap());
    }
    if answer.0 == 307 {
        r.headers_mut()
            .insert("location", "/webhook".parse().unwrap());
    }
    r
}

/// Record a request; the answer (rate limit and script applied) and the delay.
fn record(
    inner: &Mutex<Inner>,
    vendor: String,
    query: String,
    headers: &HeaderMap,
    body: String,
    verdict: String,
    mut answer: Answer,
) -> (Answer, Option<Duration>) {
    let mut i = inner.lock().unwrap();
    let now = Instant::now();
    if let Some(limit) = i.per_min.get(&vendor).copied() {
        let recent = i
            .got
            .iter()
            .filter(|g| g.vendor == vendor && now.duration_since(g.at) < Duration::from_secs(60))
            .count();
        if recent >= limit {
            answer = match vendor.as_str() {
                "dingtalk" => (
                    200,
                    r#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#
                        .into(),
                    None,
                ),
                "wecom" => (
                    200,
                    r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#.into(),
                    None,
                ),
                _ => (429, "{}".into(), Some("60".into())),
            };
        }
    }
    if let Some(a) = i.script.get_mut(&vendor).and_then(|q| q.pop_front()) {
        answer = a;
    }
    i.got.push(Got {
        vendor: vendor.clone(),
        query,
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        at: now,
        verdict,
        answered: answer.0,
    });
    (answer, i.delay)
}

impl Vendors {
    /// Start the receivers, with these signing secrets per vendor path.
    pub async fn start(secrets: &[(&str, &str)]) -> Vendors {
        let secrets: Arc<HashMap<String, String>> = Arc::new(
            secrets
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/{vendor}", post(receive))
            .with_state((secrets.clone(), inner.clone()));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        Vendors {
            addr,
            secrets,
            inner,
        }
    }

    /// The URL of a vendor's receiver.
    pub fn url(&self, vendor: &str) -> String {
        match vendor {
            "dingtalk" => format!("http://{}/dingtalk?access_token=t0k", self.addr),
            v => format!("http://{}/{v}", self.addr),
        }
    }

    /// Answer the next requests to `vendor` with these, in order.
    pub fn script(&self, vendor: &str, answers: Vec<Answer>) {
        self.inner
            .lock()
            .unwrap()
            .script
            .entry(vendor.into())
            .or_default()
            .extend(answers);
    }

    /// Enforce a vendor's rate limit.
    pub fn limit(&self, vendor: &str, per_min: usize) {
        self.inner
            .lock()
            .unwrap()
            .per_min
            .insert(vendor.into(), per_min);
    }

    /// Delay every answer.
    pub fn delay(&self, d: Duration) {
        self.inner.lock().unwrap().delay = Some(d);
    }

    /// Everything received so far.
    pub fn got(&self) -> Vec<Got> {
        self.inner.lock().unwrap().got.clone()
    }

    /// What `vendor` received.
    pub fn of(&self, vendor: &str) -> Vec<Got> {
        self.got()
            .into_iter()
            .filter(|g| g.vendor == vendor)
            .collect()
    }

    /// Wait until `f` holds (or panic after `secs`).
    pub async fn until(&self, secs: u64, what: &str, f: impl Fn(&[Got]) -> bool) {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if f(&self.got()) {
                return;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; got {:#?}",
                self.got()
                    .iter()
                    .map(|g| (&g.vendor, &g.verdict, g.answered))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

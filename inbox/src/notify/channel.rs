//! One notification (or several merged into one) rendered for a channel and sent: the
//! chat bodies come from the core's vendor renderers (`reach_us_core::backend` presets,
//! `reach_us_core::teams`), the same ones the widget's presets use, around the relay's
//! summary [`TEXT`]; vendors' answers are read with the core's `Backend::classify` (errors
//! inside a 200, rate-limit codes and their waits).
use std::time::Duration;

use chrono::TimeZone;
use reach_us_core::backend::{Backend, Format, Preset};
use reach_us_core::outbox::{self, Outcome};
use reach_us_core::value::Value;

use super::config::{Channel, Kind};
use super::sign;
use crate::store::Row;

/// The relay's chat summary: the first line says what happened.
pub const TEXT: &str = "{{event}}: {{reference}} ({{category}})\n{{message}}\nContact: {{contact.email}} {{contact.phone}}\nReply due: {{due_local}}\n{{link}}";

/// The placeholders a summary template may use.
pub const PLACEHOLDERS: [&str; 10] = [
    "event",
    "reference",
    "category",
    "message",
    "contact.email",
    "contact.phone",
    "due_local",
    "link",
    "page.url",
    "id",
];

/// The summary template of a channel.
pub fn template(ch: &Channel) -> &str {
    ch.text.as_deref().unwrap_or(TEXT)
}

/// A merged message: one line of what it is, then each notification in short.
pub const DIGEST_TEXT: &str = "{{event}}\n{{message}}";

/// A digest's message per report, at most (marked when cut).
pub const DIGEST_ITEM_CHARS: usize = 120;

/// One notification to render.
#[derive(Clone, Debug)]
pub struct Item {
    /// The queue row's key: `<report id>:<event>:<channel>` (the generic webhook's `id`).
    pub key: String,
    /// The event.
    pub event: String,
    /// The report.
    pub row: Row,
}

/// What sending did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Delivered.
    Ok,
    /// Try again, not sooner than the wait (ms) the vendor asked for, if it did.
    Retry(Option<i64>, String),
    /// Refused: the vendor's words.
    Refused(String),
}

/// A first line for an event.
pub fn event_label(event: &str) -> String {
    match event {
        "new" => "New report".into(),
        "esc:0" => "Urgent report".into(),
        "esc:overdue" => "Overdue, no answer yet".into(),
        e => match e.strip_prefix("esc:") {
            Some(p) => format!("No answer yet, {p}% of the promised time gone"),
            None => e.to_string(),
        },
    }
}

/// A time in `zone` as `2026-11-23 13:30 (Asia/Shanghai)`.
pub fn local_time(ms: i64, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => format!(
            "{} ({})",
            tz.from_utc_datetime(&t.naive_utc())
                .format("%Y-%m-%d %H:%M"),
            tz.name()
        ),
        None => String::new(),
    }
}

/// The link to a report on the admin page.
pub fn admin_link(public_url: &str, id: &str) -> String {
    format!("{public_url}/admin#s-{id}")
}

fn s(v: &str) -> Value {
    Value::Str(v.to_string())
}

/// The values a summary is filled from.
pub fn values(item: &Item, zone: &str, public_url: &str) -> Value {
    let r = &item.row;
    let mut contact = Vec::new();
    if let Some(e) = &r.email {
        contact.push(("email".to_string(), s(e)));
    }
    if let Some(p) = &r.phone {
        contact.push(("phone".to_string(), s(p)));
    }
    Value::Map(vec![
        ("id".into(), s(&r.id)),
        ("event".into(), s(&event_label(&item.event))),
        ("reference".into(), s(&r.reference)),
        ("category".into(), s(&r.category)),
        ("message".into(), s(&r.message)),
        ("contact".into(), Value::Map(contact)),
        (
            "due_local".into(),
            s(&r.due_at
                .map_or_else(|| "no promise".into(), |d| local_time(d, zone))),
        ),
        ("link".into(), s(&admin_link(public_url, &r.id))),
        (
            "page".into(),
            Value::Map(vec![("url".into(), s(r.page_url.as_deref().unwrap_or("")))]),
        ),
    ])
}

/// The summary as plain text (mail; a digest's items), the message cut at `max_chars`.
pub fn plain_text(item: &Item, zone: &str, public_url: &str, max_chars: Option<usize>) -> String {
    plain_text_with(TEXT, item, zone, public_url, max_chars)
}

/// [`plain_text`] with another template.
pub fn plain_text_with(
    template: &str,
    item: &Item,
    zone: &str,
    public_url: &str,
    max_chars: Option<usize>,
) -> String {
    let mut v = values(item, zone, public_url);
    if let (Some(max), Value::Map(m)) = (max_chars, &mut v) {
        if item.row.message.chars().count() > max {
            let cut: String = item.row.message.chars().take(max).collect();
            m[4].1 = s(&format!("{cut}{}", reach_us_core::backend::CUT));
        }
    }
    reach_us_core::backend::fill(template, &v, reach_us_core::backend::Escape::Text)
}

/// Reports a merged message carries at most on this channel (its vendor's length limit).
pub fn digest_max(kind: Kind) -> usize {
    match kind {
        Kind::WeCom => 3,
        Kind::Discord => 5,
        _ => 10,
    }
}

/// The values of a merged message.
pub fn digest_values(items: &[Item], zone: &str, public_url: &str) -> Value {
    let body: Vec<String> = items
        .iter()
        .map(|i| plain_text(i, zone, public_url, Some(DIGEST_ITEM_CHARS)))
        .collect();
    Value::Map(vec![
        (
            "event".into(),
            s(&format!(
                "{} notifications, merged to stay within this channel's rate limit",
                items.len()
            )),
        ),
        ("message".into(), s(&body.join("\n\n"))),
    ])
}

fn preset(kind: Kind) -> Option<Preset> {
    Some(match kind {
        Kind::Slack => Preset::Slack,
        Kind::Discord => Preset::Discord,
        Kind::Feishu => Preset::Feishu,
        Kind::DingTalk => Preset::DingTalk,
        Kind::WeCom => Preset::WeCom,
        _ => return None,
    })
}

/// A ready request: URL, content type, body, extra headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Where (DingTalk's signature is in the query).
    pub url: String,
    /// `Content-Type`.
    pub content_type: String,
    /// The body.
    pub body: String,
    /// Extra headers (the webhook's signature).
    pub headers: Vec<(String, String)>,
}

/// The HTTP request for `items` (one, or several merged) on an HTTP channel, signed at
/// `now` (ms) when the channel has a secret.
pub fn request(ch: &Channel, items: &[Item], zone: &str, public_url: &str, now: i64) -> Request {
    let req = request_once(ch, items, zone, public_url, now);
    if ch.kind != Kind::Feishu
        || req.body.len() <= reach_us_core::backend::FEISHU_MAX_BODY_BYTES
        || items.len() != 1
    {
        return req;
    }
    // Feishu's signed mode adds `timestamp` and `sign` (about 80 bytes) to a body the
    // preset already cut to 20 KB: cut the message by what is over, and mark it.
    let mut item = items[0].clone();
    let mut keep = item.row.message.chars().count();
    let mut req = req;
    while req.body.len() > reach_us_core::backend::FEISHU_MAX_BODY_BYTES && keep > 0 {
        let over = req.body.len() - reach_us_core::backend::FEISHU_MAX_BODY_BYTES;
        keep = keep.saturating_sub(over.max(8));
        let cut: String = items[0].row.message.chars().take(keep).collect();
        item.row.message = format!("{cut}{}", reach_us_core::backend::CUT);
        req = request_once(ch, std::slice::from_ref(&item), zone, public_url, now);
    }
    req
}

fn request_once(ch: &Channel, items: &[Item], zone: &str, public_url: &str, now: i64) -> Request {
    let merged = items.len() > 1;
    let (template, values) = if merged {
        (DIGEST_TEXT, digest_values(items, zone, public_url))
    } else {
        (template(ch), values(&items[0], zone, public_url))
    };
    let mut url = ch.target.clone();
    let mut headers = Vec::new();
    let (content_type, mut body) = match ch.kind {
        Kind::Teams => {
            let link = (!merged).then(|| admin_link(public_url, &items[0].row.id));
            let b = reach_us_core::teams::body(
                template,
                &values,
                link.as_deref().map(|l| ("Open in the inbox", l)),
            );
            (b.content_type, b.text)
        }
        Kind::Webhook => {
            let list: Vec<serde_json::Value> = items
                .iter()
                .map(|i| webhook_item(i, zone, public_url))
                .collect();
            (
                "application/json".to_string(),
                serde_json::json!({"schema": "reach-us/notification-v1", "notifications": list})
                    .to_string(),
            )
        }
        kind => {
            let p = preset(kind).expect("an HTTP chat channel");
            let b = Backend {
                format: Format::Preset(p, template.to_string()),
                url: ch.target.clone(),
                headers: Vec::new(),
                no_cors: false,
            }
            .body("", &values);
            (b.content_type, b.text)
        }
    };
    match (ch.kind, ch.secret.as_deref()) {
        (Kind::Feishu, Some(secret)) => {
            let ts = now / 1000;
            let signed = format!(
                "{{\"timestamp\":\"{ts}\",\"sign\":\"{}\",{}",
                sign::feishu(secret, ts),
                &body[1..]
            );
            body = signed;
        }
        (Kind::DingTalk, Some(secret)) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            url = format!(
                "{url}{sep}timestamp={now}&sign={}",
                sign::url_encode(&sign::dingtalk(secret, now))
            );
        }
        (Kind::Webhook, Some(secret)) => {
            let ts = now / 1000;
            headers.push(("X-Reach-Us-Timestamp".to_string(), ts.to_string()));
            headers.push((
                "X-Reach-Us-Signature".to_string(),
                sign::webhook(secret, ts, &body),
            ));
        }
        _ => {}
    }
    Request {
        url,
        content_type,
        body,
        headers,
    }
}

/// One notification in the generic webhook's JSON.
pub fn webhook_item(i: &Item, zone: &str, public_url: &str) -> serde_json::Value {
    let r = &i.row;
    serde_json::json!({
        "id": i.key,
        "event": i.event,
        "report": {
            "id": r.id, "reference": r.reference, "category": r.category, "message": r.message,
            "contact": {"email": r.email, "phone": r.phone},
            "due_at": r.due_at.map(reach_us_core::time::iso_utc),
            "status": r.status,
            "link": admin_link(public_url, &r.id),
        },
        "text": plain_text(i, zone, public_url, None),
    })
}

/// Read a vendor's answer: delivered, retry (with its wait), or refused.
pub fn classify(kind: Kind, status: u16, text: &str, retry_after: Option<&str>) -> Sent {
    let wait = outbox::retry_after(retry_after);
    let outcome = match preset(kind) {
        Some(p) => {
            let json = serde_json::from_str::<serde_json::Value>(text)
                .map(|v| crate::util::value(&v))
                .unwrap_or(Value::Null);
            Backend {
                format: Format::Preset(p, String::new()),
                url: String::new(),
                headers: Vec::new(),
                no_cors: false,
            }
            .classify(status, text, &json, wait)
            .outcome
        }
        None => Outcome::of_status(Some(status), wait),
    };
    let why = || format!("{status}: {}", text.chars().take(200).collect::<String>());
    match outcome {
        Outcome::Accepted(..) => Sent::Ok,
        Outcome::Transient(w) => Sent::Retry(w, why()),
        Outcome::Permanent(_) => Sent::Refused(why()),
    }
}

/// The most of a vendor's answer that is read.
pub const MAX_ANSWER: usize = 64 * 1024;

/// Send over HTTP.
pub async fn send(client: &reqwest::Client, ch: &Channel, req: Request) -> Sent {
    let mut b = client
        .post(&req.url)
        .header("Content-Type", &req.content_type)
        .timeout(Duration::from_secs(15))
        .body(req.body);
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    match b.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(String::from);
            // At most 64 KiB of the answer is read: the verdict is at its start.
            let mut resp = resp;
            let mut bytes: Vec<u8> = Vec::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                let room = MAX_ANSWER.saturating_sub(bytes.len());
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if bytes.len() >= MAX_ANSWER {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            classify(ch.kind, status, &text, retry_after.as_deref())
        }
        Err(e) => Sent::Retry(None, format!("no answer: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_answers() {
        assert_eq!(
            classify(Kind::Feishu, 200, r#"{"code":0,"msg":"success"}"#, None),
            Sent::Ok
        );
        assert!(matches!(
            classify(
                Kind::Feishu,
                200,
                r#"{"code":19021,"msg":"sign match fail"}"#,
                None
            ),
            Sent::Refused(_)
        ));
        assert_eq!(
            classify(
                Kind::DingTalk,
                200,
                r#"{"errcode":130101,"errmsg":"send too fast"}"#,
                None
            ),
            Sent::Retry(
                Some(600_000),
                r#"200: {"errcode":130101,"errmsg":"send too fast"}"#.into()
            )
        );
        assert!(matches!(
            classify(
                Kind::WeCom,
                200,
                r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
                None
            ),
            Sent::Retry(Some(60_000), _)
        ));
        assert!(matches!(
            classify(
                Kind::WeCom,
                200,
                r#"{"errcode":40058,"errmsg":"too long"}"#,
                None
            ),
            Sent::Refused(_)
        ));
        assert!(matches!(
            classify(Kind::Discord, 429, "{}", Some("3")),
            Sent::Retry(Some(3000), _)
        ));
        assert!(matches!(
            classify(Kind::Slack, 404, "no_service", None),
            Sent::Refused(_)
        ));
        assert_eq!(classify(Kind::Teams, 202, "", None), Sent::Ok);
        assert!(matches!(
            classify(Kind::Webhook, 503, "", None),
            Sent::Retry(None, _)
        ));
    }

    #[test]
    fn local_times() {
        let t = reach_us_core::time::parse_iso("2026-11-23T05:30:00Z").unwrap();
        assert_eq!(
            local_time(t, "Asia/Shanghai"),
            "2026-11-23 13:30 (Asia/Shanghai)"
        );
    }
}

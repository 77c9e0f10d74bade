//! Backends: where a report goes and in what body. The outbox stores one `reach-us/v1`
//! JSON body per report; each backend turns it, at every attempt and always the same
//! way, into what that backend accepts:
//!
//! - `json`: the body as it is, with `Idempotency-Key` and the brand's extra headers;
//! - `form`: the report flattened to `application/x-www-form-urlencoded` (`contact.email=…`),
//!   a CORS "simple request" without a preflight;
//! - `template`: the brand's body with `{{placeholders}}`, each value escaped for the
//!   template's content type, so report text can never break out of its string;
//! - a `preset` (Slack, Discord, Feishu, DingTalk, WeCom, Formspree): the vendor's
//!   documented webhook body around a short text summary;
//! - `callback`: the host page delivers it itself (`ReachUs('on', 'submit', async r => …)`).
use crate::error::ConfigError;
use crate::value::{self, Value};

/// How the outbox uses several backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deliver {
    /// Every backend must accept (tracked per backend).
    All,
    /// The first that accepts; the others are fallbacks, in order.
    First,
}

/// How placeholder values are escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// Inside a JSON string literal.
    Json,
    /// As a form value (`application/x-www-form-urlencoded`).
    Form,
    /// As they are (`text/plain`).
    Text,
}

/// A vendor's incoming webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Slack incoming webhook: `payload={"text": …}` as a form (no preflight).
    Slack,
    /// Discord webhook: `{"content": …, "allowed_mentions": {"parse": []}}`.
    Discord,
    /// Feishu (飞书) custom bot: `{"msg_type": "text", "content": {"text": …}}`.
    Feishu,
    /// DingTalk (钉钉) custom robot: `{"msgtype": "text", "text": {"content": …}}`.
    DingTalk,
    /// WeCom (企业微信) group robot: `{"msgtype": "text", "text": {"content": …}}`.
    WeCom,
    /// Formspree form endpoint: form fields `email`, `message`, `_subject`, ….
    Formspree,
}

impl Preset {
    /// Names as written in the config.
    pub const NAMES: [&'static str; 6] = [
        "slack",
        "discord",
        "feishu",
        "dingtalk",
        "wecom",
        "formspree",
    ];

    fn parse(s: &str) -> Option<Preset> {
        let all = [
            Preset::Slack,
            Preset::Discord,
            Preset::Feishu,
            Preset::DingTalk,
            Preset::WeCom,
            Preset::Formspree,
        ];
        Preset::NAMES.iter().position(|n| *n == s).map(|i| all[i])
    }
}

/// The body format of one backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// The `reach-us/v1` JSON body.
    Json,
    /// The report as form fields.
    Form,
    /// The brand's template.
    Template {
        /// With `{{placeholders}}`.
        body: String,
        /// The `Content-Type` sent; it decides the escaping.
        content_type: String,
    },
    /// A vendor preset around the summary text.
    Preset(Preset, String),
    /// The host page's `submit` listeners deliver it.
    Callback,
}

/// One configured backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// What body it gets.
    pub format: Format,
    /// Where it is POSTed (empty for `callback`).
    pub url: String,
    /// Extra request headers (public: never secrets).
    pub headers: Vec<(String, String)>,
    /// Send with `mode: "no-cors"`: the answer cannot be read, so an answer of any status
    /// counts as delivered. Only for webhooks that answer no CORS (Slack).
    pub no_cors: bool,
}

/// A request body ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    /// `Content-Type`.
    pub content_type: String,
    /// The bytes, as text.
    pub text: String,
}

/// The summary a preset sends when the brand gives no `text`.
pub const DEFAULT_TEXT: &str = "New report {{reference}} ({{category}})\n{{message}}\nContact: {{contact.email}} {{contact.phone}}\nReply due: {{due_at}}\nPage: {{page.url}}";

/// Every placeholder a template may use (paths into the `reach-us/v1` body; `due_at` is
/// short for `promise.due_at`).
pub const PLACEHOLDERS: [&str; 21] = [
    "id",
    "reference",
    "created_at",
    "category",
    "message",
    "contact.email",
    "contact.phone",
    "due_at",
    "promise.due_at",
    "promise.respond_within",
    "page.url",
    "page.title",
    "page.referrer",
    "locale",
    "timezone",
    "user.name",
    "user.email",
    "user.phone",
    "user.user_id",
    "user.user_hash",
    "schema",
];

const FIELDS: [&str; 8] = [
    "type",
    "url",
    "headers",
    "template",
    "content_type",
    "preset",
    "text",
    "no_cors",
];

/// Escape one value for `escape`.
pub fn escape(s: &str, escape: Escape, out: &mut String) {
    match escape {
        Escape::Text => out.push_str(s),
        Escape::Json => crate::json::escape_into(s, out),
        Escape::Form => {
            for b in s.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                        out.push(b as char)
                    }
                    b' ' => out.push('+'),
                    b => {
                        out.push('%');
                        hex(u32::from(b), 2, out);
                    }
                }
            }
        }
    }
}

use crate::json::hex;

/// A number as JSON writes it, for the numbers a report holds (whole, or a few decimals),
/// without the float formatter (which would add kilobytes to the wasm).
fn number(n: f64) -> String {
    if !n.is_finite() {
        return String::new();
    }
    let scaled = (n.abs() * 1e6).round() as u64;
    let (whole, frac) = (scaled / 1_000_000, scaled % 1_000_000);
    let sign = if n < 0.0 && scaled != 0 { "-" } else { "" };
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let mut f = (frac + 1_000_000).to_string().split_off(1);
    while f.ends_with('0') {
        f.pop();
    }
    format!("{sign}{whole}.{f}")
}

fn lookup<'a>(report: &'a Value, path: &str) -> Option<&'a Value> {
    let path = if path == "due_at" {
        "promise.due_at"
    } else {
        path
    };
    path.split('.').try_fold(report, |cur, key| match cur {
        Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    })
}

fn scalar(v: Option<&Value>) -> String {
    match v {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Num(n)) => number(*n),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Fill `{{placeholders}}` from the report, each value escaped. Unknown ones (refused at
/// config time) and absent values become empty.
pub fn fill(template: &str, report: &Value, esc: Escape) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some((before, after)) = crate::find::split(rest, "{{") {
        out.push_str(before);
        let Some((name, tail)) = crate::find::split(after, "}}") else {
            out.push_str("{{");
            out.push_str(after);
            return out;
        };
        escape(&scalar(lookup(report, name.trim())), esc, &mut out);
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The placeholders in a template that are not known, if any.
fn unknown_placeholder(template: &str) -> Option<String> {
    let mut rest = template;
    while let Some((_, after)) = crate::find::split(rest, "{{") {
        let (name, tail) = crate::find::split(after, "}}")?;
        let name = name.trim();
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_string());
        }
        rest = tail;
    }
    None
}

/// The report's scalar fields as `path=value` form pairs, in body order.
pub fn form_fields(report: &Value) -> String {
    fn walk(prefix: &str, v: &Value, out: &mut String) {
        match v {
            Value::Map(m) => {
                for (k, v) in m {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            Value::Null | Value::List(_) => {}
            scalar_value => {
                if !out.is_empty() {
                    out.push('&');
                }
                escape(prefix, Escape::Form, out);
                out.push('=');
                escape(&scalar(Some(scalar_value)), Escape::Form, out);
            }
        }
    }
    let mut out = String::new();
    walk("", report, &mut out);
    out
}

/// Slack reads `&`, `<` and `>` as markup (`<!channel>` pings everyone): escape them as
/// its docs say, so a visitor cannot ping or link through the report text.
fn slack_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Preset {
    fn body(self, text_template: &str, report: &Value) -> Body {
        let text = |t: &str| fill(t, report, Escape::Text);
        // The whole filled text is one JSON string: its own line breaks are escaped too.
        let json = |t: &str| {
            let mut out = String::new();
            escape(&text(t), Escape::Json, &mut out);
            out
        };
        let (content_type, text) = match self {
            Preset::Slack => {
                let mut inner = String::from("{\"text\":\"");
                escape(&slack_text(&text(text_template)), Escape::Json, &mut inner);
                inner.push_str("\"}");
                let mut form = String::from("payload=");
                escape(&inner, Escape::Form, &mut form);
                ("application/x-www-form-urlencoded", form)
            }
            Preset::Discord => {
                // Discord's limit is 2000 characters; mentions are switched off.
                let t: String = text(text_template).chars().take(2000).collect();
                let mut b = String::from("{\"content\":\"");
                escape(&t, Escape::Json, &mut b);
                b.push_str("\",\"allowed_mentions\":{\"parse\":[]}}");
                ("application/json", b)
            }
            Preset::Feishu => (
                "application/json",
                format!(
                    "{{\"msg_type\":\"text\",\"content\":{{\"text\":\"{}\"}}}}",
                    json(text_template)
                ),
            ),
            Preset::DingTalk | Preset::WeCom => (
                "application/json",
                format!(
                    "{{\"msgtype\":\"text\",\"text\":{{\"content\":\"{}\"}}}}",
                    json(text_template)
                ),
            ),
            Preset::Formspree => {
                let form = fill(
                    "email={{contact.email}}&phone={{contact.phone}}&message={{message}}&category={{category}}&reference={{reference}}&due_at={{due_at}}&page={{page.url}}&_subject=",
                    report,
                    Escape::Form,
                );
                let mut form = form;
                escape(
                    &text("Report {{reference}} ({{category}})"),
                    Escape::Form,
                    &mut form,
                );
                ("application/x-www-form-urlencoded", form)
            }
        };
        Body {
            content_type: content_type.into(),
            text,
        }
    }
}

impl Backend {
    /// The default: the `reach-us/v1` JSON body to `endpoint`.
    pub fn json(url: &str) -> Backend {
        Backend {
            format: Format::Json,
            url: url.into(),
            headers: Vec::new(),
            no_cors: false,
        }
    }

    /// Whether the backend honours `Idempotency-Key` (so a resend can never duplicate):
    /// true for the `json` format only, which is what a keepalive flush may use.
    pub fn idempotent(&self) -> bool {
        self.format == Format::Json && !self.no_cors
    }

    /// The body for one attempt. `json` is the stored body itself; the others are rendered
    /// from the report read back from it.
    pub fn body(&self, stored: &str, report: &Value) -> Body {
        match &self.format {
            Format::Json | Format::Callback => Body {
                content_type: "application/json".into(),
                text: stored.into(),
            },
            Format::Form => Body {
                content_type: "application/x-www-form-urlencoded".into(),
                text: form_fields(report),
            },
            Format::Template { body, content_type } => Body {
                content_type: content_type.clone(),
                text: fill(body, report, escape_for(content_type)),
            },
            Format::Preset(p, text) => p.body(text, report),
        }
    }

    /// Read one entry of `backends` (`field` is its path, e.g. `backends[1]`).
    pub fn from_value(field: &str, v: &Value) -> Result<Backend, ConfigError> {
        let f = value::object(field, v, &FIELDS)?;
        let at = |k: &str| format!("{field}.{k}");
        let s = |k: &str| {
            value::member(&f, k)
                .map(|v| value::string(&at(k), v))
                .transpose()
        };
        let kind = s("type")?.unwrap_or_else(|| {
            if s("preset").ok().flatten().is_some() {
                "preset".into()
            } else {
                "json".into()
            }
        });
        let url = s("url")?.unwrap_or_default();
        let text = s("text")?;
        let format = match kind.as_str() {
            "json" => Format::Json,
            "form" => Format::Form,
            "callback" => Format::Callback,
            "template" => {
                let body = s("template")?.ok_or_else(|| {
                    ConfigError::invalid(at("template"), "is required for a template backend")
                })?;
                let content_type = s("content_type")?.unwrap_or_else(|| "application/json".into());
                if ![
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                ]
                .contains(&content_type.split(';').next().unwrap_or("").trim())
                {
                    return Err(ConfigError::invalid(
                        at("content_type"),
                        "must be application/json, application/x-www-form-urlencoded or text/plain",
                    ));
                }
                if let Some(name) = unknown_placeholder(&body) {
                    return Err(ConfigError::invalid(
                        at("template"),
                        format!(
                            "has an unknown placeholder {{{{{name}}}}}; known: {}",
                            PLACEHOLDERS.join(", ")
                        ),
                    ));
                }
                Format::Template { body, content_type }
            }
            "preset" => {
                let name = s("preset")?.unwrap_or_default();
                let p = Preset::parse(&name).ok_or_else(|| {
                    ConfigError::invalid(
                        at("preset"),
                        format!("is \"{name}\": use one of {}", Preset::NAMES.join(", ")),
                    )
                })?;
                let text = text.clone().unwrap_or_else(|| DEFAULT_TEXT.into());
                if let Some(name) = unknown_placeholder(&text) {
                    return Err(ConfigError::invalid(
                        at("text"),
                        format!("has an unknown placeholder {{{{{name}}}}}"),
                    ));
                }
                Format::Preset(p, text)
            }
            other => {
                return Err(ConfigError::invalid(
                    at("type"),
                    format!("is \"{other}\": use json, form, template, preset or callback"),
                ))
            }
        };
        if text.is_some() && !matches!(format, Format::Preset(..)) {
            return Err(ConfigError::invalid(at("text"), "only applies to a preset"));
        }
        match (&format, url.is_empty()) {
            (Format::Callback, false) => {
                return Err(ConfigError::invalid(
                    at("url"),
                    "is not used by a callback backend: leave it out",
                ))
            }
            (Format::Callback, true) => {}
            (_, _) if !crate::config::valid_endpoint(&url) => {
                return Err(ConfigError::invalid(
                    at("url"),
                    format!("must be an http(s) URL or a path starting with \"/\", not \"{url}\""),
                ))
            }
            _ => {}
        }
        let mut headers = Vec::new();
        if let Some(h) = value::member(&f, "headers") {
            for (k, v) in value::object(&at("headers"), h, &[])? {
                let ok = !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                if !ok {
                    return Err(ConfigError::invalid(
                        at("headers"),
                        format!("has \"{k}\", which is not a header name"),
                    ));
                }
                headers.push((
                    k.to_string(),
                    value::string(&format!("{field}.headers.{k}"), v)?,
                ));
            }
        }
        let no_cors = match value::member(&f, "no_cors") {
            Some(v) => value::boolean(&at("no_cors"), v)?,
            // Slack answers no CORS: its preset is sent unread by default.
            None => matches!(format, Format::Preset(Preset::Slack, _)),
        };
        if no_cors && !headers.is_empty() {
            return Err(ConfigError::invalid(
                at("headers"),
                "cannot be sent with no_cors (the browser drops them)",
            ));
        }
        Ok(Backend {
            format,
            url,
            headers,
            no_cors,
        })
    }
}

/// The escaping a content type needs.
pub fn escape_for(content_type: &str) -> Escape {
    match content_type.split(';').next().unwrap_or("").trim() {
        "application/x-www-form-urlencoded" => Escape::Form,
        "text/plain" => Escape::Text,
        _ => Escape::Json,
    }
}

/// Read `deliver`.
pub fn deliver_from(s: Option<&str>) -> Result<Deliver, ConfigError> {
    let i = crate::config::keyword("deliver", s, &["all", "first"])?;
    Ok([Deliver::All, Deliver::First][i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    fn report() -> Value {
        from_json(json!({
            "schema": "reach-us/v1", "id": "6f1c", "reference": "ACME-7K2P9Q", "created_at": "2026-11-23T09:30:00Z",
            "category": "problem",
            "message": "Door \"won't\" open\\\n<!channel> & <script>alert(1)</script>\u{2028}éè 车门",
            "contact": {"email": "a+b@example.com"},
            "promise": {"respond_within": "2h", "respond_within_minutes": 120, "business_hours": true, "due_at": "2026-11-23T11:30:00Z"},
            "page": {"url": "https://acme.example/cars?a=1&b=2", "title": "Cars", "referrer": ""},
            "locale": "en", "timezone": "Europe/Paris", "client": {"widget_version": "0.1.0"}
        }))
    }

    fn backend(v: serde_json::Value) -> Result<Backend, ConfigError> {
        Backend::from_value("backends[0]", &from_json(v))
    }

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    fn form(text: &str) -> Vec<(String, String)> {
        text.split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').expect("k=v");
                let dec = |s: &str| {
                    let s = s.replace('+', " ");
                    let mut bytes = Vec::new();
                    let b = s.as_bytes();
                    let mut i = 0;
                    while i < b.len() {
                        if b[i] == b'%' {
                            bytes.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
                            i += 3;
                        } else {
                            bytes.push(b[i]);
                            i += 1;
                        }
                    }
                    String::from_utf8(bytes).expect("utf-8")
                };
                (dec(k), dec(v))
            })
            .collect()
    }

    const MESSAGE: &str =
        "Door \"won't\" open\\\n<!channel> & <script>alert(1)</script>\u{2028}éè 车门";

    #[test]
    fn json_template_values_cannot_break_out_of_their_strings() {
        let b = backend(json!({"type": "template", "url": "https://x.example/h", "template": "{\"t\":\"{{message}}\",\"r\":\"{{reference}}\",\"due\":\"{{due_at}}\",\"none\":\"{{user.name}}\"}"})).unwrap();
        let body = b.body("{}", &report());
        assert_eq!(body.content_type, "application/json");
        let v = parse(&body.text);
        assert_eq!(
            v,
            json!({"t": MESSAGE, "r": "ACME-7K2P9Q", "due": "2026-11-23T11:30:00Z", "none": ""})
        );
        assert!(
            !body.text.contains("<script"),
            "`<` is escaped in JSON: {}",
            body.text
        );
    }

    #[test]
    fn form_template_and_form_backend_round_trip() {
        let b = backend(json!({"type": "template", "url": "/h", "content_type": "application/x-www-form-urlencoded", "template": "text={{message}}&page={{page.url}}"})).unwrap();
        let pairs = form(&b.body("{}", &report()).text);
        assert_eq!(
            pairs,
            vec![
                ("text".into(), MESSAGE.into()),
                ("page".into(), "https://acme.example/cars?a=1&b=2".into())
            ]
        );
        let f = backend(json!({"type": "form", "url": "https://forms.example/f"})).unwrap();
        let body = f.body("{}", &report());
        assert_eq!(body.content_type, "application/x-www-form-urlencoded");
        let pairs = form(&body.text);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("message"), Some(MESSAGE));
        assert_eq!(get("contact.email"), Some("a+b@example.com"));
        assert_eq!(get("promise.respond_within_minutes"), Some("120"));
        assert_eq!(get("promise.business_hours"), Some("true"));
        assert_eq!(get("page.url"), Some("https://acme.example/cars?a=1&b=2"));
        assert_eq!(get("contact.phone"), None);
    }

    #[test]
    fn json_backend_sends_the_stored_body_unchanged() {
        let b = backend(json!({"url": "https://api.example/r", "headers": {"X-Brand": "acme"}}))
            .unwrap();
        assert_eq!(b.body("{\"a\":1}", &report()).text, "{\"a\":1}");
        assert!(b.idempotent());
        assert_eq!(b.headers, vec![("X-Brand".to_string(), "acme".to_string())]);
    }

    #[test]
    fn presets_follow_the_vendors_documented_bodies() {
        let r = report();
        let body = |p: &str| {
            backend(json!({"preset": p, "url": "https://hooks.example/x"}))
                .unwrap()
                .body("{}", &r)
        };
        // Slack: form `payload` holding {"text"}, markup characters escaped, no preflight.
        let slack = body("slack");
        assert_eq!(slack.content_type, "application/x-www-form-urlencoded");
        let pairs = form(&slack.text);
        assert_eq!(pairs[0].0, "payload");
        let inner = parse(&pairs[0].1);
        let text = inner["text"].as_str().unwrap();
        assert!(
            text.contains("&lt;!channel&gt; &amp; &lt;script&gt;"),
            "{text}"
        );
        assert!(
            text.starts_with("New report ACME-7K2P9Q (problem)\n"),
            "{text}"
        );
        assert!(
            backend(json!({"preset": "slack", "url": "https://hooks.example/x"}))
                .unwrap()
                .no_cors
        );
        // Discord: content (≤ 2000 chars) and no mentions.
        let d = parse(&body("discord").text);
        assert_eq!(d["allowed_mentions"], json!({"parse": []}));
        assert!(d["content"].as_str().unwrap().contains(MESSAGE));
        // Feishu, DingTalk, WeCom text messages.
        let f = parse(&body("feishu").text);
        assert_eq!(f["msg_type"], "text");
        assert!(f["content"]["text"].as_str().unwrap().contains(MESSAGE));
        for p in ["dingtalk", "wecom"] {
            let v = parse(&body(p).text);
            assert_eq!(v["msgtype"], "text", "{p}");
            assert!(
                v["text"]["content"]
                    .as_str()
                    .unwrap()
                    .contains("Reply due: 2026-11-23T11:30:00Z"),
                "{p}"
            );
        }
        // Formspree: form fields, `email` as its reply-to, `_subject`.
        let fs = form(&body("formspree").text);
        let get = |k: &str| fs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("email").as_deref(), Some("a+b@example.com"));
        assert_eq!(get("message").as_deref(), Some(MESSAGE));
        assert_eq!(
            get("_subject").as_deref(),
            Some("Report ACME-7K2P9Q (problem)")
        );
        // Long texts are cut to Discord's limit.
        let mut long = r.clone();
        if let Value::Map(m) = &mut long {
            for (k, v) in m.iter_mut() {
                if k == "message" {
                    *v = Value::Str("x".repeat(5000));
                }
            }
        }
        let b = backend(
            json!({"preset": "discord", "url": "https://d.example/w", "text": "{{message}}"}),
        )
        .unwrap();
        assert_eq!(
            parse(&b.body("{}", &long).text)["content"]
                .as_str()
                .unwrap()
                .len(),
            2000
        );
    }

    #[test]
    fn numbers_and_hex_without_the_float_formatter() {
        for (n, s) in [
            (120.0, "120"),
            (0.0, "0"),
            (-3.0, "-3"),
            (1.5, "1.5"),
            (0.125, "0.125"),
            (-0.25, "-0.25"),
            (2.0e9, "2000000000"),
        ] {
            assert_eq!(number(n), s);
        }
        let mut out = String::new();
        hex(0x2028, 4, &mut out);
        hex(0x0a, 2, &mut out);
        assert_eq!(out, "20280A");
    }

    #[test]
    fn bad_backends_are_clear_errors() {
        let err = |v: serde_json::Value| backend(v).unwrap_err().to_string();
        assert!(
            err(json!({"type": "template", "url": "/h", "template": "{{secret}}"}))
                .contains("unknown placeholder {{secret}}")
        );
        assert!(err(json!({"type": "template", "url": "/h"})).contains("backends[0].template"));
        assert!(err(json!({"type": "smtp", "url": "/h"})).contains("backends[0].type"));
        assert!(err(json!({"preset": "teams", "url": "/h"})).contains("slack, discord"));
        assert!(
            err(json!({"type": "json", "url": "javascript:alert(1)"})).contains("backends[0].url")
        );
        assert!(err(json!({"type": "json"})).contains("backends[0].url"));
        assert!(err(json!({"type": "callback", "url": "/h"})).contains("not used"));
        assert!(
            err(json!({"url": "/h", "headers": {"Bad Name": "x"}})).contains("not a header name")
        );
        assert!(err(json!({"url": "/h", "colour": 1})).contains("backends[0].colour"));
        assert!(
            err(json!({"preset": "slack", "url": "/h", "headers": {"X": "1"}})).contains("no_cors")
        );
        assert!(err(
            json!({"type": "template", "url": "/h", "template": "x", "content_type": "text/html"})
        )
        .contains("content_type"));
        assert_eq!(
            backend(json!({"type": "callback"})).unwrap().format,
            Format::Callback
        );
        assert_eq!(deliver_from(Some("first")), Ok(Deliver::First));
        assert!(deliver_from(Some("any")).is_err());
    }
}

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
use crate::outcome::Outcome;
use crate::time::Millis;
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
pub const PLACEHOLDERS: [&str; 22] = [
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
    "attachments_left_out",
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
    fill_by(template, report, None, &|v, out| escape(v, esc, out))
}

/// [`fill`], with `message` standing in for the report's own (when cut to fit: the kept
/// part, and the mark written as it is) and `put` writing each value.
pub(crate) fn fill_by(
    template: &str,
    report: &Value,
    message: Option<(&str, &str)>,
    put: &dyn Fn(&str, &mut String),
) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some((before, after)) = crate::find::split(rest, "{{") {
        out.push_str(before);
        let Some((name, tail)) = crate::find::split(after, "}}") else {
            out.push_str("{{");
            out.push_str(after);
            return out;
        };
        let name = name.trim();
        match message {
            Some((m, mark)) if name == "message" => {
                put(m, &mut out);
                out.push_str(mark);
            }
            // Files a rendered body cannot carry: how many were left out (empty: none).
            _ if name == "attachments_left_out" => {
                let n = crate::attachments::count(report);
                if n > 0 {
                    put(&n.to_string(), &mut out);
                }
            }
            _ => put(&scalar(lookup(report, name)), &mut out),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The first placeholder of a template that is unknown (`false`) or, in a JSON template,
/// outside a string literal (`true`), where a value escaped for a string could still
/// change the structure.
fn bad_placeholder(template: &str, json: bool) -> Option<(String, bool)> {
    let (mut in_string, mut escaped, mut skip) = (false, false, 0);
    for (i, c) in template.char_indices() {
        if i < skip {
            continue;
        }
        if let Some(after) = template.get(i..).and_then(|t| t.strip_prefix("{{")) {
            let (name, tail) = crate::find::split(after, "}}")?;
            let name = name.trim();
            let known = PLACEHOLDERS.contains(&name);
            if !known || (json && !in_string) {
                return Some((name.to_string(), known));
            }
            skip = template.len() - tail.len();
            continue;
        }
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            _ => {}
        }
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

/// Appended to a message cut to fit a vendor's limit.
pub const CUT: &str = "…[cut]";

/// Render with the whole message if `measure` of it is within `limit`; else with the
/// longest prefix of the message (plus [`CUT`]) that is. Only the message is cut: what the
/// template puts around it (contact, due time, reference) stays.
pub(crate) fn fit(
    message: &str,
    limit: usize,
    render: &dyn Fn((&str, &str)) -> String,
    measure: fn(&str) -> usize,
) -> String {
    let full = render((message, ""));
    if measure(&full) <= limit {
        return full;
    }
    // The first `n` characters, plus the mark.
    let cut = |n: usize| {
        let end = message
            .char_indices()
            .nth(n)
            .map_or(message.len(), |(i, _)| i);
        render((message.get(..end).unwrap_or(""), CUT))
    };
    // Kept characters: `lo` fits (or nothing does), `hi` does not.
    let (mut lo, mut hi) = (0, message.chars().count());
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if measure(&cut(mid)) <= limit {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    cut(lo)
}

/// Discord markdown: `\`, `[` and `]` escaped, so `[text](url)` shows as typed instead of
/// as a link whose target is hidden.
fn discord_value(v: &str, out: &mut String) {
    for c in v.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Feishu parses `<at user_id="all">` in text messages even from a JSON-escaped `<`: a
/// zero-width space after every `<` of a report value leaves no tag to parse.
fn feishu_value(v: &str, out: &mut String) {
    for c in v.chars() {
        out.push(c);
        if c == '<' {
            out.push('\u{200B}');
        }
    }
}

pub(crate) fn json_str(s: &str) -> String {
    let mut out = String::new();
    escape(s, Escape::Json, &mut out);
    out
}

/// Formspree's fields: `email` is its reply-to, `_subject` the mail's subject.
const FORMSPREE_FIELDS: [(&str, &str); 8] = [
    ("email", "{{contact.email}}"),
    ("phone", "{{contact.phone}}"),
    ("message", "{{message}}"),
    ("category", "{{category}}"),
    ("reference", "{{reference}}"),
    ("due_at", "{{due_at}}"),
    ("page", "{{page.url}}"),
    ("_subject", "Report {{reference}} ({{category}})"),
];

/// Feishu's custom bot refuses a request body over 20 KB.
pub const FEISHU_MAX_BODY_BYTES: usize = 20_000;
/// WeCom's group robot: text content at most 2048 bytes (UTF-8).
pub const WECOM_MAX_TEXT_BYTES: usize = 2048;
/// Discord: message content at most 2000 characters.
pub const DISCORD_MAX_CHARS: usize = 2000;

impl Preset {
    fn body(self, text_template: &str, report: &Value) -> Body {
        let plain = |v: &str, out: &mut String| out.push_str(v);
        let message = fill_by("{{message}}", report, None, &plain);
        let put: &dyn Fn(&str, &mut String) = match self {
            Preset::Discord => &discord_value,
            Preset::Feishu => &feishu_value,
            _ => &plain,
        };
        // Each vendor's limit, as it counts: Discord characters, WeCom bytes of text,
        // Feishu bytes of the whole body (the text JSON-escaped, plus 41 bytes around it).
        let (limit, measure): (usize, fn(&str) -> usize) = match self {
            Preset::Discord => (DISCORD_MAX_CHARS, |s| s.chars().count()),
            Preset::WeCom => (WECOM_MAX_TEXT_BYTES, str::len),
            Preset::Feishu => (FEISHU_MAX_BODY_BYTES - 41, |s| json_str(s).len()),
            _ => (usize::MAX, str::len),
        };
        let text = fit(
            &message,
            limit,
            &|m| fill_by(text_template, report, Some(m), put),
            measure,
        );
        let t = json_str(&text);
        let (content_type, text) = match self {
            Preset::Slack => {
                let inner = format!("{{\"text\":\"{}\"}}", json_str(&slack_text(&text)));
                let mut form = String::from("payload=");
                escape(&inner, Escape::Form, &mut form);
                ("application/x-www-form-urlencoded", form)
            }
            // Mentions off, link previews off (flags 4 = SUPPRESS_EMBEDS).
            Preset::Discord => (
                "application/json",
                format!(
                    "{{\"content\":\"{t}\",\"allowed_mentions\":{{\"parse\":[]}},\"flags\":4}}"
                ),
            ),
            Preset::Feishu => (
                "application/json",
                format!("{{\"msg_type\":\"text\",\"content\":{{\"text\":\"{t}\"}}}}"),
            ),
            Preset::DingTalk | Preset::WeCom => (
                "application/json",
                format!("{{\"msgtype\":\"text\",\"text\":{{\"content\":\"{t}\"}}}}"),
            ),
            Preset::Formspree => {
                // Empty fields are left out: Formspree refuses an empty `email`.
                let mut form = String::new();
                for (k, v) in FORMSPREE_FIELDS.iter() {
                    let v = fill_by(v, report, None, &plain);
                    if !v.is_empty() {
                        if !form.is_empty() {
                            form.push('&');
                        }
                        form.push_str(k);
                        form.push('=');
                        escape(&v, Escape::Form, &mut form);
                    }
                }
                ("application/x-www-form-urlencoded", form)
            }
        };
        Body {
            content_type: content_type.into(),
            text,
        }
    }
}

/// The status a refusal inside a 2xx is reported with (the visitor sees "the server
/// answered 422", the `failed` event `http_422`); the vendor's own words go to `why`.
pub const REFUSED: u16 = 422;

/// What an answer means for the outbox, and why, in the backend's words (for the brand's
/// developer console; never shown to the visitor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Delivered, retry later (with the vendor's delay), or refused.
    pub outcome: Outcome,
    /// The vendor's code and message, when it refused or asked to wait.
    pub why: Option<String>,
}

fn member<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn int(v: &Value, key: &str) -> Option<i64> {
    match member(v, key) {
        Some(Value::Num(n)) if n.fract() == 0.0 => Some(*n as i64),
        _ => None,
    }
}

/// A server reference is kept only if it is short and printable.
fn sane_reference(v: Option<&Value>) -> Option<String> {
    let Some(Value::Str(s)) = v else { return None };
    let s = s.trim();
    (!s.is_empty() && s.chars().count() <= 64 && !s.chars().any(char::is_control))
        .then(|| s.to_string())
}

/// A due time the backend set (the reference inbox answers the promise it made): an
/// RFC 3339 time, else nothing.
fn sane_due(v: Option<&Value>) -> Option<Millis> {
    let Some(Value::Str(s)) = v else { return None };
    crate::time::parse_iso(s)
}

impl Backend {
    /// Classify one readable answer: its status, its body as text, the body parsed when it
    /// is JSON (else `Null`) and its `Retry-After` in ms. Errors that vendors answer inside
    /// a 2xx (Feishu `code`, DingTalk/WeCom `errcode`, Formspree's HTML page) are refusals
    /// or, for their rate limits, retries after the vendor's documented wait.
    pub fn classify(
        &self,
        status: u16,
        text: &str,
        json: &Value,
        retry_after: Option<Millis>,
    ) -> Verdict {
        use Preset::*;
        // The vendor's code inside a 2xx; 0 (or none: a relay's own 2xx) is success.
        let code = match self.format {
            Format::Preset(Formspree, _) => match json {
                Value::Map(_) => i64::from(member(json, "error").is_some()),
                _ => 1, // its HTML reCAPTCHA page
            },
            Format::Preset(Feishu, _) => int(json, "code").unwrap_or(0),
            Format::Preset(DingTalk | WeCom, _) => int(json, "errcode").unwrap_or(0),
            _ => 0,
        };
        let preset = match self.format {
            Format::Preset(p, _) => Some(p),
            _ => None,
        };
        let outcome = if !(200..300).contains(&status) {
            Outcome::of_status(Some(status), retry_after)
        } else {
            match (preset, code) {
                (None, _) if self.format == Format::Json => Outcome::Accepted(
                    sane_reference(member(json, "reference")),
                    sane_due(member(json, "due_at")),
                ),
                (_, 0) => Outcome::Accepted(None, None),
                // Feishu: 100 a minute, 5 a second per bot.
                (Some(Feishu), 11232 | 99991400) => Outcome::Transient(Some(60_000)),
                // DingTalk: 20 a minute, then blocked for 10 minutes.
                (Some(DingTalk), 130101) => Outcome::Transient(Some(600_000)),
                // WeCom: 20 a minute.
                (Some(WeCom), 45009) => Outcome::Transient(Some(60_000)),
                // "System busy".
                (Some(DingTalk | WeCom), -1) => Outcome::Transient(None),
                _ => Outcome::Permanent(REFUSED),
            }
        };
        let why = (!matches!(outcome, Outcome::Accepted(..))).then(|| {
            let detail = if matches!(json, Value::Null) && status < 300 {
                "HTML, not JSON (reCAPTCHA on?)"
            } else {
                // At most 200 bytes of the backend's own text (all of it when 200 is
                // not a character boundary).
                text.get(..200).unwrap_or(text)
            };
            format!("{status}: {detail}")
        });
        Verdict { outcome, why }
    }
}

/// Hosts of chat webhooks that answer no CORS (and whose signed mode needs a secret): a
/// page can never deliver there itself.
const NO_BROWSER_HOSTS: [&str; 4] = [
    "open.feishu.cn",
    "open.larksuite.com",
    "oapi.dingtalk.com",
    "qyapi.weixin.qq.com",
];

/// The host of [`NO_BROWSER_HOSTS`] an absolute URL is on, if any.
fn no_browser_host(url: &str) -> Option<&'static str> {
    let (_, rest) = crate::find::split(url, "://")?;
    NO_BROWSER_HOSTS.into_iter().find(|h| {
        rest.get(..h.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(h))
            && matches!(
                rest.as_bytes().get(h.len()),
                None | Some(b'/' | b'?' | b'#' | b':')
            )
    })
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
            Format::Form => {
                let mut text = form_fields(report);
                // The files stay behind: say so, never drop them silently.
                let n = crate::attachments::count(report);
                if n > 0 {
                    text.push_str("&attachments_note=");
                    escape(
                        &crate::attachments::note(n, n, false),
                        Escape::Form,
                        &mut text,
                    );
                }
                Body {
                    content_type: "application/x-www-form-urlencoded".into(),
                    text,
                }
            }
            Format::Template { body, content_type } => Body {
                content_type: content_type.clone(),
                text: fill(body, report, template_escape(content_type, body)),
            },
            Format::Preset(p, text) => match crate::attachments::count(report) {
                0 => p.body(text, report),
                n => p.body(
                    &format!("{text}\n({})", crate::attachments::note(n, n, false)),
                    report,
                ),
            },
        }
    }

    /// Every request header of one attempt, in order: `Content-Type`, `Accept` where the
    /// backend answers in kind (Formspree answers JSON instead of an HTML page), the
    /// brand's `headers`, and for `json` the report's own `Idempotency-Key` (a brand's
    /// header of that name is refused by the config).
    pub fn request_headers(&self, body: &Body, id: &str, mut set: impl FnMut(&str, &str)) {
        set("Content-Type", &body.content_type);
        if matches!(self.format, Format::Preset(Preset::Formspree, _)) {
            // A CORS-safelisted header: still a simple request, no preflight.
            set("Accept", "application/json");
        }
        for (k, v) in &self.headers {
            set(k, v);
        }
        if self.format == Format::Json {
            set("Idempotency-Key", id);
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
                let json = template_escape(&content_type, &body) == Escape::Json;
                if let Some((name, outside)) = bad_placeholder(&body, json) {
                    return Err(ConfigError::invalid(
                        at("template"),
                        if outside {
                            format!("has {{{{{name}}}}} outside a JSON string")
                        } else {
                            format!(
                                "has an unknown placeholder {{{{{name}}}}}; known: {}",
                                PLACEHOLDERS.join(", ")
                            )
                        },
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
                if let Some((name, _)) = bad_placeholder(&text, false) {
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
            (_, _) if !crate::check::valid_endpoint(&url) => {
                return Err(ConfigError::invalid(
                    at("url"),
                    format!("must be an http(s) URL or a path starting with \"/\", not \"{url}\""),
                ))
            }
            _ => {}
        }
        if let Some(h) = no_browser_host(&url) {
            return Err(ConfigError::invalid(
                at("url"),
                format!("is on {h}: no CORS, and signing needs a secret; use a relay's URL"),
            ));
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
                if k.eq_ignore_ascii_case("idempotency-key") {
                    return Err(ConfigError::invalid(
                        at("headers"),
                        "cannot set Idempotency-Key: each report sends its own",
                    ));
                }
                if k.eq_ignore_ascii_case("content-type") {
                    return Err(ConfigError::invalid(
                        at("headers"),
                        "cannot set Content-Type: the type sets it (`content_type` for a template)",
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
            None => false,
        };
        if no_cors && !headers.is_empty() {
            return Err(ConfigError::invalid(
                at("headers"),
                "cannot be sent with no_cors (the browser drops them)",
            ));
        }
        // A form or preset request is a CORS simple request on purpose (form handlers and
        // webhooks answer no preflight): any extra header would make it a preflighted one.
        if !headers.is_empty() && matches!(format, Format::Form | Format::Preset(..)) {
            return Err(ConfigError::invalid(
                at("headers"),
                "cannot be sent with a form or preset backend: they would need a preflight, which form handlers and webhooks do not answer",
            ));
        }
        // `no-cors` sends only simple requests: a JSON body would go as text/plain without
        // its Idempotency-Key, and any answer (a 400 included) would count as delivered.
        let json_body = match &format {
            Format::Json => true,
            Format::Template { content_type, .. } => content_type == "application/json",
            _ => false,
        };
        if no_cors && json_body {
            return Err(ConfigError::invalid(
                at("no_cors"),
                "cannot be used with a JSON body (the browser would drop its Content-Type and Idempotency-Key, and a refusal would look delivered): answer CORS, or use a form or preset backend",
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

/// The escaping a template needs: that of its content type, except that a `text/plain`
/// template that is JSON (how a JSON body avoids a CORS preflight) is escaped as JSON.
pub fn template_escape(content_type: &str, template: &str) -> Escape {
    match escape_for(content_type) {
        Escape::Text if json_like(template) => Escape::Json,
        e => e,
    }
}

/// Whether a template is a JSON object or array (`{{` opens a placeholder, not an object).
fn json_like(template: &str) -> bool {
    let mut b = template.bytes().skip_while(u8::is_ascii_whitespace);
    match b.next() {
        Some(b'[') => true,
        Some(b'{') => b.next() != Some(b'{'),
        _ => false,
    }
}

/// Read `deliver`.
pub fn deliver_from(s: Option<&str>) -> Result<Deliver, ConfigError> {
    let i = crate::check::keyword("deliver", s, &["all", "first"])?;
    Ok([Deliver::All, Deliver::First][i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Millis;
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
    fn backends_that_cannot_carry_files_say_how_many_were_left_out() {
        let with_files = with(
            &report(),
            "attachments",
            crate::value::from_json(
                json!([{"name": "a.jpg", "type": "image/jpeg", "size": 1}, {"name": "b.pdf", "type": "application/pdf", "size": 2}]),
            ),
        );
        let f = backend(json!({"type": "form", "url": "https://forms.example/f"})).unwrap();
        let pairs = form(&f.body("{}", &with_files).text);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(
            get("attachments_note").as_deref(),
            Some("2 of 2 attachments left out: this backend cannot carry files")
        );
        assert_eq!(
            form(&f.body("{}", &report()).text)
                .iter()
                .filter(|(k, _)| k == "attachments_note")
                .count(),
            0
        );
        let t = backend(json!({"type": "template", "url": "/h", "template": "{\"n\": \"{{attachments_left_out}}\"}"})).unwrap();
        assert_eq!(t.body("{}", &with_files).text, r#"{"n": "2"}"#);
        assert_eq!(t.body("{}", &report()).text, r#"{"n": ""}"#);
        let slack =
            backend(json!({"preset": "slack", "url": "https://hooks.slack.com/services/T/B/x"}))
                .unwrap();
        let body = slack.body("{}", &with_files).text;
        assert!(body.contains("2+of+2+attachments+left+out"), "{body}");
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
            !backend(json!({"preset": "slack", "url": "https://hooks.example/x"}))
                .unwrap()
                .no_cors
        );
        // Discord: content (≤ 2000 chars) and no mentions.
        let d = parse(&body("discord").text);
        assert_eq!(d["allowed_mentions"], json!({"parse": []}));
        let mut escaped = String::new();
        discord_value(MESSAGE, &mut escaped);
        assert!(d["content"].as_str().unwrap().contains(&escaped));
        // Feishu, DingTalk, WeCom text messages.
        let f = parse(&body("feishu").text);
        assert_eq!(f["msg_type"], "text");
        assert!(f["content"]["text"]
            .as_str()
            .unwrap()
            .contains(&MESSAGE.replace('<', "<\u{200B}")));
        for p in ["dingtalk", "wecom"] {
            let v = parse(&body(p).text);
            assert_eq!(v["msgtype"], "text", "{p}");
            // Mentions exist only as fields of their own (`at`, `mentioned_list`): never sent.
            assert_eq!(v.as_object().unwrap().len(), 2, "{p}: {v}");
            assert_eq!(v["text"].as_object().unwrap().len(), 1, "{p}: {v}");
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
                .chars()
                .count(),
            2000
        );
    }

    fn with(report: &Value, key: &str, v: Value) -> Value {
        let mut r = report.clone();
        if let Value::Map(m) = &mut r {
            m.retain(|(k, _)| k != key);
            m.push((key.into(), v));
        }
        r
    }

    #[test]
    fn formspree_leaves_out_empty_fields() {
        // A phone-only report: no `email=` (Formspree rejects an empty email).
        let r = with(
            &report(),
            "contact",
            from_json(json!({"phone": "+86 400 000 0000"})),
        );
        let b = backend(json!({"preset": "formspree", "url": "https://formspree.io/f/x"})).unwrap();
        let fs = form(&b.body("{}", &r).text);
        assert!(fs.iter().all(|(_, v)| !v.is_empty()), "{fs:?}");
        assert!(!fs.iter().any(|(k, _)| k == "email"), "{fs:?}");
        assert!(fs
            .iter()
            .any(|(k, v)| k == "phone" && v == "+86 400 000 0000"));
    }

    #[test]
    fn feishu_text_cannot_mention_everyone() {
        let r = with(
            &report(),
            "message",
            Value::Str("hi <at user_id=\"all\">所有人</at> <AT user_id=\"all\"></AT>".into()),
        );
        let b = backend(json!({"preset": "feishu", "url": "https://relay.example/f"})).unwrap();
        let v = parse(&b.body("{}", &r).text);
        let text = v["content"]["text"].as_str().unwrap();
        assert!(!text.to_lowercase().contains("<at"), "{text}");
        assert!(
            text.contains("user_id=\"all\""),
            "the text itself is kept: {text}"
        );
        // The brand's own `text` may still mention everyone: only report values are touched.
        let b = backend(json!({"preset": "feishu", "url": "https://relay.example/f", "text": "<at user_id=\"all\"></at> {{message}}"})).unwrap();
        let v = parse(&b.body("{}", &r).text);
        let text = v["content"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("<at user_id=\"all\"></at> hi <\u{200B}at"),
            "{text}"
        );
    }

    #[test]
    fn discord_masked_links_are_escaped_and_embeds_suppressed() {
        let r = with(
            &report(),
            "message",
            Value::Str("[your bank](https://evil.example) \\[x\\](https://evil.example)".into()),
        );
        let b =
            backend(json!({"preset": "discord", "url": "https://discord.com/api/webhooks/1/x"}))
                .unwrap();
        let v = parse(&b.body("{}", &r).text);
        let c = v["content"].as_str().unwrap();
        assert!(c.contains("\\[your bank\\](https://evil.example)"), "{c}");
        // A visitor's own backslash cannot un-escape ours.
        assert!(c.contains("\\\\\\[x\\\\\\](https://evil.example)"), "{c}");
        assert_eq!(v["flags"], 4);
        assert_eq!(v["allowed_mentions"], json!({"parse": []}));
    }

    #[test]
    fn text_plain_json_templates_escape_their_values() {
        // text/plain is how a JSON body avoids a preflight: its values are JSON-escaped.
        let evil = "\",\"mentioned_list\":[\"@all\"],\"x\":\"";
        let r = with(&report(), "message", Value::Str(evil.into()));
        let b = backend(json!({"type": "template", "url": "https://relay.example/w", "content_type": "text/plain",
            "template": " {\"msgtype\":\"text\",\"text\":{\"content\":\"{{message}}\"}}"})).unwrap();
        let v = parse(&b.body("{}", &r).text);
        assert_eq!(v["text"]["content"], evil);
        assert!(
            v["text"].get("mentioned_list").is_none() && v.get("x").is_none(),
            "{v}"
        );
        // Plain text stays as typed.
        let t = backend(json!({"type": "template", "url": "/h", "content_type": "text/plain", "template": "{{message}}"})).unwrap();
        assert_eq!(t.body("{}", &r).text, evil);
    }

    #[test]
    fn a_placeholder_outside_a_json_string_is_a_config_error() {
        for ct in ["application/json", "text/plain"] {
            let e = backend(json!({"type": "template", "url": "/h", "content_type": ct, "template": "{\"n\": {{message}}}"}))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("backends[0].template") && e.contains("{{message}}"),
                "{e}"
            );
        }
        // Inside strings, also after escaped quotes, is fine.
        assert!(backend(json!({"type": "template", "url": "/h", "template": "{\"a\":\"x\\\"{{message}}\",\"b\":[\"{{id}}\"]}"})).is_ok());
    }

    #[test]
    fn a_fixed_idempotency_key_header_is_a_config_error() {
        for name in ["Idempotency-Key", "idempotency-key"] {
            let e = backend(json!({"url": "/h", "headers": {name: "fixed"}}))
                .unwrap_err()
                .to_string();
            assert!(e.contains("backends[0].headers"), "{e}");
            assert!(e.contains("Idempotency-Key"), "{e}");
        }
    }

    #[test]
    fn slack_is_read_with_cors_by_default() {
        // hooks.slack.com answers `Access-Control-Allow-Origin: *`: a form POST (no
        // preflight) can read its status, so a revoked webhook (404) is seen.
        let b =
            backend(json!({"preset": "slack", "url": "https://hooks.slack.com/services/T/B/x"}))
                .unwrap();
        assert!(!b.no_cors);
        let opaque = backend(json!({"preset": "slack", "url": "https://hooks.slack.com/services/T/B/x", "no_cors": true})).unwrap();
        assert!(opaque.no_cors);
    }

    #[test]
    fn chat_presets_pointing_straight_at_the_vendor_are_config_errors() {
        for (p, url) in [
            ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc"),
            (
                "feishu",
                "https://open.larksuite.com/open-apis/bot/v2/hook/abc",
            ),
            (
                "dingtalk",
                "https://oapi.dingtalk.com/robot/send?access_token=abc",
            ),
            (
                "wecom",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            ),
        ] {
            let e = backend(json!({"preset": p, "url": url}))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("backends[0].url") && e.contains("relay"),
                "{p}: {e}"
            );
            assert!(e.contains("CORS") && e.contains("secret"), "{p}: {e}");
        }
        assert!(
            backend(json!({"preset": "feishu", "url": "https://relay.brand.example/feishu"}))
                .is_ok()
        );
    }

    fn long(report: &Value, message: &str) -> Value {
        with(report, "message", Value::Str(message.into()))
    }

    #[test]
    fn long_messages_are_cut_and_the_trailer_kept() {
        let r = report();
        // Discord: 2000 characters of content (escapes included), contact and due time kept.
        let d = backend(json!({"preset": "discord", "url": "https://d.example/w"})).unwrap();
        let c = parse(&d.body("{}", &long(&r, &"[é]".repeat(3000))).text)["content"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(c.chars().count() <= 2000, "{}", c.chars().count());
        assert!(c.chars().count() > 1900, "{}", c.chars().count());
        assert!(c.contains("…[cut]"), "{c}");
        assert!(c.contains("Contact: a+b@example.com"), "{c}");
        assert!(c.contains("Reply due: 2026-11-23T11:30:00Z"), "{c}");
        assert!(
            c.ends_with("Page: https://acme.example/cars?a=1&b=2"),
            "{c}"
        );
        // WeCom: text content ≤ 2048 bytes (UTF-8), cut on a character boundary.
        let w = backend(json!({"preset": "wecom", "url": "https://relay.example/w"})).unwrap();
        let v = parse(&w.body("{}", &long(&r, &"车门".repeat(2000))).text);
        let content = v["text"]["content"].as_str().unwrap();
        assert!(content.len() <= 2048, "{}", content.len());
        assert!(content.len() > 1900, "{}", content.len());
        assert!(content.contains("…[cut]") && content.contains("Reply due: 2026-11-23T11:30:00Z"));
        // Feishu: the whole request body ≤ 20 KB, quotes (escaped) counted as sent.
        let f = backend(json!({"preset": "feishu", "url": "https://relay.example/f"})).unwrap();
        let body = f.body("{}", &long(&r, &"\"".repeat(30_000))).text;
        assert!(body.len() <= 20_000, "{}", body.len());
        assert!(body.len() > 19_000, "{}", body.len());
        let text = parse(&body)["content"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            text.contains("…[cut]") && text.contains("Contact: a+b@example.com"),
            "{text}"
        );
        // A short message is not touched.
        let short = parse(&w.body("{}", &r).text);
        assert!(!short["text"]["content"].as_str().unwrap().contains("[cut]"));
    }

    fn answer(b: &Backend, status: u16, text: &str, retry_after: Option<Millis>) -> Verdict {
        let json = serde_json::from_str(text)
            .map(from_json)
            .unwrap_or(Value::Null);
        b.classify(status, text, &json, retry_after)
    }

    fn preset(p: &str) -> Backend {
        backend(json!({"preset": p, "url": "https://relay.example/x"})).unwrap()
    }

    fn refused(v: &Verdict, status: u16, words: &[&str]) {
        assert_eq!(v.outcome, Outcome::Permanent(status), "{v:?}");
        let why = v.why.as_deref().unwrap_or("");
        for w in words {
            assert!(why.contains(w), "{w:?} not in {why:?}");
        }
    }

    #[test]
    fn errors_inside_a_200_are_not_deliveries() {
        // Feishu custom bot: `code` 0 is success; anything else is not.
        let f = preset("feishu");
        let ok = r#"{"code":0,"msg":"success","data":{},"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#;
        assert_eq!(
            answer(&f, 200, ok, None).outcome,
            Outcome::Accepted(None, None)
        );
        refused(
            &answer(
                &f,
                200,
                r#"{"code":19024,"msg":"Key Words Not Found"}"#,
                None,
            ),
            REFUSED,
            &["19024", "Key Words Not Found"],
        );
        refused(
            &answer(
                &f,
                200,
                r#"{"code":9499,"msg":"Bad Request","data":{}}"#,
                None,
            ),
            REFUSED,
            &["9499"],
        );
        refused(
            &answer(
                &f,
                200,
                r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#,
                None,
            ),
            REFUSED,
            &["19021"],
        );
        // Its rate limit (100/min, 5/s per bot): later, not never.
        let limited = answer(
            &f,
            200,
            r#"{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}"#,
            None,
        );
        assert_eq!(
            limited.outcome,
            Outcome::Transient(Some(60_000)),
            "{limited:?}"
        );
        assert_eq!(
            answer(
                &f,
                429,
                r#"{"code":99991400,"msg":"request trigger frequency limit"}"#,
                None
            )
            .outcome,
            Outcome::Transient(None)
        );
        assert_eq!(
            answer(
                &f,
                200,
                r#"{"StatusCode":0,"StatusMessage":"success"}"#,
                None
            )
            .outcome,
            Outcome::Accepted(None, None)
        );
        // DingTalk: 20 messages a minute, then 10 minutes blocked.
        let d = preset("dingtalk");
        assert_eq!(
            answer(&d, 200, r#"{"errcode":0,"errmsg":"ok"}"#, None).outcome,
            Outcome::Accepted(None, None)
        );
        let fast = answer(
            &d,
            200,
            r#"{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"9ff0","errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#,
            None,
        );
        assert_eq!(fast.outcome, Outcome::Transient(Some(600_000)), "{fast:?}");
        refused(
            &answer(
                &d,
                200,
                r#"{"errcode":310000,"errmsg":"keywords not in content"}"#,
                None,
            ),
            REFUSED,
            &["310000", "keywords"],
        );
        assert_eq!(
            answer(&d, 200, r#"{"errcode":-1,"errmsg":"系统繁忙"}"#, None).outcome,
            Outcome::Transient(None)
        );
        // WeCom: 45009 (frequency), 40058 (too long), -1 (busy).
        let w = preset("wecom");
        assert_eq!(
            answer(&w, 200, r#"{"errcode":0,"errmsg":"ok"}"#, None).outcome,
            Outcome::Accepted(None, None)
        );
        assert_eq!(
            answer(
                &w,
                200,
                r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
                None
            )
            .outcome,
            Outcome::Transient(Some(60_000))
        );
        refused(
            &answer(
                &w,
                200,
                r#"{"errcode":40058,"errmsg":"content exceed max length 2048"}"#,
                None,
            ),
            REFUSED,
            &["40058"],
        );
        assert_eq!(
            answer(&w, 200, r#"{"errcode":-1,"errmsg":"system busy"}"#, None).outcome,
            Outcome::Transient(None)
        );
        // A relay in between that answers its own 2xx without the vendor's fields: accepted.
        assert_eq!(
            answer(&w, 204, "", None).outcome,
            Outcome::Accepted(None, None)
        );
        // Formspree: JSON `ok`, or refused; its HTML (reCAPTCHA) page is not a delivery.
        let fs = preset("formspree");
        assert_eq!(
            answer(
                &fs,
                200,
                r#"{"next":"https://formspree.io/thanks","ok":true}"#,
                None
            )
            .outcome,
            Outcome::Accepted(None, None)
        );
        refused(
            &answer(
                &fs,
                200,
                "<!DOCTYPE html><html><body><div class=\"g-recaptcha\"></div></body></html>",
                None,
            ),
            REFUSED,
            &["HTML", "reCAPTCHA"],
        );
        refused(
            &answer(
                &fs,
                422,
                r#"{"error":"Validation errors","errors":[{"code":"TYPE_EMAIL","field":"email","message":"should be an email"}]}"#,
                None,
            ),
            422,
            &["422: ", "Validation errors"],
        );
        refused(
            &answer(&fs, 200, r#"{"error":"Form not found"}"#, None),
            REFUSED,
            &["Form not found"],
        );
    }

    #[test]
    fn statuses_and_vendor_bodies_outside_the_200s() {
        // Discord: 204 is success; a 429 waits its `Retry-After` (when the browser can read
        // it; else the usual backoff).
        let d = preset("discord");
        assert_eq!(
            answer(&d, 204, "", None).outcome,
            Outcome::Accepted(None, None)
        );
        let limited =
            r#"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#;
        assert_eq!(
            answer(&d, 429, limited, Some(2000)).outcome,
            Outcome::Transient(Some(2000))
        );
        assert_eq!(
            answer(&d, 429, limited, None).outcome,
            Outcome::Transient(None)
        );
        refused(
            &answer(
                &d,
                400,
                r#"{"content":["Must be 2000 or fewer in length."]}"#,
                None,
            ),
            400,
            &["2000 or fewer"],
        );
        // Slack answers errors as statuses with a short text body.
        let s = preset("slack");
        assert_eq!(
            answer(&s, 200, "ok", None).outcome,
            Outcome::Accepted(None, None)
        );
        refused(&answer(&s, 404, "no_service", None), 404, &["no_service"]);
        refused(
            &answer(&s, 410, "channel_is_archived", None),
            410,
            &["channel_is_archived"],
        );
        assert_eq!(
            answer(&s, 500, "rollup_error", None).outcome,
            Outcome::Transient(None)
        );
        // json: the answer's reference, if sane.
        let j = backend(json!({"url": "https://api.example/r"})).unwrap();
        assert_eq!(
            answer(&j, 201, r#"{"reference":" ACME-1 "}"#, None).outcome,
            Outcome::Accepted(Some("ACME-1".into()), None)
        );
        // ... and the due time it set (the live promise the inbox made), if it is a time.
        assert_eq!(
            answer(
                &j,
                201,
                r#"{"reference":"A","due_at":"2026-11-23T17:30:00.000Z"}"#,
                None
            )
            .outcome,
            Outcome::Accepted(
                Some("A".into()),
                crate::time::parse_iso("2026-11-23T17:30:00Z")
            )
        );
        assert_eq!(
            answer(&j, 201, r#"{"due_at":"soon"}"#, None).outcome,
            Outcome::Accepted(None, None)
        );
        assert_eq!(
            answer(&j, 201, r#"{"reference":"a\u0007b"}"#, None).outcome,
            Outcome::Accepted(None, None)
        );
        assert_eq!(
            answer(
                &j,
                201,
                &format!("{{\"reference\":\"{}\"}}", "x".repeat(65)),
                None
            )
            .outcome,
            Outcome::Accepted(None, None)
        );
        assert_eq!(
            answer(&j, 200, "", None).outcome,
            Outcome::Accepted(None, None)
        );
        assert_eq!(
            answer(&j, 503, "", Some(5000)).outcome,
            Outcome::Transient(Some(5000))
        );
        assert_eq!(answer(&j, 409, "", None).outcome, Outcome::Transient(None));
        // Templates and forms: the status alone.
        let t = backend(json!({"type": "form", "url": "/f"})).unwrap();
        assert_eq!(
            answer(&t, 200, r#"{"errcode":1}"#, None).outcome,
            Outcome::Accepted(None, None)
        );
    }

    #[test]
    fn simple_requests_stay_simple_and_no_cors_never_hides_a_json_refusal() {
        let err = |v: serde_json::Value| backend(v).unwrap_err().to_string();
        // A form or preset backend is a CORS simple request: no headers that would need a
        // preflight (which Google Apps Script and webhooks do not answer).
        assert!(
            err(json!({"type": "form", "url": "/f", "headers": {"X-Brand": "a"}}))
                .contains("preflight")
        );
        assert!(
            err(json!({"preset": "slack", "url": "/h", "headers": {"X-Brand": "a"}}))
                .contains("preflight")
        );
        // Content-Type comes from the type, never from `headers`.
        assert!(
            err(json!({"url": "/r", "headers": {"content-type": "text/plain"}}))
                .contains("Content-Type")
        );
        // no_cors with a JSON body: the browser would drop its type and key, and a 400
        // would look delivered.
        assert!(err(json!({"url": "/r", "no_cors": true})).contains("no_cors"));
        assert!(err(json!({"type": "template", "url": "/t", "template": "{\"m\": \"{{message}}\"}", "no_cors": true})).contains("no_cors"));
        // Still fine: a text/plain template (a simple request) and a preset without headers.
        assert!(backend(json!({"type": "template", "url": "/t", "content_type": "text/plain", "template": "{{message}}", "no_cors": true})).is_ok());
        assert!(backend(json!({"preset": "slack", "url": "/h", "no_cors": true})).is_ok());
    }

    #[test]
    fn request_headers_per_backend() {
        let r = report();
        let names = |b: &Backend| -> Vec<(String, String)> {
            let body = b.body("{}", &r);
            let mut h = Vec::new();
            b.request_headers(&body, "6f1c", |k, v| h.push((k.to_string(), v.to_string())));
            h
        };
        let fs = preset("formspree");
        assert_eq!(
            names(&fs),
            vec![
                (
                    "Content-Type".to_string(),
                    "application/x-www-form-urlencoded".to_string()
                ),
                ("Accept".to_string(), "application/json".to_string()),
            ]
        );
        let j = backend(json!({"url": "/r", "headers": {"X-Brand": "acme"}})).unwrap();
        assert_eq!(
            names(&j),
            vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("X-Brand".to_string(), "acme".to_string()),
                ("Idempotency-Key".to_string(), "6f1c".to_string()),
            ]
        );
        assert_eq!(
            names(&preset("slack")).len(),
            1,
            "a simple request: Content-Type only"
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
        assert!(err(
            json!({"preset": "slack", "url": "/h", "no_cors": true, "headers": {"X": "1"}})
        )
        .contains("no_cors"));
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

//! The relay's configuration, from the environment (secrets never reach a page):
//!
//! | variable | meaning |
//! |---|---|
//! | `INBOX_CHANNELS` | comma-separated channel names, e.g. `team,oncall,mail` |
//! | `INBOX_CHANNEL_<NAME>` | `<type> <url>` — type `slack`, `discord`, `feishu` (or `lark`), `dingtalk`, `wecom`, `teams`, `webhook` — or `email <address>` |
//! | `INBOX_CHANNEL_<NAME>_SECRET` | Feishu/Lark and DingTalk signing secret (signed mode), the generic webhook's HMAC key |
//! | `INBOX_CHANNEL_<NAME>_PER_MIN` | messages a minute at most (default: the vendor's limit, see [`Kind::default_per_min`]); more are merged into one |
//! | `INBOX_CHANNEL_<NAME>_ON` | `new` (default: every new report) or `escalation` (only what `INBOX_ESCALATE` sends it) |
//! | `INBOX_CHANNEL_<NAME>_TEXT` | the summary template (placeholders of [`super::channel::PLACEHOLDERS`], `\n` for a line break); default [`super::channel::TEXT`] |
//! | `INBOX_SMTP_URL` | `smtp://host:25` (plain, local only), `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://user:pass@host:465` (TLS) |
//! | `INBOX_MAIL_FROM` | the sender, e.g. `Acme support <support@acme.example>` |
//! | `INBOX_VISITOR_MAIL` | `1` (default when SMTP is set): acknowledge to and forward replies to a visitor who left an email; `0` off |
//! | `INBOX_ESCALATE` | rules, see [`crate::notify::escalation`] |
//! | `INBOX_TEAM_TIME_ZONE` | IANA zone the team reads due times in (default: the promise's business-hours zone, else UTC) |
//! | `INBOX_NOTIFY_LEASE_SECS` | how long a worker holds a notification it is sending before another may take it over (default 60) |
use super::escalation::Rule;

/// A channel's vendor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Slack incoming webhook.
    Slack,
    /// Discord webhook.
    Discord,
    /// Feishu / Lark custom bot (signed when a secret is set).
    Feishu,
    /// DingTalk custom robot (signed when a secret is set).
    DingTalk,
    /// WeCom group robot.
    WeCom,
    /// Microsoft Teams Workflows webhook (Adaptive Card).
    Teams,
    /// Any HTTPS endpoint: the notification as JSON, HMAC-SHA256 signed.
    Webhook,
    /// Mail to a team address over SMTP.
    Email,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "slack" => Kind::Slack,
            "discord" => Kind::Discord,
            "feishu" | "lark" => Kind::Feishu,
            "dingtalk" => Kind::DingTalk,
            "wecom" => Kind::WeCom,
            "teams" => Kind::Teams,
            "webhook" => Kind::Webhook,
            "email" => Kind::Email,
            _ => return None,
        })
    }

    /// The name as configured.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Slack => "slack",
            Kind::Discord => "discord",
            Kind::Feishu => "feishu",
            Kind::DingTalk => "dingtalk",
            Kind::WeCom => "wecom",
            Kind::Teams => "teams",
            Kind::Webhook => "webhook",
            Kind::Email => "email",
        }
    }

    /// Messages a minute the vendor allows one webhook (kept under): DingTalk and WeCom
    /// 20, Feishu 100 (and 5 a second), Slack about 1 a second, Discord 30, Teams
    /// Workflows 60 (Power Automate throttles far above that), mail 60, a generic
    /// webhook 600.
    pub fn default_per_min(self) -> u32 {
        match self {
            Kind::DingTalk | Kind::WeCom => 20,
            Kind::Feishu => 100,
            Kind::Discord => 30,
            Kind::Slack | Kind::Teams | Kind::Email => 60,
            Kind::Webhook => 600,
        }
    }
}

impl Kind {
    /// Messages a second the vendor allows, where it has such a limit: Feishu 5, Discord
    /// 5 in 2 s (so 2), Slack 1.
    pub fn per_sec(self) -> Option<u32> {
        match self {
            Kind::Feishu => Some(5),
            Kind::Discord => Some(2),
            Kind::Slack => Some(1),
            _ => None,
        }
    }
}

/// One configured channel.
#[derive(Clone, Debug)]
pub struct Channel {
    /// Its name (lower case): what escalation rules and the queue call it.
    pub name: String,
    /// Vendor.
    pub kind: Kind,
    /// Webhook URL, or for `email` the team's address.
    pub target: String,
    /// Signing secret.
    pub secret: Option<String>,
    /// Messages a minute at most.
    pub per_min: u32,
    /// Gets every new report (else only escalations).
    pub on_new: bool,
    /// `INBOX_CHANNEL_<NAME>_TEXT`: the summary template instead of
    /// [`super::channel::TEXT`] (e.g. to carry a DingTalk robot's keyword).
    pub text: Option<String>,
}

/// The SMTP server.
#[derive(Clone, Debug)]
pub struct Smtp {
    /// lettre's URL form (`smtp://`, `smtps://`, `?tls=required`).
    pub url: String,
    /// The `From`.
    pub from: String,
}

/// The channel name visitor mail is queued under (reserved).
pub const VISITOR: &str = "visitor";

/// Everything the relay runs with.
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    /// Chat, webhook and team-mail channels.
    pub channels: Vec<Channel>,
    /// Escalation rules.
    pub rules: Vec<Rule>,
    /// SMTP (team mail and visitor mail).
    pub smtp: Option<Smtp>,
    /// Mail the visitor (acknowledgement, replies).
    pub visitor_mail: bool,
    /// The team's zone for due times in chat messages.
    pub team_zone: Option<String>,
    /// A worker's hold on a notification it sends, ms.
    pub lease_ms: i64,
    /// How often the queue is looked at without a wake-up, ms.
    pub poll_ms: u64,
    /// Visitor mail rate, a minute.
    pub visitor_per_min: u32,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            channels: Vec::new(),
            rules: Vec::new(),
            smtp: None,
            visitor_mail: false,
            team_zone: None,
            lease_ms: 60_000,
            poll_ms: 500,
            visitor_per_min: 120,
        }
    }
}

impl NotifyConfig {
    /// Nothing to send: no channels and no visitor mail.
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && !self.visitor_mail
    }

    /// A channel by name.
    pub fn channel(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name == name)
    }

    /// Read the environment through `var` (a clear error naming the variable).
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<NotifyConfig, String> {
        let mut c = NotifyConfig::default();
        for name in var("INBOX_CHANNELS")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
        {
            if name == VISITOR || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(format!(
                    "INBOX_CHANNELS: {name:?} cannot be a channel name (letters, digits, _; not \"visitor\")"
                ));
            }
            if c.channel(&name).is_some() {
                return Err(format!("INBOX_CHANNELS: {name:?} is listed twice"));
            }
            let key = format!("INBOX_CHANNEL_{}", name.to_ascii_uppercase());
            let spec = var(&key)
                .ok_or_else(|| format!("{key} is not set (INBOX_CHANNELS names {name:?})"))?;
            let (kind, target) = spec
                .trim()
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("{key} must be \"<type> <url>\" or \"email <address>\""))?;
            let kind = Kind::parse(kind).ok_or_else(|| {
                format!("{key}: unknown type {kind:?} (slack, discord, feishu, lark, dingtalk, wecom, teams, webhook, email)")
            })?;
            let target = target.trim().to_string();
            if kind == Kind::Email {
                if !reach_us_core::config::mailto_address(&target) {
                    return Err(format!("{key}: {target:?} is not a plain address"));
                }
            } else if !(target.starts_with("https://") || target.starts_with("http://")) {
                return Err(format!(
                    "{key}: the URL must start with https:// (http:// for a local receiver)"
                ));
            }
            let secret = var(&format!("{key}_SECRET"));
            if secret.is_some()
                && matches!(
                    kind,
                    Kind::Slack | Kind::Discord | Kind::WeCom | Kind::Teams | Kind::Email
                )
            {
                return Err(format!(
                    "{key}_SECRET: {} has no signed mode (its URL is the secret)",
                    kind.as_str()
                ));
            }
            if kind == Kind::Webhook && secret.is_none() {
                return Err(format!(
                    "{key}_SECRET is required: the generic webhook is always signed"
                ));
            }
            let per_min = match var(&format!("{key}_PER_MIN")) {
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        format!("{key}_PER_MIN must be a whole number above 0, not {v:?}")
                    })?,
                None => kind.default_per_min(),
            };
            let on_new = match var(&format!("{key}_ON")).as_deref().map(str::trim) {
                None | Some("new") => true,
                Some("escalation") => false,
                Some(v) => return Err(format!("{key}_ON must be new or escalation, not {v:?}")),
            };
            let text = match var(&format!("{key}_TEXT")) {
                Some(t) => {
                    let t = t.replace("\\n", "\n");
                    let mut rest = t.as_str();
                    while let Some((_, after)) = rest.split_once("{{") {
                        let (name, tail) = after
                            .split_once("}}")
                            .ok_or_else(|| format!("{key}_TEXT: an unclosed {{{{"))?;
                        if !super::channel::PLACEHOLDERS.contains(&name.trim()) {
                            return Err(format!(
                                "{key}_TEXT: unknown placeholder {{{{{}}}}} (known: {})",
                                name.trim(),
                                super::channel::PLACEHOLDERS.join(", ")
                            ));
                        }
                        rest = tail;
                    }
                    Some(t)
                }
                None => None,
            };
            c.channels.push(Channel {
                name,
                kind,
                target,
                secret,
                per_min,
                on_new,
                text,
            });
        }
        if let Some(url) = var("INBOX_SMTP_URL") {
            let from =
                var("INBOX_MAIL_FROM").ok_or("INBOX_MAIL_FROM is required with INBOX_SMTP_URL")?;
            if from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(format!("INBOX_MAIL_FROM: {from:?} is not an address"));
            }
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url.trim())
                .map_err(|e| format!("INBOX_SMTP_URL: {e}"))?;
            c.smtp = Some(Smtp {
                url: url.trim().to_string(),
                from,
            });
        }
        if c.channels.iter().any(|ch| ch.kind == Kind::Email) && c.smtp.is_none() {
            return Err("an email channel needs INBOX_SMTP_URL and INBOX_MAIL_FROM".into());
        }
        c.visitor_mail = match var("INBOX_VISITOR_MAIL").as_deref().map(str::trim) {
            Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes") => {
                if c.smtp.is_none() {
                    return Err("INBOX_VISITOR_MAIL needs INBOX_SMTP_URL".into());
                }
                true
            }
            Some(v) => return Err(format!("INBOX_VISITOR_MAIL must be 1 or 0, not {v:?}")),
            None => c.smtp.is_some(),
        };
        if let Some(rules) = var("INBOX_ESCALATE") {
            c.rules =
                super::escalation::parse(&rules).map_err(|e| format!("INBOX_ESCALATE: {e}"))?;
            for r in &c.rules {
                for step in &r.steps {
                    if c.channel(&step.channel).is_none() {
                        return Err(format!(
                            "INBOX_ESCALATE: channel {:?} is not in INBOX_CHANNELS",
                            step.channel
                        ));
                    }
                }
            }
        }
        if let Some(z) = var("INBOX_TEAM_TIME_ZONE") {
            z.trim()
                .parse::<chrono_tz::Tz>()
                .map_err(|_| format!("INBOX_TEAM_TIME_ZONE: unknown zone {z:?}"))?;
            c.team_zone = Some(z.trim().to_string());
        }
        if let Some(v) = var("INBOX_NOTIFY_LEASE_SECS") {
            let s: i64 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=3600).contains(n))
                .ok_or_else(|| format!("INBOX_NOTIFY_LEASE_SECS must be 1–3600, not {v:?}"))?;
            c.lease_ms = s * 1000;
        }
        if let Some(v) = var("INBOX_NOTIFY_POLL_MS") {
            c.poll_ms = v
                .trim()
                .parse()
                .ok()
                .filter(|n| (10..=60_000).contains(n))
                .ok_or_else(|| format!("INBOX_NOTIFY_POLL_MS must be 10–60000, not {v:?}"))?;
        }
        Ok(c)
    }
}

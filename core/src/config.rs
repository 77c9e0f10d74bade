//! The one config schema, read from two sources that merge field by field:
//! the script tag's `data-*` attributes (kebab-case of the JSON names: `data-max-message-chars`
//! is `max_message_chars`) and the richer `ReachUs('init', {...})` object, which wins.
//!
//! [`RawConfig`] is what the brand wrote (every field optional, unknown fields refused);
//! [`Config::from_raw`] validates it into what the widget runs with, or a [`ConfigError`]
//! naming the field.
use crate::defaults;
use crate::error::ConfigError;
use crate::i18n::Msg;
use crate::promise::{PromiseRule, RawPromise};
use crate::value::{self, Value};

/// A text given per locale (`{"en": "Safety", "zh-CN": "安全问题"}`) or once for all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// The same text in every locale.
    Plain(String),
    /// Locale tag → text, in the order given (a small list: no map needed).
    Localized(Vec<(String, String)>),
}

impl Text {
    /// The best text for `locale`: exact tag, then same language, then English, then any.
    pub fn resolve(&self, locale: &str) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Localized(map) => {
                let lang = locale.split('-').next().unwrap_or(locale);
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(locale))
                    .or_else(|| {
                        map.iter().find(|(k, _)| {
                            k.split('-')
                                .next()
                                .is_some_and(|l| l.eq_ignore_ascii_case(lang))
                        })
                    })
                    .or_else(|| map.iter().find(|(k, _)| k.split('-').next() == Some("en")))
                    .or_else(|| map.iter().next())
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            }
        }
    }

    /// Read a text: a string, or an object of locale → string.
    pub fn from_value(field: &str, v: &Value) -> Result<Text, ConfigError> {
        match v {
            Value::Str(s) => Ok(Text::Plain(s.clone())),
            Value::Map(_) => {
                let mut map = Vec::new();
                for (k, t) in value::object(field, v, &[])? {
                    map.push((k.to_string(), value::string(&format!("{field}.{k}"), t)?));
                }
                Ok(Text::Localized(map))
            }
            other => Err(ConfigError::invalid(
                field,
                format!(
                    "must be a string or an object of locale → string, not {}",
                    other.kind()
                ),
            )),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Localized(map) => map.is_empty() || map.iter().any(|(_, v)| v.trim().is_empty()),
        }
    }
}

/// One entry of `categories` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawCategory {
    /// Stable id sent in the report (`[a-z0-9_-]`, 1–40 chars).
    pub id: String,
    /// Shown to the visitor.
    pub label: Text,
    /// This category's own response time and hours (the rest from `promise`).
    pub promise: Option<RawPromise>,
    /// Urgent: a hotline shown at once when the category is chosen.
    pub urgent: Option<RawUrgent>,
    /// Not read from the config: set by [`Config::resolve`] when this category's own
    /// promise could not be backed and was dropped.
    pub promise_dropped: bool,
}

/// `urgent` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawUrgent {
    /// The number to call.
    pub hotline: String,
    /// What to say above it ("Call us now").
    pub text: Option<Text>,
}

/// A validated urgent hotline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Urgent {
    /// Number as shown.
    pub hotline: String,
    /// The `tel:` form (digits and a leading `+`).
    pub tel: String,
    /// Brand text, if any (else the shipped "Call us now").
    pub text: Option<Text>,
}

/// The config exactly as the brand wrote it: every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawConfig {
    /// Where reports are POSTed.
    pub endpoint: Option<String>,
    /// The brand's name: dialog title and reference prefix.
    pub brand: Option<String>,
    /// The response promise.
    pub promise: Option<RawPromise>,
    /// Force a locale instead of negotiating one.
    pub locale: Option<String>,
    /// The category choice.
    pub categories: Option<Vec<RawCategory>>,
    /// Which contact fields to show: `["email", "phone"]`.
    pub contact_fields: Option<Vec<String>>,
    /// Whether at least one contact field must be filled.
    pub require_contact: Option<bool>,
    /// `bottom-right` (default) or `bottom-left`.
    pub position: Option<String>,
    /// Message length limit in characters.
    pub max_message_chars: Option<u32>,
    /// When the loader fetches the widget: `intent` (default) or `idle`.
    pub preload: Option<String>,
    /// `default` (the corner button) or `none` (the page opens the widget itself, with
    /// `data-reach-us-open` elements or `ReachUs('open')`).
    pub launcher: Option<String>,
    /// Horizontal distance of launcher and dialog from the page edge, CSS px.
    pub offset_x: Option<u32>,
    /// Vertical distance from the bottom edge, CSS px (lift it above a fixed bottom bar).
    pub offset_y: Option<u32>,
    /// `z-index` of the launcher and dialog.
    pub z_index: Option<i32>,
    /// Per-brand overrides of any message: `{"launcher": {"en": "Help"}}`.
    pub texts: Option<Vec<(String, Text)>>,
    /// One delivery attempt's timeout, ms.
    pub timeout_ms: Option<u32>,
    /// How long undelivered reports are retried, days.
    pub retention_days: Option<u32>,
    /// Where a visitor can email a report that could not be delivered.
    pub fallback_email: Option<String>,
    /// Brand colour, `#rrggbb`.
    pub color: Option<String>,
    /// `light`, `dark` or `auto` (follows the visitor's system).
    pub theme: Option<String>,
    /// Corner radius of the dialog, CSS px.
    pub radius: Option<u32>,
    /// `system` (a system font stack) or `inherit` (the host page's font).
    pub font: Option<String>,
    /// An incident notice shown at the top of the dialog.
    pub notice: Option<crate::receipts::Notice>,
    /// Where to fetch the notice instead (same JSON shape).
    pub notice_url: Option<String>,
    /// Where reports go, when not (only) to `endpoint`.
    pub backends: Option<Vec<crate::backend::Backend>>,
    /// `all` (each backend must accept) or `first` (fallback order).
    pub deliver: Option<String>,
    /// `path` (default: the page address without query string and fragment, which may
    /// carry tokens) or `full` (as the browser shows it).
    pub page_url: Option<String>,
    /// Photos and files with the report (`attachments`; `data-max-files`).
    pub attachments: crate::attachments::Raw,
}

/// Fields that can be set from a `data-*` attribute (kebab-case in the attribute); besides
/// these, `data-max-files` sets `attachments.max_files`.
pub const ATTRIBUTE_FIELDS: [&str; 21] = [
    "endpoint",
    "brand",
    "promise",
    "locale",
    "contact_fields",
    "require_contact",
    "position",
    "max_message_chars",
    "preload",
    "launcher",
    "offset_x",
    "offset_y",
    "z_index",
    "color",
    "theme",
    "radius",
    "font",
    "timeout_ms",
    "retention_days",
    "fallback_email",
    "page_url",
];

impl RawConfig {
    /// Every JSON field name of the schema (for readers that cannot refuse unknown fields
    /// themselves, such as the browser's object reader).
    pub const FIELDS: [&'static str; 28] = [
        "endpoint",
        "backends",
        "deliver",
        "brand",
        "promise",
        "locale",
        "categories",
        "contact_fields",
        "require_contact",
        "position",
        "max_message_chars",
        "preload",
        "launcher",
        "offset_x",
        "offset_y",
        "z_index",
        "texts",
        "notice",
        "notice_url",
        "color",
        "theme",
        "radius",
        "font",
        "timeout_ms",
        "retention_days",
        "fallback_email",
        "page_url",
        "attachments",
    ];

    /// Read the script tag's `data-*` attributes (names given without `data-`).
    /// Returns the config and the names of attributes it does not know (to warn about:
    /// other tools, such as CDNs, add their own `data-*` attributes to script tags).
    pub fn from_attributes<'a>(
        attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(RawConfig, Vec<String>), ConfigError> {
        let mut raw = RawConfig::default();
        let mut unknown = Vec::new();
        for (name, value) in attrs {
            let field = name.strip_prefix("data-").unwrap_or(name).replace('-', "_");
            let value = value.trim().to_string();
            match field.as_str() {
                "endpoint" => raw.endpoint = Some(value),
                "brand" => raw.brand = Some(value),
                "promise" => {
                    raw.promise = Some(RawPromise {
                        shorthand: true,
                        respond_within: Some(value),
                        ..RawPromise::default()
                    })
                }
                "locale" => raw.locale = Some(value),
                "position" => raw.position = Some(value),
                "preload" => raw.preload = Some(value),
                "launcher" => raw.launcher = Some(value),
                "color" => raw.color = Some(value),
                "fallback_email" => raw.fallback_email = Some(value),
                "page_url" => raw.page_url = Some(value),
                "timeout_ms" | "retention_days" => {
                    let n = value.parse().map_err(|_| {
                        ConfigError::invalid(field.as_str(), "must be a whole number")
                    })?;
                    if field == "timeout_ms" {
                        raw.timeout_ms = Some(n)
                    } else {
                        raw.retention_days = Some(n)
                    }
                }
                "theme" => raw.theme = Some(value),
                "font" => raw.font = Some(value),
                "radius" => {
                    raw.radius = Some(value.strip_suffix("px").unwrap_or(&value).parse().map_err(
                        |_| {
                            ConfigError::invalid(
                                field.as_str(),
                                "must be a whole number of CSS pixels",
                            )
                        },
                    )?)
                }
                "offset_x" | "offset_y" => {
                    let px = value
                        .strip_suffix("px")
                        .unwrap_or(&value)
                        .parse()
                        .map_err(|_| {
                            ConfigError::invalid(
                                field.as_str(),
                                "must be a whole number of CSS pixels, like \"24\"",
                            )
                        })?;
                    if field == "offset_x" {
                        raw.offset_x = Some(px)
                    } else {
                        raw.offset_y = Some(px)
                    }
                }
                "z_index" => {
                    raw.z_index = Some(
                        value
                            .parse()
                            .map_err(|_| ConfigError::invalid(field, "must be a whole number"))?,
                    )
                }
                "contact_fields" => {
                    raw.contact_fields = Some(
                        value
                            .split([',', ' '])
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect(),
                    )
                }
                "require_contact" => {
                    raw.require_contact = Some(match value.as_str() {
                        "" | "true" => true,
                        "false" => false,
                        _ => {
                            return Err(ConfigError::invalid(
                                field,
                                "must be \"true\" or \"false\"",
                            ))
                        }
                    })
                }
                "max_message_chars" => {
                    raw.max_message_chars = Some(value.parse().map_err(|_| {
                        ConfigError::invalid(field, "must be a whole number of characters")
                    })?)
                }
                "max_files" => {
                    raw.attachments.max_files = Some(value.parse().map_err(|_| {
                        ConfigError::invalid(field, "must be a whole number of files")
                    })?)
                }
                _ => unknown.push(format!(
                    "data-{}",
                    name.strip_prefix("data-").unwrap_or(name)
                )),
            }
        }
        Ok((raw, unknown))
    }

    /// Read a `ReachUs('init', {...})` object.
    pub fn from_value(v: &Value) -> Result<RawConfig, ConfigError> {
        let mut raw = RawConfig::default();
        raw.apply(v)?;
        Ok(raw)
    }

    /// Read a `ReachUs('init', {...})` object over this config, field by field: what it
    /// sets wins, `texts` per message key. Where reports go is one setting: `backends`
    /// without `endpoint` replaces an earlier `endpoint` (a `data-endpoint` on the tag),
    /// and `endpoint` without `backends` replaces earlier `backends`.
    /// Unknown fields are refused at every level; on an error, some fields may have been
    /// applied (apply to a copy to keep the old config).
    pub fn apply(&mut self, v: &Value) -> Result<(), ConfigError> {
        let raw = self;
        let (mut endpoint, mut backends) = (false, false);
        for (k, v) in value::object("", v, &RawConfig::FIELDS)? {
            match k {
                "endpoint" => {
                    raw.endpoint = Some(value::string(k, v)?);
                    endpoint = true;
                }
                "brand" => raw.brand = Some(value::string(k, v)?),
                "locale" => raw.locale = Some(value::string(k, v)?),
                "position" => raw.position = Some(value::string(k, v)?),
                "preload" => raw.preload = Some(value::string(k, v)?),
                "launcher" => raw.launcher = Some(value::string(k, v)?),
                "require_contact" => raw.require_contact = Some(value::boolean(k, v)?),
                "max_message_chars" => {
                    raw.max_message_chars =
                        Some(value::integer(k, v, 0, i64::from(u32::MAX))? as u32)
                }
                "offset_x" => {
                    raw.offset_x = Some(value::integer(k, v, 0, i64::from(u32::MAX))? as u32)
                }
                "offset_y" => {
                    raw.offset_y = Some(value::integer(k, v, 0, i64::from(u32::MAX))? as u32)
                }
                "z_index" => {
                    raw.z_index =
                        Some(value::integer(k, v, i64::from(i32::MIN), i64::from(i32::MAX))? as i32)
                }
                "promise" => raw.promise = Some(RawPromise::from_value(k, v)?),
                "notice" => raw.notice = Some(crate::receipts::Notice::from_value(k, v)?),
                "notice_url" => raw.notice_url = Some(value::string(k, v)?),
                "deliver" => raw.deliver = Some(value::string(k, v)?),
                "backends" => {
                    backends = true;
                    raw.backends = Some(
                        value::list(k, v)?
                            .iter()
                            .enumerate()
                            .map(|(i, b)| {
                                crate::backend::Backend::from_value(&format!("backends[{i}]"), b)
                            })
                            .collect::<Result<_, _>>()?,
                    )
                }
                "color" => raw.color = Some(value::string(k, v)?),
                "fallback_email" => raw.fallback_email = Some(value::string(k, v)?),
                "page_url" => raw.page_url = Some(value::string(k, v)?),
                "attachments" => raw.attachments.apply(v)?,
                "timeout_ms" => {
                    raw.timeout_ms = Some(value::integer(k, v, 0, i64::from(u32::MAX))? as u32)
                }
                "retention_days" => {
                    raw.retention_days = Some(value::integer(k, v, 0, i64::from(u32::MAX))? as u32)
                }
                "theme" => raw.theme = Some(value::string(k, v)?),
                "font" => raw.font = Some(value::string(k, v)?),
                "radius" => raw.radius = Some(value::integer(k, v, 0, 64)? as u32),
                "contact_fields" => {
                    raw.contact_fields = Some(
                        value::list(k, v)?
                            .iter()
                            .enumerate()
                            .map(|(i, f)| value::string(&format!("contact_fields[{i}]"), f))
                            .collect::<Result<_, _>>()?,
                    )
                }
                "categories" => {
                    let list = value::list(k, v)?;
                    if list.len() > defaults::MAX_CATEGORIES {
                        return Err(ConfigError::invalid(
                            k,
                            format!("has more than {} categories", defaults::MAX_CATEGORIES),
                        ));
                    }
                    let mut out = Vec::new();
                    for (i, c) in list.iter().enumerate() {
                        let path = format!("categories[{i}]");
                        let (mut id, mut label, mut urgent) = (None, None, None);
                        let mut promise = RawPromise::default();
                        let mut has_promise = false;
                        for (ck, cv) in value::object(
                            &path,
                            c,
                            &["id", "label", "respond_within", "business_hours", "urgent"],
                        )? {
                            let p = format!("{path}.{ck}");
                            match ck {
                                "id" => id = Some(value::string(&p, cv)?),
                                "label" => label = Some(Text::from_value(&p, cv)?),
                                "respond_within" => {
                                    promise.respond_within = Some(value::string(&p, cv)?);
                                    has_promise = true;
                                }
                                "business_hours" => {
                                    promise.business_hours =
                                        Some(crate::promise::RawHours::from_value(&p, cv)?);
                                    has_promise = true;
                                }
                                _ => {
                                    let (mut hotline, mut text) = (None, None);
                                    for (uk, uv) in value::object(&p, cv, &["hotline", "text"])? {
                                        if uk == "hotline" {
                                            hotline =
                                                Some(value::string(&format!("{p}.hotline"), uv)?);
                                        } else {
                                            text =
                                                Some(Text::from_value(&format!("{p}.text"), uv)?);
                                        }
                                    }
                                    let hotline = hotline.ok_or_else(|| {
                                        ConfigError::invalid(p.clone(), "needs a `hotline`")
                                    })?;
                                    urgent = Some(RawUrgent { hotline, text });
                                }
                            }
                        }
                        let id =
                            id.ok_or_else(|| ConfigError::invalid(path.clone(), "needs an `id`"))?;
                        let label =
                            label.ok_or_else(|| ConfigError::invalid(path, "needs a `label`"))?;
                        out.push(RawCategory {
                            id,
                            label,
                            promise: has_promise.then_some(promise),
                            urgent,
                            promise_dropped: false,
                        });
                    }
                    raw.categories = Some(out);
                }
                "texts" => {
                    let map = raw.texts.get_or_insert_with(Vec::new);
                    for (tk, tv) in value::object(k, v, &[])? {
                        let text = Text::from_value(&format!("texts.{tk}"), tv)?;
                        map.retain(|(key, _)| key != tk);
                        map.push((tk.to_string(), text));
                    }
                }
                _ => {}
            }
        }
        if backends && !endpoint {
            raw.endpoint = None;
        }
        if endpoint && !backends {
            raw.backends = None;
        }
        Ok(())
    }
}

/// Where the launcher sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Bottom right corner (default).
    BottomRight,
    /// Bottom left corner.
    BottomLeft,
}

impl Position {
    /// Every position, in the order of [`Position::NAMES`].
    pub const ALL: [Position; 2] = [Position::BottomRight, Position::BottomLeft];
    /// The config values; the first is the default.
    pub const NAMES: [&'static str; 2] = ["bottom-right", "bottom-left"];

    /// The config value, also the widget root's `data-pos` (which the CSS places by).
    pub fn as_str(self) -> &'static str {
        Position::NAMES[self as usize]
    }
}

/// Light, dark, or as the visitor's system prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// `prefers-color-scheme`.
    Auto,
}

impl Theme {
    /// Every theme, in the order of [`Theme::NAMES`].
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::Auto];
    /// The config values; the first is the default.
    pub const NAMES: [&'static str; 3] = ["light", "dark", "auto"];

    /// The config value, also the widget root's `data-theme` (which the CSS themes by).
    pub fn as_str(self) -> &'static str {
        Theme::NAMES[self as usize]
    }
}

/// When the loader fetches the widget's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preload {
    /// On the first sign of intent (pointer, focus, touch, click, API call).
    Intent,
    /// When the browser is idle after load.
    Idle,
}

/// A category's label: a built-in message or the brand's own text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    /// One of the shipped, translated labels.
    Builtin(Msg),
    /// The brand's text.
    Custom(Text),
}

/// A validated category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Sent in the report.
    pub id: String,
    /// Shown to the visitor.
    pub label: Label,
    /// This category's promise when it differs from the brand's.
    pub promise: Option<PromiseRule>,
    /// Its own promise was given but cannot be backed (bad duration or hours, unknown
    /// time zone): it promises nothing. Not the brand's promise instead, which may be
    /// shorter than what the brand meant for this category.
    pub promise_dropped: bool,
    /// Urgent hotline, shown at once.
    pub urgent: Option<Urgent>,
}

/// Which contact fields the form shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactFields {
    /// Show the email field.
    pub email: bool,
    /// Show the phone field.
    pub phone: bool,
}

/// The validated configuration the widget runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where reports go (at least one; the default is one `json` backend at `endpoint`).
    pub backends: Vec<crate::backend::Backend>,
    /// How several backends are used.
    pub deliver: crate::backend::Deliver,
    /// Brand name, if given.
    pub brand: Option<String>,
    /// The promise, if the brand makes one. None means the widget promises nothing.
    pub promise: Option<PromiseRule>,
    /// A forced locale, if any.
    pub locale: Option<String>,
    /// At least one category.
    pub categories: Vec<Category>,
    /// Contact fields shown.
    pub contact_fields: ContactFields,
    /// At least one contact field must be filled.
    pub require_contact: bool,
    /// Launcher corner.
    pub position: Position,
    /// Message limit in characters.
    pub max_message_chars: u32,
    /// Loading strategy.
    pub preload: Preload,
    /// Whether the widget draws its corner launcher.
    pub launcher: bool,
    /// Launcher and dialog distance from the side edge, px.
    pub offset_x: u32,
    /// Launcher distance from the bottom edge, px.
    pub offset_y: u32,
    /// Stacking order.
    pub z_index: i32,
    /// Message overrides, keys checked.
    pub texts: Vec<(String, Text)>,
    /// One delivery attempt's timeout, ms.
    pub timeout_ms: u32,
    /// How long undelivered reports are retried, days.
    pub retention_days: u32,
    /// Fallback address for undeliverable reports.
    pub fallback_email: Option<String>,
    /// Brand colour.
    pub color: crate::theme::Rgb,
    /// Colour scheme.
    pub theme: Theme,
    /// Dialog corner radius, px.
    pub radius: u32,
    /// Use the host page's font.
    pub font_inherit: bool,
    /// Incident notice.
    pub notice: Option<crate::receipts::Notice>,
    /// Where to fetch the notice.
    pub notice_url: Option<String>,
    /// Send the page address with its query string and fragment (`page_url: "full"`).
    pub page_url_full: bool,
    /// What may be attached, and how images are re-encoded.
    pub attachments: crate::attachments::Policy,
}

/// Which of `options` a keyword field names, as an index (0, the default, when the field
/// is left out); any other word is an error that lists the options:
/// `is "x": use "a", "b" or "c"`.
pub(crate) fn keyword(
    field: &'static str,
    value: Option<&str>,
    options: &[&str],
) -> Result<usize, ConfigError> {
    let Some(v) = value else { return Ok(0) };
    if let Some(i) = options.iter().position(|o| *o == v) {
        return Ok(i);
    }
    let mut problem = format!("is \"{v}\": use ");
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            problem.push_str(if i + 1 == options.len() { " or " } else { ", " });
        }
        problem.push('"');
        problem.push_str(o);
        problem.push('"');
    }
    Err(ConfigError::invalid(field, problem))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `categories[3].respond_within` / `.business_hours…` → 3.
fn category_promise_field(field: &str) -> Option<usize> {
    let rest = field.strip_prefix("categories[")?;
    let (i, tail) = rest.split_once(']')?;
    (tail.starts_with(".respond_within") || tail.starts_with(".business_hours"))
        .then(|| i.parse().ok())
        .flatten()
}

/// An http(s) URL whose host is written plainly, or a same-origin path. Strict on
/// purpose: what passes goes to the origin it names, however the browser's URL parser
/// reads it. So no backslash anywhere (the parser reads `/\host` as `//host`: another
/// host), no whitespace or control characters (tabs and newlines are dropped by the
/// parser, `/<tab>/host` is `//host` again), no `//` scheme-relative path, and an
/// authority of host (letters, digits, `-`, `.`, or a bracketed IPv6 address) and an
/// optional port only: no `user@`, no percent-escapes.
pub fn valid_endpoint(url: &str) -> bool {
    if url
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return url.starts_with('/') && !url.starts_with("//");
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (authority, None),
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => {
            v6.len() > 1
                && v6.ends_with(']')
                && v6[..v6.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
        None => {
            !host.is_empty()
                && !host.starts_with(['.', '-'])
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii())
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// An address to put after `mailto:` as it is: `local@domain.tld` with a local part of
/// letters, digits and `. _ + -` (no `?`, `&`, `%`, `:` or `/`, which would add headers
/// or recipients to the link or make it another scheme) and a domain of dot-separated
/// labels of letters, digits and `-`. Stricter than RFC 5322 on purpose: the brand writes
/// this one address once.
pub fn mailto_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    // (Split, not `contains("..")`: no substring searcher in the wasm.)
    if local.len() > 64
        || domain.len() > 253
        || !local.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
        })
    {
        return false;
    }
    let (mut labels, mut tld) = (0, false);
    for l in domain.split('.') {
        if l.is_empty()
            || l.len() > 63
            || l.starts_with('-')
            || l.ends_with('-')
            || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return false;
        }
        labels += 1;
        tld = l.bytes().all(|b| b.is_ascii_alphabetic()) || l.starts_with("xn--");
    }
    labels >= 2 && tld
}

impl Config {
    /// The promise that applies to a category: its own, else the brand's; none when its
    /// own was dropped.
    pub fn rule_for(&self, category: &str) -> Option<&PromiseRule> {
        match self.categories.iter().find(|c| c.id == category) {
            Some(c) if c.promise_dropped => None,
            Some(c) => c.promise.as_ref().or(self.promise.as_ref()),
            None => self.promise.as_ref(),
        }
    }

    /// The IANA time zones the promises count business hours in (each once).
    pub fn zones(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let rules = self.promise.iter().chain(self.categories.iter().filter_map(|c| c.promise.as_ref()));
        for tz in rules.filter_map(|r| r.time_zone.as_ref()) {
            if !out.contains(tz) {
                out.push(tz.clone());
            }
        }
        out
    }

    /// Validate, but let a bad promise cost only the promise: the widget then runs and
    /// promises nothing (rather than something wrong, or nothing at all). Returns the
    /// config and the promise errors to report.
    /// One pass over the config (linear in its size): a promise error is collected, the
    /// rest of the config still validated, and the first other error ends it.
    pub fn resolve(raw: RawConfig) -> Result<(Config, Vec<ConfigError>), ConfigError> {
        let mut dropped = Vec::new();
        let c = Config::validate(raw, Some(&mut dropped))?;
        Ok((c, dropped))
    }

    /// Validate what the brand wrote; a promise that cannot be backed is an error too.
    pub fn from_raw(raw: RawConfig) -> Result<Config, ConfigError> {
        Config::validate(raw, None)
    }

    fn validate(
        raw: RawConfig,
        mut dropped: Option<&mut Vec<ConfigError>>,
    ) -> Result<Config, ConfigError> {
        // A promise error: kept to report (and the promise left out) when resolving.
        let mut drop = |e: ConfigError| match dropped.as_deref_mut() {
            Some(list) => {
                list.push(e);
                Ok(())
            }
            None => Err(e),
        };
        let backends = match (raw.endpoint, raw.backends) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::invalid(
                    "endpoint",
                    "and `backends` are both given: put the endpoint in `backends` as {\"url\": …}",
                ))
            }
            (None, Some(b)) if b.is_empty() => {
                return Err(ConfigError::invalid(
                    "backends",
                    "is empty: give at least one backend",
                ))
            }
            (None, Some(b)) if b.len() > 8 => {
                return Err(ConfigError::invalid("backends", "has more than 8 backends"))
            }
            (None, Some(b)) => b,
            (None, None) => return Err(ConfigError::Missing { field: "endpoint" }),
            (Some(endpoint), None) => {
                if !valid_endpoint(&endpoint) {
                    return Err(ConfigError::invalid(
                        "endpoint",
                        format!("must be an http(s) URL or a path starting with \"/\", not \"{endpoint}\""),
                    ));
                }
                vec![crate::backend::Backend::json(&endpoint)]
            }
        };
        let deliver = crate::backend::deliver_from(raw.deliver.as_deref())?;
        let brand = match raw.brand.map(|b| b.trim().to_string()) {
            Some(b) if b.chars().count() > defaults::MAX_BRAND_CHARS => {
                return Err(ConfigError::invalid(
                    "brand",
                    format!("is longer than {} characters", defaults::MAX_BRAND_CHARS),
                ))
            }
            Some(b) if b.is_empty() => None,
            other => other,
        };
        // Set when the brand's promise was written but dropped as invalid.
        let mut brand_dropped = false;
        let promise = match raw.promise {
            None => None,
            Some(p) => match PromiseRule::from_raw("promise", p, None) {
                Ok(r) => Some(r),
                Err(e) if e.field().is_some_and(|f| f.starts_with("promise")) => {
                    drop(e)?;
                    brand_dropped = true;
                    None
                }
                Err(e) => return Err(e),
            },
        };
        let categories = match raw.categories {
            None => [
                ("problem", Msg::CatProblem),
                ("question", Msg::CatQuestion),
                ("order", Msg::CatOrder),
                ("other", Msg::CatOther),
            ]
            .into_iter()
            .map(|(id, m)| Category {
                id: id.into(),
                label: Label::Builtin(m),
                promise: None,
                promise_dropped: false,
                urgent: None,
            })
            .collect(),
            Some(list) => {
                if list.is_empty() {
                    return Err(ConfigError::invalid(
                        "categories",
                        "is empty: give at least one category or leave it out",
                    ));
                }
                let mut out: Vec<Category> = Vec::with_capacity(list.len());
                for (i, c) in list.into_iter().enumerate() {
                    if !valid_id(&c.id) {
                        return Err(ConfigError::invalid(
                            format!("categories[{i}].id"),
                            format!("\"{}\" must be 1–40 characters of a-z, 0-9, _ or -", c.id),
                        ));
                    }
                    if out.iter().any(|o| o.id == c.id) {
                        return Err(ConfigError::invalid(
                            format!("categories[{i}].id"),
                            format!("\"{}\" is used twice", c.id),
                        ));
                    }
                    if c.label.is_blank() {
                        return Err(ConfigError::invalid(
                            format!("categories[{i}].label"),
                            "is empty",
                        ));
                    }
                    let mut promise_dropped = c.promise_dropped;
                    let cpromise = match c.promise {
                        // It would take its hours from the brand's dropped promise and count
                        // around the clock instead ("4 h of business hours" read as "4 h"):
                        // it promises nothing either (the brand's error already says why).
                        Some(p) if brand_dropped && p.business_hours.is_none() => {
                            promise_dropped = true;
                            None
                        }
                        Some(p) => {
                            match PromiseRule::from_raw(
                                &format!("categories[{i}]"),
                                p,
                                promise.as_ref(),
                            ) {
                                Ok(r) => Some(r),
                                Err(e) if e.field().and_then(category_promise_field) == Some(i) => {
                                    drop(e)?;
                                    promise_dropped = true;
                                    None
                                }
                                Err(e) => return Err(e),
                            }
                        }
                        None => None,
                    };
                    let urgent = match c.urgent {
                        Some(u) => {
                            if !crate::form::plausible_phone(u.hotline.trim()) {
                                return Err(ConfigError::invalid(
                                    format!("categories[{i}].urgent.hotline"),
                                    format!("\"{}\" is not a phone number", u.hotline),
                                ));
                            }
                            let tel: String = u
                                .hotline
                                .trim()
                                .chars()
                                .filter(|ch| ch.is_ascii_digit() || *ch == '+')
                                .collect();
                            Some(Urgent {
                                hotline: u.hotline.trim().to_string(),
                                tel,
                                text: u.text,
                            })
                        }
                        None => None,
                    };
                    out.push(Category {
                        id: c.id,
                        label: Label::Custom(c.label),
                        promise: cpromise,
                        promise_dropped,
                        urgent,
                    });
                }
                out
            }
        };
        let contact_fields = match raw.contact_fields {
            None => ContactFields {
                email: true,
                phone: true,
            },
            Some(list) => {
                let mut cf = ContactFields {
                    email: false,
                    phone: false,
                };
                for f in &list {
                    match f.as_str() {
                        "email" => cf.email = true,
                        "phone" => cf.phone = true,
                        other => {
                            return Err(ConfigError::invalid(
                                "contact_fields",
                                format!("has \"{other}\": only \"email\" and \"phone\" are known"),
                            ))
                        }
                    }
                }
                cf
            }
        };
        let require_contact = raw.require_contact.unwrap_or(true);
        if require_contact && !contact_fields.email && !contact_fields.phone {
            return Err(ConfigError::invalid(
                "contact_fields",
                "is empty while require_contact is true: show email or phone, or set require_contact to false",
            ));
        }
        let position =
            Position::ALL[keyword("position", raw.position.as_deref(), &Position::NAMES)?];
        let max_message_chars = raw.max_message_chars.unwrap_or(defaults::MAX_MESSAGE_CHARS);
        if max_message_chars == 0 || max_message_chars > defaults::MAX_MESSAGE_CHARS_CEILING {
            return Err(ConfigError::invalid(
                "max_message_chars",
                format!(
                    "must be between 1 and {}",
                    defaults::MAX_MESSAGE_CHARS_CEILING
                ),
            ));
        }
        let preload = [Preload::Intent, Preload::Idle]
            [keyword("preload", raw.preload.as_deref(), &["intent", "idle"])?];
        let launcher = keyword("launcher", raw.launcher.as_deref(), &["default", "none"])? == 0;
        let offset_x = raw.offset_x.unwrap_or(defaults::OFFSET_PX);
        let offset_y = raw.offset_y.unwrap_or(defaults::OFFSET_PX);
        for (field, v) in [("offset_x", offset_x), ("offset_y", offset_y)] {
            if v > defaults::MAX_OFFSET_PX {
                return Err(ConfigError::invalid(
                    field,
                    format!("must be at most {} px", defaults::MAX_OFFSET_PX),
                ));
            }
        }
        let z_index = raw.z_index.unwrap_or(defaults::Z_INDEX);
        let texts = raw.texts.unwrap_or_default();
        let color = match raw.color.as_deref() {
            None => crate::theme::Rgb::parse(defaults::COLOR)
                .ok_or_else(|| ConfigError::invalid("color", "default is broken"))?,
            Some(c) => crate::theme::Rgb::parse(c).ok_or_else(|| {
                ConfigError::invalid(
                    "color",
                    format!("\"{c}\" is not a colour: write \"#rrggbb\" or \"#rgb\""),
                )
            })?,
        };
        let theme = Theme::ALL[keyword("theme", raw.theme.as_deref(), &Theme::NAMES)?];
        let timeout_ms = raw.timeout_ms.unwrap_or(defaults::SEND_TIMEOUT_MS);
        if !(1_000..=120_000).contains(&timeout_ms) {
            return Err(ConfigError::invalid(
                "timeout_ms",
                "must be between 1000 and 120000",
            ));
        }
        let retention_days = raw.retention_days.unwrap_or(defaults::RETENTION_DAYS);
        if !(1..=30).contains(&retention_days) {
            return Err(ConfigError::invalid(
                "retention_days",
                "must be between 1 and 30",
            ));
        }
        let fallback_email = match raw.fallback_email.map(|e| e.trim().to_string()) {
            Some(e) if !mailto_address(&e) => {
                return Err(ConfigError::invalid(
                    "fallback_email",
                    format!("\"{e}\" is not an email address"),
                ))
            }
            other => other,
        };
        let radius = raw.radius.unwrap_or(defaults::RADIUS_PX);
        if radius > 64 {
            return Err(ConfigError::invalid("radius", "must be at most 64 px"));
        }
        let font_inherit = keyword("font", raw.font.as_deref(), &["system", "inherit"])? == 1;
        let notice_url = match raw.notice_url {
            Some(u) if !valid_endpoint(&u) => {
                return Err(ConfigError::invalid(
                    "notice_url",
                    format!("must be an http(s) URL or a path starting with \"/\", not \"{u}\""),
                ))
            }
            other => other,
        };
        for (key, text) in &texts {
            if !Msg::ALL.iter().any(|m| m.key() == key) {
                return Err(ConfigError::invalid(
                    format!("texts.{key}"),
                    "is not a known message key (see the README's list)",
                ));
            }
            if text.is_blank() {
                return Err(ConfigError::invalid(format!("texts.{key}"), "is empty"));
            }
        }
        let locale = raw
            .locale
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty());
        Ok(Config {
            backends,
            deliver,
            brand,
            promise,
            locale,
            categories,
            contact_fields,
            require_contact,
            position,
            max_message_chars,
            preload,
            launcher,
            offset_x,
            offset_y,
            z_index,
            texts,
            timeout_ms,
            retention_days,
            fallback_email,
            color,
            theme,
            radius,
            font_inherit,
            notice: raw.notice,
            notice_url,
            page_url_full: keyword("page_url", raw.page_url.as_deref(), &["path", "full"])? == 1,
            attachments: raw.attachments.resolve()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let (raw, _) = RawConfig::from_attributes(pairs.iter().copied())?;
        Config::from_raw(raw)
    }

    fn value(text: &str) -> Value {
        crate::value::from_json(serde_json::from_str(text).expect("test JSON"))
    }

    fn raw_json(text: &str) -> Result<RawConfig, ConfigError> {
        RawConfig::from_value(&value(text))
    }

    fn json(text: &str) -> Result<Config, ConfigError> {
        Config::from_raw(raw_json(text)?)
    }

    #[test]
    fn the_one_tag_example_gives_a_working_config() {
        let c = attrs(&[
            ("endpoint", "https://api.brand.example/reach-us"),
            ("brand", "Acme"),
            ("promise", "2h"),
        ])
        .unwrap();
        assert_eq!(
            c.backends,
            vec![crate::backend::Backend::json(
                "https://api.brand.example/reach-us"
            )]
        );
        assert_eq!(c.brand.as_deref(), Some("Acme"));
        let p = c.promise.expect("promise");
        assert_eq!(
            (p.respond_within.as_str(), p.minutes, p.business()),
            ("2h", 120, false)
        );
        assert_eq!(c.categories.len(), 4);
        assert!(c.require_contact);
        assert_eq!(
            c.contact_fields,
            ContactFields {
                email: true,
                phone: true
            }
        );
        assert_eq!(c.position, Position::BottomRight);
        assert_eq!(c.max_message_chars, defaults::MAX_MESSAGE_CHARS);
        assert_eq!(c.preload, Preload::Intent);
        assert!(c.launcher);
        assert_eq!(
            (c.offset_x, c.offset_y, c.z_index),
            (defaults::OFFSET_PX, defaults::OFFSET_PX, defaults::Z_INDEX)
        );
    }

    #[test]
    fn the_issue_example_config_is_accepted() {
        let c = json(r#"{"endpoint": "/r",
            "promise": {"respond_within": "2h",
                        "business_hours": {"time_zone": "Asia/Shanghai", "mon-fri": "09:00-18:00", "sat": "10:00-16:00"},
                        "holidays": ["2026-10-01", "2026-10-02"],
                        "status_url": "https://api.brand.example/reach-us/{id}",
                        "track_record_url": "https://api.brand.example/reach-us/track-record"},
            "categories": [
              {"id": "safety", "label": {"en": "Safety problem", "zh-CN": "安全问题"},
               "respond_within": "15m", "business_hours": "24/7",
               "urgent": {"hotline": "+86 400 000 0000", "text": {"en": "Call us now"}}},
              {"id": "order", "label": {"en": "Order or delivery"}, "respond_within": "4h"}]}"#).unwrap();
        let p = c.promise.as_ref().unwrap();
        assert!(p.business());
        assert_eq!(p.time_zone.as_deref(), Some("Asia/Shanghai"));
        assert_eq!(c.zones(), ["Asia/Shanghai"], "each zone once");
        assert_eq!(p.hours.holidays.len(), 2);
        let safety = &c.categories[0];
        let sp = safety.promise.as_ref().unwrap();
        assert_eq!((sp.minutes, sp.business()), (15, false));
        assert_eq!(safety.urgent.as_ref().unwrap().tel, "+864000000000");
        let order = c.categories[1].promise.as_ref().unwrap();
        // 4h of the brand's business hours, holidays inherited.
        assert_eq!(
            (order.minutes, order.business(), order.hours.holidays.len()),
            (240, true, 2)
        );
        assert_eq!(order.status_url, p.status_url);
    }

    #[test]
    fn a_bad_promise_costs_the_promise_not_the_widget() {
        let (raw, _) =
            RawConfig::from_attributes([("endpoint", "/r"), ("promise", "soon")]).unwrap();
        let (c, dropped) = Config::resolve(raw).unwrap();
        assert!(c.promise.is_none());
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].field(), Some("promise"));
        let raw = raw_json(r#"{"endpoint": "/r", "promise": "2h", "categories": [{"id": "a", "label": "A", "respond_within": "-5m"}, {"id": "b", "label": "B"}]}"#).unwrap();
        let (c, dropped) = Config::resolve(raw).unwrap();
        assert_eq!(dropped[0].field(), Some("categories[0].respond_within"));
        assert_eq!(
            c.rule_for("a").map(|p| p.minutes),
            None,
            "no promise for it: not the brand's, which may be shorter than meant"
        );
        assert_eq!(c.rule_for("b").map(|p| p.minutes), Some(120));
        assert_eq!(c.rule_for("unknown").map(|p| p.minutes), Some(120));
        // The brand's business-hours promise is dropped: a category that sets only its
        // own duration would count it around the clock, so it promises nothing; one with
        // its own hours keeps its promise.
        let raw = raw_json(r#"{"endpoint": "/r",
            "promise": {"respond_within": "2h", "business_hours": {"time_zone": "Europe/Berlin", "mon-fri": "25:00-17:00"}},
            "categories": [{"id": "a", "label": "A", "respond_within": "4h"},
                           {"id": "b", "label": "B", "respond_within": "1h", "business_hours": "24/7"},
                           {"id": "c", "label": "C"}]}"#).unwrap();
        let (c, dropped) = Config::resolve(raw).unwrap();
        assert_eq!(dropped.len(), 1, "{dropped:?}");
        assert_eq!(dropped[0].field(), Some("promise.business_hours"));
        assert!(c.promise.is_none());
        assert_eq!(c.rule_for("a").map(|p| p.minutes), None, "not 4 h around the clock");
        assert_eq!(c.rule_for("b").map(|p| (p.minutes, p.business())), Some((60, false)));
        assert_eq!(c.rule_for("c").map(|p| p.minutes), None);
        // Other errors still stop the widget.
        let (raw, _) = RawConfig::from_attributes([("promise", "2h")]).unwrap();
        assert_eq!(Config::resolve(raw).unwrap_err().field(), Some("endpoint"));
    }

    #[test]
    fn placement_attributes() {
        let c = attrs(&[
            ("endpoint", "/r"),
            ("launcher", "none"),
            ("offset-y", "96px"),
            ("offset-x", "8"),
            ("z-index", "-1"),
        ])
        .unwrap();
        assert!(!c.launcher);
        assert_eq!((c.offset_x, c.offset_y, c.z_index), (8, 96, -1));
    }

    #[test]
    fn keyword_fields_default_to_the_first_word_and_name_every_word_when_wrong() {
        let c = attrs(&[("endpoint", "/r")]).unwrap();
        assert_eq!(
            (c.position, c.preload, c.launcher, c.theme, c.font_inherit),
            (
                Position::BottomRight,
                Preload::Intent,
                true,
                Theme::Light,
                false
            )
        );
        let c = attrs(&[
            ("endpoint", "/r"),
            ("position", "bottom-left"),
            ("preload", "idle"),
            ("launcher", "none"),
            ("theme", "auto"),
            ("font", "inherit"),
        ])
        .unwrap();
        assert_eq!(
            (c.position, c.preload, c.launcher, c.theme, c.font_inherit),
            (
                Position::BottomLeft,
                Preload::Idle,
                false,
                Theme::Auto,
                true
            )
        );
        // The names written to `data-pos` / `data-theme` are the config's own words.
        for p in Position::ALL {
            assert_eq!(
                attrs(&[("endpoint", "/r"), ("position", p.as_str())])
                    .unwrap()
                    .position,
                p
            );
        }
        for t in Theme::ALL {
            assert_eq!(
                attrs(&[("endpoint", "/r"), ("theme", t.as_str())])
                    .unwrap()
                    .theme,
                t
            );
        }
        let err = |name: &str, value: &str| {
            attrs(&[("endpoint", "/r"), (name, value)])
                .unwrap_err()
                .to_string()
        };
        assert!(
            err("theme", "Dark").ends_with(r#"`theme` is "Dark": use "light", "dark" or "auto""#),
            "{}",
            err("theme", "Dark")
        );
        assert!(err("position", "top")
            .ends_with(r#"`position` is "top": use "bottom-right" or "bottom-left""#));
        let deliver = json(r#"{"endpoint": "/r", "deliver": "both"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            deliver.ends_with(r#"`deliver` is "both": use "all" or "first""#),
            "{deliver}"
        );
    }

    #[test]
    fn attribute_names_are_kebab_case_of_json_fields() {
        let (raw, unknown) = RawConfig::from_attributes([
            ("endpoint", "/api"),
            ("max-message-chars", "500"),
            ("require-contact", "false"),
            ("contact-fields", "email"),
            ("cfasync", "false"),
        ])
        .unwrap();
        assert_eq!(unknown, vec!["data-cfasync".to_string()]);
        let c = Config::from_raw(raw).unwrap();
        assert_eq!(c.max_message_chars, 500);
        assert!(!c.require_contact);
        assert_eq!(
            c.contact_fields,
            ContactFields {
                email: true,
                phone: false
            }
        );
        for f in ATTRIBUTE_FIELDS {
            // every attribute field is also a JSON field of the one schema
            let text = format!("{{\"{f}\": null}}");
            assert!(raw_json(&text).is_ok(), "{f} is not a JSON field");
        }
    }

    #[test]
    fn init_object_overrides_attributes_field_by_field() {
        let (mut a, _) =
            RawConfig::from_attributes([("endpoint", "/a"), ("brand", "Acme")]).unwrap();
        a.apply(&value(
            r#"{"endpoint": "https://x.example/r", "promise": {"respond_within": "30m"}}"#,
        ))
        .unwrap();
        let c = Config::from_raw(a.clone()).unwrap();
        assert_eq!(c.backends[0].url, "https://x.example/r");
        assert_eq!(c.brand.as_deref(), Some("Acme"));
        assert_eq!(c.promise.map(|p| p.minutes), Some(30));
        // A later init: `texts` merge per key, `endpoint` replaces `backends` and back.
        a.apply(&value(r#"{"texts": {"launcher": "Help", "send": "Go"}}"#))
            .unwrap();
        a.apply(&value(
            r#"{"texts": {"send": "Send it"}, "backends": [{"url": "/b"}]}"#,
        ))
        .unwrap();
        let c = Config::from_raw(a.clone()).unwrap();
        let texts: Vec<_> = c
            .texts
            .iter()
            .map(|(k, t)| (k.as_str(), t.resolve("en")))
            .collect();
        assert_eq!(texts, [("launcher", "Help"), ("send", "Send it")]);
        assert_eq!(
            (a.endpoint.as_deref(), c.backends[0].url.as_str()),
            (None, "/b")
        );
        a.apply(&value(r#"{"endpoint": "/c"}"#)).unwrap();
        assert_eq!(a.backends, None);
        assert_eq!(Config::from_raw(a).unwrap().backends[0].url, "/c");
    }

    #[test]
    fn backends_replace_the_tag_endpoint_and_are_validated() {
        let (mut a, _) = RawConfig::from_attributes([("endpoint", "/a")]).unwrap();
        a.apply(&value(r#"{"backends": [{"url": "/api/reports"}, {"preset": "slack", "url": "https://hooks.slack.com/services/T/B/x"}, {"type": "callback"}], "deliver": "first"}"#)).unwrap();
        let c = Config::from_raw(a.clone()).unwrap();
        assert_eq!(c.backends.len(), 3);
        assert_eq!(c.backends[0], crate::backend::Backend::json("/api/reports"));
        assert_eq!(c.deliver, crate::backend::Deliver::First);
        let both = raw_json(r#"{"endpoint": "/a", "backends": [{"url": "/b"}]}"#).unwrap();
        assert_eq!(
            Config::from_raw(both).unwrap_err().field(),
            Some("endpoint")
        );
        assert_eq!(
            json(r#"{"backends": []}"#).unwrap_err().field(),
            Some("backends")
        );
        assert_eq!(
            json(r#"{"backends": [{"url": "/b"}], "deliver": "some"}"#)
                .unwrap_err()
                .field(),
            Some("deliver")
        );
        assert_eq!(
            raw_json(r#"{"backends": [{"type": "form"}]}"#)
                .unwrap_err()
                .field(),
            Some("backends[0].url")
        );
    }

    #[test]
    fn a_path_that_is_another_host_is_refused() {
        for bad in [
            "/\\evil.example/reports",
            "/\\\\evil.example",
            "\\\\evil.example/x",
            "/\t/evil.example/x",
            "/\n/evil.example",
            "https:/\\evil.example",
            "https://good.example\\@evil.example/",
            "https://user@evil.example/",
            "https://good.example:443@evil.example/",
            "https://good.example%2F@evil.example",
            "https://evil.example:99999999/",
            "https://:80/",
            "http:evil.example",
        ] {
            assert!(!valid_endpoint(bad), "{bad:?}");
            let cfg = format!(r#"{{"endpoint": {bad:?}}}"#);
            assert_eq!(json(&cfg).unwrap_err().field(), Some("endpoint"), "{bad:?}");
            let (c, dropped) = Config::resolve(
                raw_json(&format!(
                    r#"{{"endpoint": "/r", "promise": {{"respond_within": "1h", "status_url": {bad:?}}}}}"#
                ))
                .unwrap(),
            )
            .unwrap();
            assert!(c.promise.is_none());
            assert_eq!(dropped[0].field(), Some("promise.status_url"));
            let cfg = format!(r#"{{"endpoint": "/r", "notice_url": {bad:?}}}"#);
            assert_eq!(json(&cfg).unwrap_err().field(), Some("notice_url"));
        }
        for good in [
            "/r",
            "/v1/reports?brand=acme#x",
            "/reach-us/{id}",
            "https://api.brand.example/reach-us",
            "http://127.0.0.1:8787/v1/reports",
            "https://[::1]:8080/x",
            "https://bücher.example/r",
        ] {
            assert!(valid_endpoint(good), "{good:?}");
        }
    }

    #[test]
    fn fallback_email_is_one_plain_address() {
        for bad in [
            "javascript:alert(1)//@x.com",
            "data:text/html,hi@x.com",
            "mailto:a@b.com",
            "help?cc=spy%40evil.example&body=x@x.com",
            "help@brand.example?cc=spy@evil.example",
            "a@b@c.example",
            "help@brand",
            "help@brand.example.",
            ".help@brand.example",
            "he..lp@brand.example",
            "help@-brand.example",
            "help@brand..example",
            "help @brand.example",
        ] {
            let cfg = format!(r#"{{"endpoint": "/r", "fallback_email": {bad:?}}}"#);
            assert_eq!(
                json(&cfg).unwrap_err().field(),
                Some("fallback_email"),
                "{bad:?}"
            );
        }
        for good in [
            "help@brand.example",
            "first.last+tag@mail.brand-x.example",
            "a_b-c@xn--bcher-kva.example",
        ] {
            let cfg = format!(r#"{{"endpoint": "/r", "fallback_email": {good:?}}}"#);
            assert_eq!(json(&cfg).unwrap().fallback_email.as_deref(), Some(good));
        }
    }

    #[test]
    fn categories_are_capped_and_validation_is_one_pass() {
        let many = |n: usize, hours: &str| {
            let list: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"id": "c{i}", "label": "C{i}", "respond_within": "1h", "business_hours": {hours}}}"#))
                .collect();
            format!(
                r#"{{"endpoint": "/r", "categories": [{}]}}"#,
                list.join(",")
            )
        };
        let bad_hours = r#"{"time_zone": "UTC", "mon": "25:00-26:00"}"#;
        let start = std::time::Instant::now();
        let err = raw_json(&many(10_000, bad_hours)).unwrap_err();
        assert_eq!(err.field(), Some("categories"));
        assert!(err.to_string().contains("more than 50"), "{err}");
        assert!(
            start.elapsed() < std::time::Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
        // At the cap, every bad promise is dropped in one pass: one error each, in order.
        let (c, dropped) = Config::resolve(raw_json(&many(50, bad_hours)).unwrap()).unwrap();
        assert_eq!(dropped.len(), 50);
        assert_eq!(dropped[49].field(), Some("categories[49].business_hours"));
        assert!(c
            .categories
            .iter()
            .all(|c| c.promise_dropped && c.promise.is_none()));
        assert!(raw_json(&many(50, r#""24/7""#)).is_ok());
    }

    #[test]
    fn page_url_keeps_or_strips_the_query() {
        assert!(!attrs(&[("endpoint", "/r")]).unwrap().page_url_full);
        assert!(
            attrs(&[("endpoint", "/r"), ("page-url", "full")])
                .unwrap()
                .page_url_full
        );
        assert!(
            !json(r#"{"endpoint": "/r", "page_url": "path"}"#)
                .unwrap()
                .page_url_full
        );
        assert_eq!(
            json(r#"{"endpoint": "/r", "page_url": "all"}"#)
                .unwrap_err()
                .field(),
            Some("page_url")
        );
    }

    #[test]
    fn a_function_symbol_or_bigint_is_an_error_naming_the_field() {
        for kind in ["a function", "a symbol", "a BigInt"] {
            for (field, v) in [
                ("brand", Value::Other(kind)),
                (
                    "texts",
                    Value::Map(vec![("launcher".into(), Value::Other(kind))]),
                ),
                ("offset_x", Value::Other(kind)),
            ] {
                let v = Value::Map(vec![
                    ("endpoint".into(), Value::Str("/r".into())),
                    (field.into(), v),
                ]);
                let err = RawConfig::from_value(&v).unwrap_err();
                assert!(err.field().unwrap_or_default().starts_with(field), "{err}");
                assert!(
                    err.to_string().contains(kind.split(' ').nth(1).unwrap()),
                    "{err}"
                );
            }
        }
    }

    #[test]
    fn errors_name_the_field() {
        let cases: Vec<(Result<Config, ConfigError>, &str)> = vec![
            (attrs(&[("brand", "Acme")]), "endpoint"),
            (attrs(&[("endpoint", "javascript:alert(1)")]), "endpoint"),
            (attrs(&[("endpoint", "//evil.example")]), "endpoint"),
            (attrs(&[("endpoint", "/r"), ("promise", "-2h")]), "promise"),
            (attrs(&[("endpoint", "/r"), ("promise", "soon")]), "promise"),
            (
                attrs(&[("endpoint", "/r"), ("max-message-chars", "lots")]),
                "max_message_chars",
            ),
            (
                attrs(&[("endpoint", "/r"), ("max-message-chars", "0")]),
                "max_message_chars",
            ),
            (
                attrs(&[("endpoint", "/r"), ("position", "top")]),
                "position",
            ),
            (attrs(&[("endpoint", "/r"), ("preload", "now")]), "preload"),
            (
                attrs(&[("endpoint", "/r"), ("launcher", "big")]),
                "launcher",
            ),
            (
                attrs(&[("endpoint", "/r"), ("offset-y", "lots")]),
                "offset_y",
            ),
            (
                attrs(&[("endpoint", "/r"), ("offset-x", "9000")]),
                "offset_x",
            ),
            (attrs(&[("endpoint", "/r"), ("z-index", "top")]), "z_index"),
            (
                attrs(&[("endpoint", "/r"), ("require-contact", "yes")]),
                "require_contact",
            ),
            (
                attrs(&[("endpoint", "/r"), ("contact-fields", "fax")]),
                "contact_fields",
            ),
            (
                json(r#"{"endpoint": "/r", "promise": {"respond_within": "25:00"}}"#),
                "promise.respond_within",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "business_hours": {"mon": "09:00-18:00"}}}"#,
                ),
                "promise.business_hours.time_zone",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "business_hours": {"time_zone": "Asia/Shanghai", "mon": "25:00-26:00"}}}"#,
                ),
                "promise.business_hours",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "business_hours": {"time_zone": "UTC", "mon": "09:00-12:00,11:00-13:00"}}}"#,
                ),
                "promise.business_hours",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "business_hours": {"time_zone": "UTC", "mon-sun": "closed"}}}"#,
                ),
                "promise.business_hours",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "holidays": ["2026-13-01"], "business_hours": {"time_zone": "UTC", "mon": "09:00-10:00"}}}"#,
                ),
                "promise.holidays",
            ),
            (
                json(r#"{"endpoint": "/r", "promise": {"respond_within": "-1h"}}"#),
                "promise.respond_within",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "promise": {"respond_within": "1h", "status_url": "javascript:x"}}"#,
                ),
                "promise.status_url",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "categories": [{"id": "a", "label": "A", "respond_within": "soon"}]}"#,
                ),
                "categories[0].respond_within",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "categories": [{"id": "a", "label": "A", "urgent": {"hotline": "call me"}}]}"#,
                ),
                "categories[0].urgent.hotline",
            ),
            (
                json(r#"{"endpoint": "/r", "categories": []}"#),
                "categories",
            ),
            (
                json(r#"{"endpoint": "/r", "categories": [{"id": "Bad Id", "label": "x"}]}"#),
                "categories[0].id",
            ),
            (
                json(
                    r#"{"endpoint": "/r", "categories": [{"id": "a", "label": "x"}, {"id": "a", "label": "y"}]}"#,
                ),
                "categories[1].id",
            ),
            (
                json(r#"{"endpoint": "/r", "categories": [{"id": "a", "label": " "}]}"#),
                "categories[0].label",
            ),
            (
                json(r#"{"endpoint": "/r", "texts": {"lancher": "Help"}}"#),
                "texts.lancher",
            ),
        ];
        for (result, field) in cases {
            let err = result.expect_err(field);
            assert_eq!(err.field(), Some(field), "{err}");
            assert!(err.to_string().contains(field), "{err}");
        }
    }

    #[test]
    fn fields_lists_every_json_field() {
        for f in RawConfig::FIELDS {
            let text = format!("{{\"{f}\": null}}");
            assert!(raw_json(&text).is_ok(), "{f}");
        }
        let all = format!(
            "{{{}}}",
            RawConfig::FIELDS
                .iter()
                .map(|f| format!("\"{f}\": null"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(raw_json(&all).unwrap(), RawConfig::default());
    }

    #[test]
    fn unknown_json_fields_are_refused_with_their_name() {
        let err = json(r#"{"endpoint": "/r", "endpont": "/x"}"#).unwrap_err();
        assert!(err.to_string().contains("`endpont`"), "{err}");
        let err = json(r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "hours": 3}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("`promise.hours`"), "{err}");
        let err =
            json(r#"{"endpoint": "/r", "categories": [{"id": "a", "label": "A", "icon": "x"}]}"#)
                .unwrap_err();
        assert!(err.to_string().contains("`categories[0].icon`"), "{err}");
    }

    #[test]
    fn wrong_types_name_the_field() {
        for (text, field) in [
            (r#"{"endpoint": 5}"#, "`endpoint` must be a string"),
            (
                r#"{"endpoint": "/r", "require_contact": "yes"}"#,
                "`require_contact` must be true or false",
            ),
            (
                r#"{"endpoint": "/r", "max_message_chars": 1.5}"#,
                "`max_message_chars` must be a whole number",
            ),
            (
                r#"{"endpoint": "/r", "categories": {"id": "a"}}"#,
                "`categories` must be an array",
            ),
            (
                r#"{"endpoint": "/r", "categories": [{"label": "A"}]}"#,
                "`categories[0]` needs an `id`",
            ),
            (
                r#"{"endpoint": "/r", "texts": {"launcher": 3}}"#,
                "`texts.launcher` must be a string or an object",
            ),
            (
                r#"{"endpoint": "/r", "promise": {}}"#,
                "`promise.respond_within` is required",
            ),
        ] {
            let err = json(text).unwrap_err().to_string();
            assert!(err.contains(field), "{text}: {err}");
        }
    }

    #[test]
    fn localized_text_resolves_by_tag_then_language_then_english() {
        let t = Text::from_value(
            "label",
            &crate::value::from_json(
                serde_json::json!({"en": "Safety", "zh-CN": "安全问题", "pt-BR": "Segurança"}),
            ),
        )
        .unwrap();
        assert_eq!(t.resolve("zh-CN"), "安全问题");
        assert_eq!(t.resolve("pt-PT"), "Segurança");
        assert_eq!(t.resolve("de"), "Safety");
    }
}

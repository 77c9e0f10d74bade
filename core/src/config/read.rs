//! Reading a config as the brand wrote it: the script tag's `data-*` attributes and the
//! `ReachUs('init', {...})` object, merged field by field into a [`RawConfig`]. Types and
//! shapes are checked here (naming the field); what the values mean is `validate.rs`'s.
use super::*;

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
                "radius" => raw.radius = Some(pixels(&field, &Value::Str(value))?),
                "offset_x" => raw.offset_x = Some(pixels(&field, &Value::Str(value))?),
                "offset_y" => raw.offset_y = Some(pixels(&field, &Value::Str(value))?),
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
                "offset_x" => raw.offset_x = Some(pixels(k, v)?),
                "offset_y" => raw.offset_y = Some(pixels(k, v)?),
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
                "radius" => raw.radius = Some(pixels(k, v)?),
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

/// CSS pixels as a whole number: `24`, or the strings `"24"` and `"24px"` (what a
/// `data-*` attribute holds, and what a brand may copy from it into `init`). The range is
/// the validator's to check.
fn pixels(field: &str, v: &Value) -> Result<u32, ConfigError> {
    match v {
        Value::Str(s) => {
            let n = s.trim();
            n.strip_suffix("px").unwrap_or(n).parse().map_err(|_| {
                ConfigError::invalid(field, "must be a whole number of CSS pixels, like \"24\"")
            })
        }
        _ => value::integer(field, v, 0, i64::from(u32::MAX)).map(|n| n as u32),
    }
}

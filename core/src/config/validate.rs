//! Validating a [`RawConfig`] into the [`Config`] the widget runs with: one pass, every
//! error naming its field; a promise that cannot be backed is dropped (and reported) when
//! resolving, an error otherwise.
use super::*;

/// `categories[3].respond_within` / `.business_hours…` → 3.
fn category_promise_field(field: &str) -> Option<usize> {
    let rest = field.strip_prefix("categories[")?;
    let (i, tail) = rest.split_once(']')?;
    (tail.starts_with(".respond_within") || tail.starts_with(".business_hours"))
        .then(|| i.parse().ok())
        .flatten()
}

impl Config {
    pub(super) fn validate(
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
            (None, Some(b)) if b.len() > defaults::MAX_BACKENDS => {
                return Err(ConfigError::invalid(
                    "backends",
                    format!("has more than {} backends", defaults::MAX_BACKENDS),
                ))
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
                            if !crate::check::plausible_phone(u.hotline.trim()) {
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
        let (lo, hi) = defaults::TIMEOUT_MS_RANGE;
        if !(lo..=hi).contains(&timeout_ms) {
            return Err(ConfigError::invalid(
                "timeout_ms",
                format!("must be between {lo} and {hi}"),
            ));
        }
        let retention_days = raw.retention_days.unwrap_or(defaults::RETENTION_DAYS);
        if !(1..=defaults::MAX_RETENTION_DAYS).contains(&retention_days) {
            return Err(ConfigError::invalid(
                "retention_days",
                format!("must be between 1 and {}", defaults::MAX_RETENTION_DAYS),
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
        if radius > defaults::MAX_RADIUS_PX {
            return Err(ConfigError::invalid(
                "radius",
                format!("must be at most {} px", defaults::MAX_RADIUS_PX),
            ));
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

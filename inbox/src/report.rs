//! Reading a `reach-us/v1` report: what may refuse it and what is only cleaned.
//!
//! Only the visitor's own content can make a report refused (400 naming the field): an
//! empty or over-long message, a malformed contact, and control characters in them (NUL
//! included: PostgreSQL cannot store it, and no person types it). Tabs and line breaks in
//! a message are content. The rest is metadata the widget gathers (page, locale, time zone,
//! client, identified user): it must have the right JSON type, but is never a reason to
//! refuse: control characters are removed, query strings and fragments are stripped from
//! `page.url` and `page.referrer` (unless `INBOX_KEEP_PAGE_QUERY=1`), and over-long values
//! are truncated. The cleaned body is what is stored.
use reach_us_core::defaults::{self, SCHEMA};
use reach_us_core::payload::Report;
use reach_us_core::time::parse_iso;
use serde_json::{Map, Value};

use crate::config::InboxConfig;
use crate::error::AppError;

/// Longest message, characters (the widget's ceiling, from core).
pub const MAX_MESSAGE_CHARS: usize = reach_us_core::defaults::MAX_MESSAGE_CHARS_CEILING as usize;
/// Longest stored `page.url` / `page.referrer`, characters (longer is truncated; the
/// widget's own cut, from core).
pub const MAX_URL_CHARS: usize = reach_us_core::defaults::MAX_PAGE_CHARS;
/// How far before the server's receipt the browser's `created_at` may start the promise
/// clock (clock skew, the time the request took). Anything else starts it at receipt.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60_000;

/// The honeypot: a field no person fills in. A report with it filled is answered as
/// accepted and not stored (`api::post_report`).
pub const HONEYPOT: &str = "website";

/// A checked report: the fields the inbox stores, and the cleaned body.
#[derive(Clone, Debug)]
pub struct Checked {
    /// Id (also the idempotency key).
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Category.
    pub category: String,
    /// Message.
    pub message: String,
    /// Contact email.
    pub email: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Page URL, cleaned.
    pub page_url: Option<String>,
    /// The browser's `created_at`, ms.
    pub created_at: i64,
    /// The body with its metadata cleaned (what is stored).
    pub body: Value,
}

/// When the promise clock starts: at the server's receipt `now`, or at the browser's
/// `claimed` time when that is at most [`MAX_CLOCK_SKEW_MS`] earlier (never later than now).
/// A backdated report cannot arrive already overdue.
pub fn clock_start(claimed: i64, now: i64) -> i64 {
    if claimed <= now && claimed >= now - MAX_CLOCK_SKEW_MS {
        claimed
    } else {
        now
    }
}

/// An id as the widget makes them (8–64 letters, digits and `-`).
pub fn valid_id(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Bidirectional-text controls: they can make text read differently from what it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character a person's message may not contain: controls other than tab and line breaks.
fn bad_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

fn control_message(field: &str, s: &str) -> Option<AppError> {
    s.chars().find(|c| bad_in_text(*c)).map(|c| {
        AppError::report(
            field,
            format!("contains a control character (U+{:04X})", c as u32),
        )
    })
}

/// Metadata: controls and bidi controls removed, at most `max` characters.
fn clean(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(max)
        .collect()
}

/// A URL as metadata: cleaned, its query and fragment dropped unless `keep_query`.
pub fn clean_url(s: &str, keep_query: bool) -> String {
    let s = if keep_query {
        s
    } else {
        s.split(['?', '#']).next().unwrap_or("")
    };
    clean(s, MAX_URL_CHARS)
}

/// An optional sub-object (`null` or absent is fine); its fields must be strings or null.
fn object<'a>(
    map: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a Map<String, Value>>, AppError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(AppError::report(name, "must be an object")),
    }
}

fn string_field<'a>(
    o: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Option<&'a str>, AppError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AppError::report(
            &format!("{parent}.{key}"),
            "must be a string",
        )),
    }
}

/// Check `report`; the first problem names its field.
pub fn check(report: &Value, cfg: &InboxConfig) -> Result<Checked, AppError> {
    let Value::Object(map) = report else {
        return Err(AppError::report("body", "must be a JSON object"));
    };
    // Fields a later version of the schema may add are dropped, not refused: an older
    // inbox must not turn a newer widget's reports away for good.
    let known = |k: &str| Report::FIELDS.contains(&k) || k == HONEYPOT;
    let unknown: Vec<String> = map.keys().filter(|k| !known(k)).cloned().collect();
    let s = |k: &str| map.get(k).and_then(Value::as_str);
    if !matches!(
        map.get("incident"),
        None | Some(Value::Null | Value::String(_))
    ) {
        return Err(AppError::report("incident", "must be a string"));
    }
    if s("schema") != Some(SCHEMA) {
        return Err(AppError::report("schema", format!("must be {SCHEMA:?}")));
    }
    let id = s("id").filter(|i| valid_id(i)).ok_or_else(|| {
        AppError::report("id", "must be 8 to 64 characters of letters, digits and -")
    })?;
    let message = match s("message") {
        Some(m) if m.trim().is_empty() => return Err(AppError::report("message", "is empty")),
        Some(m) if m.chars().count() > MAX_MESSAGE_CHARS => {
            return Err(AppError::report(
                "message",
                format!("is longer than {MAX_MESSAGE_CHARS} characters"),
            ))
        }
        Some(m) => m,
        None => return Err(AppError::report("message", "must be a string")),
    };
    if let Some(e) = control_message("message", message) {
        return Err(e);
    }
    let category = s("category").unwrap_or("");
    if !reach_us_core::check::valid_id(category) {
        return Err(AppError::report(
            "category",
            "must be 1–40 characters of a-z, 0-9, _ or -",
        ));
    }
    // A category the brand's config does not list (renamed since the visitor's page was
    // loaded, or a page with another config) is kept: the brand's own promise applies.
    let created_at = s("created_at")
        .and_then(parse_iso)
        .ok_or_else(|| AppError::report("created_at", "must be an RFC 3339 UTC time"))?;
    let reference = match s("reference") {
        Some(r)
            if !r.is_empty()
                && r.chars().count() <= 64
                && !r.chars().any(|c| c.is_control() || is_bidi_control(c)) =>
        {
            r
        }
        _ => {
            return Err(AppError::report(
                "reference",
                "must be 1–64 printable characters (no control or bidi characters)",
            ))
        }
    };
    // The visitor's contact: refused when wrong.
    let (mut email, mut phone) = (None, None);
    if let Some(contact) = object(map, "contact")? {
        for (key, max, slot) in [
            ("email", defaults::MAX_EMAIL_CHARS, &mut email),
            ("phone", defaults::MAX_PHONE_CHARS, &mut phone),
        ] {
            if let Some(v) = string_field(contact, "contact", key)? {
                let field = format!("contact.{key}");
                if v.chars().count() > max {
                    return Err(AppError::report(
                        &field,
                        format!("must be a string of at most {max} characters"),
                    ));
                }
                if let Some(c) = v.chars().find(|c| c.is_control() || is_bidi_control(*c)) {
                    return Err(AppError::report(
                        &field,
                        format!("contains a control character (U+{:04X})", c as u32),
                    ));
                }
                *slot = Some(v.to_string()).filter(|v| !v.trim().is_empty());
            }
        }
    }
    // Metadata: type-checked, then cleaned.
    let mut body = report.clone();
    if let Value::Object(b) = &mut body {
        for k in &unknown {
            b.remove(k);
        }
    }
    let mut page_url = None;
    if let Some(page) = object(map, "page")? {
        for (key, max) in [
            ("url", MAX_URL_CHARS),
            ("title", 300),
            ("referrer", MAX_URL_CHARS),
        ] {
            if let Some(v) = string_field(page, "page", key)? {
                let cleaned = if key == "title" {
                    clean(v, max)
                } else {
                    clean_url(v, cfg.keep_page_query)
                };
                if key == "url" {
                    page_url = Some(cleaned.clone()).filter(|u| !u.is_empty());
                }
                body["page"][key] = cleaned.into();
            }
        }
    }
    if let Some(list) = map.get("attachments").filter(|v| !v.is_null()) {
        body["attachments"] = crate::attachments::check_described(list)?;
    }
    for (key, max) in [("locale", 35), ("timezone", 64)] {
        match map.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) => body[key] = clean(v, max).into(),
            Some(_) => return Err(AppError::report(key, "must be a string")),
        }
    }
    if let Some(client) = object(map, "client")? {
        if let Some(v) = string_field(client, "client", "widget_version")? {
            body["client"]["widget_version"] = clean(v, 32).into();
        }
    }
    if let Some(user) = object(map, "user")? {
        for key in reach_us_core::payload::User::FIELDS {
            if let Some(v) = string_field(user, "user", key)? {
                body["user"][key] = clean(v, defaults::MAX_IDENTITY_CHARS).into();
            }
        }
    }
    match map.get("promise") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err(AppError::report("promise", "must be an object or null")),
    }
    Ok(Checked {
        id: id.to_string(),
        reference: reference.to_string(),
        category: category.to_string(),
        message: message.to_string(),
        email,
        phone,
        page_url,
        created_at,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_starts_at_receipt_unless_within_the_skew() {
        let now = 1_000_000_000;
        assert_eq!(clock_start(now - 60_000, now), now - 60_000);
        assert_eq!(clock_start(now - 20 * 86_400_000, now), now, "backdated");
        assert_eq!(clock_start(now + 60_000, now), now, "ahead of us");
    }

    #[test]
    fn urls_lose_query_and_fragment_and_length() {
        assert_eq!(
            clean_url("https://a.example/p?token=1#x", false),
            "https://a.example/p"
        );
        assert_eq!(
            clean_url("https://a.example/p?q=1", true),
            "https://a.example/p?q=1"
        );
        assert_eq!(clean_url(&"a".repeat(5000), false).len(), MAX_URL_CHARS);
        assert_eq!(
            clean_url("https://a.example/\u{0}\u{202E}x", false),
            "https://a.example/x"
        );
    }
}

//! The `reach-us/v1` report body: what every backend receives. Field names and shapes
//! are the public contract (README, "Payload schema"); the tests below pin them.

use crate::config::Config;
use crate::defaults::SCHEMA;
use crate::form::ValidForm;
use crate::json::{Object, ToJson};
use crate::reference;
use crate::time::{iso_utc, Millis};
use crate::WIDGET_VERSION;

/// How the visitor can be reached. Absent fields are omitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Email, if given.
    pub email: Option<String>,
    /// Phone, if given.
    pub phone: Option<String>,
}

/// The promise made to the visitor when the report was saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromisePayload {
    /// As configured, e.g. `"2h"`.
    pub respond_within: String,
    /// The same in minutes.
    pub respond_within_minutes: u32,
    /// Whether the time counts business hours only (else around the clock).
    pub business_hours: bool,
    /// The business hours' IANA zone, when they apply.
    pub time_zone: Option<String>,
    /// When the reply is due (RFC 3339 UTC).
    pub due_at: String,
}

/// Where the visitor was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// `location.href`.
    pub url: String,
    /// `document.title`.
    pub title: String,
    /// `document.referrer` (may be empty).
    pub referrer: String,
}

impl Page {
    /// What is sent: each field at most [`MAX_PAGE_CHARS`](crate::defaults::MAX_PAGE_CHARS)
    /// characters, and unless `full`, the address and the referrer without their query
    /// string and fragment (they may carry tokens: password-reset links, session ids).
    pub fn tidy(self, full: bool) -> Page {
        let cut = |s: String, strip: bool| -> String {
            let s = match s.find(['?', '#']) {
                Some(i) if strip => s[..i].to_string(),
                _ => s,
            };
            match s.char_indices().nth(crate::defaults::MAX_PAGE_CHARS) {
                Some((i, _)) => s[..i].to_string(),
                None => s,
            }
        };
        Page {
            url: cut(self.url, !full),
            title: cut(self.title, false),
            referrer: cut(self.referrer, !full),
        }
    }
}

/// Who the host page says the visitor is (`ReachUs('identify', …)`), passed through for
/// the backend to verify (`user_hash` is an HMAC the brand's server computed; the widget
/// never computes or checks it). Absent fields are omitted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// Display name.
    pub name: Option<String>,
    /// Email known to the brand.
    pub email: Option<String>,
    /// Phone known to the brand.
    pub phone: Option<String>,
    /// The brand's user id.
    pub user_id: Option<String>,
    /// HMAC of `user_id` by the brand's server, for the backend to verify.
    pub user_hash: Option<String>,
}

impl User {
    /// The JSON field names `identify` accepts.
    pub const FIELDS: [&'static str; 5] = ["name", "email", "phone", "user_id", "user_hash"];

    /// Read the `identify` object: known fields only, strings only.
    pub fn from_value(v: &crate::value::Value) -> Result<User, String> {
        let mut u = User::default();
        let fields =
            crate::value::object("identify", v, &User::FIELDS).map_err(|e| e.to_string())?;
        for (k, v) in fields {
            let s =
                Some(crate::value::string(&format!("identify.{k}"), v).map_err(|e| e.to_string())?);
            match k {
                "name" => u.name = s,
                "email" => u.email = s,
                "phone" => u.phone = s,
                "user_id" => u.user_id = s,
                _ => u.user_hash = s,
            }
        }
        u.validated()
    }

    /// Check lengths; empty strings count as absent.
    pub fn validated(self) -> Result<User, String> {
        let check = |field: &str, v: Option<String>| -> Result<Option<String>, String> {
            match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
                Some(s) if s.chars().count() > crate::defaults::MAX_IDENTITY_CHARS => Err(format!(
                    "identify: `{field}` is longer than {} characters",
                    crate::defaults::MAX_IDENTITY_CHARS
                )),
                other => Ok(other),
            }
        };
        Ok(User {
            name: check("name", self.name)?,
            email: check("email", self.email)?,
            phone: check("phone", self.phone)?,
            user_id: check("user_id", self.user_id)?,
            user_hash: check("user_hash", self.user_hash)?,
        })
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == User::default()
    }
}

/// About the widget that sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// The widget's semver.
    pub widget_version: &'static str,
}

/// One report, as POSTed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Milliseconds of `created_at` (not serialized: the promise clock of retries).
    pub created_ms: Millis,
    /// Milliseconds of `promise.due_at` (not serialized).
    pub due_ms: Option<Millis>,
    /// Always `reach-us/v1`.
    pub schema: &'static str,
    /// UUID v4; also the `Idempotency-Key` header.
    pub id: String,
    /// Short client reference (`ACME-7K2P9Q`); the server may answer with its own.
    pub reference: String,
    /// When the visitor pressed Send (RFC 3339 UTC).
    pub created_at: String,
    /// Category id.
    pub category: String,
    /// The visitor's text, trimmed.
    pub message: String,
    /// Contact details.
    pub contact: Contact,
    /// The promise shown, or `null` when the brand makes none.
    pub promise: Option<PromisePayload>,
    /// The page the report came from.
    pub page: Page,
    /// The visitor's negotiated locale.
    pub locale: String,
    /// The visitor's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
    pub timezone: String,
    /// Widget info.
    pub client: Client,
    /// The identified user, when the page called `identify`.
    pub user: Option<User>,
    /// The known incident the visitor said it is about ("Yes, same problem"), by id.
    pub incident: Option<String>,
}

/// What the browser contributes to a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// 16 random bytes for the id and reference.
    pub random: [u8; 16],
    /// Now.
    pub now: Millis,
    /// Page info.
    pub page: Page,
    /// Negotiated locale.
    pub locale: String,
    /// Visitor time zone.
    pub timezone: String,
    /// Identified user, if any.
    pub user: Option<User>,
    /// When the reply is due under the category's promise, computed by the promise
    /// engine (`promise::due`) with the brand's zone. None: no promise is made.
    pub due: Option<Millis>,
}

impl Report {
    /// The members of a `reach-us/v1` report, in the order written (`user` only when the
    /// page identified the visitor, `incident` only when the visitor said it is about a
    /// known incident, `attachments` only when files go with it: see
    /// `attachments::describe`).
    pub const FIELDS: [&'static str; 15] = [
        "schema",
        "id",
        "reference",
        "created_at",
        "category",
        "message",
        "contact",
        "promise",
        "page",
        "locale",
        "timezone",
        "client",
        "user",
        "incident",
        "attachments",
    ];

    /// Build the report for a validated form.
    pub fn build(form: ValidForm, config: &Config, ctx: Context) -> Report {
        let promise = match (config.rule_for(&form.category), ctx.due) {
            (Some(p), Some(due)) => Some(PromisePayload {
                respond_within: p.respond_within.clone(),
                respond_within_minutes: p.minutes,
                business_hours: p.business(),
                time_zone: p.time_zone.clone(),
                due_at: iso_utc(due),
            }),
            _ => None,
        };
        let due_ms = promise.as_ref().and(ctx.due);
        Report {
            created_ms: ctx.now,
            due_ms,
            schema: SCHEMA,
            id: reference::uuid_v4(ctx.random),
            reference: reference::reference(config.brand.as_deref(), &ctx.random),
            created_at: iso_utc(ctx.now),
            category: form.category,
            message: form.message,
            contact: Contact {
                email: form.email,
                phone: form.phone,
            },
            promise,
            page: ctx.page,
            locale: ctx.locale,
            timezone: ctx.timezone,
            client: Client {
                widget_version: WIDGET_VERSION,
            },
            user: ctx.user.filter(|u| !u.is_empty()),
            incident: None,
        }
    }

    /// When the report was created (first saved), in milliseconds.
    pub fn created_millis(&self) -> Millis {
        self.created_ms
    }

    /// The due instant in milliseconds, if a promise was made.
    pub fn due_millis(&self) -> Option<Millis> {
        self.due_ms
    }
}

impl ToJson for User {
    fn to_json(&self) -> String {
        Object::new()
            .opt_str("name", self.name.as_deref())
            .opt_str("email", self.email.as_deref())
            .opt_str("phone", self.phone.as_deref())
            .opt_str("user_id", self.user_id.as_deref())
            .opt_str("user_hash", self.user_hash.as_deref())
            .done()
    }
}

impl ToJson for Report {
    /// The `reach-us/v1` body, fields in schema order; absent optional fields left out.
    fn to_json(&self) -> String {
        let contact = Object::new()
            .opt_str("email", self.contact.email.as_deref())
            .opt_str("phone", self.contact.phone.as_deref())
            .done();
        let promise = match &self.promise {
            None => "null".to_string(),
            Some(p) => Object::new()
                .str("respond_within", &p.respond_within)
                .int(
                    "respond_within_minutes",
                    i64::from(p.respond_within_minutes),
                )
                .bool("business_hours", p.business_hours)
                .opt_str("time_zone", p.time_zone.as_deref())
                .str("due_at", &p.due_at)
                .done(),
        };
        let page = Object::new()
            .str("url", &self.page.url)
            .str("title", &self.page.title)
            .str("referrer", &self.page.referrer)
            .done();
        let mut o = Object::new();
        o.str("schema", self.schema)
            .str("id", &self.id)
            .str("reference", &self.reference)
            .str("created_at", &self.created_at)
            .str("category", &self.category)
            .str("message", &self.message)
            .raw("contact", &contact)
            .raw("promise", &promise)
            .raw("page", &page)
            .str("locale", &self.locale)
            .str("timezone", &self.timezone)
            .raw(
                "client",
                &Object::new()
                    .str("widget_version", self.client.widget_version)
                    .done(),
            );
        if let Some(u) = &self.user {
            o.raw("user", &u.to_json());
        }
        o.opt_str("incident", self.incident.as_deref());
        o.done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    #[test]
    fn the_v1_schema_is_pinned() {
        let (raw, _) =
            RawConfig::from_attributes([("endpoint", "/r"), ("brand", "Acme"), ("promise", "2h")])
                .unwrap();
        let config = Config::from_raw(raw).unwrap();
        let form = ValidForm {
            category: "problem".into(),
            message: "车门打不开 <b>".into(),
            email: Some("a@b.co".into()),
            phone: None,
        };
        let ctx = Context {
            random: [0x42; 16],
            now: 1_795_433_400_000,
            page: Page {
                url: "https://shop.example/cars".into(),
                title: "Cars".into(),
                referrer: String::new(),
            },
            locale: "zh-CN".into(),
            timezone: "Asia/Shanghai".into(),
            user: None,
            due: Some(1_795_433_400_000 + 2 * 3_600_000),
        };
        let report = Report::build(form, &config, ctx);
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        let expected = serde_json::json!({
            "schema": "reach-us/v1",
            "id": "42424242-4242-4242-8242-424242424242",
            "reference": report.reference,
            "created_at": "2026-11-23T11:30:00.000Z",
            "category": "problem",
            "message": "车门打不开 <b>",
            "contact": {"email": "a@b.co"},
            "promise": {"respond_within": "2h", "respond_within_minutes": 120, "business_hours": false, "due_at": "2026-11-23T13:30:00.000Z"},
            "page": {"url": "https://shop.example/cars", "title": "Cars", "referrer": ""},
            "locale": "zh-CN",
            "timezone": "Asia/Shanghai",
            "client": {"widget_version": WIDGET_VERSION}
        });
        assert_eq!(json, expected);
        let keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 12);
        let mut fields: Vec<&str> = Report::FIELDS[..12].to_vec();
        fields.sort_unstable();
        assert_eq!(keys, fields, "FIELDS names what the writer writes");
        assert!(report.reference.starts_with("ACME-"));
    }

    #[test]
    fn no_promise_configured_means_promise_null() {
        let (raw, _) = RawConfig::from_attributes([("endpoint", "/r")]).unwrap();
        let config = Config::from_raw(raw).unwrap();
        let form = ValidForm {
            category: "other".into(),
            message: "hi".into(),
            email: None,
            phone: Some("+1 555 010 0199".into()),
        };
        let user = User {
            user_id: Some("u-1".into()),
            user_hash: Some("abc".into()),
            ..User::default()
        };
        let ctx = Context {
            random: [1; 16],
            now: 0,
            page: Page::default(),
            locale: "en".into(),
            timezone: "UTC".into(),
            user: Some(user),
            due: None,
        };
        let json: serde_json::Value =
            serde_json::from_str(&Report::build(form, &config, ctx).to_json()).unwrap();
        assert_eq!(json["promise"], serde_json::Value::Null);
        assert_eq!(
            json["contact"],
            serde_json::json!({"phone": "+1 555 010 0199"})
        );
        assert!(json["reference"].as_str().unwrap().starts_with("RU-"));
        assert_eq!(
            json["user"],
            serde_json::json!({"user_id": "u-1", "user_hash": "abc"})
        );
    }

    #[test]
    fn page_metadata_loses_query_and_fragment_and_is_capped() {
        let page = Page {
            url: "https://shop.example/reset?token=s3cret#frag".into(),
            title: "t".repeat(5000),
            referrer: "https://mail.example/open?session=abc".into(),
        };
        let tidy = page.clone().tidy(false);
        assert_eq!(tidy.url, "https://shop.example/reset");
        assert_eq!(tidy.referrer, "https://mail.example/open");
        assert_eq!(tidy.title.chars().count(), crate::defaults::MAX_PAGE_CHARS);
        let full = page.tidy(true);
        assert_eq!(full.url, "https://shop.example/reset?token=s3cret#frag");
        let long = Page {
            url: format!("https://x.example/{}", "é".repeat(3000)),
            ..Page::default()
        };
        assert_eq!(
            long.tidy(true).url.chars().count(),
            crate::defaults::MAX_PAGE_CHARS
        );
    }

    #[test]
    fn identity_is_checked() {
        let long = "x".repeat(crate::defaults::MAX_IDENTITY_CHARS + 1);
        assert!(User {
            name: Some(long),
            ..User::default()
        }
        .validated()
        .unwrap_err()
        .contains("`name`"));
        let u = User {
            email: Some("  ".into()),
            ..User::default()
        }
        .validated()
        .unwrap();
        assert!(u.is_empty());
    }
}

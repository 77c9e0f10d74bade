//! The one config schema, read from two sources that merge field by field:
//! the script tag's `data-*` attributes (kebab-case of the JSON names: `data-max-message-chars`
//! is `max_message_chars`) and the richer `ReachUs('init', {...})` object, which wins.
//!
//! [`RawConfig`] is what the brand wrote (every field optional, unknown fields refused),
//! read in `read.rs`; [`Config::from_raw`] validates it (`validate.rs`) into what the
//! widget runs with, or a [`ConfigError`] naming the field. The types the widget runs
//! with are here.
pub(crate) use crate::check::keyword;
use crate::check::valid_id;
pub use crate::check::{mailto_address, valid_endpoint};
use crate::defaults;
use crate::error::ConfigError;
use crate::i18n::Msg;
use crate::promise::{PromiseRule, RawPromise};
pub use crate::text::Text;
use crate::value::{self, Value};

mod read;
mod validate;

pub use read::{RawCategory, RawConfig, RawUrgent, ATTRIBUTE_FIELDS};

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
impl Config {
    /// What the stylesheet needs of this config ([`crate::theme::css`]).
    pub fn look(&self) -> crate::theme::Look {
        crate::theme::Look {
            offset_x: self.offset_x,
            offset_y: self.offset_y,
            z_index: self.z_index,
            color: self.color,
            radius: self.radius,
            font_inherit: self.font_inherit,
        }
    }

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
        let rules = self
            .promise
            .iter()
            .chain(self.categories.iter().filter_map(|c| c.promise.as_ref()));
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
        assert_eq!(
            c.rule_for("a").map(|p| p.minutes),
            None,
            "not 4 h around the clock"
        );
        assert_eq!(
            c.rule_for("b").map(|p| (p.minutes, p.business())),
            Some((60, false))
        );
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
        // The same words work in `init` (a brand copies them from the tag), and numbers too.
        let c = json(r#"{"endpoint": "/r", "offset_y": "96px", "offset_x": 8, "radius": "4px"}"#)
            .unwrap();
        assert_eq!((c.offset_x, c.offset_y, c.radius), (8, 96, 4));
        let e = json(r#"{"endpoint": "/r", "offset_y": "lots"}"#).unwrap_err();
        assert_eq!(e.field(), Some("offset_y"));
        assert_eq!(
            json(r#"{"endpoint": "/r", "radius": "65px"}"#)
                .unwrap_err()
                .field(),
            Some("radius")
        );
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
        // Over the cap, the count is refused before any entry is read: the first entry is
        // malformed, and the error is still the cap's (no timing needed to show it).
        let over = many(10_000, bad_hours).replacen(r#"{"id": "c0""#, r#"{"id": 0"#, 1);
        let err = raw_json(&over).unwrap_err();
        assert_eq!(err.field(), Some("categories"));
        assert!(err.to_string().contains("more than 50"), "{err}");
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

    #[test]
    fn one_due_time_rule_for_widget_and_inbox() {
        use crate::promise::FixedOffset;
        let always = json(r#"{"endpoint": "/r", "promise": "2h"}"#).unwrap();
        let rule = always.promise.as_ref().unwrap();
        let never_asked =
            |_: &str| -> Option<FixedOffset> { panic!("around the clock needs no zone") };
        assert_eq!(rule.due(1_000, never_asked), Some(1_000 + 7_200_000));
        assert_eq!(rule.opens(1_000, |_| Some(FixedOffset(0))), None);
        let business = json(
            r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "business_hours": {"time_zone": "Mars/Base", "mon-fri": "09:00-17:00"}}}"#,
        )
        .unwrap();
        let rule = business.promise.as_ref().unwrap();
        assert_eq!(
            rule.due(0, |_| None::<FixedOffset>),
            None,
            "unknown zone: no promise"
        );
        // Thu 1970-01-01 00:00 UTC: closed; opens 09:00, due 11:00 (zone asked by name).
        let due = rule.due(0, |name| (name == "Mars/Base").then_some(FixedOffset(0)));
        assert_eq!(due, Some(11 * 3_600_000));
        assert_eq!(rule.opens(0, |_| Some(FixedOffset(0))), Some(9 * 3_600_000));
    }

    #[test]
    fn holidays_are_never_silently_ignored() {
        // Around the clock there is no day to close: an error naming the field.
        let e = json(r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "holidays": ["2026-12-25"]}}"#).unwrap_err();
        assert_eq!(e.field(), Some("promise.holidays"));
        // With hours, they close the day: 2026-12-25 09:00 UTC is closed, due the 26th.
        let c = json(
            r#"{"endpoint": "/r", "promise": {"respond_within": "2h", "holidays": ["2026-12-25"], "business_hours": {"time_zone": "UTC", "mon-sun": "09:00-17:00"}}}"#,
        )
        .unwrap();
        let xmas = crate::time::parse_iso("2026-12-25T09:00:00Z").unwrap();
        let utc = |_: &str| Some(crate::promise::FixedOffset(0));
        assert_eq!(
            c.promise.unwrap().due(xmas, utc),
            Some(xmas + 26 * 3_600_000)
        );
    }
}

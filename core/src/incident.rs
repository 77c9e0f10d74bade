//! Known incidents: a notice (`notice` / `notice_url`) may carry an `id`, `keywords` and
//! `categories`. When the visitor picks one of those categories or types one of the
//! keywords (in their own language), the form asks "Is this about <title>?" and "Yes,
//! same problem" files a short report linked to the incident (`incident: <id>` in the
//! `reach-us/v1` body). Matching runs in the widget, on what the visitor typed, before
//! anything is sent: nothing leaves the browser until Send (or Yes).
//!
//! `keywords` is a comma-separated string, or a locale map of them
//! (`{"en": "charging, charger", "de": "Laden, Ladesäule"}`), resolved like every text
//! (exact tag, then language, then English). Matching is by substring on lower-cased
//! text; the widget lower-cases with the browser's `toLocaleLowerCase` (no Unicode tables
//! in the wasm), so the caller passes both sides lowered.
use crate::error::ConfigError;
use crate::text::Text;
use crate::value::{self, Value};

/// The incident fields of a notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// `[a-z0-9_-]{1,64}`: what linked reports carry.
    pub id: String,
    /// Comma-separated keywords, per language.
    pub keywords: Option<Text>,
    /// Category ids that suggest it by themselves.
    pub categories: Vec<String>,
}

/// An incident id as reports carry it.
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Fewest characters a keyword needs to count (one letter matches everything).
pub const MIN_KEYWORD_CHARS: usize = 2;
/// Keywords looked at per language (a notice is matched on every keystroke).
pub const MAX_KEYWORDS: usize = 50;

impl Incident {
    /// Read the incident fields of a notice's members (None without an `id`).
    pub fn from_fields(field: &str, f: &[(&str, &Value)]) -> Result<Option<Incident>, ConfigError> {
        let get = |k: &str| value::member(f, k);
        let Some(id) = get("id") else {
            return Ok(None);
        };
        let id = value::string(&format!("{field}.id"), id)?;
        if !valid_id(&id) {
            return Err(ConfigError::invalid(
                format!("{field}.id"),
                "must be 1–64 of a-z, 0-9, - and _",
            ));
        }
        let keywords = get("keywords")
            .map(|k| Text::from_value(&format!("{field}.keywords"), k))
            .transpose()?;
        let categories = match get("categories") {
            None => Vec::new(),
            Some(v) => value::list(&format!("{field}.categories"), v)?
                .iter()
                .map(|c| value::string(&format!("{field}.categories"), c))
                .collect::<Result<_, _>>()?,
        };
        Ok(Some(Incident {
            id,
            keywords,
            categories,
        }))
    }

    /// Does a report in `category` whose text is `message_lower` look like this incident,
    /// for a visitor reading `locale`? `lower` lower-cases a keyword the same way the
    /// message was.
    pub fn matches(
        &self,
        locale: &str,
        category: &str,
        message_lower: &str,
        lower: &dyn Fn(&str) -> String,
    ) -> bool {
        if self.categories.iter().any(|c| c == category) {
            return true;
        }
        let Some(k) = &self.keywords else {
            return false;
        };
        k.resolve(locale)
            .split(',')
            .map(str::trim)
            .filter(|w| w.chars().count() >= MIN_KEYWORD_CHARS)
            .take(MAX_KEYWORDS)
            .any(|w| crate::find::find(message_lower, &lower(w)).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    fn incident(v: serde_json::Value) -> Result<Option<Incident>, ConfigError> {
        let v = from_json(v);
        let f = value::object("notice", &v, &[]).unwrap();
        Incident::from_fields("notice", &f)
    }

    #[test]
    fn matching_in_the_visitors_language() {
        let i = incident(json!({"id": "berlin-charging", "keywords": {"en": "charging, charger", "de": "laden, Ladesäule"}, "categories": ["outage"]}))
            .unwrap()
            .unwrap();
        let low = |s: &str| s.to_lowercase();
        let m = |loc: &str, cat: &str, text: &str| i.matches(loc, cat, &text.to_lowercase(), &low);
        assert!(m("en", "problem", "The CHARGER in Mitte is dead"));
        assert!(m("de-DE", "problem", "Die Ladesäule geht nicht"));
        assert!(
            !m("de", "problem", "the charger is dead"),
            "German keywords for a German visitor"
        );
        assert!(
            m("fr", "problem", "my charger"),
            "no French keywords: English"
        );
        assert!(!m("en", "problem", "my door won't open"));
        assert!(m("en", "outage", ""), "the category alone");
        let plain = incident(json!({"id": "x", "keywords": "a, 充电"}))
            .unwrap()
            .unwrap();
        assert!(plain.matches("zh-CN", "p", "无法充电", &low));
        assert!(
            !plain.matches("en", "p", "a b c", &low),
            "one-letter keywords do not count"
        );
        let many = (0..1000)
            .map(|i| format!("k{i}z"))
            .collect::<Vec<_>>()
            .join(",");
        let big = incident(json!({"id": "x", "keywords": many}))
            .unwrap()
            .unwrap();
        assert!(big.matches("en", "p", "k49z", &low));
        assert!(
            !big.matches("en", "p", "k999z", &low),
            "only the first 50 keywords"
        );
    }

    #[test]
    fn ids_and_shapes() {
        assert_eq!(incident(json!({"title": "t"})).unwrap(), None);
        for bad in [
            json!({"id": "Berlin!"}),
            json!({"id": ""}),
            json!({"id": 5}),
            json!({"id": "a", "categories": "x"}),
            json!({"id": "a", "keywords": 3}),
        ] {
            assert!(incident(bad.clone()).is_err(), "{bad}");
        }
        assert!(valid_id("a-1_b") && !valid_id(&"a".repeat(65)));
    }
}

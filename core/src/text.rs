//! A text the brand gives per locale (`{"en": "Safety", "zh-CN": "安全问题"}`) or once for
//! all, and how the widget picks one for the visitor's locale. A leaf: it knows values
//! and errors, nothing of the config around it.
use crate::error::ConfigError;
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

    /// Empty, or (per locale) any empty entry.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Localized(map) => map.is_empty() || map.iter().any(|(_, v)| v.trim().is_empty()),
        }
    }
}

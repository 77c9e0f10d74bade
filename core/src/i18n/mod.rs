//! Message tables and the little that is needed to use them.
//!
//! The tables are data (`core/i18n/<locale>.json`), compiled into arrays by `build.rs`;
//! a locale missing a key fails the build. Numbers, dates, durations and plurals are
//! NOT here: the browser's `Intl` formats them (see the widget's `edge::intl`), and the
//! formatted values are passed in as placeholders (`{duration}`, `{due}`).
use std::borrow::Cow;

use crate::config::Text;

mod locale;
pub use locale::{format_locale, negotiate};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// The shipped text of `msg` in the shipped locale `locale` (English if not shipped).
pub fn shipped(locale: &str, msg: Msg) -> &'static str {
    let idx = LOCALES.iter().position(|l| *l == locale).unwrap_or(0);
    nth(TABLES[idx], msg as usize)
}

/// Entry `i` of a generated table (its entries joined by U+0001; see `build.rs`).
fn nth(table: &'static str, i: usize) -> &'static str {
    table.split('\u{1}').nth(i).unwrap_or("")
}

/// Fill `{name}` placeholders. Unknown placeholders are left as written; values are
/// inserted verbatim (the UI renders text nodes, never HTML).
pub fn fill<'a>(template: &'a str, values: &[(&str, &str)]) -> Cow<'a, str> {
    if !template.contains('{') {
        return Cow::Borrowed(template);
    }
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The placeholder names used in a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// The strings of one visitor: a negotiated locale plus the brand's overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Strings {
    locale: &'static str,
    format: String,
    overrides: Vec<(String, Text)>,
}

impl Strings {
    /// Strings for a shipped locale (see [`negotiate`]) with the brand's `texts`.
    pub fn new(locale: &'static str, overrides: Vec<(String, Text)>) -> Self {
        Strings { locale, format: locale.to_string(), overrides }
    }

    /// The same, formatting dates and numbers for `format` (see [`format_locale`]).
    pub fn with_format(mut self, format: String) -> Self {
        self.format = format;
        self
    }

    /// The BCP 47 tag for `Intl` (dates, numbers, relative times).
    pub fn format_locale(&self) -> &str {
        &self.format
    }

    /// The negotiated locale tag.
    pub fn locale(&self) -> &'static str {
        self.locale
    }

    /// `msg` in this locale, the brand's override first.
    pub fn get(&self, msg: Msg) -> &str {
        match self.overrides.iter().find(|(k, _)| k == msg.key()) {
            Some((_, t)) => t.resolve(self.locale),
            None => shipped(self.locale, msg),
        }
    }

    /// `msg` with its placeholders filled.
    pub fn fmt(&self, msg: Msg, values: &[(&str, &str)]) -> String {
        fill(self.get(msg), values).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_key_with_the_same_placeholders() {
        for (i, locale) in LOCALES.iter().enumerate() {
            for msg in Msg::ALL {
                let text = nth(TABLES[i], msg as usize);
                assert!(!text.trim().is_empty(), "{locale}: `{}` is empty", msg.key());
                let mut want = placeholders(nth(TABLES[0], msg as usize));
                let mut got = placeholders(text);
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "{locale}: `{}` placeholders differ from en", msg.key());
            }
        }
    }

    #[test]
    fn the_launcher_speaks_chinese_on_chinese_pages() {
        assert_eq!(shipped("en", Msg::Launcher), "Reach us now");
        assert_eq!(shipped("zh-CN", Msg::Launcher), "立即联系我们");
        assert_eq!(Msg::Launcher.key(), "launcher");
        let last = Msg::ALL[MSG_COUNT - 1];
        assert!(!last.key().is_empty() && !shipped("ar", last).is_empty(), "the last entry of a joined table is found");
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(fill("We reply within {duration}.", &[("duration", "2 hours")]), "We reply within 2 hours.");
        assert_eq!(fill("{a} and {b}", &[("a", "1")]), "1 and {b}");
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        // values are inserted verbatim, never re-expanded
        assert_eq!(fill("{x}", &[("x", "{x}<b>")]), "{x}<b>");
    }

    #[test]
    fn brand_overrides_win_per_locale() {
        let o = vec![("launcher".to_string(), Text::Localized(vec![("en".to_string(), "Help".to_string())]))];
        let s = Strings::new("zh-CN", o.clone());
        assert_eq!(s.get(Msg::Launcher), "Help"); // only English given: used everywhere
        assert_eq!(s.get(Msg::Send), "发送");
        let s = Strings::new("en", o);
        assert_eq!(s.fmt(Msg::PromiseDue, &[("duration", "2 hours"), ("due", "13:30")]), "We reply within 2 hours: by 13:30 (your time).");
    }
}

//! Message tables and the little that is needed to use them.
//!
//! The tables are data (`core/i18n/<locale>.json`), checked by `build.rs` (a locale
//! missing a key fails the build). English is compiled in; the widget fetches any other
//! shipped locale's table at run time and wraps it in a [`Table`], so the wasm carries
//! one language, not ten. Numbers, dates, durations and plurals are NOT here: the
//! browser's `Intl` formats them (see the widget's `edge::intl`), and the formatted
//! values are passed in as placeholders (`{duration}`, `{due}`).
use std::borrow::Cow;
use std::rc::Rc;

use crate::text::Text;

mod locale;
pub use locale::{clean_tag, format_locale, negotiate};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// The English text of `msg` (compiled in: the fallback for every locale).
pub fn english(msg: Msg) -> &'static str {
    nth(EN, msg as usize)
}

/// The shipped text of `msg` in the shipped locale `locale` (English if not shipped).
/// Native builds only: the wasm loads other locales as a [`Table`].
#[cfg(not(target_arch = "wasm32"))]
pub fn shipped(locale: &str, msg: Msg) -> &'static str {
    let idx = LOCALES.iter().position(|l| *l == locale).unwrap_or(0);
    nth(TABLES[idx], msg as usize)
}

/// Entry `i` of a table (its entries joined by U+0001; see `build.rs`).
fn nth(table: &str, i: usize) -> &str {
    table.split('\u{1}').nth(i).unwrap_or("")
}

/// One shipped locale's texts, read at run time (the widget fetches
/// `<glue>.<locale>.json`, the object of key → text that `core/i18n/<locale>.json` is).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    locale: &'static str,
    text: Rc<str>,
}

impl Table {
    /// The table of `locale` from `lookup(key)`; a key it lacks (an older or damaged
    /// file) reads in English rather than blank.
    pub fn build(locale: &'static str, lookup: impl Fn(&str) -> Option<String>) -> Table {
        let mut text = String::new();
        for (i, msg) in Msg::ALL.iter().enumerate() {
            if i > 0 {
                text.push('\u{1}');
            }
            if let Some(t) = lookup(msg.key()) {
                text.push_str(&t.replace('\u{1}', ""));
            }
        }
        Table {
            locale,
            text: text.into(),
        }
    }

    /// A shipped table from the compiled-in data (native builds: tests and tools).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn shipped(locale: &'static str) -> Table {
        Table::build(locale, |k| {
            Msg::ALL
                .iter()
                .find(|m| m.key() == k)
                .map(|m| shipped(locale, *m).to_string())
        })
    }

    /// The locale this table is for.
    pub fn locale(&self) -> &'static str {
        self.locale
    }

    fn get(&self, msg: Msg) -> Option<&str> {
        Some(nth(&self.text, msg as usize)).filter(|t| !t.trim().is_empty())
    }
}

/// Fill `{name}` placeholders. Unknown placeholders are left as written; values are
/// inserted verbatim (the UI renders text nodes, never HTML).
pub fn fill<'a>(template: &'a str, values: &[(&str, &str)]) -> Cow<'a, str> {
    if !template.contains('{') {
        return Cow::Borrowed(template);
    }
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        match after.split_once('}') {
            Some((name, tail)) => {
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = tail;
            }
            None => {
                out.push('{');
                out.push_str(after);
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
    while let Some((_, after)) = rest.split_once('{') {
        match after.split_once('}') {
            Some((name, tail)) => {
                out.push(name);
                rest = tail;
            }
            None => break,
        }
    }
    out
}

/// The strings of one visitor: a locale's table (English when none) plus the brand's
/// overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Strings {
    table: Option<Table>,
    format: String,
    overrides: Vec<(String, Text)>,
}

impl Strings {
    /// Strings in `table`'s locale (English when `None`) with the brand's `texts`.
    pub fn new(table: Option<Table>, overrides: Vec<(String, Text)>) -> Self {
        let format = table.as_ref().map_or(LOCALES[0], |t| t.locale).to_string();
        Strings {
            table,
            format,
            overrides,
        }
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

    /// The locale whose texts these are.
    pub fn locale(&self) -> &'static str {
        self.table.as_ref().map_or(LOCALES[0], |t| t.locale)
    }

    /// `msg` in this locale, the brand's override first.
    pub fn get(&self, msg: Msg) -> &str {
        match self.overrides.iter().find(|(k, _)| k == msg.key()) {
            Some((_, t)) => t.resolve(self.locale()),
            None => self
                .table
                .as_ref()
                .and_then(|t| t.get(msg))
                .unwrap_or_else(|| english(msg)),
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
                assert!(
                    !text.trim().is_empty(),
                    "{locale}: `{}` is empty",
                    msg.key()
                );
                let mut want = placeholders(nth(TABLES[0], msg as usize));
                let mut got = placeholders(text);
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(
                    got,
                    want,
                    "{locale}: `{}` placeholders differ from en",
                    msg.key()
                );
            }
        }
    }

    #[test]
    fn the_launcher_speaks_chinese_on_chinese_pages() {
        assert_eq!(shipped("en", Msg::Launcher), "Reach us now");
        assert_eq!(shipped("zh-CN", Msg::Launcher), "立即联系我们");
        assert_eq!(Msg::Launcher.key(), "launcher");
        let last = Msg::ALL[MSG_COUNT - 1];
        assert!(
            !last.key().is_empty() && !shipped("ar", last).is_empty(),
            "the last entry of a joined table is found"
        );
    }

    #[test]
    fn a_loaded_table_falls_back_to_english_key_by_key() {
        // An older or damaged table: one key missing, one blank, one unknown key extra.
        let t = Table::build("de", |k| match k {
            "send" => None,
            "close" => Some("  ".into()),
            _ => Some(shipped("de", Msg::ALL.iter().copied().find(|m| m.key() == k)?).into()),
        });
        let s = Strings::new(Some(t), vec![]);
        assert_eq!(s.get(Msg::Send), english(Msg::Send));
        assert_eq!(s.get(Msg::Close), english(Msg::Close));
        assert_eq!(s.get(Msg::Launcher), shipped("de", Msg::Launcher));
        assert_ne!(s.get(Msg::Launcher), english(Msg::Launcher));
        // every entry lands on its own key, the last one too
        let full = Strings::new(Some(Table::shipped("ar")), vec![]);
        for m in Msg::ALL {
            assert_eq!(full.get(m), shipped("ar", m), "{}", m.key());
        }
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(
            fill("We reply within {duration}.", &[("duration", "2 hours")]),
            "We reply within 2 hours."
        );
        assert_eq!(fill("{a} and {b}", &[("a", "1")]), "1 and {b}");
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        // values are inserted verbatim, never re-expanded
        assert_eq!(fill("{x}", &[("x", "{x}<b>")]), "{x}<b>");
    }

    #[test]
    fn brand_overrides_win_per_locale() {
        let o = vec![(
            "launcher".to_string(),
            Text::Localized(vec![("en".to_string(), "Help".to_string())]),
        )];
        let s = Strings::new(Some(Table::shipped("zh-CN")), o.clone());
        assert_eq!(s.get(Msg::Launcher), "Help"); // only English given: used everywhere
        assert_eq!(s.get(Msg::Send), "发送");
        assert_eq!(s.locale(), "zh-CN");
        let s = Strings::new(None, o);
        assert_eq!(s.locale(), "en");
        assert_eq!(
            s.fmt(
                Msg::PromiseDue,
                &[("duration", "2 hours"), ("due", "13:30")]
            ),
            "We reply within 2 hours: by 13:30 (your time)."
        );
    }
}

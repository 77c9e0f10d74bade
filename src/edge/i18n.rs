//! The visitor's message table. English is compiled into the wasm; any other shipped
//! locale's table is fetched once, beside the glue (`reach-us-<hash>.<locale>.json`, written
//! by `www/build-loader.mjs`), so a visitor downloads one language, not ten. A table that
//! cannot be fetched in time leaves the widget in English: it never stays unmounted.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Reflect;
use reach_us_core::i18n::{format_locale, negotiate, Strings, Table, LOCALES};
use reach_us_core::Config;
use wasm_bindgen::JsValue;

use crate::edge::{deliver, env};

/// How long a table may take before the widget goes on in English.
const FETCH_MS: u32 = 4000;

/// Where tables come from, and the ones fetched so far (`None`: that fetch failed).
#[derive(Default)]
pub struct Tables {
    glue: Option<String>,
    fetched: RefCell<Vec<(&'static str, Option<Table>)>>,
}

impl Tables {
    /// Tables beside `glue` (the glue's URL, as the loader passes it); none without one.
    pub fn new(glue: Option<String>) -> Rc<Tables> {
        Rc::new(Tables {
            glue,
            fetched: RefCell::default(),
        })
    }

    /// The strings for `config` if nothing needs fetching, else the locale to fetch.
    fn ready(&self, config: &Config) -> Result<Strings, &'static str> {
        let candidates = env::locale_candidates(config.locale.as_deref());
        let wanted = negotiate(candidates.iter().map(String::as_str));
        let table = if wanted == LOCALES[0] || self.glue.is_none() {
            None
        } else {
            match self.fetched.borrow().iter().find(|(l, _)| *l == wanted) {
                Some((_, t)) => t.clone(),
                None => return Err(wanted),
            }
        };
        let locale = table.as_ref().map_or(LOCALES[0], Table::locale);
        let format = format_locale(candidates.iter().map(String::as_str), locale);
        Ok(Strings::new(table, config.texts.clone()).with_format(format))
    }

    async fn fetch(&self, locale: &'static str) {
        let glue = self.glue.as_deref().unwrap_or_default();
        let url = format!("{}.{locale}.json", glue.strip_suffix(".js").unwrap_or(glue));
        let table = deliver::get_json(&url, FETCH_MS)
            .await
            .filter(JsValue::is_object)
            .map(|obj| {
                Table::build(locale, |key| {
                    Reflect::get(&obj, &JsValue::from_str(key))
                        .ok()?
                        .as_string()
                })
            });
        if table.is_none() {
            env::console_warn(&format!(
                "Reach Us: could not load the {locale} texts ({url}); showing English"
            ));
        }
        self.fetched.borrow_mut().push((locale, table));
    }
}

/// Call `then` with the strings for `config`: at once when English or already fetched,
/// else once the table has arrived (or failed).
pub fn with_strings(
    tables: &Rc<Tables>,
    config: Config,
    then: impl FnOnce(Config, Strings) + 'static,
) {
    match tables.ready(&config) {
        Ok(strings) => then(config, strings),
        Err(locale) => {
            let tables = tables.clone();
            wasm_bindgen_futures::spawn_local(async move {
                tables.fetch(locale).await;
                let strings = tables
                    .ready(&config)
                    .unwrap_or_else(|_| Strings::new(None, config.texts.clone()));
                then(config, strings);
            });
        }
    }
}

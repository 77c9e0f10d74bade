//! Turns the message tables in `i18n/*.json` (plain data, one file per locale) into
//! compile-time Rust arrays, so the wasm carries no JSON parser and a locale that lacks
//! a key (or has one `en.json` does not know) fails the build with the key named.
use std::{env, fs, path::Path};

fn camel(key: &str) -> String {
    key.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn main() {
    let dir = Path::new("i18n");
    println!("cargo:rerun-if-changed=i18n");
    let read = |name: &str| -> serde_json::Map<String, serde_json::Value> {
        let path = dir.join(format!("{name}.json"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => panic!("{}: must be a JSON object of key -> text", path.display()),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    };
    let en = read("en");
    let keys: Vec<&String> = en.keys().collect();
    let mut locales: Vec<String> = fs::read_dir(dir)
        .expect("core/i18n exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(String::from)
        })
        .collect();
    locales.sort();
    // English first: it is the fallback.
    locales.retain(|l| l != "en");
    locales.insert(0, "en".into());

    let mut out = String::new();
    out.push_str("/// A message key; the variants are generated from `core/i18n/en.json`.\n");
    out.push_str(
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[repr(u16)]\npub enum Msg {\n",
    );
    for k in &keys {
        out.push_str(&format!("    /// `{k}`\n    {},\n", camel(k)));
    }
    out.push_str("}\n\n");
    out.push_str(&format!(
        "/// Number of message keys.\npub const MSG_COUNT: usize = {};\n\n",
        keys.len()
    ));
    out.push_str(
        "impl Msg {\n    /// Every key, in table order.\n    pub const ALL: [Msg; MSG_COUNT] = [",
    );
    for k in &keys {
        out.push_str(&format!("Msg::{}, ", camel(k)));
    }
    out.push_str("];\n    /// The key as written in the JSON tables and in the `texts` config.\n    pub fn key(self) -> &'static str {\n        nth(KEYS, self as usize)\n    }\n}\n\n");
    // Each table is ONE string, its entries joined by U+0001, not an array of `&str`: an
    // array costs 8 bytes of pointer and length per entry in the wasm data, which brotli
    // cannot compress (~2 KiB over the ten locales); a lookup walks at most ~70 entries.
    let joined = |texts: Vec<&str>| -> String {
        for t in &texts {
            assert!(!t.contains('\u{1}'), "an i18n text contains U+0001");
        }
        format!("{:?}", texts.join("\u{1}"))
    };
    out.push_str(&format!(
        "const KEYS: &str = {};\n\n",
        joined(keys.iter().map(|k| k.as_str()).collect())
    ));
    out.push_str(&format!(
        "/// Shipped locales (BCP 47), English first.\npub const LOCALES: [&str; {}] = {:?};\n\n",
        locales.len(),
        locales
    ));
    // English is compiled in (the fallback, and the only table in the wasm); the widget
    // fetches any other locale's table at run time (see `Table`), so a visitor pays for
    // one language, not ten. Native builds (tests, tools) carry them all.
    let mut tables = String::new();
    for l in &locales {
        let table = read(l);
        for k in table.keys() {
            if !en.contains_key(k) {
                panic!("i18n/{l}.json has key `{k}` that en.json does not define");
            }
        }
        let texts = keys
            .iter()
            .map(|k| match table.get(*k).and_then(|v| v.as_str()) {
                Some(text) => text,
                None => panic!("i18n/{l}.json lacks key `{k}` (or it is not a string)"),
            })
            .collect();
        let table = joined(texts);
        if l == "en" {
            out.push_str(&format!(
                "/// English, entries joined by U+0001.\nstatic EN: &str = {table};\n\n"
            ));
        }
        tables.push_str(&format!("    {table},\n"));
    }
    out.push_str(&format!(
        "/// Every shipped table, in [`LOCALES`] order (native builds only).\n#[cfg(not(target_arch = \"wasm32\"))]\nstatic TABLES: [&str; {}] = [\n{tables}];\n",
        locales.len()
    ));
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("messages.rs");
    fs::write(dest, out).expect("write messages.rs");
}

//! A small JSON writer for what the widget stores and sends (reports, outbox entries,
//! receipts). Written by hand instead of serde's derive + `serde-wasm-bindgen` +
//! `JSON.stringify`: the output is the same JSON, and the wasm does without a serializer.
//! Only strings, whole numbers, booleans, null and nesting are needed.

/// Append `s` as the inside of a JSON string literal: `"`, `\`, control characters,
/// `<` and U+2028/9 escaped (the last so a body pasted into HTML or old JS stays inert).
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '<' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                hex(c as u32, 4, out);
            }
            c => out.push(c),
        }
    }
}

/// `digits` upper-case hex digits of `n`.
pub fn hex(n: u32, digits: u32, out: &mut String) {
    for i in (0..digits).rev() {
        out.push(char::from(
            b"0123456789ABCDEF"[((n >> (i * 4)) & 0xf) as usize],
        ));
    }
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(s, &mut out);
    out.push('"');
    out
}

/// An object under construction; members in call order.
pub struct Object(String);

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object(String::from("{"))
    }

    fn key(&mut self, k: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(k);
        self.0.push_str("\":");
        &mut self.0
    }

    /// A member whose value is already JSON.
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k).push_str(json);
        self
    }

    /// A string member.
    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        let out = self.key(k);
        out.push('"');
        escape_into(v, out);
        out.push('"');
        self
    }

    /// A string member, left out when None.
    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.str(k, v);
        }
        self
    }

    /// A whole-number member.
    pub fn int(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k).push_str(&v.to_string());
        self
    }

    /// A boolean member.
    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).push_str(if v { "true" } else { "false" });
        self
    }

    /// The JSON text.
    pub fn done(&mut self) -> String {
        let mut s = std::mem::take(&mut self.0);
        s.push('}');
        s
    }
}

impl Default for Object {
    fn default() -> Self {
        Object::new()
    }
}

/// Something that writes itself as JSON.
pub trait ToJson {
    /// The JSON text.
    fn to_json(&self) -> String;
}

/// A JSON array of the items.
pub fn array<T: ToJson>(items: &[T]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item.to_json());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn objects() {
        let v = Object::new()
            .str("a", "x\"y")
            .int("n", -3)
            .bool("b", true)
            .opt_str("none", None)
            .raw("r", "null")
            .done();
        assert_eq!(v, r#"{"a":"x\"y","n":-3,"b":true,"r":null}"#);
        assert_eq!(Object::new().done(), "{}");
    }

    proptest! {
        /// Any string survives a round trip through a standard JSON parser.
        #[test]
        fn strings_round_trip(s in "\\PC*|[\\x00-\\x1f\"\\\\<\u{2028}\u{2029}]*") {
            prop_assert_eq!(serde_json::from_str::<String>(&string(&s)).unwrap(), s);
        }
    }
}

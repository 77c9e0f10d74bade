//! A plain data tree (what `JSON.parse` or a JS object literal gives), and typed readers
//! over it that name the field when something is wrong.
//!
//! The widget converts the page's `ReachUs('init', {...})` object into a [`Value`] and the
//! core reads the config from it. Reading by hand instead of through serde keeps serde's
//! deserializer (and the float formatting its error messages pull in) out of the wasm, and
//! refuses unknown fields at every level, which a JS object reader does not do by itself.
use crate::error::ConfigError;

/// A JSON-like value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null` or `undefined`: treated as absent.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    List(Vec<Value>),
    /// An object, keys in order.
    Map(Vec<(String, Value)>),
    /// Something no config field can be (a function, a symbol, a BigInt, an object that
    /// could not be read): named in the error, never taken for absent.
    Other(&'static str),
}

impl Value {
    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "an array",
            Value::Map(_) => "an object",
            Value::Other(kind) => kind,
        }
    }
}

fn wrong(field: &str, want: &str, got: &Value) -> ConfigError {
    ConfigError::invalid(field, format!("must be {want}, not {}", got.kind()))
}

/// A string field.
pub fn string(field: &str, v: &Value) -> Result<String, ConfigError> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(wrong(field, "a string", other)),
    }
}

/// A boolean field.
pub fn boolean(field: &str, v: &Value) -> Result<bool, ConfigError> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong(field, "true or false", other)),
    }
}

/// A whole number in `[min, max]`.
pub fn integer(field: &str, v: &Value, min: i64, max: i64) -> Result<i64, ConfigError> {
    match v {
        Value::Num(n) if n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 => Ok(*n as i64),
        Value::Num(_) => Err(ConfigError::invalid(
            field,
            format!("must be a whole number from {min} to {max}"),
        )),
        other => Err(wrong(field, "a whole number", other)),
    }
}

/// An array.
pub fn list<'a>(field: &str, v: &'a Value) -> Result<&'a [Value], ConfigError> {
    match v {
        Value::List(items) => Ok(items),
        other => Err(wrong(field, "an array", other)),
    }
}

/// An object whose keys are all in `known`; `null` members are dropped.
pub fn object<'a>(
    field: &str,
    v: &'a Value,
    known: &[&str],
) -> Result<Vec<(&'a str, &'a Value)>, ConfigError> {
    let Value::Map(entries) = v else {
        return Err(wrong(field, "an object", v));
    };
    let mut out = Vec::with_capacity(entries.len());
    for (k, val) in entries {
        if !known.is_empty() && !known.contains(&k.as_str()) {
            let path = if field.is_empty() {
                format!("`{k}`")
            } else {
                format!("`{field}.{k}`")
            };
            return Err(ConfigError::Shape(format!(
                "unknown field {path}; expected one of: {}",
                known.join(", ")
            )));
        }
        if !matches!(val, Value::Null) {
            out.push((k.as_str(), val));
        }
    }
    Ok(out)
}

/// The member `key` of an object read by [`object`].
pub fn member<'a>(fields: &[(&str, &'a Value)], key: &str) -> Option<&'a Value> {
    fields.iter().find(|(n, _)| *n == key).map(|(_, v)| *v)
}

/// A `serde_json` value as a [`Value`] (tests, and native users such as the inbox with
/// the `json` feature).
#[cfg(any(test, feature = "json"))]
pub fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(a) => Value::List(a.into_iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Map(o.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_name_the_field_and_the_problem() {
        assert_eq!(
            string("brand", &Value::Num(1.0)).unwrap_err().to_string(),
            "Reach Us config: `brand` must be a string, not a number"
        );
        assert!(integer("z_index", &Value::Num(1.5), 0, 10)
            .unwrap_err()
            .to_string()
            .contains("whole number from 0 to 10"));
        assert_eq!(integer("z_index", &Value::Num(7.0), 0, 10), Ok(7));
        assert!(boolean("require_contact", &Value::Str("yes".into())).is_err());
        let v = Value::Map(vec![
            ("a".into(), Value::Null),
            ("b".into(), Value::Bool(true)),
        ]);
        assert_eq!(
            object("", &v, &["a", "b"]).unwrap().len(),
            1,
            "nulls are absent"
        );
        let err = object("promise", &v, &["a"]).unwrap_err().to_string();
        assert!(err.contains("`promise.b`"), "{err}");
    }

    #[test]
    fn a_function_symbol_or_bigint_is_named_not_taken_for_absent() {
        let v = Value::Map(vec![("brand".into(), Value::Other("a function"))]);
        assert_eq!(
            object("", &v, &["brand"]).unwrap().len(),
            1,
            "kept: not absent"
        );
        assert_eq!(
            string("brand", &Value::Other("a symbol"))
                .unwrap_err()
                .to_string(),
            "Reach Us config: `brand` must be a string, not a symbol"
        );
    }
}

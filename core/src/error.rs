//! The typed errors of the core. Each names the config field (by its JSON name) and
//! says what is wrong in one sentence, so one `console.error` tells a brand's developer
//! exactly what to fix.
use std::fmt;

/// A configuration the widget refuses to run with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A field that must be given was not.
    Missing {
        /// JSON field name, e.g. `endpoint`.
        field: &'static str,
    },
    /// A field was given with a value the widget cannot use.
    Invalid {
        /// JSON field name (dotted path for nested fields), e.g. `promise.respond_within`.
        field: String,
        /// What is wrong, as a sentence fragment.
        problem: String,
    },
    /// The `init` object as a whole could not be read (unknown field, wrong type).
    Shape(String),
}

impl ConfigError {
    /// Shorthand for [`ConfigError::Invalid`].
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::invalid_owned(field.into(), problem.into())
    }

    // One copy of the construction, not one inlined at each of the many call sites.
    #[inline(never)]
    fn invalid_owned(field: String, problem: String) -> Self {
        ConfigError::Invalid { field, problem }
    }

    /// The field this error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ConfigError::Missing { field } => Some(field),
            ConfigError::Invalid { field, .. } => Some(field),
            ConfigError::Shape(_) => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing { field } => write!(
                f,
                "Reach Us config: `{field}` is required (data-{} attribute or ReachUs('init', {{ {field}: … }}))",
                field.replace('_', "-")
            ),
            ConfigError::Invalid { field, problem } => {
                write!(f, "Reach Us config: `{field}` {problem}")
            }
            ConfigError::Shape(msg) => write!(f, "Reach Us config: {msg}"),
        }
    }
}

impl std::error::Error for ConfigError {}

//! What the visitor typed, and whether it can be sent. Lengths count Unicode scalar
//! values (`char`s): "门打不开" is 4 characters, not 12 bytes; an emoji written as one
//! code point counts as one (a flag or a family emoji, built of several, counts as several).
pub use crate::check::{plausible_email, plausible_phone};
use crate::config::Config;
use crate::i18n::Msg;

/// A form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The category choice.
    Category,
    /// The problem description.
    Message,
    /// Email address.
    Email,
    /// Phone number.
    Phone,
}

/// The raw form content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormInput {
    /// Chosen category id.
    pub category: String,
    /// The problem, as typed.
    pub message: String,
    /// Email, as typed.
    pub email: String,
    /// Phone, as typed.
    pub phone: String,
}

impl FormInput {
    /// Set one field.
    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Category => self.category = value,
            Field::Message => self.message = value,
            Field::Email => self.email = value,
            Field::Phone => self.phone = value,
        }
    }
}

/// Why a field is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty after trimming.
    Required,
    /// Longer than the limit.
    TooLong {
        /// The limit.
        max: u32,
        /// What was typed.
        count: u32,
    },
    /// Not a plausible email address.
    Email,
    /// Not a plausible phone number.
    Phone,
    /// Neither email nor phone while one is required.
    ContactRequired,
    /// No category or an unknown one.
    Category,
}

impl Problem {
    /// The message key that explains it to the visitor.
    pub fn msg(self) -> Msg {
        match self {
            Problem::Required => Msg::ErrRequired,
            Problem::TooLong { .. } => Msg::ErrTooLong,
            Problem::Email => Msg::ErrEmail,
            Problem::Phone => Msg::ErrPhone,
            Problem::ContactRequired => Msg::ErrContact,
            Problem::Category => Msg::ErrCategory,
        }
    }
}

/// One refused field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Which field.
    pub field: Field,
    /// Why.
    pub problem: Problem,
}

/// A form that passed validation: trimmed values, empty contacts as `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidForm {
    /// Category id (one of the config's).
    pub category: String,
    /// Trimmed message.
    pub message: String,
    /// Trimmed email, if given.
    pub email: Option<String>,
    /// Trimmed phone, if given.
    pub phone: Option<String>,
}

/// Characters as the limit counts them.
pub fn char_count(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// A control character a person cannot see in a message: all but tab and line breaks.
fn invisible_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Check the form against the config. All problems at once, in field order.
pub fn validate(input: &FormInput, config: &Config) -> Result<ValidForm, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field, problem| errors.push(FieldError { field, problem });
    let category = input.category.trim();
    if !config.categories.iter().any(|c| c.id == category) {
        err(Field::Category, Problem::Category);
    }
    // Control characters other than tab and line breaks (a pasted form feed, U+0085, a
    // NUL from a page's `prefill`) are invisible to the visitor and refused by receivers
    // (the reference inbox answers 400, for good): they are dropped here.
    let cleaned: String;
    let message = if input.message.chars().any(invisible_control) {
        cleaned = input
            .message
            .chars()
            .filter(|c| !invisible_control(*c))
            .collect();
        cleaned.trim()
    } else {
        input.message.trim()
    };
    let count = char_count(message);
    if message.is_empty() {
        err(Field::Message, Problem::Required);
    } else if count > config.max_message_chars {
        err(
            Field::Message,
            Problem::TooLong {
                max: config.max_message_chars,
                count,
            },
        );
    }
    let email = input.email.trim();
    let phone = input.phone.trim();
    let use_email = config.contact_fields.email && !email.is_empty();
    let use_phone = config.contact_fields.phone && !phone.is_empty();
    if use_email && !plausible_email(email) {
        err(Field::Email, Problem::Email);
    }
    if use_phone && !plausible_phone(phone) {
        err(Field::Phone, Problem::Phone);
    }
    if config.require_contact && !use_email && !use_phone {
        let field = if config.contact_fields.email {
            Field::Email
        } else {
            Field::Phone
        };
        err(field, Problem::ContactRequired);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidForm {
        category: category.to_string(),
        message: message.to_string(),
        email: use_email.then(|| email.to_string()),
        phone: use_phone.then(|| phone.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn config() -> Config {
        let (raw, _) =
            RawConfig::from_attributes([("endpoint", "/r"), ("max-message-chars", "10")]).unwrap();
        Config::from_raw(raw).unwrap()
    }

    fn input(message: &str, email: &str, phone: &str) -> FormInput {
        FormInput {
            category: "problem".into(),
            message: message.into(),
            email: email.into(),
            phone: phone.into(),
        }
    }

    #[test]
    fn invisible_control_characters_leave_the_message() {
        let ok = validate(&input("a\u{0}b\u{c}\u{85}\tc\n", "a@b.co", ""), &config()).unwrap();
        assert_eq!(ok.message, "ab\tc");
        let errs = validate(&input("\u{0}\u{7f}", "a@b.co", ""), &config()).unwrap_err();
        assert_eq!(
            errs[0].problem,
            Problem::Required,
            "nothing visible is nothing"
        );
        // Ten digits, but 41 characters: more than a receiver keeps (the inbox: 40).
        let long_phone = format!("+{}", "1 - ".repeat(10));
        assert!(!plausible_phone(&long_phone), "over MAX_PHONE_CHARS");
        assert!(plausible_phone("+49 (30) 1234-5678"));
    }

    #[test]
    fn a_good_form_is_trimmed() {
        let ok = validate(&input("  door stuck ", " a@b.co ", ""), &config()).unwrap();
        assert_eq!(ok.message, "door stuck");
        assert_eq!(ok.email.as_deref(), Some("a@b.co"));
        assert_eq!(ok.phone, None);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 10 CJK characters = 30 bytes: still within a 10-character limit.
        assert!(validate(&input("车门打不开了怎么办呀", "a@b.co", ""), &config()).is_ok());
        // 10 emoji (4 bytes each) are 10 characters.
        assert!(validate(&input(&"🚗".repeat(10), "a@b.co", ""), &config()).is_ok());
        let errs = validate(&input(&"🚗".repeat(11), "a@b.co", ""), &config()).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError {
                field: Field::Message,
                problem: Problem::TooLong { max: 10, count: 11 }
            }]
        );
    }

    #[test]
    fn every_problem_is_reported_next_to_its_field() {
        let errs = validate(
            &FormInput {
                category: "nope".into(),
                message: "   ".into(),
                email: "x@".into(),
                phone: "12".into(),
            },
            &config(),
        )
        .unwrap_err();
        assert_eq!(
            errs,
            vec![
                FieldError {
                    field: Field::Category,
                    problem: Problem::Category
                },
                FieldError {
                    field: Field::Message,
                    problem: Problem::Required
                },
                FieldError {
                    field: Field::Email,
                    problem: Problem::Email
                },
                FieldError {
                    field: Field::Phone,
                    problem: Problem::Phone
                },
            ]
        );
        let errs = validate(&input("hello", "", ""), &config()).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError {
                field: Field::Email,
                problem: Problem::ContactRequired
            }]
        );
    }

    #[test]
    fn email_and_phone_checks() {
        for good in [
            "a@b.co",
            "first.last+tag@sub.example.com",
            "用户@例子.中国",
            "anna@münchen.de",
        ] {
            assert!(plausible_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.co",
            "a@.co",
            "a@b.",
            "a b@c.co",
            "a@b..co",
            "a@b_c.com",
            "a@例子。中国",
            "a@例子，中国.cn",
            "a@b．co",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
        for good in [
            "+86 400 000 0000",
            "(555) 010-0199",
            "030/123456",
            "+1.555.010.0199",
        ] {
            assert!(plausible_phone(good), "{good}");
        }
        for bad in [
            "",
            "12345",
            "+",
            "call me",
            "++86 4000000000",
            "1".repeat(21).as_str(),
        ] {
            assert!(!plausible_phone(bad), "{bad}");
        }
    }
}

//! Leaf checks of what a brand or a visitor wrote: keywords, ids, endpoint URLs, mailto
//! addresses, plausible emails and phones. Pure functions of a string; nothing here knows
//! the config or the form they are used by.
use crate::defaults;
use crate::error::ConfigError;

/// Which of `options` a keyword field names, as an index (0, the default, when the field
/// is left out); any other word is an error that lists the options:
/// `is "x": use "a", "b" or "c"`.
pub(crate) fn keyword(
    field: &'static str,
    value: Option<&str>,
    options: &[&str],
) -> Result<usize, ConfigError> {
    let Some(v) = value else { return Ok(0) };
    if let Some(i) = options.iter().position(|o| *o == v) {
        return Ok(i);
    }
    let mut problem = format!("is \"{v}\": use ");
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            problem.push_str(if i + 1 == options.len() { " or " } else { ", " });
        }
        problem.push('"');
        problem.push_str(o);
        problem.push('"');
    }
    Err(ConfigError::invalid(field, problem))
}

/// A category id: `[a-z0-9_-]`, 1–40 characters.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= defaults::MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// An http(s) URL whose host is written plainly, or a same-origin path. Strict on
/// purpose: what passes goes to the origin it names, however the browser's URL parser
/// reads it. So no backslash anywhere (the parser reads `/\host` as `//host`: another
/// host), no whitespace or control characters (tabs and newlines are dropped by the
/// parser, `/<tab>/host` is `//host` again), no `//` scheme-relative path, and an
/// authority of host (letters, digits, `-`, `.`, or a bracketed IPv6 address) and an
/// optional port only: no `user@`, no percent-escapes.
pub fn valid_endpoint(url: &str) -> bool {
    if url
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return url.starts_with('/') && !url.starts_with("//");
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (authority, None),
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => {
            v6.len() > 1
                && v6.ends_with(']')
                && v6[..v6.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
        None => {
            !host.is_empty()
                && !host.starts_with(['.', '-'])
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii())
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// An address to put after `mailto:` as it is: `local@domain.tld` with a local part of
/// letters, digits and `. _ + -` (no `?`, `&`, `%`, `:` or `/`, which would add headers
/// or recipients to the link or make it another scheme) and a domain of dot-separated
/// labels of letters, digits and `-`. Stricter than RFC 5322 on purpose: the brand writes
/// this one address once.
pub fn mailto_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    // (Split, not `contains("..")`: no substring searcher in the wasm.)
    if local.len() > 64
        || domain.len() > 253
        || !local.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
        })
    {
        return false;
    }
    let (mut labels, mut tld) = (0, false);
    for l in domain.split('.') {
        if l.is_empty()
            || l.len() > 63
            || l.starts_with('-')
            || l.ends_with('-')
            || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return false;
        }
        labels += 1;
        tld = l.bytes().all(|b| b.is_ascii_alphabetic()) || l.starts_with("xn--");
    }
    labels >= 2 && tld
}

/// A plausible email: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Deliverability is the backend's job; this only catches typos.
pub fn plausible_email(s: &str) -> bool {
    if s.len() > defaults::MAX_EMAIL_CHARS || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && crate::find::find(domain, "..").is_none()
        && domain.chars().all(domain_char)
}

/// A character a domain may hold: ASCII letters, digits, `-` and `.`, or any non-ASCII
/// character except the CJK and full-width punctuation an input method slips in (`。`,
/// `，`, `＠`). (Not `char::is_alphanumeric`: its Unicode tables cost ~1 KiB of wasm for
/// a check that only catches typos.)
fn domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || c == '.'
        || (!c.is_ascii()
            && !matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}'))
}

/// A plausible phone number: digits with the usual separators, an optional leading `+`.
pub fn plausible_phone(s: &str) -> bool {
    if s.len() > defaults::MAX_PHONE_CHARS {
        return false;
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
        && (defaults::MIN_PHONE_DIGITS..=defaults::MAX_PHONE_DIGITS).contains(&digits)
}

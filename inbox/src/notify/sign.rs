//! Signatures, each exactly as its receiver recomputes it:
//!
//! - **Feishu / Lark** (signed mode): `sign = base64(HMAC-SHA256(key = "<timestamp>\n<secret>",
//!   message = empty))`, `timestamp` in seconds; both go into the JSON body beside
//!   `msg_type`. Feishu refuses a timestamp more than an hour off (code 19021).
//! - **DingTalk** (加签): `sign = urlencode(base64(HMAC-SHA256(key = secret, message =
//!   "<timestamp>\n<secret>")))`, `timestamp` in milliseconds; both are query parameters
//!   (`&timestamp=…&sign=…`). DingTalk refuses a timestamp more than an hour off.
//! - **The generic webhook**: `X-Reach-Us-Timestamp: <unix seconds>` and
//!   `X-Reach-Us-Signature: sha256=<hex HMAC-SHA256(key = secret, message = "<timestamp>.<body>")>`;
//!   the receiver recomputes it over the raw body, compares in constant time, and refuses
//!   a timestamp more than 5 minutes from its clock (a replay).
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// Feishu's `sign` for `timestamp` (seconds).
pub fn feishu(secret: &str, timestamp_secs: i64) -> String {
    let key = format!("{timestamp_secs}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac(key.as_bytes(), b""))
}

/// DingTalk's `sign` for `timestamp` (ms), not yet URL-encoded.
pub fn dingtalk(secret: &str, timestamp_ms: i64) -> String {
    let msg = format!("{timestamp_ms}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac(secret.as_bytes(), msg.as_bytes()))
}

/// Percent-encode a query value (RFC 3986 unreserved characters kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The generic webhook's signature header value for `timestamp` (seconds) and `body`.
pub fn webhook(secret: &str, timestamp_secs: i64, body: &str) -> String {
    let msg = format!("{timestamp_secs}.{body}");
    let mac = hmac(secret.as_bytes(), msg.as_bytes());
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256=");
    for b in mac {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// A receiver's check of the generic webhook (what the README shows): the signature over
/// `"<timestamp>.<body>"`, compared in constant time, and the timestamp within 5 minutes
/// of `now_secs`.
pub fn verify_webhook(
    secret: &str,
    timestamp: &str,
    signature: &str,
    body: &str,
    now_secs: i64,
) -> bool {
    let Ok(ts) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if (now_secs - ts).abs() > 300 {
        return false;
    }
    let Some(hex) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(given) = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut m = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key");
    m.update(format!("{ts}.{body}").as_bytes());
    m.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers, computed independently with Python's `hmac` module:
    /// `base64(hmac.new(b"1599360473\nsecret", b"", sha256))` and
    /// `base64(hmac.new(b"secret", b"1599360473000\nsecret", sha256))`.
    #[test]
    fn known_answers() {
        assert_eq!(
            feishu("secret", 1_599_360_473),
            "q4jswNiMy51J5JuQV566yJat0/lQ/c+22kINzUgKsGU="
        );
        assert_eq!(
            dingtalk("secret", 1_599_360_473_000),
            "h/3f4uEADBeKkVuXX2NS1pXSEqARbYb1RV0kmXPBfn0="
        );
        assert_eq!(url_encode("a+b/c="), "a%2Bb%2Fc%3D");
    }

    #[test]
    fn webhook_signatures_verify_and_replays_are_refused() {
        let sig = webhook("k", 1000, "{\"a\":1}");
        assert!(verify_webhook("k", "1000", &sig, "{\"a\":1}", 1100));
        assert!(
            !verify_webhook("k", "1000", &sig, "{\"a\":2}", 1100),
            "another body"
        );
        assert!(
            !verify_webhook("other", "1000", &sig, "{\"a\":1}", 1100),
            "another key"
        );
        assert!(
            !verify_webhook("k", "1000", &sig, "{\"a\":1}", 1301),
            "older than 5 minutes"
        );
        assert!(
            !verify_webhook("k", "999", &sig, "{\"a\":1}", 1100),
            "another timestamp"
        );
    }
}

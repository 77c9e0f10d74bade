//! Report ids and the short references visitors read out on the phone.
//!
//! The id is a UUID v4 made from 16 random bytes the caller supplies (the browser's
//! `crypto.getRandomValues`); it is also the `Idempotency-Key`. The reference
//! (`ACME-7K2P9Q`) is the brand's prefix plus 6 Crockford base-32 characters (30 bits)
//! taken from the same bytes: no I, L, O or U, so it survives being read aloud.
use crate::defaults;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Format 16 random bytes as a UUID v4 (version and variant bits set).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0xf)] as char);
    }
    s
}

/// The reference prefix for a brand: its first letters and digits, upper-cased.
pub fn prefix(brand: Option<&str>) -> String {
    let p: String = brand
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(defaults::REFERENCE_PREFIX_CHARS)
        .collect::<String>()
        .to_ascii_uppercase();
    if p.is_empty() {
        defaults::REFERENCE_PREFIX.to_string()
    } else {
        p
    }
}

/// The visitor-facing reference for the report with these random bytes.
pub fn reference(brand: Option<&str>, bytes: &[u8; 16]) -> String {
    // 30 bits from the bytes the UUID keeps random (it overwrites 6's high and 8's high bits).
    let bits = (u32::from(bytes[0]) << 22)
        | (u32::from(bytes[1]) << 14)
        | (u32::from(bytes[2]) << 6)
        | (u32::from(bytes[3]) >> 2);
    let mut s = prefix(brand);
    s.push('-');
    for i in (0..6).rev() {
        s.push(CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_version_4_variant_1() {
        let u = uuid_v4([0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid_v4([0; 16]);
        assert_eq!(u, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn reference_looks_like_the_contract() {
        let r = reference(Some("Acme"), &[7; 16]);
        assert_eq!(r.len(), "ACME-7K2P9Q".len());
        assert!(r.starts_with("ACME-"));
        assert!(r[5..].bytes().all(|b| CROCKFORD.contains(&b)));
        assert_eq!(prefix(Some("Zhī Motors")), "ZHMO");
        assert_eq!(prefix(Some("蔚来")), "RU");
        assert_eq!(prefix(None), "RU");
        assert_ne!(
            reference(Some("Acme"), &[1; 16]),
            reference(Some("Acme"), &[2; 16])
        );
    }
}

//! Instants as milliseconds since the Unix epoch, and their RFC 3339 UTC form.
//! Time zones are not handled here: the browser's `Intl` knows them.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// Days since the epoch → (year, month 1–12, day 1–31), proleptic Gregorian.
/// Howard Hinnant's `civil_from_days`.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month 1–12, day 1–31) → days since the epoch; the inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days in a month of the proleptic Gregorian calendar; `None` for a month outside 1–12.
pub fn days_in_month(year: i64, month: u32) -> Option<u32> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    })
}

/// A field of ASCII digits only (`str::parse` would also take a sign: "+1").
fn digits(part: &str) -> Option<u32> {
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// Parse a calendar date `YYYY-MM-DD` (exactly ten characters), checking the month's
/// length: `2026-02-31` is refused. The one date reader of the crate (RFC 3339 instants and
/// holidays both use it).
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| digits(s.get(r)?);
    let (y, m, d) = (i64::from(digits(0..4)?), digits(5..7)?, digits(8..10)?);
    (1..=days_in_month(y, m)?).contains(&d).then_some((y, m, d))
}

/// Parse RFC 3339 (`2026-11-23T11:30:00Z`, `…00.123+08:00`) to milliseconds.
pub fn parse_iso(s: &str) -> Option<Millis> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits(s.get(r)?).map(i64::from);
    let (y, mo, d) = parse_date(s.get(0..10)?)?;
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let f = frac.get(..digits.min(3))?;
        ms = f.parse::<i64>().ok()? * 10i64.pow(3 - f.len() as u32);
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let n = |a: usize| digits(rest.get(a..a + 2)?).map(i64::from);
            let (oh, om) = (n(1)?, n(4)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
    };
    let days = days_from_civil(y, mo, d);
    Some(days * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms - offset * 60_000)
}

/// RFC 3339 in UTC with milliseconds: `2026-11-23T11:30:00.000Z`.
pub fn iso_utc(ms: Millis) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_utc(1_795_433_400_123), "2026-11-23T11:30:00.123Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn parses_rfc3339() {
        assert_eq!(
            parse_iso("2026-11-23T11:30:00.123Z"),
            Some(1_795_433_400_123)
        );
        assert_eq!(
            parse_iso("2026-11-23T19:30:00+08:00"),
            Some(1_795_433_400_000)
        );
        assert_eq!(parse_iso("2026-11-23T11:30:00.5Z"), Some(1_795_433_400_500));
        for bad in [
            "",
            "2026-11-23",
            "2026-13-23T11:30:00Z",
            "2026-11-23T11:30:00",
            "2026-11-23T11:30:00+0800",
            "yesterday",
            // Days the month does not have, signs inside numbers, offsets out of range.
            "2026-02-31T11:30:00Z",
            "2026-02-29T11:30:00Z",
            "2026-04-31T11:30:00Z",
            "2026-11-+3T11:30:00Z",
            "2026-11-23T+1:30:00Z",
            "2026-11-23T11:30:00+24:00",
            "2026-11-23T11:30:00+08:60",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_know_month_lengths() {
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-02-31",
            "2026-00-10",
            "2026-13-01",
            "2026-1-01",
            "2026-01-00",
            "+026-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// `parse_iso` agrees with chrono's RFC 3339 parser on instants built from fields
        /// around and beyond their ranges (leap seconds aside, which chrono keeps apart).
        #[test]
        fn parse_iso_agrees_with_chrono(
            y in 1900i64..2200, mo in 0u32..14, d in 0u32..33, h in 0u32..25, mi in 0u32..61,
            sec in 0u32..60, frac in proptest::option::of(0u32..1000),
            off in proptest::option::of((proptest::bool::ANY, 0u32..26, 0u32..61)),
        ) {
            let frac = frac.map(|f| format!(".{f:03}")).unwrap_or_default();
            let off = match off {
                None => "Z".to_string(),
                Some((neg, oh, om)) => format!("{}{oh:02}:{om:02}", if neg { '-' } else { '+' }),
            };
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{frac}{off}");
            let theirs = chrono::DateTime::parse_from_rfc3339(&text).ok().map(|t| t.timestamp_millis());
            proptest::prop_assert_eq!(parse_iso(&text), theirs, "{}", text);
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 11_016, 20_415, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}

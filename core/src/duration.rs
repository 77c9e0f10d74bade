//! Response-time durations as brands write them: `"2h"`, `"30m"`, `"1d"`, `"90m"`,
//! `"1h30m"`. Parsed to whole minutes.
use crate::defaults::MAX_PROMISE_MINUTES;

/// Why a duration string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// Empty string.
    Empty,
    /// Starts with `-`: a promise cannot be in the past.
    Negative,
    /// Not of the form `<number><d|h|m>…`.
    Malformed,
    /// Zero minutes, or more than the ceiling.
    OutOfRange,
}

impl DurationError {
    /// One sentence fragment for a config error.
    pub fn describe(&self) -> &'static str {
        match self {
            DurationError::Empty => "is empty: write a duration like \"2h\", \"30m\" or \"1d\"",
            DurationError::Negative => "is negative: a reply cannot be promised in the past",
            DurationError::Malformed => {
                "is not a duration: write a number followed by d, h or m, like \"2h\", \"90m\" or \"1h30m\""
            }
            DurationError::OutOfRange => "must be between 1 minute and 30 days",
        }
    }
}

/// Parse a duration into minutes.
pub fn parse_minutes(input: &str) -> Result<u32, DurationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    if s.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    // Each unit at most once, largest first ("1h30m", not "2h2h" or "30m1h").
    let mut last_unit = u64::MAX;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number.unwrap_or(0) * 10 + u64::from(d);
            if n > u64::from(u32::MAX) {
                return Err(DurationError::OutOfRange);
            }
            number = Some(n);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            'd' => 24 * 60,
            'h' => 60,
            'm' => 1,
            ' ' if number.is_none() => continue,
            _ => return Err(DurationError::Malformed),
        };
        let n = number.take().ok_or(DurationError::Malformed)?;
        if unit >= last_unit {
            return Err(DurationError::Malformed);
        }
        last_unit = unit;
        total += n * unit;
    }
    if number.is_some() {
        // Trailing digits without a unit ("90") are ambiguous: refuse rather than guess.
        return Err(DurationError::Malformed);
    }
    if total == 0 || total > u64::from(MAX_PROMISE_MINUTES) {
        return Err(DurationError::OutOfRange);
    }
    Ok(total as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_minutes("2h"), Ok(120));
        assert_eq!(parse_minutes("30m"), Ok(30));
        assert_eq!(parse_minutes("1d"), Ok(1440));
        assert_eq!(parse_minutes("90m"), Ok(90));
        assert_eq!(parse_minutes("1h30m"), Ok(90));
        assert_eq!(parse_minutes(" 1h 30m "), Ok(90));
        assert_eq!(parse_minutes("2H"), Ok(120));
    }

    #[test]
    fn refuses_bad_durations_with_a_reason() {
        assert_eq!(parse_minutes(""), Err(DurationError::Empty));
        assert_eq!(parse_minutes("-2h"), Err(DurationError::Negative));
        assert_eq!(parse_minutes("90"), Err(DurationError::Malformed));
        assert_eq!(parse_minutes("h"), Err(DurationError::Malformed));
        assert_eq!(parse_minutes("2x"), Err(DurationError::Malformed));
        assert_eq!(parse_minutes("0m"), Err(DurationError::OutOfRange));
        assert_eq!(parse_minutes("31d"), Err(DurationError::OutOfRange));
        assert_eq!(
            parse_minutes("99999999999h"),
            Err(DurationError::OutOfRange)
        );
    }

    #[test]
    fn each_unit_once_largest_first() {
        for bad in ["2h2h", "30m1h", "1h1h30m", "1m1d", "1d1d"] {
            assert_eq!(parse_minutes(bad), Err(DurationError::Malformed), "{bad}");
        }
        assert_eq!(parse_minutes("1d2h30m"), Ok(1590));
        assert_eq!(parse_minutes("1d30m"), Ok(1470));
    }
}

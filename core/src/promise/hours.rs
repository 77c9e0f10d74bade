//! Business hours as brands write them, and their validation.
//!
//! `{"time_zone": "Asia/Shanghai", "mon-fri": "09:00-18:00", "sat": "10:00-16:00"}` or
//! `"24/7"`. Keys: `mon`…`sun`, ranges (`mon-fri`, `fri-mon`), lists (`mon,wed`). Values:
//! one or more windows `"09:00-12:00, 13:00-18:00"`, `"closed"`, or `"00:00-24:00"`. A
//! window whose end is before its start crosses midnight (`"22:00-02:00"`). Windows on one
//! day may not overlap, and at least one day must be open.
use std::fmt;

/// One open window in local minutes since midnight, `start < end <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    /// Opening minute.
    pub start: u16,
    /// Closing minute (exclusive); 1440 is midnight at the end of the day.
    pub end: u16,
}

/// A local calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// Parse `YYYY-MM-DD` ([`crate::time::parse_date`]: the month's length is checked).
    pub fn parse(s: &str) -> Option<Date> {
        let (year, month, day) = crate::time::parse_date(s)?;
        Some(Date {
            year: i32::try_from(year).ok()?,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why business hours were refused; each names the key and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoursError {
    /// A day key that is not `mon`…`sun`, a range or a list of them.
    Day(String),
    /// A time that is not `HH:MM` from 00:00 to 24:00.
    Time(String),
    /// A window of zero length.
    Empty(String),
    /// Two windows overlap on a day.
    Overlap(String),
    /// No day is open.
    Closed,
    /// The same day is given twice.
    Twice(String),
    /// A holiday that is not `YYYY-MM-DD`.
    Holiday(String),
}

impl fmt::Display for HoursError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HoursError::Day(k) => write!(f, "has an unknown day \"{k}\": use mon, tue, wed, thu, fri, sat, sun, a range like \"mon-fri\" or a list like \"mon,wed\""),
            HoursError::Time(t) => write!(f, "has \"{t}\": times are HH:MM from 00:00 to 24:00"),
            HoursError::Empty(w) => write!(f, "has an empty window \"{w}\""),
            HoursError::Overlap(d) => write!(f, "has overlapping windows on {d}"),
            HoursError::Closed => write!(f, "is closed every day: open at least one window, or make no promise"),
            HoursError::Twice(d) => write!(f, "gives {d} twice"),
            HoursError::Holiday(h) => write!(f, "has holiday \"{h}\": write dates as YYYY-MM-DD"),
        }
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Validated business hours (without the zone, which the caller resolves).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessHours {
    /// Open around the clock (holidays still apply... no: "24/7" ignores holidays).
    pub always: bool,
    /// Windows per weekday, Monday first, sorted, non-overlapping.
    pub week: [Vec<Window>; 7],
    /// Closed dates, local to the brand's zone.
    pub holidays: Vec<Date>,
}

fn time(s: &str) -> Result<u16, HoursError> {
    let bad = || HoursError::Time(s.to_string());
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn days(key: &str) -> Result<Vec<usize>, HoursError> {
    let idx = |d: &str| {
        DAYS.iter()
            .position(|x| x.eq_ignore_ascii_case(d.trim()))
            .ok_or_else(|| HoursError::Day(key.to_string()))
    };
    let mut out = Vec::new();
    for part in key.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (idx(a)?, idx(b)?);
                let mut d = a;
                loop {
                    out.push(d);
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => out.push(idx(part)?),
        }
    }
    Ok(out)
}

/// Holiday strings (`YYYY-MM-DD`) as sorted dates.
fn holiday_dates(holidays: &[String]) -> Result<Vec<Date>, HoursError> {
    let mut hs = Vec::new();
    for h in holidays {
        hs.push(Date::parse(h.trim()).ok_or_else(|| HoursError::Holiday(h.clone()))?);
    }
    sort_short(&mut hs);
    Ok(hs)
}

impl BusinessHours {
    /// Open around the clock.
    pub fn always() -> Self {
        BusinessHours {
            always: true,
            week: Default::default(),
            holidays: Vec::new(),
        }
    }

    /// Build from `(day key, windows)` pairs and holiday strings.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        holidays: &[String],
    ) -> Result<Self, HoursError> {
        let mut week: [Vec<Window>; 7] = Default::default();
        let mut seen = [false; 7];
        for (key, spec) in entries {
            let ds = days(key)?;
            let mut wins: Vec<(u16, u16)> = Vec::new();
            if !spec.trim().eq_ignore_ascii_case("closed") {
                for w in spec.split(',') {
                    let (a, b) = w
                        .split_once('-')
                        .ok_or_else(|| HoursError::Time(w.trim().to_string()))?;
                    let (a, b) = (time(a)?, time(b)?);
                    if a == b {
                        return Err(HoursError::Empty(w.trim().to_string()));
                    }
                    wins.push((a, b));
                }
            }
            for d in ds {
                if std::mem::replace(&mut seen[d], true) {
                    return Err(HoursError::Twice(DAYS[d].to_string()));
                }
                for &(a, b) in &wins {
                    if a < b {
                        week[d].push(Window { start: a, end: b });
                    } else {
                        // Crosses midnight: the rest of today, then the start of tomorrow.
                        if a < 1440 {
                            week[d].push(Window {
                                start: a,
                                end: 1440,
                            });
                        }
                        if b > 0 {
                            week[(d + 1) % 7].push(Window { start: 0, end: b });
                        }
                    }
                }
            }
        }
        for (d, wins) in week.iter_mut().enumerate() {
            sort_short(wins);
            if wins.windows(2).any(|p| p[1].start < p[0].end) {
                return Err(HoursError::Overlap(DAYS[d].to_string()));
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err(HoursError::Closed);
        }
        Ok(BusinessHours {
            always: false,
            week,
            holidays: holiday_dates(holidays)?,
        })
    }

    /// Windows of a local date (none on a holiday). `weekday`: 0 = Monday.
    pub fn windows(&self, date: Date, weekday: usize) -> &[Window] {
        if self.holidays.binary_search(&date).is_ok() {
            &[]
        } else {
            &self.week[weekday % 7]
        }
    }
}

/// Sort a short list (a day's windows, a brand's holidays) by insertion: `sort_unstable`
/// brings ~2 KiB of pattern-defeating quicksort per element type into the wasm, for lists
/// of a handful (holidays: a few dozen) entries.
fn sort_short<T: Ord>(v: &mut [T]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_short_sorts() {
        for mut v in [
            vec![5, 3, 9, 1, 1, 7],
            vec![],
            vec![2],
            (0..40).rev().collect::<Vec<i32>>(),
        ] {
            let mut want = v.clone();
            want.sort();
            sort_short(&mut v);
            assert_eq!(v, want);
        }
    }

    fn p(entries: &[(&str, &str)]) -> Result<BusinessHours, HoursError> {
        BusinessHours::parse(entries.iter().copied(), &[])
    }

    #[test]
    fn parses_ranges_lists_and_midnight_crossing() {
        let h = p(&[
            ("mon-fri", "09:00-18:00"),
            ("sat", "10:00-12:00, 13:00-16:00"),
        ])
        .unwrap();
        assert_eq!(
            h.week[0],
            vec![Window {
                start: 540,
                end: 1080
            }]
        );
        assert_eq!(
            h.week[4],
            vec![Window {
                start: 540,
                end: 1080
            }]
        );
        assert_eq!(h.week[5].len(), 2);
        assert!(h.week[6].is_empty());
        let h = p(&[("fri", "22:00-02:00")]).unwrap();
        assert_eq!(
            h.week[4],
            vec![Window {
                start: 1320,
                end: 1440
            }]
        );
        assert_eq!(h.week[5], vec![Window { start: 0, end: 120 }]);
        let h = p(&[("sun-mon", "00:00-24:00"), ("wed,fri", "08:00-09:00")]).unwrap();
        assert_eq!(
            h.week[6],
            vec![Window {
                start: 0,
                end: 1440
            }]
        );
        assert_eq!(
            h.week[0],
            vec![Window {
                start: 0,
                end: 1440
            }]
        );
        assert_eq!(h.week[2], h.week[4]);
    }

    #[test]
    fn refuses_bad_hours_with_a_reason() {
        assert_eq!(
            p(&[("mon", "25:00-26:00")]),
            Err(HoursError::Time("25:00".into()))
        );
        assert_eq!(
            p(&[("mon", "09:60-10:00")]),
            Err(HoursError::Time("09:60".into()))
        );
        assert_eq!(p(&[("mon", "9-10")]), Err(HoursError::Time("9".into())));
        assert_eq!(
            p(&[("funday", "09:00-10:00")]),
            Err(HoursError::Day("funday".into()))
        );
        assert_eq!(
            p(&[("mon", "09:00-12:00,11:00-13:00")]),
            Err(HoursError::Overlap("mon".into()))
        );
        assert_eq!(
            p(&[("sun", "22:00-03:00"), ("mon", "02:00-05:00")]),
            Err(HoursError::Overlap("mon".into()))
        );
        assert_eq!(p(&[("mon", "closed")]), Err(HoursError::Closed));
        assert_eq!(p(&[]), Err(HoursError::Closed));
        assert_eq!(
            p(&[("mon", "09:00-09:00")]),
            Err(HoursError::Empty("09:00-09:00".into()))
        );
        assert_eq!(
            p(&[("mon-fri", "09:00-17:00"), ("fri", "10:00-11:00")]),
            Err(HoursError::Twice("fri".into()))
        );
        assert_eq!(
            BusinessHours::parse([("mon", "09:00-10:00")], &["2026-02-30".into()]),
            Err(HoursError::Holiday("2026-02-30".into()))
        );
    }
}

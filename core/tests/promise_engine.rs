//! The promise engine against a real tz database (chrono-tz): hand-checked cases across
//! zones and DST switches, and properties checked against a brute-force minute counter.
use chrono::{Offset, TimeZone};
use proptest::prelude::*;
use reach_us_core::promise::{due, is_open, next_opening, BusinessHours, DueError, Zone};

struct Tz(chrono_tz::Tz);

impl Zone for Tz {
    fn offset_minutes(&self, utc: i64) -> i32 {
        let dt = chrono::DateTime::from_timestamp_millis(utc)
            .expect("in range")
            .naive_utc();
        self.0.offset_from_utc_datetime(&dt).fix().local_minus_utc() / 60
    }
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("test instant")
        .timestamp_millis()
}

fn iso(t: i64) -> String {
    reach_us_core::time::iso_utc(t)
}

fn hours(entries: &[(&str, &str)], holidays: &[&str]) -> BusinessHours {
    let hs: Vec<String> = holidays.iter().map(|s| s.to_string()).collect();
    BusinessHours::parse(entries.iter().copied(), &hs).expect("test hours")
}

const SHANGHAI: Tz = Tz(chrono_tz::Asia::Shanghai);
const NEW_YORK: Tz = Tz(chrono_tz::America::New_York);
const LONDON: Tz = Tz(chrono_tz::Europe::London);
const UTC: Tz = Tz(chrono_tz::UTC);

#[test]
fn shanghai_within_the_day() {
    let h = hours(&[("mon-fri", "09:00-18:00"), ("sat", "10:00-16:00")], &[]);
    // Monday 10:00 Beijing time + 2h -> 12:00 Beijing.
    assert_eq!(
        iso(due(&h, &SHANGHAI, ms("2026-11-23T10:00:00+08:00"), 120).unwrap()),
        "2026-11-23T04:00:00.000Z"
    );
}

#[test]
fn friday_1730_with_two_hours_is_monday() {
    let h = hours(&[("mon-fri", "09:00-18:00")], &[]);
    // 30 minutes on Friday, 90 on Monday: Monday 10:30 Beijing.
    assert_eq!(
        iso(due(&h, &SHANGHAI, ms("2026-11-27T17:30:00+08:00"), 120).unwrap()),
        "2026-11-30T02:30:00.000Z"
    );
}

#[test]
fn saturday_hours_count() {
    let h = hours(&[("mon-fri", "09:00-18:00"), ("sat", "10:00-16:00")], &[]);
    // Friday 17:30 + 2h: 30 min Friday, 90 min Saturday from 10:00 -> Saturday 11:30.
    assert_eq!(
        iso(due(&h, &SHANGHAI, ms("2026-11-27T17:30:00+08:00"), 120).unwrap()),
        "2026-11-28T03:30:00.000Z"
    );
}

#[test]
fn a_holiday_run_is_skipped() {
    let golden_week = [
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ];
    let h = hours(
        &[("mon-fri", "09:00-18:00"), ("sat", "10:00-16:00")],
        &golden_week,
    );
    // Wednesday 30 Sep 17:00 + 2h: 1h that day, nothing 1-7 Oct, 1h from Thursday 8 Oct 09:00.
    assert_eq!(
        iso(due(&h, &SHANGHAI, ms("2026-09-30T17:00:00+08:00"), 120).unwrap()),
        "2026-10-08T02:00:00.000Z"
    );
}

#[test]
fn a_report_while_closed_starts_the_clock_at_opening() {
    let h = hours(&[("mon-fri", "09:00-18:00")], &[]);
    // Sunday 23:00 + 30m -> Monday 09:30.
    assert_eq!(
        iso(due(&h, &SHANGHAI, ms("2026-11-22T23:00:00+08:00"), 30).unwrap()),
        "2026-11-23T01:30:00.000Z"
    );
    assert_eq!(
        iso(next_opening(&h, &SHANGHAI, ms("2026-11-22T23:00:00+08:00")).unwrap()),
        "2026-11-23T01:00:00.000Z"
    );
    // Monday 08:59 -> opens 09:00.
    assert!(!is_open(&h, &SHANGHAI, ms("2026-11-23T08:59:00+08:00")));
    assert!(is_open(&h, &SHANGHAI, ms("2026-11-23T09:00:00+08:00")));
    assert!(!is_open(&h, &SHANGHAI, ms("2026-11-23T18:00:00+08:00")));
}

#[test]
fn new_york_spring_forward() {
    // 8 March 2026, 02:00 EST -> 03:00 EDT.
    let all_day = hours(&[("mon-sun", "00:00-24:00")], &[]);
    // 01:30 EST + 60 real minutes -> 03:30 EDT (07:30Z): the skipped hour is not counted.
    assert_eq!(
        iso(due(&all_day, &NEW_YORK, ms("2026-03-08T01:30:00-05:00"), 60).unwrap()),
        "2026-03-08T07:30:00.000Z"
    );
    // A window opening inside the gap opens at the end of the gap.
    let gap = hours(&[("sun", "02:30-05:00")], &[]);
    assert_eq!(
        iso(next_opening(&gap, &NEW_YORK, ms("2026-03-08T01:00:00-05:00")).unwrap()),
        "2026-03-08T07:00:00.000Z"
    );
    assert_eq!(
        iso(due(&gap, &NEW_YORK, ms("2026-03-08T01:00:00-05:00"), 60).unwrap()),
        "2026-03-08T08:00:00.000Z"
    );
    // Friday before the switch, office hours: Friday 16:00 EST + 2h -> Monday 10:00 EDT.
    let office = hours(&[("mon-fri", "09:00-17:00")], &[]);
    assert_eq!(
        iso(due(&office, &NEW_YORK, ms("2026-03-06T16:00:00-05:00"), 120).unwrap()),
        "2026-03-09T14:00:00.000Z"
    );
}

#[test]
fn new_york_fall_back() {
    // 1 November 2026, 02:00 EDT -> 01:00 EST.
    let all_day = hours(&[("mon-sun", "00:00-24:00")], &[]);
    assert_eq!(
        iso(due(&all_day, &NEW_YORK, ms("2026-11-01T00:30:00-04:00"), 120).unwrap()),
        "2026-11-01T06:30:00.000Z"
    );
    // An open 01:00-02:00 window happens twice that night: both hours count.
    let repeated = hours(&[("sun", "01:00-02:00")], &[]);
    assert_eq!(
        iso(due(&repeated, &NEW_YORK, ms("2026-11-01T00:00:00-04:00"), 120).unwrap()),
        "2026-11-01T07:00:00.000Z"
    );
    // Friday 16:30 EDT + 1h office time -> Monday 09:30 EST.
    let office = hours(&[("mon-fri", "09:00-17:00")], &[]);
    assert_eq!(
        iso(due(&office, &NEW_YORK, ms("2026-10-30T16:30:00-04:00"), 60).unwrap()),
        "2026-11-02T14:30:00.000Z"
    );
}

#[test]
fn london_across_the_end_of_summer_time() {
    // BST ends 25 October 2026. Friday 16:00 BST + 2h -> Monday 10:00 GMT.
    let office = hours(&[("mon-fri", "09:00-17:00")], &[]);
    assert_eq!(
        iso(due(&office, &LONDON, ms("2026-10-23T16:00:00+01:00"), 120).unwrap()),
        "2026-10-26T10:00:00.000Z"
    );
    // And into summer time: Friday 27 March 2026 16:00 GMT + 2h -> Monday 30 March 10:00 BST.
    assert_eq!(
        iso(due(&office, &LONDON, ms("2026-03-27T16:00:00Z"), 120).unwrap()),
        "2026-03-30T09:00:00.000Z"
    );
}

#[test]
fn around_the_clock() {
    let h = BusinessHours::always();
    assert_eq!(due(&h, &SHANGHAI, 1_000, 15).unwrap(), 1_000 + 15 * 60_000);
}

#[test]
fn a_window_across_midnight() {
    let h = hours(&[("fri", "22:00-02:00")], &[]);
    // Friday 23:00 + 2h: 1h to midnight, 1h into Saturday -> Saturday 01:00.
    assert_eq!(
        iso(due(&h, &UTC, ms("2026-11-27T23:00:00Z"), 120).unwrap()),
        "2026-11-28T01:00:00.000Z"
    );
}

#[test]
fn a_year_of_holidays_is_never_open() {
    let days: Vec<String> = (0..400)
        .map(|k| {
            reach_us_core::time::iso_utc(ms("2026-01-01T00:00:00Z") + k * 86_400_000)[..10]
                .to_string()
        })
        .collect();
    let hs: Vec<&str> = days.iter().map(String::as_str).collect();
    let h = hours(&[("mon-sun", "09:00-17:00")], &hs);
    assert_eq!(
        due(&h, &UTC, ms("2026-01-01T00:00:00Z"), 60),
        Err(DueError::NeverOpen)
    );
}

/// Brute force: count open minutes from `now` to `end`, one minute at a time.
fn open_minutes(h: &BusinessHours, z: &dyn Zone, now: i64, end: i64) -> i64 {
    let mut t = now;
    let mut n = 0;
    while t < end {
        if is_open(h, z, t) {
            n += 1;
        }
        t += 60_000;
    }
    n
}

fn schedules() -> Vec<BusinessHours> {
    vec![
        hours(
            &[("mon-fri", "09:00-18:00"), ("sat", "10:00-16:00")],
            &["2026-10-01", "2026-12-25"],
        ),
        hours(&[("mon-fri", "08:00-12:00, 13:00-17:30")], &[]),
        hours(&[("fri-sun", "22:00-02:00"), ("wed", "01:00-03:00")], &[]),
        hours(&[("mon-sun", "00:00-24:00")], &["2026-03-08"]),
        hours(
            &[("sun", "01:00-02:00, 02:30-03:30"), ("tue", "12:00-12:30")],
            &[],
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn due_is_honest(
        // Minutes in 2026 (both DST switches of both hemispheres' northern zones).
        minute in 29_462_400i64..30_000_000i64,
        minutes in 1u32..1_500,
        s in 0usize..5,
        z in 0usize..4,
    ) {
        let zones: [&dyn Zone; 4] = [&SHANGHAI, &NEW_YORK, &LONDON, &UTC];
        let (h, zone) = (&schedules()[s], zones[z]);
        let now = minute * 60_000;
        let d = due(h, zone, now, minutes).unwrap();
        // Never before now, never sooner than the plain duration.
        prop_assert!(d >= now + i64::from(minutes) * 60_000);
        // Exactly `minutes` open minutes between now and due.
        prop_assert_eq!(open_minutes(h, zone, now, d), i64::from(minutes));
        // It lands inside an open window: the last minute before it was open.
        prop_assert!(is_open(h, zone, d - 60_000));
    }
}

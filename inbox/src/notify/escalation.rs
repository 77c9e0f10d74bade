//! Escalation before the deadline: rules per category that notify a channel when a share
//! of the promise has passed with no answer, and when the report is overdue.
//!
//! `INBOX_ESCALATE` holds rules separated by `;`, each `<category>: <step>, <step>, …`,
//! where `<category>` is a category id or `*` (every category without a rule of its own)
//! and a step is `<N>%=<channel>` (N from 0 to 100: when N % of the promised time has
//! passed, counted in business time by the shared promise engine) or `overdue=<channel>`
//! (at the due time). `0%` is at once: an urgent category straight to the on-call channel.
//!
//! ```text
//! INBOX_ESCALATE="*: 50%=team, 90%=lead, overdue=oncall; safety: 0%=oncall, overdue=oncall"
//! ```
//!
//! Every step is written to the queue with the report, in the same transaction, to run at
//! its time; when its time comes the worker sends it only if the report still has no
//! answer (not answered, resolved or spam). Steps other than `0%` need a promise.
use reach_us_core::promise;
use reach_us_core::Config;

/// When a step fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// This share of the promised business time has passed (0–100).
    Percent(u32),
    /// The due time.
    Overdue,
}

/// One step of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// When.
    pub at: At,
    /// Which channel.
    pub channel: String,
}

/// The steps for one category (`None`: the default, `*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Category id, or None for `*`.
    pub category: Option<String>,
    /// Steps.
    pub steps: Vec<Step>,
}

/// Parse `INBOX_ESCALATE`.
pub fn parse(s: &str) -> Result<Vec<Rule>, String> {
    let mut rules: Vec<Rule> = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (cat, steps) = part.split_once(':').ok_or_else(|| {
            format!("{part:?}: write <category>: <step>, … (e.g. \"*: 50%=team\")")
        })?;
        let cat = cat.trim();
        let category = (cat != "*").then(|| cat.to_string());
        if category
            .as_deref()
            .is_some_and(|c| c.is_empty() || c.len() > 40)
        {
            return Err(format!("{part:?}: a category id or *"));
        }
        if rules.iter().any(|r| r.category == category) {
            return Err(format!("{cat:?} has two rules"));
        }
        let mut out = Vec::new();
        for step in steps.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (when, channel) = step
                .split_once('=')
                .ok_or_else(|| format!("{step:?}: write <N>%=<channel> or overdue=<channel>"))?;
            let at = match when.trim() {
                "overdue" => At::Overdue,
                w => At::Percent(
                    w.strip_suffix('%')
                        .and_then(|n| n.trim().parse::<u32>().ok())
                        .filter(|n| *n <= 100)
                        .ok_or_else(|| format!("{step:?}: {w:?} is not 0%–100% or overdue"))?,
                ),
            };
            out.push(Step {
                at,
                channel: channel.trim().to_ascii_lowercase(),
            });
        }
        if out.is_empty() {
            return Err(format!("{part:?} has no steps"));
        }
        rules.push(Rule {
            category,
            steps: out,
        });
    }
    Ok(rules)
}

/// The rule for `category`: its own, else `*`'s.
pub fn rule_for<'a>(rules: &'a [Rule], category: &str) -> Option<&'a Rule> {
    rules
        .iter()
        .find(|r| r.category.as_deref() == Some(category))
        .or_else(|| rules.iter().find(|r| r.category.is_none()))
}

/// The event name a step is queued under (one row per report, event and channel).
pub fn event(at: At) -> String {
    match at {
        At::Percent(p) => format!("esc:{p}"),
        At::Overdue => "esc:overdue".into(),
    }
}

/// When `p` % of the promise for a report in `category`, whose clock started at `start`,
/// has passed: business time through the shared engine, as the due time itself is.
pub fn at_percent(widget: &Config, category: &str, start: i64, p: u32) -> Option<i64> {
    let rule = widget.rule_for(category)?;
    let minutes = (u64::from(rule.minutes) * u64::from(p)).div_ceil(100) as u32;
    if !rule.business() {
        return Some(start + i64::from(minutes) * 60_000);
    }
    let zone: chrono_tz::Tz = rule.time_zone.as_deref()?.parse().ok()?;
    promise::due(&rule.hours, &crate::due::Tz(zone), start, minutes).ok()
}

/// The escalation steps of one new report: (event, channel, when). `0%` runs at
/// `accepted`; the others need a promise (`due`).
pub fn steps_for(
    rules: &[Rule],
    widget: Option<&Config>,
    category: &str,
    start: i64,
    accepted: i64,
    due: Option<i64>,
) -> Vec<(String, String, i64)> {
    let Some(rule) = rule_for(rules, category) else {
        return Vec::new();
    };
    rule.steps
        .iter()
        .filter_map(|s| {
            let when = match s.at {
                At::Percent(0) => Some(accepted),
                At::Overdue => due,
                At::Percent(p) => due.and(widget.and_then(|w| at_percent(w, category, start, p))),
            }?;
            Some((event(s.at), s.channel.clone(), when.max(accepted)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_refuse_clearly() {
        let r = parse("*: 50%=team, 90%=Lead, overdue=oncall; safety: 0%=oncall").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].category, None);
        assert_eq!(
            r[0].steps[1],
            Step {
                at: At::Percent(90),
                channel: "lead".into()
            }
        );
        assert_eq!(r[0].steps[2].at, At::Overdue);
        assert_eq!(rule_for(&r, "safety").unwrap().steps.len(), 1);
        assert_eq!(rule_for(&r, "order").unwrap().category, None);
        for bad in [
            "team",
            "*: 150%=x",
            "*: half=x",
            "*:",
            "*: 50%=a; *: 90%=b",
            ": 5%=a",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn half_of_a_business_promise_is_counted_in_business_time() {
        let w = crate::config::widget_config(
            r#"{"promise": {"respond_within": "2h", "business_hours": {"time_zone": "UTC", "mon-fri": "09:00-18:00"}}}"#,
        )
        .unwrap();
        // Friday 2026-11-27 17:30 UTC: 30 business minutes left that day.
        let start = reach_us_core::time::parse_iso("2026-11-27T17:30:00Z").unwrap();
        let half = at_percent(&w, "problem", start, 50).unwrap();
        assert_eq!(
            reach_us_core::time::iso_utc(half),
            "2026-11-30T09:30:00.000Z",
            "Monday, 60 business minutes in"
        );
        let due = crate::due::due(&w, "problem", start).unwrap();
        let steps = steps_for(
            &parse("*: 0%=a, 50%=b, overdue=c").unwrap(),
            Some(&w),
            "problem",
            start,
            start,
            Some(due),
        );
        assert_eq!(steps[0], ("esc:0".into(), "a".into(), start));
        assert_eq!(steps[1].2, half);
        assert_eq!(steps[2], ("esc:overdue".into(), "c".into(), due));
        // Without a promise only the 0% step runs.
        let none = steps_for(
            &parse("*: 0%=a, 50%=b, overdue=c").unwrap(),
            None,
            "x",
            start,
            start,
            None,
        );
        assert_eq!(none.len(), 1);
    }
}

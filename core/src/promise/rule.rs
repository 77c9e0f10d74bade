//! The `promise` config (and a category's override of it): as written, read from a
//! [`Value`], and validated into a [`PromiseRule`] the engine can run.
use super::hours::BusinessHours;
use super::Zone;
use crate::duration::parse_minutes;
use crate::error::ConfigError;
use crate::time::Millis;
use crate::value::{self, Value};

/// `business_hours` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawHours {
    /// `"24/7"`.
    Always,
    /// `{"time_zone": "Asia/Shanghai", "mon-fri": "09:00-18:00", …}`.
    Week {
        /// IANA zone, required.
        time_zone: Option<String>,
        /// Day key → windows.
        days: Vec<(String, String)>,
    },
}

/// `promise` as written: `"2h"` or the object form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawPromise {
    /// Written as the bare string (`"promise": "2h"`, `data-promise="2h"`).
    pub shorthand: bool,
    /// `"2h"`, `"30m"`, `"1d"`…
    pub respond_within: Option<String>,
    /// Opening hours; absent means around the clock.
    pub business_hours: Option<RawHours>,
    /// Closed dates, `YYYY-MM-DD`, local to the zone.
    pub holidays: Option<Vec<String>>,
    /// Where a report's status can be read (`{id}` is replaced).
    pub status_url: Option<String>,
    /// Where the brand's track record can be read.
    pub track_record_url: Option<String>,
}

/// The keys of the object form.
pub const PROMISE_FIELDS: [&str; 5] = [
    "respond_within",
    "business_hours",
    "holidays",
    "status_url",
    "track_record_url",
];

impl RawHours {
    /// Read `business_hours` at `field`.
    pub fn from_value(field: &str, v: &Value) -> Result<RawHours, ConfigError> {
        match v {
            Value::Str(s) if s.trim() == "24/7" => Ok(RawHours::Always),
            Value::Map(_) => {
                let mut time_zone = None;
                let mut days = Vec::new();
                for (k, d) in value::object(field, v, &[])? {
                    let s = value::string(&format!("{field}.{k}"), d)?;
                    if k == "time_zone" {
                        time_zone = Some(s);
                    } else {
                        days.push((k.to_string(), s));
                    }
                }
                Ok(RawHours::Week { time_zone, days })
            }
            other => Err(ConfigError::invalid(
                field,
                format!(
                    "must be \"24/7\" or an object of day → hours, not {}",
                    other.kind()
                ),
            )),
        }
    }
}

impl RawPromise {
    /// Read `promise` (or a category's override fields) from a value.
    pub fn from_value(field: &str, v: &Value) -> Result<RawPromise, ConfigError> {
        if let Value::Str(s) = v {
            return Ok(RawPromise {
                shorthand: true,
                respond_within: Some(s.clone()),
                ..RawPromise::default()
            });
        }
        let mut p = RawPromise::default();
        for (k, v) in value::object(field, v, &PROMISE_FIELDS)? {
            let path = format!("{field}.{k}");
            match k {
                "respond_within" => p.respond_within = Some(value::string(&path, v)?),
                "business_hours" => p.business_hours = Some(RawHours::from_value(&path, v)?),
                "holidays" => {
                    p.holidays = Some(
                        value::list(&path, v)?
                            .iter()
                            .enumerate()
                            .map(|(i, h)| value::string(&format!("{path}[{i}]"), h))
                            .collect::<Result<_, _>>()?,
                    )
                }
                "status_url" => p.status_url = Some(value::string(&path, v)?),
                _ => p.track_record_url = Some(value::string(&path, v)?),
            }
        }
        Ok(p)
    }
}

/// A validated promise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromiseRule {
    /// As the brand wrote it (`"2h"`), echoed in the payload.
    pub respond_within: String,
    /// The same in minutes.
    pub minutes: u32,
    /// When the team works (`always` for around the clock).
    pub hours: BusinessHours,
    /// The hours' IANA zone (None when around the clock). The browser checks it exists.
    pub time_zone: Option<String>,
    /// Status endpoint template.
    pub status_url: Option<String>,
    /// Track record endpoint.
    pub track_record_url: Option<String>,
}

impl PromiseRule {
    /// True when the time counted is business time (not around the clock).
    pub fn business(&self) -> bool {
        !self.hours.always
    }

    /// When a reply is due for a report whose clock started at `start`. `zone_of` gives
    /// the engine the rule's IANA zone (the browser's `Intl`, or a tz database); it is
    /// only asked for business hours. None: the zone is unknown (then nothing is
    /// promised) or the hours never open. The widget and the inbox both call this.
    pub fn due<Z: Zone>(
        &self,
        start: Millis,
        zone_of: impl FnOnce(&str) -> Option<Z>,
    ) -> Option<Millis> {
        self.due_within(self.minutes, start, zone_of)
    }

    /// The same for a promise of `minutes` under this rule's hours (the live promise
    /// widens the minutes, never the hours).
    pub fn due_within<Z: Zone>(
        &self,
        minutes: u32,
        start: Millis,
        zone_of: impl FnOnce(&str) -> Option<Z>,
    ) -> Option<Millis> {
        if !self.business() {
            return Some(start + Millis::from(minutes) * 60_000);
        }
        let zone = zone_of(self.time_zone.as_deref()?)?;
        super::due(&self.hours, &zone, start, minutes).ok()
    }

    /// The next opening if the team is closed at `now` (None when open, around the
    /// clock, or the zone is unknown).
    pub fn opens<Z: Zone>(
        &self,
        now: Millis,
        zone_of: impl FnOnce(&str) -> Option<Z>,
    ) -> Option<Millis> {
        if !self.business() {
            return None;
        }
        let zone = zone_of(self.time_zone.as_deref()?)?;
        let at = super::next_opening(&self.hours, &zone, now).ok()?;
        (at > now).then_some(at)
    }
}

fn url(field: &str, s: Option<String>) -> Result<Option<String>, ConfigError> {
    match s {
        Some(u) if crate::check::valid_endpoint(&u) => Ok(Some(u)),
        Some(u) => Err(ConfigError::invalid(
            field,
            format!("must be an http(s) URL or a path starting with \"/\", not \"{u}\""),
        )),
        None => Ok(None),
    }
}

impl PromiseRule {
    /// Validate `raw` found at `field`. `base` is the brand-wide promise a category
    /// override falls back on (for what it does not set).
    pub fn from_raw(
        field: &str,
        raw: RawPromise,
        base: Option<&PromiseRule>,
    ) -> Result<PromiseRule, ConfigError> {
        let shorthand = raw.shorthand;
        let (within_field, within) = match (raw.respond_within, base) {
            (Some(w), _) if shorthand => (field.to_string(), w),
            (Some(w), _) => (format!("{field}.respond_within"), w),
            (None, Some(b)) => (String::new(), b.respond_within.clone()),
            (None, None) => {
                return Err(ConfigError::invalid(
                    format!("{field}.respond_within"),
                    "is required",
                ))
            }
        };
        let minutes = parse_minutes(&within).map_err(|e| {
            ConfigError::invalid(
                within_field.clone(),
                format!("\"{within}\" {}", e.describe()),
            )
        })?;
        let own_holidays = raw.holidays.as_ref().is_some_and(|h| !h.is_empty());
        let holidays = raw
            .holidays
            .or_else(|| base.map(|b| b.hours.holidays.iter().map(|d| d.to_string()).collect()))
            .unwrap_or_default();

        let (hours, time_zone) = match raw.business_hours {
            Some(RawHours::Always) => (BusinessHours::always(), None),
            Some(RawHours::Week { time_zone, days }) => {
                let bh = format!("{field}.business_hours");
                let tz = time_zone.filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                    ConfigError::invalid(
                        format!("{bh}.time_zone"),
                        "is required (an IANA zone such as \"Asia/Shanghai\")",
                    )
                })?;
                let hours = BusinessHours::parse(
                    days.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    &holidays,
                )
                .map_err(|e| {
                    ConfigError::invalid(
                        if matches!(e, super::HoursError::Holiday(_)) {
                            format!("{field}.holidays")
                        } else {
                            bh
                        },
                        e.to_string(),
                    )
                })?;
                (hours, Some(tz.trim().to_string()))
            }
            None => match base {
                Some(b) => (b.hours.clone(), b.time_zone.clone()),
                None => (BusinessHours::always(), None),
            },
        };
        if own_holidays && hours.always {
            return Err(ConfigError::invalid(
                format!("{field}.holidays"),
                "need business_hours with a time_zone: around the clock there is no day to close",
            ));
        }
        Ok(PromiseRule {
            respond_within: within.trim().to_string(),
            minutes,
            hours,
            time_zone,
            status_url: url(&format!("{field}.status_url"), raw.status_url)?
                .or_else(|| base.and_then(|b| b.status_url.clone())),
            track_record_url: url(&format!("{field}.track_record_url"), raw.track_record_url)?
                .or_else(|| base.and_then(|b| b.track_record_url.clone())),
        })
    }
}

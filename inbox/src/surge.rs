//! The live promise, server side: the reply time the team can keep now, from the open
//! backlog and the team's capacity (`reach_us_core::promise::live`, which explains why it
//! holds). The inbox makes it when it accepts a report (the due time it stores, answers
//! and later counts in the track record is the live one) and publishes it for the widget
//! as `surge` on `GET /v1/track-record` (category id → minutes, only where widened), so
//! the widget's open needs no extra request.
//!
//! | variable | default | |
//! |---|---|---|
//! | `INBOX_CAPACITY_PER_HOUR` | unset | answers the team gives per business hour (a decimal); unset: measured |
//! | `INBOX_CAPACITY_MARGIN` | 0.2 | extra share of time the live promise keeps |
//! | `INBOX_CAPACITY_MEASURE_DAYS` | 7 | without a configured capacity: answers in these last days per business hour of the brand's promise (at least 20 answers, else no widening); 0: off |
//!
//! The backlog is every report neither answered, resolved nor spam, across categories
//! (the team answers soonest-due first, whatever the category). It is read from the store
//! at most every [`REFRESH`] (a measured capacity every [`MEASURE_EVERY`]; while there
//! are too few answers to measure, with the backlog); in between,
//! each report this process accepts is added to it (before it is stored, so simultaneous
//! reports see each other). With no capacity configured or measured, nothing is counted.
use std::time::{Duration, Instant};

use reach_us_core::promise::live::{self, Capacity, DEFAULT_MARGIN};
use reach_us_core::promise::{BusinessHours, Zone};
use reach_us_core::Config;
use serde_json::{json, Map, Value};

use crate::state::App;
use crate::store::{Store, StoreError};

/// How often the backlog is read again from the store.
pub const REFRESH: Duration = Duration::from_secs(2);
/// How often the measured capacity (a scan of the window's answers) is computed again.
pub const MEASURE_EVERY: Duration = Duration::from_secs(300);
/// Fewest answers in the window for a measured capacity.
pub const MIN_MEASURED_ANSWERS: u32 = 20;

/// How the capacity is known.
#[derive(Clone, Debug, PartialEq)]
pub struct SurgeConfig {
    /// `INBOX_CAPACITY_PER_HOUR`.
    pub capacity_per_hour: Option<f64>,
    /// `INBOX_CAPACITY_MARGIN`.
    pub margin: f64,
    /// `INBOX_CAPACITY_MEASURE_DAYS` (0: not measured).
    pub measure_days: u32,
}

impl Default for SurgeConfig {
    fn default() -> Self {
        SurgeConfig {
            capacity_per_hour: None,
            margin: DEFAULT_MARGIN,
            measure_days: 7,
        }
    }
}

impl SurgeConfig {
    /// Read the variables `var` gives (the inbox config's lookup: the environment, or a
    /// test's map); an error names the variable.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<SurgeConfig, String> {
        let dec = |k: &str, lo: f64, hi: f64| -> Result<Option<f64>, String> {
            var(k)
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && *x >= lo && *x <= hi)
                        .ok_or_else(|| format!("{k} must be a number from {lo} to {hi}, not {v:?}"))
                })
                .transpose()
        };
        let mut c = SurgeConfig::default();
        c.capacity_per_hour = dec("INBOX_CAPACITY_PER_HOUR", 0.0, 100_000.0)?.filter(|x| *x > 0.0);
        c.margin = dec("INBOX_CAPACITY_MARGIN", 0.0, 10.0)?.unwrap_or(c.margin);
        if let Some(d) = var("INBOX_CAPACITY_MEASURE_DAYS") {
            c.measure_days = d
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 90)
                .ok_or_else(|| format!("INBOX_CAPACITY_MEASURE_DAYS must be 0 to 90, not {d:?}"))?;
        }
        Ok(c)
    }
}

/// What was last read from the store.
struct Snapshot {
    at: Instant,
    /// Open reports, plus those this process accepted since.
    open: u32,
    /// Answers per business hour over the measuring window, if enough, and when it was
    /// computed.
    measured: Option<(Instant, Option<f64>)>,
}

/// The backlog as this process knows it.
#[derive(Default)]
pub struct Live {
    snap: tokio::sync::Mutex<Option<Snapshot>>,
}

const OPEN_SQL: &str = "SELECT COUNT(*) FROM reports WHERE status IN ('received', 'in_progress') AND answered_at IS NULL";
const ANSWERS_SQL: &str =
    "SELECT COUNT(*) FROM reports WHERE answered_at >= ?1 AND status != 'spam'";

async fn count(store: &Store, sql: &'static str, arg: Option<i64>) -> Result<u32, StoreError> {
    let n: i64 = match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                match arg {
                    Some(a) => c.query_row(sql, [a], |r| r.get(0)),
                    None => c.query_row(sql, [], |r| r.get(0)),
                }
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => {
            let c = p.get().await?;
            let sql = sql.replace("?1", "$1");
            match arg {
                Some(a) => c.query_one(&sql, &[&a]).await?.try_get(0)?,
                None => c.query_one(&sql, &[]).await?.try_get(0)?,
            }
        }
    };
    Ok(n.clamp(0, i64::from(u32::MAX)) as u32)
}

/// The hours and zone the team's capacity is counted in: the brand's promise (or, without
/// one, the first category's).
fn team_hours(w: &Config) -> Option<(BusinessHours, Box<dyn Zone + Send>)> {
    let rule = w
        .promise
        .as_ref()
        .or_else(|| w.categories.iter().find_map(|c| c.promise.as_ref()))?;
    if !rule.business() {
        return Some((
            rule.hours.clone(),
            Box::new(reach_us_core::promise::FixedOffset(0)),
        ));
    }
    let tz: chrono_tz::Tz = rule.time_zone.as_deref()?.parse().ok()?;
    Some((rule.hours.clone(), Box::new(crate::due::Tz(tz))))
}

impl Live {
    /// The backlog now, and the capacity; `reserve`: count one more report from now on
    /// (the one being accepted), atomically with the read.
    pub async fn backlog(
        &self,
        app: &App,
        reserve: bool,
    ) -> Result<(u32, Option<Capacity>), StoreError> {
        let sc = &app.cfg.surge;
        if sc.capacity_per_hour.is_none() && sc.measure_days == 0 {
            return Ok((0, None)); // no capacity can be known: nothing to count
        }
        let mut slot = self.snap.lock().await;
        if slot.as_ref().is_none_or(|s| s.at.elapsed() >= REFRESH) {
            let open = count(&app.store, OPEN_SQL, None).await?;
            let kept = slot
                .as_ref()
                .and_then(|s| s.measured)
                .filter(|(at, m)| m.is_some() && at.elapsed() < MEASURE_EVERY);
            let measured = match (&app.cfg.widget, sc.capacity_per_hour, sc.measure_days) {
                _ if kept.is_some() => kept,
                (Some(w), None, days) if days > 0 => {
                    let now = crate::util::now_ms();
                    let since = now - i64::from(days) * 86_400_000;
                    let answers = count(&app.store, ANSWERS_SQL, Some(since)).await?;
                    let per_hour = team_hours(w).and_then(|(h, z)| {
                        let minutes = live::business_minutes(&h, z.as_ref(), since, now);
                        live::measured_per_hour(answers, minutes, MIN_MEASURED_ANSWERS)
                    });
                    Some((Instant::now(), per_hour))
                }
                _ => None,
            };
            *slot = Some(Snapshot {
                at: Instant::now(),
                open,
                measured,
            });
        }
        let s = slot.as_mut().expect("just filled");
        let open = s.open;
        if reserve {
            s.open = s.open.saturating_add(1);
        }
        let per_hour = app
            .cfg
            .surge
            .capacity_per_hour
            .or(s.measured.and_then(|(_, m)| m));
        Ok((
            open,
            per_hour.map(|per_hour| Capacity {
                per_hour,
                margin: app.cfg.surge.margin,
            }),
        ))
    }

    /// Read the backlog again next time (a status change in this process: it moved); a
    /// measured capacity is kept for its own period.
    pub fn changed(&self) {
        if let Ok(mut slot) = self.snap.try_lock() {
            match (slot.as_mut(), Instant::now().checked_sub(REFRESH)) {
                (Some(s), Some(stale)) => s.at = stale,
                _ => *slot = None,
            }
        }
    }
}

/// The promise the inbox makes for a report in `category` whose clock starts at `start`:
/// (minutes, due). None: no promise for it (none configured, or its zone is unknown).
pub async fn promise(
    app: &App,
    category: &str,
    start: i64,
) -> Result<Option<(u32, i64)>, StoreError> {
    let Some(rule) = app.cfg.widget.as_ref().and_then(|w| w.rule_for(category)) else {
        return Ok(None);
    };
    let (open, cap) = app.surge.backlog(app, true).await?;
    let minutes = live::live_minutes(rule.minutes, open, cap);
    Ok(crate::due::due_in(rule, start, minutes).map(|d| (minutes, d)))
}

/// The widened promises now: `{"<category>": minutes}` for each category whose live
/// promise is longer than its configured one (empty when none is).
pub async fn published(app: &App) -> Result<Value, StoreError> {
    let mut out = Map::new();
    let Some(w) = &app.cfg.widget else {
        return Ok(Value::Object(out));
    };
    let (open, cap) = app.surge.backlog(app, false).await?;
    for c in &w.categories {
        if let Some(rule) = w.rule_for(&c.id) {
            let m = live::live_minutes(rule.minutes, open, cap);
            if m > rule.minutes {
                out.insert(c.id.clone(), json!(m));
            }
        }
    }
    Ok(Value::Object(out))
}

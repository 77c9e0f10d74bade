//! The worker: claims due rows, renders and sends them, and ends each row exactly once.
//!
//! - **Retries**: no answer, 5xx, 408/429 and a vendor's "busy"/rate-limit code inside a
//!   200 are retried after `2 s · 2^(n-1)` (jitter up to +50 %, capped at 1 h), never
//!   sooner than the vendor's own wait (`Retry-After`; DingTalk 130101: 10 min; WeCom
//!   45009 and Feishu 11232: 1 min), and that wait (2 s without one) pauses the whole
//!   channel, so a pass does not queue up behind a vendor that is down. After
//!   [`MAX_ATTEMPTS`] the row is `failed` and stays listed with its last error.
//! - **Refusals** (another 4xx, a vendor error code inside a 200) end the row `failed` at
//!   once: retrying a bad signature or a too-long text cannot succeed.
//! - **Rate limits**: at most `per_min` messages in any 60 s per channel, and for vendors
//!   with a per-second limit (Feishu 5, Discord 2, Slack 1) at most that in any second
//!   (sliding windows, per process); the second's limit only spaces messages out. When more are due than the window allows, all but one of the free
//!   slots go one by one and the rest are merged into one message (at most
//!   [`super::channel::digest_max`] reports; beyond that they wait for the next slot).
//! - **Escalations** are sent only while the report has no answer; a reply mail only if it
//!   is still the report's reply; visitor mail never to an address that opted out.
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::channel::{self, Item, Sent};
use super::config::{Channel, Kind, VISITOR};
use super::queue::{self, Claimed, End};
use super::{mail, visitor};
use crate::state::{App, Shared};
use crate::util::now_ms;

/// Attempts before a row is given up (`failed`): about 13 hours of backoff.
pub const MAX_ATTEMPTS: i64 = 20;

/// Acknowledgements one address gets in an hour at most (replies are not limited: the
/// team writes them).
pub const ACKS_PER_HOUR: i64 = 5;

/// Rows claimed per pass.
const BATCH: i64 = 200;

/// A channel's free slots now.
struct Window {
    free_min: usize,
    free_sec: usize,
    next_min: i64,
    next_sec: i64,
}

/// The worker's own state: the HTTP client, the SMTP transport, each channel's window.
pub struct Relay {
    client: reqwest::Client,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    sent: Mutex<HashMap<String, VecDeque<i64>>>,
    paused: Mutex<HashMap<String, i64>>,
}

impl Relay {
    /// A relay for `app`'s configuration.
    pub fn new(app: &App) -> Result<Relay, String> {
        let smtp = match &app.cfg.notify.smtp {
            Some(s) => Some(mail::transport(&s.url)?),
            None => None,
        };
        Ok(Relay {
            client: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                // A webhook that redirects is refused (its 3xx), never followed: the body
                // and its signature go to the configured URL only.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("reach-us-inbox/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| e.to_string())?,
            smtp,
            sent: Mutex::default(),
            paused: Mutex::default(),
        })
    }

    /// Free slots of `channel` at `now` under `per_min` (any 60 s) and `per_sec` (any
    /// second), and when the next of each frees.
    fn slots(&self, channel: &str, per_min: u32, per_sec: Option<u32>, now: i64) -> Window {
        let mut map = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let w = map.entry(channel.to_string()).or_default();
        while w.front().is_some_and(|t| *t <= now - 60_000) {
            w.pop_front();
        }
        let free_min = (per_min as usize).saturating_sub(w.len());
        let last_second: Vec<i64> = w.iter().copied().filter(|t| *t > now - 1_000).collect();
        let free_sec = per_sec.map_or(usize::MAX, |n| {
            (n as usize).saturating_sub(last_second.len())
        });
        Window {
            free_min,
            free_sec,
            next_min: if free_min > 0 {
                now
            } else {
                w.front().map_or(now, |t| t + 60_000 + 1)
            },
            next_sec: if free_sec > 0 {
                now
            } else {
                last_second.first().map_or(now, |t| t + 1_000 + 1)
            },
        }
    }

    fn take_slot(&self, channel: &str, now: i64) {
        self.sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(channel.to_string())
            .or_default()
            .push_back(now);
    }

    fn paused_until(&self, channel: &str) -> i64 {
        *self
            .paused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel)
            .unwrap_or(&0)
    }

    fn pause(&self, channel: &str, until: i64) {
        let mut p = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        let e = p.entry(channel.to_string()).or_insert(0);
        *e = (*e).max(until);
    }
}

/// Start the worker (nothing when no channel and no visitor mail is configured).
pub fn spawn(app: Shared) -> Option<tokio::task::JoinHandle<()>> {
    if app.cfg.notify.is_empty() {
        return None;
    }
    let relay = match Relay::new(&app) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("inbox: notifications off: {e}");
            return None;
        }
    };
    Some(tokio::spawn(async move {
        let poll = Duration::from_millis(app.cfg.notify.poll_ms);
        loop {
            match pass(&app, &relay).await {
                // A full batch: more may be due at once.
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => eprintln!("inbox: notifications: {e}"),
            }
            let _ = tokio::time::timeout(poll, app.notify_wake.notified()).await;
        }
    }))
}

/// One pass: claim what is due and handle it, channel by channel (concurrently). How many
/// rows were claimed.
pub async fn pass(app: &Shared, relay: &Arc<Relay>) -> Result<usize, crate::store::StoreError> {
    let now = now_ms();
    let claimed = queue::claim(&app.store, now, BATCH, app.cfg.notify.lease_ms).await?;
    let n = claimed.len();
    let mut by_channel: BTreeMap<String, Vec<Claimed>> = BTreeMap::new();
    for c in claimed {
        by_channel.entry(c.job.channel.clone()).or_default().push(c);
    }
    let tasks: Vec<_> = by_channel
        .into_iter()
        .map(|(name, rows)| {
            let (app, relay) = (app.clone(), relay.clone());
            tokio::spawn(async move {
                if let Err(e) = handle_channel(&app, &relay, &name, rows).await {
                    eprintln!("inbox: notifications to {name}: {e}");
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    Ok(n)
}

/// Backoff before attempt `n + 1` after `n` failed ones.
pub fn backoff(attempts: i64) -> i64 {
    let base = (2_000i64 << (attempts.clamp(1, 12) - 1)).min(3_600_000);
    let mut b = [0u8; 1];
    let _ = getrandom::getrandom(&mut b);
    base + base * i64::from(b[0]) / 510
}

fn team_zone(app: &App) -> String {
    app.cfg
        .notify
        .team_zone
        .clone()
        .or_else(|| {
            app.cfg
                .widget
                .as_ref()
                .and_then(|w| w.zones().into_iter().next())
        })
        .unwrap_or_else(|| "UTC".into())
}

/// Whether an escalation is moot: the report has an answer or left the queue.
fn answered(r: &crate::store::Row) -> bool {
    r.answered_at.is_some() || matches!(r.status.as_str(), "answered" | "resolved" | "spam")
}

async fn handle_channel(
    app: &Shared,
    relay: &Relay,
    name: &str,
    rows: Vec<Claimed>,
) -> Result<(), crate::store::StoreError> {
    let store = &app.store;
    let now = now_ms();
    if name == VISITOR {
        let paused = relay.paused_until(name);
        if paused > now {
            let jobs: Vec<_> = rows.iter().map(|c| &c.job).collect();
            return queue::retry(store, &jobs, paused, false, None).await;
        }
        for c in rows {
            if relay.paused_until(name) > now_ms() {
                // The SMTP server failed on the previous one: the rest wait with it.
                queue::retry(store, &[&c.job], relay.paused_until(name), false, None).await?;
                continue;
            }
            handle_visitor(app, relay, c).await?;
        }
        return Ok(());
    }
    let Some(ch) = app.cfg.notify.channel(name).cloned() else {
        let jobs: Vec<_> = rows.iter().map(|c| &c.job).collect();
        queue::finish(
            store,
            &jobs,
            End::Failed,
            now,
            false,
            Some("channel not configured"),
        )
        .await?;
        return Ok(());
    };
    let paused = relay.paused_until(name);
    if paused > now {
        let jobs: Vec<_> = rows.iter().map(|c| &c.job).collect();
        return queue::retry(store, &jobs, paused, false, None).await;
    }
    // What is still worth sending.
    let mut items: Vec<(Claimed, Item)> = Vec::new();
    for c in rows {
        let row = match store.get(&c.job.report_id).await? {
            Some(r) => r,
            None => {
                queue::finish(
                    store,
                    &[&c.job],
                    End::Skipped,
                    now,
                    false,
                    Some("report gone"),
                )
                .await?;
                continue;
            }
        };
        let moot = (c.job.event.starts_with("esc:") && answered(&row)) || row.status == "spam";
        if moot {
            queue::finish(
                store,
                &[&c.job],
                End::Skipped,
                now,
                false,
                Some("answered or spam before it was due"),
            )
            .await?;
            continue;
        }
        let key = format!("{}:{}:{}", c.job.report_id, c.job.event, c.job.channel);
        items.push((
            c.clone(),
            Item {
                key,
                event: c.job.event.clone(),
                row,
            },
        ));
    }
    if items.is_empty() {
        return Ok(());
    }
    // Units: single messages while slots allow, then one merged message, the rest later.
    // The minute's window decides merging (waiting a minute is long); the second's window
    // only spaces messages out (waiting a second is not).
    let w = relay.slots(name, ch.per_min, ch.kind.per_sec(), now);
    if w.free_min == 0 {
        let jobs: Vec<_> = items.iter().map(|(c, _)| &c.job).collect();
        return queue::retry(store, &jobs, w.next_min, false, None).await;
    }
    let mut units: Vec<Vec<(Claimed, Item)>> = Vec::new();
    if items.len() <= w.free_min {
        units.extend(items.into_iter().map(|i| vec![i]));
    } else {
        let mut rest = items.split_off(w.free_min - 1);
        units.extend(items.into_iter().map(|i| vec![i]));
        let later = rest.split_off(channel::digest_max(ch.kind).min(rest.len()));
        units.push(rest);
        if !later.is_empty() {
            let jobs: Vec<_> = later.iter().map(|(c, _)| &c.job).collect();
            queue::retry(store, &jobs, w.next_min.max(now + 1_000), false, None).await?;
        }
    }
    if units.len() > w.free_sec {
        let later = units.split_off(w.free_sec);
        let jobs: Vec<_> = later.iter().flatten().map(|(c, _)| &c.job).collect();
        queue::retry(store, &jobs, w.next_sec, false, None).await?;
    }
    let zone = team_zone(app);
    // The rows are ours until the lease runs out: what cannot start well before that goes
    // back, so that no other process takes over a row this one is still sending.
    let lease = app.cfg.notify.lease_ms;
    let stop_at = now + lease - (lease / 2).min(20_000);
    for (i, unit) in units.iter().enumerate() {
        let now = now_ms();
        if now >= stop_at {
            let jobs: Vec<_> = units[i..].iter().flatten().map(|(c, _)| &c.job).collect();
            return queue::retry(store, &jobs, now, false, None).await;
        }
        let paused = relay.paused_until(name);
        if paused > now {
            // The vendor asked to wait: everything left waits too.
            let jobs: Vec<_> = units[i..].iter().flatten().map(|(c, _)| &c.job).collect();
            return queue::retry(store, &jobs, paused, false, None).await;
        }
        relay.take_slot(name, now);
        let its: Vec<Item> = unit.iter().map(|(_, it)| it.clone()).collect();
        let sent = send_unit(app, relay, &ch, &its, &zone, now).await;
        settle(
            app,
            relay,
            name,
            unit.iter().map(|(c, _)| c).collect(),
            sent,
        )
        .await?;
    }
    Ok(())
}

async fn send_unit(
    app: &App,
    relay: &Relay,
    ch: &Channel,
    items: &[Item],
    zone: &str,
    now: i64,
) -> Sent {
    let public = &app.cfg.public_url;
    if ch.kind == Kind::Email {
        let (Some(t), Some(smtp)) = (&relay.smtp, &app.cfg.notify.smtp) else {
            return Sent::Refused("no SMTP server".into());
        };
        let (subject, text) = if items.len() == 1 {
            let r = &items[0].row;
            (
                format!(
                    "[Reach Us] {}: {} ({})",
                    channel::event_label(&items[0].event),
                    r.reference,
                    r.category
                ),
                channel::plain_text_with(channel::template(ch), &items[0], zone, public, None),
            )
        } else {
            let refs: Vec<&str> = items.iter().map(|i| i.row.reference.as_str()).collect();
            (
                format!(
                    "[Reach Us] {} notifications: {}",
                    items.len(),
                    refs.join(", ")
                ),
                items
                    .iter()
                    .map(|i| channel::plain_text(i, zone, public, None))
                    .collect::<Vec<_>>()
                    .join("\n\n----\n\n"),
            )
        };
        return mail::send(t, &smtp.from, &ch.target, &subject, text, &items[0].key).await;
    }
    let req = channel::request(ch, items, zone, public, now);
    channel::send(&relay.client, ch, req).await
}

/// End or reschedule the rows of one unit after its attempt; record the channel's health.
async fn settle(
    app: &App,
    relay: &Relay,
    name: &str,
    rows: Vec<&Claimed>,
    sent: Sent,
) -> Result<(), crate::store::StoreError> {
    let store = &app.store;
    let now = now_ms();
    let jobs: Vec<_> = rows.iter().map(|c| &c.job).collect();
    match sent {
        Sent::Ok => queue::finish_attempt(store, name, &jobs, End::Sent, now, None).await?,
        Sent::Refused(why) => {
            queue::finish_attempt(store, name, &jobs, End::Failed, now, Some(&why)).await?
        }
        Sent::Retry(wait, why) => {
            queue::health(store, name, now, Some(&why)).await?;
            // The vendor's own wait pauses the channel; a failure without one pauses it for
            // the first backoff step, so the rest of this pass does not queue up behind a
            // vendor that is down (each attempt could take the whole request timeout).
            relay.pause(name, now + wait.unwrap_or(2_000));
            let attempts = rows.iter().map(|c| c.attempts).max().unwrap_or(0) + 1;
            if attempts >= MAX_ATTEMPTS {
                queue::finish(
                    store,
                    &jobs,
                    End::Failed,
                    now,
                    true,
                    Some(&format!("gave up after {attempts} attempts: {why}")),
                )
                .await?;
            } else {
                let at = now + backoff(attempts).max(wait.unwrap_or(0));
                queue::retry(store, &jobs, at, true, Some(&why)).await?;
            }
        }
    }
    Ok(())
}

async fn handle_visitor(
    app: &Shared,
    relay: &Relay,
    c: Claimed,
) -> Result<(), crate::store::StoreError> {
    let store = &app.store;
    let now = now_ms();
    let job = c.job.clone();
    let skip = |why: &'static str| {
        let job = job.clone();
        async move {
            queue::finish(store, &[&job], End::Skipped, now, false, Some(why))
                .await
                .map(drop)
        }
    };
    let Some(row) = store.get(&c.job.report_id).await? else {
        return skip("report gone").await;
    };
    let Some(email) = row.email.clone() else {
        return skip("no email (or erased)").await;
    };
    if queue::opted_out(store, &visitor::email_sha(&email)).await? {
        return skip("opted out").await;
    }
    if c.job.event == "ack"
        && queue::acks_to(store, &email, now - 3_600_000).await? >= ACKS_PER_HOUR
    {
        // Someone may be filling in another person's address: no mail bomb.
        return skip("address already acknowledged 5 times this hour").await;
    }
    let (locale, tz) = queue::report_meta(store, &row.id).await?;
    let zone = if tz.parse::<chrono_tz::Tz>().is_ok() {
        tz
    } else {
        "UTC".to_string()
    };
    let public = &app.cfg.public_url;
    let (status_link, optout_link) = (
        visitor::status_link(public, &row.id),
        visitor::optout_link(public, &row.id),
    );
    let m = if c.job.event == "ack" {
        mail::ack(
            &locale,
            &zone,
            &row.reference,
            row.due_at,
            &status_link,
            &optout_link,
        )
    } else {
        let queued = c.job.payload.as_deref().unwrap_or("").trim();
        if row.reply.as_deref().map(str::trim) != Some(queued) {
            return skip("the reply changed or was not saved").await;
        }
        mail::reply(&locale, &row.reference, queued, &status_link, &optout_link)
    };
    let w = relay.slots(VISITOR, app.cfg.notify.visitor_per_min, None, now);
    if w.free_min == 0 {
        return queue::retry(store, &[&c.job], w.next_min, false, None).await;
    }
    let (Some(t), Some(smtp)) = (&relay.smtp, &app.cfg.notify.smtp) else {
        return queue::finish(
            store,
            &[&c.job],
            End::Failed,
            now,
            false,
            Some("no SMTP server"),
        )
        .await
        .map(drop);
    };
    relay.take_slot(VISITOR, now);
    let key = format!("{}:{}:{}", c.job.report_id, c.job.event, c.job.channel);
    let sent = mail::send(t, &smtp.from, &email, &m.subject, m.text, &key).await;
    settle(app, relay, VISITOR, vec![&c], sent).await
}

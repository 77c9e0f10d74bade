//! The relay (issue 20): the inbox pushes every report to the team's chat tools and mail at
//! once, escalates before the promise is due, and tells the visitor who left an email
//! that the report arrived and what the team answered.
//!
//! - [`config`]: channels, SMTP, rules — from the environment (secrets stay on the server);
//! - [`queue`]: the durable queue in the inbox's database, written with the report;
//! - [`worker`]: sends with retries and backoff, honours vendors' errors inside a 200 and
//!   rate limits (merging what would exceed them), never marks one row sent twice;
//! - [`channel`]: bodies (the core's vendor renderers), signatures ([`sign`]), answers;
//! - [`mail`]: SMTP, and the visitor's mail in their language and zone;
//! - [`escalation`]: the rules, in business time through the shared promise engine;
//! - [`visitor`]: the visitor's status page and opt-out route;
//! - [`health`]: the admin page's line per channel (last success, last error, queue).
pub mod channel;
pub mod config;
pub mod escalation;
pub mod health;
pub mod mail;
pub mod queue;
pub mod sign;
pub mod visitor;
pub mod worker;

pub use config::NotifyConfig;
use queue::Job;

use crate::config::InboxConfig;
use crate::store::Row;

/// Everything a new report queues, written with it: `new` to every channel that takes new
/// reports, `ack` to the visitor (with an email, when visitor mail is on), and the
/// escalation steps of its category at their times.
pub fn jobs_for_new(cfg: &InboxConfig, row: &Row) -> Vec<Job> {
    let n = &cfg.notify;
    let now = row.accepted_at;
    let job = |event: &str, channel: &str, run_at: i64| Job {
        report_id: row.id.clone(),
        event: event.to_string(),
        channel: channel.to_string(),
        payload: None,
        created_at: now,
        run_at,
    };
    let mut jobs: Vec<Job> = n
        .channels
        .iter()
        .filter(|c| c.on_new)
        .map(|c| job("new", &c.name, now))
        .collect();
    if n.visitor_mail && row.email.is_some() {
        jobs.push(job("ack", config::VISITOR, now));
    }
    for (event, channel, at) in escalation::steps_for(
        &n.rules,
        cfg.widget.as_ref(),
        &row.category,
        row.created_at,
        now,
        row.due_at,
    ) {
        jobs.push(job(&event, &channel, at));
    }
    jobs
}

/// The reply mail for a status change, queued *before* the change is applied (keyed by
/// the reply's text, so one reply is mailed once): if the change then fails, the worker
/// finds the report's reply differs from the one queued and skips it.
pub fn reply_job(
    cfg: &InboxConfig,
    row: &Row,
    status: &str,
    reply: Option<&str>,
    now: i64,
) -> Option<Job> {
    let reply = reply.map(str::trim).filter(|r| !r.is_empty())?;
    if !cfg.notify.visitor_mail
        || row.email.is_none()
        || !(status == "answered" || status == "resolved")
    {
        return None;
    }
    Some(Job {
        report_id: row.id.clone(),
        event: format!("reply:{}", &crate::util::sha256_hex(reply.as_bytes())[..16]),
        channel: config::VISITOR.to_string(),
        payload: Some(reply.to_string()),
        created_at: now,
        run_at: now,
    })
}

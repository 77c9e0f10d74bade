//! The admin page's "Notifications" section: one line per channel — its vendor, last
//! delivery, last error (the vendor's code and words), and its queue (waiting, given up,
//! sent). Server-rendered like the rest of the page; every text escaped.
use reach_us_core::time::iso_utc;

use crate::state::App;
use crate::store::StoreError;
use crate::util::esc;

fn ago(t: i64, now: i64) -> String {
    let s = ((now - t) / 1000).max(0);
    match s {
        0..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h {} min ago", s / 3600, s % 3600 / 60),
        _ => format!("{} days ago", s / 86_400),
    }
}

/// The section's HTML (empty when nothing is configured and nothing was ever queued).
pub async fn section(app: &App, now: i64) -> Result<String, StoreError> {
    let lines = super::queue::health_lines(&app.store).await?;
    let n = &app.cfg.notify;
    let mut names: Vec<(String, String)> = n
        .channels
        .iter()
        .map(|c| (c.name.clone(), c.kind.as_str().to_string()))
        .collect();
    if n.visitor_mail {
        names.push((super::config::VISITOR.into(), "visitor mail".into()));
    }
    for l in &lines {
        if !names.iter().any(|(c, _)| *c == l.channel) {
            names.push((l.channel.clone(), "not configured".into()));
        }
    }
    if names.is_empty() {
        return Ok(String::new());
    }
    let rows: String = names
        .iter()
        .map(|(name, kind)| {
            let h = lines.iter().find(|l| l.channel == *name).cloned().unwrap_or_default();
            let ok = h.last_ok.map_or("never".into(), |t| format!("<time datetime={}>{}</time>", iso_utc(t), ago(t, now)));
            let err = match &h.last_error {
                Some((t, e)) if h.last_ok.is_none_or(|o| *t >= o) => format!("<span class=overdue>{}: {}</span>", ago(*t, now), esc(e)),
                Some((t, e)) => format!("{}: {}", ago(*t, now), esc(e)),
                None => "none".into(),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{ok}</td><td>{err}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(name),
                esc(kind),
                h.pending,
                if h.failed > 0 { format!("<strong class=overdue>{}</strong>", h.failed) } else { "0".into() },
                h.sent
            )
        })
        .collect();
    Ok(format!(
        "<h2>Notifications</h2><table><caption class=sr>Channel health</caption><thead><tr><th>Channel</th><th>Type</th><th>Last delivered</th><th>Last error</th><th>Waiting</th><th>Given up</th><th>Sent</th></tr></thead><tbody>{rows}</tbody></table>"
    ))
}

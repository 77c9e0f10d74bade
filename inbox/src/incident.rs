//! Known incidents (issue 21): the notice may carry an `id` (and `keywords`, `categories`,
//! which only the widget reads). A report whose `incident` names the incident of the
//! notice in force is linked to it; any other value is ignored (it is the client's word,
//! and a report is never refused for it). The team sees how many reports each incident
//! has on the admin page and posts an update that reaches every report linked to it: the
//! update is stored, and each linked report not yet answered is marked answered with the
//! update as its reply, so the visitor reads it in "Your reports" (the status endpoint) and
//! the track record counts it as the answer it is.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /v1/incidents` | admin (token) | `[{id, linked, open, updates}]` |
//! | `POST /v1/incidents/{id}/updates` `{text}` | admin (token; JSON) | store the update, reply to every linked report; `{incident, linked, answered}` |
//! | `POST /admin/incidents/{id}/update` | admin page (form) | the same |
//!
//! Email and chat fan-out are not done here: [`fan_out`] is the hook the notification
//! queue plugs into (it is given every linked report's id and contact).
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use reach_us_core::incident::valid_id;
use serde_json::{json, Value};

use crate::auth::{Admin, AdminForm};
use crate::error::AppError;
use crate::state::{App, Shared};
use crate::store::{Store, StoreError};
use crate::util::{esc, now_ms};

/// Longest update, characters (a reply's limit).
pub const MAX_UPDATE_CHARS: usize = 4000;

/// Tables of this module (created with the store's schema).
pub const SCHEMA_SQL: &str = "CREATE TABLE IF NOT EXISTS incident_links (
    report_id TEXT PRIMARY KEY, incident TEXT NOT NULL, linked_at BIGINT NOT NULL);
 CREATE INDEX IF NOT EXISTS incident_links_incident ON incident_links(incident);
 CREATE TABLE IF NOT EXISTS incident_updates (incident TEXT NOT NULL, at BIGINT NOT NULL, body TEXT NOT NULL);";

const LINK: &str = "INSERT INTO incident_links (report_id, incident, linked_at) VALUES (?1, ?2, ?3) ON CONFLICT(report_id) DO NOTHING";
const ADD_UPDATE: &str = "INSERT INTO incident_updates (incident, at, body) VALUES (?1, ?2, ?3)";
/// Every linked report (not spam) gets the update as its reply; those not yet answered
/// become answered now.
const REPLY_ALL: &str = "UPDATE reports SET reply = ?2, updated_at = ?3,
    status = CASE WHEN status IN ('received', 'in_progress') THEN 'answered' ELSE status END,
    answered_at = CASE WHEN answered_at IS NULL THEN ?3 ELSE answered_at END
 WHERE status != 'spam' AND id IN (SELECT report_id FROM incident_links WHERE incident = ?1)";
const COUNTS: &str = "SELECT l.incident, COUNT(*),
    COALESCE(SUM(CASE WHEN r.status IN ('received', 'in_progress') THEN 1 ELSE 0 END), 0),
    (SELECT COUNT(*) FROM incident_updates u WHERE u.incident = l.incident)
 FROM incident_links l JOIN reports r ON r.id = l.report_id GROUP BY l.incident ORDER BY l.incident";
const RECIPIENTS: &str = "SELECT r.id, r.email, r.phone FROM reports r JOIN incident_links l ON l.report_id = r.id WHERE l.incident = ?1 AND r.status != 'spam'";

/// A statement argument.
enum Arg {
    Int(i64),
    Text(String),
}

/// Run a statement that changes rows; how many.
async fn exec(store: &Store, sql: &'static str, args: Vec<Arg>) -> Result<u64, StoreError> {
    match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let vals: Vec<rusqlite::types::Value> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Int(i) => rusqlite::types::Value::Integer(*i),
                        Arg::Text(s) => rusqlite::types::Value::Text(s.clone()),
                    })
                    .collect();
                c.execute(sql, rusqlite::params_from_iter(vals))
                    .map(|n| n as u64)
            })
            .await
            .map_err(|e| StoreError(e.to_string()))?
            .map_err(StoreError::from)
        }
        Store::Postgres(p) => {
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = args
                .iter()
                .map(|a| match a {
                    Arg::Int(i) => i as &(dyn tokio_postgres::types::ToSql + Sync),
                    Arg::Text(s) => s,
                })
                .collect();
            Ok(p.get()
                .await?
                .execute(&sql.replace('?', "$"), &refs)
                .await?)
        }
    }
}

/// Incident id → (linked, still open, updates posted).
pub async fn counts(store: &Store) -> Result<Vec<(String, u64, u64, u64)>, StoreError> {
    let rows: Vec<(String, i64, i64, i64)> = match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let mut st = c.prepare(COUNTS)?;
                let rows =
                    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query(COUNTS, &[])
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, tokio_postgres::Error>>()?,
    };
    Ok(rows
        .into_iter()
        .map(|(i, a, b, c)| (i, a.max(0) as u64, b.max(0) as u64, c.max(0) as u64))
        .collect())
}

/// The id of the incident the notice in force describes, if any.
pub async fn active(app: &App) -> Result<Option<String>, StoreError> {
    Ok(app
        .store
        .notice()
        .await?
        .and_then(|n| serde_json::from_str::<Value>(&n).ok())
        .and_then(|v| v.get("id").and_then(Value::as_str).map(String::from)))
}

/// Link report `id` to the incident its body names, when that is the incident in force
/// (else nothing: the client's word alone links nothing). Idempotent (a replay links once).
pub async fn link(app: &App, id: &str, raw: &Value) -> Result<bool, StoreError> {
    let Some(claimed) = raw.get("incident").and_then(Value::as_str) else {
        return Ok(false);
    };
    if !valid_id(claimed) || active(app).await?.as_deref() != Some(claimed) {
        return Ok(false);
    }
    let args = vec![
        Arg::Text(id.into()),
        Arg::Text(claimed.into()),
        Arg::Int(now_ms()),
    ];
    Ok(exec(&app.store, LINK, args).await? == 1)
}

/// A linked report the update reaches: its id and contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// Report id.
    pub id: String,
    /// Email, if the visitor left one.
    pub email: Option<String>,
    /// Phone, if the visitor left one.
    pub phone: Option<String>,
}

async fn recipients(store: &Store, incident: &str) -> Result<Vec<Recipient>, StoreError> {
    let incident = incident.to_string();
    Ok(match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let mut st = c.prepare(RECIPIENTS)?;
                let rows = st.query_map([&incident], |r| {
                    Ok(Recipient {
                        id: r.get(0)?,
                        email: r.get(1)?,
                        phone: r.get(2)?,
                    })
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query(&RECIPIENTS.replace("?1", "$1"), &[&incident])
            .await?
            .iter()
            .map(|r| {
                Ok(Recipient {
                    id: r.try_get(0)?,
                    email: r.try_get(1)?,
                    phone: r.try_get(2)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()?,
    })
}

/// The hook for email and chat fan-out of an update (the notification queue's work, not
/// this module's): called once per posted update with every linked report's contact. It
/// does nothing yet; the visitor reads the update in "Your reports" either way.
pub fn fan_out(_app: &App, _incident: &str, _text: &str, _to: &[Recipient]) {}

/// What posting an update did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posted {
    /// Reports linked to the incident (spam left out).
    pub linked: u64,
    /// Of them, replied to now (the update is each one's reply).
    pub answered: u64,
}

/// Store an update for `incident` and reply with it to every linked report.
pub async fn post(app: &App, incident: &str, text: &str) -> Result<Posted, AppError> {
    if !valid_id(incident) {
        return Err(AppError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("invalid_update", "text", "is empty"));
    }
    if text.chars().count() > MAX_UPDATE_CHARS {
        return Err(AppError::invalid(
            "invalid_update",
            "text",
            format!("is longer than {MAX_UPDATE_CHARS} characters"),
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            "invalid_update",
            "text",
            format!("contains a control character (U+{:04X})", c as u32),
        ));
    }
    let now = now_ms();
    exec(
        &app.store,
        ADD_UPDATE,
        vec![
            Arg::Text(incident.into()),
            Arg::Int(now),
            Arg::Text(text.into()),
        ],
    )
    .await?;
    let answered = exec(
        &app.store,
        REPLY_ALL,
        vec![
            Arg::Text(incident.into()),
            Arg::Text(text.into()),
            Arg::Int(now),
        ],
    )
    .await?;
    app.track_changed();
    let to = recipients(&app.store, incident).await?;
    fan_out(app, incident, text, &to);
    Ok(Posted {
        linked: to.len() as u64,
        answered,
    })
}

/// `GET /v1/incidents` (admin).
pub async fn list(_: Admin, State(app): State<Shared>) -> Result<Response, AppError> {
    let rows = counts(&app.store).await?;
    Ok(Json(
        rows.iter()
            .map(|(id, linked, open, updates)| json!({"id": id, "linked": linked, "open": open, "updates": updates}))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

/// The body of an update.
#[derive(serde::Deserialize)]
pub struct UpdateBody {
    /// What every linked report is told.
    pub text: String,
}

/// `POST /v1/incidents/{id}/updates` (admin, JSON `{text}`).
pub async fn post_update(
    _: Admin,
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Err(AppError::NotJson);
    }
    let b: UpdateBody = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("invalid_update", "body", e.to_string()))?;
    let p = post(&app, &id, &b.text).await?;
    Ok(Json(json!({"incident": id, "linked": p.linked, "answered": p.answered})).into_response())
}

/// `POST /admin/incidents/{id}/update` (the admin page's form).
pub async fn admin_update(
    _: AdminForm,
    State(app): State<Shared>,
    Path(id): Path<String>,
    Form(f): Form<UpdateBody>,
) -> Result<Response, AppError> {
    post(&app, &id, &f.text).await?;
    Ok(Redirect::to("/admin").into_response())
}

/// The admin page's incident section: each incident's linked reports and an update form.
pub async fn admin_html(app: &App) -> Result<String, StoreError> {
    let active = active(app).await?;
    let mut rows = counts(&app.store).await?;
    if let Some(a) = &active {
        if !rows.iter().any(|r| &r.0 == a) {
            rows.insert(0, (a.clone(), 0, 0, 0));
        }
    }
    if rows.is_empty() {
        return Ok(String::new());
    }
    let mut html = String::from("<h2>Incidents</h2><table><thead><tr><th>Incident</th><th>Linked reports</th><th>Still open</th><th>Updates posted</th><th>Post an update to everyone linked</th></tr></thead><tbody>");
    for (id, linked, open, updates) in rows {
        let id = esc(&id);
        let live = if active.as_deref() == Some(id.as_str()) {
            " (in the notice now)"
        } else {
            ""
        };
        html.push_str(&format!(
            "<tr><td>{id}{live}</td><td data-linked=\"{id}\">{linked}</td><td>{open}</td><td>{updates}</td><td>\
             <form class=inline method=post action=\"/admin/incidents/{id}/update\"><label for=\"u-{id}\">Update (the reply every linked report gets)</label>\
             <textarea id=\"u-{id}\" name=text maxlength={MAX_UPDATE_CHARS}></textarea><button>Post update</button></form></td></tr>"
        ));
    }
    html.push_str("</tbody></table>");
    Ok(html)
}

//! The durable notification queue, in the inbox's own database (SQLite or PostgreSQL):
//! one row per (report, event, channel), written in the same transaction as the report
//! (so a stored report always has its notifications, and a replayed POST adds none).
//!
//! A worker *claims* due rows with a lease (`lease_until`, `INBOX_NOTIFY_LEASE_SECS`): a
//! conditional `UPDATE` that only one worker — of one or several processes — can win. It
//! marks a row `sent` (or `failed`, `skipped`) with one `UPDATE … WHERE state = 'pending'`,
//! several rows of a merged message in one transaction. A worker killed mid-send leaves
//! its rows `pending`; when the lease runs out another picks them up. So nothing is lost;
//! the one window left is a `kill -9` between the vendor's answer and that `UPDATE`
//! (measured by `tests/notify_crash.rs`), and the generic webhook carries the row's key
//! (`X-Reach-Us-Event`) for a receiver to drop such a repeat.
use crate::store::{Store, StoreError};

/// The tables (created with the report schema).
pub const SCHEMA_SQL: &str = "CREATE TABLE IF NOT EXISTS notifications (
    report_id TEXT NOT NULL, event TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT,
    created_at BIGINT NOT NULL, run_at BIGINT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending', lease_until BIGINT NOT NULL DEFAULT 0,
    done_at BIGINT, last_error TEXT, PRIMARY KEY (report_id, event, channel));
 CREATE INDEX IF NOT EXISTS notifications_due ON notifications(state, run_at);
 CREATE TABLE IF NOT EXISTS channel_health (channel TEXT PRIMARY KEY, last_ok BIGINT,
    last_error_at BIGINT, last_error TEXT);
 CREATE TABLE IF NOT EXISTS mail_optout (email_sha TEXT PRIMARY KEY, at BIGINT NOT NULL);";

/// One notification to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The report.
    pub report_id: String,
    /// `new`, `ack`, `reply:<hash>`, `esc:<N>`, `esc:overdue`.
    pub event: String,
    /// A channel name, or `visitor`.
    pub channel: String,
    /// Extra data (a reply's text).
    pub payload: Option<String>,
    /// Queued, ms.
    pub created_at: i64,
    /// Not before, ms.
    pub run_at: i64,
}

/// A claimed row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The job.
    pub job: Job,
    /// Attempts so far.
    pub attempts: i64,
}

/// How a row ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Delivered.
    Sent,
    /// Refused by the vendor, or given up after retries (kept, with the error).
    Failed,
    /// Not needed any more (answered before an escalation, opted out, erased).
    Skipped,
}

impl End {
    fn as_str(self) -> &'static str {
        match self {
            End::Sent => "sent",
            End::Failed => "failed",
            End::Skipped => "skipped",
        }
    }
}

const INSERT_JOB: &str =
    "INSERT INTO notifications (report_id, event, channel, payload, created_at, run_at)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (report_id, event, channel) DO NOTHING";
const DUE: &str = "SELECT report_id, event, channel, payload, created_at, run_at, attempts FROM notifications
 WHERE state = 'pending' AND run_at <= ?1 AND lease_until <= ?1 ORDER BY run_at, created_at LIMIT ?2";
const CLAIM: &str = "UPDATE notifications SET lease_until = ?4
 WHERE report_id = ?1 AND event = ?2 AND channel = ?3 AND state = 'pending' AND lease_until <= ?5";
const FINISH: &str = "UPDATE notifications SET state = ?4, done_at = ?5, attempts = attempts + ?6, last_error = ?7, lease_until = 0
 WHERE report_id = ?1 AND event = ?2 AND channel = ?3 AND state = 'pending'";
const RETRY: &str = "UPDATE notifications SET run_at = ?4, attempts = attempts + ?5, last_error = COALESCE(?6, last_error), lease_until = 0
 WHERE report_id = ?1 AND event = ?2 AND channel = ?3 AND state = 'pending'";
const HEALTH_OK: &str = "INSERT INTO channel_health (channel, last_ok) VALUES (?1, ?2)
 ON CONFLICT (channel) DO UPDATE SET last_ok = ?2";
const HEALTH_ERR: &str =
    "INSERT INTO channel_health (channel, last_error_at, last_error) VALUES (?1, ?2, ?3)
 ON CONFLICT (channel) DO UPDATE SET last_error_at = ?2, last_error = ?3";
const DEPTH: &str = "SELECT channel, CAST(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS BIGINT),
 CAST(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) AS BIGINT)
 FROM notifications GROUP BY channel";
const HEALTH: &str = "SELECT channel, last_ok, last_error_at, last_error FROM channel_health";
const OPTOUT: &str =
    "INSERT INTO mail_optout (email_sha, at) VALUES (?1, ?2) ON CONFLICT (email_sha) DO NOTHING";
const OPTED_OUT: &str = "SELECT COUNT(*) FROM mail_optout WHERE email_sha = ?1";

/// A statement argument for either database.
#[derive(Clone, Debug)]
enum A {
    I(i64),
    T(String),
    O(Option<String>),
}

impl A {
    fn sqlite(&self) -> rusqlite::types::Value {
        use rusqlite::types::Value as V;
        match self {
            A::I(i) => V::Integer(*i),
            A::T(s) | A::O(Some(s)) => V::Text(s.clone()),
            A::O(None) => V::Null,
        }
    }

    fn pg(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        match self {
            A::I(i) => i,
            A::T(s) => s,
            A::O(s) => s,
        }
    }
}

fn pg_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

fn job_args(j: &Job) -> Vec<A> {
    vec![
        A::T(j.report_id.clone()),
        A::T(j.event.clone()),
        A::T(j.channel.clone()),
        A::O(j.payload.clone()),
        A::I(j.created_at),
        A::I(j.run_at),
    ]
}

/// Queue `jobs` inside the report's SQLite transaction.
pub(crate) fn insert_sqlite(tx: &rusqlite::Connection, jobs: &[Job]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(INSERT_JOB)?;
    for j in jobs {
        st.execute(rusqlite::params_from_iter(
            job_args(j).iter().map(A::sqlite),
        ))?;
    }
    Ok(())
}

/// Queue `jobs` inside the report's PostgreSQL transaction.
pub(crate) async fn insert_pg(
    tx: &deadpool_postgres::Transaction<'_>,
    jobs: &[Job],
) -> Result<(), tokio_postgres::Error> {
    if jobs.is_empty() {
        return Ok(());
    }
    let st = tx.prepare_cached(&pg_sql(INSERT_JOB)).await?;
    for j in jobs {
        let args = job_args(j);
        let refs: Vec<_> = args.iter().map(A::pg).collect();
        tx.execute(&st, &refs).await?;
    }
    Ok(())
}

/// Run statements in one transaction; rows changed by each.
async fn exec_all(
    store: &Store,
    stmts: Vec<(&'static str, Vec<A>)>,
) -> Result<Vec<u64>, StoreError> {
    match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let tx = c.unchecked_transaction()?;
                let mut out = Vec::new();
                for (sql, args) in &stmts {
                    out.push(
                        tx.execute(sql, rusqlite::params_from_iter(args.iter().map(A::sqlite)))?
                            as u64,
                    );
                }
                tx.commit()?;
                Ok(out)
            })
            .await
            .map_err(|e| StoreError(e.to_string()))?
        }
        Store::Postgres(p) => {
            let mut c = p.get().await?;
            let tx = c.transaction().await?;
            let mut out = Vec::new();
            for (sql, args) in &stmts {
                let refs: Vec<_> = args.iter().map(A::pg).collect();
                out.push(tx.execute(&pg_sql(sql), &refs).await?);
            }
            tx.commit().await?;
            Ok(out)
        }
    }
}

async fn exec(store: &Store, sql: &'static str, args: Vec<A>) -> Result<u64, StoreError> {
    Ok(exec_all(store, vec![(sql, args)]).await?[0])
}

/// Queue jobs outside a report's insert (a reply; ON CONFLICT: never twice).
pub async fn enqueue(store: &Store, jobs: &[Job]) -> Result<(), StoreError> {
    exec_all(
        store,
        jobs.iter().map(|j| (INSERT_JOB, job_args(j))).collect(),
    )
    .await
    .map(drop)
}

/// Claim up to `limit` due rows at `now` for `lease_ms`: only rows this call won.
pub async fn claim(
    store: &Store,
    now: i64,
    limit: i64,
    lease_ms: i64,
) -> Result<Vec<Claimed>, StoreError> {
    type R = (String, String, String, Option<String>, i64, i64, i64);
    let due: Vec<R> = match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || -> rusqlite::Result<Vec<R>> {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let mut st = c.prepare_cached(DUE)?;
                let rows = st.query_map([now, limit], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?;
                rows.collect()
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query(&pg_sql(DUE), &[&now, &limit])
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                ))
            })
            .collect::<Result<_, tokio_postgres::Error>>()?,
    };
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let stmts = due
        .iter()
        .map(|r| {
            (
                CLAIM,
                vec![
                    A::T(r.0.clone()),
                    A::T(r.1.clone()),
                    A::T(r.2.clone()),
                    A::I(now + lease_ms),
                    A::I(now),
                ],
            )
        })
        .collect();
    let won = exec_all(store, stmts).await?;
    Ok(due
        .into_iter()
        .zip(won)
        .filter(|(_, n)| *n == 1)
        .map(
            |((report_id, event, channel, payload, created_at, run_at, attempts), _)| Claimed {
                job: Job {
                    report_id,
                    event,
                    channel,
                    payload,
                    created_at,
                    run_at,
                },
                attempts,
            },
        )
        .collect())
}

fn key(j: &Job) -> Vec<A> {
    vec![
        A::T(j.report_id.clone()),
        A::T(j.event.clone()),
        A::T(j.channel.clone()),
    ]
}

/// End rows (all in one transaction: a merged message marks every row it carried).
/// `attempted`: this ending was an attempt (counts in `attempts`). How many rows changed.
pub async fn finish(
    store: &Store,
    jobs: &[&Job],
    end: End,
    now: i64,
    attempted: bool,
    error: Option<&str>,
) -> Result<u64, StoreError> {
    Ok(
        exec_all(store, finish_stmts(jobs, end, now, attempted, error))
            .await?
            .into_iter()
            .sum(),
    )
}

/// [`finish`] after an attempt on `channel`, and its health line, in one transaction.
pub async fn finish_attempt(
    store: &Store,
    channel: &str,
    jobs: &[&Job],
    end: End,
    now: i64,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let mut stmts = finish_stmts(jobs, end, now, true, error);
    stmts.push(health_stmt(channel, now, error));
    exec_all(store, stmts).await.map(drop)
}

fn health_stmt(channel: &str, now: i64, error: Option<&str>) -> (&'static str, Vec<A>) {
    match error {
        None => (HEALTH_OK, vec![A::T(channel.into()), A::I(now)]),
        Some(e) => (
            HEALTH_ERR,
            vec![
                A::T(channel.into()),
                A::I(now),
                A::T(e.chars().take(300).collect()),
            ],
        ),
    }
}

fn finish_stmts(
    jobs: &[&Job],
    end: End,
    now: i64,
    attempted: bool,
    error: Option<&str>,
) -> Vec<(&'static str, Vec<A>)> {
    jobs.iter()
        .map(|j| {
            let mut a = key(j);
            a.extend([
                A::T(end.as_str().into()),
                A::I(now),
                A::I(i64::from(attempted)),
                A::O(error.map(String::from)),
            ]);
            (FINISH, a)
        })
        .collect()
}

/// Put rows back for `run_at` (an attempt failed, or the channel is over its rate).
pub async fn retry(
    store: &Store,
    jobs: &[&Job],
    run_at: i64,
    attempted: bool,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let stmts = jobs
        .iter()
        .map(|j| {
            let mut a = key(j);
            a.extend([
                A::I(run_at),
                A::I(i64::from(attempted)),
                A::O(error.map(String::from)),
            ]);
            (RETRY, a)
        })
        .collect();
    exec_all(store, stmts).await.map(drop)
}

/// Record a channel's success or error (the admin page's health line).
pub async fn health(
    store: &Store,
    channel: &str,
    now: i64,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let (sql, args) = health_stmt(channel, now, error);
    exec(store, sql, args).await.map(drop)
}

/// One channel's health line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Channel name.
    pub channel: String,
    /// Last delivery, ms.
    pub last_ok: Option<i64>,
    /// Last error, ms, and what it was.
    pub last_error: Option<(i64, String)>,
    /// Waiting.
    pub pending: i64,
    /// Given up (refused, or out of retries).
    pub failed: i64,
    /// Delivered.
    pub sent: i64,
}

/// Every channel's health, by name.
pub async fn health_lines(store: &Store) -> Result<Vec<Health>, StoreError> {
    type D = (String, i64, i64, i64);
    type H = (String, Option<i64>, Option<i64>, Option<String>);
    let (depth, health): (Vec<D>, Vec<H>) = match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || -> rusqlite::Result<(Vec<D>, Vec<H>)> {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let d = c
                    .prepare_cached(DEPTH)?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<Result<_, _>>()?;
                let h = c
                    .prepare_cached(HEALTH)?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<Result<_, _>>()?;
                Ok((d, h))
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => {
            let c = p.get().await?;
            let d = c
                .query(DEPTH, &[])
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                .collect::<Result<_, tokio_postgres::Error>>()?;
            let h = c
                .query(HEALTH, &[])
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                .collect::<Result<_, tokio_postgres::Error>>()?;
            (d, h)
        }
    };
    let mut out: Vec<Health> = Vec::new();
    for (channel, pending, failed, sent) in depth {
        out.push(Health {
            channel,
            pending,
            failed,
            sent,
            ..Health::default()
        });
    }
    for (channel, ok, err_at, err) in health {
        let i = match out.iter().position(|h| h.channel == channel) {
            Some(i) => i,
            None => {
                out.push(Health {
                    channel,
                    ..Health::default()
                });
                out.len() - 1
            }
        };
        out[i].last_ok = ok;
        out[i].last_error = err_at.zip(err);
    }
    out.sort_by(|a, b| a.channel.cmp(&b.channel));
    Ok(out)
}

/// Record that an address wants no more mail.
pub async fn opt_out(store: &Store, email_sha: &str, now: i64) -> Result<(), StoreError> {
    exec(store, OPTOUT, vec![A::T(email_sha.into()), A::I(now)])
        .await
        .map(drop)
}

/// Whether an address opted out.
pub async fn opted_out(store: &Store, email_sha: &str) -> Result<bool, StoreError> {
    let sha = email_sha.to_string();
    let n: i64 = match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                c.query_row(OPTED_OUT, [sha], |r| r.get(0))
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query_one(&pg_sql(OPTED_OUT), &[&sha])
            .await?
            .try_get(0)?,
    };
    Ok(n > 0)
}

/// The rows of one report (tests, diagnostics): (event, channel, state, attempts).
pub async fn rows_of(
    store: &Store,
    report_id: &str,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    const SQL: &str = "SELECT event, channel, state, attempts FROM notifications WHERE report_id = ?1 ORDER BY event, channel";
    let id = report_id.to_string();
    Ok(match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || -> rusqlite::Result<Vec<_>> {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                let mut st = c.prepare_cached(SQL)?;
                let rows =
                    st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                rows.collect()
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query(&pg_sql(SQL), &[&id])
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, tokio_postgres::Error>>()?,
    })
}

/// The report's `locale` and `timezone`, from its stored body (empty once erased).
pub async fn report_meta(store: &Store, report_id: &str) -> Result<(String, String), StoreError> {
    const SQL: &str = "SELECT body FROM reports WHERE id = ?1";
    let id = report_id.to_string();
    let body: Option<String> = match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                use rusqlite::OptionalExtension;
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                c.query_row(SQL, [id], |r| r.get(0)).optional()
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query_opt(&pg_sql(SQL), &[&id])
            .await?
            .map(|r| r.get(0)),
    };
    let v: serde_json::Value = body
        .and_then(|b| serde_json::from_str(&b).ok())
        .unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    Ok((s("locale"), s("timezone")))
}

/// Acknowledgements sent to `email` since `since` (the same address, any case).
pub async fn acks_to(store: &Store, email: &str, since: i64) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM notifications n JOIN reports r ON r.id = n.report_id
 WHERE n.channel = 'visitor' AND n.event = 'ack' AND n.state = 'sent' AND n.done_at >= ?1 AND LOWER(r.email) = LOWER(?2)";
    let e = email.trim().to_string();
    Ok(match store {
        Store::Sqlite(m) => {
            let m = m.clone();
            tokio::task::spawn_blocking(move || {
                let c = m.lock().unwrap_or_else(|p| p.into_inner());
                c.query_row(SQL, rusqlite::params![since, e], |r| r.get(0))
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(p) => p
            .get()
            .await?
            .query_one(&pg_sql(SQL), &[&since, &e])
            .await?
            .try_get(0)?,
    })
}

/// Erasure (`DELETE /v1/reports/{id}`, retention): the personal data a queue row may hold
/// (a reply's text) goes with the report's.
pub async fn erase(store: &Store, report_id: &str) -> Result<u64, StoreError> {
    const SQL: &str =
        "UPDATE notifications SET payload = NULL WHERE report_id = ?1 AND payload IS NOT NULL";
    exec(store, SQL, vec![A::T(report_id.into())]).await
}

/// [`erase`] for every report accepted before `before`.
pub async fn erase_before(store: &Store, before: i64) -> Result<u64, StoreError> {
    const SQL: &str = "UPDATE notifications SET payload = NULL WHERE payload IS NOT NULL
 AND report_id IN (SELECT id FROM reports WHERE accepted_at < ?1)";
    exec(store, SQL, vec![A::I(before)]).await
}

//! Report storage: SQLite by default (one file, WAL journal, `synchronous=FULL`, so a report
//! whose insert returned is on disk and survives a `kill -9` or a power cut), or PostgreSQL
//! by URL (`synchronous_commit` on, its default) for several inbox instances behind a load
//! balancer: the same schema and statements, exactly one row per key either way (the
//! primary key decides; a losing insert reads the winner's answer).
//!
//! PostgreSQL goes through an async pool (`tokio-postgres` + `deadpool-postgres`,
//! `INBOX_DB_POOL` connections); SQLite is one connection behind a mutex, used from a
//! blocking thread. Every method is `async`.
use reach_us_core::receipts::Status;
use std::path::Path;
use std::sync::{Arc, Mutex};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use rusqlite::{Connection, OptionalExtension};

/// A report to store, with the answer to give for it (again, on a replay).
#[derive(Clone, Debug)]
pub struct NewReport {
    /// What is stored and shown (status `received`, no answer yet).
    pub row: Row,
    /// SHA-256 of the body as received (replay vs conflict).
    pub body_sha: String,
    /// The body.
    pub body: String,
    /// The JSON answered (201).
    pub response: String,
}

/// What an insert did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Insert {
    /// Stored now; the answer.
    Created(String),
    /// The same key and body were stored before; the answer given then.
    Replay(String),
    /// The same key came with another body.
    Conflict,
}

/// A stored report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Category.
    pub category: String,
    /// Text.
    pub message: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Page.
    pub page_url: Option<String>,
    /// Clock start, ms.
    pub created_at: i64,
    /// Stored, ms.
    pub accepted_at: i64,
    /// Due, ms.
    pub due_at: Option<i64>,
    /// `received`, `in_progress`, `answered`, `resolved`, `spam`.
    pub status: String,
    /// First answer, ms.
    pub answered_at: Option<i64>,
    /// Reply the visitor can see.
    pub reply: Option<String>,
}

/// The statuses the team can set. `spam` dismisses a report: it leaves the open queue and
/// the track record (it is still listed by the admin API, with its status).
pub const STATUSES: [&str; 5] = [
    Status::Received.as_str(),
    Status::InProgress.as_str(),
    Status::Answered.as_str(),
    Status::Resolved.as_str(),
    "spam",
];

/// Storage failed.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    /// The server's own words (code and message), not just "db error".
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError(match e.as_db_error() {
            Some(d) => format!("PostgreSQL {}: {}", d.code().code(), d.message()),
            None => format!("PostgreSQL: {e}"),
        })
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            e => StoreError(format!("PostgreSQL pool: {e}")),
        }
    }
}

/// The store: SQLite (a file) or PostgreSQL (a URL), the same SQL and behaviour.
#[derive(Clone)]
pub enum Store {
    /// An embedded SQLite file: one connection, used from blocking threads.
    Sqlite(Arc<Mutex<Connection>>),
    /// A PostgreSQL database through an async connection pool (several inbox instances
    /// may share it).
    Postgres(Pool),
}

const COLUMNS: &str = "id, reference, category, message, email, phone, page_url, created_at, accepted_at, due_at, status, answered_at, reply";

const SCHEMA_SQL: &str = "CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, body_sha TEXT NOT NULL, body TEXT NOT NULL, reference TEXT NOT NULL,
    category TEXT NOT NULL, message TEXT NOT NULL, email TEXT, phone TEXT, page_url TEXT,
    created_at BIGINT NOT NULL, accepted_at BIGINT NOT NULL, due_at BIGINT,
    status TEXT NOT NULL DEFAULT 'received', answered_at BIGINT, reply TEXT,
    updated_at BIGINT NOT NULL, response TEXT NOT NULL);
 CREATE INDEX IF NOT EXISTS reports_status_due ON reports(status, due_at);
 CREATE INDEX IF NOT EXISTS reports_created ON reports(created_at);
 CREATE INDEX IF NOT EXISTS reports_answered ON reports(answered_at);
 CREATE TABLE IF NOT EXISTS notice (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);";

const INSERT: &str =
    "INSERT INTO reports (id, body_sha, body, reference, category, message, email, phone, page_url,
    created_at, accepted_at, due_at, updated_at, response)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?11, ?13) ON CONFLICT(id) DO NOTHING";
const EXISTING: &str = "SELECT body_sha, response FROM reports WHERE id = ?1";
const SET_STATUS: &str =
    "UPDATE reports SET status = ?2, reply = COALESCE(?3, reply), updated_at = ?4,
    answered_at = CASE WHEN ?5 AND answered_at IS NULL THEN ?4 ELSE answered_at END
 WHERE id = ?1";
const PROMISED: &str = "SELECT due_at, answered_at, created_at, CAST(CASE WHEN status = 'spam' THEN 1 ELSE 0 END AS BIGINT) FROM reports WHERE due_at IS NOT NULL AND created_at >= ?1";
const OPEN: &str = "status NOT IN ('resolved', 'spam')";
const NOTICE: &str = "SELECT body FROM notice WHERE id = 1";
const SET_NOTICE: &str =
    "INSERT INTO notice (id, body) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET body = ?1";
/// Erasing keeps the timing (the track record cannot be cleaned by erasing late answers)
/// and the reference; the visitor's words, contact, page, the stored body and the reply go.
const ERASE: &str = "UPDATE reports SET message = '', email = NULL, phone = NULL, page_url = NULL,
    reply = NULL, body = '', updated_at = ?2 WHERE id = ?1";
const ERASE_BEFORE: &str = "UPDATE reports SET message = '', email = NULL, phone = NULL,
    page_url = NULL, reply = NULL, body = '', updated_at = ?2 WHERE accepted_at < ?1 AND body != ''";

/// A statement argument, for either database.
#[derive(Clone, Debug)]
enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
}

impl Arg {
    fn sqlite(&self) -> rusqlite::types::Value {
        use rusqlite::types::Value as V;
        match self {
            Arg::Int(i) | Arg::OptInt(Some(i)) => V::Integer(*i),
            Arg::Text(s) | Arg::OptText(Some(s)) => V::Text(s.clone()),
            Arg::OptInt(None) | Arg::OptText(None) => V::Null,
            Arg::Bool(b) => V::Integer(i64::from(*b)),
        }
    }

    fn pg(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        match self {
            Arg::Int(i) => i,
            Arg::OptInt(i) => i,
            Arg::Text(s) => s,
            Arg::OptText(s) => s,
            Arg::Bool(b) => b,
        }
    }
}

/// The columns of [`COLUMNS`], read the same way from either database's row.
trait Columns {
    type Error;
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;

    fn report(&self) -> Result<Row, Self::Error> {
        Ok(Row {
            id: self.text(0)?,
            reference: self.text(1)?,
            category: self.text(2)?,
            message: self.text(3)?,
            email: self.opt_text(4)?,
            phone: self.opt_text(5)?,
            page_url: self.opt_text(6)?,
            created_at: self.int(7)?,
            accepted_at: self.int(8)?,
            due_at: self.opt_int(9)?,
            status: self.text(10)?,
            answered_at: self.opt_int(11)?,
            reply: self.opt_text(12)?,
        })
    }
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.get(i)
    }
}

impl Columns for tokio_postgres::Row {
    type Error = tokio_postgres::Error;
    fn text(&self, i: usize) -> Result<String, Self::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> Result<i64, Self::Error> {
        self.try_get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error> {
        self.try_get(i)
    }
}

fn pg_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

/// Await every future (concurrently: they are spawned on the runtime).
async fn futures_join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        if let Ok(v) = h.await {
            out.push(v);
        }
    }
    out
}

/// Default PostgreSQL pool size (`INBOX_DB_POOL`).
pub const DEFAULT_POOL: usize = 16;

impl Store {
    /// Open `db`: a `postgres://` URL (a pool of `pool` connections), else a SQLite file path
    /// (created with its folder). Creates the schema.
    pub async fn open(db: &str, pool: usize) -> Result<Store, StoreError> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            let cfg: tokio_postgres::Config = db
                .parse()
                .map_err(|e| StoreError(format!("not a PostgreSQL URL: {e}")))?;
            let manager = Manager::from_config(
                cfg,
                tokio_postgres::NoTls,
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            let pool = Pool::builder(manager)
                .max_size(pool.max(1))
                .build()
                .map_err(|e| StoreError(format!("PostgreSQL pool: {e}")))?;
            pool.get().await?.batch_execute(SCHEMA_SQL).await?;
            // notify (issue 20): the notification queue's tables.
            pool.get()
                .await?
                .batch_execute(crate::notify::queue::SCHEMA_SQL)
                .await?;
            pool.get()
                .await?
                .batch_execute(crate::attachments::SCHEMA_SQL)
                .await?;
            pool.get()
                .await?
                .batch_execute(crate::incident::SCHEMA_SQL)
                .await?;
            // Open the connections now, not under the first burst of reports (each costs a
            // SCRAM handshake).
            let warm: Vec<_> = (0..pool.status().max_size)
                .map(|_| {
                    let pool = pool.clone();
                    async move { pool.get().await }
                })
                .collect();
            let mut held = Vec::new(); // held together, so each get opens its own
            for c in futures_join_all(warm).await {
                held.push(c?);
            }
            drop(held);
            return Ok(Store::Postgres(pool));
        }
        let path = Path::new(db).to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
            }
            let conn = Connection::open(&path)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.execute_batch(SCHEMA_SQL)?;
            // notify (issue 20): the notification queue's tables.
            conn.execute_batch(crate::notify::queue::SCHEMA_SQL)?;
            conn.execute_batch(crate::attachments::SCHEMA_SQL)?;
            conn.execute_batch(crate::incident::SCHEMA_SQL)?;
            Ok(Store::Sqlite(Arc::new(Mutex::new(conn))))
        })
        .await
        .map_err(|e| StoreError(e.to_string()))?
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(..) => "postgres",
        }
    }

    /// Run `f` on the SQLite connection on a blocking thread.
    pub(crate) async fn sqlite<T: Send + 'static>(
        m: &Arc<Mutex<Connection>>,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let m = m.clone();
        tokio::task::spawn_blocking(move || Ok(f(&m.lock().unwrap_or_else(|p| p.into_inner()))?))
            .await
            .map_err(|e| StoreError(e.to_string()))?
    }

    /// A statement that changes rows: how many.
    async fn exec(&self, sql: &'static str, args: Vec<Arg>) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, move |c| {
                    c.execute(
                        sql,
                        rusqlite::params_from_iter(args.iter().map(Arg::sqlite)),
                    )
                    .map(|n| n as u64)
                })
                .await
            }
            Store::Postgres(p) => {
                let refs: Vec<_> = args.iter().map(Arg::pg).collect();
                Ok(p.get().await?.execute(&pg_sql(sql), &refs).await?)
            }
        }
    }

    /// Reports selected by `sql` (which selects [`COLUMNS`]).
    async fn rows(&self, sql: String, args: Vec<Arg>) -> Result<Vec<Row>, StoreError> {
        match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, move |c| {
                    c.prepare(&sql)?
                        .query_map(
                            rusqlite::params_from_iter(args.iter().map(Arg::sqlite)),
                            |r| r.report(),
                        )?
                        .collect()
                })
                .await
            }
            Store::Postgres(p) => {
                let refs: Vec<_> = args.iter().map(Arg::pg).collect();
                Ok(p.get()
                    .await?
                    .query(&pg_sql(&sql), &refs)
                    .await?
                    .iter()
                    .map(Columns::report)
                    .collect::<Result<_, _>>()?)
            }
        }
    }

    /// Store a report unless its id is known; decide replay or conflict when it is.
    pub async fn insert(&self, new: &NewReport) -> Result<Insert, StoreError> {
        self.insert_with(new, Vec::new()).await
    }

    /// [`Store::insert`], and when the report is new, its notifications `jobs` in the same
    /// transaction (notify, issue 20): a stored report always has them; a replay adds none.
    pub async fn insert_with(
        &self,
        new: &NewReport,
        jobs: Vec<crate::notify::queue::Job>,
    ) -> Result<Insert, StoreError> {
        let r = &new.row;
        let args = vec![
            Arg::Text(r.id.clone()),
            Arg::Text(new.body_sha.clone()),
            Arg::Text(new.body.clone()),
            Arg::Text(r.reference.clone()),
            Arg::Text(r.category.clone()),
            Arg::Text(r.message.clone()),
            Arg::OptText(r.email.clone()),
            Arg::OptText(r.phone.clone()),
            Arg::OptText(r.page_url.clone()),
            Arg::Int(r.created_at),
            Arg::Int(r.accepted_at),
            Arg::OptInt(r.due_at),
            Arg::Text(new.response.clone()),
        ];
        let n = match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, move |c| {
                    let tx = c.unchecked_transaction()?;
                    let n = tx.execute(
                        INSERT,
                        rusqlite::params_from_iter(args.iter().map(Arg::sqlite)),
                    )?;
                    if n == 1 {
                        crate::notify::queue::insert_sqlite(&tx, &jobs)?;
                    }
                    tx.commit()?;
                    Ok(n as u64)
                })
                .await?
            }
            Store::Postgres(p) => {
                let refs: Vec<_> = args.iter().map(Arg::pg).collect();
                let mut c = p.get().await?;
                let tx = c.transaction().await?;
                let n = tx.execute(&pg_sql(INSERT), &refs).await?;
                if n == 1 {
                    crate::notify::queue::insert_pg(&tx, &jobs).await?;
                }
                tx.commit().await?;
                n
            }
        };
        if n == 1 {
            return Ok(Insert::Created(new.response.clone()));
        }
        let id = r.id.clone();
        let existing: Option<(String, String)> = match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, move |c| {
                    c.query_row(EXISTING, [&id], |x| Ok((x.get(0)?, x.get(1)?)))
                        .optional()
                })
                .await?
            }
            Store::Postgres(p) => p
                .get()
                .await?
                .query_opt(&pg_sql(EXISTING), &[&id])
                .await?
                .map(|x| (x.get(0), x.get(1))),
        };
        Ok(match existing {
            Some((sha, stored)) if sha == new.body_sha => Insert::Replay(stored),
            _ => Insert::Conflict,
        })
    }

    /// One report.
    pub async fn get(&self, id: &str) -> Result<Option<Row>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = ?1");
        Ok(self
            .rows(sql, vec![Arg::Text(id.to_string())])
            .await?
            .into_iter()
            .next())
    }

    /// Set a report's status (and reply). The first answer time is kept once set.
    pub async fn set_status(
        &self,
        id: &str,
        status: &str,
        reply: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        if !STATUSES.contains(&status) {
            return Err(StoreError(format!("unknown status {status:?}")));
        }
        let replied = status == "answered" || status == "resolved";
        let reply = reply.filter(|r| !r.trim().is_empty()).map(String::from);
        let args = vec![
            Arg::Text(id.into()),
            Arg::Text(status.into()),
            Arg::OptText(reply),
            Arg::Int(now),
            Arg::Bool(replied),
        ];
        Ok(self.exec(SET_STATUS, args).await? == 1)
    }

    /// Open reports (not resolved, not spam), soonest due first (no promise last): `limit`
    /// from `offset`.
    pub async fn open_reports(&self, limit: u32, offset: u32) -> Result<Vec<Row>, StoreError> {
        self.rows(
            format!("SELECT {COLUMNS} FROM reports WHERE {OPEN} ORDER BY due_at IS NULL, due_at, created_at, id LIMIT ?1 OFFSET ?2"),
            vec![Arg::Int(i64::from(limit)), Arg::Int(i64::from(offset))],
        )
        .await
    }

    /// How many reports are open, and how many of them are overdue at `now`.
    pub async fn open_counts(&self, now: i64) -> Result<(u64, u64), StoreError> {
        let sql = format!("SELECT COUNT(*), COALESCE(SUM(CASE WHEN answered_at IS NULL AND due_at < ?1 THEN 1 ELSE 0 END), 0) FROM reports WHERE {OPEN}");
        let (n, late): (i64, i64) = match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, move |c| {
                    c.query_row(&sql, [now], |r| Ok((r.get(0)?, r.get(1)?)))
                })
                .await?
            }
            Store::Postgres(p) => {
                let r = p.get().await?.query_one(&pg_sql(&sql), &[&now]).await?;
                (r.try_get(0)?, r.try_get(1)?)
            }
        };
        Ok((n.max(0) as u64, late.max(0) as u64))
    }

    /// Every report, newest first (admin API), `limit` at a time: the page after `after`
    /// (the last row of the previous page: its `accepted_at` and id), or the first page.
    pub async fn list(
        &self,
        limit: u32,
        after: Option<(i64, String)>,
    ) -> Result<Vec<Row>, StoreError> {
        let (at, id) = after.unwrap_or((i64::MAX, String::new()));
        self.rows(
            format!("SELECT {COLUMNS} FROM reports WHERE accepted_at < ?1 OR (accepted_at = ?1 AND id > ?2) ORDER BY accepted_at DESC, id LIMIT ?3"),
            vec![Arg::Int(at), Arg::Text(id), Arg::Int(i64::from(limit))],
        )
        .await
    }

    /// Reports with a promise created since `since`, spam left out: (due_at, answered_at,
    /// created_at); and how many were left out as spam.
    pub async fn promised_since(
        &self,
        since: i64,
    ) -> Result<(Vec<(i64, Option<i64>, i64)>, u32), StoreError> {
        let all: Vec<(i64, Option<i64>, i64, i64)> = match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, move |c| {
                    c.prepare(PROMISED)?
                        .query_map([since], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                        })?
                        .collect()
                })
                .await?
            }
            Store::Postgres(p) => p
                .get()
                .await?
                .query(&pg_sql(PROMISED), &[&since])
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect(),
        };
        let spam = all.iter().filter(|r| r.3 == 1).count() as u32;
        Ok((
            all.into_iter()
                .filter(|r| r.3 == 0)
                .map(|(d, a, c, _)| (d, a, c))
                .collect(),
            spam,
        ))
    }

    /// Erase one report's personal data (its timing stays). False: no such report.
    pub async fn erase(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        Ok(self
            .exec(ERASE, vec![Arg::Text(id.into()), Arg::Int(now)])
            .await?
            == 1)
    }

    /// Erase the personal data of every report accepted before `before`; how many.
    pub async fn erase_before(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        self.exec(ERASE_BEFORE, vec![Arg::Int(before), Arg::Int(now)])
            .await
    }

    /// The notice JSON, if one is set.
    pub async fn notice(&self) -> Result<Option<String>, StoreError> {
        match self {
            Store::Sqlite(m) => {
                Store::sqlite(m, |c| c.query_row(NOTICE, [], |r| r.get(0)).optional()).await
            }
            Store::Postgres(p) => Ok(p
                .get()
                .await?
                .query_opt(NOTICE, &[])
                .await?
                .map(|r| r.get(0))),
        }
    }

    /// Set (Some) or clear (None) the notice.
    pub async fn set_notice(&self, body: Option<&str>) -> Result<(), StoreError> {
        match body {
            Some(b) => self.exec(SET_NOTICE, vec![Arg::Text(b.into())]).await,
            None => self.exec("DELETE FROM notice", vec![]).await,
        }
        .map(drop)
    }
}

/// The track record over reports with a promise: (kept, counted, median first-answer
/// minutes). A report counts once answered, or once overdue without an answer (a broken
/// promise is not hidden by leaving it unanswered); reports still within their promise
/// are not counted yet.
pub fn track_record(rows: &[(i64, Option<i64>, i64)], now: i64) -> (u32, u32, Option<u32>) {
    let (mut kept, mut counted) = (0, 0);
    let mut times: Vec<i64> = Vec::new();
    for &(due, answered, created) in rows {
        match answered {
            Some(a) => {
                counted += 1;
                if a <= due {
                    kept += 1;
                }
                times.push(a - created);
            }
            None if now > due => counted += 1,
            None => {}
        }
    }
    times.sort_unstable();
    let median = (!times.is_empty()).then(|| {
        let m = if times.len() % 2 == 1 {
            times[times.len() / 2]
        } else {
            (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2
        };
        ((m + 30_000) / 60_000).max(0) as u32
    });
    (kept, counted, median)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_record_counts_overdue_unanswered_as_broken() {
        let m = 60_000;
        let rows = [
            (60 * m, Some(30 * m), 0),
            (60 * m, Some(90 * m), 0),
            (60 * m, None, 0),
            (600 * m, None, 0),
            (60 * m, Some(10 * m), 0),
        ];
        assert_eq!(track_record(&rows, 100 * m), (2, 4, Some(30)));
        assert_eq!(track_record(&[], 0), (0, 0, None));
    }
}

//! Report storage: SQLite by default (one file, WAL journal, `synchronous=FULL`, so a report
//! whose insert returned is on disk and survives a `kill -9` or a power cut), or PostgreSQL
//! by URL (`synchronous_commit` on, its default) for several inbox instances behind a load
//! balancer: the same schema and statements, exactly one row per key either way (the
//! primary key decides; a losing insert reads the winner's answer). One connection behind
//! a mutex; callers run it on a blocking thread.
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

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
    /// `received`, `in_progress`, `answered`, `resolved`.
    pub status: String,
    /// First answer, ms.
    pub answered_at: Option<i64>,
    /// Reply the visitor can see.
    pub reply: Option<String>,
}

/// The statuses the team can set.
pub const STATUSES: [&str; 4] = ["received", "in_progress", "answered", "resolved"];

/// Storage failed.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// The store: SQLite (a file) or PostgreSQL (a URL), the same SQL and behaviour.
pub enum Store {
    /// An embedded SQLite file.
    Sqlite(Mutex<Connection>),
    /// A PostgreSQL database (for several inbox instances behind a load balancer).
    Postgres(Mutex<Option<postgres::Client>>, String),
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
const PROMISED: &str = "SELECT due_at, answered_at, created_at FROM reports WHERE due_at IS NOT NULL AND created_at >= ?1";
const NOTICE: &str = "SELECT body FROM notice WHERE id = 1";
const SET_NOTICE: &str =
    "INSERT INTO notice (id, body) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET body = ?1";

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

impl Columns for postgres::Row {
    type Error = postgres::Error;
    fn text(&self, i: usize) -> Result<String, postgres::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, postgres::Error> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> Result<i64, postgres::Error> {
        self.try_get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, postgres::Error> {
        self.try_get(i)
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    r.report()
}

fn pg_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl Store {
    /// Open `db`: a `postgres://` URL, else a SQLite file path (created with its folder).
    pub fn open(db: &str) -> Result<Store, StoreError> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            let store = Store::Postgres(Mutex::new(None), db.to_string());
            store.with_pg(|c| Ok(c.batch_execute(SCHEMA_SQL)?))?;
            return Ok(store);
        }
        let path = Path::new(db);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA_SQL)?;
        Ok(Store::Sqlite(Mutex::new(conn)))
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(..) => "postgres",
        }
    }

    fn with_sqlite<T>(
        m: &Mutex<Connection>,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        Ok(f(&m.lock().unwrap_or_else(|p| p.into_inner()))?)
    }

    /// Run `f` on the PostgreSQL connection, (re)connecting when there is none or it broke.
    fn with_pg<T>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Store::Postgres(m, url) = self else {
            return Err(StoreError("not PostgreSQL".into()));
        };
        let mut slot = m.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_none_or(|c| c.is_closed()) {
            *slot = Some(postgres::Client::connect(url, postgres::NoTls)?);
        }
        let client = slot
            .as_mut()
            .ok_or_else(|| StoreError("no connection".into()))?;
        let result = f(client);
        if result.is_err() && client.is_closed() {
            *slot = None;
        }
        result
    }

    /// Store a report unless its id is known; decide replay or conflict when it is.
    pub fn insert(&self, new: &NewReport) -> Result<Insert, StoreError> {
        let (r, sha, body, response) = (&new.row, &new.body_sha, &new.body, &new.response);
        let (n, existing): (u64, Option<(String, String)>) = match self {
            Store::Sqlite(m) => Store::with_sqlite(m, |c| {
                let n = c.execute(
                    INSERT,
                    params![
                        r.id,
                        sha,
                        body,
                        r.reference,
                        r.category,
                        r.message,
                        r.email,
                        r.phone,
                        r.page_url,
                        r.created_at,
                        r.accepted_at,
                        r.due_at,
                        response
                    ],
                )?;
                let existing = if n == 1 {
                    None
                } else {
                    Some(c.query_row(EXISTING, [&r.id], |x| Ok((x.get(0)?, x.get(1)?)))?)
                };
                Ok((n as u64, existing))
            })?,
            Store::Postgres(..) => self.with_pg(|c| {
                let n = c.execute(
                    &pg_sql(INSERT),
                    &[
                        &r.id,
                        sha,
                        body,
                        &r.reference,
                        &r.category,
                        &r.message,
                        &r.email,
                        &r.phone,
                        &r.page_url,
                        &r.created_at,
                        &r.accepted_at,
                        &r.due_at,
                        response,
                    ],
                )?;
                let existing = if n == 1 {
                    None
                } else {
                    c.query_one(&pg_sql(EXISTING), &[&r.id])
                        .map(|x| Some((x.get(0), x.get(1))))?
                };
                Ok((n, existing))
            })?,
        };
        Ok(match (n, existing) {
            (1, _) => Insert::Created(response.clone()),
            (_, Some((stored_sha, stored))) if stored_sha == *sha => Insert::Replay(stored),
            _ => Insert::Conflict,
        })
    }

    fn rows(&self, sql: &str, arg: i64) -> Result<Vec<Row>, StoreError> {
        match self {
            Store::Sqlite(m) => {
                Store::with_sqlite(m, |c| c.prepare(sql)?.query_map([arg], row)?.collect())
            }
            Store::Postgres(..) => self.with_pg(|c| {
                Ok(c.query(&pg_sql(sql), &[&arg])?
                    .iter()
                    .map(Columns::report)
                    .collect::<Result<_, _>>()?)
            }),
        }
    }

    /// One report.
    pub fn get(&self, id: &str) -> Result<Option<Row>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = ?1");
        match self {
            Store::Sqlite(m) => Store::with_sqlite(m, |c| c.query_row(&sql, [id], row).optional()),
            Store::Postgres(..) => self.with_pg(|c| {
                Ok(c.query_opt(&pg_sql(&sql), &[&id])?
                    .as_ref()
                    .map(Columns::report)
                    .transpose()?)
            }),
        }
    }

    /// Set a report's status (and reply). The first answer time is kept once set.
    pub fn set_status(
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
        let reply = reply.filter(|r| !r.trim().is_empty());
        let n = match self {
            Store::Sqlite(m) => Store::with_sqlite(m, |c| {
                c.execute(SET_STATUS, params![id, status, reply, now, replied])
            })? as u64,
            Store::Postgres(..) => self.with_pg(|c| {
                Ok(c.execute(&pg_sql(SET_STATUS), &[&id, &status, &reply, &now, &replied])?)
            })?,
        };
        Ok(n == 1)
    }

    /// Reports not yet resolved, soonest due first (no promise last).
    pub fn open_reports(&self, limit: u32) -> Result<Vec<Row>, StoreError> {
        self.rows(&format!("SELECT {COLUMNS} FROM reports WHERE status != 'resolved' ORDER BY due_at IS NULL, due_at, created_at LIMIT ?1"), i64::from(limit))
    }

    /// Every report, newest first (admin API).
    pub fn all(&self, limit: u32) -> Result<Vec<Row>, StoreError> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM reports ORDER BY accepted_at DESC, id LIMIT ?1"),
            i64::from(limit),
        )
    }

    /// Reports with a promise created since `since`: (due_at, answered_at, created_at).
    pub fn promised_since(&self, since: i64) -> Result<Vec<(i64, Option<i64>, i64)>, StoreError> {
        match self {
            Store::Sqlite(m) => Store::with_sqlite(m, |c| {
                c.prepare(PROMISED)?
                    .query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            }),
            Store::Postgres(..) => self.with_pg(|c| {
                Ok(c.query(&pg_sql(PROMISED), &[&since])?
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect())
            }),
        }
    }

    /// The notice JSON, if one is set.
    pub fn notice(&self) -> Result<Option<String>, StoreError> {
        match self {
            Store::Sqlite(m) => {
                Store::with_sqlite(m, |c| c.query_row(NOTICE, [], |r| r.get(0)).optional())
            }
            Store::Postgres(..) => {
                self.with_pg(|c| Ok(c.query_opt(NOTICE, &[])?.map(|r| r.get(0))))
            }
        }
    }

    /// Set (Some) or clear (None) the notice.
    pub fn set_notice(&self, body: Option<&str>) -> Result<(), StoreError> {
        match (self, body) {
            (Store::Sqlite(m), Some(b)) => {
                Store::with_sqlite(m, |c| c.execute(SET_NOTICE, [b])).map(drop)
            }
            (Store::Sqlite(m), None) => {
                Store::with_sqlite(m, |c| c.execute("DELETE FROM notice", [])).map(drop)
            }
            (Store::Postgres(..), Some(b)) => {
                self.with_pg(|c| Ok(c.execute(&pg_sql(SET_NOTICE), &[&b]).map(drop)?))
            }
            (Store::Postgres(..), None) => {
                self.with_pg(|c| Ok(c.execute("DELETE FROM notice", &[]).map(drop)?))
            }
        }
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

//! Attachments: `POST /v1/reports` as `multipart/form-data` (the `reach-us/v1` report as
//! the part `report`, then up to [`MAX_FILES`] `file` parts, and an optional `note` the
//! widget adds when files were lost in the visitor's browser), stored beside the report,
//! and served to the admin only.
//!
//! - The report part goes through the JSON route's own path ([`crate::api::accept`]): the
//!   same checks, the same idempotency (decided on the report part alone, so a resend
//!   without the files a browser lost is the same report), the same answer.
//! - Files are stored once the report row is: SQLite keeps them on disk in `files/` beside
//!   the database under their SHA-256 (written to a temporary name, synced, renamed), PostgreSQL
//!   in the table `attachment_blobs`; the table `attachments` lists each report's files
//!   (report id + position is the key: a resend with the same `Idempotency-Key` stores
//!   nothing twice, and a crash between the report and its files is mended by the resend).
//! - A file's type is what its bytes are (JPEG, PNG, WebP, GIF or PDF), never what the
//!   client called it; anything else is refused (`400` naming `file[i]`).
//! - The whole request is capped at [`MAX_UPLOAD`] bytes (`413`); a JSON body keeps the
//!   64 KiB cap.
//! - `GET /admin/files/{sha256}` answers the signed-in admin page (session cookie) or the
//!   admin token, never anyone else, with `nosniff`, a sandboxing CSP and, for a PDF,
//!   `Content-Disposition: attachment`.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::AppError;
use crate::state::{App, Shared};
use crate::store::{Store, StoreError};
use crate::util::{esc, sha256_hex};

/// Files per report at most (the widget's ceiling, from core).
pub const MAX_FILES: usize = reach_us_core::defaults::MAX_FILES_CEILING as usize;
/// Largest multipart request: the report, the files' ceiling, and 64 KiB of framing.
pub const MAX_UPLOAD: usize = reach_us_core::defaults::MAX_REPORT_BYTES
    + reach_us_core::defaults::MAX_FILES_BYTES_CEILING as usize
    + 64 * 1024;

/// The tables (both databases; `attachment_blobs` is used by PostgreSQL only: SQLite's
/// files live on disk).
pub const SCHEMA_SQL: &str = "CREATE TABLE IF NOT EXISTS attachments (
    report_id TEXT NOT NULL, idx BIGINT NOT NULL, name TEXT NOT NULL, mime TEXT NOT NULL,
    size BIGINT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (report_id, idx));
 CREATE INDEX IF NOT EXISTS attachments_sha ON attachments(sha256);
 CREATE TABLE IF NOT EXISTS attachment_blobs (sha256 TEXT PRIMARY KEY, data BYTEA NOT NULL);";

/// One stored file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Position in the report.
    pub idx: i64,
    /// Cleaned file name.
    pub name: String,
    /// Type, from the bytes.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256, hex: the name it is stored under.
    pub sha256: String,
}

/// What the bytes are: JPEG, PNG, WebP, GIF or PDF.
pub fn sniff(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if reach_us_core::attachments::is_pdf(b) {
        Some("application/pdf")
    } else {
        None
    }
}

/// A file name fit to store and show (the widget's own cleaning, from core).
pub fn clean_name(name: &str) -> String {
    reach_us_core::attachments::clean_name(name, None)
}

/// The report's `attachments` description, type-checked and cleaned (at most
/// [`MAX_FILES`] entries of `{name, type, size}`).
pub fn check_described(v: &Value) -> Result<Value, AppError> {
    let Value::Array(list) = v else {
        return Err(AppError::report("attachments", "must be an array"));
    };
    if list.len() > MAX_FILES {
        return Err(AppError::report(
            "attachments",
            format!("has more than {MAX_FILES} files"),
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let field = format!("attachments[{i}]");
        let (Some(name), Some(mime), Some(size)) = (
            item.get("name").and_then(Value::as_str),
            item.get("type").and_then(Value::as_str),
            item.get("size").and_then(Value::as_u64),
        ) else {
            return Err(AppError::report(
                &field,
                "must be {\"name\": string, \"type\": string, \"size\": whole number}",
            ));
        };
        let mime: String = mime.chars().filter(|c| !c.is_control()).take(100).collect();
        out.push(json!({"name": clean_name(name), "type": mime, "size": size}));
    }
    Ok(Value::Array(out))
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({"error": "too_large", "message": format!("the request is larger than {MAX_UPLOAD} bytes")})),
    )
        .into_response()
}

/// `POST /v1/reports`: a JSON report (as before, 64 KiB at most), or a multipart one with
/// files.
pub async fn create(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        let Ok(bytes) = axum::body::to_bytes(body, crate::api::MAX_BODY).await else {
            return Ok(too_large());
        };
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| AppError::report("body", "must be UTF-8 JSON"))?;
        return crate::api::accept(&app, peer, &headers, text).await;
    }
    let boundary = multer::parse_boundary(ct)
        .map_err(|_| AppError::report("body", "multipart/form-data needs a boundary"))?;
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(MAX_UPLOAD as u64)
            .for_field("report", crate::api::MAX_BODY as u64)
            .for_field("note", 1024),
    );
    let mut form = multer::Multipart::with_constraints(body.into_data_stream(), boundary, limits);
    let mut report: Option<String> = None;
    let mut files: Vec<(String, &'static str, Bytes)> = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(
                multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. },
            ) => return Ok(too_large()),
            Err(e) => {
                return Err(AppError::report(
                    "body",
                    format!("is not readable multipart: {e}"),
                ))
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().unwrap_or("").to_string();
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(
                multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. },
            ) => return Ok(too_large()),
            Err(e) => return Err(AppError::report(&name, format!("could not be read: {e}"))),
        };
        match name.as_str() {
            "report" if report.is_none() && files.is_empty() => {
                report = Some(
                    String::from_utf8(data.to_vec())
                        .map_err(|_| AppError::report("report", "must be UTF-8 JSON"))?,
                )
            }
            "report" => {
                return Err(AppError::report(
                    "report",
                    "must be the first part, and only once",
                ))
            }
            "file" => {
                let field = format!("file[{}]", files.len());
                if files.len() >= MAX_FILES {
                    return Err(AppError::report(
                        &field,
                        format!("more than {MAX_FILES} files"),
                    ));
                }
                let Some(mime) = sniff(&data) else {
                    return Err(AppError::report(
                        &field,
                        "is not a JPEG, PNG, WebP, GIF or PDF file (by its content)",
                    ));
                };
                files.push((clean_name(&file_name), mime, data));
            }
            // The widget's note about files lost in the browser: the inbox computes the same
            // from the report's description, so the note itself is not stored.
            "note" => {}
            other => {
                return Err(AppError::report(
                    "body",
                    format!("has an unknown part {other:?} (report, file, note)"),
                ))
            }
        }
    }
    let Some(report) = report else {
        return Err(AppError::report("report", "part is missing"));
    };
    let id = serde_json::from_str::<Value>(&report)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(String::from));
    let answer = crate::api::accept(&app, peer, &headers, report).await?;
    if answer.status() == StatusCode::CREATED && !files.is_empty() {
        // Stored (now or before), not a honeypot's "thanks": then its files.
        if let Some(id) = id.filter(|i| crate::report::valid_id(i)) {
            if app.store.get(&id).await?.is_some() {
                store_files(&app, &id, files).await?;
            }
        }
    }
    Ok(answer)
}

fn files_dir(app: &App) -> PathBuf {
    let db = std::path::Path::new(&app.cfg.db);
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."))
        .join("files")
}

fn write_file(dir: PathBuf, sha: &str, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(sha);
    if path.exists() {
        return Ok(()); // the same content, stored before
    }
    let tmp = dir.join(format!("{sha}.{}.tmp", crate::util::random_id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

const INSERT: &str = "INSERT INTO attachments (report_id, idx, name, mime, size, sha256)
 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (report_id, idx) DO NOTHING";

/// Store the files of report `id` (content first, then the rows; nothing twice).
async fn store_files(
    app: &App,
    id: &str,
    files: Vec<(String, &'static str, Bytes)>,
) -> Result<(), AppError> {
    let rows: Vec<(i64, String, &'static str, i64, String, Bytes)> = files
        .into_iter()
        .enumerate()
        .map(|(i, (name, mime, data))| {
            (
                i as i64,
                name,
                mime,
                data.len() as i64,
                sha256_hex(&data),
                data,
            )
        })
        .collect();
    match &app.store {
        Store::Sqlite(conn) => {
            let dir = files_dir(app);
            let conn = conn.clone();
            let id = id.to_string();
            tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
                for (_, _, _, _, sha, data) in &rows {
                    write_file(dir.clone(), sha, data)
                        .map_err(|e| StoreError(format!("attachment file: {e}")))?;
                }
                let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                for (idx, name, mime, size, sha, _) in &rows {
                    c.execute(
                        &INSERT.replace('$', "?"),
                        rusqlite::params![id, idx, name, mime, size, sha],
                    )?;
                }
                Ok(())
            })
            .await
            .map_err(|e| AppError::Storage(StoreError(e.to_string())))??;
        }
        Store::Postgres(pool) => {
            let mut c = pool.get().await.map_err(StoreError::from)?;
            let tx = c.transaction().await.map_err(StoreError::from)?;
            for (idx, name, mime, size, sha, data) in &rows {
                tx.execute(
                    "INSERT INTO attachment_blobs (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
                    &[sha, &data.as_ref()],
                )
                .await
                .map_err(StoreError::from)?;
                tx.execute(INSERT, &[&id, idx, name, &mime.to_string(), size, sha])
                    .await
                    .map_err(StoreError::from)?;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
    }
    Ok(())
}

/// The files of these reports, by report id, in order.
pub async fn for_reports(
    store: &Store,
    ids: &[String],
) -> Result<HashMap<String, Vec<Stored>>, StoreError> {
    let mut out: HashMap<String, Vec<Stored>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    const SELECT: &str = "SELECT report_id, idx, name, mime, size, sha256 FROM attachments";
    let rows: Vec<(String, Stored)> = match store {
        Store::Sqlite(conn) => {
            let conn = conn.clone();
            let ids = ids.to_vec();
            tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
                let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                let mut stmt = c.prepare(&format!("{SELECT} WHERE report_id = ?1 ORDER BY idx"))?;
                let mut all = Vec::new();
                for id in &ids {
                    let rows = stmt.query_map([id], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            Stored {
                                idx: r.get(1)?,
                                name: r.get(2)?,
                                mime: r.get(3)?,
                                size: r.get(4)?,
                                sha256: r.get(5)?,
                            },
                        ))
                    })?;
                    for row in rows {
                        all.push(row?);
                    }
                }
                Ok(all)
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(pool) => pool
            .get()
            .await?
            .query(
                &format!("{SELECT} WHERE report_id = ANY($1) ORDER BY report_id, idx"),
                &[&ids],
            )
            .await?
            .iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    Stored {
                        idx: r.get(1),
                        name: r.get(2),
                        mime: r.get(3),
                        size: r.get(4),
                        sha256: r.get(5),
                    },
                )
            })
            .collect(),
    };
    for (id, s) in rows {
        out.entry(id).or_default().push(s);
    }
    Ok(out)
}

/// How many files each of these reports described (its `attachments`).
pub async fn described(
    store: &Store,
    ids: &[String],
) -> Result<HashMap<String, usize>, StoreError> {
    let count = |body: &str| {
        serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.get("attachments").and_then(Value::as_array).map(Vec::len))
            .unwrap_or(0)
    };
    let mut out = HashMap::new();
    match store {
        Store::Sqlite(conn) => {
            let conn = conn.clone();
            let ids = ids.to_vec();
            let bodies = tokio::task::spawn_blocking(
                move || -> Result<Vec<(String, String)>, StoreError> {
                    let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                    let mut stmt = c.prepare("SELECT id, body FROM reports WHERE id = ?1")?;
                    let mut all = Vec::new();
                    for id in &ids {
                        for row in stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))? {
                            all.push(row?);
                        }
                    }
                    Ok(all)
                },
            )
            .await
            .map_err(|e| StoreError(e.to_string()))??;
            for (id, body) in bodies {
                out.insert(id, count(&body));
            }
        }
        Store::Postgres(pool) => {
            for r in pool
                .get()
                .await?
                .query("SELECT id, body FROM reports WHERE id = ANY($1)", &[&ids])
                .await?
            {
                out.insert(r.get::<_, String>(0), count(r.get::<_, &str>(1)));
            }
        }
    }
    Ok(out)
}

/// The admin page's cell for one report's files: thumbnails of images, links to PDFs, and
/// how many the report described but never arrived.
pub fn cell(files: &[Stored], described: usize) -> String {
    let mut out = String::new();
    for f in files {
        let href = format!("/admin/files/{}", esc(&f.sha256));
        let size = reach_us_core::attachments::human_size(f.size as u64);
        if f.mime.starts_with("image/") {
            out.push_str(&format!(
                "<a class=att href=\"{href}\"><img src=\"{href}\" alt=\"{}\" width=96 height=96 loading=lazy></a><small>{} · {size}</small>",
                esc(&f.name),
                esc(&f.name)
            ));
        } else {
            out.push_str(&format!(
                "<a class=att href=\"{href}\" download=\"{}\">{} (PDF, {size})</a>",
                esc(&f.name),
                esc(&f.name)
            ));
        }
    }
    if described > files.len() {
        out.push_str(&format!(
            "<p class=overdue>{} of {described} attachment(s) did not arrive (lost in the visitor's browser)</p>",
            described - files.len()
        ));
    }
    if out.is_empty() {
        out
    } else {
        format!("<div class=atts>{out}</div>")
    }
}

/// The routes serving files (admin only).
pub fn routes() -> Router<Shared> {
    Router::new().route("/admin/files/{sha}", get(file))
}

/// `GET /admin/files/{sha256}`: the signed-in admin page or the admin token only.
async fn file(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Result<Response, AppError> {
    if crate::auth::live_session(&app, &headers).is_none()
        && !crate::auth::has_token(&app, &headers)
    {
        return Err(AppError::Unauthorized);
    }
    if sha.len() != 64
        || !sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(AppError::NotFound);
    }
    // Known, and not erased with its report.
    let (name, mime, data) = match &app.store {
        Store::Sqlite(conn) => {
            let conn = conn.clone();
            let key = sha.clone();
            let row = tokio::task::spawn_blocking(
                move || -> Result<Option<(String, String)>, StoreError> {
                    use rusqlite::OptionalExtension;
                    let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                    Ok(c.query_row(
                        "SELECT name, mime FROM attachments WHERE sha256 = ?1 LIMIT 1",
                        [key],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?)
                },
            )
            .await
            .map_err(|e| StoreError(e.to_string()))??;
            let Some((name, mime)) = row else {
                return Err(AppError::NotFound);
            };
            let data = tokio::fs::read(files_dir(&app).join(&sha))
                .await
                .map_err(|_| AppError::NotFound)?;
            (name, mime, data)
        }
        Store::Postgres(pool) => {
            let c = pool.get().await.map_err(StoreError::from)?;
            let row = c
                .query_opt(
                    "SELECT a.name, a.mime, b.data FROM attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE a.sha256 = $1 LIMIT 1",
                    &[&sha],
                )
                .await
                .map_err(StoreError::from)?
                .ok_or(AppError::NotFound)?;
            (row.get(0), row.get(1), row.get::<_, Vec<u8>>(2))
        }
    };
    let mut r = (StatusCode::OK, data).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = if mime == "application/pdf" {
        "attachment"
    } else {
        "inline"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// Erase the files of reports accepted before `before` (the retention purge, with their
/// personal data); how many reports had files.
pub async fn erase_before(app: &App, before: i64) -> Result<u64, StoreError> {
    const SQL: &str = "SELECT DISTINCT a.report_id FROM attachments a JOIN reports r ON r.id = a.report_id WHERE r.accepted_at < $1";
    let ids: Vec<String> = match &app.store {
        Store::Sqlite(conn) => {
            let conn = conn.clone();
            tokio::task::spawn_blocking(move || -> Result<Vec<String>, StoreError> {
                let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                let ids = c
                    .prepare(&SQL.replace('$', "?"))?
                    .query_map([before], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                Ok(ids)
            })
            .await
            .map_err(|e| StoreError(e.to_string()))??
        }
        Store::Postgres(pool) => pool
            .get()
            .await?
            .query(SQL, &[&before])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    };
    for id in &ids {
        erase(app, id).await?;
    }
    Ok(ids.len() as u64)
}

/// Erase a report's files (with its personal data): the rows go; content no other report
/// uses goes too.
pub async fn erase(app: &App, id: &str) -> Result<(), StoreError> {
    match &app.store {
        Store::Sqlite(conn) => {
            let conn = conn.clone();
            let dir = files_dir(app);
            let id = id.to_string();
            tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
                let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                let shas: Vec<String> = c
                    .prepare("SELECT sha256 FROM attachments WHERE report_id = ?1")?
                    .query_map([&id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                c.execute("DELETE FROM attachments WHERE report_id = ?1", [&id])?;
                for sha in shas {
                    let used: i64 = c.query_row(
                        "SELECT COUNT(*) FROM attachments WHERE sha256 = ?1",
                        [&sha],
                        |r| r.get(0),
                    )?;
                    if used == 0 {
                        let _ = std::fs::remove_file(dir.join(&sha));
                    }
                }
                Ok(())
            })
            .await
            .map_err(|e| StoreError(e.to_string()))?
        }
        Store::Postgres(pool) => {
            let c = pool.get().await?;
            c.execute(
                "WITH gone AS (DELETE FROM attachments WHERE report_id = $1 RETURNING sha256)
                 DELETE FROM attachment_blobs b WHERE b.sha256 IN (SELECT sha256 FROM gone)
                 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256 AND a.report_id <> $1)",
                &[&id],
            )
            .await?;
            Ok(())
        }
    }
}

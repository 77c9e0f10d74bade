//! Attachments (issue 22) through the real router (`tower::ServiceExt::oneshot`), on a fresh
//! SQLite file and a fresh PostgreSQL database: multipart reports, files stored once per
//! `Idempotency-Key`, types decided by content, size caps, files served to the admin only,
//! thumbnails on the admin page, lost files reported, erasure.
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http_body_util::BodyExt;
use reach_us_inbox::{web, InboxConfig, Store};
use serde_json::Value;
use support::client::{sample_report, Reply};
use tower::ServiceExt;

mod support;
use support::{fresh_db, Db};

const TOKEN: &str = "test-admin-token";
const HOST: &str = "inbox.test";
const BOUNDARY: &str = "----reachusTestBoundary7MA4YWxk";

async fn start(db: Db) -> &'static Router {
    let mut cfg = InboxConfig::local(fresh_db(db).await);
    cfg.admin_token_sha256 = Some(reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()));
    cfg.rate_per_min = 0;
    cfg.public_url = format!("http://{HOST}");
    let store = Store::open(&cfg.db, 4).await.expect("store");
    Box::leak(Box::new(web::router(web::App::new(store, cfg))))
}

async fn send(
    app: &'static Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (Reply, Vec<u8>) {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", HOST);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let resp = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (
        Reply {
            status: parts.status.as_u16(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        },
        bytes,
    )
}

/// A multipart body: (name, file name, bytes) parts, in order.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file, data) in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

async fn post(app: &'static Router, id: &str, body: Vec<u8>) -> Reply {
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    send(
        app,
        "POST",
        "/v1/reports",
        &[("Content-Type", &ct), ("Idempotency-Key", id)],
        body,
    )
    .await
    .0
}

fn report(id: &str, files: &[(&str, &str, usize)]) -> String {
    let mut v: Value =
        serde_json::from_str(&sample_report(id, "The car's screen shows an error")).unwrap();
    if !files.is_empty() {
        v["attachments"] = files
            .iter()
            .map(|(n, t, s)| serde_json::json!({"name": n, "type": t, "size": s}))
            .collect();
    }
    v.to_string()
}

fn uuid(n: u32) -> String {
    format!("{n:08x}-2222-4222-8222-222222222222")
}

fn jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0];
    j.extend_from_slice(&[7u8; 500]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

async fn cookie(app: &'static Router) -> String {
    let origin = format!("http://{HOST}");
    let (login, _) = send(
        app,
        "POST",
        "/admin/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &origin),
        ],
        format!("token={TOKEN}").into_bytes(),
    )
    .await;
    assert_eq!(login.status, 303);
    login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn attachments_are_stored_once_and_served_to_the_admin_only(db: Db) {
    let app = start(db).await;
    let id = uuid(1);
    let photo = jpeg();
    let rep = report(
        &id,
        &[
            ("door.jpg", "image/jpeg", photo.len()),
            ("manual.pdf", "application/pdf", PDF.len()),
        ],
    );
    let body = multipart(&[
        ("report", None, rep.as_bytes()),
        ("file", Some("door.jpg"), &photo),
        ("file", Some("../../etc/man\u{202e}fdp.pdf"), PDF),
    ]);
    let first = post(app, &id, body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    // The same key again (a retry after a lost answer): the same answer, nothing stored twice.
    let again = post(app, &id, body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    // A resend whose files the browser lost: still the same report, still its first files.
    let lost = post(
        app,
        &id,
        multipart(&[
            ("report", None, rep.as_bytes()),
            (
                "note",
                None,
                b"2 of 2 attachments were lost in the visitor's browser before delivery",
            ),
        ]),
    )
    .await;
    assert_eq!(lost.status, 201);
    let sha_jpeg = reach_us_inbox::util::sha256_hex(&photo);
    let sha_pdf = reach_us_inbox::util::sha256_hex(PDF);
    // Not public: no session, no token.
    let (anon, _) = send(app, "GET", &format!("/admin/files/{sha_jpeg}"), &[], vec![]).await;
    assert_eq!(anon.status, 401);
    let (wrong, _) = send(
        app,
        "GET",
        &format!("/admin/files/{sha_jpeg}"),
        &[("Authorization", "Bearer nope")],
        vec![],
    )
    .await;
    assert_eq!(wrong.status, 401);
    let auth = format!("Bearer {TOKEN}");
    let (got, bytes) = send(
        app,
        "GET",
        &format!("/admin/files/{sha_jpeg}"),
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(got.status, 200);
    assert_eq!(bytes, photo);
    assert_eq!(got.header("content-type"), Some("image/jpeg"));
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    assert!(got
        .header("content-security-policy")
        .unwrap()
        .contains("sandbox"));
    let (pdf, bytes) = send(
        app,
        "GET",
        &format!("/admin/files/{sha_pdf}"),
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!((pdf.status, bytes.as_slice()), (200, PDF));
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(
        pdf.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=\"manfdp.pdf\""),
        "{:?}",
        pdf.header("content-disposition")
    );
    let (unknown, _) = send(
        app,
        "GET",
        &format!("/admin/files/{}", "a".repeat(64)),
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(unknown.status, 404);
    let (traversal, _) = send(
        app,
        "GET",
        "/admin/files/..%2F..%2Finbox.sqlite3",
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(traversal.status, 404);
    // The admin page shows the thumbnail (and its CSP lets it load from here only).
    let c = cookie(app).await;
    let (page, _) = send(app, "GET", "/admin", &[("Cookie", &c)], vec![]).await;
    assert_eq!(
        page.body
            .matches(&format!("<img src=\"/admin/files/{sha_jpeg}\""))
            .count(),
        1,
        "one thumbnail, stored once"
    );
    assert!(page.body.contains(&format!(
        "href=\"/admin/files/{sha_pdf}\" download=\"manfdp.pdf\""
    )));
    assert!(!page.body.contains("did not arrive"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("img-src 'self'"));
    let (with_cookie, _) = send(
        app,
        "GET",
        &format!("/admin/files/{sha_jpeg}"),
        &[("Cookie", &c)],
        vec![],
    )
    .await;
    assert_eq!(with_cookie.status, 200);
    // Erasing the report's personal data erases its files.
    let (erased, _) = send(
        app,
        "DELETE",
        &format!("/v1/reports/{id}"),
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(erased.status, 204);
    let (gone, _) = send(
        app,
        "GET",
        &format!("/admin/files/{sha_jpeg}"),
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(gone.status, 404);
}

async fn files_are_what_their_bytes_are_and_the_size_is_capped(db: Db) {
    let app = start(db).await;
    let auth = format!("Bearer {TOKEN}");
    // HTML that calls itself a PNG: refused, naming the part; the report is not stored.
    let id = uuid(2);
    let r = post(
        app,
        &id,
        multipart(&[
            (
                "report",
                None,
                report(&id, &[("x.png", "image/png", 30)]).as_bytes(),
            ),
            ("file", Some("x.png"), b"<html><script>alert(1)</script>"),
        ]),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["field"], "file[0]");
    let (status, _) = send(app, "GET", &format!("/v1/reports/{id}/status"), &[], vec![]).await;
    assert_eq!(status.status, 404);
    // The report must come first.
    let id = uuid(3);
    let r = post(
        app,
        &id,
        multipart(&[
            ("file", Some("a.jpg"), &jpeg()),
            ("report", None, report(&id, &[]).as_bytes()),
        ]),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("report"))
    );
    // An unknown part, a missing report.
    let r = post(
        app,
        &id,
        multipart(&[
            ("report", None, report(&id, &[]).as_bytes()),
            ("evil", None, b"x"),
        ]),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = post(app, &id, multipart(&[])).await;
    assert_eq!(r.status, 400);
    // Eleven files: more than the ceiling.
    let id = uuid(4);
    let j = jpeg();
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = Vec::new();
    let rep = report(&id, &[]);
    parts.push(("report", None, rep.as_bytes()));
    for _ in 0..11 {
        parts.push(("file", Some("a.jpg"), &j));
    }
    let r = post(app, &id, multipart(&parts)).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("file[10]"))
    );
    // Over the request cap: 413, nothing stored.
    let id = uuid(5);
    let mut big = jpeg();
    big.resize(reach_us_inbox::attachments::MAX_UPLOAD + 1, 0);
    let r = post(
        app,
        &id,
        multipart(&[
            ("report", None, report(&id, &[]).as_bytes()),
            ("file", Some("big.jpg"), &big),
        ]),
    )
    .await;
    assert_eq!(r.status, 413);
    // A JSON body keeps its 64 KiB cap.
    let long = format!("{{\"pad\": \"{}\"}}", "x".repeat(70_000));
    let (r, _) = send(
        app,
        "POST",
        "/v1/reports",
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", &id),
        ],
        long.into_bytes(),
    )
    .await;
    assert_eq!(r.status, 413);
    // A description that is not a list of files.
    let id = uuid(6);
    let mut v: Value = serde_json::from_str(&report(&id, &[])).unwrap();
    v["attachments"] = serde_json::json!([{"name": 1}]);
    let r = post(
        app,
        &id,
        multipart(&[("report", None, v.to_string().as_bytes())]),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("attachments[0]"))
    );
    // A honeypot report's files are not stored.
    let id = uuid(7);
    let mut v: Value = serde_json::from_str(&report(&id, &[])).unwrap();
    v["website"] = "http://spam.example".into();
    let bot = vec![0xFF, 0xD8, 0xFF, 0x01, 0x02];
    let r = post(
        app,
        &id,
        multipart(&[
            ("report", None, v.to_string().as_bytes()),
            ("file", Some("spam.jpg"), &bot),
        ]),
    )
    .await;
    assert_eq!(r.status, 201);
    let sha = reach_us_inbox::util::sha256_hex(&bot);
    let (r, _) = send(
        app,
        "GET",
        &format!("/admin/files/{sha}"),
        &[("Authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(r.status, 404);
}

async fn files_lost_in_the_browser_are_shown_as_missing(db: Db) {
    let app = start(db).await;
    let id = uuid(8);
    let j = jpeg();
    let r = post(
        app,
        &id,
        multipart(&[
            (
                "report",
                None,
                report(
                    &id,
                    &[("a.jpg", "image/jpeg", j.len()), ("b.jpg", "image/jpeg", 9)],
                )
                .as_bytes(),
            ),
            ("file", Some("a.jpg"), &j),
            (
                "note",
                None,
                b"1 of 2 attachments were lost in the visitor's browser before delivery",
            ),
        ]),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let c = cookie(app).await;
    let (page, _) = send(app, "GET", "/admin", &[("Cookie", &c)], vec![]).await;
    assert!(
        page.body.contains("1 of 2 attachment(s) did not arrive"),
        "{}",
        page.body
    );
}

async fn retention_erases_files_with_the_personal_data(db: Db) {
    let mut cfg = InboxConfig::local(fresh_db(db).await);
    cfg.admin_token_sha256 = Some(reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()));
    cfg.rate_per_min = 0;
    cfg.retention_days = 30;
    cfg.public_url = format!("http://{HOST}");
    let db_url = cfg.db.clone();
    let store = Store::open(&cfg.db, 2).await.expect("store");
    let shared = web::App::new(store, cfg);
    let app: &'static Router = Box::leak(Box::new(web::router(shared.clone())));
    let (old, new) = (uuid(20), uuid(21));
    let (a, b) = (jpeg(), {
        let mut j = jpeg();
        j[10] = 1;
        j
    });
    for (id, file) in [(&old, &a), (&new, &b)] {
        let r = post(
            app,
            id,
            multipart(&[
                (
                    "report",
                    None,
                    report(id, &[("a.jpg", "image/jpeg", file.len())]).as_bytes(),
                ),
                ("file", Some("a.jpg"), file),
            ]),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // Age one report past retention (as if accepted 31 days ago).
    let aged = reach_us_inbox::util::now_ms() - 31 * 86_400_000;
    match db {
        Db::Sqlite => rusqlite::Connection::open(&db_url)
            .unwrap()
            .execute(
                "UPDATE reports SET accepted_at = ?1 WHERE id = ?2",
                rusqlite::params![aged, old],
            )
            .map(|_| ())
            .unwrap(),
        Db::Postgres => {
            let (url, id) = (db_url.clone(), old.clone());
            tokio::task::spawn_blocking(move || {
                let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
                c.execute(
                    "UPDATE reports SET accepted_at = $1 WHERE id = $2",
                    &[&aged, &id],
                )
                .unwrap();
            })
            .await
            .unwrap();
        }
    }
    reach_us_inbox::api::purge_expired(&shared)
        .await
        .expect("purge");
    let auth = format!("Bearer {TOKEN}");
    let get = |sha: String| {
        let auth = auth.clone();
        async move {
            send(
                app,
                "GET",
                &format!("/admin/files/{sha}"),
                &[("Authorization", &auth)],
                vec![],
            )
            .await
            .0
            .status
        }
    };
    assert_eq!(
        get(reach_us_inbox::util::sha256_hex(&a)).await,
        404,
        "the old report's file is erased"
    );
    assert_eq!(
        get(reach_us_inbox::util::sha256_hex(&b)).await,
        200,
        "the recent one stays"
    );
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::support::Db::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() {
                if super::support::postgres_url().is_some() { super::$name(super::support::Db::Postgres).await }
            } )*
        }
    };
}

both!(
    attachments_are_stored_once_and_served_to_the_admin_only,
    files_are_what_their_bytes_are_and_the_size_is_capped,
    files_lost_in_the_browser_are_shown_as_missing,
    retention_erases_files_with_the_personal_data
);

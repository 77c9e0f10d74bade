//! HTTP-level tests of every endpoint and error, through the real router with
//! `tower::ServiceExt::oneshot` (no sockets), each on a fresh SQLite file or PostgreSQL
//! database.
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http_body_util::BodyExt;
use reach_us_inbox::config::widget_config;
use reach_us_inbox::{web, InboxConfig, Store};
use serde_json::{json, Value};
use support::client::{sample_report, Reply};
use tower::ServiceExt;

const TOKEN: &str = "test-admin-token";
/// The inbox's public origin in these tests.
const HOST: &str = "inbox.test";

mod support;
use support::{fresh_db, Db};

/// A test's inbox: its router (leaked, so the handle is `Copy` like an address).
#[derive(Clone, Copy)]
struct Inbox(&'static Router);

impl std::fmt::Display for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(HOST)
    }
}

/// Requests to an [`Inbox`] (the shape of the socket client's `Conn`).
struct Conn(Inbox);

impl Conn {
    fn new(inbox: Inbox) -> Conn {
        Conn(inbox)
    }

    /// One request from 127.0.0.1.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Reply, std::convert::Infallible> {
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", HOST);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::from(body.to_string())).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        let resp = self.0 .0.clone().oneshot(req).await?;
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        Ok(Reply {
            status: parts.status.as_u16(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

async fn start(db: Db, tweak: impl FnOnce(&mut InboxConfig)) -> Inbox {
    let mut cfg = InboxConfig::local(fresh_db(db).await);
    cfg.admin_token_sha256 = Some(reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()));
    cfg.allow_origins = vec!["https://brand.example".into()];
    cfg.rate_per_min = 0;
    cfg.widget = Some(
        widget_config(r#"{"promise": {"respond_within": "2h", "business_hours": {"time_zone": "UTC", "mon-fri": "09:00-18:00"}},
            "categories": [{"id": "problem", "label": "Problem"}, {"id": "safety", "label": "Safety", "respond_within": "15m", "business_hours": "24/7"}]}"#)
        .expect("widget config"),
    );
    tweak(&mut cfg);
    cfg.public_url = format!("http://{HOST}");
    let store = Store::open(&cfg.db, 4).await.expect("store");
    Inbox(Box::leak(Box::new(web::router(web::App::new(store, cfg)))))
}

async fn post(addr: Inbox, id: &str, body: &str) -> Reply {
    Conn::new(addr)
        .send(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", id),
            ],
            body,
        )
        .await
        .expect("post")
}

async fn admin(addr: Inbox, method: &str, path: &str, body: &str) -> Reply {
    let auth = format!("Bearer {TOKEN}");
    Conn::new(addr)
        .send(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body,
        )
        .await
        .expect("admin")
}

fn uuid(n: u32) -> String {
    format!("{n:08x}-1111-4111-8111-111111111111")
}

fn report_with(id: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&sample_report(
        id,
        "Door won't open <script>alert(1)</script>",
    ))
    .unwrap();
    edit(&mut v);
    v.to_string()
}

async fn post_is_idempotent_validated_and_answers_the_protocol(db: Db) {
    let addr = start(db, |_| {}).await;
    let id = uuid(1);
    let body = report_with(&id, |_| {});
    let first = post(addr, &id, &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let a = first.json();
    assert_eq!(a["id"], id.as_str());
    assert_eq!(a["reference"], format!("LOAD-{}", &id[..6]).as_str());
    assert_eq!(
        a["status_url"],
        format!("http://{addr}/v1/reports/{id}/status").as_str()
    );
    assert!(a["accepted_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(a.get("due_at").is_some());
    // Same key, same body: the same answer, status and body.
    let again = post(addr, &id, &body).await;
    assert_eq!(
        (
            again.status,
            again.body.as_str(),
            again.header("idempotent-replayed")
        ),
        (201, first.body.as_str(), Some("true"))
    );
    // Same key, another body: 422.
    let other = post(
        addr,
        &id,
        &report_with(&id, |v| v["message"] = "changed".into()),
    )
    .await;
    assert_eq!(
        (other.status, other.json()["error"].as_str()),
        (422, Some("idempotency_conflict"))
    );
    // Bad input: 400 naming the field.
    let id2 = uuid(2);
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            report_with(&id2, |v| v["schema"] = "reach-us/v0".into()),
            vec![("Idempotency-Key", &id2)],
            "schema",
        ),
        (
            report_with(&id2, |v| v["message"] = "  ".into()),
            vec![("Idempotency-Key", &id2)],
            "message",
        ),
        (
            report_with(&id2, |v| v["message"] = "x".repeat(20_001).into()),
            vec![("Idempotency-Key", &id2)],
            "message",
        ),
        (
            report_with(&id2, |v| v["category"] = "Billing!".into()),
            vec![("Idempotency-Key", &id2)],
            "category",
        ),
        (
            report_with(&id2, |v| v["created_at"] = "yesterday".into()),
            vec![("Idempotency-Key", &id2)],
            "created_at",
        ),
        (
            report_with(&id2, |v| v["contact"]["email"] = json!(42)),
            vec![("Idempotency-Key", &id2)],
            "contact.email",
        ),
        (report_with(&id2, |_| {}), vec![], "Idempotency-Key"),
        (
            report_with(&id2, |_| {}),
            vec![("Idempotency-Key", "00000000-0000-4000-8000-000000000000")],
            "Idempotency-Key",
        ),
        ("not json".into(), vec![("Idempotency-Key", &id2)], "body"),
    ];
    for (body, headers, field) in cases {
        let mut h = vec![("Content-Type", "application/json")];
        h.extend(headers);
        let r = Conn::new(addr)
            .send("POST", "/v1/reports", &h, &body)
            .await
            .unwrap();
        assert_eq!(
            (r.status, r.json()["field"].as_str()),
            (400, Some(field)),
            "{}",
            r.body
        );
    }
    let big = report_with(&id2, |v| v["page"]["title"] = "x".repeat(70_000).into());
    assert_eq!(post(addr, &id2, &big).await.status, 413);
    // Honeypot: thanked, not stored.
    let bot = uuid(3);
    let r = post(
        addr,
        &bot,
        &report_with(&bot, |v| v["website"] = "http://spam.example".into()),
    )
    .await;
    assert_eq!(r.status, 201);
    let all = admin(addr, "GET", "/v1/reports", "").await.json();
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        vec![id.as_str()],
        "one stored report; the bot's and the bad ones are not"
    );
    assert_eq!(
        Conn::new(addr)
            .send("GET", "/v1/reports", &[], "")
            .await
            .unwrap()
            .status,
        401,
        "the list is for admins"
    );
}

async fn twenty_concurrent_identical_posts_store_exactly_one_row(db: Db) {
    let addr = start(db, |_| {}).await;
    let id = uuid(7);
    let body = Arc::new(report_with(&id, |_| {}));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (id, body) = (id.clone(), body.clone());
            tokio::spawn(async move { post(addr, &id, &body).await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut bodies = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        statuses.push(r.status);
        if r.status == 201 {
            bodies.push(r.body);
        }
    }
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert!(!bodies.is_empty());
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every 2xx is the same answer"
    );
    let all = admin(addr, "GET", "/v1/reports", "").await.json();
    assert_eq!(all.as_array().unwrap().len(), 1);
    println!(
        "20 concurrent identical POSTs: {} × 201, {} × 409 (in progress), 1 row",
        bodies.len(),
        statuses.iter().filter(|s| **s == 409).count()
    );
}

async fn rate_limit_answers_429_with_retry_after(db: Db) {
    let addr = start(db, |c| {
        c.rate_per_min = 6;
        c.rate_burst = 2;
    })
    .await;
    let mut statuses = Vec::new();
    let mut retry = None;
    for n in 0..3 {
        let id = uuid(100 + n);
        let r = post(addr, &id, &report_with(&id, |_| {})).await;
        statuses.push(r.status);
        retry = retry.or(r.header("retry-after").map(String::from));
    }
    assert_eq!(statuses, vec![201, 201, 429]);
    assert_eq!(retry.as_deref(), Some("10"), "one token every 10 s");
}

const WIDGET: &str = r#"{"promise": {"respond_within": "2h", "business_hours": {"time_zone": "UTC", "mon-fri": "09:00-18:00"}},
    "categories": [{"id": "problem", "label": "Problem"}, {"id": "safety", "label": "Safety", "respond_within": "15m", "business_hours": "24/7"}]}"#;

async fn due_time_comes_from_the_shared_promise_engine(db: Db) {
    let addr = start(db, |_| {}).await;
    let cfg = widget_config(WIDGET).unwrap();
    let parse = |v: &Value| reach_us_core::time::parse_iso(v.as_str().unwrap()).unwrap();
    // Business hours: the widget's own engine, from the server's receipt.
    let id = uuid(20);
    let r = post(addr, &id, &report_with(&id, |_| {})).await.json();
    let accepted = parse(&r["accepted_at"]);
    let created = accepted.min(reach_us_inbox::util::now_ms()); // created_at ≤ receipt
    let due = parse(&r["due_at"]);
    let engine = |start| reach_us_inbox::due::due(&cfg, "problem", start).unwrap();
    assert!(
        due >= engine(created - 5_000) && due <= engine(accepted),
        "{r}"
    );
    // The safety category: 15 minutes around the clock.
    let id = uuid(21);
    let r = post(
        addr,
        &id,
        &report_with(&id, |v| v["category"] = "safety".into()),
    )
    .await
    .json();
    let (accepted, due) = (parse(&r["accepted_at"]), parse(&r["due_at"]));
    assert!(
        due <= accepted + 15 * 60_000 && due > accepted + 14 * 60_000,
        "{r}"
    );
    // A browser clock days behind or in the future does not move the promise: the server's
    // clock starts it.
    for (n, claimed) in [(22, "2099-01-01T00:00:00Z"), (23, "2020-01-01T00:00:00Z")] {
        let id = uuid(n);
        let r = post(
            addr,
            &id,
            &report_with(&id, |v| {
                v["category"] = "safety".into();
                v["created_at"] = claimed.into();
            }),
        )
        .await
        .json();
        assert_eq!(
            parse(&r["due_at"]),
            parse(&r["accepted_at"]) + 15 * 60_000,
            "{r}"
        );
    }
}

async fn status_answers_and_track_record_follow_the_team(db: Db) {
    let addr = start(db, |_| {}).await;
    let missing = Conn::new(addr)
        .send("GET", &format!("/v1/reports/{}/status", uuid(99)), &[], "")
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
    let (a, b) = (uuid(30), uuid(31));
    for id in [&a, &b] {
        let r = post(
            addr,
            id,
            &report_with(id, |v| v["category"] = "safety".into()),
        )
        .await;
        assert_eq!(r.status, 201);
    }
    let s = Conn::new(addr)
        .send("GET", &format!("/v1/reports/{a}/status"), &[], "")
        .await
        .unwrap()
        .json();
    assert_eq!(
        (s["status"].as_str(), s.get("answered_at")),
        (Some("received"), None)
    );
    // Not without the token.
    let nope = Conn::new(addr)
        .send(
            "POST",
            &format!("/v1/reports/{a}/status"),
            &[("Content-Type", "application/json")],
            r#"{"status":"answered"}"#,
        )
        .await
        .unwrap();
    assert_eq!(nope.status, 401);
    let bad = admin(
        addr,
        "POST",
        &format!("/v1/reports/{a}/status"),
        r#"{"status":"done"}"#,
    )
    .await;
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (400, Some("status"))
    );
    let ok = admin(
        addr,
        "POST",
        &format!("/v1/reports/{a}/status"),
        r#"{"status":"answered","reply":"A technician calls you at 14:00."}"#,
    )
    .await;
    assert_eq!(ok.status, 200);
    let s = Conn::new(addr)
        .send("GET", &format!("/v1/reports/{a}/status"), &[], "")
        .await
        .unwrap()
        .json();
    assert_eq!(
        (s["status"].as_str(), s["reply"].as_str()),
        (Some("answered"), Some("A technician calls you at 14:00."))
    );
    assert!(s["answered_at"].as_str().is_some());
    // The widget reads it with its own reader.
    let mut receipt =
        reach_us_core::receipts::Receipt::new(&a, "R", "safety", 0, Some(i64::MAX / 4));
    receipt
        .apply_status(&reach_us_inbox::util::value(&s))
        .expect("the widget accepts the status JSON");
    // One answered in time, one still inside its 15 minutes (not counted yet).
    let t = Conn::new(addr)
        .send("GET", "/v1/track-record", &[], "")
        .await
        .unwrap()
        .json();
    assert_eq!(
        (
            t["total"].as_u64(),
            t["kept"].as_u64(),
            t["kept_ratio"].as_f64(),
            t["window_days"].as_u64()
        ),
        (Some(1), Some(1), Some(1.0), Some(30))
    );
    assert!(
        reach_us_core::receipts::TrackRecord::from_value(&reach_us_inbox::util::value(&t))
            .is_some()
    );
}

async fn notice_is_public_to_read_and_admin_to_write(db: Db) {
    let addr = start(db, |_| {}).await;
    let get = || async move {
        Conn::new(addr)
            .send("GET", "/v1/notice", &[], "")
            .await
            .unwrap()
    };
    assert_eq!(get().await.status, 204);
    let body = r#"{"title":{"en":"Charging stations offline","zh-CN":"充电站离线"},"next_update_by":"2026-11-23T15:00:00Z"}"#;
    assert_eq!(
        Conn::new(addr)
            .send("PUT", "/v1/notice", &[], body)
            .await
            .unwrap()
            .status,
        401
    );
    let bad = admin(
        addr,
        "PUT",
        "/v1/notice",
        r#"{"title":"x","next_update_by":"soon"}"#,
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("next_update_by"), "{}", bad.body);
    assert_eq!(admin(addr, "PUT", "/v1/notice", body).await.status, 204);
    let n = get().await;
    assert_eq!(
        (n.status, n.json()["title"]["zh-CN"].as_str()),
        (200, Some("充电站离线"))
    );
    assert_eq!(admin(addr, "DELETE", "/v1/notice", "").await.status, 204);
    assert_eq!(get().await.status, 204);
}

async fn cors_only_for_the_brand_origins_and_exposes_retry_after(db: Db) {
    let addr = start(db, |_| {}).await;
    let pre = |origin: &'static str| async move {
        Conn::new(addr)
            .send(
                "OPTIONS",
                "/v1/reports",
                &[
                    ("Origin", origin),
                    ("Access-Control-Request-Method", "POST"),
                    (
                        "Access-Control-Request-Headers",
                        "content-type,idempotency-key",
                    ),
                ],
                "",
            )
            .await
            .unwrap()
    };
    let ok = pre("https://brand.example").await;
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://brand.example")
    );
    assert!(ok
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("idempotency-key")));
    assert_eq!(
        pre("https://evil.example")
            .await
            .header("access-control-allow-origin"),
        None
    );
    let id = uuid(40);
    let r = Conn::new(addr)
        .send(
            "POST",
            "/v1/reports",
            &[
                ("Origin", "https://brand.example"),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &id),
            ],
            &report_with(&id, |_| {}),
        )
        .await
        .unwrap();
    assert_eq!(
        r.header("access-control-expose-headers")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("retry-after")
    );
}

async fn admin_page_login_list_and_update(db: Db) {
    let addr = start(db, |_| {}).await;
    let id = uuid(50);
    post(addr, &id, &report_with(&id, |_| {})).await;
    let page = Conn::new(addr)
        .send("GET", "/admin", &[], "")
        .await
        .unwrap();
    assert!(
        page.body.contains("Admin token") && !page.body.contains("Door won"),
        "login first"
    );
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let ours = format!("http://{addr}");
    let from_us = [form[0], ("Origin", ours.as_str())];
    let wrong = Conn::new(addr)
        .send("POST", "/admin/login", &from_us, "token=nope")
        .await
        .unwrap();
    assert_eq!(wrong.status, 401);
    let no_origin = Conn::new(addr)
        .send("POST", "/admin/login", &form, &format!("token={TOKEN}"))
        .await
        .unwrap();
    assert_eq!(
        no_origin.status, 403,
        "a sign-in must come from our own page"
    );
    let login = Conn::new(addr)
        .send("POST", "/admin/login", &from_us, &format!("token={TOKEN}"))
        .await
        .unwrap();
    assert_eq!(login.status, 303);
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(login
        .header("set-cookie")
        .unwrap()
        .contains("HttpOnly; SameSite=Strict"));
    let page = Conn::new(addr)
        .send("GET", "/admin", &[("Cookie", &cookie)], "")
        .await
        .unwrap();
    assert!(
        page.body
            .contains("Door won&#39;t open &lt;script&gt;alert(1)&lt;/script&gt;"),
        "report text is escaped"
    );
    assert!(page.body.contains("1 open report(s)"));
    let host = addr.to_string();
    let cross = Conn::new(addr)
        .send(
            "POST",
            &format!("/admin/reports/{id}"),
            &[
                ("Cookie", &cookie),
                ("Origin", "https://evil.example"),
                form[0],
            ],
            "status=resolved",
        )
        .await
        .unwrap();
    assert_eq!(cross.status, 403, "cross-site form posts are refused");
    let origin = format!("http://{host}");
    let upd = Conn::new(addr)
        .send(
            "POST",
            &format!("/admin/reports/{id}"),
            &[("Cookie", &cookie), ("Origin", &origin), form[0]],
            "status=answered&reply=On+it",
        )
        .await
        .unwrap();
    assert_eq!(upd.status, 303);
    let s = Conn::new(addr)
        .send("GET", &format!("/v1/reports/{id}/status"), &[], "")
        .await
        .unwrap()
        .json();
    assert_eq!(
        (s["status"].as_str(), s["reply"].as_str()),
        (Some("answered"), Some("On it"))
    );
    let notice = Conn::new(addr)
        .send(
            "POST",
            "/admin/notice",
            &[("Cookie", &cookie), ("Origin", &origin), form[0]],
            "title=We+know&body=&next_update_by=2026-11-23T15%3A00%3A00Z",
        )
        .await
        .unwrap();
    assert_eq!(notice.status, 303);
    assert_eq!(
        Conn::new(addr)
            .send("GET", "/v1/notice", &[], "")
            .await
            .unwrap()
            .json()["title"],
        "We know"
    );
}

/// Every case above, against SQLite and against PostgreSQL.
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

/// A report from a newer widget (a field this inbox does not know) or from a page whose
/// config had another category is stored, never refused: a refusal is permanent, and the
/// visitor holds a receipt only when it is stored.
async fn newer_fields_and_unknown_categories_are_kept_not_refused(db: Db) {
    let addr = start(db, |_| {}).await;
    let id = uuid(60);
    let r = post(
        addr,
        &id,
        &report_with(&id, |v| {
            v["category"] = "billing".into();
            v["attachments_v9"] = json!({"count": 1});
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let due = reach_us_core::time::parse_iso(r.json()["due_at"].as_str().unwrap()).unwrap();
    let accepted =
        reach_us_core::time::parse_iso(r.json()["accepted_at"].as_str().unwrap()).unwrap();
    assert!(
        due > accepted,
        "the brand's own promise applies to an unlisted category"
    );
    let all = admin(addr, "GET", "/v1/reports", "").await.json();
    let stored = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(stored["category"], "billing");
    let text = stored.to_string();
    assert!(
        !text.contains("attachments_v9"),
        "the unknown field is not stored: {text}"
    );
}

both!(
    newer_fields_and_unknown_categories_are_kept_not_refused,
    post_is_idempotent_validated_and_answers_the_protocol,
    twenty_concurrent_identical_posts_store_exactly_one_row,
    rate_limit_answers_429_with_retry_after,
    due_time_comes_from_the_shared_promise_engine,
    status_answers_and_track_record_follow_the_team,
    notice_is_public_to_read_and_admin_to_write,
    cors_only_for_the_brand_origins_and_exposes_retry_after,
    admin_page_login_list_and_update
);

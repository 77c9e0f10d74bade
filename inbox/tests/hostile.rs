//! Issue #17: the track record cannot be forged, the inbox survives hostile clients. Each
//! test here failed before its fix. HTTP through the real `Router` with
//! `tower::ServiceExt::oneshot` (no sockets), each test on a fresh SQLite file; the ones
//! that touch PostgreSQL-specific behaviour also run there when `INBOX_TEST_POSTGRES_URL`
//! is set.
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use reach_us_core::time::iso_utc;
use reach_us_inbox::config::widget_config;
use reach_us_inbox::util::{now_ms, sha256_hex};
use reach_us_inbox::{web, InboxConfig, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;
use support::{fresh_db, Db};

const TOKEN: &str = "test-admin-token";
const PUBLIC: &str = "https://inbox.example.com";

struct T {
    app: Router,
    state: web::Shared,
    db: String,
}

async fn app(db: Db, tweak: impl FnOnce(&mut InboxConfig)) -> T {
    let mut cfg = InboxConfig::local(fresh_db(db).await);
    cfg.admin_token_sha256 = Some(sha256_hex(TOKEN.as_bytes()));
    cfg.allow_origins = vec!["https://brand.example".into()];
    cfg.rate_per_min = 0;
    cfg.public_url = PUBLIC.into();
    cfg.widget = Some(
        widget_config(r#"{"promise": {"respond_within": "2h", "business_hours": {"time_zone": "UTC", "mon-fri": "09:00-18:00"}},
            "categories": [{"id": "problem", "label": "Problem"}, {"id": "safety", "label": "Safety", "respond_within": "15m", "business_hours": "24/7"}]}"#)
        .expect("widget config"),
    );
    tweak(&mut cfg);
    let store = Store::open(&cfg.db, 4).await.expect("store");
    let db = cfg.db.clone();
    let state = web::App::new(store, cfg);
    T {
        db,
        app: web::router(state.clone()),
        state,
    }
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }
}

impl T {
    /// One request from `peer` (127.0.0.1 unless a test says otherwise).
    async fn call_from(
        &self,
        peer: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::from(body.to_string())).unwrap();
        let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(peer));
        let r = self.app.clone().oneshot(req).await.unwrap();
        let (parts, body) = r.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Resp {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        self.call_from("127.0.0.1", method, path, headers, body)
            .await
    }

    async fn post(&self, body: &Value) -> Resp {
        let id = body["id"].as_str().unwrap().to_string();
        self.call(
            "POST",
            "/v1/reports",
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &id),
            ],
            &body.to_string(),
        )
        .await
    }

    async fn admin(&self, method: &str, path: &str, body: &str) -> Resp {
        let auth = format!("Bearer {TOKEN}");
        self.call(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body,
        )
        .await
    }

    /// Sign in through the form (from the public origin); the cookie.
    async fn login(&self) -> String {
        let r = self
            .call(
                "POST",
                "/admin/login",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Origin", PUBLIC),
                ],
                &format!("token={TOKEN}"),
            )
            .await;
        assert_eq!(r.status, 303, "login: {}", r.body);
        r.header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    async fn track(&self) -> Value {
        self.call("GET", "/v1/track-record", &[], "").await.json()
    }
}

fn uuid(n: u32) -> String {
    format!("{n:08x}-2222-4222-8222-222222222222")
}

fn report(n: u32) -> Value {
    json!({
        "schema": "reach-us/v1", "id": uuid(n), "reference": format!("ACME-{n:06}"),
        "created_at": iso_utc(now_ms()), "category": "safety", "message": "The charger is sparking",
        "contact": {"email": "v@example.com"}, "promise": null,
        "page": {"url": "https://brand.example/cars", "title": "Cars", "referrer": ""},
        "locale": "en", "timezone": "UTC", "client": {"widget_version": "0.1.0"}
    })
}

const DAY: i64 = 86_400_000;

/// Defect 1: a `created_at` 20 days old used to start the promise clock 20 days ago, so
/// ten such reports were "overdue" on arrival and took the published ratio from 1.0 to 0.09.
#[tokio::test]
async fn backdated_reports_cannot_forge_the_track_record() {
    let t = app(Db::Sqlite, |_| {}).await;
    let real = report(1);
    assert_eq!(t.post(&real).await.status, 201);
    let ok = t
        .admin(
            "POST",
            &format!("/v1/reports/{}/status", uuid(1)),
            r#"{"status":"answered","reply":"On our way"}"#,
        )
        .await;
    assert_eq!(ok.status, 200);
    let before = t.track().await;
    assert_eq!(before["kept_ratio"], 1.0);
    for n in 0..10 {
        let mut r = report(100 + n);
        r["created_at"] = iso_utc(now_ms() - 20 * DAY).into();
        let a = t.post(&r).await;
        assert_eq!(a.status, 201, "{}", a.body);
        // The clock starts at the server's receipt: 15 minutes from now, not 20 days ago.
        let due = reach_us_core::time::parse_iso(a.json()["due_at"].as_str().unwrap()).unwrap();
        assert!(due > now_ms() + 14 * 60_000, "{}", a.body);
    }
    // Small skew is still honoured: a report saved a minute ago keeps its minute.
    let mut skewed = report(200);
    let minute_ago = now_ms() - 60_000;
    skewed["created_at"] = iso_utc(minute_ago).into();
    let a = t.post(&skewed).await;
    let due = reach_us_core::time::parse_iso(a.json()["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(due, minute_ago + 15 * 60_000);
    let after = t.track().await;
    assert_eq!(
        (after["kept_ratio"].as_f64(), after["total"].as_u64()),
        (Some(1.0), Some(1)),
        "backdated reports are not overdue on arrival: {after}"
    );
}

/// Defect 1: 500 backdated reports filled the admin list's 500 rows and buried the real
/// open one; now they queue behind it, the team can mark them spam (out of the queue and the
/// track record), and both lists page.
async fn a_flood_cannot_bury_the_queue_and_spam_can_be_dismissed(db: Db) {
    let t = app(db, |_| {}).await;
    let mut real = report(1);
    real["message"] = "REAL REPORT".into();
    assert_eq!(t.post(&real).await.status, 201);
    for n in 0..520 {
        let mut r = report(1000 + n);
        r["created_at"] = iso_utc(now_ms() - 20 * DAY).into();
        r["message"] = "spam spam".into();
        assert_eq!(t.post(&r).await.status, 201);
    }
    let cookie = t.login().await;
    let page = t.call("GET", "/admin", &[("Cookie", &cookie)], "").await;
    assert!(
        page.body.contains("REAL REPORT"),
        "the real report is on page 1"
    );
    assert!(
        page.body.contains("521 open report(s)"),
        "the count is the real count"
    );
    assert!(
        page.body.contains("href=\"/admin?page=2\""),
        "the rest is on page 2"
    );
    let page2 = t
        .call("GET", "/admin?page=2", &[("Cookie", &cookie)], "")
        .await;
    assert!(page2.body.contains("spam spam") && !page2.body.contains("REAL REPORT"));
    // The JSON list pages too: 100 at a time, `Link: <…>; rel="next"` to the next page.
    let first = t.admin("GET", "/v1/reports?limit=100", "").await;
    assert_eq!(first.json().as_array().map(Vec::len), Some(100));
    let link = first.header("link").expect("a next link").to_string();
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    let mut seen: Vec<String> = first
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut next = Some(next);
    while let Some(url) = next {
        let r = t.admin("GET", &url, "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        seen.extend(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
        next = r.header("link").map(|l| {
            l.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_string()
        });
    }
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (521, 521), "every report once");
    // Spam: out of the open queue, and not counted in the track record even when overdue.
    let spam = t
        .admin(
            "POST",
            &format!("/v1/reports/{}/status", uuid(1000)),
            r#"{"status":"spam"}"#,
        )
        .await;
    assert_eq!(spam.status, 200, "{}", spam.body);
    let page = t.call("GET", "/admin", &[("Cookie", &cookie)], "").await;
    assert!(page.body.contains("520 open report(s)"));
    assert_eq!(
        t.track().await["spam"],
        1,
        "dismissed as spam: not counted, but published"
    );
    // Erasing through the API works on either database, and the report still counts.
    let gone = t
        .admin("DELETE", &format!("/v1/reports/{}", uuid(1)), "")
        .await;
    assert_eq!(gone.status, 204);
    let page = t.call("GET", "/admin", &[("Cookie", &cookie)], "").await;
    assert!(page.body.contains("520 open report(s)") && !page.body.contains("REAL REPORT"));
}

#[tokio::test]
async fn a_flood_cannot_bury_the_queue_and_spam_can_be_dismissed_sqlite() {
    a_flood_cannot_bury_the_queue_and_spam_can_be_dismissed(Db::Sqlite).await
}

#[tokio::test]
async fn a_flood_cannot_bury_the_queue_and_spam_can_be_dismissed_postgres() {
    if support::postgres_url().is_some() {
        a_flood_cannot_bury_the_queue_and_spam_can_be_dismissed(Db::Postgres).await
    }
}

/// Defect 2: the JSON admin API took the page's session cookie with any content type and no
/// origin check, so a text/plain form post from another site answered a report.
#[tokio::test]
async fn the_json_admin_api_is_not_reachable_cross_site() {
    let t = app(Db::Sqlite, |_| {}).await;
    assert_eq!(t.post(&report(1)).await.status, 201);
    let cookie = t.login().await;
    let forged = t
        .call(
            "POST",
            &format!("/v1/reports/{}/status", uuid(1)),
            &[
                ("Cookie", &cookie),
                ("Origin", "https://evil.example"),
                ("Content-Type", "text/plain"),
            ],
            r#"{"status":"resolved","reply":"pwned"}"#,
        )
        .await;
    assert_eq!(forged.status, 401, "{}", forged.body);
    let s = t
        .call("GET", &format!("/v1/reports/{}/status", uuid(1)), &[], "")
        .await
        .json();
    assert_eq!(
        (s["status"].as_str(), s.get("reply")),
        (Some("received"), None)
    );
    // The token holder must send JSON as JSON.
    let auth = format!("Bearer {TOKEN}");
    let plain = t
        .call(
            "POST",
            &format!("/v1/reports/{}/status", uuid(1)),
            &[("Authorization", &auth), ("Content-Type", "text/plain")],
            r#"{"status":"resolved"}"#,
        )
        .await;
    assert_eq!(plain.status, 415, "{}", plain.body);
}

/// Defect 3: behind a proxy the client chose its address with the leftmost
/// `X-Forwarded-For` entry: 60 wrong logins, zero 429.
#[tokio::test]
async fn x_forwarded_for_is_read_from_the_right() {
    let t = app(Db::Sqlite, |c| {
        c.trust_proxy = true;
        c.rate_per_min = 30;
        c.rate_burst = 10;
    })
    .await;
    let mut limited = 0;
    for n in 0..60 {
        let xff = format!("10.9.{}.{}, 203.0.113.7", n / 250, n % 250);
        let r = t
            .call_from(
                "192.0.2.1",
                "POST",
                "/admin/login",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Origin", PUBLIC),
                    ("X-Forwarded-For", &xff),
                ],
                "token=wrong",
            )
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!(limited >= 40, "{limited} of 60 wrong logins limited");
}

/// A proxy that writes the client's port too (`203.0.113.7:51234`, `[2001:db8::1]:443`):
/// each client still has its own bucket (the port was unreadable, so every visitor fell
/// into the proxy's one bucket, and one busy client limited them all).
#[tokio::test]
async fn forwarded_addresses_with_ports_keep_clients_apart() {
    let t = app(Db::Sqlite, |c| {
        c.trust_proxy = true;
        c.rate_per_min = 30;
        c.rate_burst = 3;
    })
    .await;
    let login = |xff: &'static str| {
        let t = &t;
        async move {
            t.call_from(
                "192.0.2.1",
                "POST",
                "/admin/login",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Origin", PUBLIC),
                    ("X-Forwarded-For", xff),
                ],
                "token=wrong",
            )
            .await
            .status
        }
    };
    for _ in 0..10 {
        login("203.0.113.7:51234").await;
    }
    assert_eq!(
        login("203.0.113.7:40000").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client"
    );
    assert_ne!(
        login("198.51.100.4:51234").await,
        StatusCode::TOO_MANY_REQUESTS,
        "another client"
    );
    assert_ne!(
        login("[2001:db8::1]:443").await,
        StatusCode::TOO_MANY_REQUESTS,
        "an IPv6 client"
    );
}

/// Defect 9: the widget sends `location.href`; a long query string made a report refused
/// (400, permanent). Metadata is trimmed, never a reason to refuse.
#[tokio::test]
async fn long_page_urls_are_trimmed_not_refused() {
    let t = app(Db::Sqlite, |_| {}).await;
    let mut r = report(1);
    r["page"]["url"] = format!("https://brand.example/cars?utm={}#top", "x".repeat(3000)).into();
    r["page"]["title"] = "t".repeat(5000).into();
    r["page"]["referrer"] = format!("https://search.example/?q={}", "y".repeat(5000)).into();
    let a = t.post(&r).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let mut long = report(2);
    long["page"]["url"] = format!("https://brand.example/{}", "p".repeat(5000)).into();
    assert_eq!(t.post(&long).await.status, 201);
    let cookie = t.login().await;
    let page = t.call("GET", "/admin", &[("Cookie", &cookie)], "").await;
    assert!(
        page.body.contains("https://brand.example/cars<"),
        "query and fragment stripped"
    );
    assert!(!page.body.contains("utm="));
    assert!(
        !page.body.contains(&"p".repeat(2100)),
        "over-long url truncated"
    );
}

/// Defect 10: the rest of the body is type-checked (it was passed through unchecked).
#[tokio::test]
async fn contact_page_user_and_client_are_type_checked() {
    let t = app(Db::Sqlite, |_| {}).await;
    for (n, (field, edit)) in [
        ("contact", json!("v@example.com")),
        ("page", json!("https://brand.example")),
        ("user", json!(42)),
        ("client", json!([1])),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = report(n as u32 + 1);
        r[field] = edit;
        let a = t.post(&r).await;
        assert_eq!(
            (a.status, a.json()["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{}",
            a.body
        );
    }
    let mut r = report(9);
    r["user"] = json!({"user_id": 7});
    let a = t.post(&r).await;
    assert_eq!(a.json()["field"], "user.user_id", "{}", a.body);
}

/// Defect 10: bidi controls in a reference could make it read differently on the admin page.
#[tokio::test]
async fn references_with_bidi_controls_are_refused() {
    let t = app(Db::Sqlite, |_| {}).await;
    let mut r = report(1);
    r["reference"] = "ACME-\u{202E}123".into();
    let a = t.post(&r).await;
    assert_eq!(
        (a.status, a.json()["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reference"))
    );
}

async fn nul_in_visitor_content_is_a_clear_400(db: Db) {
    let t = app(db, |_| {}).await;
    let mut r = report(1);
    r["message"] = "door\u{0}stuck".into();
    let a = t.post(&r).await;
    assert_eq!(
        (a.status, a.json()["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("message")),
        "{}",
        a.body
    );
    let mut r = report(2);
    r["contact"]["email"] = "v\u{0}@example.com".into();
    let a = t.post(&r).await;
    assert_eq!(
        (a.status, a.json()["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("contact.email")),
        "{}",
        a.body
    );
    // Metadata with control characters is cleaned, not refused, and stored.
    let mut r = report(3);
    r["page"]["url"] = "https://brand.example/a\u{0}b".into();
    r["page"]["title"] = "T\u{0}".into();
    let a = t.post(&r).await;
    assert_eq!(a.status, 201, "{}", a.body);
    // Newlines and tabs in a message are content.
    let mut r = report(4);
    r["message"] = "line one\n\tline two\r\n".into();
    assert_eq!(t.post(&r).await.status, 201);
}

/// Defect 6, SQLite (accepted the NUL) — the real trouble is PostgreSQL, below.
#[tokio::test]
async fn nul_in_visitor_content_is_a_clear_400_sqlite() {
    nul_in_visitor_content_is_a_clear_400(Db::Sqlite).await
}

/// Defect 6: PostgreSQL refuses NUL in text: the report was answered 503 + Retry-After on
/// every retry, forever.
#[tokio::test]
async fn nul_in_visitor_content_is_a_clear_400_postgres() {
    if support::postgres_url().is_some() {
        nul_in_visitor_content_is_a_clear_400(Db::Postgres).await
    }
}

/// Defect 7: behind a proxy that rewrites `Host`, the admin forms compared `Origin` with
/// `Host` and every post failed. They compare with `INBOX_PUBLIC_URL`.
#[tokio::test]
async fn admin_forms_work_behind_a_proxy_that_rewrites_host() {
    let t = app(Db::Sqlite, |_| {}).await;
    assert_eq!(t.post(&report(1)).await.status, 201);
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let login = t
        .call(
            "POST",
            "/admin/login",
            &[form, ("Host", "10.0.0.5:8787"), ("Origin", PUBLIC)],
            &format!("token={TOKEN}"),
        )
        .await;
    assert_eq!(login.status, 303, "{}", login.body);
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let upd = t
        .call(
            "POST",
            &format!("/admin/reports/{}", uuid(1)),
            &[
                form,
                ("Host", "10.0.0.5:8787"),
                ("Origin", PUBLIC),
                ("Cookie", &cookie),
            ],
            "status=answered&reply=On+it",
        )
        .await;
    assert_eq!(upd.status, 303, "{}", upd.body);
    // And a page on the proxy's internal name is not "this origin".
    let cross = t
        .call(
            "POST",
            &format!("/admin/reports/{}", uuid(1)),
            &[
                form,
                ("Host", "10.0.0.5:8787"),
                ("Origin", "http://10.0.0.5:8787"),
                ("Cookie", &cookie),
            ],
            "status=resolved",
        )
        .await;
    assert_eq!(cross.status, 403, "{}", cross.body);
}

/// Defect 10: logins had the reports' bucket (a visitor's reports locked the team out, and
/// the reverse) and their 429 had no `Retry-After`.
#[tokio::test]
async fn logins_have_their_own_bucket_and_a_retry_after() {
    let t = app(Db::Sqlite, |c| {
        c.rate_per_min = 6;
        c.rate_burst = 2;
    })
    .await;
    for n in 0..3 {
        t.post(&report(n + 1)).await;
    }
    assert_eq!(t.post(&report(9)).await.status, 429, "reports are limited");
    let form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Origin", PUBLIC),
    ];
    let ok = t
        .call("POST", "/admin/login", &form, &format!("token={TOKEN}"))
        .await;
    assert_eq!(ok.status, 303, "the team can still sign in");
    let mut last = None;
    for _ in 0..30 {
        let r = t.call("POST", "/admin/login", &form, "token=wrong").await;
        if r.status == 429 {
            last = Some(r);
            break;
        }
    }
    let r = last.expect("wrong logins are limited");
    assert!(r
        .header("retry-after")
        .is_some_and(|v| v.parse::<u64>().is_ok_and(|s| s >= 1)));
}

/// Defect 10: the page's headers (CSP, framing, caching, referrer), the cookie's `Secure`
/// over https, and no auto-refresh that throws away a reply being typed.
#[tokio::test]
async fn the_admin_page_is_locked_down() {
    let t = app(Db::Sqlite, |_| {}).await;
    let login = t
        .call(
            "POST",
            "/admin/login",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Origin", PUBLIC),
            ],
            &format!("token={TOKEN}"),
        )
        .await;
    let set = login.header("set-cookie").unwrap();
    assert!(set.contains("; Secure"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    for page in [
        t.call("GET", "/admin", &[], "").await,
        t.call("GET", "/admin", &[("Cookie", &cookie)], "").await,
    ] {
        let csp = page.header("content-security-policy").unwrap_or("");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert!(page.header("referrer-policy").is_some());
        assert!(!page.body.contains("http-equiv=refresh"));
    }
}

/// Defect 10: personal data was kept forever. An admin can erase one report (its text,
/// contact, page and reply); the timing stays so the track record cannot be cleaned by
/// erasing late answers.
#[tokio::test]
async fn a_report_can_be_erased_and_its_timing_still_counts() {
    let t = app(Db::Sqlite, |_| {}).await;
    assert_eq!(t.post(&report(1)).await.status, 201);
    t.admin(
        "POST",
        &format!("/v1/reports/{}/status", uuid(1)),
        r#"{"status":"answered","reply":"hi"}"#,
    )
    .await;
    let gone = t
        .admin("DELETE", &format!("/v1/reports/{}", uuid(1)), "")
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let list = t.admin("GET", "/v1/reports", "").await.json();
    assert_eq!(list[0]["message"], "", "{list}");
    assert!(list[0].get("reply").is_none(), "{list}");
    let raw = {
        let db = t.db.clone();
        tokio::task::spawn_blocking(move || {
            let c = rusqlite::Connection::open(db).unwrap();
            c.query_row(
                "SELECT body || coalesce(email,'') || coalesce(page_url,'') FROM reports",
                [],
                |r| r.get::<_, String>(0),
            )
            .unwrap()
        })
        .await
        .unwrap()
    };
    assert!(
        !raw.contains("v@example.com") && !raw.contains("sparking"),
        "{raw}"
    );
    assert_eq!(t.track().await["total"], 1, "the timing still counts");
}

/// Defect 8: every poll of the public track record scanned the table under the store's one
/// lock. It is cached in the server for a short time, so pollers cost nothing; browsers are
/// told `no-cache` (a visitor's own cache must not hide an answer given since).
#[tokio::test]
async fn the_track_record_is_cached_briefly() {
    let t = app(Db::Sqlite, |_| {}).await;
    let first = t.call("GET", "/v1/track-record", &[], "").await;
    assert_eq!(first.json()["total"], 0);
    assert_eq!(
        first.header("cache-control"),
        Some("no-cache"),
        "{:?}",
        first.headers
    );
    // A report answered behind the inbox's back (another instance): not seen until the TTL.
    let db = t.db.clone();
    tokio::task::spawn_blocking(move || {
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute("INSERT INTO reports (id, body_sha, body, reference, category, message, created_at, accepted_at, due_at, status, answered_at, updated_at, response) VALUES ('x1234567', '', '', 'R', 'safety', 'm', 0, 0, 1, 'answered', 0, 0, '')", []).unwrap();
    })
    .await
    .unwrap();
    let c2 = rusqlite::Connection::open(&t.db).unwrap();
    c2.execute("UPDATE reports SET created_at = ?1, accepted_at = ?1, due_at = ?1 + 60000, answered_at = ?1", [now_ms()]).unwrap();
    assert_eq!(t.track().await["total"], 0, "served from the cache");
}

/// Defect 10: personal data is erased after `INBOX_RETENTION_DAYS`; newer reports keep it.
#[tokio::test]
async fn retention_erases_old_personal_data() {
    let t = app(Db::Sqlite, |c| c.retention_days = 30).await;
    for n in 1..=2 {
        assert_eq!(t.post(&report(n)).await.status, 201);
    }
    let c = rusqlite::Connection::open(&t.db).unwrap();
    c.execute(
        "UPDATE reports SET accepted_at = ?1 WHERE id = ?2",
        rusqlite::params![now_ms() - 31 * DAY, uuid(1)],
    )
    .unwrap();
    assert_eq!(
        reach_us_inbox::api::purge_expired(&t.state).await.unwrap(),
        1
    );
    let messages: Vec<(String, Option<String>)> = c
        .prepare("SELECT message, email FROM reports ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        messages,
        vec![
            ("".into(), None),
            (
                "The charger is sparking".into(),
                Some("v@example.com".into())
            )
        ]
    );
}

/// The same-origin check: `Referer` stands in when a browser sends no `Origin`; neither is
/// refused. `INBOX_KEEP_PAGE_QUERY=1` keeps the page's query string.
#[tokio::test]
async fn referer_stands_in_for_origin_and_the_query_switch() {
    let t = app(Db::Sqlite, |c| c.keep_page_query = true).await;
    let mut r = report(1);
    r["page"]["url"] = "https://brand.example/cars?model=x#top".into();
    assert_eq!(t.post(&r).await.status, 201);
    let cookie = t.login().await;
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let page = t.call("GET", "/admin", &[("Cookie", &cookie)], "").await;
    assert!(
        page.body.contains("https://brand.example/cars?model=x#top"),
        "kept"
    );
    let by_referer = t
        .call(
            "POST",
            &format!("/admin/reports/{}", uuid(1)),
            &[
                form,
                ("Cookie", &cookie),
                ("Referer", &format!("{PUBLIC}/admin")),
            ],
            "status=in_progress",
        )
        .await;
    assert_eq!(by_referer.status, 303, "{}", by_referer.body);
    let neither = t
        .call(
            "POST",
            &format!("/admin/reports/{}", uuid(1)),
            &[form, ("Cookie", &cookie)],
            "status=resolved",
        )
        .await;
    assert_eq!(neither.status, 403);
    let elsewhere = t
        .call(
            "POST",
            &format!("/admin/reports/{}", uuid(1)),
            &[
                form,
                ("Cookie", &cookie),
                ("Referer", "https://inbox.example.com.evil.example/admin"),
            ],
            "status=resolved",
        )
        .await;
    assert_eq!(elsewhere.status, 403);
}

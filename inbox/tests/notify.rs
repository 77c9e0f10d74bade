//! The relay (issue 20) end to end, with real sockets: the inbox (in this process, served
//! on 127.0.0.1) stores reports and its worker pushes them to local stand-ins for each
//! chat vendor (`support::vendors`: the vendor's body, size and signature checks, its
//! answers, errors inside a 200 and rate limits) and to a real SMTP server
//! (`support::smtp`, aiosmtpd). SQLite and PostgreSQL where the store matters.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reach_us_inbox::notify::{queue, worker, NotifyConfig};
use reach_us_inbox::state::Shared;
use reach_us_inbox::{web, InboxConfig, Store};

mod support;
use support::client::Conn;
use support::smtp::Smtp;
use support::vendors::Vendors;
use support::Db;

const TOKEN: &str = "relay-token";

struct Env {
    app: Shared,
    addr: SocketAddr,
    db: String,
}

const WIDGET: &str = r#"{"promise": {"respond_within": "2h"},
  "categories": [{"id": "problem", "label": "Problem"},
                 {"id": "safety", "label": "Safety", "respond_within": "15m", "urgent": {"hotline": "+49 800 000 0000"}}]}"#;

/// An inbox with these environment variables (besides the test defaults), serving.
/// `worker`: start the notification worker now.
async fn start(db: Db, vars: &[(&str, String)], worker_now: bool) -> Env {
    let db = support::fresh_db(db).await;
    let store = Store::open(&db, 4).await.expect("open");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    map.entry("INBOX_NOTIFY_POLL_MS".into())
        .or_insert("50".into());
    let mut cfg = InboxConfig::local(db.clone());
    cfg.rate_per_min = 0;
    cfg.public_url = format!("http://{addr}");
    cfg.admin_token_sha256 = Some(reach_us_inbox::util::sha256_hex(TOKEN.as_bytes()));
    cfg.widget = Some(reach_us_inbox::config::widget_config(WIDGET).unwrap());
    cfg.notify = NotifyConfig::from_vars(&|k| map.get(k).cloned()).expect("notify config");
    let app = web::App::new(store, cfg);
    let router = web::router(app.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    if worker_now {
        worker::spawn(app.clone()).expect("a worker");
    }
    Env { app, addr, db }
}

fn report(
    id: &str,
    category: &str,
    message: &str,
    email: Option<&str>,
    locale: &str,
    zone: &str,
) -> String {
    let mut contact = serde_json::json!({"phone": "+86 400 000 0000"});
    if let Some(e) = email {
        contact["email"] = e.into();
    }
    serde_json::json!({
        "schema": "reach-us/v1", "id": id, "reference": format!("ACME-{}", id[..6].to_uppercase()),
        "created_at": reach_us_core::time::iso_utc(reach_us_inbox::util::now_ms()), "category": category,
        "message": message, "contact": contact, "promise": null,
        "page": {"url": "https://acme.example/owners", "title": "Owners", "referrer": ""},
        "locale": locale, "timezone": zone, "client": {"widget_version": "0.1.0"}
    })
    .to_string()
}

fn new_id() -> String {
    let r = reach_us_inbox::util::random_id();
    format!(
        "{}-{}-4{}-8{}-{}",
        &r[..8],
        &r[8..12],
        &r[13..16],
        &r[17..20],
        &r[20..32]
    )
}

async fn post(addr: SocketAddr, id: &str, body: &str) -> support::client::Reply {
    let r = Conn::new(addr)
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
        .expect("post");
    assert_eq!(r.status, 201, "{}", r.body);
    r
}

async fn set_status(addr: SocketAddr, id: &str, status: &str, reply: Option<&str>) {
    let auth = format!("Bearer {TOKEN}");
    let body = serde_json::json!({"status": status, "reply": reply}).to_string();
    let r = Conn::new(addr)
        .send(
            "POST",
            &format!("/v1/reports/{id}/status"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            &body,
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Sign in to the admin page and read it.
async fn admin_page(addr: SocketAddr) -> String {
    let origin = format!("http://{addr}");
    let login = Conn::new(addr)
        .send(
            "POST",
            "/admin/login",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Origin", &origin),
            ],
            &format!("token={TOKEN}"),
        )
        .await
        .unwrap();
    assert_eq!(login.status, 303, "{}", login.body);
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = Conn::new(addr)
        .send("GET", "/admin", &[("Cookie", &cookie)], "")
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    page.body
}

async fn rows(app: &Shared, id: &str) -> Vec<(String, String, String, i64)> {
    queue::rows_of(&app.store, id).await.unwrap()
}

/// Wait until every row of `id` has left `pending`.
async fn settled(app: &Shared, id: &str, secs: u64) -> Vec<(String, String, String, i64)> {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let r = rows(app, id).await;
        if r.iter().all(|x| x.2 != "pending") {
            return r;
        }
        assert!(Instant::now() < end, "still pending: {r:?}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// A message that tries every trick: Feishu's @all tag, a Markdown masked link, a string
/// break-out for a text/plain JSON template, and a length over WeCom's and Discord's caps.
fn hostile_message() -> String {
    format!(
        "Door stuck <at user_id=\"all\">everyone</at> [click](https://evil.example) \",\"mentioned_list\":[\"@all\"],\"x\":\" {}",
        "é".repeat(3000)
    )
}

async fn every_channel(kind: Db) {
    let vendors = Vendors::start(&[
        ("feishu", "fs-secret"),
        ("dingtalk", "SECdt"),
        ("webhook", "wh-secret"),
    ])
    .await;
    let smtp = Smtp::start();
    let vars = [
        (
            "INBOX_CHANNELS",
            "feishu,dingtalk,wecom,slack,discord,teams,hook,mail".to_string(),
        ),
        (
            "INBOX_CHANNEL_FEISHU",
            format!("feishu {}", vendors.url("feishu")),
        ),
        ("INBOX_CHANNEL_FEISHU_SECRET", "fs-secret".into()),
        (
            "INBOX_CHANNEL_DINGTALK",
            format!("dingtalk {}", vendors.url("dingtalk")),
        ),
        ("INBOX_CHANNEL_DINGTALK_SECRET", "SECdt".into()),
        (
            "INBOX_CHANNEL_WECOM",
            format!("wecom {}", vendors.url("wecom")),
        ),
        (
            "INBOX_CHANNEL_SLACK",
            format!("slack {}", vendors.url("slack")),
        ),
        (
            "INBOX_CHANNEL_DISCORD",
            format!("discord {}", vendors.url("discord")),
        ),
        (
            "INBOX_CHANNEL_TEAMS",
            format!("teams {}", vendors.url("teams")),
        ),
        (
            "INBOX_CHANNEL_HOOK",
            format!("webhook {}", vendors.url("webhook")),
        ),
        ("INBOX_CHANNEL_HOOK_SECRET", "wh-secret".into()),
        ("INBOX_CHANNEL_MAIL", "email team@acme.example".into()),
        ("INBOX_SMTP_URL", smtp.url()),
        (
            "INBOX_MAIL_FROM",
            "Acme support <support@acme.example>".into(),
        ),
        ("INBOX_TEAM_TIME_ZONE", "Asia/Shanghai".into()),
    ];
    let env = start(kind, &vars, true).await;
    let id = new_id();
    let body = report(
        &id,
        "problem",
        &hostile_message(),
        Some("visitor@example.com"),
        "fr",
        "Europe/Paris",
    );
    let answer = post(env.addr, &id, &body).await.json();
    let reference = answer["reference"].as_str().unwrap().to_string();
    let due = reach_us_core::time::parse_iso(answer["due_at"].as_str().unwrap()).unwrap();
    vendors
        .until(15, "one message per vendor", |g| g.len() >= 7)
        .await;
    smtp.until(15, "team mail and the visitor's acknowledgement", |m| {
        m.len() >= 2
    })
    .await;
    let r = settled(&env.app, &id, 10).await;
    assert_eq!(
        r.len(),
        9,
        "7 chat/webhook + team mail + visitor ack: {r:?}"
    );
    assert!(
        r.iter().all(|x| x.2 == "sent" && x.3 == 1),
        "each sent once, first time: {r:?}"
    );

    let due_shanghai = reach_us_inbox::notify::channel::local_time(due, "Asia/Shanghai");
    let link = format!("http://{}/admin#s-{id}", env.addr);
    for g in vendors.got() {
        assert_eq!(g.verdict, "ok", "{} refused it: {}", g.vendor, g.body);
        if g.vendor == "webhook" {
            continue;
        }
        let text = g.text();
        for part in [
            reference.as_str(),
            "(problem)",
            "visitor@example.com",
            "+86 400 000 0000",
            &due_shanghai,
        ] {
            assert!(
                text.contains(part),
                "{}: {part:?} missing from {text:?}",
                g.vendor
            );
        }
        if g.vendor != "teams" {
            assert!(text.contains(&link), "{}: no link in {text:?}", g.vendor);
        }
        assert!(text.starts_with("New report: "), "{}: {text:?}", g.vendor);
    }
    let by = |v: &str| vendors.of(v).remove(0);
    // Feishu: signed in the body; no tag to parse.
    let fs = by("feishu");
    assert!(fs.json()["sign"].is_string() && fs.json()["timestamp"].is_string());
    assert!(!fs.text().contains("<at") && fs.text().contains("<\u{200B}at"));
    // DingTalk: signed in the query; only msgtype and text: no `at` field to @ anyone.
    let dt = by("dingtalk");
    assert!(
        dt.query.contains("access_token=t0k&timestamp=") && dt.query.contains("&sign="),
        "{}",
        dt.query
    );
    let keys: Vec<_> = dt.json().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["msgtype", "text"]);
    assert!(
        dt.text().contains("\"mentioned_list\":[\"@all\"]"),
        "the break-out stays text"
    );
    // WeCom: its 2,048-byte cap, the message cut and marked, the rest kept.
    let wc = by("wecom").text();
    assert!(
        wc.len() <= 2048 && wc.contains("…[cut]"),
        "{} bytes",
        wc.len()
    );
    // Discord: mentions and embeds off, masked links escaped, 2,000 characters.
    let dc = by("discord");
    assert_eq!(
        dc.json()["allowed_mentions"]["parse"],
        serde_json::json!([])
    );
    assert_eq!(dc.json()["flags"], 4);
    assert!(
        dc.text().contains("\\[click\\](https://evil.example)")
            && dc.text().chars().count() <= 2000
    );
    // Slack: &, <, > escaped: no <!channel>.
    assert!(by("slack").text().contains("&lt;at user_id"));
    // Teams: an Adaptive Card with the link as a button.
    let tm = by("teams").json();
    assert_eq!(
        tm["attachments"][0]["content"]["actions"][0]["url"],
        link.as_str()
    );
    // The webhook: signed, the row's key to deduplicate on.
    let wh = by("webhook").json();
    assert_eq!(wh["notifications"][0]["id"], format!("{id}:new:hook"));
    assert_eq!(
        wh["notifications"][0]["report"]["reference"],
        reference.as_str()
    );

    let mails = smtp.mails();
    let team = mails
        .iter()
        .find(|m| m.to == ["team@acme.example"])
        .expect("team mail");
    assert!(team.header("Subject").unwrap().contains(&reference) || team.data.contains(&reference));
    assert!(team.text().contains(&due_shanghai), "{}", team.text());
    let ack = mails
        .iter()
        .find(|m| m.to == ["visitor@example.com"])
        .expect("visitor ack");
    let text = ack.text();
    let due_paris = reach_us_inbox::notify::channel::local_time(due, "Europe/Paris");
    assert!(
        text.contains(&format!("d'ici le {due_paris}")),
        "French, in the visitor's zone: {text}"
    );
    assert!(
        text.contains(&format!("http://{}/v1/reports/{id}/optout", env.addr)),
        "{text}"
    );
    assert!(text.contains(&reference));

    // A replay of the same POST queues nothing more.
    let again = post(env.addr, &id, &body).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(vendors.got().len(), 7);
    assert_eq!(smtp.mails().len(), 2);
    assert_eq!(rows(&env.app, &id).await.len(), 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_channel_gets_its_vendors_body_signed_sqlite() {
    every_channel(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_channel_gets_its_vendors_body_signed_postgres() {
    if support::postgres_url().is_none() {
        return;
    }
    every_channel(Db::Postgres).await;
}

/// A row's next attempt time, read straight from the database.
async fn run_at(env: &Env, id: &str, ch: &'static str) -> i64 {
    let (db, id) = (env.db.clone(), id.to_string());
    match &env.app.store {
        Store::Sqlite(_) => rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT run_at FROM notifications WHERE report_id = ?1 AND channel = ?2",
                [&id, ch],
                |r| r.get::<_, i64>(0),
            )
            .unwrap(),
        Store::Postgres(_) => tokio::task::spawn_blocking(move || {
            let mut c = postgres::Client::connect(&db, postgres::NoTls).unwrap();
            c.query_one(
                "SELECT run_at FROM notifications WHERE report_id = $1 AND channel = $2",
                &[&id, &ch],
            )
            .unwrap()
            .get::<_, i64>(0)
        })
        .await
        .unwrap(),
    }
}

async fn vendor_errors(kind: Db) {
    // Feishu's receiver expects another secret: its 19021 inside a 200 is a refusal.
    let vendors = Vendors::start(&[("feishu", "the-real-secret"), ("webhook", "k")]).await;
    vendors.script(
        "dingtalk",
        vec![(
            200,
            r#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#.into(),
            None,
        )],
    );
    vendors.script(
        "wecom",
        vec![(
            200,
            r#"{"errcode":45009,"errmsg":"api freq out of limit <script>alert(1)</script>"}"#
                .into(),
            None,
        )],
    );
    vendors.script("webhook", vec![(503, "busy".into(), None)]);
    let vars = [
        ("INBOX_CHANNELS", "feishu,dingtalk,wecom,hook".to_string()),
        (
            "INBOX_CHANNEL_FEISHU",
            format!("feishu {}", vendors.url("feishu")),
        ),
        ("INBOX_CHANNEL_FEISHU_SECRET", "a-wrong-secret".into()),
        (
            "INBOX_CHANNEL_DINGTALK",
            format!("dingtalk {}", vendors.url("dingtalk")),
        ),
        (
            "INBOX_CHANNEL_WECOM",
            format!("wecom {}", vendors.url("wecom")),
        ),
        (
            "INBOX_CHANNEL_HOOK",
            format!("webhook {}", vendors.url("webhook")),
        ),
        ("INBOX_CHANNEL_HOOK_SECRET", "k".into()),
    ];
    let env = start(kind, &vars, true).await;
    let id = new_id();
    let t0 = reach_us_inbox::util::now_ms();
    post(
        env.addr,
        &id,
        &report(&id, "problem", "Door stuck", None, "en", "UTC"),
    )
    .await;
    // The webhook's 503 is retried after the backoff (2–3 s) and then delivered.
    vendors
        .until(10, "the webhook's retry", |g| {
            g.iter().filter(|x| x.vendor == "webhook").count() == 2
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = rows(&env.app, &id).await;
    let state = |ch: &str| {
        r.iter()
            .find(|x| x.1 == ch)
            .map(|x| (x.2.clone(), x.3))
            .unwrap()
    };
    assert_eq!(state("hook"), ("sent".into(), 2));
    assert_eq!(
        state("feishu"),
        ("failed".into(), 1),
        "a bad signature inside a 200 is refused, not retried"
    );
    assert_eq!(state("dingtalk"), ("pending".into(), 1), "130101: waits");
    assert_eq!(state("wecom"), ("pending".into(), 1), "45009: waits");
    assert_eq!(vendors.of("feishu").len(), 1);
    assert_eq!(vendors.of("feishu")[0].verdict, "bad sign");
    // The waits are the vendors' own: DingTalk blocks for 10 minutes, WeCom for a minute.
    assert!(run_at(&env, &id, "dingtalk").await >= t0 + 600_000);
    assert!(run_at(&env, &id, "wecom").await >= t0 + 60_000);
    // The health lines say so.
    let health = queue::health_lines(&env.app.store).await.unwrap();
    let h = |ch: &str| health.iter().find(|h| h.channel == ch).unwrap().clone();
    assert!(h("dingtalk").last_error.unwrap().1.contains("130101"));
    assert_eq!(h("dingtalk").pending, 1);
    assert!(h("feishu").last_error.unwrap().1.contains("19021"));
    assert_eq!(h("feishu").failed, 1);
    assert!(h("hook").last_ok.is_some() && h("hook").last_error.unwrap().1.contains("503"));
    // And the admin page shows them.
    let page = admin_page(env.addr).await;
    assert!(page.contains("<h2>Notifications</h2>"), "{page}");
    let line = |ch: &str| {
        page.split("<tr><td>")
            .find(|l| l.starts_with(&format!("{ch}</td>")))
            .unwrap()
            .to_string()
    };
    assert!(
        line("dingtalk").contains("130101") && line("dingtalk").contains("<td>1</td>"),
        "{}",
        line("dingtalk")
    );
    assert!(
        line("feishu").contains("19021")
            && line("feishu").contains("<strong class=overdue>1</strong>"),
        "{}",
        line("feishu")
    );
    assert!(line("hook").contains(" s ago</time>"), "{}", line("hook"));
    assert!(
        line("wecom").contains("&lt;script&gt;") && !page.contains("<script>"),
        "a vendor's words are escaped"
    );
    // A second report to the paused DingTalk is not sent during the pause either.
    let id2 = new_id();
    post(
        env.addr,
        &id2,
        &report(&id2, "problem", "Another", None, "en", "UTC"),
    )
    .await;
    vendors
        .until(10, "the second report on the others", |g| {
            g.iter().filter(|x| x.vendor == "webhook").count() == 3
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(vendors.of("dingtalk").len(), 1, "paused after 130101");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn errors_inside_a_200_rate_limits_and_retries_sqlite() {
    vendor_errors(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn errors_inside_a_200_rate_limits_and_retries_postgres() {
    if support::postgres_url().is_none() {
        return;
    }
    vendor_errors(Db::Postgres).await;
}

/// A burst larger than the channel's rate: what fits goes one by one, the rest merged into
/// one message, and the vendor's own limit (here 5 a minute) is never hit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_is_merged_to_stay_under_the_rate_limit() {
    let vendors = Vendors::start(&[]).await;
    vendors.limit("dingtalk", 5);
    let vars = [
        ("INBOX_CHANNELS", "ding".to_string()),
        (
            "INBOX_CHANNEL_DING",
            format!("dingtalk {}", vendors.url("dingtalk")),
        ),
        ("INBOX_CHANNEL_DING_PER_MIN", "5".into()),
    ];
    let env = start(Db::Sqlite, &vars, false).await;
    let mut refs = Vec::new();
    let mut ids = Vec::new();
    for i in 0..12 {
        let id = new_id();
        let r = post(
            env.addr,
            &id,
            &report(&id, "problem", &format!("burst {i}"), None, "en", "UTC"),
        )
        .await;
        refs.push(r.json()["reference"].as_str().unwrap().to_string());
        ids.push(id);
    }
    worker::spawn(env.app.clone()).unwrap();
    vendors
        .until(10, "all 12 references", |g| {
            refs.iter()
                .all(|r| g.iter().any(|x| x.text().contains(r.as_str())))
        })
        .await;
    let got = vendors.of("dingtalk");
    assert_eq!(got.len(), 5, "4 single messages and one merged");
    assert!(got.iter().all(|g| g.answered == 200 && g.verdict == "ok"));
    assert!(got.iter().all(|g| !g.body.contains("130101")));
    assert!(
        got[4].text().starts_with("8 notifications, merged"),
        "{}",
        got[4].text()
    );
    for id in &ids {
        let r = settled(&env.app, id, 5).await;
        assert_eq!(r[0].2, "sent");
    }
    // Three more within the minute wait for the window instead of hitting the limit.
    let mut late = Vec::new();
    for i in 0..3 {
        let id = new_id();
        post(
            env.addr,
            &id,
            &report(&id, "problem", &format!("late {i}"), None, "en", "UTC"),
        )
        .await;
        late.push(id);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(vendors.of("dingtalk").len(), 5);
    for id in &late {
        assert_eq!(rows(&env.app, id).await[0].2, "pending");
    }
}

/// Escalation: the urgent category goes straight to on-call; the steps of the others are
/// queued with the report at their business-time moments and sent only without an answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn escalations_fire_only_without_an_answer() {
    let vendors = Vendors::start(&[("webhook", "k")]).await;
    let vars = [
        ("INBOX_CHANNELS", "team,oncall".to_string()),
        (
            "INBOX_CHANNEL_TEAM",
            format!("webhook {}", vendors.url("webhook")),
        ),
        ("INBOX_CHANNEL_TEAM_SECRET", "k".into()),
        (
            "INBOX_CHANNEL_ONCALL",
            format!("discord {}", vendors.url("discord")),
        ),
        ("INBOX_CHANNEL_ONCALL_ON", "escalation".into()),
        (
            "INBOX_ESCALATE",
            "*: 50%=team, overdue=oncall; safety: 0%=oncall, overdue=oncall".into(),
        ),
    ];
    let env = start(Db::Sqlite, &vars, true).await;
    let (a, b, c) = (new_id(), new_id(), new_id());
    let ra = post(
        env.addr,
        &a,
        &report(&a, "problem", "answered in time", None, "en", "UTC"),
    )
    .await
    .json();
    post(
        env.addr,
        &b,
        &report(&b, "safety", "smoke from the charger", None, "en", "UTC"),
    )
    .await;
    post(
        env.addr,
        &c,
        &report(&c, "problem", "nobody answers", None, "en", "UTC"),
    )
    .await;
    vendors
        .until(10, "3 new + 1 urgent", |g| g.len() >= 4)
        .await;
    let urgent = vendors.of("discord");
    assert_eq!(urgent.len(), 1);
    assert!(urgent[0].text().starts_with("Urgent report: ") && urgent[0].text().contains("smoke"));
    // Queued with the report at the engine's times: 50 % of 2 h, and the due time.
    let db = rusqlite::Connection::open(&env.db).unwrap();
    let at = |id: &str, ev: &str| -> i64 {
        db.query_row(
            "SELECT run_at FROM notifications WHERE report_id = ?1 AND event = ?2",
            [id, ev],
            |r| r.get(0),
        )
        .unwrap()
    };
    let due_a = reach_us_core::time::parse_iso(ra["due_at"].as_str().unwrap()).unwrap();
    let accepted_a = reach_us_core::time::parse_iso(ra["accepted_at"].as_str().unwrap()).unwrap();
    assert_eq!(at(&a, "esc:overdue"), due_a);
    // The clock started at the report's own time (within the skew), as the due time did.
    assert_eq!(at(&a, "esc:50"), due_a - 60 * 60_000);
    assert!(at(&a, "esc:50") <= accepted_a + 60 * 60_000);
    // A is answered; then time "passes" (the rows are made due).
    set_status(env.addr, &a, "answered", Some("Fixed remotely")).await;
    db.execute(
        "UPDATE notifications SET run_at = 0 WHERE event LIKE 'esc:%' AND state = 'pending'",
        [],
    )
    .unwrap();
    vendors
        .until(10, "C's two escalations and B's overdue", |g| {
            g.iter().filter(|x| x.vendor == "discord").count() == 3
                && g.iter().filter(|x| x.vendor == "webhook").count() == 4
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let state = |id: &str, ev: &str| -> String {
        db.query_row(
            "SELECT state FROM notifications WHERE report_id = ?1 AND event = ?2",
            [id, ev],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(state(&a, "esc:50"), "skipped");
    assert_eq!(state(&a, "esc:overdue"), "skipped");
    assert_eq!(state(&c, "esc:50"), "sent");
    assert_eq!(state(&c, "esc:overdue"), "sent");
    assert_eq!(state(&b, "esc:overdue"), "sent");
    let texts: Vec<String> = vendors.got().iter().map(|g| g.text()).collect();
    assert!(texts
        .iter()
        .any(|t| t.contains("No answer yet, 50% of the promised time gone")));
    assert!(
        texts
            .iter()
            .filter(|t| t.starts_with("Overdue, no answer yet"))
            .count()
            == 2
    );
    assert!(
        !vendors
            .got()
            .iter()
            .any(|g| g.body.contains(&format!("{a}:esc"))),
        "A never escalated to the team"
    );
    assert!(
        !vendors
            .of("discord")
            .iter()
            .any(|g| g.text().contains("answered in time")),
        "nor to on-call"
    );
}

/// The visitor hears back: the acknowledgement in their language and zone, the reply with
/// a link to the status, and an opt-out that holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_visitor_hears_back_and_can_opt_out() {
    let smtp = Smtp::start();
    let vars = [
        ("INBOX_SMTP_URL", smtp.url()),
        ("INBOX_MAIL_FROM", "Acme <support@acme.example>".to_string()),
    ];
    let env = start(Db::Sqlite, &vars, true).await;
    let id = new_id();
    let ans = post(
        env.addr,
        &id,
        &report(
            &id,
            "problem",
            "ドアが開かない",
            Some("kenji@example.jp"),
            "ja-JP",
            "Asia/Tokyo",
        ),
    )
    .await
    .json();
    let due = reach_us_core::time::parse_iso(ans["due_at"].as_str().unwrap()).unwrap();
    smtp.until(10, "the acknowledgement", |m| m.len() == 1)
        .await;
    let ack = smtp.mails()[0].clone();
    assert_eq!(ack.to, ["kenji@example.jp"]);
    let tokyo = reach_us_inbox::notify::channel::local_time(due, "Asia/Tokyo");
    assert!(
        ack.text().contains(&format!("{tokyo} までにご返信します")),
        "{}",
        ack.text()
    );
    assert!(ack.header("Message-ID").is_some());
    // No email, no mail.
    let quiet = new_id();
    post(
        env.addr,
        &quiet,
        &report(&quiet, "problem", "no email", None, "en", "UTC"),
    )
    .await;
    assert!(rows(&env.app, &quiet).await.is_empty());
    // The reply.
    set_status(env.addr, &id, "answered", Some("遠隔で解錠しました。")).await;
    smtp.until(10, "the reply", |m| m.len() == 2).await;
    let reply = smtp.mails()[1].text();
    assert!(reply.contains("遠隔で解錠しました。"), "{reply}");
    let status_link = format!("http://{}/v1/reports/{id}/view", env.addr);
    assert!(reply.contains(&status_link));
    // The status page shows the reply.
    let page = Conn::new(env.addr)
        .send("GET", &format!("/v1/reports/{id}/view"), &[], "")
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("遠隔で解錠しました。")
            && page.header("referrer-policy") == Some("no-referrer")
    );
    // Opening the opt-out link changes nothing (mail scanners open links); its button does.
    let get = Conn::new(env.addr)
        .send("GET", &format!("/v1/reports/{id}/optout"), &[], "")
        .await
        .unwrap();
    assert_eq!(get.status, 200);
    assert!(get.body.contains("<form method=post"));
    set_status(
        env.addr,
        &id,
        "answered",
        Some("Second reply, still mailed"),
    )
    .await;
    smtp.until(10, "the second reply", |m| m.len() == 3).await;
    let done = Conn::new(env.addr)
        .send("POST", &format!("/v1/reports/{id}/optout"), &[], "")
        .await
        .unwrap();
    assert_eq!(done.status, 200);
    set_status(env.addr, &id, "resolved", Some("Third reply, not mailed")).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(smtp.mails().len(), 3, "opted out");
    let r = settled(&env.app, &id, 5).await;
    assert_eq!(r.iter().filter(|x| x.2 == "skipped").count(), 1, "{r:?}");
    // Erasing the report erases the reply text its queue rows held.
    let auth = format!("Bearer {TOKEN}");
    let del = Conn::new(env.addr)
        .send(
            "DELETE",
            &format!("/v1/reports/{id}"),
            &[("Authorization", &auth)],
            "",
        )
        .await
        .unwrap();
    assert_eq!(del.status, 204);
    let db = rusqlite::Connection::open(&env.db).unwrap();
    let kept: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM notifications WHERE report_id = ?1 AND payload IS NOT NULL",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0, "no reply text left in the queue");
    // The same reply saved twice is mailed once.
    let id2 = new_id();
    post(
        env.addr,
        &id2,
        &report(
            &id2,
            "problem",
            "again",
            Some("ana@example.com"),
            "es",
            "Europe/Madrid",
        ),
    )
    .await;
    smtp.until(10, "ack 2", |m| m.len() == 4).await;
    set_status(env.addr, &id2, "answered", Some("Hecho")).await;
    set_status(env.addr, &id2, "resolved", Some("Hecho")).await;
    smtp.until(10, "reply 2", |m| m.len() == 5).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.mails().len(), 5);
    assert!(smtp.mails()[4]
        .text()
        .contains("Nuestro equipo ha respondido"));
}

/// Bad configuration is refused with the variable's name.
#[test]
fn configuration_errors_name_the_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("INBOX_CHANNELS", "team")],
            "INBOX_CHANNEL_TEAM is not set",
        ),
        (
            &[
                ("INBOX_CHANNELS", "team"),
                ("INBOX_CHANNEL_TEAM", "telegram https://x"),
            ],
            "unknown type",
        ),
        (
            &[
                ("INBOX_CHANNELS", "team"),
                ("INBOX_CHANNEL_TEAM", "webhook https://x"),
            ],
            "INBOX_CHANNEL_TEAM_SECRET is required",
        ),
        (
            &[
                ("INBOX_CHANNELS", "team"),
                ("INBOX_CHANNEL_TEAM", "slack https://x"),
                ("INBOX_CHANNEL_TEAM_SECRET", "s"),
            ],
            "no signed mode",
        ),
        (
            &[
                ("INBOX_CHANNELS", "team"),
                ("INBOX_CHANNEL_TEAM", "slack ftp://x"),
            ],
            "https://",
        ),
        (&[("INBOX_CHANNELS", "visitor")], "cannot be a channel name"),
        (
            &[
                ("INBOX_CHANNELS", "team"),
                ("INBOX_CHANNEL_TEAM", "email team@x.example"),
            ],
            "INBOX_SMTP_URL",
        ),
        (
            &[("INBOX_ESCALATE", "*: 50%=ghost")],
            "not in INBOX_CHANNELS",
        ),
        (
            &[("INBOX_SMTP_URL", "smtp://127.0.0.1:25")],
            "INBOX_MAIL_FROM is required",
        ),
        (&[("INBOX_TEAM_TIME_ZONE", "Mars/Base")], "unknown zone"),
    ];
    for (vars, want) in cases {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        let err = NotifyConfig::from_vars(&|k| map.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(err.contains(want), "{vars:?}: {err}");
    }
}

/// A channel's own summary (DingTalk's keyword mode needs the keyword in every message),
/// and no more than 5 acknowledgements an hour to one address (someone else's address
/// typed into the form must not become a mail bomb).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channels_own_text_and_at_most_5_acks_an_hour_per_address() {
    let vendors = Vendors::start(&[]).await;
    let smtp = Smtp::start();
    let vars = [
        ("INBOX_CHANNELS", "ding".to_string()),
        (
            "INBOX_CHANNEL_DING",
            format!("dingtalk {}", vendors.url("dingtalk")),
        ),
        (
            "INBOX_CHANNEL_DING_TEXT",
            "[Acme客服] {{reference}}\\n{{message}}\\n{{link}}".into(),
        ),
        ("INBOX_SMTP_URL", smtp.url()),
        ("INBOX_MAIL_FROM", "support@acme.example".into()),
    ];
    let env = start(Db::Sqlite, &vars, true).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let id = new_id();
        post(
            env.addr,
            &id,
            &report(
                &id,
                "problem",
                &format!("bomb {i}"),
                Some("Victim@Example.com"),
                "en",
                "UTC",
            ),
        )
        .await;
        ids.push(id);
        // One at a time, so each acknowledgement is counted before the next.
        settled(&env.app, ids.last().unwrap(), 10).await;
    }
    assert_eq!(smtp.mails().len(), 5, "5 acknowledgements, then none");
    let last = rows(&env.app, &ids[6]).await;
    assert!(
        last.iter().any(|r| r.1 == "visitor" && r.2 == "skipped"),
        "{last:?}"
    );
    let first = vendors.of("dingtalk").remove(0).text();
    assert!(
        first.starts_with("[Acme客服] ACME-") && first.contains("\nbomb 0\nhttp://"),
        "{first:?}"
    );
    let map: HashMap<&str, String> = [
        ("INBOX_CHANNELS", "d".to_string()),
        ("INBOX_CHANNEL_D", "slack https://x".into()),
        ("INBOX_CHANNEL_D_TEXT", "{{nope}}".into()),
    ]
    .into_iter()
    .collect();
    let err = NotifyConfig::from_vars(&|k| map.get(k).cloned()).unwrap_err();
    assert!(err.contains("unknown placeholder {{nope}}"), "{err}");
}

/// `?tls=required` never falls back to plain text: against a server without STARTTLS no
/// mail is handed over, and the row is not marked sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn starttls_required_never_sends_in_the_clear() {
    let smtp = Smtp::start();
    let vars = [
        ("INBOX_CHANNELS", "mail".to_string()),
        ("INBOX_CHANNEL_MAIL", "email team@acme.example".into()),
        (
            "INBOX_SMTP_URL",
            format!("smtp://127.0.0.1:{}?tls=required", smtp.port),
        ),
        ("INBOX_MAIL_FROM", "support@acme.example".into()),
    ];
    let env = start(Db::Sqlite, &vars, true).await;
    let id = new_id();
    post(
        env.addr,
        &id,
        &report(
            &id,
            "problem",
            "secret details",
            Some("v@example.com"),
            "en",
            "UTC",
        ),
    )
    .await;
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let r = rows(&env.app, &id).await;
        if r.iter().all(|x| x.3 >= 1) {
            assert!(r.iter().all(|x| x.2 != "sent"), "{r:?}");
            break;
        }
        assert!(Instant::now() < end, "no attempt: {r:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(smtp.mails().is_empty(), "nothing went out in the clear");
    let health = queue::health_lines(&env.app.store).await.unwrap();
    let mail = health.iter().find(|h| h.channel == "mail").unwrap();
    println!(
        "STARTTLS required against a plain server: {:?}",
        mail.last_error
    );
    assert!(mail.last_error.is_some());
}

/// A vendor that is down costs one attempt per pass, not one per waiting message: the
/// others wait with the channel, then all are delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_vendor_pauses_its_channel_not_the_others() {
    let vendors = Vendors::start(&[]).await;
    vendors.script("slack", vec![(503, "down".into(), None)]);
    let vars = [
        ("INBOX_CHANNELS", "slack,discord".to_string()),
        (
            "INBOX_CHANNEL_SLACK",
            format!("slack {}", vendors.url("slack")),
        ),
        (
            "INBOX_CHANNEL_DISCORD",
            format!("discord {}", vendors.url("discord")),
        ),
    ];
    let env = start(Db::Sqlite, &vars, false).await;
    for i in 0..3 {
        let id = new_id();
        post(
            env.addr,
            &id,
            &report(&id, "problem", &format!("r{i}"), None, "en", "UTC"),
        )
        .await;
    }
    worker::spawn(env.app.clone()).unwrap();
    vendors
        .until(5, "discord's three", |g| {
            g.iter().filter(|x| x.vendor == "discord").count() == 3
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        vendors.of("slack").len(),
        1,
        "one attempt, then the channel waits"
    );
    vendors
        .until(10, "slack's three after the pause", |g| {
            g.iter()
                .filter(|x| x.vendor == "slack" && x.answered == 200)
                .count()
                == 3
        })
        .await;
    assert_eq!(vendors.of("slack").len(), 4);
}

/// Feishu's signed mode adds `timestamp` and `sign` to a body the preset already cut to its
/// 20 KB: the relay cuts the message further (marked), so the longest report still fits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_signed_feishu_body_stays_within_20_kb() {
    let vendors = Vendors::start(&[("feishu", "s")]).await;
    let vars = [
        ("INBOX_CHANNELS", "fs".to_string()),
        (
            "INBOX_CHANNEL_FS",
            format!("feishu {}", vendors.url("feishu")),
        ),
        ("INBOX_CHANNEL_FS_SECRET", "s".into()),
    ];
    let env = start(Db::Sqlite, &vars, true).await;
    let id = new_id();
    post(
        env.addr,
        &id,
        &report(
            &id,
            "problem",
            &"a".repeat(20_000),
            Some("v@example.com"),
            "en",
            "UTC",
        ),
    )
    .await;
    vendors.until(10, "the message", |g| !g.is_empty()).await;
    let g = vendors.of("feishu").remove(0);
    assert_eq!(g.verdict, "ok", "{} bytes", g.body.len());
    assert!(
        g.body.len() <= 20_000 && g.body.len() > 19_800,
        "{}",
        g.body.len()
    );
    assert!(
        g.text().contains("a…[cut]\nContact: v@example.com"),
        "cut once, marked, the rest kept"
    );
}

/// Feishu allows 5 messages a second per bot (then `11232`, and a minute's wait): a burst
/// of 12 is spaced out, never more than 5 in a second, none merged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn feishus_five_a_second_is_kept() {
    let vendors = Vendors::start(&[]).await;
    let vars = [
        ("INBOX_CHANNELS", "fs".to_string()),
        (
            "INBOX_CHANNEL_FS",
            format!("feishu {}", vendors.url("feishu")),
        ),
    ];
    let env = start(Db::Sqlite, &vars, false).await;
    for i in 0..12 {
        let id = new_id();
        post(
            env.addr,
            &id,
            &report(&id, "problem", &format!("f{i}"), None, "en", "UTC"),
        )
        .await;
    }
    worker::spawn(env.app.clone()).unwrap();
    vendors.until(10, "12 messages", |g| g.len() == 12).await;
    let got = vendors.of("feishu");
    for g in &got {
        let in_a_second = got
            .iter()
            .filter(|h| h.at >= g.at && h.at.duration_since(g.at) < Duration::from_millis(1000))
            .count();
        assert!(in_a_second <= 5, "{in_a_second} within a second");
        assert!(g.text().starts_with("New report: "), "none merged");
    }
    let span = got.last().unwrap().at.duration_since(got[0].at);
    assert!(
        span >= Duration::from_secs(2) && span < Duration::from_secs(5),
        "{span:?}"
    );
}

/// A webhook that redirects is not followed (the body and its signature go to the
/// configured URL only): its 307 is a refusal, on the health line.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redirect_is_refused_not_followed() {
    let vendors = Vendors::start(&[("webhook", "k")]).await;
    let vars = [
        ("INBOX_CHANNELS", "hook".to_string()),
        (
            "INBOX_CHANNEL_HOOK",
            format!("webhook {}", vendors.url("redirect")),
        ),
        ("INBOX_CHANNEL_HOOK_SECRET", "k".into()),
    ];
    let env = start(Db::Sqlite, &vars, true).await;
    let id = new_id();
    post(
        env.addr,
        &id,
        &report(&id, "problem", "x", None, "en", "UTC"),
    )
    .await;
    let r = settled(&env.app, &id, 10).await;
    assert_eq!((r[0].2.as_str(), r[0].3), ("failed", 1));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(vendors.of("redirect").len(), 1);
    assert!(vendors.of("webhook").is_empty(), "not followed");
    let h = queue::health_lines(&env.app.store).await.unwrap();
    assert!(h[0].last_error.as_ref().unwrap().1.starts_with("307"));
}

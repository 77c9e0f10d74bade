//! Issue 21, known incidents: a notice with an `id` links the reports that say "same
//! problem"; the team sees the count and posts one update that every linked report gets
//! as its reply. Each test runs on SQLite and PostgreSQL.
use serde_json::json;

mod support;
use support::router::{report_with, start, uuid, Inbox};
use support::Db;

const WIDGET: &str = r#"{"promise": "2h", "categories": [{"id": "problem", "label": "Problem"}, {"id": "outage", "label": "Outage"}]}"#;

async fn notice(inbox: Inbox, v: serde_json::Value) -> u16 {
    inbox
        .admin("PUT", "/v1/notice", &v.to_string())
        .await
        .status
}

async fn linked_reports_get_the_update(db: Db) {
    let inbox = start(db, WIDGET, |_| {}).await;
    let berlin = json!({"id": "berlin-charging", "title": "Charging outage in Berlin", "keywords": {"en": "charging, charger", "de": "Laden"}, "categories": ["outage"]});
    assert_eq!(notice(inbox, berlin.clone()).await, 204);
    assert_eq!(
        inbox.get("/v1/notice").await.json()["id"],
        "berlin-charging",
        "served to the widget as set"
    );
    for bad in [
        json!({"id": "Berlin!", "title": "t"}),
        json!({"id": "x", "title": "t", "categories": "outage"}),
        json!({"id": "x", "title": "t", "keywords": 7}),
    ] {
        assert_eq!(notice(inbox, bad.clone()).await, 400, "{bad}");
    }
    // Two "same problem" reports (one without any contact), one about something else, one
    // naming another incident, and one whose incident is not a string.
    let same = |n: u32, contact: serde_json::Value| {
        let id = uuid(n);
        let body = report_with(&id, |v| {
            v["incident"] = "berlin-charging".into();
            v["message"] = "Same problem: Charging outage in Berlin".into();
            v["contact"] = contact;
        });
        (id, body)
    };
    let (a, a_body) = same(1, json!({}));
    let (b, b_body) = same(2, json!({"email": "b@example.com"}));
    for (id, body) in [(&a, &a_body), (&b, &b_body)] {
        assert_eq!(inbox.post(id, body).await.status, 201);
    }
    assert_eq!(
        inbox.post(&b, &b_body).await.status,
        201,
        "a replay links once"
    );
    let other = uuid(3);
    assert_eq!(
        inbox
            .post(&other, &report_with(&other, |_| {}))
            .await
            .status,
        201
    );
    let forged = uuid(4);
    assert_eq!(
        inbox
            .post(
                &forged,
                &report_with(&forged, |v| v["incident"] = "made-up".into())
            )
            .await
            .status,
        201,
        "not linked, not refused"
    );
    let bad = uuid(5);
    let r = inbox
        .post(
            &bad,
            &report_with(&bad, |v| v["incident"] = json!({"id": 1})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("incident"))
    );
    // The count per incident, for the team.
    let list = inbox.admin("GET", "/v1/incidents", "").await;
    assert_eq!(
        list.json(),
        json!([{"id": "berlin-charging", "linked": 2, "open": 2, "updates": 0}]),
        "{}",
        list.body
    );
    let html = reach_us_inbox::incident::admin_html(inbox.1).await.unwrap();
    assert!(
        html.contains("data-linked=\"berlin-charging\">2<")
            && html.contains("/admin/incidents/berlin-charging/update"),
        "{html}"
    );
    // Bad updates change nothing.
    for (text, field) in [("  ", "text"), ("a\u{0}b", "text")] {
        let r = inbox
            .admin(
                "POST",
                "/v1/incidents/berlin-charging/updates",
                &json!({"text": text}).to_string(),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].as_str()),
            (400, Some(field)),
            "{}",
            r.body
        );
    }
    let long = "x".repeat(4001);
    assert_eq!(
        inbox
            .admin(
                "POST",
                "/v1/incidents/berlin-charging/updates",
                &json!({"text": long}).to_string()
            )
            .await
            .status,
        400
    );
    assert_eq!(
        inbox
            .admin("POST", "/v1/incidents/Bad!/updates", r#"{"text": "x"}"#)
            .await
            .status,
        404
    );
    assert_eq!(
        inbox
            .send(
                "POST",
                "/v1/incidents/berlin-charging/updates",
                &[("Content-Type", "application/json")],
                r#"{"text": "x"}"#
            )
            .await
            .status,
        401,
        "admin only"
    );
    // The update: every linked report is answered with it; the others are not touched.
    let text = "Fixed at 15:10: the chargers in Mitte work again.";
    let r = inbox
        .admin(
            "POST",
            "/v1/incidents/berlin-charging/updates",
            &json!({"text": text}).to_string(),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"incident": "berlin-charging", "linked": 2, "answered": 2}),
        "{}",
        r.body
    );
    for id in [&a, &b] {
        let s = inbox.get(&format!("/v1/reports/{id}/status")).await.json();
        assert_eq!(
            (s["status"].as_str(), s["reply"].as_str()),
            (Some("answered"), Some(text)),
            "{s}"
        );
        assert!(s["answered_at"].is_string());
    }
    for id in [&other, &forged] {
        let s = inbox.get(&format!("/v1/reports/{id}/status")).await.json();
        assert_eq!(s["status"], "received", "{s}");
    }
    // A second update replaces the reply, keeps the first answer time.
    let first = inbox.get(&format!("/v1/reports/{a}/status")).await.json()["answered_at"].clone();
    let r = inbox
        .admin(
            "POST",
            "/v1/incidents/berlin-charging/updates",
            r#"{"text": "Root cause: a firmware update."}"#,
        )
        .await;
    assert_eq!(r.json()["answered"], 2, "replied again");
    let s = inbox.get(&format!("/v1/reports/{a}/status")).await.json();
    assert_eq!(
        (s["reply"].as_str(), &s["answered_at"]),
        (Some("Root cause: a firmware update."), &first)
    );
    let list = inbox.admin("GET", "/v1/incidents", "").await.json();
    assert_eq!(
        list,
        json!([{"id": "berlin-charging", "linked": 2, "open": 0, "updates": 2}])
    );
    // The answers count in the track record (kept: answered within the promise).
    let t = inbox.get("/v1/track-record").await.json();
    assert_eq!(
        (t["kept"].as_u64(), t["total"].as_u64()),
        (Some(2), Some(2)),
        "{t}"
    );
    // Once the notice is gone, a report naming the incident is no longer linked.
    assert_eq!(inbox.admin("DELETE", "/v1/notice", "").await.status, 204);
    let late = uuid(6);
    assert_eq!(
        inbox
            .post(
                &late,
                &report_with(&late, |v| v["incident"] = "berlin-charging".into())
            )
            .await
            .status,
        201
    );
    assert_eq!(
        inbox.admin("GET", "/v1/incidents", "").await.json()[0]["linked"],
        2
    );
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $(#[tokio::test(flavor = "multi_thread")] async fn $name() { super::$name(super::Db::Sqlite).await } )* }
        mod postgres { $(#[tokio::test(flavor = "multi_thread")] async fn $name() { if super::support::postgres_url().is_some() { super::$name(super::Db::Postgres).await } } )* }
    };
}
both!(linked_reports_get_the_update);

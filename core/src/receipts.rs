//! What the visitor can check later: receipts kept in their browser, the status a brand's
//! `status_url` reports, the verdict on the promise ("answered — promise kept", "overdue by
//! 12 min"), the brand's track record, and the incident notice. Pure: the widget fetches
//! and stores; this decides.

use crate::error::ConfigError;
use crate::text::Text;
use crate::time::{iso_utc, parse_iso, Millis};
use crate::value::{self, Value};

/// Where a report is, as the brand's backend says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Sent; the backend has said nothing more.
    Received,
    /// Someone is on it.
    InProgress,
    /// A first reply was given.
    Answered,
    /// Closed.
    Resolved,
}

impl Status {
    /// As stored and sent: `received`, `in_progress`, `answered`, `resolved`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::Answered => "answered",
            Status::Resolved => "resolved",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "received" => Status::Received,
            "in_progress" => Status::InProgress,
            "answered" => Status::Answered,
            "resolved" => Status::Resolved,
            _ => return None,
        })
    }

    /// Answered or resolved.
    pub fn replied(self) -> bool {
        matches!(self, Status::Answered | Status::Resolved)
    }
}

/// A receipt as kept in the visitor's browser (`localStorage`, JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Report id.
    pub id: String,
    /// Reference shown.
    pub reference: String,
    /// Category id.
    pub category: String,
    /// First saved (RFC 3339).
    pub created_at: String,
    /// Due (RFC 3339), if a promise was made.
    pub due_at: Option<String>,
    /// Last known status.
    pub status: Status,
    /// When first answered, if known (RFC 3339).
    pub answered_at: Option<String>,
    /// The team's reply, if the backend shares it.
    pub reply: Option<String>,
}

/// The verdict on a receipt's promise at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No promise was made.
    NoPromise,
    /// Not answered yet; this long until due.
    DueIn(Millis),
    /// Not answered yet and past due by this long.
    Overdue(Millis),
    /// Answered on time, at this instant.
    Kept(Millis),
    /// Answered, this long after the due time.
    Late(Millis, Millis),
}

impl Verdict {
    /// Which milestone it is at: 0 waiting (or no promise), 1 overdue, 2 answered. A
    /// change of milestone is what the widget announces.
    pub fn milestone(self) -> u8 {
        match self {
            Verdict::NoPromise | Verdict::DueIn(_) => 0,
            Verdict::Overdue(_) => 1,
            Verdict::Kept(_) | Verdict::Late(..) => 2,
        }
    }
}

fn opt_str(field: &str, v: Option<&Value>) -> Result<Option<String>, ConfigError> {
    v.map(|v| value::string(field, v)).transpose()
}

impl Receipt {
    /// Field names in storage.
    pub const FIELDS: [&'static str; 8] = [
        "id",
        "reference",
        "category",
        "created_at",
        "due_at",
        "status",
        "answered_at",
        "reply",
    ];

    /// Read one stored receipt back.
    pub fn from_value(v: &Value) -> Result<Receipt, ConfigError> {
        let f = value::object("receipt", v, &Receipt::FIELDS)?;
        let get = |k: &str| value::member(&f, k);
        let need = |k: &'static str| opt_str(k, get(k))?.ok_or(ConfigError::Missing { field: k });
        let status = need("status")?;
        Ok(Receipt {
            id: need("id")?,
            reference: need("reference")?,
            category: need("category")?,
            created_at: need("created_at")?,
            due_at: opt_str("due_at", get("due_at"))?,
            status: Status::parse(&status)
                .ok_or_else(|| ConfigError::invalid("status", "is not a known status"))?,
            answered_at: opt_str("answered_at", get("answered_at"))?,
            reply: opt_str("reply", get("reply"))?,
        })
    }

    /// Apply the status JSON a brand's `status_url` returned:
    /// `{"status": "answered", "answered_at": "2026-11-23T10:48:00Z", "reply": "…"}`.
    /// A malformed answer changes nothing and says why.
    pub fn apply_status(&mut self, v: &Value) -> Result<(), ConfigError> {
        let f = value::object("status", v, &[])?;
        let get = |k: &str| value::member(&f, k);
        let status =
            opt_str("status", get("status"))?.ok_or(ConfigError::Missing { field: "status" })?;
        let status = Status::parse(&status).ok_or_else(|| {
            ConfigError::invalid(
                "status",
                format!("\"{status}\" is not received, in_progress, answered or resolved"),
            )
        })?;
        let answered_at = opt_str("answered_at", get("answered_at"))?;
        if let Some(a) = &answered_at {
            parse_iso(a)
                .ok_or_else(|| ConfigError::invalid("answered_at", "is not an RFC 3339 time"))?;
        }
        if status.replied() && answered_at.is_none() && self.answered_at.is_none() {
            return Err(ConfigError::invalid(
                "answered_at",
                "is required when the status is answered or resolved",
            ));
        }
        let reply = opt_str("reply", get("reply"))?.map(|r| r.chars().take(4000).collect());
        // The due time the backend set (its live promise) wins over the browser's own.
        let due_at = opt_str("due_at", get("due_at"))
            .ok()
            .flatten()
            .filter(|d| parse_iso(d).is_some());
        self.status = status;
        if answered_at.is_some() {
            self.answered_at = answered_at;
        }
        if reply.is_some() {
            self.reply = reply;
        }
        if due_at.is_some() {
            self.due_at = due_at;
        }
        Ok(())
    }

    /// Is the promise kept, pending or broken at `now`?
    pub fn verdict(&self, now: Millis) -> Verdict {
        let Some(due) = self.due_at.as_deref().and_then(parse_iso) else {
            return Verdict::NoPromise;
        };
        match self
            .answered_at
            .as_deref()
            .and_then(parse_iso)
            .filter(|_| self.status.replied())
        {
            Some(at) if at <= due => Verdict::Kept(at),
            Some(at) => Verdict::Late(at, at - due),
            None if now < due => Verdict::DueIn(due - now),
            None => Verdict::Overdue(now - due),
        }
    }

    /// Still worth asking the backend about.
    pub fn open(&self) -> bool {
        self.status != Status::Resolved
    }

    /// A new receipt for a just-delivered report.
    pub fn new(
        id: &str,
        reference: &str,
        category: &str,
        created: Millis,
        due: Option<Millis>,
    ) -> Receipt {
        Receipt {
            id: id.into(),
            reference: reference.into(),
            category: category.into(),
            created_at: iso_utc(created),
            due_at: due.map(iso_utc),
            status: Status::Received,
            answered_at: None,
            reply: None,
        }
    }
}

impl crate::json::ToJson for Receipt {
    fn to_json(&self) -> String {
        crate::json::Object::new()
            .str("id", &self.id)
            .str("reference", &self.reference)
            .str("category", &self.category)
            .str("created_at", &self.created_at)
            .opt_str("due_at", self.due_at.as_deref())
            .str("status", self.status.as_str())
            .opt_str("answered_at", self.answered_at.as_deref())
            .opt_str("reply", self.reply.as_deref())
            .done()
    }
}

pub use crate::defaults::MAX_RECEIPTS;

/// Add `r` (replacing one with its id), keeping at most [`MAX_RECEIPTS`], newest first.
pub fn remember(list: &mut Vec<Receipt>, r: Receipt) {
    list.retain(|x| x.id != r.id);
    list.insert(0, r);
    while list.len() > MAX_RECEIPTS {
        let drop = list
            .iter()
            .rposition(|x| !x.open())
            .unwrap_or(list.len() - 1);
        list.remove(drop);
    }
}

/// The brand's record, from `track_record_url`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackRecord {
    /// Window, days.
    pub window_days: u32,
    /// Share of promises kept, 0–1.
    pub kept_ratio: f64,
    /// Median first-reply time, minutes.
    pub median_reply_minutes: u32,
    /// Reports counted.
    pub total: u32,
}

impl TrackRecord {
    /// Read `{"window_days": 30, "kept_ratio": 0.97, "median_reply_minutes": 38, "total": 124}`.
    /// Anything odd (no reports, a ratio outside 0–1) gives None: show nothing rather than a guess.
    pub fn from_value(v: &Value) -> Option<TrackRecord> {
        let f = value::object("track_record", v, &[]).ok()?;
        let get = |k: &str| value::member(&f, k);
        let int = |k: &str| {
            get(k)
                .and_then(|v| value::integer(k, v, 0, 1_000_000_000).ok())
                .map(|n| n as u32)
        };
        let ratio = match get("kept_ratio")? {
            Value::Num(n) if (0.0..=1.0).contains(n) => *n,
            _ => return None,
        };
        let t = TrackRecord {
            window_days: int("window_days")?,
            kept_ratio: ratio,
            median_reply_minutes: int("median_reply_minutes")?,
            total: int("total")?,
        };
        (t.total > 0 && t.window_days > 0).then_some(t)
    }
}

/// An incident notice: `{"title", "body", "updated_at", "next_update_by"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Headline.
    pub title: Text,
    /// Details.
    pub body: Option<Text>,
    /// When it was last updated.
    pub updated_at: Option<Millis>,
    /// When the next update is promised.
    pub next_update_by: Option<Millis>,
    /// The incident it describes, when it has an `id` ([`crate::incident`]).
    pub incident: Option<crate::incident::Incident>,
}

impl Notice {
    /// Read a notice (config `notice` or the JSON at `notice_url`).
    pub fn from_value(field: &str, v: &Value) -> Result<Notice, ConfigError> {
        let f = value::object(
            field,
            v,
            &[
                "title",
                "body",
                "updated_at",
                "next_update_by",
                "id",
                "keywords",
                "categories",
            ],
        )?;
        let get = |k: &str| value::member(&f, k);
        let time = |k: &str| -> Result<Option<Millis>, ConfigError> {
            match get(k) {
                None => Ok(None),
                Some(v) => {
                    let s = value::string(&format!("{field}.{k}"), v)?;
                    parse_iso(&s).map(Some).ok_or_else(|| {
                        ConfigError::invalid(
                            format!("{field}.{k}"),
                            format!("\"{s}\" is not an RFC 3339 time"),
                        )
                    })
                }
            }
        };
        let title = Text::from_value(
            &format!("{field}.title"),
            get("title").ok_or_else(|| ConfigError::invalid(field, "needs a `title`"))?,
        )?;
        let body = get("body")
            .map(|b| Text::from_value(&format!("{field}.body"), b))
            .transpose()?;
        Ok(Notice {
            title,
            body,
            updated_at: time("updated_at")?,
            next_update_by: time("next_update_by")?,
            incident: crate::incident::Incident::from_fields(field, &f)?,
        })
    }

    /// The promised update time has passed.
    pub fn late(&self, now: Millis) -> bool {
        self.next_update_by.is_some_and(|t| now > t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::from_json;
    use serde_json::json;

    fn receipt(due: &str) -> Receipt {
        Receipt::new(
            "id-1",
            "ACME-7K2P9Q",
            "order",
            parse_iso("2026-11-23T09:00:00Z").unwrap(),
            parse_iso(due),
        )
    }

    #[test]
    fn verdicts() {
        let r = receipt("2026-11-23T11:00:00Z");
        let at = |s: &str| parse_iso(s).unwrap();
        assert_eq!(
            r.verdict(at("2026-11-23T10:17:00Z")),
            Verdict::DueIn(43 * 60_000)
        );
        assert_eq!(
            r.verdict(at("2026-11-23T11:12:00Z")),
            Verdict::Overdue(12 * 60_000)
        );
        let mut kept = r.clone();
        kept.apply_status(&from_json(
            json!({"status": "answered", "answered_at": "2026-11-23T10:48:00Z", "reply": "Fixed"}),
        ))
        .unwrap();
        assert_eq!(
            kept.verdict(at("2026-11-24T00:00:00Z")),
            Verdict::Kept(at("2026-11-23T10:48:00Z"))
        );
        assert_eq!(kept.reply.as_deref(), Some("Fixed"));
        // A status answer's due time (the backend's live promise) replaces the browser's.
        let mut wider = r.clone();
        wider
            .apply_status(&from_json(
                json!({"status": "received", "due_at": "2026-11-23T15:00:00Z"}),
            ))
            .unwrap();
        assert_eq!(wider.due_at.as_deref(), Some("2026-11-23T15:00:00Z"));
        wider
            .apply_status(&from_json(json!({"status": "received", "due_at": "later"})))
            .unwrap();
        assert_eq!(
            wider.due_at.as_deref(),
            Some("2026-11-23T15:00:00Z"),
            "not a time: kept"
        );
        let mut late = r.clone();
        late.apply_status(&from_json(
            json!({"status": "resolved", "answered_at": "2026-11-23T11:30:00+00:00"}),
        ))
        .unwrap();
        assert_eq!(
            late.verdict(0),
            Verdict::Late(at("2026-11-23T11:30:00Z"), 30 * 60_000)
        );
        assert!(!late.open());
        let mut wip = r.clone();
        wip.apply_status(&from_json(json!({"status": "in_progress"})))
            .unwrap();
        assert_eq!(
            wip.verdict(at("2026-11-23T12:00:00Z")),
            Verdict::Overdue(3_600_000)
        );
        assert_eq!(
            Receipt::new("i", "R", "c", 0, None).verdict(0),
            Verdict::NoPromise
        );
    }

    #[test]
    fn bad_status_answers_change_nothing() {
        let r = receipt("2026-11-23T11:00:00Z");
        for bad in [
            json!({"status": "done"}),
            json!({"status": "answered"}),
            json!({"status": "answered", "answered_at": "soon"}),
            json!("answered"),
            json!({}),
        ] {
            let mut x = r.clone();
            assert!(x.apply_status(&from_json(bad.clone())).is_err(), "{bad}");
            assert_eq!(x, r);
        }
    }

    #[test]
    fn receipts_round_trip_through_storage() {
        let mut r = receipt("2026-11-23T11:00:00Z");
        r.apply_status(&from_json(json!({"status": "answered", "answered_at": "2026-11-23T10:48:00Z", "reply": "<b>hi</b>"}))).unwrap();
        let stored: serde_json::Value =
            serde_json::from_str(&crate::json::ToJson::to_json(&r)).unwrap();
        assert_eq!(Receipt::from_value(&from_json(stored)).unwrap(), r);
        assert!(Receipt::from_value(&from_json(json!({"id": "x"}))).is_err());
    }

    #[test]
    fn remember_keeps_the_newest_and_drops_resolved_first() {
        let mut list = Vec::new();
        for i in 0..MAX_RECEIPTS + 5 {
            let mut r = Receipt::new(&format!("id-{i}"), "R", "c", i as i64, None);
            if i == 1 {
                r.status = Status::Resolved;
            }
            remember(&mut list, r);
        }
        assert_eq!(list.len(), MAX_RECEIPTS);
        assert_eq!(list[0].id, format!("id-{}", MAX_RECEIPTS + 4));
        assert!(
            !list.iter().any(|r| r.id == "id-1"),
            "the resolved one went first"
        );
        remember(&mut list, Receipt::new("id-10", "R2", "c", 0, None));
        assert_eq!(list.iter().filter(|r| r.id == "id-10").count(), 1);
    }

    #[test]
    fn track_record_shows_only_what_it_can_back() {
        let ok = TrackRecord::from_value(&from_json(
            json!({"window_days": 30, "kept_ratio": 0.97, "median_reply_minutes": 38, "total": 124}),
        ));
        assert_eq!(
            ok.map(|t| (t.window_days, t.median_reply_minutes, t.total)),
            Some((30, 38, 124))
        );
        for bad in [
            json!({"window_days": 30, "kept_ratio": 1.7, "median_reply_minutes": 38, "total": 124}),
            json!({"window_days": 30, "kept_ratio": 0.9, "median_reply_minutes": 38, "total": 0}),
            json!({"kept_ratio": 0.9}),
            json!("97%"),
        ] {
            assert_eq!(
                TrackRecord::from_value(&from_json(bad.clone())),
                None,
                "{bad}"
            );
        }
    }

    #[test]
    fn notices() {
        let n = Notice::from_value("notice", &from_json(json!({"title": "Charging outage in Berlin", "body": "We know.", "updated_at": "2026-11-23T14:05:00Z", "next_update_by": "2026-11-23T15:00:00Z"}))).unwrap();
        assert!(!n.late(parse_iso("2026-11-23T14:59:00Z").unwrap()));
        assert!(n.late(parse_iso("2026-11-23T15:01:00Z").unwrap()));
        let err = Notice::from_value("notice", &from_json(json!({"body": "x"}))).unwrap_err();
        assert_eq!(err.field(), Some("notice"));
        let err = Notice::from_value(
            "notice",
            &from_json(json!({"title": "t", "next_update_by": "15:00"})),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("notice.next_update_by"));
    }
}

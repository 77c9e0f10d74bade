//! Microsoft Teams: the body a Teams *Workflows* webhook ("When a Teams webhook request is
//! received" → "Post card in a chat or channel") takes — a `message` with one Adaptive Card
//! attachment — rendered from the same summary template and report values as the presets
//! in [`crate::backend`], with the same rules: only the message is cut to fit (marked
//! [`crate::backend::CUT`]), and nothing a visitor types can become markup that points
//! elsewhere (Adaptive Card text is Markdown: a zero-width space after every `]` of a
//! report value leaves no `[text](url)` link to parse).
//!
//! Used by the reference inbox's relay; the widget has no Teams preset (a Workflows URL is
//! a secret-bearing trigger, not for a page), so this costs the wasm nothing.
use crate::backend::{fill_by, fit, json_str, Body};
use crate::value::Value;

/// The largest body sent. Teams refuses messages over about 28 KB; the card's frame and
/// the link take well under 4 KB of it.
pub const TEAMS_MAX_TEXT_BYTES: usize = 24_000;

fn teams_value(v: &str, out: &mut String) {
    for c in v.chars() {
        out.push(c);
        if c == ']' {
            out.push('\u{200B}');
        }
    }
}

/// The Workflows webhook body: the summary (from `text_template`, each line its own
/// `TextBlock`, the first in bold) and, when `link` is given, an `Action.OpenUrl` button
/// titled `link_title`.
pub fn body(text_template: &str, report: &Value, link: Option<(&str, &str)>) -> Body {
    let plain = |v: &str, out: &mut String| out.push_str(v);
    let message = fill_by("{{message}}", report, None, &plain);
    let text = fit(
        &message,
        TEAMS_MAX_TEXT_BYTES,
        &|m| fill_by(text_template, report, Some(m), &teams_value),
        |s| json_str(s).len(),
    );
    let mut blocks = String::new();
    for (i, line) in text.lines().enumerate() {
        if !blocks.is_empty() {
            blocks.push(',');
        }
        let weight = if i == 0 { ",\"weight\":\"Bolder\"" } else { "" };
        blocks.push_str(&format!(
            "{{\"type\":\"TextBlock\",\"text\":\"{}\",\"wrap\":true{weight}}}",
            json_str(line)
        ));
    }
    let actions = match link {
        Some((title, url)) => format!(
            ",\"actions\":[{{\"type\":\"Action.OpenUrl\",\"title\":\"{}\",\"url\":\"{}\"}}]",
            json_str(title),
            json_str(url)
        ),
        None => String::new(),
    };
    Body {
        content_type: "application/json".into(),
        text: format!(
            "{{\"type\":\"message\",\"attachments\":[{{\"contentType\":\"application/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"content\":{{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":[{blocks}]{actions}}}}}]}}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(message: &str) -> Value {
        Value::Map(vec![
            ("reference".into(), Value::Str("ACME-1".into())),
            ("message".into(), Value::Str(message.into())),
        ])
    }

    #[test]
    fn a_card_with_one_block_per_line_and_no_visitor_links() {
        let b = body(
            "New report {{reference}}\n{{message}}",
            &report("see [here](https://evil.example) \"quoted\""),
            Some(("Open", "https://inbox.example/admin#r1")),
        );
        let v: serde_json::Value = serde_json::from_str(&b.text).expect("JSON");
        assert_eq!(v["type"], "message");
        let a = &v["attachments"][0];
        assert_eq!(a["contentType"], "application/vnd.microsoft.card.adaptive");
        assert!(a["contentUrl"].is_null());
        let card = &a["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["body"][0]["text"], "New report ACME-1");
        assert_eq!(card["body"][0]["weight"], "Bolder");
        let msg = card["body"][1]["text"].as_str().unwrap();
        assert!(msg.contains("]\u{200B}(https"), "{msg}");
        assert!(msg.contains("\"quoted\""));
        assert_eq!(card["actions"][0]["url"], "https://inbox.example/admin#r1");
    }

    #[test]
    fn a_long_message_is_cut_and_marked_but_the_rest_is_kept() {
        let long = "é".repeat(40_000);
        let b = body("{{message}}\nContact: {{reference}}", &report(&long), None);
        assert!(b.text.len() < 28_000, "{}", b.text.len());
        let v: serde_json::Value = serde_json::from_str(&b.text).expect("JSON");
        let blocks = v["attachments"][0]["content"]["body"].as_array().unwrap();
        assert!(blocks[0]["text"]
            .as_str()
            .unwrap()
            .ends_with(crate::backend::CUT));
        assert_eq!(blocks[1]["text"], "Contact: ACME-1");
    }
}

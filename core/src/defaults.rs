//! Every default and limit in one place, so the README, the validator and the UI agree.

/// The payload schema identifier sent as `schema` in every report.
pub const SCHEMA: &str = "reach-us/v1";
/// Longest message accepted, in Unicode scalar values (a CJK character or an emoji
/// made of one code point counts as one).
pub const MAX_MESSAGE_CHARS: u32 = 4000;
/// The largest `max_message_chars` a brand may configure.
pub const MAX_MESSAGE_CHARS_CEILING: u32 = 20_000;
/// Longest brand name accepted.
pub const MAX_BRAND_CHARS: usize = 60;
/// Longest email address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest phone number as typed, characters (digits, separators, `+`).
pub const MAX_PHONE_CHARS: usize = 40;
/// Phone numbers must carry this many digits at least...
pub const MIN_PHONE_DIGITS: usize = 6;
/// ...and at most this many (E.164 allows 15; extensions take a few more).
pub const MAX_PHONE_DIGITS: usize = 20;
/// Reference prefix used when the brand gives none usable.
pub const REFERENCE_PREFIX: &str = "RU";
/// Characters of the brand kept for the reference prefix.
pub const REFERENCE_PREFIX_CHARS: usize = 4;
/// Categories offered when the brand configures none (ids; labels come from i18n).
pub const CATEGORIES: [&str; 4] = ["problem", "question", "order", "other"];
/// Network timeout for one delivery attempt, in milliseconds.
pub const SEND_TIMEOUT_MS: u32 = 15_000;
/// Longest promise a brand may state (30 days), in minutes.
pub const MAX_PROMISE_MINUTES: u32 = 30 * 24 * 60;
/// Launcher and dialog distance from the viewport edges, CSS px.
pub const OFFSET_PX: u32 = 20;
/// The largest offset a brand may set, CSS px.
pub const MAX_OFFSET_PX: u32 = 400;
/// Stacking order of launcher and dialog: near the top of the 32-bit range, leaving
/// room above for a brand's own consent banners.
pub const Z_INDEX: i32 = 2_147_483_000;
/// Longest identity value (`name`, `email`, `user_id`, `user_hash`…), characters.
pub const MAX_IDENTITY_CHARS: usize = 256;
/// The brand colour when none is configured (white text on it: 6.6:1).
pub const COLOR: &str = "#1f4fd1";
/// Dialog corner radius, CSS px.
pub const RADIUS_PX: u32 = 12;
/// Most categories a brand may configure (a choice, not a catalogue; also keeps
/// validation bounded).
pub const MAX_CATEGORIES: usize = 50;
/// Longest page address, title or referrer sent with a report, characters (the widget
/// cuts longer ones; the reference inbox cuts, never refuses, what it is sent longer).
pub const MAX_PAGE_CHARS: usize = 2048;
/// Largest report body, bytes: what the widget's outbox stores per report and the
/// reference inbox accepts.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;
/// How long an undelivered report is retried, days.
pub const RETENTION_DAYS: u32 = 7;
/// Longest retention a brand may configure, days.
pub const MAX_RETENTION_DAYS: u32 = 30;
/// Shortest and longest attempt timeout a brand may configure, ms.
pub const TIMEOUT_MS_RANGE: (u32, u32) = (1_000, 120_000);
/// Largest dialog corner radius, px.
pub const MAX_RADIUS_PX: u32 = 64;
/// Most backends one config may deliver to.
pub const MAX_BACKENDS: usize = 8;
/// Longest category id, characters (`[a-z0-9_-]`).
pub const MAX_ID_CHARS: usize = 40;
/// How many receipts a browser keeps; the oldest resolved go first.
pub const MAX_RECEIPTS: usize = 50;
/// Longest team reply shown to the visitor, characters (the inbox refuses longer).
pub const MAX_REPLY_CHARS: usize = 4000;
/// Files a visitor may attach to one report (config `attachments.max_files`).
pub const MAX_FILES: u32 = 3;
/// The most `attachments.max_files` may allow.
pub const MAX_FILES_CEILING: u32 = 10;
/// Longest edge of an image after the browser re-encodes it, px.
pub const IMAGE_LONG_EDGE: u32 = 1600;
/// The largest `attachments.long_edge`, px.
pub const IMAGE_LONG_EDGE_CEILING: u32 = 4096;
/// Largest attached file after re-encoding, bytes.
pub const MAX_FILE_BYTES: u32 = 2_000_000;
/// Largest sum of one report's files, bytes.
pub const MAX_FILES_BYTES: u32 = 5_000_000;
/// The most `attachments.max_file_bytes` / `max_total_bytes` may allow, bytes; with the
/// report itself and the multipart framing, what the reference inbox accepts per request.
pub const MAX_FILES_BYTES_CEILING: u32 = 10_000_000;

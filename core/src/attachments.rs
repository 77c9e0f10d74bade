//! Attachments ("show us"): what a brand allows (the `attachments` config object and the
//! `data-max-files` attribute), what a visitor's file may be (images, re-encoded by the
//! browser; PDF recognised by its first bytes, never by its name), the limits per file and
//! per report, and how files are described in the `reach-us/v1` report (`attachments`, a
//! list of `{name, type, size}`, added only when there are files: a report without files
//! is byte for byte what it was before).
//!
//! Pure: the widget's `edge::files` decodes, downscales and re-encodes images with the
//! browser's own APIs and stores the blobs in IndexedDB (`edge::idb`); this module decides.
use crate::defaults;
use crate::error::ConfigError;
use crate::json::{self, Object};
use crate::value::{self, Value};

/// The encoding images are re-encoded to (which drops EXIF, GPS and every other
/// metadata block the original carried).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// `image/jpeg` (every browser encodes it).
    Jpeg,
    /// `image/webp` (smaller; Safari before 17 cannot encode it and falls back to PNG).
    Webp,
}

impl ImageFormat {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
        }
    }

    /// The file name extension.
    pub fn ext(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
        }
    }
}

/// The validated attachment policy (`Config::attachments`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Most files per report; 0 turns attachments off.
    pub max_files: u32,
    /// Longest edge of a re-encoded image, CSS px.
    pub long_edge: u32,
    /// Largest file, bytes, after re-encoding.
    pub max_file_bytes: u32,
    /// Largest sum of a report's files, bytes.
    pub max_total_bytes: u32,
    /// Images allowed.
    pub images: bool,
    /// PDF allowed.
    pub pdf: bool,
    /// What images are re-encoded to.
    pub format: ImageFormat,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_files: defaults::MAX_FILES,
            long_edge: defaults::IMAGE_LONG_EDGE,
            max_file_bytes: defaults::MAX_FILE_BYTES,
            max_total_bytes: defaults::MAX_FILES_BYTES,
            images: true,
            pdf: true,
            format: ImageFormat::Jpeg,
        }
    }
}

/// `attachments` as written (every member optional).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Raw {
    /// `max_files`.
    pub max_files: Option<u32>,
    /// `long_edge`.
    pub long_edge: Option<u32>,
    /// `max_file_bytes`.
    pub max_file_bytes: Option<u32>,
    /// `max_total_bytes`.
    pub max_total_bytes: Option<u32>,
    /// `types`.
    pub types: Option<Vec<String>>,
    /// `image_format`.
    pub image_format: Option<String>,
}

/// The members of the `attachments` object.
const MEMBERS: [&str; 6] = [
    "max_files",
    "long_edge",
    "max_file_bytes",
    "max_total_bytes",
    "types",
    "image_format",
];

impl Raw {
    /// Read `attachments` from an `init` object over what is there (member by member).
    pub fn apply(&mut self, v: &Value) -> Result<(), ConfigError> {
        let big = i64::from(u32::MAX);
        for (k, v) in value::object("attachments", v, &MEMBERS)? {
            let path = format!("attachments.{k}");
            match k {
                "max_files" => self.max_files = Some(value::integer(&path, v, 0, big)? as u32),
                "long_edge" => self.long_edge = Some(value::integer(&path, v, 0, big)? as u32),
                "max_file_bytes" => {
                    self.max_file_bytes = Some(value::integer(&path, v, 0, big)? as u32)
                }
                "max_total_bytes" => {
                    self.max_total_bytes = Some(value::integer(&path, v, 0, big)? as u32)
                }
                "types" => {
                    self.types = Some(
                        value::list(&path, v)?
                            .iter()
                            .enumerate()
                            .map(|(i, t)| value::string(&format!("{path}[{i}]"), t))
                            .collect::<Result<_, _>>()?,
                    )
                }
                _ => self.image_format = Some(value::string(&path, v)?),
            }
        }
        Ok(())
    }

    /// Validate into a [`Policy`]; every error names its member.
    pub fn resolve(&self) -> Result<Policy, ConfigError> {
        let d = Policy::default();
        let range = |field: &str, v: Option<u32>, default: u32, min: u32, max: u32| {
            let v = v.unwrap_or(default);
            if v < min || v > max {
                return Err(ConfigError::invalid(
                    field,
                    format!("must be between {min} and {max}"),
                ));
            }
            Ok(v)
        };
        let max_files = range(
            "attachments.max_files",
            self.max_files,
            d.max_files,
            0,
            defaults::MAX_FILES_CEILING,
        )?;
        let long_edge = range(
            "attachments.long_edge",
            self.long_edge,
            d.long_edge,
            320,
            defaults::IMAGE_LONG_EDGE_CEILING,
        )?;
        let max_file_bytes = range(
            "attachments.max_file_bytes",
            self.max_file_bytes,
            d.max_file_bytes,
            10_000,
            defaults::MAX_FILES_BYTES_CEILING,
        )?;
        let max_total_bytes = range(
            "attachments.max_total_bytes",
            self.max_total_bytes,
            d.max_total_bytes,
            max_file_bytes,
            defaults::MAX_FILES_BYTES_CEILING,
        )?;
        let (mut images, mut pdf) = (true, true);
        if let Some(types) = &self.types {
            images = false;
            pdf = false;
            for t in types {
                match t.as_str() {
                    "image" => images = true,
                    "pdf" => pdf = true,
                    other => {
                        return Err(ConfigError::invalid(
                            "attachments.types",
                            format!("has \"{other}\": use \"image\" and/or \"pdf\""),
                        ))
                    }
                }
            }
            if !images && !pdf {
                return Err(ConfigError::invalid(
                    "attachments.types",
                    "is empty: set attachments.max_files to 0 to turn attachments off",
                ));
            }
        }
        let format = match crate::config::keyword(
            "attachments.image_format",
            self.image_format.as_deref(),
            &["jpeg", "webp"],
        )? {
            0 => ImageFormat::Jpeg,
            _ => ImageFormat::Webp,
        };
        Ok(Policy {
            max_files,
            long_edge,
            max_file_bytes,
            max_total_bytes,
            images,
            pdf,
            format,
        })
    }
}

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Decoded as an image (and re-encoded).
    Image,
    /// Starts with `%PDF-`.
    Pdf,
}

/// Whether these first bytes are a PDF's (`%PDF-`), whatever the file is called.
pub fn is_pdf(head: &[u8]) -> bool {
    head.starts_with(b"%PDF-")
}

/// Why a file cannot be attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// There are `max_files` already.
    Count,
    /// Not an allowed type (not a decodable image, not a PDF).
    Type,
    /// Larger than `max_file_bytes` (after re-encoding).
    Size,
    /// The report's files would exceed `max_total_bytes`.
    Total,
    /// The browser could not read or decode it.
    Unreadable,
}

impl Policy {
    /// Whether attachments are on at all.
    pub fn on(&self) -> bool {
        self.max_files > 0
    }

    /// The `accept` attribute of the file input.
    pub fn accept(&self) -> &'static str {
        match (self.images, self.pdf) {
            (true, true) => "image/*,application/pdf",
            (true, false) => "image/*",
            _ => "application/pdf",
        }
    }

    /// Whether one more file may be picked when `count` are attached already.
    pub fn room(&self, count: usize) -> Result<(), Refusal> {
        if count >= self.max_files as usize {
            Err(Refusal::Count)
        } else {
            Ok(())
        }
    }

    /// Whether a prepared file of `size` bytes fits beside `others` (their sizes).
    pub fn admit(&self, kind: Kind, size: u64, others: &[u64]) -> Result<(), Refusal> {
        match kind {
            Kind::Image if !self.images => return Err(Refusal::Type),
            Kind::Pdf if !self.pdf => return Err(Refusal::Type),
            _ => {}
        }
        self.room(others.len())?;
        if size > u64::from(self.max_file_bytes) {
            return Err(Refusal::Size);
        }
        if others.iter().sum::<u64>() + size > u64::from(self.max_total_bytes) {
            return Err(Refusal::Total);
        }
        Ok(())
    }
}

/// Longest file name kept, characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A file name fit to show and send: the last path segment, without control, bidi-override
/// or invisible formatting characters, at most [`MAX_NAME_CHARS`], never empty. An image's
/// extension becomes the one it was re-encoded to (`IMG_1234.HEIC` → `IMG_1234.jpg`).
pub fn clean_name(name: &str, reencoded: Option<ImageFormat>) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut out: String = last
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .take(MAX_NAME_CHARS)
        .collect();
    let trimmed = out.trim().trim_start_matches('.').to_string();
    out = trimmed;
    if let Some(f) = reencoded {
        if let Some(dot) = out.rfind('.') {
            out.truncate(dot);
        }
        if out.is_empty() {
            out.push_str("image");
        }
        out.push('.');
        out.push_str(f.ext());
    } else if out.is_empty() {
        out.push_str("file");
    }
    out
}

/// Bidi controls, zero-width and other invisible formatting characters: in a file name they
/// disguise it (`a\u{202e}fdp.exe` shows as `aexe.pdf`).
fn invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0x061C)
}

/// One attached file as the report describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Cleaned file name.
    pub name: String,
    /// MIME type of what is sent (`image/jpeg`, `image/webp`, `application/pdf`).
    pub mime: String,
    /// Bytes sent.
    pub size: u64,
}

impl json::ToJson for Meta {
    fn to_json(&self) -> String {
        Object::new()
            .str("name", &self.name)
            .str("type", &self.mime)
            .int("size", self.size as i64)
            .done()
    }
}

/// The report body with its files described: `"attachments": [...]` added as the last
/// member (nothing changes without files). The body is what the outbox stores and sends
/// on every attempt, so the description is fixed at Send.
pub fn describe(body: &str, files: &[Meta]) -> String {
    if files.is_empty() || !body.ends_with('}') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + 64 * files.len());
    out.push_str(&body[..body.len() - 1]);
    out.push_str(",\"attachments\":");
    out.push_str(&json::array(files));
    out.push('}');
    out
}

/// Whether a stored body describes files. The key can only be ours: every `"` inside a
/// string value is written escaped (`\"`), so `"attachments":[` cannot come from a visitor.
pub fn described(body: &str) -> bool {
    body.contains("\"attachments\":[")
}

/// How many files a report (read back) describes.
pub fn count(report: &Value) -> usize {
    match report {
        Value::Map(m) => match m.iter().find(|(k, _)| k == "attachments") {
            Some((_, Value::List(l))) => l.len(),
            _ => 0,
        },
        _ => 0,
    }
}

/// The note sent with a report whose files could not all be delivered: `left` of `total`
/// left out (a backend that cannot carry files, or files lost in the visitor's browser).
pub fn note(left: usize, total: usize, lost: bool) -> String {
    if lost {
        format!("{left} of {total} attachments were lost in the visitor's browser before delivery")
    } else {
        format!("{left} of {total} attachments left out: this backend cannot carry files")
    }
}

/// A byte count for people: `820 B`, `340 KB`, `1.2 MB` (decimal units).
pub fn human_size(bytes: u64) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{} KB", (bytes + 500) / 1000)
    } else {
        let tenths = (bytes + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// The size of a re-encoded image whose long edge is at most `edge`: (width, height),
/// never upscaled, never 0.
pub fn fit(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = |v: u32| {
        ((u64::from(v) * u64::from(edge) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> Result<Policy, ConfigError> {
        let mut r = Raw::default();
        r.apply(&value::from_json(serde_json::from_str(json).unwrap()))?;
        r.resolve()
    }

    #[test]
    fn defaults_and_limits_name_their_member() {
        let p = raw("{}").unwrap();
        assert_eq!(p, Policy::default());
        assert_eq!(p.max_files, 3);
        assert!(p.on() && p.images && p.pdf);
        assert_eq!(p.accept(), "image/*,application/pdf");
        for (json, field) in [
            (r#"{"max_files": 11}"#, "attachments.max_files"),
            (r#"{"long_edge": 100}"#, "attachments.long_edge"),
            (r#"{"long_edge": 9000}"#, "attachments.long_edge"),
            (r#"{"max_file_bytes": 10}"#, "attachments.max_file_bytes"),
            (
                r#"{"max_file_bytes": 900000, "max_total_bytes": 800000}"#,
                "attachments.max_total_bytes",
            ),
            (
                r#"{"max_total_bytes": 99999999}"#,
                "attachments.max_total_bytes",
            ),
            (r#"{"types": ["exe"]}"#, "attachments.types"),
            (r#"{"types": []}"#, "attachments.types"),
            (r#"{"types": "image"}"#, "attachments.types"),
            (r#"{"image_format": "png"}"#, "attachments.image_format"),
            (r#"{"max_files": -1}"#, "attachments.max_files"),
            (r#"{"max_files": 1.5}"#, "attachments.max_files"),
        ] {
            let e = raw(json).unwrap_err();
            assert_eq!(e.field(), Some(field), "{json}: {e}");
        }
        assert!(matches!(
            raw(r#"{"colour": 1}"#),
            Err(ConfigError::Shape(_))
        ));
        let p = raw(r#"{"max_files": 0}"#).unwrap();
        assert!(!p.on());
        let p = raw(r#"{"types": ["pdf"], "image_format": "webp"}"#).unwrap();
        assert!(!p.images && p.pdf);
        assert_eq!(p.accept(), "application/pdf");
        assert_eq!(p.format.mime(), "image/webp");
    }

    #[test]
    fn pdf_is_recognised_by_content_not_name() {
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert!(!is_pdf(b"<html>%PDF-"));
        assert!(!is_pdf(b"%PD"));
        assert!(!is_pdf(b""));
    }

    #[test]
    fn limits_per_file_and_per_report() {
        let p = Policy {
            max_file_bytes: 100,
            max_total_bytes: 250,
            ..Policy::default()
        };
        assert_eq!(p.admit(Kind::Image, 100, &[]), Ok(()));
        assert_eq!(p.admit(Kind::Image, 101, &[]), Err(Refusal::Size));
        assert_eq!(p.admit(Kind::Pdf, 100, &[100]), Ok(()));
        assert_eq!(p.admit(Kind::Pdf, 100, &[100, 100]), Err(Refusal::Total));
        assert_eq!(p.admit(Kind::Pdf, 10, &[10, 10, 10]), Err(Refusal::Count));
        assert_eq!(p.room(2), Ok(()));
        assert_eq!(p.room(3), Err(Refusal::Count));
        let images_only = Policy {
            pdf: false,
            ..Policy::default()
        };
        assert_eq!(images_only.admit(Kind::Pdf, 10, &[]), Err(Refusal::Type));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            clean_name("IMG_1234.HEIC", Some(ImageFormat::Jpeg)),
            "IMG_1234.jpg"
        );
        assert_eq!(
            clean_name("C:\\Users\\x\\shot.png", Some(ImageFormat::Webp)),
            "shot.webp"
        );
        assert_eq!(clean_name("../../etc/passwd", None), "passwd");
        assert_eq!(clean_name("a\u{202e}fdp.exe", None), "afdp.exe");
        assert_eq!(clean_name("bad\u{0}\nname.pdf", None), "badname.pdf");
        assert_eq!(clean_name("", None), "file");
        assert_eq!(clean_name(".pdf", Some(ImageFormat::Jpeg)), "pdf.jpg");
        assert_eq!(clean_name("...", Some(ImageFormat::Jpeg)), "image.jpg");
        assert_eq!(
            clean_name(&"x".repeat(500), None).chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn the_body_describes_its_files_and_is_unchanged_without() {
        let body = r#"{"schema":"reach-us/v1","message":"\"attachments\":[ typed"}"#;
        assert!(!described(body));
        assert_eq!(describe(body, &[]), body);
        let files = [Meta {
            name: "door \"1\".jpg".into(),
            mime: "image/jpeg".into(),
            size: 12345,
        }];
        let out = describe(body, &files);
        assert!(described(&out));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["attachments"][0]["name"], "door \"1\".jpg");
        assert_eq!(v["attachments"][0]["size"], 12345);
        assert_eq!(v["message"], "\"attachments\":[ typed");
        assert_eq!(count(&value::from_json(v)), 1);
    }

    #[test]
    fn sizes_and_fit() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(340_400), "340 KB");
        assert_eq!(human_size(1_249_999), "1.2 MB");
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(10000, 1, 1600), (1600, 1));
        assert_eq!(
            note(2, 3, true),
            "2 of 3 attachments were lost in the visitor's browser before delivery"
        );
    }
}

//! Locale negotiation: the first candidate (config `locale`, then the page's `lang`, then
//! `navigator.languages`) that a shipped table serves, by exact tag, then by script or
//! region family, then by language. English when nothing matches.
use super::LOCALES;

/// The well-formed part of a language tag as pages write them, or None: `en_US`,
/// `en_US.UTF-8` and `de_DE@euro` (POSIX locales) give `en-US` and `de-DE`; `en-`, `zh-@`
/// give `en` and `zh`. Kept: the language (2–3 or 5–8 letters), then a script (4 letters)
/// and a region (2 letters or 3 digits) if present; the rest (variants, extensions, and
/// whatever is not well-formed) is dropped, so `Intl` never sees a tag it would refuse
/// with a `RangeError`.
pub fn clean_tag(tag: &str) -> Option<String> {
    let tag = tag.trim();
    let tag = &tag[..tag.find(['.', '@']).unwrap_or(tag.len())];
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next()?;
    if !matches!(lang.len(), 2 | 3 | 5..=8) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = lang.to_string();
    let mut next = parts.next();
    if let Some(script) =
        next.filter(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        out.push('-');
        out.push_str(script);
        next = parts.next();
    }
    if let Some(region) = next.filter(|p| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    }) {
        out.push('-');
        out.push_str(region);
    }
    Some(out)
}

fn canonical(tag: &str) -> String {
    clean_tag(tag).unwrap_or_default().to_ascii_lowercase()
}

/// Map one BCP 47 tag to a shipped locale, if any serves it.
fn serve(tag: &str) -> Option<&'static str> {
    let t = canonical(tag);
    if t.is_empty() {
        return None;
    }
    if let Some(l) = LOCALES.iter().find(|l| l.to_ascii_lowercase() == t) {
        return Some(l);
    }
    let mut parts = t.split('-');
    let lang = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    if lang == "zh" {
        let traditional = rest
            .iter()
            .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
        let want = if traditional { "zh-TW" } else { "zh-CN" };
        // A traditional-Chinese reader is better served by simplified than by English.
        return LOCALES
            .iter()
            .find(|l| **l == want)
            .or_else(|| LOCALES.iter().find(|l| l.starts_with("zh")))
            .copied();
    }
    LOCALES
        .iter()
        .find(|l| {
            l.split('-')
                .next()
                .is_some_and(|x| x.eq_ignore_ascii_case(lang))
        })
        .copied()
}

/// The tag to format dates and numbers with: the first candidate in the table's language
/// that names a region or script (a page in `en` read by a browser set to `en-GB` gets
/// English tables and British dates), else the first in that language, else the table's.
pub fn format_locale<'a>(
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    table: &str,
) -> String {
    let lang = table
        .split('-')
        .next()
        .unwrap_or(table)
        .to_ascii_lowercase();
    let same = |c: &&str| {
        let c = canonical(c);
        c.split('-').next() == Some(lang.as_str())
            && (lang != "zh" || serve(&c) == Some(table_static(table)))
    };
    let specific = |c: &&str| same(c) && c.contains(['-', '_']);
    let pick = candidates
        .clone()
        .into_iter()
        .find(specific)
        .or_else(|| candidates.into_iter().find(same));
    pick.and_then(clean_tag)
        .unwrap_or_else(|| table.to_string())
}

fn table_static(table: &str) -> &'static str {
    LOCALES
        .iter()
        .find(|l| **l == table)
        .copied()
        .unwrap_or(LOCALES[0])
}

/// Pick the locale for a visitor from candidates in priority order.
pub fn negotiate<'a>(candidates: impl IntoIterator<Item = &'a str>) -> &'static str {
    candidates.into_iter().find_map(serve).unwrap_or(LOCALES[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_first_served_candidate() {
        assert_eq!(negotiate(["zh-CN"]), "zh-CN");
        assert_eq!(negotiate(["zh"]), "zh-CN");
        assert_eq!(negotiate(["zh_Hans_SG"]), "zh-CN");
        assert_eq!(negotiate(["", "xx", "ZH-cn"]), "zh-CN");
        assert_eq!(negotiate(["en-GB", "zh-CN"]), "en");
        assert_eq!(negotiate(["tlh"]), "en");
        assert_eq!(negotiate(["pt"]), "pt-BR");
        assert_eq!(negotiate(["pt-PT"]), "pt-BR");
        assert_eq!(negotiate(["ar-EG"]), "ar");
        assert_eq!(negotiate(["de-AT"]), "de");
        assert_eq!(negotiate(["ja-JP"]), "ja");
        assert_eq!(negotiate(["es-419"]), "es");
        assert_eq!(negotiate([]), "en");
    }

    #[test]
    fn dates_use_the_visitors_region() {
        assert_eq!(format_locale(["en-GB", "fr"], "en"), "en-GB");
        assert_eq!(format_locale(["fr", "en_AU"], "en"), "en-AU");
        assert_eq!(format_locale(["de"], "en"), "en");
        assert_eq!(format_locale(["zh-SG"], "zh-CN"), "zh-SG");
        assert_eq!(format_locale(["en", "en-GB"], "en"), "en-GB");
        assert_eq!(format_locale(["en", "fr-FR"], "en"), "en");
    }

    #[test]
    fn malformed_tags_fall_back_along_the_chain() {
        assert_eq!(clean_tag("en-").as_deref(), Some("en"));
        assert_eq!(clean_tag("en_US.UTF-8").as_deref(), Some("en-US"));
        assert_eq!(clean_tag("de_DE@euro").as_deref(), Some("de-DE"));
        assert_eq!(clean_tag("zh-@").as_deref(), Some("zh"));
        assert_eq!(clean_tag("zh-Hant-TW-x-").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(clean_tag("de-1996-1996").as_deref(), Some("de"));
        assert_eq!(clean_tag("es-419").as_deref(), Some("es-419"));
        for bad in [
            "",
            "-",
            "@",
            "e",
            "x-klingon",
            "1en",
            "en US",
            "ünï",
            "abcd",
        ] {
            assert_eq!(clean_tag(bad), None, "{bad}");
        }
        // Never a malformed tag for Intl, whatever the page's lang says.
        assert_eq!(format_locale(["en-"], "en"), "en");
        assert_eq!(format_locale(["en_US.UTF-8"], "en"), "en-US");
        assert_eq!(format_locale(["zh-@"], "zh-CN"), "zh");
        assert_eq!(format_locale(["en-GB-", "fr"], "en"), "en-GB");
        // A broken tag serves nothing: the next candidate decides.
        assert_eq!(negotiate(["@@", "de"]), "de");
        assert_eq!(negotiate(["zh-@", "de"]), "zh-CN");
    }

    #[test]
    fn traditional_chinese_never_falls_to_english() {
        assert_eq!(negotiate(["zh-Hant-TW"]), "zh-TW");
        assert_eq!(negotiate(["zh-HK"]), "zh-TW");
        assert_eq!(negotiate(["zh-Hans"]), "zh-CN");
    }

    #[test]
    fn the_ten_locales_ship() {
        for l in [
            "en", "zh-CN", "zh-TW", "ja", "ko", "es", "fr", "de", "pt-BR", "ar",
        ] {
            assert!(LOCALES.contains(&l), "{l} missing");
        }
    }
}

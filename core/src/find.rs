//! Substring search and replace without `core`'s Two-Way searcher (`str::find(&str)`,
//! `contains(&str)`, `replace(&str, …)`, `trim_*_matches(&str)` all pull it in: 2.5 KiB of
//! wasm). The widget's needles are 2–4 bytes long in strings of a few KiB at most, where a
//! plain scan is as fast.

/// The byte offset of the first `needle` in `hay` (an empty needle is at 0).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    // A match of valid UTF-8 in valid UTF-8 always starts on a character boundary.
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// `hay` split around its first `needle`, like `str::split_once`.
///
/// This module slices with `str::get`, never `s[a..b]`: an index that can panic links
/// core's slice-error message (with `char`'s `Debug` and the Unicode printable tables,
/// about 1.5 KiB of wasm). The index here is always a boundary, so the `?`s never fire.
pub fn split<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((hay.get(..i)?, hay.get(i + needle.len()..)?))
}

/// `hay` with every `needle` replaced by `with` (left to right, not overlapping).
pub fn replace(hay: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some((before, after)) = split(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(before);
        out.push_str(with);
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_replace_agree_with_std() {
        for (hay, needle) in [
            ("a{{b}}c", "{{"),
            ("a{{b}}c", "}}"),
            ("x", "{{"),
            ("", ".."),
            ("a..b", ".."),
            ("ééé{id}é", "{id}"),
            ("abc", ""),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
            if !needle.is_empty() {
                assert_eq!(
                    replace(hay, needle, "<>"),
                    hay.replace(needle, "<>"),
                    "{hay:?} {needle:?}"
                );
            }
        }
        assert_eq!(replace("/s/{id}/{id}", "{id}", "R-1"), "/s/R-1/R-1");
    }
}

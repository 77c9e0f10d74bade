//! Config → the CSS custom properties the widget's stylesheet reads: placement (offsets,
//! stacking), the brand colour with text colours that keep WCAG AA contrast (4.5:1), the
//! corner radius and the font. Rendered from validated numbers and colours only, so
//! nothing a page writes can inject CSS. The loader's facade writes the same placement.

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#1f4fd1` or `#15d`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let h = s.trim().strip_prefix('#')?;
        let hex = |x: &str| u8::from_str_radix(x, 16).ok();
        match h.len() {
            6 => Some(Rgb(
                hex(h.get(0..2)?)?,
                hex(h.get(2..4)?)?,
                hex(h.get(4..6)?)?,
            )),
            3 => {
                let d = |i: usize| hex(h.get(i..i + 1)?).map(|v| v * 17);
                Some(Rgb(d(0)?, d(1)?, d(2)?))
            }
            _ => None,
        }
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let c = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                pow_2_4((s + 0.055) / 1.055)
            }
        };
        0.2126 * c(self.0) + 0.7152 * c(self.1) + 0.0722 * c(self.2)
    }

    /// Mix toward `other` by `t` (0–1).
    fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// WCAG contrast ratio between two colours (1–21).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (x, y) = (a.luminance(), b.luminance());
    let (hi, lo) = if x > y { (x, y) } else { (y, x) };
    (hi + 0.05) / (lo + 0.05)
}

/// WCAG AA for normal text.
pub const AA: f64 = 4.5;
/// The light theme's background.
pub const LIGHT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
/// The dark theme's background.
pub const DARK_BG: Rgb = Rgb(0x1b, 0x1e, 0x24);
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const INK: Rgb = Rgb(0x11, 0x14, 0x18);

/// The smallest step toward `toward` that reaches `ratio` against `against`.
fn shift_until(c: Rgb, toward: Rgb, against: Rgb, ratio: f64) -> Rgb {
    (0..=40)
        .map(|i| c.mix(toward, f64::from(i) / 40.0))
        .find(|x| contrast(*x, against) >= ratio)
        .unwrap_or(toward)
}

/// The colours derived from a brand colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// Button background (the brand colour, darkened only if no text colour reaches AA on it).
    pub accent: Rgb,
    /// Text on `accent`.
    pub on_accent: Rgb,
    /// The brand colour as text or outline on the light background.
    pub accent_on_light: Rgb,
    /// The brand colour as text or outline on the dark background.
    pub accent_on_dark: Rgb,
    /// True when the brand colour had to be adjusted to reach AA.
    pub adjusted: bool,
}

/// Derive readable pairs from a brand colour.
pub fn palette(brand: Rgb) -> Palette {
    let (white, ink) = (contrast(WHITE, brand), contrast(INK, brand));
    let (accent, on_accent, adjusted) = if white >= AA {
        (brand, WHITE, false)
    } else if ink >= AA {
        (brand, INK, false)
    } else {
        // Neither reaches AA: darken the brand colour until white text does.
        (shift_until(brand, INK, WHITE, AA), WHITE, true)
    };
    let accent_on_light = shift_until(brand, INK, LIGHT_BG, AA);
    let accent_on_dark = shift_until(brand, WHITE, DARK_BG, AA);
    Palette {
        accent,
        on_accent,
        accent_on_light,
        accent_on_dark,
        adjusted: adjusted || accent_on_light != brand,
    }
}

/// What the stylesheet needs of a config: numbers and a colour, nothing a brand could
/// turn into CSS syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Distance from the side edge, px.
    pub offset_x: u32,
    /// Distance from the bottom edge, px.
    pub offset_y: u32,
    /// Stacking order.
    pub z_index: i32,
    /// Brand colour.
    pub color: Rgb,
    /// Dialog corner radius, px.
    pub radius: u32,
    /// Use the host page's font.
    pub font_inherit: bool,
}

/// The custom-property rule for a look.
pub fn css(config: Look) -> String {
    let p = palette(config.color);
    let mut s = format!(
        ".ru-root{{--ru-x:{}px;--ru-y:{}px;--ru-z:{};--ru-accent:{};--ru-on-accent:{};--ru-accent-text:{};--ru-accent-text-dark:{};--ru-radius:{}px",
        config.offset_x,
        config.offset_y,
        config.z_index,
        p.accent.hex(),
        p.on_accent.hex(),
        p.accent_on_light.hex(),
        p.accent_on_dark.hex(),
        config.radius
    );
    if config.font_inherit {
        s.push_str(";--ru-font:inherit");
    }
    s.push('}');
    s
}

/// `x^2.4` for `x` in (0, 1], without libm's `pow` (2 KiB of wasm for this one call):
/// `x² · x^0.4`, where `x^0.4` is the product of the repeated square roots `x^(2^-i)` for
/// the binary digits of 0.4 (0.0110 0110 …), 24 of them: the exponent is off by < 1e-7.
fn pow_2_4(x: f64) -> f64 {
    const DIGITS: u32 = 0x66_6666; // 0.4 in 24 binary digits
    let (mut root, mut acc) = (x, 1.0);
    for i in (0..24).rev() {
        root = root.sqrt();
        if DIGITS >> i & 1 == 1 {
            acc *= root;
        }
    }
    x * x * acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pow_2_4_matches_powf() {
        for v in 11..=255u8 {
            let x = (f64::from(v) / 255.0 + 0.055) / 1.055;
            let (got, want) = (pow_2_4(x), x.powf(2.4));
            assert!((got - want).abs() <= want * 1e-6, "{v}: {got} vs {want}");
        }
    }
    use crate::config::{Config, RawConfig};

    #[test]
    fn contrast_matches_wcag() {
        assert!((contrast(WHITE, Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        assert!((contrast(WHITE, Rgb::parse("#767676").unwrap()) - 4.54).abs() < 0.01);
    }

    #[test]
    fn every_brand_colour_gets_readable_pairs() {
        for hex in [
            "#1f4fd1", "#ffcc00", "#00ff00", "#777777", "#ff0000", "#000", "#fff", "#0a7",
            "#e91e63", "#8e8e8e",
        ] {
            let p = palette(Rgb::parse(hex).unwrap());
            assert!(contrast(p.accent, p.on_accent) >= AA, "{hex}: button text");
            assert!(
                contrast(p.accent_on_light, LIGHT_BG) >= AA,
                "{hex}: on light"
            );
            assert!(contrast(p.accent_on_dark, DARK_BG) >= AA, "{hex}: on dark");
        }
        // A brand colour that passes is kept as is.
        let p = palette(Rgb::parse("#1f4fd1").unwrap());
        assert_eq!(
            (p.accent, p.adjusted),
            (Rgb::parse("#1f4fd1").unwrap(), false)
        );
        // A light grey takes ink text on the button, kept as is; as text on the light
        // background it is too pale and is darkened: adjusted.
        let grey = Rgb::parse("#8e8e8e").unwrap();
        assert!(contrast(WHITE, grey) < AA && contrast(INK, grey) >= AA);
        let p = palette(grey);
        assert_eq!((p.accent, p.on_accent), (grey, INK));
        assert_ne!(p.accent_on_light, grey);
        assert!(p.adjusted);
        // Mid grey fails with both white and ink: the button itself is darkened until
        // white text reaches AA, and only just (one step less would not).
        let mid = Rgb::parse("#777777").unwrap();
        assert!(contrast(WHITE, mid) < AA && contrast(INK, mid) < AA);
        let p = palette(mid);
        assert!(p.adjusted);
        assert_ne!(p.accent, mid);
        assert_eq!(p.on_accent, WHITE);
        assert!(contrast(p.accent, WHITE) >= AA);
        assert!(
            contrast(p.accent, INK) < contrast(mid, INK),
            "darkened, not lightened"
        );
    }

    #[test]
    fn css_from_numbers_and_colours_only() {
        let (raw, _) = RawConfig::from_attributes([
            ("endpoint", "/r"),
            ("offset-y", "96"),
            ("z-index", "10"),
            ("color", "#ffcc00"),
            ("radius", "4"),
        ])
        .unwrap();
        let c = Config::from_raw(raw).unwrap();
        let css = css(c.look());
        assert!(css.starts_with(".ru-root{--ru-x:20px;--ru-y:96px;--ru-z:10;--ru-accent:#ffcc00;--ru-on-accent:#111418;"), "{css}");
        assert!(css.contains("--ru-radius:4px"), "{css}");
        assert!(RawConfig::from_attributes([
            ("endpoint", "/r"),
            ("offset-y", "1px;}*{display:none")
        ])
        .is_err());
        let (raw, _) =
            RawConfig::from_attributes([("endpoint", "/r"), ("color", "red;}*{x:y")]).unwrap();
        assert_eq!(Config::from_raw(raw).unwrap_err().field(), Some("color"));
    }
}

//! The placement rule (offsets and stacking) as CSS custom properties, from validated
//! numbers only, so nothing a page writes can inject CSS. The loader's facade writes the
//! same three properties.
use crate::config::Config;

/// `.ru-root{--ru-x:20px;--ru-y:20px;--ru-z:2147483000}`
pub fn css(config: &Config) -> String {
    format!(".ru-root{{--ru-x:{}px;--ru-y:{}px;--ru-z:{}}}", config.offset_x, config.offset_y, config.z_index)
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, RawConfig};

    #[test]
    fn numbers_only() {
        let (raw, _) = RawConfig::from_attributes([("endpoint", "/r"), ("offset-y", "96"), ("z-index", "10")]).unwrap();
        assert_eq!(super::css(&Config::from_raw(raw).unwrap()), ".ru-root{--ru-x:20px;--ru-y:96px;--ru-z:10}");
        assert!(RawConfig::from_attributes([("endpoint", "/r"), ("offset-y", "1px;}*{display:none")]).is_err());
    }
}

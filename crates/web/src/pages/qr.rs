//! QR codes as inline SVG (a channel's code URL, a TOTP enrolment's
//! otpauth URL): drawn here, nothing fetched.

use qrcode::QrCode;
use qrcode::render::svg;

/// `data` as an SVG QR code with an accessible name; `None` if it is too
/// long for one.
pub fn svg(data: &str, label: &str) -> Option<String> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer's own markup, with a role and name for screen readers.
    let label = askama::filters::escape(label, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default();
    Some(image.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_url_becomes_an_svg_with_its_label_escaped() {
        let svg = svg("weixin://wxpay/bizpayurl?pr=abc", "Scan <to> pay").unwrap();
        assert!(
            svg.contains("<svg role=\"img\" aria-label=\"Scan &#60;to&#62; pay\""),
            "{svg}"
        );
        assert!(!svg.contains("<script"));
        assert!(super::svg(&"x".repeat(8000), "too long").is_none());
    }
}

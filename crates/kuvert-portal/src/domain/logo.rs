//! A sender's uploaded logo, checked before it is stored (issue 13 §1): an SVG is parsed
//! (no DTD, bounded) and written out again with only an allow-list of shape elements and
//! presentation attributes — no script, no `style`, no event handler, no link, no external
//! reference (`url(#…)` to the logo's own gradients only); a PNG must carry the PNG signature
//! and an `IHDR` within the pixel bound. Both are bounded in bytes.

use kuvert_core::brand::LogoMediaType;
use kuvert_core::limits::{LOGO_BYTES_MAX, LOGO_PNG_PIXELS_MAX, LOGO_SVG_ELEMENTS_MAX};

/// Why an upload is not a usable logo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LogoError {
    /// Empty or over [`LOGO_BYTES_MAX`].
    #[error("logo has {bytes} bytes but must have 1 to {max}")]
    Size { bytes: usize, max: usize },
    /// Neither an SVG nor a PNG.
    #[error("logo is neither SVG nor PNG")]
    Format,
    /// An SVG that does not parse, or whose root is not `svg`.
    #[error("SVG logo does not parse: {0}")]
    Svg(String),
    /// A PNG larger than [`LOGO_PNG_PIXELS_MAX`] in either direction, or without its header.
    #[error("PNG logo header is missing or its size is beyond {max} pixels")]
    PngSize { max: u32 },
}

/// A logo ready to store: its type and checked bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedLogo {
    pub(crate) media_type: LogoMediaType,
    pub(crate) bytes: Vec<u8>,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Elements an SVG logo may hold; anything else is dropped with its content.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "title",
    "desc",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "text",
    "tspan",
];

/// Attributes kept; everything else (`style`, `on…`, `href`, `xlink:href`, …) is dropped.
const ATTRIBUTES: &[&str] = &[
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "fill",
    "fill-opacity",
    "fill-rule",
    "clip-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "opacity",
    "transform",
    "id",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "preserveAspectRatio",
    "role",
    "aria-label",
    "fx",
    "fy",
    "dx",
    "dy",
];

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

/// Checks an upload: a PNG by its signature, anything else as SVG.
pub(crate) fn check_logo(bytes: &[u8]) -> Result<CheckedLogo, LogoError> {
    if bytes.is_empty() || bytes.len() > LOGO_BYTES_MAX {
        return Err(LogoError::Size {
            bytes: bytes.len(),
            max: LOGO_BYTES_MAX,
        });
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        check_png(bytes)?;
        return Ok(CheckedLogo {
            media_type: LogoMediaType::Png,
            bytes: bytes.to_vec(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| LogoError::Format)?;
    Ok(CheckedLogo {
        media_type: LogoMediaType::Svg,
        bytes: sanitise_svg(text)?.into_bytes(),
    })
}

/// The IHDR chunk follows the signature: length 13, `IHDR`, width and height (big-endian).
fn check_png(bytes: &[u8]) -> Result<(), LogoError> {
    let refused = LogoError::PngSize {
        max: LOGO_PNG_PIXELS_MAX,
    };
    let header = bytes.get(8..24).ok_or(refused.clone())?;
    if &header[4..8] != b"IHDR" {
        return Err(refused);
    }
    let number = |range: std::ops::Range<usize>| {
        header
            .get(range)
            .and_then(|slice| <[u8; 4]>::try_from(slice).ok())
            .map_or(0, u32::from_be_bytes)
    };
    let (width, height) = (number(8..12), number(12..16));
    let within = 1..=LOGO_PNG_PIXELS_MAX;
    if within.contains(&width) && within.contains(&height) {
        Ok(())
    } else {
        Err(refused)
    }
}

/// Parses `text` and writes out only the allowed elements and attributes.
pub(crate) fn sanitise_svg(text: &str) -> Result<String, LogoError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: u32::try_from(LOGO_SVG_ELEMENTS_MAX * 4).unwrap_or(u32::MAX),
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)
        .map_err(|error| LogoError::Svg(error.to_string()))?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NAMESPACE) {
        return Err(LogoError::Svg("the root element is not svg".to_owned()));
    }
    let mut output = String::with_capacity(text.len());
    let mut elements = 0;
    write_element(root, &mut output, &mut elements)?;
    Ok(output)
}

fn write_element(
    node: roxmltree::Node<'_, '_>,
    output: &mut String,
    elements: &mut usize,
) -> Result<(), LogoError> {
    *elements += 1;
    if *elements > LOGO_SVG_ELEMENTS_MAX {
        return Err(LogoError::Svg("too many elements".to_owned()));
    }
    let name = node.tag_name().name();
    output.push('<');
    output.push_str(name);
    if name == "svg" && node.parent_element().is_none() {
        output.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
    }
    for attribute in node.attributes() {
        let is_allowed = attribute.namespace().is_none()
            && ATTRIBUTES.contains(&attribute.name())
            && is_safe_value(attribute.value());
        if is_allowed {
            output.push(' ');
            output.push_str(attribute.name());
            output.push_str("=\"");
            output.push_str(&escape(attribute.value()));
            output.push('"');
        }
    }
    output.push('>');
    for child in node.children() {
        if child.is_text() {
            output.push_str(&escape(child.text().unwrap_or_default()));
        } else if child.is_element()
            && child.tag_name().namespace() == Some(SVG_NAMESPACE)
            && ELEMENTS.contains(&child.tag_name().name())
        {
            write_element(child, output, elements)?;
        }
    }
    output.push_str("</");
    output.push_str(name);
    output.push('>');
    Ok(())
}

/// No reference out of the logo: `url(` only as `url(#id)`, and nothing that names a scheme.
fn is_safe_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let urls_local = lower
        .match_indices("url(")
        .all(|(index, _)| lower[index + 4..].trim_start().starts_with('#'));
    urls_local && !lower.contains("javascript:") && !lower.contains("data:")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests;

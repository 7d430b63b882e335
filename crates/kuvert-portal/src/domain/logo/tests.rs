//! The logo check: what an uploaded SVG keeps and loses, and which uploads are refused.

use super::*;

const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" \
    onload=\"alert(1)\"><script>alert(2)</script><title>Kommun</title>\
    <rect width=\"10\" height=\"10\" fill=\"url(#g)\" style=\"x\"/>\
    <a href=\"javascript:alert(3)\"><circle r=\"2\"/></a>\
    <image href=\"https://tracker.example/x.png\"/>\
    <path d=\"M0 0L1 1\" fill=\"url(https://tracker.example/#x)\"/></svg>";

#[test]
fn sanitise_svg_keeps_shapes_and_drops_script_handlers_links_and_outside_references() {
    let clean = sanitise_svg(SVG).unwrap();
    assert_eq!(
        clean,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><title>Kommun</title>\
         <rect width=\"10\" height=\"10\" fill=\"url(#g)\"></rect><path d=\"M0 0L1 1\"></path>\
         </svg>"
    );
}

#[test]
fn check_logo_refuses_a_dtd_a_foreign_root_and_an_oversized_png() {
    let with_dtd = "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    assert!(matches!(
        check_logo(with_dtd.as_bytes()),
        Err(LogoError::Svg(_))
    ));
    let html = "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>";
    assert!(matches!(
        check_logo(html.as_bytes()),
        Err(LogoError::Svg(_))
    ));
    assert!(matches!(check_logo(b""), Err(LogoError::Size { .. })));
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend([0, 0, 0, 13]);
    png.extend(b"IHDR");
    png.extend(5_000_u32.to_be_bytes());
    png.extend(10_u32.to_be_bytes());
    assert!(matches!(check_logo(&png), Err(LogoError::PngSize { .. })));
    png[16..20].copy_from_slice(&100_u32.to_be_bytes());
    assert_eq!(check_logo(&png).unwrap().media_type, LogoMediaType::Png);
}

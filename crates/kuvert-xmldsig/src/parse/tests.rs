//! Unit tests for the bounded parser.

use super::{ParseError, ParseLimits, parse_document, parse_document_with};

#[test]
fn parse_document_accepts_namespaced_xml() {
    let document = parse_document("<a xmlns=\"urn:x\"><b/></a>").unwrap();
    assert_eq!(
        document.root_element().tag_name().namespace(),
        Some("urn:x")
    );
}

#[test]
fn parse_document_rejects_doctype_with_entities() {
    let xml = "<!DOCTYPE a [<!ENTITY e \"boom\">]><a>&e;</a>";
    assert_eq!(parse_document(xml).unwrap_err(), ParseError::Doctype);
}

#[test]
fn parse_document_rejects_empty_doctype() {
    assert_eq!(
        parse_document("<!DOCTYPE a><a/>").unwrap_err(),
        ParseError::Doctype
    );
}

#[test]
fn parse_document_rejects_oversized_input() {
    let limits = ParseLimits {
        bytes_max: 10,
        ..ParseLimits::default()
    };
    let error = parse_document_with("<a>0123456789</a>", &limits).unwrap_err();
    assert_eq!(error, ParseError::TooLarge { bytes: 17, max: 10 });
}

#[test]
fn parse_document_rejects_deep_nesting() {
    let limits = ParseLimits {
        depth_max: 3,
        ..ParseLimits::default()
    };
    assert!(parse_document_with("<a><b><c/></b></a>", &limits).is_ok());
    let error = parse_document_with("<a><b><c><d/></c></b></a>", &limits).unwrap_err();
    assert_eq!(error, ParseError::TooDeep { depth: 4, max: 3 });
}

#[test]
fn parse_document_rejects_too_many_nodes() {
    let limits = ParseLimits {
        nodes_max: 5,
        ..ParseLimits::default()
    };
    let error = parse_document_with("<a><b/><b/><b/><b/><b/><b/></a>", &limits).unwrap_err();
    assert_eq!(error, ParseError::TooManyNodes { max: 5 });
}

#[test]
fn parse_document_reports_position_of_malformed_xml() {
    let error = parse_document("<a>\n<b></a>").unwrap_err();
    assert!(
        matches!(error, ParseError::Malformed { line: 2, .. }),
        "{error:?}"
    );
}

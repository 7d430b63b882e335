//! Unit tests of the ordered child reader.

use super::*;
use crate::error::WireError;

fn document(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap()
}

#[test]
fn children_read_by_expanded_name_whatever_the_prefix() {
    let xml = "<r xmlns:p=\"urn:a\"><p:x>1</p:x><y xmlns=\"urn:a\">2</y></r>";
    let document = document(xml);
    let mut children = Children::new(document.root_element(), "r").unwrap();
    assert_eq!(children.text("urn:a", "x").unwrap(), "1");
    assert_eq!(children.text("urn:a", "y").unwrap(), "2");
    children.finish().unwrap();
}

#[test]
fn children_reject_out_of_order_and_leftover_elements() {
    let document = document("<r><b/><a/></r>");
    let mut children = Children::new(document.root_element(), "r").unwrap();
    let error = children.one("", "a").unwrap_err();
    assert!(matches!(error, WireError::MissingElement { ref path } if path == "r/a"));
    let error = children.finish().unwrap_err();
    assert!(matches!(error, WireError::UnexpectedElement { ref name, .. } if name == "b"));
}

#[test]
fn children_bound_repetitions_and_reject_mixed_text() {
    let document_many = document("<r><a/><a/><a/></r>");
    let mut children = Children::new(document_many.root_element(), "r").unwrap();
    let error = children.many("", "a", 2).unwrap_err();
    assert!(matches!(
        error,
        WireError::TooMany {
            count: 3,
            max: 2,
            ..
        }
    ));
    let mixed = document("<r>text<a/></r>");
    assert!(matches!(
        Children::new(mixed.root_element(), "r"),
        Err(WireError::InvalidValue { .. })
    ));
}

#[test]
fn booleans_follow_xs_boolean() {
    assert_eq!(parse_boolean("1"), Ok(true));
    assert_eq!(parse_boolean("false"), Ok(false));
    assert!(parse_boolean("yes").is_err());
}

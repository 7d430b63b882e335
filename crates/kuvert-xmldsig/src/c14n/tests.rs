//! Unit tests for the canonical writer: expected bytes come from lxml (libxml2) for the plain
//! view and from PROTOCOL.md §9.2 for the Mina meddelanden views.

use super::{View, exclusive};

#[track_caller]
fn check(xml: &str, element_idx: usize, prefixes: &[&str], expected: &str) {
    let document = roxmltree::Document::parse(xml).unwrap();
    let element = document
        .descendants()
        .filter(|node| node.is_element())
        .nth(element_idx);
    let actual = exclusive(element.unwrap(), prefixes);
    assert_eq!(String::from_utf8(actual).unwrap(), expected);
}

#[test]
fn exclusive_matches_lxml_on_small_cases() {
    check(
        concat!(
            r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b">"#,
            r#"<a:c b:x="1" y="&quot;&#9;&#10;&lt;&gt;&amp;"/>"#,
            r#"<d>t&lt;&gt;&amp;&#13;</d></a:r>"#
        ),
        0,
        &[],
        concat!(
            r#"<a:r xmlns:a="urn:a"><a:c xmlns:b="urn:b" y="&quot;&#x9;&#xA;&lt;>&amp;" b:x="1">"#,
            r#"</a:c><d>t&lt;&gt;&amp;&#xD;</d></a:r>"#
        ),
    );
    check(
        r#"<r xmlns="urn:d"><x xmlns=""><y/></x><z xmlns="urn:d"/></r>"#,
        0,
        &[],
        r#"<r xmlns="urn:d"><x xmlns=""><y></y></x><z></z></r>"#,
    );
    check(r#"<r xmlns="urn:d"><x xmlns=""/></r>"#, 1, &[], "<x></x>");
    check(
        r#"<p:r xmlns:p="urn:p" xmlns:q="urn:q"><p:c/><q:c/></p:r>"#,
        1,
        &["q"],
        r#"<p:c xmlns:p="urn:p" xmlns:q="urn:q"></p:c>"#,
    );
    check(
        r#"<r xmlns:a="urn:a"><?pi  data ?><!-- c --><a:e b="2" a:a="1" c="3"/></r>"#,
        0,
        &[],
        r#"<r><?pi data ?><a:e xmlns:a="urn:a" b="2" c="3" a:a="1"></a:e></r>"#,
    );
}

#[test]
fn prefix_free_view_declares_default_namespace_where_it_changes() {
    let xml = r#"<p:A xmlns:p="urn:a" xmlns:q="urn:b"><p:B><q:C>x</q:C><D/></p:B></p:A>"#;
    let document = roxmltree::Document::parse(xml).unwrap();
    let bytes = View::new(document.root_element()).prefix_free().to_vec();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        r#"<A xmlns="urn:a"><B><C xmlns="urn:b">x</C><D xmlns=""></D></B></A>"#
    );
}

#[test]
fn renamed_apex_without_signature_and_whitespace() {
    let xml = "<w:W xmlns:w=\"urn:w\" xmlns:m=\"urn:m\">\n <m:D>t</m:D>\n <S/>\n</w:W>";
    let document = roxmltree::Document::parse(xml).unwrap();
    let root = document.root_element();
    let signature = root.children().find(|node| node.has_tag_name("S")).unwrap();
    let view = View::new(root)
        .prefix_free()
        .with_apex_name("urn:m", "Sealed")
        .excluding(signature);
    assert_eq!(
        String::from_utf8(view.to_vec()).unwrap(),
        "<Sealed xmlns=\"urn:m\">\n <D>t</D>\n \n</Sealed>"
    );
    let compact = view.without_whitespace_text();
    assert_eq!(
        String::from_utf8(compact.to_vec()).unwrap(),
        "<Sealed xmlns=\"urn:m\"><D>t</D></Sealed>"
    );
}

#[test]
fn digest_equals_digest_of_canonical_bytes() {
    let body = "x".repeat(40_000);
    let xml = format!("<r a=\"1\"><b>{body}</b><c>&amp;{body}</c></r>");
    let document = roxmltree::Document::parse(&xml).unwrap();
    let view = View::new(document.root_element());
    let algorithm = &aws_lc_rs::digest::SHA256;
    let expected = aws_lc_rs::digest::digest(algorithm, &view.to_vec());
    assert_eq!(view.digest(algorithm).as_ref(), expected.as_ref());
}

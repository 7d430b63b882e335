//! Unit tests of the prefix-free writer.

use super::Writer;

#[test]
fn writer_declares_a_namespace_only_where_it_changes() {
    let mut writer = Writer::new();
    writer.start("urn:a", "Root");
    writer.leaf("urn:a", "Same", "1");
    writer.start("urn:b", "Other");
    writer.leaf("urn:b", "Inner", "2");
    writer.end();
    writer.leaf("", "unqualified", "3");
    writer.end();
    assert_eq!(
        writer.finish(),
        "<Root xmlns=\"urn:a\"><Same>1</Same><Other xmlns=\"urn:b\"><Inner>2</Inner></Other>\
         <unqualified xmlns=\"\">3</unqualified></Root>"
    );
}

#[test]
fn writer_escapes_text_and_attributes_as_exclusive_c14n_does() {
    let mut writer = Writer::new();
    writer.start_with_id("urn:a", "Root", Some("a\"<&>\t"));
    writer.text("<&>\"\r\n");
    writer.end();
    assert_eq!(
        writer.finish(),
        "<Root xmlns=\"urn:a\" Id=\"a&quot;&lt;&amp;>&#x9;\">&lt;&amp;&gt;\"&#xD;\n</Root>"
    );
}

#[test]
fn writer_writes_empty_leaves_as_start_and_end_tags() {
    let mut writer = Writer::new();
    writer.leaf("urn:a", "InternalServiceAdress", "");
    assert_eq!(
        writer.finish(),
        "<InternalServiceAdress xmlns=\"urn:a\"></InternalServiceAdress>"
    );
}

//! A PDF attachment read as a document, not only by its first bytes: lopdf parses it (every
//! stream bounded by `PDF_STREAM_INFLATED_BYTES_MAX`, the cross-reference table repaired as
//! readers repair it), then what a recipient's reader would stumble on is named.

use kuvert_core::limits::{PDF_OBJECT_DEPTH_MAX, PDF_STREAM_INFLATED_BYTES_MAX};
use lopdf::{Document, LoadOptions, Object};

/// What is wrong with `bytes` as a letter's PDF attachment; empty when nothing is.
pub(super) fn problems(bytes: &[u8]) -> Vec<String> {
    if !bytes.starts_with(b"%PDF-") {
        return vec!["does not start with %PDF-: not a PDF file (application/pdf)".to_owned()];
    }
    let options = LoadOptions {
        max_decompressed_size: Some(PDF_STREAM_INFLATED_BYTES_MAX),
        ..LoadOptions::default()
    };
    let document = match Document::load_mem_with_options(bytes, options) {
        Ok(document) => document,
        Err(error) => return vec![format!("is not a well-formed PDF: {error}")],
    };
    let mut problems = Vec::new();
    if document.is_encrypted() {
        problems.push("is encrypted: the recipient cannot open it without a password".to_owned());
    }
    if document.catalog().is_err() {
        problems.push("has no document catalog: readers cannot open it".to_owned());
    } else if document.get_pages().is_empty() {
        problems.push("has no pages".to_owned());
    }
    if has_javascript(&document) {
        problems.push(
            "holds JavaScript, which mailbox readers block: print it to a plain PDF".to_owned(),
        );
    }
    problems
}

/// Whether any object is, or holds, a JavaScript action or names JavaScript (`/JS`,
/// `/JavaScript`); an object nested past `PDF_OBJECT_DEPTH_MAX` counts as suspect too.
fn has_javascript(document: &Document) -> bool {
    document
        .objects
        .values()
        .any(|object| holds_javascript(object, 0))
}

fn holds_javascript(object: &Object, depth: usize) -> bool {
    if depth > PDF_OBJECT_DEPTH_MAX {
        return true;
    }
    let dictionary = match object {
        Object::Dictionary(dictionary) => dictionary,
        Object::Stream(stream) => &stream.dict,
        Object::Array(items) => {
            return items.iter().any(|item| holds_javascript(item, depth + 1));
        }
        _ => return false,
    };
    let is_action = matches!(dictionary.get(b"S"), Ok(Object::Name(name)) if name == b"JavaScript");
    is_action
        || dictionary.has(b"JS")
        || dictionary.has(b"JavaScript")
        || dictionary
            .iter()
            .any(|(_, value)| holds_javascript(value, depth + 1))
}

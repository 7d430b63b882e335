//! The one way Kuvert parses XML it did not write: roxmltree with DTDs refused and explicit
//! bounds on bytes, nodes and depth (STYLE.md §7, "parsers get explicit options").
//!
//! A document that passes here is namespace-well-formed, has no DOCTYPE (so no entity
//! expansion of any kind), is at most [`ParseLimits::bytes_max`] long, has at most
//! [`ParseLimits::nodes_max`] nodes and nests elements at most [`ParseLimits::depth_max`] deep.

use kuvert_core::limits::{ENVELOPE_BYTES_DEFAULT_MAX, XML_DEPTH_MAX, XML_NODES_MAX};
use roxmltree::{Document, ParsingOptions};

/// Bounds applied while parsing. [`ParseLimits::default`] uses `kuvert_core::limits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Largest accepted input in bytes (default: the protocol's 2 MB envelope bound).
    pub bytes_max: u64,
    /// Most nodes (elements, attributes, text, comments, PIs) roxmltree may create.
    pub nodes_max: u32,
    /// Deepest accepted element nesting; the document element is at depth 1.
    pub depth_max: u32,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            bytes_max: ENVELOPE_BYTES_DEFAULT_MAX,
            nodes_max: XML_NODES_MAX,
            depth_max: XML_DEPTH_MAX,
        }
    }
}

/// Why a text was refused as XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text has a DOCTYPE (or an entity definition or expansion loop), which Kuvert never
    /// accepts: it is the door to entity expansion and external entity attacks.
    #[error("XML document type declarations and entities are not accepted")]
    Doctype,
    /// The text is longer than the bound.
    #[error("XML document is {bytes} bytes, more than the {max} allowed")]
    TooLarge {
        /// Length of the text.
        bytes: u64,
        /// The bound.
        max: u64,
    },
    /// Elements nest deeper than the bound.
    #[error("XML elements nest {depth} deep, more than the {max} allowed")]
    TooDeep {
        /// The first depth found beyond the bound.
        depth: u32,
        /// The bound.
        max: u32,
    },
    /// The document has more nodes (or attributes or namespaces) than the bound.
    #[error("XML document has more than {max} nodes")]
    TooManyNodes {
        /// The bound.
        max: u32,
    },
    /// The text is not namespace-well-formed XML.
    #[error("XML is malformed at line {line}, column {column}: {reason}")]
    Malformed {
        /// One-based line of the problem.
        line: u32,
        /// One-based column of the problem.
        column: u32,
        /// roxmltree's description.
        reason: String,
    },
}

/// Parses `xml` with the default [`ParseLimits`].
pub fn parse_document(xml: &str) -> Result<Document<'_>, ParseError> {
    parse_document_with(xml, &ParseLimits::default())
}

/// Parses `xml` with explicit limits (an operator's configured envelope bound, say).
pub fn parse_document_with<'input>(
    xml: &'input str,
    limits: &ParseLimits,
) -> Result<Document<'input>, ParseError> {
    let bytes = u64::try_from(xml.len()).unwrap_or(u64::MAX);
    if bytes > limits.bytes_max {
        return Err(ParseError::TooLarge {
            bytes,
            max: limits.bytes_max,
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.nodes_max,
        entity_resolver: None,
    };
    let document =
        Document::parse_with_options(xml, options).map_err(|error| map_error(&error, limits))?;
    // roxmltree accepts an empty `<!DOCTYPE x>` even with DTDs off; we do not.
    let prolog_end = document.root_element().range().start;
    if xml
        .get(..prolog_end)
        .is_some_and(|prolog| prolog.contains("<!DOCTYPE"))
    {
        return Err(ParseError::Doctype);
    }
    check_depth(&document, limits.depth_max)?;
    Ok(document)
}

fn map_error(error: &roxmltree::Error, limits: &ParseLimits) -> ParseError {
    use roxmltree::Error;
    match error {
        Error::DtdDetected | Error::EntityReferenceLoop(_) => ParseError::Doctype,
        Error::NodesLimitReached
        | Error::AttributesLimitReached
        | Error::NamespacesLimitReached => ParseError::TooManyNodes {
            max: limits.nodes_max,
        },
        other => {
            let position = other.pos();
            ParseError::Malformed {
                line: position.row,
                column: position.col,
                reason: other.to_string(),
            }
        }
    }
}

/// Walks the elements once without recursion, tracking the nesting depth.
fn check_depth(document: &Document<'_>, depth_max: u32) -> Result<(), ParseError> {
    let root = document.root();
    let mut node = root;
    let mut depth: u32 = 0;
    loop {
        if let Some(child) = node.first_element_child() {
            node = child;
            depth += 1;
            if depth > depth_max {
                return Err(ParseError::TooDeep {
                    depth,
                    max: depth_max,
                });
            }
            continue;
        }
        loop {
            if node == root {
                return Ok(());
            }
            if let Some(next) = node.next_sibling_element() {
                node = next;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => return Ok(()),
            }
            depth -= 1;
        }
    }
}

#[cfg(test)]
mod tests;

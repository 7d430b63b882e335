//! Strict, ordered reading of an element's children by expanded name.
//!
//! [`Children`] walks the child elements of one node in XSD sequence order: each call consumes
//! the next child if it has the asked-for namespace and local name, and [`Children::finish`]
//! rejects anything left over. Prefixes never matter, only expanded names (PROTOCOL.md §9.2
//! quirk 1), so `ns2:Id` and `<Id xmlns="…">` read the same.

use roxmltree::Node;

use crate::error::WireError;

/// A cursor over the child elements of one element, in document order.
#[derive(Debug)]
pub struct Children<'a, 'input> {
    path: String,
    elements: Vec<Node<'a, 'input>>,
    next_idx: usize,
}

impl<'a, 'input> Children<'a, 'input> {
    /// The children of `node`, whose path (for error messages) is `path`.
    ///
    /// # Errors
    /// [`WireError::InvalidValue`] when the element mixes text into element-only content.
    pub fn new(node: Node<'a, 'input>, path: &str) -> Result<Self, WireError> {
        let has_text = node
            .children()
            .any(|child| child.is_text() && !child.text().unwrap_or("").trim().is_empty());
        if has_text {
            return Err(invalid(path, "text where only elements are allowed"));
        }
        Ok(Self {
            path: path.to_owned(),
            elements: node.children().filter(Node::is_element).collect(),
            next_idx: 0,
        })
    }

    /// The path of the element whose children these are.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of child `name` (for error messages).
    #[must_use]
    pub fn child_path(&self, name: &str) -> String {
        format!("{}/{name}", self.path)
    }

    /// Consumes the next child if it is `{namespace}name`.
    pub fn opt(&mut self, namespace: &str, name: &str) -> Option<Node<'a, 'input>> {
        let node = *self.elements.get(self.next_idx)?;
        let tag = node.tag_name();
        let is_match = tag.name() == name && tag.namespace().unwrap_or("") == namespace;
        if is_match {
            self.next_idx += 1;
            Some(node)
        } else {
            None
        }
    }

    /// Consumes the next child whatever its name (an `xs:any` wildcard).
    pub fn opt_any(&mut self) -> Option<Node<'a, 'input>> {
        let node = *self.elements.get(self.next_idx)?;
        self.next_idx += 1;
        Some(node)
    }

    /// Consumes consecutive children outside `namespace` (`xs:any namespace="##other"`).
    pub fn skip_foreign(&mut self, namespace: &str) {
        while let Some(node) = self.elements.get(self.next_idx) {
            if node.tag_name().namespace().unwrap_or("") == namespace {
                break;
            }
            self.next_idx += 1;
        }
    }

    /// Consumes the next child, which must be `{namespace}name`.
    ///
    /// # Errors
    /// [`WireError::MissingElement`] when the next child is another element or there is none.
    pub fn one(&mut self, namespace: &str, name: &str) -> Result<Node<'a, 'input>, WireError> {
        self.opt(namespace, name)
            .ok_or_else(|| WireError::MissingElement {
                path: self.child_path(name),
            })
    }

    /// Consumes every consecutive `{namespace}name` child, at most `max` of them.
    ///
    /// # Errors
    /// [`WireError::TooMany`] when more than `max` follow.
    pub fn many(
        &mut self,
        namespace: &str,
        name: &str,
        max: usize,
    ) -> Result<Vec<Node<'a, 'input>>, WireError> {
        let mut nodes = Vec::new();
        while let Some(node) = self.opt(namespace, name) {
            nodes.push(node);
        }
        if nodes.len() > max {
            return Err(WireError::TooMany {
                path: self.child_path(name),
                count: nodes.len(),
                max,
            });
        }
        Ok(nodes)
    }

    /// Like [`Children::many`], but at least one is required.
    ///
    /// # Errors
    /// As [`Children::many`], and [`WireError::MissingElement`] when there is none.
    pub fn at_least_one(
        &mut self,
        namespace: &str,
        name: &str,
        max: usize,
    ) -> Result<Vec<Node<'a, 'input>>, WireError> {
        let nodes = self.many(namespace, name, max)?;
        if nodes.is_empty() {
            return Err(WireError::MissingElement {
                path: self.child_path(name),
            });
        }
        Ok(nodes)
    }

    /// Required leaf text.
    ///
    /// # Errors
    /// As [`Children::one`], or [`WireError::InvalidValue`] when the leaf has child elements.
    pub fn text(&mut self, namespace: &str, name: &str) -> Result<String, WireError> {
        let node = self.one(namespace, name)?;
        self.leaf(node, name)
    }

    /// Optional leaf text.
    ///
    /// # Errors
    /// [`WireError::InvalidValue`] when the leaf has child elements.
    pub fn opt_text(&mut self, namespace: &str, name: &str) -> Result<Option<String>, WireError> {
        match self.opt(namespace, name) {
            Some(node) => self.leaf(node, name).map(Some),
            None => Ok(None),
        }
    }

    /// Required leaf converted by `parse` (whose error text becomes the reason).
    ///
    /// # Errors
    /// As [`Children::text`], or [`WireError::InvalidValue`] when `parse` fails.
    pub fn value<T, E: std::fmt::Display>(
        &mut self,
        namespace: &str,
        name: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<T, WireError> {
        let text = self.text(namespace, name)?;
        parse(text.trim()).map_err(|error| invalid(&self.child_path(name), error))
    }

    /// Optional leaf converted by `parse`.
    ///
    /// # Errors
    /// As [`Children::value`].
    pub fn opt_value<T, E: std::fmt::Display>(
        &mut self,
        namespace: &str,
        name: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, WireError> {
        match self.opt_text(namespace, name)? {
            Some(text) => parse(text.trim())
                .map(Some)
                .map_err(|error| invalid(&self.child_path(name), error)),
            None => Ok(None),
        }
    }

    /// Repeated leaves converted by `parse`, at most `max`.
    ///
    /// # Errors
    /// As [`Children::many`] and [`Children::value`].
    pub fn values<T, E: std::fmt::Display>(
        &mut self,
        namespace: &str,
        name: &str,
        max: usize,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<T>, WireError> {
        let nodes = self.many(namespace, name, max)?;
        let mut values = Vec::with_capacity(nodes.len());
        for (idx, node) in nodes.into_iter().enumerate() {
            // The path is written only for an error: most calls read a thousand good ids.
            let path = || format!("{}/{name}[{}]", self.path, idx + 1);
            if has_child_element(node) {
                return Err(invalid(&path(), CHILD_ELEMENTS_IN_LEAF));
            }
            let text = joined_text(node);
            values.push(parse(text.trim()).map_err(|error| invalid(&path(), error))?);
        }
        Ok(values)
    }

    /// Required `xs:boolean` leaf.
    ///
    /// # Errors
    /// As [`Children::value`].
    pub fn boolean(&mut self, namespace: &str, name: &str) -> Result<bool, WireError> {
        self.value(namespace, name, parse_boolean)
    }

    /// Required complex child read by `read`, which gets the child's own [`Children`].
    ///
    /// # Errors
    /// As [`Children::one`], whatever `read` returns, and leftovers inside the child.
    pub fn nested<T>(
        &mut self,
        namespace: &str,
        name: &str,
        read: impl Fn(&mut Children<'a, 'input>) -> Result<T, WireError>,
    ) -> Result<T, WireError> {
        let node = self.one(namespace, name)?;
        read_complex(node, &self.child_path(name), read)
    }

    /// Optional complex child.
    ///
    /// # Errors
    /// As [`Children::nested`].
    pub fn opt_nested<T>(
        &mut self,
        namespace: &str,
        name: &str,
        read: impl Fn(&mut Children<'a, 'input>) -> Result<T, WireError>,
    ) -> Result<Option<T>, WireError> {
        match self.opt(namespace, name) {
            Some(node) => read_complex(node, &self.child_path(name), read).map(Some),
            None => Ok(None),
        }
    }

    /// Repeated complex children, `min..=max` of them.
    ///
    /// # Errors
    /// As [`Children::many`] and [`Children::nested`].
    pub fn many_nested<T>(
        &mut self,
        namespace: &str,
        name: &str,
        (min, max): (usize, usize),
        read: impl Fn(&mut Children<'a, 'input>) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        let nodes = self.many(namespace, name, max)?;
        if nodes.len() < min {
            return Err(WireError::MissingElement {
                path: self.child_path(name),
            });
        }
        let mut items = Vec::with_capacity(nodes.len());
        for (idx, node) in nodes.into_iter().enumerate() {
            let path = format!("{}/{name}[{}]", self.path, idx + 1);
            items.push(read_complex(node, &path, &read)?);
        }
        Ok(items)
    }

    /// The text of leaf `node`, the child `name`; its path is written only for an error.
    fn leaf(&self, node: Node<'_, '_>, name: &str) -> Result<String, WireError> {
        if has_child_element(node) {
            return Err(invalid(&self.child_path(name), CHILD_ELEMENTS_IN_LEAF));
        }
        Ok(joined_text(node))
    }

    /// Rejects any child not consumed.
    ///
    /// # Errors
    /// [`WireError::UnexpectedElement`] naming the first leftover child.
    pub fn finish(&self) -> Result<(), WireError> {
        match self.elements.get(self.next_idx) {
            None => Ok(()),
            Some(node) => Err(WireError::UnexpectedElement {
                path: self.path.clone(),
                namespace: node.tag_name().namespace().unwrap_or("").to_owned(),
                name: node.tag_name().name().to_owned(),
            }),
        }
    }
}

/// Reads a complex element through `read` and checks nothing is left over.
///
/// # Errors
/// Whatever `read` returns, and [`WireError::UnexpectedElement`] for leftovers.
pub fn read_complex<'a, 'input, T>(
    node: Node<'a, 'input>,
    path: &str,
    read: impl Fn(&mut Children<'a, 'input>) -> Result<T, WireError>,
) -> Result<T, WireError> {
    let mut children = Children::new(node, path)?;
    let value = read(&mut children)?;
    children.finish()?;
    Ok(value)
}

/// The text of a leaf element (all its text children joined; empty when it has none).
///
/// # Errors
/// [`WireError::InvalidValue`] when the element has child elements.
pub fn leaf_text(node: Node<'_, '_>, path: &str) -> Result<String, WireError> {
    if has_child_element(node) {
        return Err(invalid(path, CHILD_ELEMENTS_IN_LEAF));
    }
    Ok(joined_text(node))
}

/// Why a leaf with child elements is rejected.
const CHILD_ELEMENTS_IN_LEAF: &str = "child elements where text is expected";

fn has_child_element(node: Node<'_, '_>) -> bool {
    node.children().any(|child| child.is_element())
}

/// All text children of `node` joined (empty when it has none).
fn joined_text(node: Node<'_, '_>) -> String {
    node.children().filter_map(|child| child.text()).collect()
}

/// An [`WireError::InvalidValue`] at `path`.
pub(crate) fn invalid(path: &str, reason: impl std::fmt::Display) -> WireError {
    WireError::InvalidValue {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// `xs:boolean`: `true`, `false`, `1`, `0`.
///
/// # Errors
/// A reason when the text is none of those.
pub fn parse_boolean(text: &str) -> Result<bool, &'static str> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err("not an xs:boolean (true, false, 1, 0)"),
    }
}

#[cfg(test)]
mod tests;

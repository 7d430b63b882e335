#!/usr/bin/env python3
"""Exclusive C14N 1.0 (without comments) oracle: libxml2 through lxml.

Used by crates/kuvert-xmldsig/tests/it/c14n_oracle.rs to check kuvert_xmldsig::c14n::exclusive
byte for byte against an independent implementation.

Two modes:

* Batch (no arguments): reads requests from stdin, one per line,
  ``PATH<TAB>ELEMENT_INDEX<TAB>PREFIXES[<TAB>MODE]`` where ELEMENT_INDEX counts elements in
  document order (0 = the document element), PREFIXES is a space-separated InclusiveNamespaces
  PrefixList (may be empty) and MODE is ``exclusive`` (the default) or ``prefix-free``.
  Writes one line per request: the base64 of the canonical bytes, or ``ERROR <message>``.
  One process serves the whole corpus.

``prefix-free`` is the Mina meddelanden signing form (PROTOCOL.md §9.2 quirk 1, the
Skatteverket library's ``removeXmlNsPrefixes``): the subtree is rebuilt with every element
unprefixed, declaring its namespace as the default namespace, without ``xmlns:*`` for elements
(subtrees with namespaced attributes other than ``xml:`` are refused with an ERROR), and
then canonicalized with exclusive C14N.
* Single: ``c14n.py FILE [ELEMENT_INDEX [PREFIX ...]]`` writes the canonical bytes to stdout.
"""

import base64
import sys

from lxml import etree

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False
)
_DOCUMENTS = {}


def elements(path):
    """All elements of the document at PATH in document order (cached per path)."""
    if path not in _DOCUMENTS:
        root = etree.parse(path, _PARSER).getroot()
        _DOCUMENTS[path] = [node for node in root.iter() if isinstance(node.tag, str)]
    return _DOCUMENTS[path]


def canonical(path, element_index, prefixes):
    element = elements(path)[element_index]
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=prefixes or None,
    )


XML_NS = "http://www.w3.org/XML/1998/namespace"


def prefix_free_text(element, parent_namespace=""):
    """ELEMENT's subtree as text with every element unprefixed (``removeXmlNsPrefixes``).

    Built as text, not as an lxml tree: libxml2 C14N decides ``xmlns=""`` from declarations,
    and a tree built in memory has none. Namespaced attributes (other than ``xml:``) are
    refused, because lxml does not keep which of several prefixes an attribute used.
    """
    name = etree.QName(element)
    namespace = name.namespace or ""
    parts = ["<", name.localname]
    if namespace != parent_namespace:
        parts.append(f' xmlns="{escape_attribute(namespace)}"')
    for attribute, value in element.attrib.items():
        attribute_name = etree.QName(attribute)
        if attribute_name.namespace == XML_NS:
            qualified = "xml:" + attribute_name.localname
        elif attribute_name.namespace:
            raise ValueError("namespaced attributes are out of scope for prefix-free")
        else:
            qualified = attribute_name.localname
        parts.append(f' {qualified}="{escape_attribute(value)}"')
    parts.append(">")
    parts.append(escape_text(element.text or ""))
    for child in element:
        if isinstance(child.tag, str):
            parts.append(prefix_free_text(child, namespace))
        elif child.tag is etree.PI:
            parts.append(f"<?{child.target} {child.text or ''}?>")
        parts.append(escape_text(child.tail or ""))
    parts.append(f"</{name.localname}>")
    return "".join(parts)


def escape_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\r", "&#13;"
    )


def escape_attribute(value):
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), ('"', "&quot;"), ("\t", "&#9;"),
                         ("\n", "&#10;"), ("\r", "&#13;")):
        value = value.replace(raw, escaped)
    return value


def prefix_free(path, element_index):
    text = prefix_free_text(elements(path)[element_index])
    element = etree.fromstring(text.encode("utf-8"), _PARSER)
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def batch():
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        try:
            path, index, prefixes, *mode = line.split("\t")
            if mode == ["prefix-free"]:
                result = prefix_free(path, int(index))
            else:
                result = canonical(path, int(index), prefixes.split())
            out.write(base64.b64encode(result).decode("ascii") + "\n")
        except Exception as error:  # report per request; the caller fails the test
            out.write("ERROR " + repr(error).replace("\n", " ") + "\n")
        out.flush()


def main(argv):
    if len(argv) == 1:
        batch()
        return 0
    path = argv[1]
    index = int(argv[2]) if len(argv) > 2 else 0
    sys.stdout.buffer.write(canonical(path, index, argv[3:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

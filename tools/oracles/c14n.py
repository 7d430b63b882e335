#!/usr/bin/env python3
"""Exclusive C14N 1.0 (without comments) oracle: libxml2 through lxml.

Used by crates/kuvert-xmldsig/tests/it/c14n_oracle.rs to check kuvert_xmldsig::c14n::exclusive
byte for byte against an independent implementation.

Two modes:

* Batch (no arguments): reads requests from stdin, one per line,
  ``PATH<TAB>ELEMENT_INDEX<TAB>PREFIXES`` where ELEMENT_INDEX counts elements in document order
  (0 = the document element) and PREFIXES is a space-separated InclusiveNamespaces PrefixList
  (may be empty). Writes one line per request: the base64 of the canonical bytes, or
  ``ERROR <message>``. One process serves the whole corpus.
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


def batch():
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        try:
            path, index, prefixes = line.split("\t")
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

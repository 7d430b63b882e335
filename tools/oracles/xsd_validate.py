#!/usr/bin/env python3
"""Validate SOAP 1.1 envelopes against the Mina meddelanden XSDs (PROTOCOL.md §2.3, §3).

Usage: xsd_validate.py SCHEMA_DIR ENVELOPE...

SCHEMA_DIR is the v3 contract tree (the directory holding the five WSDLs and `schema/`,
e.g. mm-schemas/SUNET-eduid-mm-service/src/main/resources/META-INF/wsdl). For each envelope
the Body's single child is validated against the schema of its namespace; for a soap:Fault the
child of `detail` is validated instead. Authority's wrapper elements live in a schema inline
in `Authority.wsdl`; it is paired with that tree's (older) `schema/Authority.xsd`, as
PROTOCOL.md §4 says. One process validates every file given, printing `OK <file>` or
`FAIL <file>: <reason>` per file; the exit status is 1 when any file failed.
"""

import os
import re
import sys
import xml.etree.ElementTree as ElementTree

import xmlschema

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
AUTHORITY = "http://minameddelanden.gov.se/Authority"

SCHEMA_FILES = {
    "http://minameddelanden.gov.se/schema/Recipient/v3": "schema/v3/Recipient.xsd",
    "http://minameddelanden.gov.se/schema/Recipient/v2": "schema/v2/Recipient.xsd",
    "http://minameddelanden.gov.se/schema/Service/v3": "schema/v3/Service.xsd",
    "http://minameddelanden.gov.se/schema/Message/v3": "schema/v3/Message.xsd",
    "http://minameddelanden.gov.se/schema/Notification/v3": "schema/v3/Notification.xsd",
    "http://minameddelanden.gov.se/schema/Common/v3": "schema/v3/Common.xsd",
}


class Schemas:
    """Loads each schema once, on first use."""

    def __init__(self, schema_dir):
        self.schema_dir = schema_dir
        self.loaded = {}

    def for_namespace(self, namespace):
        if namespace not in self.loaded:
            self.loaded[namespace] = self._load(namespace)
        return self.loaded[namespace]

    def _load(self, namespace):
        if namespace == AUTHORITY:
            return self._authority()
        relative = SCHEMA_FILES.get(namespace)
        if relative is None:
            raise ValueError("no schema for namespace " + repr(namespace))
        return xmlschema.XMLSchema(os.path.join(self.schema_dir, relative))

    def _authority(self):
        wsdl_path = os.path.join(self.schema_dir, "Authority.wsdl")
        with open(wsdl_path, encoding="utf-8") as wsdl_file:
            wsdl = wsdl_file.read()
        match = re.search(r"<xsd:schema\b.*?</xsd:schema>", wsdl, re.S)
        if match is None:
            raise ValueError("Authority.wsdl has no inline xsd:schema")
        inline = match.group(0).replace(
            "<xsd:schema", '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"', 1
        )
        return xmlschema.XMLSchema(inline, base_url=self.schema_dir + os.sep)


def namespace_of(element):
    tag = element.tag
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def element_to_validate(path):
    root = ElementTree.parse(path).getroot()
    if root.tag != "{%s}Envelope" % SOAP:
        raise ValueError("root is not a SOAP 1.1 Envelope")
    body = root.find("{%s}Body" % SOAP)
    if body is None:
        raise ValueError("no soap:Body")
    children = list(body)
    if len(children) != 1:
        raise ValueError("Body has %d children, expected 1" % len(children))
    child = children[0]
    if child.tag != "{%s}Fault" % SOAP:
        return child
    for name in ("faultcode", "faultstring"):
        if child.find(name) is None:
            raise ValueError("soap:Fault has no unqualified " + name)
    detail = child.find("detail")
    if detail is None or len(list(detail)) != 1:
        raise ValueError("soap:Fault needs one detail child")
    return list(detail)[0]


def main(arguments):
    if len(arguments) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schemas = Schemas(arguments[0])
    failed = 0
    for path in arguments[1:]:
        try:
            element = element_to_validate(path)
            schemas.for_namespace(namespace_of(element)).validate(element)
            print("OK " + path)
        except Exception as error:  # report every file, then fail as a whole
            failed += 1
            reason = " ".join(str(error).split())[:600]
            print("FAIL %s: %s" % (path, reason))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

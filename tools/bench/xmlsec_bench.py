#!/usr/bin/env python3
"""Time libxmlsec1 (Python `xmlsec` bindings, in-process) on the documents the Rust bench wrote.

Usage: ``xmlsec_bench.py DIR SECONDS``. DIR holds, per size label L (10KB, 100KB, 2MB):
``L-unsigned.xml`` (SignedDelivery), ``L-signed.xml`` (the same, signed by kuvert),
``L-sealed-unsigned.xml`` (SealedDelivery around L-signed.xml), ``L-sealed.xml`` (the same,
sealed by kuvert), plus ``key.pem``, ``cert.pem`` and ``ca.pem``. Prints JSON
``{"sign": {L: ops_per_s}, "seal": {...}, "verify": {...}}``.

What one operation is, to match the Rust bench:
* sign/seal: parse the unsigned document, add an enveloped signature template (exc-C14N,
  RSA-SHA256, SHA-256, X509Data), sign, serialize.
* verify: parse the sealed document and verify the seal (the root's own Signature), then parse
  the standalone SignedDelivery and verify the sender's signature. Both certificates are
  checked against ca.pem as the trusted root, like kuvert's Verifier does.
"""

import json
import sys
import time

import xmlsec
from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
LABELS = ("10KB", "100KB", "2MB")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def rate(operation, seconds):
    """Operations per second over at least `seconds` (and at least 5 runs), after one warm-up."""
    operation()
    runs = 0
    start = time.perf_counter()
    while True:
        operation()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and runs >= 5:
            return runs / elapsed


def signer(directory):
    key = xmlsec.Key.from_file(f"{directory}/key.pem", xmlsec.KeyFormat.PEM)
    key.load_cert_from_file(f"{directory}/cert.pem", xmlsec.KeyFormat.PEM)

    def sign(data):
        root = etree.fromstring(data, _PARSER)
        signature = xmlsec.template.create(
            root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256
        )
        root.append(signature)
        reference = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri="")
        xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
        key_info = xmlsec.template.ensure_key_info(signature)
        xmlsec.template.add_x509_data(key_info)
        context = xmlsec.SignatureContext()
        context.key = key
        context.sign(signature)
        return etree.tostring(root)

    return sign


def verifier(directory):
    manager = xmlsec.KeysManager()
    manager.load_cert(f"{directory}/ca.pem", xmlsec.KeyFormat.PEM, xmlsec.KeyDataType.TRUSTED)

    def verify_root_signature(data):
        root = etree.fromstring(data, _PARSER)
        signature = root.find(f"{{{DS}}}Signature")  # the root's own child, not a nested one
        xmlsec.SignatureContext(manager).verify(signature)

    return verify_root_signature


def main():
    directory, seconds = sys.argv[1], float(sys.argv[2])
    sign = signer(directory)
    verify = verifier(directory)
    results = {"sign": {}, "seal": {}, "verify": {}}
    for label in LABELS:
        def read(name):
            with open(f"{directory}/{label}-{name}.xml", "rb") as file:
                return file.read()

        unsigned, sealed_unsigned = read("unsigned"), read("sealed-unsigned")
        signed, sealed = read("signed"), read("sealed")
        # Check once that libxmlsec1 accepts what kuvert produced before timing anything.
        verify(sealed)
        verify(signed)
        results["sign"][label] = rate(lambda: sign(unsigned), seconds)
        results["seal"][label] = rate(lambda: sign(sealed_unsigned), seconds)
        results["verify"][label] = rate(lambda: (verify(sealed), verify(signed)), seconds)
    json.dump(results, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Verify Mina meddelanden enveloped signatures with signxml (an independent XML-DSig stack).

Usage: ``signxml_verify.py --ca CA.pem FILE...``

Each FILE is a standalone document whose root element holds the signature to check as a direct
child (an extracted SignedDelivery, or a SealedDelivery for the outer seal). The reference must
be ``URI=""`` (the root), the certificate in KeyInfo must chain to CA.pem, and the signature
must be RSA-SHA256 over exclusive C14N. Prints ``OK FILE`` per file; exits 1 on the first
failure with the reason on stderr. Used by crates/kuvert-xmldsig/tests/it/interop.rs.
"""

import argparse
import sys

from cryptography.x509.verification import ExtensionPolicy
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def verify(path, ca_pem_file):
    root = etree.parse(path, _PARSER).getroot()
    config = SignatureConfiguration(
        # The signature must be the root's own child: the seal's, not the sender's inner one.
        location="./",
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
        default_reference_c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    result = XMLVerifier().verify(
        root,
        ca_pem_file=ca_pem_file,
        # Organisation certificates are not web PKI server certificates: check the chain and
        # signatures, not the web PKI extension profile.
        ee_policy=ExtensionPolicy.permit_all(),
        ca_policy=ExtensionPolicy.webpki_defaults_ca(),
        expect_config=config,
    )
    signed = result.signed_xml
    if signed is None or etree.QName(signed).localname != etree.QName(root).localname:
        raise ValueError("the signature does not cover the root element")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ca", required=True, help="PEM file with the trusted CA certificate(s)")
    parser.add_argument("files", nargs="+")
    arguments = parser.parse_args()
    for path in arguments.files:
        try:
            verify(path, arguments.ca)
        except Exception as error:
            print(f"FAIL {path}: {error!r}", file=sys.stderr)
            return 1
        print(f"OK {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Sign a Mina meddelanden element with signxml following the MM rules (PROTOCOL.md §9.3).

Usage: ``signxml_sign.py --key KEY.pem --cert CERT.pem IN.xml OUT.xml``

IN.xml is a prefix-free, compact, unsigned element (e.g. a SignedDelivery). The output carries
an enveloped ``<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`` (default namespace, no
``ds:`` prefix) as the root's last child: ``Reference URI=""``, enveloped-signature transform,
exclusive C14N without comments, RSA-SHA256, SHA-256 digest, KeyInfo/X509Data/X509Certificate.
Used by crates/kuvert-xmldsig/tests/it/interop.rs to check that our Verifier accepts a
signature made by an independent stack.
"""

import argparse
import sys

from lxml import etree
from signxml import XMLSigner, namespaces
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def sign(in_path, out_path, key_pem, cert_pem):
    root = etree.parse(in_path, _PARSER).getroot()
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    # Prefix-free signature: the MM profile signs <Signature xmlns="…xmldsig#">, never ds:.
    signer.namespaces = {None: namespaces.ds}
    signed = signer.sign(root, key=key_pem, cert=cert_pem)  # no Id on the root: signxml writes Reference URI=""
    with open(out_path, "wb") as out:
        out.write(etree.tostring(signed, encoding="utf-8", xml_declaration=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("input")
    parser.add_argument("output")
    arguments = parser.parse_args()
    with open(arguments.key, "rb") as key, open(arguments.cert, "rb") as cert:
        sign(arguments.input, arguments.output, key.read(), cert.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())

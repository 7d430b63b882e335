#!/usr/bin/env python3
"""Call Recipient v3 `isReachable` with zeep, a SOAP client built from the real WSDL, over
mutual TLS, and print what zeep read from the answer as JSON (one object per recipient).

Usage: zeep_is_reachable.py WSDL_DIR ENDPOINT CA_PEM CERT_PEM KEY_PEM SENDER_ORGNR RECIPIENT...

WSDL_DIR is the v3 contract tree holding `Recipient.wsdl`. ENDPOINT replaces the WSDL's
placeholder address (`https://127.0.0.1:PORT/ec/Recipient/v3`). The server certificate must
chain to CA_PEM; CERT_PEM/KEY_PEM are the calling organisation's client credential. zeep
validates the response against the WSDL's schemas while parsing, so a malformed answer fails
here with zeep's own error (exit status 1).
"""

import json
import os
import sys

import requests
import zeep
from zeep.helpers import serialize_object
from zeep.transports import Transport

BINDING = "{http://minameddelanden.gov.se/Recipient}RecipientBinding-v3"


def main(argv):
    if len(argv) < 8:
        sys.exit(__doc__)
    wsdl_dir, endpoint, ca, cert, key, sender = argv[1:7]
    recipients = argv[7:]
    session = requests.Session()
    # REQUESTS_CA_BUNDLE and proxies from the environment would override `verify`: trust
    # exactly the CA given.
    session.trust_env = False
    session.verify = ca
    session.cert = (cert, key)
    client = zeep.Client(
        os.path.join(wsdl_dir, "Recipient.wsdl"),
        transport=Transport(session=session, timeout=30),
    )
    service = client.create_service(BINDING, endpoint)
    statuses = service.isReachable(senderOrgNr=sender, recipientId=recipients)
    print(json.dumps(serialize_object(statuses), default=str, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv)

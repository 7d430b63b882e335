#!/usr/bin/env python3
"""Act as an independent sender system against an intermediary's Message v3 service
(PROTOCOL.md §5.4, §11.6 step 2): build a SignedDelivery signed by signxml with the sender's
key, hand it over with `distributeSecure` (Message.wsdl) over mutual TLS, and follow it with
`checkDistributionStatus`; once for each recipient given.

Usage: zeep_distribute_secure.py WSDL_DIR MESSAGE_ENDPOINT CA_PEM CERT_PEM KEY_PEM
       SENDER_ORGNR SENDER_NAME SENDER_CERT_PEM SENDER_KEY_PEM SUBJECT OUT_DIR RECIPIENT...

CERT_PEM/KEY_PEM are the sender system's client credential. For the n-th recipient the raw
answers are written to OUT_DIR/distribute_secure_n.xml and OUT_DIR/check_status_n.xml (for
xsd_validate.py); stdout is JSON, one object per recipient in order:
{"recipient", "distributionId", "status"} as zeep read them.

The letter is built and signed as `zeep_deliver_secure.py` does (compact, prefix-free,
signxml). Why distributeSecure's envelope is not made by zeep's object model: zeep would
rebuild the SignedDelivery from Python objects and re-serialize every value and namespace
prefix, so the bytes under the signature would no longer be those that were signed. The
envelope is therefore built around the signed tree, with the operation's body element, its
one child element's name, the SOAP action and the binding all taken from the WSDL through
zeep, posted with zeep's transport, and the answer parsed (and schema-checked) by zeep's
binding. `checkDistributionStatus` carries no signature and is called through zeep's
service proxy as any client would.
"""

import json
import os
import sys

import zeep
from lxml import etree
from zeep.helpers import serialize_object
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zeep_deliver_secure as letters  # noqa: E402  (a sibling oracle, not a package)

MESSAGE_BINDING = "{http://minameddelanden.gov.se/Message}MessageBinding-v3"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def distribute_secure(client, address, signed, out_path):
    binding = client.wsdl.bindings[MESSAGE_BINDING]
    operation = binding.get("distributeSecure")
    wrapper = operation.input.body.qname  # {…/schema/Message/v3}distributeSecure
    # The wrapper's one child, `signedDelivery` (lowercase), as the schema names it.
    [(child_name, child)] = operation.input.body.type.elements
    child_qname = etree.QName(child.qname)
    envelope = etree.Element("{%s}Envelope" % SOAP, nsmap={None: SOAP})
    body = etree.SubElement(envelope, "{%s}Body" % SOAP)
    outer = etree.SubElement(body, str(wrapper), nsmap={None: wrapper.namespace})
    outer.append(letters.inner_wrapper(child_qname, signed))
    headers = {
        "SOAPAction": '"%s"' % (operation.soapaction or ""),
        "Content-Type": "text/xml; charset=utf-8",
    }
    response = client.transport.post_xml(address, envelope, headers)
    with open(out_path, "wb") as out:
        out.write(response.content)
    return binding.process_reply(client, operation, response)


def check_status(service, history, sender, distribution_id, out_path):
    statuses = service.checkDistributionStatus(
        senderId="16" + sender, distributionId=distribution_id
    )
    raw = etree.tostring(history.last_received["envelope"], encoding="utf-8")
    with open(out_path, "wb") as out:
        out.write(raw)
    return statuses


def main(argv):
    if len(argv) < 13:
        sys.exit(__doc__)
    wsdl_dir, endpoint, ca, cert, key, sender, sender_name = argv[1:8]
    sender_cert, sender_key, subject, out_dir = argv[8:12]
    recipients = argv[12:]
    session = letters.session_for(ca, cert, key)
    wsdl = os.path.join(wsdl_dir, "Message.wsdl")
    # distributeSecure posts its own envelope, which a HistoryPlugin would not have seen
    # going out; the status calls go through a second client that records their answers.
    client = zeep.Client(wsdl, transport=Transport(session=session, timeout=60))
    history = HistoryPlugin()
    status_client = zeep.Client(
        wsdl, transport=Transport(session=session, timeout=60), plugins=[history]
    )
    service = status_client.create_service(MESSAGE_BINDING, endpoint)
    results = []
    for index, recipient in enumerate(recipients):
        unsigned = letters.signed_delivery("16" + sender, sender_name, recipient, subject)
        signed = letters.sign(unsigned, sender_key, sender_cert)
        sent = os.path.join(out_dir, "distribute_secure_%d.xml" % index)
        distribution_id = distribute_secure(client, endpoint, signed, sent)
        checked = os.path.join(out_dir, "check_status_%d.xml" % index)
        statuses = check_status(service, history, sender, distribution_id, checked)
        results.append(
            {
                "recipient": recipient,
                "distributionId": distribution_id,
                "status": serialize_object(statuses),
            }
        )
    print(json.dumps(results, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""Act as an independent förmedlare: ask the registry with zeep (`isReachable`, Recipient v3
WSDL), build a SignedDelivery signed by signxml with the sender's key, seal it (Seal + a
signxml signature over a `SealedDelivery` root with the intermediary's key) and call
`deliverSecure` (Service v3 WSDL) at the ServiceAdress the registry named, over mutual TLS.

Usage: zeep_deliver_secure.py WSDL_DIR REGISTRY_ENDPOINT CA_PEM CERT_PEM KEY_PEM
       SENDER_ORGNR SENDER_NAME SENDER_CERT_PEM SENDER_KEY_PEM RECIPIENT SUBJECT OUT_DIR

CERT_PEM/KEY_PEM are the intermediary's client credential (also its sealing key). The raw
answers are written to OUT_DIR/is_reachable.xml and OUT_DIR/deliver_secure.xml (for
xsd_validate.py); stdout is JSON {"isReachable": …, "deliverSecure": …} as zeep read them.

Signing follows PROTOCOL.md §9.3: compact, prefix-free elements (each with a default
`xmlns` where its namespace changes), signed by `signxml_sign.sign` (imported from this
directory). Why deliverSecure's envelope is not made by zeep's object model: zeep would
rebuild the SealedDelivery from Python objects and re-serialize every value and namespace
prefix, so the bytes under the two signatures would no longer be those that were signed. The
envelope is therefore built around the signed tree, with the operation's body element, SOAP
action and address all taken from the WSDL's binding through zeep, posted with zeep's
transport, and the answer parsed (and schema-checked) by zeep's binding.
"""

import base64
import datetime
import json
import os
import sys
import tempfile
import uuid

import requests
import zeep
from lxml import etree
from zeep.helpers import serialize_object
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import signxml_sign  # noqa: E402  (a sibling oracle, not a package)

RECIPIENT_BINDING = "{http://minameddelanden.gov.se/Recipient}RecipientBinding-v3"
SERVICE_BINDING = "{http://minameddelanden.gov.se/Service}ServiceBinding-v3"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
MSG = "http://minameddelanden.gov.se/schema/Message"
MSG2 = "http://minameddelanden.gov.se/schema/Message/v2"
MSG3 = "http://minameddelanden.gov.se/schema/Message/v3"
SNDR = "http://minameddelanden.gov.se/schema/Sender"


def element(parent, namespace, name, text=None):
    """A child with its namespace as the default (prefix-free, PROTOCOL.md §9.2 quirk 1)."""
    if parent is None:
        child = etree.Element("{%s}%s" % (namespace, name), nsmap={None: namespace})
    else:
        nsmap = None if namespace == etree.QName(parent).namespace else {None: namespace}
        child = etree.SubElement(parent, "{%s}%s" % (namespace, name), nsmap=nsmap)
    if text is not None:
        child.text = text
    return child


def signed_delivery(sender_id, sender_name, recipient, subject):
    root = element(None, MSG3, "SignedDelivery")
    delivery = element(root, MSG3, "Delivery")
    header = element(delivery, MSG3, "Header")
    sender = element(header, MSG2, "Sender")
    element(sender, SNDR, "Id", sender_id)
    element(sender, SNDR, "Name", sender_name)
    element(header, MSG2, "Recipient", recipient)
    message = element(delivery, MSG3, "Message")
    message_header = element(message, MSG3, "Header")
    element(message_header, MSG3, "Id", str(uuid.uuid4()))
    element(message_header, MSG3, "Subject", subject)
    support = element(message_header, MSG3, "Supportinfo")
    element(support, MSG3, "Text", "Frågor besvarar " + sender_name + ".")
    element(message_header, MSG3, "Language", "svSE")
    body = element(message, MSG3, "Body")
    element(body, MSG, "ContentType", "text/plain")
    text = "Hej! " + subject
    element(body, MSG, "Body", base64.b64encode(text.encode("utf-8")).decode("ascii"))
    return root


def sign(root, key_path, cert_path):
    """Signs `root` with signxml_sign.sign, which works on files."""
    with tempfile.TemporaryDirectory() as directory:
        unsigned = os.path.join(directory, "unsigned.xml")
        signed = os.path.join(directory, "signed.xml")
        with open(unsigned, "wb") as out:
            out.write(etree.tostring(root, encoding="utf-8"))
        with open(key_path, "rb") as key, open(cert_path, "rb") as cert:
            signxml_sign.sign(unsigned, signed, key.read(), cert.read())
        with open(signed, "rb") as signed_file:
            return etree.fromstring(signed_file.read())


def sealed_delivery(signed, key_path, cert_path):
    root = element(None, MSG3, "SealedDelivery")
    root.append(signed)
    seal = element(root, MSG3, "Seal")
    element(seal, MSG, "ReceivedTime", datetime.date.today().isoformat())
    element(seal, MSG, "SignaturesOK", "true")
    return sign(root, key_path, cert_path)


def session_for(ca, cert, key):
    session = requests.Session()
    # REQUESTS_CA_BUNDLE and proxies from the environment would override `verify`.
    session.trust_env = False
    session.verify = ca
    session.cert = (cert, key)
    return session


def is_reachable(wsdl_dir, endpoint, session, sender, recipient, out_dir):
    history = HistoryPlugin()
    client = zeep.Client(
        os.path.join(wsdl_dir, "Recipient.wsdl"),
        transport=Transport(session=session, timeout=30),
        plugins=[history],
    )
    service = client.create_service(RECIPIENT_BINDING, endpoint)
    statuses = service.isReachable(senderOrgNr=sender, recipientId=[recipient])
    raw = etree.tostring(history.last_received["envelope"], encoding="utf-8")
    with open(os.path.join(out_dir, "is_reachable.xml"), "wb") as out:
        out.write(raw)
    return statuses


def inner_wrapper(wrapper, sealed):
    """The SealedDelivery's children under the inner wrapper of the same name as the outer
    (§9.3 EMBED), prefix-free on the wire too: each child is serialized on its own (so it
    declares its default namespace) and the wrapper is parsed from the joined text, because
    lxml gives moved or renamed elements generated prefixes (`ns0:`)."""
    children = b"".join(etree.tostring(child, encoding="utf-8") for child in sealed)
    # tostring of an element adds no XML declaration without xml_declaration=True.
    start = ('<%s xmlns="%s">' % (wrapper.localname, wrapper.namespace)).encode("utf-8")
    end = ("</%s>" % wrapper.localname).encode("utf-8")
    return etree.fromstring(start + children + end)


def deliver_secure(wsdl_dir, address, session, sealed, out_dir):
    client = zeep.Client(
        os.path.join(wsdl_dir, "Service.wsdl"),
        transport=Transport(session=session, timeout=30),
    )
    binding = client.wsdl.bindings[SERVICE_BINDING]
    operation = binding.get("deliverSecure")
    wrapper = operation.input.body.qname  # {…/schema/Service/v3}deliverSecure
    envelope = etree.Element("{%s}Envelope" % SOAP, nsmap={None: SOAP})
    body = etree.SubElement(envelope, "{%s}Body" % SOAP)
    outer = etree.SubElement(body, str(wrapper), nsmap={None: wrapper.namespace})
    outer.append(inner_wrapper(wrapper, sealed))
    headers = {
        "SOAPAction": '"%s"' % (operation.soapaction or ""),
        "Content-Type": "text/xml; charset=utf-8",
    }
    response = client.transport.post_xml(address, envelope, headers)
    with open(os.path.join(out_dir, "deliver_secure.xml"), "wb") as out:
        out.write(response.content)
    return binding.process_reply(client, operation, response)


def main(argv):
    if len(argv) != 13:
        sys.exit(__doc__)
    wsdl_dir, registry, ca, cert, key, sender, sender_name = argv[1:8]
    sender_cert, sender_key, recipient, subject, out_dir = argv[8:13]
    session = session_for(ca, cert, key)
    statuses = is_reachable(wsdl_dir, registry, session, sender, recipient, out_dir)
    address = statuses[0]["AccountStatus"]["ServiceSupplier"]["ServiceAdress"]
    signed = sign(
        signed_delivery("16" + sender, sender_name, recipient, subject), sender_key, sender_cert
    )
    sealed = sealed_delivery(signed, key, cert)
    result = deliver_secure(wsdl_dir, address, session, sealed, out_dir)
    print(
        json.dumps(
            {
                "isReachable": serialize_object(statuses),
                "deliverSecure": serialize_object(result),
            },
            default=str,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(sys.argv)

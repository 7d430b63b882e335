#!/usr/bin/env python3
"""Validate the sender service's OpenAPI document with openapi-spec-validator, then act as a
client generated from it: openapi-core builds its checks from the document alone, an access
token is fetched from the OAuth 2 client-credentials `tokenUrl` the document names, the request
for `POST /api/v1/letters` is sent with requests, and both the request and the answer are
validated against the document (security, headers, JSON schema). The letter's state is then
read the same way from `GET /api/v1/letters/{id}`. Prints the two answers as JSON.

Usage: openapi_send_letter.py DOCUMENT_URL CA_PEM CLIENT_ID CLIENT_SECRET SENDER RECIPIENT SUBJECT

DOCUMENT_URL is `https://HOST:PORT/api/v1/openapi.json`; the calls go to the document's own
`servers[0]`, `paths` and token URL, nothing else is assumed. (openapi-core cannot check the
OpenAPI 3.1 `mutualTLS` scheme, so this client takes the document's other way in.) Exits with
status 1 on any invalid part.
"""

import json
import sys
import uuid
from urllib.parse import urljoin

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_spec_validator import validate


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__)
    document_url, ca, client_id, client_secret, sender, recipient, subject = argv[1:8]
    session = requests.Session()
    # REQUESTS_CA_BUNDLE and proxies from the environment would override `verify`.
    session.trust_env = False
    session.verify = ca
    answer = session.get(document_url, timeout=30)
    answer.raise_for_status()
    document = answer.json()
    validate(document)
    api = OpenAPI.from_dict(document)
    server = document["servers"][0]["url"].rstrip("/")
    letters_path = next(path for path in document["paths"] if path.endswith("/letters"))
    status_path = next(path for path in document["paths"] if path.endswith("/letters/{id}"))
    flows = document["components"]["securitySchemes"]["oauth2"]["flows"]
    token_url = urljoin(server + "/", flows["clientCredentials"]["tokenUrl"])
    token = session.post(
        token_url,
        data={"grant_type": "client_credentials"},
        auth=(client_id, client_secret),
        timeout=30,
    )
    token.raise_for_status()
    session.headers["Authorization"] = "Bearer " + token.json()["access_token"]

    letter = {
        "sender": sender,
        "recipient": recipient,
        "subject": subject,
        "body": {"content_type": "text/plain", "content": "Skickat av en OpenAPI-klient."},
    }
    request = requests.Request(
        "POST",
        server + letters_path,
        json=letter,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    request = session.prepare_request(request)
    api.validate_request(RequestsOpenAPIRequest(request))
    accepted = session.send(request, timeout=30)
    api.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(accepted))
    if accepted.status_code != 202:
        sys.exit(f"POST {letters_path}: {accepted.status_code} {accepted.text}")
    letter_id = accepted.json()["id"]

    request = requests.Request("GET", server + status_path.replace("{id}", letter_id))
    request = session.prepare_request(request)
    api.validate_request(RequestsOpenAPIRequest(request))
    status = session.send(request, timeout=30)
    api.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(status))
    print(json.dumps({"accepted": accepted.json(), "status": status.json()}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env bash
# Creates <repo>/.venv with the pinned packages of tools/python-requirements.txt: the Python
# oracles (lxml, signxml, xmlsec, xmlschema, zeep, openapi-spec-validator, openapi-core) and
# the SMTP server (aiosmtpd) that tests reach through KUVERT_TEST_PYTHON.
#
# Usage: tools/setup-python.sh          (from any directory; prints the venv's python path)
#
# Idempotent: when the venv exists, was made from the same requirements file (its sha256 is
# kept in .venv/.kuvert-requirements.sha256) and every package imports, it does nothing.
# xmlsec comes as a manylinux wheel; should pip ever have to build it from source, it needs
# Debian's libxmlsec1-dev and pkg-config, which .ci/run installs when missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$repo/tools/python-requirements.txt"
venv="$repo/.venv"
stamp="$venv/.kuvert-requirements.sha256"
python="${KUVERT_PYTHON3:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
imports='import lxml.etree, signxml, xmlsec, xmlschema, zeep, aiosmtpd, cryptography
import openapi_core, openapi_spec_validator'

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] \
    && "$venv/bin/python" -c "$imports" 2>/dev/null; then
    echo "setup-python: $venv is up to date" >&2
    echo "$venv/bin/python"
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --requirement "$requirements" >&2
"$venv/bin/python" -c "$imports"
echo "$wanted" >"$stamp"
echo "setup-python: installed $(grep -cE '^[a-zA-Z]' "$requirements") packages into $venv" >&2
echo "$venv/bin/python"

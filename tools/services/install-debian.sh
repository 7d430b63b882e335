#!/usr/bin/env bash
# Installs the Debian packages Kuvert's external tests need, only those that are missing:
# postgresql-15 (server binaries), xmlsec1 (XML-DSig oracle), chromium (browser tests), haproxy
# (the load balancer of `kuvert cluster`), poppler-utils and zbar-tools (the paper letters'
# PDFs read back: pdftotext, pdftoppm, zbarimg), and
# libxmlsec1-dev + pkg-config (so pip can build the xmlsec bindings should no wheel fit).
# Runs `apt-get update` once, and only when something is missing. Needs root.
#
# Usage: tools/services/install-debian.sh
set -euo pipefail

missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
    || missing+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
dpkg-query -W -f='${Status}' libxmlsec1-dev 2>/dev/null | grep -q 'install ok installed' \
    || missing+=(libxmlsec1-dev)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-debian: nothing missing" >&2
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-debian: missing ${missing[*]}; run as root to install them" >&2
    exit 1
fi
echo "install-debian: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-debian: installed ${missing[*]}" >&2

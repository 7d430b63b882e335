#!/usr/bin/env bash
# Benchmarks kuvert-xmldsig against libxmlsec1 and raw RSA and prints a comparison table.
#
# Usage: tools/bench/xmldsig.sh [XMLSEC_SECONDS]
#
# 1. `cargo bench -p kuvert-xmldsig --bench xmldsig` (criterion): sign, seal and verify for
#    10 KB, 100 KB and 2 MB letters, and raw RSA-2048 PKCS#1 SHA-256 signing with aws-lc-rs.
#    With KUVERT_BENCH_EXPORT_DIR set, the bench also writes the very documents it timed and a
#    fresh PEM key, certificate and CA into that directory (a temp dir, deleted on exit).
# 2. tools/bench/xmlsec_bench.py times libxmlsec1 (Python `xmlsec`, in-process) on them.
# 3. `openssl speed -seconds 3 rsa2048` for the RSA baseline of the machine.
# Targets: verify ours / libxmlsec1 >= 2x; sign at 10 KB ours / raw RSA >= 0.9.
# Python: $KUVERT_TEST_PYTHON (a venv with `xmlsec` and `lxml`), else python3.
set -euo pipefail

xmlsec_seconds="${1:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
python="${KUVERT_TEST_PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$repo"
target_dir="$(cargo metadata --format-version 1 --no-deps \
    | "$python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"

echo "== criterion (kuvert-xmldsig)" >&2
KUVERT_BENCH_EXPORT_DIR="$work" cargo bench -p kuvert-xmldsig --bench xmldsig >&2

echo "== libxmlsec1 via Python xmlsec (${xmlsec_seconds}s per figure)" >&2
"$python" "$repo/tools/bench/xmlsec_bench.py" "$work" "$xmlsec_seconds" > "$work/xmlsec.json"

echo "== openssl speed -seconds 3 rsa2048" >&2
openssl speed -seconds 3 rsa2048 2>/dev/null > "$work/openssl.txt"

"$python" "$repo/tools/bench/table.py" "$target_dir/criterion" "$work/xmlsec.json" \
    "$work/openssl.txt"

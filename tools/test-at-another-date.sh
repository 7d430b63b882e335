#!/bin/bash
# Runs every test binary of the workspace with the system clock moved by OFFSET (libfaketime,
# Debian `faketime`), against outside services started under the same clock, so that no test
# may depend on the day it runs (issue 11). Usage, from the repository root:
#   KUVERT_RUN_DIR=/tmp/kuvert-2027 faketime -f +100d bash tools/services/start.sh
#   OFFSET=+100d SERVICES_ENV=/tmp/kuvert-2027/env.sh bash tools/test-at-another-date.sh
# The build runs at the real clock (cargo compares file times); only the tests are moved.
# Prints one line per test binary and its result; exits non-zero when any test failed.
set -u
cd "$(dirname "$0")/.."
offset="${OFFSET:-+100d}"
command -v faketime >/dev/null || { echo "faketime is missing (Debian package faketime)" >&2; exit 2; }
cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c '
import json, os, sys
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") == "compiler-artifact" and message.get("executable") \
            and message["profile"]["test"]:
        print(os.path.dirname(message["manifest_path"]), message["executable"])
' > "${TMPDIR:-/tmp}/kuvert-test-binaries.txt"
# shellcheck disable=SC1090
[ -n "${SERVICES_ENV:-}" ] && source "$SERVICES_ENV"
export KUVERT_REQUIRE_ALL="${KUVERT_REQUIRE_ALL:-1}"
status=0
while read -r dir binary; do
    echo "=== $binary ($dir) at $offset"
    (cd "$dir" && set -o pipefail \
        && faketime -f "$offset" "$binary" 2>&1 | grep -E "^test .*FAILED|^test result|panicked") \
        || status=1
done < "${TMPDIR:-/tmp}/kuvert-test-binaries.txt"
exit "$status"

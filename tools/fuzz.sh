#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each and fails on the first crash.
#
# Usage: tools/fuzz.sh SECONDS
#
# Seeds are copied at run time from the real Mina meddelanden samples in the folder
# KUVERT_TEST_MM_SCHEMAS names (default: ../shared/mm-schemas beside the repository; the verify
# target reads its trust anchor there too) and, for c14n, the C14N corpus, into
# fuzz/corpus/<target>/, which git ignores: samples are never committed. Without that folder
# the fuzz run is skipped with a note, or fails when KUVERT_REQUIRE_ALL=1.
# Crashes land in fuzz/artifacts/<target>/.
# Builds with AddressSanitizer through `RUSTC_BOOTSTRAP=1` on the stable toolchain.
set -euo pipefail

seconds="${1:?usage: tools/fuzz.sh SECONDS}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
samples="${KUVERT_TEST_MM_SCHEMAS:-$repo/../shared/mm-schemas}"
c14n_corpus="$repo/crates/kuvert-xmldsig/tests/corpus/c14n"

if [ ! -d "$samples" ]; then
    echo "fuzz.sh: $samples is missing: the seeds and the verify anchor come from the MM" \
        "samples (set KUVERT_TEST_MM_SCHEMAS)" >&2
    if [ "${KUVERT_REQUIRE_ALL:-}" = 1 ]; then
        exit 1
    fi
    echo "fuzz.sh: skipped" >&2
    exit 0
fi
KUVERT_TEST_MM_SCHEMAS="$(cd "$samples" && pwd)"
export KUVERT_TEST_MM_SCHEMAS
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# copy_seeds TARGET DIR PATTERN...: copies matching files under DIR, named by content hash.
copy_seeds() {
    local target="$1" dir="$2"
    shift 2
    local seed_dir="$repo/fuzz/corpus/$target"
    mkdir -p "$seed_dir"
    local pattern file
    for pattern in "$@"; do
        while IFS= read -r -d '' file; do
            cp "$file" "$seed_dir/seed-$(sha256sum "$file" | cut -c1-16)"
        done < <(find "$dir" -type f -name "$pattern" -print0)
    done
}

copy_seeds c14n "$samples" '*.xml' '*.xsd' '*.wsdl'
copy_seeds c14n "$c14n_corpus" '*.xml'
copy_seeds verify "$samples" '*.xml'
copy_seeds soap_parse "$samples" '*.xml' '*.wsdl'

cd "$repo/fuzz"
targets="$(cargo fuzz list)"
for target in $targets; do
    echo "fuzz.sh: running $target for ${seconds}s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
done
echo "fuzz.sh: no crashes in $(echo "$targets" | wc -w) targets, ${seconds}s each"

#!/usr/bin/env bash
# Where the mass mailing's time goes (issue 14): builds the mailing benchmark, runs it under
# `perf record` (Debian's linux-perf) and prints the share of CPU by process part (kernel or
# user code, per shared object) and the top functions by self time.
#
# Usage: tools/bench/profile-mailing.sh [LETTERS]   (default 4 000; KUVERT_BENCH_* as for the
# benchmark, KUVERT_TEST_PG_URL for PostgreSQL). Output and perf.data in $OUT (default
# /tmp/kuvert-profile). Needs perf and permission to sample (root, or
# kernel.perf_event_paranoid <= 1).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
letters="${1:-4000}"
out="${OUT:-/tmp/kuvert-profile}"
mkdir -p "$out"
if ! command -v perf >/dev/null; then
    echo "profile-mailing: perf is missing (apt-get install linux-perf)" >&2
    exit 1
fi
cd "$repo"
bin="$(cargo bench -p kuvert --bench mailing --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*mailing-[^"]*"' | tail -1 | cut -d'"' -f4)"
if [ -z "$bin" ]; then
    echo "profile-mailing: could not build the mailing benchmark" >&2
    exit 1
fi
export KUVERT_BENCH_LETTERS="$letters"
perf record -F 997 -o "$out/perf.data" -- "$bin" | tee "$out/bench.txt"
echo
echo "== CPU by part (kernel symbols are [k])"
perf report -i "$out/perf.data" --no-children --sort dso --percent-limit 1 --stdio 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -20 | tee "$out/by-dso.txt"
echo
echo "== top functions by self time"
perf report -i "$out/perf.data" --no-children --sort sym --percent-limit 0.7 --stdio 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -45 | tee "$out/by-symbol.txt"

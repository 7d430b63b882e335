#!/usr/bin/env bash
# Soak test (issue 16; not a CI test): `kuvert cluster` on loopback under a steady load at half
# the rate it was measured to sustain, for SOAK_SECONDS (default 600). It fails when any
# letter or page fails, or when a node's resident memory at the end is not within 10 % of
# what it was after the first minute (at the start, for runs of one minute or less).
#
# Usage (from the repository, the services running: `source tools/services/env.sh`):
#   cargo build --release && bash tools/soak.sh
#   SOAK_SECONDS=120 KUVERT_BIN=target/debug/kuvert bash tools/soak.sh
#
# The load: batches of letters from Exempelkommun to Tolvan through HAProxy with `kuvert
# mailing` (reachability at the registry's nodes, deliverSecure at Demobrevlådan's), one batch
# every SOAK_BATCH_SECONDS (10), and one GET of each inbox's start page through the balancer
# per batch. First a calibration batch of SOAK_CALIBRATION_ROWS (300) letters measures the
# maximum rate (letters per second, at mailing's default concurrency); the soak then sends
# half of it. Every SOAK_SAMPLE_SECONDS (60) it prints the errors so far and each node's RSS.
#
# Knobs: SOAK_SECONDS, SOAK_BATCH_SECONDS, SOAK_SAMPLE_SECONDS, SOAK_CALIBRATION_ROWS,
# SOAK_FIRST_PORT (8640; the cluster's public ports, its nodes 20 above), SOAK_DIR (a fresh
# temporary folder), KUVERT_BIN (target/release/kuvert, else target/debug/kuvert), HAPROXY
# (haproxy), KUVERT_TEST_PG_URL (required: the cluster's PostgreSQL server). The cluster's
# databases (kuvert_soak_<run>_*) are dropped at the end when psql is at hand.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${SOAK_SECONDS:-600}"
batch_seconds="${SOAK_BATCH_SECONDS:-10}"
sample_seconds="${SOAK_SAMPLE_SECONDS:-60}"
calibration_rows="${SOAK_CALIBRATION_ROWS:-300}"
first_port="${SOAK_FIRST_PORT:-8640}"
haproxy="${HAPROXY:-haproxy}"
postgres="${KUVERT_TEST_PG_URL:?set KUVERT_TEST_PG_URL (source tools/services/env.sh)}"
kuvert="${KUVERT_BIN:-}"
if [ -z "$kuvert" ]; then
    kuvert="$repo/target/release/kuvert"
    [ -x "$kuvert" ] || kuvert="$repo/target/debug/kuvert"
fi
[ -x "$kuvert" ] || { echo "soak: no kuvert binary at $kuvert (cargo build)" >&2; exit 2; }
run="$(date +%s)_$$"
prefix="kuvert_soak_$run"
dir="${SOAK_DIR:-$(mktemp -d /tmp/kuvert-soak.XXXXXX)}"
mkdir -p "$dir/batches"
cluster_log="$dir/cluster.out"
errors=0
cluster_pid=""

cleanup() {
    local status=$?
    if [ -n "$cluster_pid" ] && kill -0 "$cluster_pid" 2>/dev/null; then
        kill -TERM "$cluster_pid" 2>/dev/null || true
        wait "$cluster_pid" 2>/dev/null || true
    fi
    if command -v psql >/dev/null 2>&1; then
        psql -q "$postgres" -At -c "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}_%'" \
            2>/dev/null | while read -r name; do
            psql -q "$postgres" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
        done
    fi
    echo "soak: data and logs in $dir"
    exit "$status"
}
trap cleanup EXIT

echo "soak: starting the cluster ($kuvert, first port $first_port, data $dir)"
"$kuvert" cluster --postgres "$postgres" --data-dir "$dir/cluster" --first-port "$first_port" \
    --database-prefix "$prefix" --haproxy "$haproxy" >"$cluster_log" 2>"$dir/cluster.err" &
cluster_pid=$!
for _ in $(seq 1 300); do
    grep -q '^Nodes (logs in' "$cluster_log" 2>/dev/null && break
    kill -0 "$cluster_pid" 2>/dev/null || { cat "$dir/cluster.err" >&2; exit 1; }
    sleep 1
done
grep -q '^Nodes (logs in' "$cluster_log" || { echo "soak: the cluster did not start" >&2; exit 1; }
sleep 2 # the printout ends with the node list

# Every node's name and process id, from the cluster's printout ("  NAME pid PID ADDRESSES").
declare -A node_pid
while read -r name word pid _; do
    [ "$word" = pid ] && node_pid["$name"]="$pid"
done < <(sed -n '/^Nodes (logs in/,$p' "$cluster_log")
mapfile -t names < <(printf '%s\n' "${!node_pid[@]}" | sort)
[ "${#names[@]}" -gt 0 ] || { echo "soak: no nodes in the printout" >&2; exit 1; }
mapfile -t inboxes < <(python3 -c 'import json,sys
for operator in json.load(open(sys.argv[1]))["operators"]: print(operator["inbox_url"])' \
    "$dir/cluster/demo.json")

rss_kib() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

declare -A rss_first rss_last
sample() {
    local label="$1" line="" name rss
    for name in "${names[@]}"; do
        rss="$(rss_kib "${node_pid[$name]}")"
        line+=" $name=$((rss / 1024))MiB"
        rss_last["$name"]="$rss"
    done
    printf 'soak: %-8s errors %d;%s\n' "$label" "$errors" "$line"
}

# batch N ROWS: sends ROWS letters as one mailing and fetches each inbox once; adds to errors.
batch() {
    local number="$1" rows="$2" manifest="$dir/batches/$1.csv" report failed paper inbox
    {
        echo "recipient,subject,body"
        for index in $(seq 1 "$rows"); do
            echo "191212121212,Soak $run $number-$index,Hej! Ett brev i soak-testet."
        done
    } >"$manifest"
    if report="$("$kuvert" mailing --demo "$dir/cluster" --as exempelkommun "$manifest" \
        2>>"$dir/mailing.err")"; then
        failed="$(awk '$1 == "failed" {print $2}' <<<"$report")"
        paper="$(awk '$1 == "paper" && NF == 2 {print $2}' <<<"$report")"
        errors=$((errors + ${failed:-1} + ${paper:-1}))
    else
        echo "soak: batch $number: kuvert mailing failed (see $dir/mailing.err)" >&2
        errors=$((errors + rows))
    fi
    for inbox in "${inboxes[@]}"; do
        curl -fsS -o /dev/null --max-time 10 "$inbox" || errors=$((errors + 1))
    done
}

started=$SECONDS
batch calibration "$calibration_rows"
took=$((SECONDS - started))
[ "$took" -gt 0 ] || took=1
rows_per_batch="$(awk -v rows="$calibration_rows" -v took="$took" -v every="$batch_seconds" \
    'BEGIN { n = int(rows / took / 2 * every + 0.5); print (n < 1 ? 1 : n) }')"
awk -v rows="$calibration_rows" -v took="$took" -v n="$rows_per_batch" -v every="$batch_seconds" \
    -v seconds="$seconds" 'BEGIN { printf "soak: calibration: %d letters in %d s, at most %.1f " \
    "letters/s; soaking at %.1f letters/s (%d every %d s) for %d s\n", rows, took, rows / took, \
    n / every, n, every, seconds }'
if [ "$errors" -ne 0 ]; then
    echo "soak: FAILED: the calibration batch had $errors errors" >&2
    exit 1
fi
sample start
for name in "${names[@]}"; do rss_first["$name"]="${rss_last[$name]}"; done

soak_start=$SECONDS
next_sample=$sample_seconds
number=0
while [ $((SECONDS - soak_start)) -lt "$seconds" ]; do
    batch_start=$SECONDS
    number=$((number + 1))
    batch "$number" "$rows_per_batch"
    elapsed=$((SECONDS - soak_start))
    if [ "$elapsed" -ge "$next_sample" ]; then
        sample "$((next_sample / 60))min"
        # The first minute is the baseline (start-up and warm-up growth come before it).
        if [ "$next_sample" -eq "$sample_seconds" ] && [ "$seconds" -gt "$sample_seconds" ]; then
            for name in "${names[@]}"; do rss_first["$name"]="${rss_last[$name]}"; done
        fi
        next_sample=$((next_sample + sample_seconds))
    fi
    rest=$((batch_seconds - (SECONDS - batch_start)))
    [ "$rest" -gt 0 ] && sleep "$rest"
done
sample end
echo "soak: $number batches, $((number * rows_per_batch)) letters in $((SECONDS - soak_start))s"

status=0
[ "$errors" -eq 0 ] || { echo "soak: FAILED: $errors errors" >&2; status=1; }
for name in "${names[@]}"; do
    first="${rss_first[$name]}"
    last="${rss_last[$name]}"
    [ "$first" -gt 0 ] || continue
    change=$(((last - first) * 1000 / first))
    printf 'soak: %-20s RSS %6d KiB -> %6d KiB (%+d.%d %%)\n' "$name" "$first" "$last" \
        $((change / 10)) $(((change < 0 ? -change : change) % 10))
    if [ "$change" -gt 100 ] || [ "$change" -lt -100 ]; then
        echo "soak: FAILED: $name's RSS moved more than 10 %" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "soak: passed"
exit "$status"

#!/usr/bin/env bash
# Stops what tools/services/start.sh started in $KUVERT_RUN_DIR (default /tmp/kuvert-ci):
# PostgreSQL through pg_ctl, every other service by the process group in its *.pid file.
# Safe to run when nothing runs. Keeps the logs; start.sh clears the directory.
#
# Usage: tools/services/stop.sh [--quiet]
set -uo pipefail

run_dir="${KUVERT_RUN_DIR:-/tmp/kuvert-ci}"
pg_bin="${KUVERT_PG_BIN:-/usr/lib/postgresql/15/bin}"
quiet="${1:-}"

say() { [ "$quiet" = --quiet ] || echo "services: $*" >&2; }

[ -d "$run_dir" ] || exit 0

if [ -f "$run_dir/pg/data/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$pg_bin/pg_ctl" --pgdata="$run_dir/pg/data" --mode=fast \
            --wait stop >/dev/null 2>&1
    else
        "$pg_bin/pg_ctl" --pgdata="$run_dir/pg/data" --mode=fast --wait stop >/dev/null 2>&1
    fi
    say "postgres stopped"
fi

for pid_file in "$run_dir"/*.pid; do
    [ -f "$pid_file" ] || continue
    name="$(basename "$pid_file" .pid)"
    pid="$(cat "$pid_file")"
    rm -f "$pid_file"
    case "$pid" in '' | *[!0-9]*) continue ;; esac
    kill -0 "$pid" 2>/dev/null || continue
    # A stale PID file may name a reused PID: only a process started for this run dir counts.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$run_dir" || continue
    # Each service was started with setsid, so its PID is also its process group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    say "$name stopped"
done
exit 0

#!/usr/bin/env bash
# Starts the real outside services Kuvert's tests use, each on 127.0.0.1 and a free port, checks
# that each one really works, and writes the KUVERT_TEST_* exports to $KUVERT_RUN_DIR/env.sh.
#
# Usage: tools/services/start.sh      (any cwd; then `source "$KUVERT_RUN_DIR/env.sh"`)
#        tools/services/stop.sh       (stops them again)
#
# KUVERT_RUN_DIR (default /tmp/kuvert-ci) holds every service's data, log (*.log) and PID file
# (*.pid); it is made anew on each start, after stopping whatever an earlier start left there,
# so starting twice is safe. Needs what .ci/run installs first: Debian's postgresql-15, xmlsec1
# and chromium (tools/services/install-debian.sh), Garage (tools/services/install-garage.sh;
# KUVERT_GARAGE names another binary), the venv (tools/setup-python.sh) and
# tools/node/node_modules (`npm ci`); it runs the last two itself when they are missing.
#
# Exports written (the variables crates/kuvert-testenv reads):
#   KUVERT_TEST_PG_URL        postgres://postgres@127.0.0.1:PORT/postgres (trust, superuser)
#   KUVERT_TEST_PG_TLS_URL    the same server, ?sslmode=verify-full&sslrootcert=<the test CA>
#   KUVERT_TEST_PG_ROOT_CERT  that CA (made at each start, with the server's certificate)
#   KUVERT_TEST_SMTP          127.0.0.1:PORT of aiosmtpd (no auth, no TLS, SMTPUTF8 on)
#   KUVERT_TEST_SMTP_MAILDIR  the Maildir it delivers into (one shared box: filter by recipient)
#   KUVERT_TEST_SMTP_TLS      127.0.0.1:PORT of a second aiosmtpd that requires STARTTLS, with a
#                             server certificate made at each start (never committed); same Maildir
#   KUVERT_TEST_SMTP_TLS_CA   the PEM CA that issued that certificate
#   KUVERT_TEST_OIDC_ISSUER   http://127.0.0.1:PORT, tools/node/oidc-provider.mjs
#   KUVERT_TEST_CHROMIUM      /usr/bin/chromium
#   KUVERT_TEST_NODE_MODULES  <repo>/tools/node/node_modules (playwright-core, axe-core)
#   KUVERT_TEST_XMLSEC1       the xmlsec1 command
#   KUVERT_TEST_PYTHON        <repo>/.venv/bin/python
#   KUVERT_TEST_S3_ENDPOINT   http://127.0.0.1:PORT, a one-node Garage (S3 API, plain HTTP)
#   KUVERT_TEST_S3_BUCKET     kuvert-test, read and write for the key below
#   KUVERT_TEST_S3_REGION     garage
#   KUVERT_TEST_S3_ACCESS_KEY, KUVERT_TEST_S3_SECRET_KEY   that key (made anew at each start)
#   KUVERT_TEST_HAPROXY       the haproxy command (Debian's), for `kuvert cluster`
#   KUVERT_TEST_PDFTOTEXT, KUVERT_TEST_PDFTOPPM   poppler-utils (the paper letters' text, pages)
#   KUVERT_TEST_ZBARIMG       zbar-tools (the paper letters' QR codes)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
run_dir="${KUVERT_RUN_DIR:-/tmp/kuvert-ci}"
pg_bin="${KUVERT_PG_BIN:-/usr/lib/postgresql/15/bin}"
chromium="${KUVERT_CHROMIUM:-/usr/bin/chromium}"
garage="${KUVERT_GARAGE:-$(command -v garage || echo "${CARGO_HOME:-$HOME/.cargo}/bin/garage")}"
ready_seconds=60

say() { echo "services: $*" >&2; }
die() {
    say "FAILED: $*"
    exit 1
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_until() {
    local seconds="$1" what="$2"
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "$what not ready after ${seconds}s"
        sleep 0.2
    done
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# spawn NAME COMMAND...: runs COMMAND in its own session, logging to NAME.log, PID in NAME.pid.
spawn() {
    local name="$1"
    shift
    setsid "$@" </dev/null >"$run_dir/$name.log" 2>&1 &
    echo $! >"$run_dir/$name.pid"
}

# check_alive NAME: fails with the log when the process NAME has already died.
check_alive() {
    kill -0 "$(cat "$run_dir/$1.pid")" 2>/dev/null || {
        tail -n 20 "$run_dir/$1.log" >&2
        die "$1 exited at start"
    }
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    [ -x "$pg_bin/initdb" ] || die "$pg_bin/initdb missing (apt-get install -y postgresql-15)"
    local data="$run_dir/pg/data" sockets="$run_dir/pg/sockets" tls="$run_dir/pg/tls" port
    mkdir -p "$data" "$sockets" "$tls"
    make_pg_certificates "$tls"
    [ "$(id -u)" != 0 ] || chown -R postgres:postgres "$run_dir/pg"
    chmod 700 "$data"
    as_postgres "$pg_bin/initdb" --pgdata="$data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --lc-collate=C >"$run_dir/pg-initdb.log" 2>&1 \
        || { cat "$run_dir/pg-initdb.log" >&2; die "initdb"; }
    port="$(free_port)"
    # Test data only: durability is traded for speed. Byte-order collation (`C`), as Kuvert
    # creates its databases (kuvert-store's provision), and shared buffers that hold a
    # registry of 6 million profiles (the reachability benchmark): PostgreSQL's default of
    # 128 MB would make most of its lookups copies from the operating system's cache.
    as_postgres "$pg_bin/pg_ctl" --pgdata="$data" --log="$run_dir/pg/postgres.log" --wait \
        --timeout="$ready_seconds" start --options="-c port=$port \
        -c listen_addresses=127.0.0.1 -c unix_socket_directories=$sockets \
        -c max_connections=300 -c shared_buffers=2GB -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c ssl=on -c ssl_cert_file=$tls/server.pem \
        -c ssl_key_file=$tls/server.key" >/dev/null \
        || { tail -n 20 "$run_dir/pg/postgres.log" >&2; die "pg_ctl start"; }
    wait_until "$ready_seconds" postgres \
        "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'select 1'
    "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q \
        -c 'create database kuvert_ready_check' -c 'drop database kuvert_ready_check' \
        || die "postgres cannot create a database"
    export KUVERT_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    export KUVERT_TEST_PG_ROOT_CERT="$tls/ca.pem"
    export KUVERT_TEST_PG_TLS_URL="$KUVERT_TEST_PG_URL?sslmode=verify-full&sslrootcert=$tls/ca.pem"
    "$pg_bin/psql" "$KUVERT_TEST_PG_TLS_URL" -Atc 'select ssl from pg_stat_ssl where pid = pg_backend_pid()' \
        | grep -qx t || die "postgres refuses TLS with verify-full against the test CA"
    say "postgres ready at $KUVERT_TEST_PG_URL, TLS with the CA $KUVERT_TEST_PG_ROOT_CERT"
}

# make_pg_certificates DIR: a throwaway CA and a server certificate for 127.0.0.1 (IP SAN only,
# so verify-full passes for 127.0.0.1 and fails for any other name), made at every start and
# never kept in the repository.
make_pg_certificates() {
    local tls="$1"
    (
        cd "$tls"
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Kuvert test PostgreSQL CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout ca.key -out ca.pem
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key \
            -out server.csr
        printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
            >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
            -extfile server.ext -out server.pem
        chmod 600 server.key ca.key
        rm -f server.csr server.ext ca.srl
    ) >"$run_dir/pg-tls.log" 2>&1 || { cat "$run_dir/pg-tls.log" >&2; die "openssl (pg TLS)"; }
}

start_smtp() {
    local port maildir="$run_dir/maildir"
    port="$(free_port)"
    mkdir -p "$maildir"/{cur,new,tmp}
    spawn smtp "$KUVERT_TEST_PYTHON" -m aiosmtpd -n -u -l "127.0.0.1:$port" \
        -c aiosmtpd.handlers.Mailbox "$maildir"
    wait_until "$ready_seconds" smtp check_smtp_listening "$port"
    "$KUVERT_TEST_PYTHON" - "$port" <<'PY' || die "smtp did not accept a test mail"
import smtplib, sys
from email.message import EmailMessage
mail = EmailMessage()
mail["From"], mail["To"], mail["Subject"] = "ci@kuvert.test", "ready@kuvert.test", "ready"
mail.set_content("services start check")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as smtp:
    smtp.send_message(mail)
PY
    wait_until 10 "smtp maildir delivery" grep -rlq "ready@kuvert.test" "$maildir/new"
    rm -f "$maildir"/new/*
    export KUVERT_TEST_SMTP="127.0.0.1:$port" KUVERT_TEST_SMTP_MAILDIR="$maildir"
    say "smtp ready at $KUVERT_TEST_SMTP, Maildir $maildir"
}

# check_smtp_listening PORT [NAME]: the SMTP server NAME (default smtp) runs and listens.
check_smtp_listening() {
    check_alive "${2:-smtp}" && "$KUVERT_TEST_PYTHON" -c \
        'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1"
}

# A test CA and a server certificate for 127.0.0.1 it issues, made fresh in DIR (2 days).
make_smtp_certificate() {
    local dir="$1"
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Kuvert test SMTP CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" >"$dir/openssl.log" 2>&1 || die "openssl CA"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" \
        -out "$dir/server.csr" >>"$dir/openssl.log" 2>&1 || die "openssl server key"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
        "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
        >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" \
        >>"$dir/openssl.log" 2>&1 || die "openssl server certificate"
}

# The STARTTLS variant: aiosmtpd with --tlscert refuses mail before STARTTLS.
start_smtp_tls() {
    local port tls="$run_dir/smtp-tls" maildir="$run_dir/maildir"
    make_smtp_certificate "$tls"
    port="$(free_port)"
    spawn smtp-tls "$KUVERT_TEST_PYTHON" -m aiosmtpd -n -u -l "127.0.0.1:$port" \
        --tlscert "$tls/server.pem" --tlskey "$tls/server.key" \
        -c aiosmtpd.handlers.Mailbox "$maildir"
    wait_until "$ready_seconds" smtp-tls check_smtp_listening "$port" smtp-tls
    "$KUVERT_TEST_PYTHON" - "$port" "$tls/ca.pem" <<'PY' || die "smtp-tls did not take a mail"
import smtplib, ssl, sys
from email.message import EmailMessage
mail = EmailMessage()
mail["From"], mail["To"], mail["Subject"] = "ci@kuvert.test", "ready-tls@kuvert.test", "ready"
mail.set_content("services start check over STARTTLS")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as smtp:
    smtp.starttls(context=ssl.create_default_context(cafile=sys.argv[2]))
    smtp.send_message(mail)
PY
    wait_until 10 "smtp-tls maildir delivery" grep -rlq "ready-tls@kuvert.test" "$maildir/new"
    grep -rl "ready-tls@kuvert.test" "$maildir/new" | xargs rm -f
    export KUVERT_TEST_SMTP_TLS="127.0.0.1:$port" KUVERT_TEST_SMTP_TLS_CA="$tls/ca.pem"
    say "smtp with STARTTLS ready at $KUVERT_TEST_SMTP_TLS, CA $KUVERT_TEST_SMTP_TLS_CA"
}

start_oidc() {
    local issuer_file="$run_dir/oidc.issuer"
    rm -f "$issuer_file"
    spawn oidc node "$repo/tools/node/oidc-provider.mjs" "$issuer_file"
    wait_until "$ready_seconds" oidc-provider check_oidc_listening "$issuer_file"
    KUVERT_TEST_OIDC_ISSUER="$(cat "$issuer_file")"
    export KUVERT_TEST_OIDC_ISSUER
    node "$repo/tools/node/oidc-check.mjs" "$KUVERT_TEST_OIDC_ISSUER" >&2 \
        || die "oidc-provider login check"
    say "oidc-provider ready at $KUVERT_TEST_OIDC_ISSUER"
}

check_oidc_listening() {
    check_alive oidc && [ -s "$1" ]
}

# garage_cli ARGS...: the Garage CLI on this run's configuration.
garage_cli() {
    "$garage" -c "$run_dir/garage/garage.toml" "$@"
}

start_garage() {
    [ -x "$garage" ] || die "$garage missing (tools/services/install-garage.sh)"
    local dir="$run_dir/garage" s3_port rpc_port admin_port node keys
    mkdir -p "$dir/meta" "$dir/data"
    s3_port="$(free_port)"
    rpc_port="$(free_port)"
    admin_port="$(free_port)"
    # One node, as in the quick start (doc/book/quick-start in Garage's repository), on
    # loopback; fsync on, as a deployment that keeps letters runs it.
    cat >"$dir/garage.toml" <<TOML
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "sqlite"
replication_factor = 1
metadata_fsync = true
data_fsync = true
rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3_port"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$admin_port"
admin_token = "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
TOML
    chmod 600 "$dir/garage.toml"
    spawn garage "$garage" -c "$dir/garage.toml" server
    wait_until "$ready_seconds" garage check_garage_up
    node="$(garage_cli node id -q 2>/dev/null)" || die "garage node id"
    {
        garage_cli layout assign -z dc1 -c 1G "${node%%@*}" \
            && garage_cli layout apply --version 1 \
            && garage_cli bucket create kuvert-test
    } >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; die "garage layout or bucket"; }
    keys="$(garage_cli key create kuvert-test-key 2>>"$dir/setup.log")" \
        || { cat "$dir/setup.log" >&2; die "garage key create"; }
    garage_cli bucket allow --read --write --owner kuvert-test --key kuvert-test-key \
        >>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; die "garage bucket allow"; }
    KUVERT_TEST_S3_ACCESS_KEY="$(sed -n 's/^Key ID: *//p' <<<"$keys")"
    KUVERT_TEST_S3_SECRET_KEY="$(sed -n 's/^Secret key: *//p' <<<"$keys")"
    [ -n "$KUVERT_TEST_S3_ACCESS_KEY" ] && [ -n "$KUVERT_TEST_S3_SECRET_KEY" ] \
        || die "garage key create printed no key id and secret"
    wait_until "$ready_seconds" "garage S3 API" check_s3_answers "$s3_port"
    export KUVERT_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port" KUVERT_TEST_S3_BUCKET=kuvert-test
    export KUVERT_TEST_S3_REGION=garage KUVERT_TEST_S3_ACCESS_KEY KUVERT_TEST_S3_SECRET_KEY
    say "garage ready at $KUVERT_TEST_S3_ENDPOINT, bucket kuvert-test"
}

check_garage_up() {
    check_alive garage && garage_cli status
}

# check_s3_answers PORT: the S3 API answers an anonymous request with an S3 error document.
check_s3_answers() {
    python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/kuvert-test", timeout=2)
except urllib.error.HTTPError as error:
    sys.exit(0 if b"<Error>" in error.read() else 1)
sys.exit(0)
PY
}

check_chromium() {
    [ -x "$chromium" ] || die "$chromium missing (apt-get install -y chromium)"
    local page="$run_dir/chromium-check.html" profile
    profile="$(mktemp -d "$run_dir/chromium-profile.XXXXXX")"
    printf '<!doctype html><html lang="sv"><title>Kuvert</title><p id="k">Brevlåda</p></html>\n' \
        >"$page"
    timeout "$ready_seconds" "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$profile" --dump-dom "file://$page" \
        >"$run_dir/chromium-check.out" 2>"$run_dir/chromium-check.log" \
        || { tail -n 20 "$run_dir/chromium-check.log" >&2; die "chromium did not render"; }
    grep -q 'id="k">Brevlåda<' "$run_dir/chromium-check.out" || die "chromium rendered no DOM"
    rm -rf "$profile"
    [ -f "$repo/tools/node/node_modules/playwright-core/package.json" ] \
        && [ -f "$repo/tools/node/node_modules/axe-core/axe.min.js" ] \
        || die "tools/node/node_modules lacks playwright-core or axe-core"
    export KUVERT_TEST_CHROMIUM="$chromium"
    export KUVERT_TEST_NODE_MODULES="$repo/tools/node/node_modules"
    say "chromium renders headless: $chromium"
}

check_oracles() {
    KUVERT_TEST_XMLSEC1="$(command -v xmlsec1)" || die "xmlsec1 missing (apt-get install -y xmlsec1)"
    export KUVERT_TEST_XMLSEC1
    "$KUVERT_TEST_XMLSEC1" --version >/dev/null || die "xmlsec1 does not run"
    "$KUVERT_TEST_PYTHON" -c 'import lxml.etree, signxml, xmlsec, xmlschema, zeep
import openapi_core, openapi_spec_validator' \
        || die "the venv lacks an oracle"
    say "oracles: $KUVERT_TEST_XMLSEC1, $KUVERT_TEST_PYTHON"
}

check_haproxy() {
    KUVERT_TEST_HAPROXY="$(command -v haproxy)" || die "haproxy missing (apt-get install -y haproxy)"
    export KUVERT_TEST_HAPROXY
    "$KUVERT_TEST_HAPROXY" -v >/dev/null || die "haproxy does not run"
    say "load balancer: $KUVERT_TEST_HAPROXY"
}

check_pdf_tools() {
    KUVERT_TEST_PDFTOTEXT="$(command -v pdftotext)" \
        || die "pdftotext missing (apt-get install -y poppler-utils)"
    KUVERT_TEST_PDFTOPPM="$(command -v pdftoppm)" \
        || die "pdftoppm missing (apt-get install -y poppler-utils)"
    KUVERT_TEST_ZBARIMG="$(command -v zbarimg)" \
        || die "zbarimg missing (apt-get install -y zbar-tools)"
    export KUVERT_TEST_PDFTOTEXT KUVERT_TEST_PDFTOPPM KUVERT_TEST_ZBARIMG
    "$KUVERT_TEST_PDFTOTEXT" -v >/dev/null 2>&1 || die "pdftotext does not run"
    "$KUVERT_TEST_ZBARIMG" --version >/dev/null || die "zbarimg does not run"
    say "pdf tools: $KUVERT_TEST_PDFTOTEXT, $KUVERT_TEST_PDFTOPPM, $KUVERT_TEST_ZBARIMG"
}

write_env() {
    local variable
    {
        echo "# Written by tools/services/start.sh at $(date -u +%FT%TZ); source it."
        echo "export KUVERT_RUN_DIR=$(printf '%q' "$run_dir")"
        for variable in KUVERT_TEST_PG_URL KUVERT_TEST_PG_TLS_URL KUVERT_TEST_PG_ROOT_CERT \
            KUVERT_TEST_SMTP KUVERT_TEST_SMTP_MAILDIR KUVERT_TEST_SMTP_TLS KUVERT_TEST_SMTP_TLS_CA \
            KUVERT_TEST_OIDC_ISSUER KUVERT_TEST_CHROMIUM KUVERT_TEST_NODE_MODULES \
            KUVERT_TEST_XMLSEC1 KUVERT_TEST_PYTHON KUVERT_TEST_HAPROXY KUVERT_TEST_S3_ENDPOINT \
            KUVERT_TEST_S3_BUCKET KUVERT_TEST_S3_REGION KUVERT_TEST_S3_ACCESS_KEY \
            KUVERT_TEST_S3_SECRET_KEY KUVERT_TEST_PDFTOTEXT KUVERT_TEST_PDFTOPPM \
            KUVERT_TEST_ZBARIMG; do
            echo "export $variable=$(printf '%q' "${!variable}")"
        done
    } >"$run_dir/env.sh.tmp"
    mv "$run_dir/env.sh.tmp" "$run_dir/env.sh"
}

main() {
    KUVERT_RUN_DIR="$run_dir" bash "$repo/tools/services/stop.sh" --quiet
    # Only a directory this script made (it carries the marker) is ever removed.
    if [ -e "$run_dir/.kuvert-run-dir" ]; then
        rm -rf "$run_dir"
    elif [ -e "$run_dir" ] && [ -n "$(ls -A "$run_dir")" ]; then
        die "$run_dir exists, is not empty and was not made by start.sh"
    fi
    mkdir -p "$run_dir"
    touch "$run_dir/.kuvert-run-dir"
    chmod 755 "$run_dir"
    KUVERT_TEST_PYTHON="$(bash "$repo/tools/setup-python.sh")"
    export KUVERT_TEST_PYTHON
    if [ ! -f "$repo/tools/node/node_modules/.package-lock.json" ]; then
        (cd "$repo/tools/node" && npm ci --no-audit --no-fund >&2)
    fi
    start_postgres
    start_smtp
    start_smtp_tls
    start_oidc
    start_garage
    check_chromium
    check_oracles
    check_haproxy
    check_pdf_tools
    write_env
    say "all ready; source $run_dir/env.sh"
}

main "$@"

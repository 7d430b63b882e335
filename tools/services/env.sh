# Source this file (bash) to get the full external test environment in the current shell:
#   source tools/services/env.sh
# It (re)starts the services with tools/services/start.sh and exports the KUVERT_TEST_*
# variables it wrote to $KUVERT_RUN_DIR/env.sh (default /tmp/kuvert-ci/env.sh). Stop them with
# tools/services/stop.sh. It does not set KUVERT_REQUIRE_ALL; .ci/run does.
if bash "$(dirname "${BASH_SOURCE[0]}")/start.sh"; then
    # shellcheck disable=SC1091
    source "${KUVERT_RUN_DIR:-/tmp/kuvert-ci}/env.sh"
else
    echo "services: start failed; see the logs in ${KUVERT_RUN_DIR:-/tmp/kuvert-ci}" >&2
fi

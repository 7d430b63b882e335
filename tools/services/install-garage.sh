#!/usr/bin/env bash
# Installs Garage (https://garagehq.deuxfleurs.fr), the S3 server the blob-store tests run
# against, with `cargo install` only when no `garage` is on PATH or in ~/.cargo/bin. Building
# it takes about 15-20 minutes on two cores, once; the binary stays in ~/.cargo/bin.
#
# Usage: tools/services/install-garage.sh
set -euo pipefail

version=2.5.0
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
if command -v garage >/dev/null 2>&1 || [ -x "$cargo_bin/garage" ]; then
    echo "install-garage: garage present" >&2
    exit 0
fi
echo "install-garage: cargo install garage $version (takes a while, once)" >&2
cargo install garage --locked --version "$version"

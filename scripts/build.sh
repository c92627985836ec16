#!/usr/bin/env bash
# Builds the triaged binary the way releases and the container image do.
# Usage: scripts/build.sh [OUTPUT]   (GOOS/GOARCH select another platform)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/triaged$( [ "${GOOS:-$(go env GOOS)}" = windows ] && echo .exe)}
version=${TRIAGED_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${version}" -o "$out" ./cmd/triaged
echo "built $out ($version)"

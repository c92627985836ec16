#!/usr/bin/env bash
# Runs triaged's whole test suite against a real PostgreSQL:
# TRIAGED_TEST_DATABASE_URL, else 127.0.0.1:5432, else a private cluster from
# the installed server binaries. Windows code runs under Wine from the same
# go test (internal/winetest); pages run in headless Chromium. Under CI (the
# CI variable set) a missing PostgreSQL, Wine or Chromium fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Wine tests share one prefix; stop its server once they are all done.
trap '[ -x /usr/lib/wine/wineserver ] && WINEPREFIX=${WINEPREFIX:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/triaged/wine-prefix} /usr/lib/wine/wineserver -k 2>/dev/null || true' EXIT

go test -count=1 -timeout 25m "$@" ./...

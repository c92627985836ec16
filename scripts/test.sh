#!/usr/bin/env bash
# Runs triaged's whole test suite: the Go tests on this host against a real
# PostgreSQL, then the Windows-only tests under Wine.
#
# PostgreSQL: TRIAGED_TEST_DATABASE_URL, else 127.0.0.1:5432, else a private
# cluster from the installed server binaries. Missing pieces fail the run;
# nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go test (linux)"
go test -count=1 -timeout 20m ./...

if [ -x .ci/wine-test.sh ]; then
  echo "== go test (windows, under Wine)"
  .ci/wine-test.sh ./proactor/...
fi

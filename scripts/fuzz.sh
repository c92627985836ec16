#!/usr/bin/env bash
# Fuzzes every parser and the signature normalizer for a fixed budget each
# (FUZZTIME, default 10s; CI runs this, run it longer by hand). A crash
# leaves its input under the package's testdata/fuzz/, where it becomes a
# regression test of the normal test run: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZTIME:-10s}
for pkg in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	for target in $(grep -h '^func Fuzz' "$pkg"/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
		echo "== $pkg $target ($budget)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" "$pkg"
	done
done

#!/usr/bin/env bash
# Fuzzes every parser and the signature normalizer for a fixed budget each
# (FUZZTIME, default 10s; CI runs this, run it longer by hand). A crash
# leaves its input under the package's testdata/fuzz/, where it becomes a
# regression test of the normal test run: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZTIME:-10s}

# fuzz runs one target. Go's fuzzer sometimes ends a run with "context
# deadline exceeded" and no failing input when the budget runs out while a
# worker is busy (a tooling hiccup, not a finding): that is retried once.
fuzz() {
	local out
	if out=$(go test -run '^$' -fuzz "^$2\$" -fuzztime "$budget" "$1" 2>&1); then
		echo "$out" | tail -1
		return 0
	fi
	if ! grep -q 'Failing input written' <<<"$out" && grep -q 'context deadline exceeded' <<<"$out"; then
		echo "(fuzzer timed out without a finding; running $2 again)"
		go test -run '^$' -fuzz "^$2\$" -fuzztime "$budget" "$1"
		return
	fi
	echo "$out"
	return 1
}

for pkg in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	for target in $(grep -h '^func Fuzz' "$pkg"/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
		echo "== $pkg $target ($budget)"
		fuzz "$pkg" "$target"
	done
done

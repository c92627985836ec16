#!/usr/bin/env bash
# Regenerates the plain-output samples in testdata/ by running the real
# runners on the sources under testdata/src. Needs go, cargo, node and npm
# (jest and mocha are installed into a throwaway directory, never the repo),
# and pytest (`apt-get install -y python3-pytest`). Outputs are stdout and
# stderr together, as `triaged stress exec` reads them. Exit statuses are
# ignored: most of these runs fail on purpose.
set -uo pipefail
td=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/rgen.XXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$td/src/." "$work/"

# go: the module with pass, fail, skip, subtests, a panic, a build failure
# and a timeout; the -json run is the reference for test ids.
(cd "$work/gomod" &&
	go test -timeout 3s ./... >"$td/gotest.txt" 2>&1
	go test -v -timeout 3s ./... >"$td/gotest-v.txt" 2>&1
	go test -json -timeout 3s ./... >"$td/gotest-ids.json" 2>/dev/null)

# cargo: lib, bin and two integration-test binaries plus doc-tests.
(cd "$work/crate" && export CARGO_TARGET_DIR="$work/target" &&
	env -u RUST_BACKTRACE cargo test --offline >"$td/cargo.txt" 2>&1
	env -u RUST_BACKTRACE cargo test --offline --no-fail-fast >"$td/cargo-no-fail-fast.txt" 2>&1
	RUST_BACKTRACE=1 cargo test --offline --lib >"$td/cargo-backtrace.txt" 2>&1)

# node --test: Node 20 prints TAP when stdout is not a terminal.
(cd "$work/node" &&
	node --test >"$td/node-tap.txt" 2>&1
	node --test --test-reporter=spec >"$td/node-spec.txt" 2>&1)

# jest and mocha from the npm registry, outside the repository.
js="$work/jsdeps"
mkdir -p "$js" && (cd "$js" && npm init -y >/dev/null && npm install --no-audit --no-fund jest mocha >/dev/null 2>&1)
(cd "$work/jest" && echo '{"name":"flaky-jest","private":true}' >package.json &&
	"$js/node_modules/.bin/jest" --ci --rootDir . >"$td/jest.txt" 2>&1
	"$js/node_modules/.bin/jest" --ci --verbose --rootDir . >"$td/jest-verbose.txt" 2>&1)
(cd "$work/mocha" && "$js/node_modules/.bin/mocha" math.spec.js >"$td/mocha.txt" 2>&1)

# pytest from Debian's python3-pytest.
(cd "$work/pytest" &&
	/usr/bin/python3 -m pytest -p no:cacheprovider >"$td/pytest-collect-error.txt" 2>&1
	/usr/bin/python3 -m pytest -p no:cacheprovider --continue-on-collection-errors >"$td/pytest.txt" 2>&1
	/usr/bin/python3 -m pytest -p no:cacheprovider --continue-on-collection-errors -v >"$td/pytest-v.txt" 2>&1)
echo "samples written to $td"

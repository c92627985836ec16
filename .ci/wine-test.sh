#!/usr/bin/env bash
# Run Windows test binaries of the given packages under Wine:
#   .ci/wine-test.sh ./proactor/... [-- go test flags]
# It prepares Wine with wine-setup.sh and stops the prefix's wineserver on
# exit, pass or fail, so no Wine process outlives the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/wine-setup.sh >/dev/null
trap '"$WINESERVER" -k 2>/dev/null || true' EXIT
pkgs=() flags=()
while (($#)); do
	if [[ $1 == -- ]]; then shift; flags=("$@"); break; fi
	pkgs+=("$1"); shift
done
((${#pkgs[@]})) || pkgs=(./proactor/...)
GOOS=windows go test -exec "$WINE" "${flags[@]}" "${pkgs[@]}"

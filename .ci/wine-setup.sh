#!/usr/bin/env bash
# Prepare Wine to run GOOS=windows test binaries (the proactor iocp
# backend's real overlapped I/O) on a Debian host. Idempotent: it installs
# wine64 and the mingw binutils only when missing, creates a private prefix
# once, and (re)builds the bcryptprimitives.dll forwarder that Go >= 1.22
# binaries need under Wine 8 (Wine lacks ProcessPrng; advapi32's
# SystemFunction036, i.e. RtlGenRandom, does the same job).
#
# Run it, or source it to get the variables exported into your shell:
#   source .ci/wine-setup.sh
#   GOOS=windows go test -exec "$WINE" ./proactor/...
#   "$WINESERVER" -k
# .ci/wine-test.sh wraps exactly that. Prints the exports on stdout.
set -euo pipefail

WINE=${WINE:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver}
WINEPREFIX=${WINEPREFIX:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/triaged/wine-prefix}
WINEDEBUG=${WINEDEBUG:--all}
WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
export WINE WINESERVER WINEPREFIX WINEDEBUG WINEDLLOVERRIDES

wine_log() { echo "wine-setup: $*" >&2; }

wine_install_packages() {
	local missing=()
	[[ -x $WINE ]] || missing+=(wine64)
	command -v x86_64-w64-mingw32-ld >/dev/null || missing+=(binutils-mingw-w64-x86-64)
	((${#missing[@]})) || return 0
	local sudo=()
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null || { wine_log "need root to install ${missing[*]}"; return 1; }
		sudo=(sudo)
	fi
	# Update the package lists only when they cannot name a candidate.
	if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
		wine_log "apt-get update"
		"${sudo[@]}" apt-get update -qq >&2
	fi
	wine_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

wine_build_dll() {
	local dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
	[[ -s $dll ]] && x86_64-w64-mingw32-objdump -p "$dll" 2>/dev/null | grep -q 'advapi32.SystemFunction036' && return 0
	local work
	work=$(mktemp -d)
	printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\nProcessPrng = advapi32.SystemFunction036\n' >"$work/bcryptprimitives.def"
	x86_64-w64-mingw32-as -o "$work/empty.o" /dev/null
	x86_64-w64-mingw32-ld --dll -e 0 -o "$work/bcryptprimitives.dll" "$work/empty.o" "$work/bcryptprimitives.def"
	cp "$work/bcryptprimitives.dll" "$dll"
	rm -rf "$work"
	wine_log "installed forwarding $dll"
}

wine_setup() {
	wine_install_packages
	if [[ ! -f $WINEPREFIX/system.reg ]]; then
		wine_log "creating prefix $WINEPREFIX"
		mkdir -p "$WINEPREFIX"
		"$WINE" wineboot --init >/dev/null 2>&1 || true
		"$WINESERVER" -w
		[[ -f $WINEPREFIX/system.reg ]] || { wine_log "wineboot did not create $WINEPREFIX"; return 1; }
	fi
	wine_build_dll
	cat <<EXPORTS
export WINE=$WINE
export WINESERVER=$WINESERVER
export WINEPREFIX=$WINEPREFIX
export WINEDEBUG=$WINEDEBUG
export WINEDLLOVERRIDES=$WINEDLLOVERRIDES
EXPORTS
}

wine_setup

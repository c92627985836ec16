package signature

import "strings"

// detect picks the format of the text and builds its key. Crashes come
// first (a panic or a sanitizer report makes everything else in the text
// irrelevant), then tracebacks, then test runners' reports, then any log.
func (k *key) detect() {
	f := scanFeatures(k.lines)
	has := func(m features) bool { return f&m != 0 }
	switch {
	case has(fGoPanic) && k.goPanic(), has(fSanitizer) && k.sanitizer(),
		has(fRustPanic) && k.rustPanic(), has(fPyCrash) && k.pythonCrash():
		return
	}
	if has(fTraceback) {
		if chain := pythonChain(k.lines); chain != nil {
			k.python(chain)
			return
		}
	}
	switch {
	case has(fFrame|fManaged) && (k.jvmTrace() || k.dotnetTrace()),
		has(fNode) && k.nodeCrash(),
		has(fRuby) && (k.rspec() || k.minitest()),
		has(fJSTest|fFrame) && k.jsFailure(),
		has(fGtest) && k.gtest(),
		has(fGoTest) && k.goTest(),
		has(fRustTest) && k.rustTest(),
		has(fPytest) && k.pytest(),
		k.surefireSummary():
	default:
		k.generic()
	}
}

// pythonCrash handles faulthandler output: a regrtest timeout or a fatal
// error, which make the other tracebacks in the text irrelevant.
func (k *key) pythonCrash() bool {
	for i, l := range k.lines {
		if (strings.HasPrefix(l, "Timeout (") && strings.HasSuffix(l, ")!")) ||
			strings.HasPrefix(l, "Fatal Python error: ") {
			return k.faulthandler(k.lines, i)
		}
	}
	return false
}

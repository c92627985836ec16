package signature

import "strings"

// detect picks the format of the text and builds its key. Crashes come
// first (a panic or a sanitizer report makes everything else in the text
// irrelevant), then tracebacks, then test runners' reports, then any log.
func (k *key) detect() {
	switch {
	case k.goPanic(), k.sanitizer(), k.rustPanic(), k.pythonCrash():
		return
	}
	if chain := pythonChain(k.lines); chain != nil {
		k.python(chain)
		return
	}
	switch {
	case k.jvmTrace(), k.dotnetTrace(), k.nodeCrash(), k.jsFailure(), k.gtest(), k.goTest(), k.rustTest(), k.pytest():
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

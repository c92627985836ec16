package signature

import "strings"

// envCauses are errors of the machine a test ran on rather than of the
// test: no DNS, no network, a full disk, no file descriptors left. One of
// them hits every test that touches it, and a triager wants to see it as
// one group across those tests, not one group per test.
var envCauses = [...]string{
	"no such host", "server misbehaving", "Temporary failure in name resolution",
	"Name or service not known", "nodename nor servname provided", "network is unreachable",
	"no route to host", "no space left on device", "too many open files",
	"cannot allocate memory", "read-only file system", "certificate has expired",
}

// localCauses are operating-system and network errors that a test's own
// server or client can cause: they mark a log line as the failure, but
// stay keyed with the test, since one test's timeout is not another's.
var localCauses = [...]string{
	"i/o timeout", "connection refused", "connection reset", "broken pipe",
	"use of closed network connection", "EOF", "deadline exceeded", "context canceled",
	"no such file or directory", "permission denied", "address already in use",
	"stream closed", "GOAWAY", "TLS handshake", "timed out",
	// The same as Node, Java and .NET word them.
	"ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EADDRINUSE", "socket hang up",
	"Connection refused", "Connection reset", "Broken pipe", "Address already in use",
}

// goOps begin the operation part of Go's errors (net.OpError,
// net.DNSError, fs.PathError, url.Error).
var goOps = [...]string{"lookup ", "dial ", "read ", "write ", "accept ", "listen ", "open ", "stat ",
	"mkdir ", "remove ", "rename ", "Get ", "Post ", "Put ", "Head ", "Delete "}

// hasCause reports whether a message carries an operating-system or
// network error.
func hasCause(msg string) bool {
	_, end, _ := findCause(msg)
	return end > 0
}

// envCause finds an environment error in a message and returns it with
// the operation it failed in ("lookup golang.org on 10.0.0.53:53: no such
// host" out of "LookupHost(golang.org): lookup …"), dropping what the test
// said around it.
func envCause(msg string) (string, bool) {
	// A name lookup that failed in any way ("lookup x: read udp …:
	// connection refused") is the resolver's fault, not the test's.
	for rest := msg; ; {
		l := strings.LastIndex(rest, "lookup ")
		if l < 0 {
			break
		}
		if l == 0 || rest[l-1] == ' ' || rest[l-1] == '"' {
			if cut := causeEnd(rest[l:]); cut > 0 {
				if c := strings.Index(rest[l:], ": "); c > 0 && c < cut && !strings.ContainsAny(rest[l:l+c], "()") {
					return rest[l : l+cut], true
				}
			}
		}
		rest = rest[:l]
	}
	for _, c := range envCauses {
		at := strings.Index(msg, c)
		if at < 0 {
			continue
		}
		// The operation is the ": "-separated segment before the cause.
		start := 0
		if k := strings.LastIndex(msg[:at], ": "); k >= 0 {
			start = k + 2
			if j := strings.LastIndex(msg[:k], ": "); j >= 0 {
				start = j + 2
			} else {
				start = 0
			}
		}
		// Go names the failed operation first ("lookup x", "dial tcp
		// x", "open /x"): what a test logged before it is the test's.
		for _, op := range goOps {
			if k := strings.LastIndex(msg[start:at], op); k > 0 && msg[start+k-1] == ' ' {
				start += k
				break
			}
		}
		// A quoted error ("lookup failed: \\"lookup x: no such host\\"")
		// starts after its quote.
		if q := strings.LastIndexAny(msg[start:at], `"'`); q >= 0 {
			start += q + 1
		}
		return msg[start : at+len(c)], true
	}
	return "", false
}

// causeEnd returns where the last operating-system or network error in s
// ends, or 0: what follows it (" (mode=go)", a closing quote) is the
// test's.
func causeEnd(s string) int {
	end := 0
	for _, list := range [...][]string{envCauses[:], localCauses[:]} {
		for _, c := range list {
			if k := strings.LastIndex(s, c); k >= 0 && k+len(c) > end {
				end = k + len(c)
			}
		}
	}
	return end
}

// whereMatters reports whether an exception says too little by itself
// for its message to be the reason, so that where it was raised must be
// part of the key: an assertion, a bare timeout or crash, a message of one
// word, or a type whose message is the same wherever it is raised
// ("Object reference not set to an instance of an object"). Otherwise
// the message is the reason and the frames stay out of the key: reports
// pasted into trackers often lose the stack trace, and the same error
// from the same cause should not split on whether it was pasted whole.
func whereMatters(typ, msg string) bool {
	if _, env := envCause(msg); hasCause(msg) && !env {
		return true // a test's own server or client: one test's reset is not another's
	}
	if strings.Contains(typ, "Assert") || strings.Contains(typ, "Comparison") || contentFree(msg) ||
		len(strings.Fields(msg)) < 2 || strings.HasPrefix(msg, "expect") || strings.HasPrefix(msg, "Expected") ||
		strings.HasPrefix(msg, "Assert.") {
		return true
	}
	switch typ {
	case "NullReferenceException", "NullPointerException", "IndexOutOfRangeException", "ArgumentOutOfRangeException",
		"ArrayIndexOutOfBoundsException", "IndexOutOfBoundsException", "StringIndexOutOfBoundsException",
		"ObjectDisposedException", "InvalidOperationException", "TaskCanceledException", "OperationCanceledException",
		"TimeoutException", "ConcurrentModificationException", "ClassCastException", "InvalidCastException",
		"NoSuchElementException", "KeyNotFoundException", "ArgumentNullException", "IllegalArgumentException",
		"IllegalStateException", "StackOverflowError", "TypeError", "RangeError", "ReferenceError",
		"UnsupportedOperationException", "NotImplementedException", "NotSupportedException",
		"NoMethodError", "NameError": // Ruby's nil and undefined names
		return true
	}
	return false
}

// causeChain returns the end of a Go error chain in msg: the operation
// that failed and its cause ("read tcp 127.0.0.1:1->127.0.0.1:2: use of
// closed network connection" out of "i=3: Do = Post http://…: read tcp
// …"), or "" when msg carries no known cause. What the test said before
// it (which request, which iteration) varies between runs. A cause cut
// short at the end of the message ("use of close") reads as the whole.
func causeChain(msg string) string {
	at, end, cause := findCause(msg)
	if end == 0 {
		return ""
	}
	start := -1
	for _, op := range goOps {
		if k := strings.LastIndex(msg[:at], op); k >= 0 && (k == 0 || msg[k-1] == ' ' || msg[k-1] == '"') && k > start {
			start = k
		}
	}
	if start < 0 {
		return ""
	}
	return msg[start:at] + cause
}

// causesByFirst lists the known causes by their first byte, so that
// findCause looks at each word of a message once instead of searching the
// message for every cause. It is built once and never changed.
var causesByFirst = func() (idx [256][]string) {
	for _, list := range [...][]string{envCauses[:], localCauses[:]} {
		for _, c := range list {
			idx[c[0]] = append(idx[c[0]], c)
		}
	}
	return idx
}()

// findCause finds the last known cause in s that starts a word, or one cut
// short at the end of s (6 bytes of it at least).
func findCause(s string) (at, end int, cause string) {
	for k := 0; k < len(s); k++ {
		if k > 0 && isWord(s[k-1]) {
			continue
		}
		for _, c := range causesByFirst[s[k]] {
			if strings.HasPrefix(s[k:], c) && k+len(c) > end {
				at, end, cause = k, k+len(c), c
			}
		}
	}
	if end > 0 {
		return at, end, cause
	}
	t := strings.TrimRight(s, " ")
	for k := len(t) - 6; k >= 1 && k > len(t)-40; k-- {
		if t[k-1] != ' ' && t[k-1] != ':' {
			continue
		}
		for _, c := range causesByFirst[t[k]] {
			if strings.HasPrefix(c, t[k:]) {
				return k, len(t), c
			}
		}
	}
	return 0, 0, ""
}

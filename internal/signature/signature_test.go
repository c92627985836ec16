package signature

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var hashForm = regexp.MustCompile(`^[0-9a-f]{16}$`)

// Two reports of bpo-33694 as different buildbots print them: other
// paths, line numbers, addresses and ports.
const (
	startTLSPosix = `======================================================================
ERROR: test_start_tls_server_1 (test.test_asyncio.test_sslproto.ProactorStartTLSTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/home/buildbot/buildarea/3.x.bolen/build/Lib/test/test_asyncio/test_sslproto.py", line 467, in test_start_tls_server_1
    self.loop.run_until_complete(run_main())
  File "/home/buildbot/buildarea/3.x.bolen/build/Lib/asyncio/base_events.py", line 566, in run_until_complete
    raise RuntimeError('Event loop stopped before Future completed.')
RuntimeError: Event loop stopped before Future completed.
`
	startTLSWindows = `0:05:12 load avg: 1.21 [163/414/1] test_asyncio failed
ERROR: test_start_tls_server_1 (test.test_asyncio.test_sslproto.ProactorStartTLSTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "D:\cygwin\home\db3l\buildarea\3.x.bolen-windows7\build\lib\test\test_asyncio\test_sslproto.py", line 471, in test_start_tls_server_1
    self.loop.run_until_complete(run_main())
  File "D:\cygwin\home\db3l\buildarea\3.x.bolen-windows7\build\lib\asyncio\base_events.py", line 569, in run_until_complete
    raise RuntimeError('Event loop stopped before Future completed.')
RuntimeError: Event loop stopped before Future completed.
`
	startTLSTimeout = `ERROR: test_start_tls_server_1 (test.test_asyncio.test_sslproto.SelectorStartTLSTests)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/usr/home/buildbot/python/3.x.koobs-freebsd-current/build/Lib/test/test_asyncio/test_sslproto.py", line 467, in test_start_tls_server_1
    self.loop.run_until_complete(run_main())
  File "/usr/home/buildbot/python/3.x.koobs-freebsd-current/build/Lib/asyncio/base_events.py", line 568, in run_until_complete
    return future.result()
  File "/usr/home/buildbot/python/3.x.koobs-freebsd-current/build/Lib/asyncio/tasks.py", line 416, in wait_for
    raise futures.TimeoutError()
concurrent.futures._base.TimeoutError
`
)

func TestComputeGroupsRunsOfOneBug(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{name: "POSIX and Windows buildbots", a: startTLSPosix, b: startTLSWindows},
		{
			name: "Go panic on two hosts",
			a: `panic: runtime error: invalid memory address or nil pointer dereference [recovered]
	panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x5a1b2c]

goroutine 42 [running]:
testing.tRunner.func1.2({0x6c4f20, 0x9e7a30})
	/usr/local/go/src/testing/testing.go:1545 +0x238
panic({0x6c4f20?, 0x9e7a30?})
	/usr/local/go/src/runtime/panic.go:914 +0x21f
github.com/triaged/triaged/proactor.(*Transport).PauseReading(0x0)
	/home/ci/work/triaged/proactor/transport.go:211 +0x1c
github.com/triaged/triaged/proactor.TestPauseResume(0xc0001a2340)
	/home/ci/work/triaged/proactor/transport_test.go:88 +0x1d5
testing.tRunner(0xc0001a2340, 0x6f3e58)
	/usr/local/go/src/testing/testing.go:1595 +0xff
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:1648 +0x3ad
`,
			b: `2024-02-01T08:00:01.1234567Z panic: runtime error: invalid memory address or nil pointer dereference [recovered]
2024-02-01T08:00:01.1234567Z 	panic: runtime error: invalid memory address or nil pointer dereference
2024-02-01T08:00:01.1234567Z [signal 0xc0000005 code=0x0 addr=0x18 pc=0x7ff6a1b2c3d4]
2024-02-01T08:00:01.1234567Z 
2024-02-01T08:00:01.1234567Z goroutine 7 [running]:
2024-02-01T08:00:01.1234567Z testing.tRunner.func1.2({0x7ff6a1c4f20, 0x7ff6a19e7a30})
2024-02-01T08:00:01.1234567Z 	C:/hostedtoolcache/windows/go/1.21.6/x64/src/testing/testing.go:1545 +0x3f7
2024-02-01T08:00:01.1234567Z panic({0x7ff6a1c4f20?, 0x7ff6a19e7a30?})
2024-02-01T08:00:01.1234567Z 	C:/hostedtoolcache/windows/go/1.21.6/x64/src/runtime/panic.go:920 +0x270
2024-02-01T08:00:01.1234567Z github.com/triaged/triaged/proactor.(*Transport).PauseReading(0x0)
2024-02-01T08:00:01.1234567Z 	D:/a/triaged/triaged/proactor/transport.go:215 +0x1c
2024-02-01T08:00:01.1234567Z github.com/triaged/triaged/proactor.TestPauseResume(0xc000082b60)
2024-02-01T08:00:01.1234567Z 	D:/a/triaged/triaged/proactor/transport_test.go:90 +0x1d5
`,
		},
		{
			name: "Go test timeouts with different dumps",
			a:    "panic: test timed out after 10m0s\nrunning tests:\n\tTestStartTLS (9m59s)\n\ngoroutine 33 [running]:\ntesting.(*M).startAlarm.func1()\n",
			b:    "panic: test timed out after 3m0s\nrunning tests:\n\tTestStartTLS (3m0s)\n\ngoroutine 7 [running]:\ntesting.(*M).startAlarm.func1()\n\t/usr/lib/go/src/testing/testing.go:2366 +0x265\n",
		},
		{
			name: "repeated lines collapse",
			a:    "--- FAIL: TestDial (0.80s)\n    dial_test.go:213: dial tcp 127.0.0.1:24574: i/o timeout\n",
			b:    "--- FAIL: TestDial (1.80s)\n    dial_test.go:215: dial tcp 127.0.0.1:1999: i/o timeout\n    dial_test.go:215: dial tcp 127.0.0.1:1999: i/o timeout\n",
		},
		{
			name: "exception type printed under another module",
			a:    startTLSTimeout,
			b:    strings.ReplaceAll(startTLSTimeout, "concurrent.futures._base.TimeoutError", "asyncio.exceptions.TimeoutError"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Compute(tt.a), Compute(tt.b)
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("runs of one bug signed differently (-a +b):\n%s", diff)
			}
		})
	}
}

func TestComputeSplitsBugs(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{name: "same test, another exception", a: startTLSPosix, b: startTLSTimeout},
		{
			name: "same test, another message",
			a:    "--- FAIL: TestNohup (1.25s)\n    signal_test.go:329: ran test and it succeeded: expected failure.\n",
			b:    "--- FAIL: TestNohup (1.62s)\n    signal_test.go:354: ran test under nohup and it failed: expected success.\n",
		},
		{
			name: "same message, another test",
			a:    "--- FAIL: TestDialerDualStack (4.91s)\n\tdial_test.go:664: dial tcp 127.0.0.1:4306: i/o timeout\n",
			b:    "--- FAIL: TestDialerDualStackFDLeak (0.12s)\n\tdial_test.go:213: dial tcp 127.0.0.1:19773: i/o timeout\n",
		},
		{
			name: "same root cause, surfaced differently",
			a:    chained("RuntimeError: worker failed"),
			b:    chained("AssertionError: worker failed"),
		},
		{
			name: "panics at different places",
			a:    "panic: boom\n\ngoroutine 1 [running]:\nmain.a()\n\t/x/a.go:3 +0x1\n",
			b:    "panic: boom\n\ngoroutine 1 [running]:\nmain.b()\n\t/x/b.go:3 +0x1\n",
		},
		{
			name: "timeouts in different tests",
			a:    "panic: test timed out after 10m0s\nrunning tests:\n\tTestA (10m0s)\n",
			b:    "panic: test timed out after 10m0s\nrunning tests:\n\tTestB (10m0s)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Compute(tt.a), Compute(tt.b)
			if a.Hash == b.Hash {
				t.Errorf("different bugs share signature %s:\n%s\n--- and ---\n%s", a.Hash, a.Normalized, b.Normalized)
			}
		})
	}
}

// chained is a traceback whose root cause, a ConnectionResetError, was
// wrapped by the test harness in the given exception line.
func chained(final string) string {
	return `Traceback (most recent call last):
  File "/src/Lib/asyncio/sslproto.py", line 100, in _do_read
    data = self._sslobj.read()
ConnectionResetError: [Errno 104] Connection reset by peer

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/src/Lib/test/test_x.py", line 20, in test_read
    self.fail()
` + final + "\n"
}

func TestComputeKeys(t *testing.T) {
	tests := []struct {
		name       string
		text       string
		title      string
		normalized string
	}{
		{
			name:  "chained exceptions key on the root cause",
			text:  chained("RuntimeError: worker 4242 failed"),
			title: "ConnectionResetError: [Errno <N>] Connection reset by peer (surfaced as RuntimeError)",
			normalized: "python\nexception: ConnectionResetError: [Errno <N>] Connection reset by peer\n" +
				"at: sslproto.py _do_read\nsurfaced as: RuntimeError",
		},
		{
			name: "the unittest block wins over an earlier logged traceback",
			text: `Exception in callback _SelectorTransport._call_connection_lost()
Traceback (most recent call last):
  File "/src/Lib/asyncio/events.py", line 80, in _run
    self._context.run(self._callback, *self._args)
OSError: [Errno 9] Bad file descriptor
======================================================================
FAIL: test_close (test.test_asyncio.test_x.Tests.test_close)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/src/Lib/test/test_asyncio/test_x.py", line 12, in test_close
    self.assertEqual(n, 3)
AssertionError: 2 != 3
`,
			title:      "AssertionError: <N> != <N>",
			normalized: "python\nexception: AssertionError: <N> != <N>\nat: test_x.py test_close",
		},
		{
			name: "regrtest timeout keys on the hung frames",
			text: `0:15:00 load avg: 0.5 [145/382/3] test_asyncio
Timeout (0:15:00)!
Thread 0x00007f3c8e7fc700 (most recent call first):
  File "/buildarea/Lib/selectors.py", line 469 in select
  File "/buildarea/Lib/asyncio/base_events.py", line 1898 in _run_once
  File "/buildarea/Lib/asyncio/base_events.py", line 601 in run_forever
  File "/buildarea/Lib/unittest/case.py", line 591 in run
Thread 0x00007f3c9a1b5740 (most recent call first):
  File "/buildarea/Lib/threading.py", line 320 in wait
`,
			title:      "Timeout",
			normalized: "python-faulthandler\nTimeout\nat: selectors.py select\nat: base_events.py _run_once\nat: base_events.py run_forever",
		},
		{
			name:       "go test failure keys on the test and its message",
			text:       "=== RUN   TestStop\n    signal_test.go:32: timeout waiting for window size changes\n--- FAIL: TestStop (1.98s)\nFAIL\nFAIL\tos/signal\t10.420s\n",
			title:      "TestStop: signal_test.go: timeout waiting for window size changes",
			normalized: "go-test\ntest: TestStop\nmessage: signal_test.go: timeout waiting for window size changes",
		},
		{
			name: "data race keys on both accesses",
			text: `==================
WARNING: DATA RACE
Write at 0x00c0000b6010 by goroutine 7:
  github.com/triaged/triaged/stress.(*Detector).Observe()
      /src/stress/detector.go:41 +0x3a
  github.com/triaged/triaged/stress.run.func1()
      /src/stress/run.go:12 +0x44

Previous read at 0x00c0000b6010 by goroutine 6:
  github.com/triaged/triaged/stress.(*Detector).Report()
      /src/stress/detector.go:77 +0x2e

Goroutine 7 (running) created at:
  github.com/triaged/triaged/stress.run()
      /src/stress/run.go:10 +0x1c
==================
`,
			title: "data race at stress.(*Detector).Observe",
			normalized: "go-race\nWARNING: DATA RACE\naccess: stress.(*Detector).Observe < stress.run.func1\n" +
				"access: stress.(*Detector).Report",
		},
		{
			name:       "a log tail keys on its first error line",
			text:       "starting server on :8080\nconnecting to 10.0.0.7:5432\nERROR: could not connect to database: connection refused\nretrying in 5s\nERROR: could not connect to database: connection refused\n",
			title:      "ERROR: could not connect to database: connection refused",
			normalized: "log\nerror: ERROR: could not connect to database: connection refused",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compute(tt.text)
			if diff := cmp.Diff(tt.normalized, got.Normalized); diff != "" {
				t.Errorf("Normalized mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.title, got.Title); diff != "" {
				t.Errorf("Title mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeEmpty(t *testing.T) {
	empty := Compute("")
	for _, text := range []string{" ", "\n\n", "\t \r\n"} {
		if diff := cmp.Diff(empty, Compute(text)); diff != "" {
			t.Errorf("Compute(%q) differs from Compute(\"\") (-want +got):\n%s", text, diff)
		}
	}
	if empty.Title != EmptyTitle {
		t.Errorf("empty text title = %q, want %q", empty.Title, EmptyTitle)
	}
	if empty.Hash == Compute("x").Hash {
		t.Errorf("empty text shares its signature with a real one")
	}
}

func TestComputeShape(t *testing.T) {
	for _, text := range []string{startTLSPosix, "", "just one line", strings.Repeat("é", 500)} {
		s := Compute(text)
		if !hashForm.MatchString(s.Hash) {
			t.Errorf("Hash = %q, want 16 lower-case hex digits", s.Hash)
		}
		if s.Algorithm != Version {
			t.Errorf("Algorithm = %d, want %d", s.Algorithm, Version)
		}
		if len(s.Title) > MaxTitle || strings.ContainsAny(s.Title, "\n\r") || !utf8.ValidString(s.Title) {
			t.Errorf("Title %q: want one valid UTF-8 line of at most %d bytes", s.Title, MaxTitle)
		}
	}
}

func TestComputeHugeInput(t *testing.T) {
	// A hung server's goroutine dump: megabytes after the panic line.
	var b strings.Builder
	b.WriteString("panic: test timed out after 10m0s\nrunning tests:\n\tTestHang (10m0s)\n\n")
	for i := 0; b.Len() < 32<<20; i++ {
		b.WriteString("goroutine 1234 [chan receive, 9 minutes]:\nmain.worker(0xc000123456)\n\t/src/main.go:42 +0x1f\n\n")
	}
	b.WriteString(strings.Repeat("x", 8<<20)) // and one endless line
	s := Compute(b.String())
	if s.Title != "test timed out: TestHang" {
		t.Errorf("Title = %q, want the hung test", s.Title)
	}
	if len(s.Normalized) > 4096 {
		t.Errorf("Normalized is %d bytes; want it bounded", len(s.Normalized))
	}
}

func TestComputeConcurrent(t *testing.T) {
	texts := loadCorpus(t)
	want := make([]Signature, len(texts))
	for i, c := range texts {
		want[i] = Compute(c.text)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range texts {
				if got := Compute(c.text); got != want[i] {
					t.Errorf("%s: concurrent Compute = %+v, want %+v", c.file, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func TestDetector(t *testing.T) {
	s := Detector("lost-bytes", "after pause_reading during start_tls")
	if want := "lost-bytes after pause_reading during start_tls"; s.Title != want {
		t.Errorf("Title = %q, want %q", s.Title, want)
	}
	if got := Detector(" Lost-Bytes ", "after  pause_reading\tduring start_tls"); got != s {
		t.Errorf("spacing and case changed the signature: %+v vs %+v", got, s)
	}
	// Evidence passed in by mistake must not split the group.
	if a, b := Detector("lost-bytes", "after 4096 bytes"), Detector("lost-bytes", "after 17 bytes"); a.Hash != b.Hash {
		t.Errorf("numbers in the phase split the signature: %q vs %q", a.Normalized, b.Normalized)
	}
	for _, other := range []Signature{
		Detector("duplicates", "after pause_reading during start_tls"),
		Detector("lost-bytes", "after resume_reading during start_tls"),
		Compute("lost-bytes after pause_reading during start_tls"),
	} {
		if other.Hash == s.Hash {
			t.Errorf("%q shares the signature of %q", other.Title, s.Title)
		}
	}
}

func TestComputeManyShortLines(t *testing.T) {
	// The traceback that matters is at the end, after more lines than
	// Compute keeps: the window must keep the tail.
	text := strings.Repeat("x\n", 100000) + startTLSPosix
	if got, want := Compute(text).Title, Compute(startTLSPosix).Title; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
}

func TestComputeExceptionGroup(t *testing.T) {
	text := `  + Exception Group Traceback (most recent call last):
  |   File "/src/Lib/test/test_asyncio/test_taskgroups.py", line 40, in test_children
  |     async with taskgroups.TaskGroup() as g:
  |   File "/src/Lib/asyncio/taskgroups.py", line 71, in __aexit__
  |     raise BaseExceptionGroup(
  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)
  +-+---------------- 1 ----------------
    | Traceback (most recent call last):
    |   File "/src/Lib/test/test_asyncio/test_taskgroups.py", line 33, in child
    |     await reader.readexactly(4096)
    |   File "/src/Lib/asyncio/streams.py", line 750, in readexactly
    |     raise exceptions.IncompleteReadError(incomplete, n)
    | asyncio.exceptions.IncompleteReadError: 1024 bytes read on a total of 4096 expected bytes
    +------------------------------------
`
	want := "python\nexception: IncompleteReadError: <N> bytes read on a total of <N> expected\n" +
		"at: streams.py readexactly\nat: test_taskgroups.py"
	if diff := cmp.Diff(want, Compute(text).Normalized); diff != "" {
		t.Errorf("Normalized mismatch (-want +got):\n%s", diff)
	}
}

func TestComputePathsWithBlanks(t *testing.T) {
	posix := "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/ssl.py\", line 1342, in do_handshake\n    self._sslobj.do_handshake()\nssl.SSLError: [SSL] internal error\n"
	windows := strings.ReplaceAll(posix, "/usr/lib/python3.11/ssl.py", `C:\Program Files\Python311\Lib\ssl.py`)
	if a, b := Compute(posix), Compute(windows); a.Hash != b.Hash {
		t.Errorf("a path with blanks changed the signature:\n%s\n--- and ---\n%s", a.Normalized, b.Normalized)
	}
	goPosix := "panic: boom\n\ngoroutine 1 [running]:\nmain.f()\n\t/home/u/src/x/main.go:12 +0x1f\n"
	goWindows := "panic: boom\n\ngoroutine 1 [running]:\nmain.f()\n\tC:/Users/John Doe/src/x/main.go:14 +0x1f\n"
	if a, b := Compute(goPosix), Compute(goWindows); a.Hash != b.Hash {
		t.Errorf("a Go path with blanks changed the signature:\n%s\n--- and ---\n%s", a.Normalized, b.Normalized)
	}
}

package signature

import (
	"strings"
	"testing"
)

// TestComputeGeneralizes covers the classes of misses issue 13 reports on
// real texts the algorithm had not seen: each pair is one bug.
func TestComputeGeneralizes(t *testing.T) {
	goaway := `--- FAIL: TestTransportGoAway (0.31s)
    transport_test.go:912: Get "https://127.0.0.1:41234/": http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug=""
`
	tests := []struct {
		name string
		a, b string
	}{
		{
			name: "numbers that happen to be equal",
			a:    "--- FAIL: TestCache (0.01s)\n    cache_test.go:40: ideally 5 entries but got 5 after 5 tries\n",
			b:    "--- FAIL: TestCache (0.01s)\n    cache_test.go:40: ideally 7 entries but got 5 after 9 tries\n",
		},
		{
			name: "a number moves within the message",
			a:    "--- FAIL: TestPool (0.20s)\n    pool_test.go:77: worker 3: got 12 results, want 16\n",
			b:    "--- FAIL: TestPool (0.20s)\n    pool_test.go:77: worker 12: got 3 results, want 16\n",
		},
		{
			name: "a log cut in the middle of the last line",
			a:    "Traceback (most recent call last):\n  File \"/src/app/client.py\", line 10, in fetch\n    raise ConnectionError(msg)\nConnectionError: the server closed the connection while the client was reading the response body\n",
			b:    "Traceback (most recent call last):\n  File \"/src/app/client.py\", line 12, in fetch\n    raise ConnectionError(msg)\nConnectionError: the server closed the connection while the client was readi",
		},
		{
			name: "HTTP/2 error cut at different points",
			a:    goaway,
			b:    strings.Replace(goaway, `, ErrCode=NO_ERROR, debug=""`, ", ErrCo", 1),
		},
		{
			name: "HTTP/2 error cut early in its details",
			a:    goaway,
			b:    strings.Replace(goaway, `; LastStreamID=1, ErrCode=NO_ERROR, debug=""`, "; LastStre", 1),
		},
		{
			name: "logs cut at two points of the last word",
			a:    "FAILED tests/test_io.py::test_read - OSError: [Errno 5] Input/output e",
			b:    "FAILED tests/test_io.py::test_read - OSError: [Errno 5] Input/output err",
		},
		{
			name: "a quoted string cut short",
			a:    "--- FAIL: TestBanner (0.00s)\n    banner_test.go:20: unexpected banner \"SSH-2.0-OpenSSH_9.6 Ubuntu-3ubuntu13\"\n",
			b:    "--- FAIL: TestBanner (0.00s)\n    banner_test.go:20: unexpected banner \"SSH-2.0-OpenSSH_9.6 Ubu\n",
		},
		{
			name: "Fail in goroutine after the test completed, other subtest and lines",
			a:    "panic: Fail in goroutine after TestWatch/file_delete has completed\n\ngoroutine 37 [running]:\ntesting.(*common).Fail(0xc420428780)\n\t/go/src/testing/testing.go:509 +0x134\nexample.com/watch.TestWatch.func7.1()\n\t/src/watch/watch_test.go:81 +0xd5\n",
			b:    "ok  \texample.com/other\t0.1s\npanic: Fail in goroutine after TestWatch/file_write has completed\n\ngoroutine 12 [running]:\ntesting.(*common).Fail(0xc000128000)\n\t/go/src/testing/testing.go:952 +0x134\ntesting.(*common).Errorf(0xc000128000)\n\t/go/src/testing/testing.go:1003 +0x6f\nexample.com/watch/testutil.CheckError(0xc000128000)\n\t/src/testutil/util.go:83 +0xa3\n",
		},
		{
			name: "tests of one family hitting one bug in library code",
			a:    "ERROR: test_start_tls_server_1 (test.test_asyncio.test_sslproto.SelectorStartTLSTests)\nTraceback (most recent call last):\n  File \"/src/Lib/test/test_asyncio/test_sslproto.py\", line 467, in test_start_tls_server_1\n    self.loop.run_until_complete(run_main())\n  File \"/src/Lib/asyncio/base_events.py\", line 566, in run_until_complete\n    raise RuntimeError('Event loop stopped before Future completed.')\nRuntimeError: Event loop stopped before Future completed.\n",
			b:    "ERROR: test_start_tls_client_2 (test.test_asyncio.test_sslproto.ProactorStartTLSTests)\nTraceback (most recent call last):\n  File \"/src/Lib/test/test_asyncio/test_sslproto.py\", line 512, in test_start_tls_client_2\n    self.loop.run_until_complete(run_main())\n  File \"/src/Lib/asyncio/base_events.py\", line 566, in run_until_complete\n    raise RuntimeError('Event loop stopped before Future completed.')\nRuntimeError: Event loop stopped before Future completed.\n",
		},
		{
			name: "subtests and variants of one Go test",
			a:    "--- FAIL: TestServe/h1 (0.10s)\n    serve_test.go:30: handler ran 3 times; want 1\n",
			b:    "--- FAIL: TestServe_h2/post (0.12s)\n    serve_test.go:30: handler ran 2 times; want 1\n",
		},
		{
			name: "a helper's message naming the test that called it",
			a:    "--- FAIL: TestMutexLinearOne (0.65s)\n    testenv.go:461: [sync.test -test.run=^TestMutexLinearOne$] exit status: exit status 1\n",
			b:    "--- FAIL: TestMutexLinearMany (0.12s)\n    testenv.go:461: [sync.test -test.run=^TestMutexLinearMany$] exit status: exit status 1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Compute(tt.a), Compute(tt.b)
			if a.Hash != b.Hash {
				t.Errorf("one bug signed twice:\n%s\n--- and ---\n%s", a.Normalized, b.Normalized)
			}
		})
	}
}

// TestComputeKeepsApart covers look-alikes that layout and issue
// templates could make one: what two reports share there is the
// template, not the failure.
func TestComputeKeepsApart(t *testing.T) {
	heading := func(msg string) string {
		return "net8.0-Linux-Release-x64\n\n**Error message:**\n```\n" + msg + "\n```\n"
	}
	tests := []struct {
		name string
		a, b string
	}{
		{
			name: "NUnit messages under an issue template's heading",
			a:    heading("Expected: 5\nBut was:  3"),
			b:    heading("Expected: \"ok\"\nBut was:  \"timeout\""),
		},
		{
			name: "logs under an issue template's heading",
			a:    heading("[PARENT] Responses were not received within 5000 ms.\nAssertionError [ERR_ASSERTION]: Failed"),
			b:    heading("[PARENT] sendSocket closed\nError: listen EADDRINUSE: address already in use :::8080"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Compute(tt.a), Compute(tt.b)
			if a.Hash == b.Hash {
				t.Errorf("two failures share a signature:\n%s", a.Normalized)
			}
		})
	}
}

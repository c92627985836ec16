package report_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/triaged/triaged/internal/report"
)

func ExampleParse() {
	out := `test_start_tls_server_1 (test.test_asyncio.test_sslproto.ProactorStartTLSTests.test_start_tls_server_1) ... FAIL

======================================================================
FAIL: test_start_tls_server_1 (test.test_asyncio.test_sslproto.ProactorStartTLSTests.test_start_tls_server_1)
----------------------------------------------------------------------
Traceback (most recent call last):
RuntimeError: Event loop stopped before Future completed.

----------------------------------------------------------------------
Ran 1 test in 10.012s
`
	results, err := report.Parse(strings.NewReader(out), report.FormatAuto, report.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.Outcome, r.Test)
		fmt.Print(r.FailureText)
	}
	// Output:
	// fail test.test_asyncio.test_sslproto.ProactorStartTLSTests.test_start_tls_server_1
	// Traceback (most recent call last):
	// RuntimeError: Event loop stopped before Future completed.
}

// A caller that reads whatever a command printed, as `triaged stress exec`
// does, sniffs it first; when no runner is recognised, only the command's
// exit status can be judged, and the caller should say so.
func ExampleSniff() {
	for _, out := range []string{
		"running 1 test\ntest tests::adds ... ok\n\ntest result: ok. 1 passed; 0 failed\n",
		"make: *** [all] Error 2\n",
	} {
		f, err := report.Sniff([]byte(out))
		if errors.Is(err, report.ErrUnknownFormat) {
			fmt.Println("no per-test results; judging the whole command by its exit status")
			continue
		}
		fmt.Println("reading", f, "output")
	}
	// Output:
	// reading cargo output
	// no per-test results; judging the whole command by its exit status
}

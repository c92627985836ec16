package report_test

import (
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

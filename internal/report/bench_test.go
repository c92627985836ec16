package report

import (
	"fmt"
	"strings"
	"testing"
)

// benchResults is how many results each synthetic report holds; one in five
// fails with a traceback-sized text, roughly a bad day on a buildbot.
const benchResults = 2000

func benchInputs() map[Format]string {
	tb := "Traceback (most recent call last):\n" + strings.Repeat("  File \"/src/lib/asyncio/base_events.py\", line 650, in run_until_complete\n    return future.result()\n", 6) +
		"RuntimeError: Event loop stopped before Future completed.\n"
	var ju, gt, rt, nj, blocks strings.Builder
	ju.WriteString(`<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">`)
	nj.WriteString(`{"version":1,"results":[`)
	for i := range benchResults {
		fail := i%5 == 0
		name := fmt.Sprintf("test_case_%d", i)
		fmt.Fprintf(&ju, `<testcase classname="tests.test_mod.TestClass" name="%s" time="0.012">`, name)
		if fail {
			fmt.Fprintf(&ju, `<failure message="RuntimeError: Event loop stopped">%s</failure>`, tb)
		}
		ju.WriteString("</testcase>\n")

		test := fmt.Sprintf("TestCase%d", i)
		fmt.Fprintf(&gt, `{"Time":"2026-11-26T21:50:41.24Z","Action":"run","Package":"example.com/m/pkg","Test":"%s"}`+"\n", test)
		fmt.Fprintf(&gt, `{"Time":"2026-11-26T21:50:41.24Z","Action":"output","Package":"example.com/m/pkg","Test":"%s","Output":"=== RUN   %s\n"}`+"\n", test, test)
		action := "pass"
		if fail {
			action = "fail"
			for range 8 {
				fmt.Fprintf(&gt, `{"Time":"2026-11-26T21:50:41.24Z","Action":"output","Package":"example.com/m/pkg","Test":"%s","Output":"    x_test.go:42: read 4096 bytes, want 8192\n"}`+"\n", test)
			}
		}
		fmt.Fprintf(&gt, `{"Time":"2026-11-26T21:50:41.24Z","Action":"%s","Package":"example.com/m/pkg","Test":"%s","Elapsed":0.01}`+"\n", action, test)

		verdict := "ok"
		if fail {
			verdict = "FAIL"
			fmt.Fprintf(&blocks, "%s\nFAIL: %s (test.test_mod.TestClass.%s)\n%s\n%s\n", sep1, name, name, sep2, tb)
		}
		fmt.Fprintf(&rt, "%s (test.test_mod.TestClass.%s) ... %s\n", name, name, verdict)

		if i > 0 {
			nj.WriteString(",")
		}
		if fail {
			fmt.Fprintf(&nj, `{"test":"tests.%s","outcome":"fail","duration_seconds":0.012,"iteration":%d,"seed":%d,"failure_text":%q,"detector":{"kind":"lost-bytes","offset":81920,"length":4096}}`, name, i, i, tb)
		} else {
			fmt.Fprintf(&nj, `{"test":"tests.%s","outcome":"pass","duration_seconds":0.012,"iteration":%d,"seed":%d}`, name, i, i)
		}
	}
	ju.WriteString("</testsuite></testsuites>\n")
	nj.WriteString("]}\n")
	rt.WriteString("\n" + blocks.String() + sep2 + "\nRan 2000 tests in 1.000s\n")
	return map[Format]string{FormatJUnit: ju.String(), FormatGoTest: gt.String(), FormatRegrtest: rt.String(), FormatJSON: nj.String()}
}

func BenchmarkParse(b *testing.B) {
	inputs := benchInputs()
	for _, f := range []Format{FormatJUnit, FormatGoTest, FormatRegrtest, FormatJSON} {
		in := inputs[f]
		b.Run(string(f), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				rs, err := Parse(strings.NewReader(in), f, Options{})
				if err != nil || len(rs) != benchResults {
					b.Fatalf("%d results, %v", len(rs), err)
				}
			}
			b.ReportMetric(float64(benchResults*b.N)/b.Elapsed().Seconds(), "results/s")
		})
	}
}

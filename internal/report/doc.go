// Package report turns test reports into [Result] values: JUnit XML (the
// dialects pytest, CPython regrtest, gotestsum, Maven Surefire and jest-junit
// write), `go test -json` (test2json), CPython regrtest/unittest verbose text,
// and triaged's own JSON document. The upload endpoint and `triaged stress
// exec` both use it, so a report means the same thing whichever way it comes in.
//
// Every parser streams from an [io.Reader] and keeps memory bounded by
// [Options]: a cap on the number of results, on the failure text kept per
// result (the middle of an over-long text is cut and replaced by a visible
// "… [truncated N bytes]" marker, because the head names the test and the tail
// holds the exception), on the length of a line, and optionally on the input
// size. Malformed input yields a [*ParseError] with the line and/or byte
// offset of the problem.
//
// # Test ids
//
//   - JUnit: classname + "." + name; name alone when classname is empty or
//     equal to name (regrtest writes the full id as name, jest-junit repeats
//     it). A case with an empty classname and a dot-free name inside a named
//     suite is prefixed by the suite name (gotestsum's package-level cases).
//   - go test: package + "." + test name, subtests included
//     ("example.com/m/pkg.TestX/sub"); a package-level failure (build failure,
//     crash outside any test) uses the package path alone.
//   - regrtest/unittest: module.Class.method, as unittest prints it in
//     "test_x (module.Class.test_x) ... ok"; the older "test_x (module.Class)"
//     form is normalised to the same id. Subtest failures are folded into
//     their parent test, because unittest prints only failing subtests, so a
//     separate subtest id would never have a passing run to compare with.
//
// # Native JSON document
//
// The content type application/json carries this document; unknown fields are
// refused, so a typo does not silently lose data:
//
//	{
//	  "version": 1,                       // optional; 1 is the only version
//	  "results": [
//	    {
//	      "test": "pkg.TestX/sub",        // required, non-empty, ≤ 1024 bytes
//	      "outcome": "fail",              // required: pass | fail | error | skip
//	      "duration_seconds": 0.25,       // optional, ≥ 0
//	      "failure_text": "…",            // optional; capped; dropped for pass/skip
//	      "output": "…",                  // optional stdout/stderr; same rules
//	      "iteration": 3,                 // optional stress iteration, ≥ 0
//	      "attempt": 0,                   // optional retry number, ≥ 0
//	      "seed": 42,                     // optional int64
//	      "detector": {…}                 // optional JSON object or null
//	    }
//	  ]
//	}
package report

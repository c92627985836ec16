// Package report turns test reports into [Result] values. The upload
// endpoint and `triaged stress exec` both use it, so a report means the
// same thing whichever way it comes in. It reads:
//
//   - JUnit XML, in the dialects pytest, CPython regrtest, gotestsum, Maven
//     Surefire and jest-junit write ([FormatJUnit]);
//   - go test output, `-json` (test2json) or plain, with or without -v
//     ([FormatGoTest] reads both, telling them apart by their first bytes);
//   - CPython regrtest and unittest verbose text ([FormatRegrtest]);
//   - pytest's terminal output, with or without -v ([FormatPytest]);
//   - `cargo test` (libtest's default format) ([FormatCargo]);
//   - TAP 13/14 with indented subtests and YAML diagnostics, which is what
//     `node --test` prints by default when stdout is not a terminal (Node
//     20 does; later versions print the spec reporter) ([FormatTAP]);
//   - `node --test` output, its spec reporter or TAP ([FormatNode]);
//   - jest's default reporter, with or without --verbose ([FormatJest]);
//   - mocha's spec reporter ([FormatMocha]);
//   - triaged's own JSON document ([FormatJSON]).
//
// [Formats] lists them with their CLI names and content types. Without -v,
// go test and pytest name only failing tests, and jest without --verbose
// only failing ones; their passes are not reported.
//
// [FormatAuto] recognises the format with [Sniff], from the first
// [SniffLen] bytes: XML and JSON by their first element or key, text
// formats by scoring each line (a runner's banner or summary line outweighs
// a result line, which a test's own output could imitate). When nothing
// scores enough, Parse fails with [ErrUnknownFormat]: the output is not one
// of these runners', and the caller can only judge the whole command.
//
// Every parser streams from an [io.Reader] and keeps memory bounded by
// [Options]: a cap on the number of results, on the failure text kept per
// result (the middle of an over-long text is cut and replaced by a visible
// "… [truncated N bytes]" marker, because the head names the test and the tail
// holds the exception), on the length of a line, and optionally on the input
// size. Terminal colour codes are stripped from the text formats. Malformed
// input yields a [*ParseError] with the line and/or byte offset of the
// problem. Every parser refuses, rather than stores or drops:
//
//   - a test id with a control character (NUL, ESC, a tab…);
//   - a duration that is negative, not a number or longer than
//     [MaxDuration];
//   - a JUnit time="1,5": a comma is read only as a thousands separator
//     ("1,234.5" is 1234.5 s), since a decimal comma cannot be told from one;
//   - a native iteration or attempt over [MaxIteration].
//
// # Test ids
//
//   - JUnit: classname + "." + name; name alone when classname is empty or
//     equal to name (regrtest writes the full id as name, jest-junit repeats
//     it). A case with an empty classname and a dot-free name inside a named
//     suite is prefixed by the suite name (gotestsum's package-level cases).
//   - go test, -json or plain: package + "." + test name, subtests included
//     ("example.com/m/pkg.TestX/sub"); a package-level failure (build
//     failure, crash outside any test, TestMain exiting) uses the package
//     path alone. Plain output names the package only on its closing
//     "ok"/"FAIL" line; a test binary run by hand has none, so its ids are
//     the bare test names. A panic goes to the test whose FAIL line it
//     follows, a timeout panic to the tests it lists as running, and any
//     test that never reported becomes an error.
//   - regrtest/unittest: module.Class.method, as unittest prints it in
//     "test_x (module.Class.test_x) ... ok"; the older "test_x (module.Class)"
//     form is normalised to the same id. Subtest failures are folded into
//     their parent test, because unittest prints only failing subtests, so a
//     separate subtest id would never have a passing run to compare with.
//   - pytest: the id pytest's own JUnit XML gives, the node id with the
//     file path as a dotted module and "::" as "." ("sub/test_x.py::TestC::
//     test_y[1]" is "sub.test_x.TestC.test_y[1]"). An xfail is a skip and
//     a non-strict xpass a pass, as in that XML; a passing test whose
//     teardown fails is one errored result. pytest-rerunfailures' RERUN
//     lines become failed attempts before the final one.
//   - cargo test: the test binary, as its "Running" line names it by
//     source path, then "::" and libtest's test path
//     ("src/lib.rs::tests::adds", "tests/api.rs::api_result"); doc-tests
//     are "Doc-tests <crate>::" and the doc-test's name ("Doc-tests
//     flaky::src/lib.rs - add (line 10)"). A binary that dies before its
//     summary is an error under the binary's name, a crate that does not
//     compile under the crate's. In a workspace two crates' binaries can
//     share a source path; their ids then collide.
//   - TAP and node --test: the "# Subtest:" (or "▶") ancestors and the test
//     name joined with " > " ("parser > errors > rejects garbage"). Only
//     leaf tests are reported, and a test with subtests only when it failed
//     by itself (a hook, a timeout), not because a subtest failed. # SKIP
//     and # TODO are skips; a timed-out or cancelled test is an error.
//   - jest: the full name, describe blocks and test joined with spaces
//     ("math division throws on zero"), as jest-junit names cases by
//     default; a suite that fails to run is an error named after its file
//     ("src/broken.test.js").
//   - mocha: the full title, suites and test joined with spaces, as
//     mocha's own fullTitle(); a failing hook ("suite \"before all\" hook
//     for \"x\"") and a timeout are errors.
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
//	      "test": "pkg.TestX/sub",        // required, non-empty, ≤ 1024 bytes, no control characters
//	      "outcome": "fail",              // required: pass | fail | error | skip
//	      "duration_seconds": 0.25,       // optional, 0 to 604800 (a week)
//	      "failure_text": "…",            // optional; capped; dropped for pass/skip
//	      "output": "…",                  // optional stdout/stderr; same rules
//	      "iteration": 3,                 // optional stress iteration, 0 to 2147483647
//	      "attempt": 0,                   // optional retry number, 0 to 2147483647
//	      "seed": 42,                     // optional int64
//	      "detector": {…}                 // optional JSON object or null
//	    }
//	  ]
//	}
package report

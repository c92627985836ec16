package signature

import "testing"

// TestTestID pins which lines name a test by its full id (the test id
// line rule) and which do not: prose and paths with dots in them name
// none, nor does an id whose class is not named as a test class is.
func TestTestID(t *testing.T) {
	tests := []struct {
		line, class, method string
	}{
		{"**com.hazelcast.map.impl.WriteBehindFailAndRetryTest.testPartialStore**", "WriteBehindFailAndRetryTest", "testPartialStore"},
		{"failed test: System.Net.Http.Functional.Tests.SocketsHttpHandler_Test.UseCallback(url: \"https://x/\", n: 2)", "SocketsHttpHandler_Test", "UseCallback"},
		{"- `System.IO.Tests.FileSystemWatcherTests.Create_ForceLoopRestart(useExistingWatchers: True)`", "FileSystemWatcherTests", "Create_ForceLoopRestart"},
		{"Failed test : `Ns.Sub.FooIT.Bar`", "FooIT", "Bar"},
		{"see docs.example.com.", "", ""},
		{"at com.x.FooTest.bar(FooTest.java:12)", "", ""},
		{"com.x.FooHelper.run", "", ""},
		{"FooTest.bar", "", ""},
		{"Expected: java.util.List.of(1)", "", ""},
	}
	for _, tt := range tests {
		c, m := testID(tt.line)
		if c != tt.class || m != tt.method {
			t.Errorf("testID(%q) = %q, %q; want %q, %q", tt.line, c, m, tt.class, tt.method)
		}
	}
}

// TestTestifyTestField checks that a testify report pasted without go
// test's own lines is keyed with the test its "Test:" field names: two
// tests failing on "Should be true" are two bugs.
func TestTestifyTestField(t *testing.T) {
	report := func(test string) string {
		return "    tls_test.go:3831: \n" +
			"        \tError Trace:\t/__w/teleport/teleport/lib/auth/tls_test.go:3831\n" +
			"        \tError:      \tShould be true\n" +
			"        \tTest:       \t" + test + "\n"
	}
	a, b := Compute(report("TestTLSFailover")), Compute(report("TestRemoteUser"))
	if a.Hash == b.Hash {
		t.Errorf("two tests' 'Should be true' share a signature:\n%s", a.Normalized)
	}
	if c := Compute(report("TestTLSFailover/sub_case")); c.Hash != a.Hash {
		t.Errorf("a subtest signs apart from its test:\n%s\n--- and ---\n%s", c.Normalized, a.Normalized)
	}
}

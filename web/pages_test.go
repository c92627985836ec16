package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPagesShowTheData(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	base := f.srv.URL
	tests := []struct {
		name, path string
		want       []string
	}{
		{"overview", "/", []string{"Top flaky tests", "test_start_tls_server_1", "linux-1", "New signatures"}},
		{"signatures", "/signatures", []string{"AssertionError"}},
		{"signature", "/signatures/" + itoa(f.sigID), []string{"Stress this", "<svg", "win-buildbot-1", "95% Wilson interval", "test_start_tls_server_1"}},
		{"test", "/tests/" + itoa(f.testID), []string{"flaky", "Outcomes by revision and runner OS", "AssertionError"}},
		{"revision", "/revisions/" + f.revs[5] + "?repo=" + url.QueryEscape(repo), []string{"1 new failure", "ValueError", "flaky"}},
		{"runners", "/runners", []string{"win-buildbot-2", "offline", "online"}},
		{"campaigns", "/campaigns", []string{"New campaign"}},
		{"new campaign", "/campaigns/new?test=" + url.QueryEscape(flakyTest) + "&see=2%25", []string{"How many runs?", "149", "test_start_tls_server_1"}},
	}
	for _, tt := range tests {
		code, body := get(t, base+tt.path)
		if code != http.StatusOK {
			t.Errorf("%s: GET %s: got %d, want 200", tt.name, tt.path, code)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: GET %s: body lacks %q", tt.name, tt.path, w)
			}
		}
	}
}

func TestFailureTextIsEscaped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	_, body := get(t, f.srv.URL+"/signatures/"+itoa(f.sigID))
	if strings.Contains(body, "<script>document.title") || strings.Contains(body, "<img src=x") {
		t.Fatalf("the failure text's markup reached the page unescaped")
	}
	if !strings.Contains(body, "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;") {
		t.Errorf("the escaped failure text is missing from the page")
	}
}

func TestJSONTwins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	base := f.srv.URL + "/api/v1"
	var rev map[string]any
	getJSON(t, base+"/revisions/"+f.revs[5]+"?repo="+url.QueryEscape(repo), &rev)
	// Revision 5: 3 hosts × (10 + 10 + 1 skip) results, +1 error on linux;
	// the flaky test fails on Windows when (it+5)%4 == 0: it = 3, 7.
	want := map[string]float64{"results": 64, "passed": 56, "failed": 4, "errors": 1, "skipped": 3, "new_failures": 1, "known_flaky": 4}
	for k, v := range want {
		if rev[k] != v {
			t.Errorf("revision %s: got %v, want %v", k, rev[k], v)
		}
	}
	var sig struct {
		ID    int64 `json:"id"`
		Title string
		ByOS  []struct {
			OS       string  `json:"runner_os"`
			Failures int     `json:"failures"`
			Runs     int     `json:"runs"`
			Low      float64 `json:"ci95_low"`
		} `json:"by_os"`
		Example struct{ Text string }
	}
	getJSON(t, base+"/signatures/"+itoa(f.sigID), &sig)
	if sig.Example.Text != xssText {
		t.Errorf("signature example: got %q, want the stored failure text", sig.Example.Text)
	}
	// Windows: 6 revisions × 2 hosts × 10 runs, failing when (it+i)%4 == 0.
	if len(sig.ByOS) != 1 || sig.ByOS[0].OS != "windows" || sig.ByOS[0].Runs != 120 || sig.ByOS[0].Failures != 30 || sig.ByOS[0].Low <= 0 {
		t.Errorf("signature by OS: got %+v, want windows 30/120 with an interval", sig.ByOS)
	}
	var list struct{ Signatures []map[string]any }
	getJSON(t, base+"/signatures", &list)
	if len(list.Signatures) != 2 {
		t.Errorf("signatures: got %d, want 2", len(list.Signatures))
	}
	var test struct{ Class string }
	getJSON(t, base+"/tests/"+itoa(f.testID), &test)
	if test.Class != "flaky" {
		t.Errorf("test class: got %q, want flaky", test.Class)
	}
	if code, _ := get(t, base+"/signatures/999999"); code != http.StatusNotFound {
		t.Errorf("unknown signature: got %d, want 404", code)
	}
	if code, _ := get(t, base+"/revisions/abc"); code != http.StatusBadRequest {
		t.Errorf("revision without repo: got %d, want 400", code)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	code, body := get(t, u)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
	"github.com/triaged/triaged/internal/view"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

const admin = "test-admin-token"

type env struct {
	t     *testing.T
	store *store.Store
	url   string
}

func newEnv(t *testing.T, limits ingest.Limits) *env {
	t.Helper()
	st := pgtest.NewStore(t)
	srv := app.New(app.Config{Version: "test", AdminToken: admin, Limits: limits, Log: testLogger(t)}, st)
	// Before every read, what a server's folder does within a moment of
	// every upload: the pages and lists read folded rollups.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if _, err := st.FoldRollups(r.Context()); err != nil {
				t.Errorf("fold: %v", err)
			}
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return &env{t: t, store: st, url: ts.URL}
}

// do sends a request and decodes a JSON answer into out (if not nil).
func (e *env) do(method, path, token, contentType string, body io.Reader, out any) int {
	e.t.Helper()
	if method == http.MethodGet {
		// Reads see what the folder adds within a moment of each upload.
		if _, err := e.store.FoldRollups(context.Background()); err != nil {
			e.t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(method, e.url+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: not JSON: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

func (e *env) count(q string) int {
	e.t.Helper()
	var n int
	if err := e.store.Pool().QueryRow(context.Background(), q).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func upload(e *env, query, contentType, body string) (int, ingest.Answer) {
	var ans ingest.Answer
	code := e.do("POST", "/api/v1/results?"+query, admin, contentType, strings.NewReader(body), &ans)
	return code, ans
}

func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../report/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUploadRealReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, contentType string
	}{
		{"regrtest-sslproto.xml", "application/xml"},
		{"regrtest-sslproto.txt", "text/x-regrtest"},
		{"unittest-flaky.txt", "text/x-regrtest"},
		{"gotest.json", "application/x-ndjson"},
		{"gotestsum.xml", "application/xml"},
		{"pytest-employee.xml", "text/xml"},
		{"surefire-flaky.xml", "application/xml"},
		{"junit-nested.xml", "application/xml"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, ingest.Limits{})
			code, ans := upload(e, "repo=python/cpython&revision=abc1234&builder=ci-1&batch=b1", tt.contentType, sample(t, tt.file))
			if code != http.StatusOK {
				t.Fatalf("got %d, want 200", code)
			}
			if ans.Tests == 0 || ans.Tests != ans.Passed+ans.Failed+ans.Errors+ans.Skipped || len(ans.Results) != ans.Tests {
				t.Fatalf("inconsistent answer: %+v", ans)
			}
			if n := e.count(`SELECT count(*) FROM results`); n != ans.Tests {
				t.Errorf("stored %d results, answered %d", n, ans.Tests)
			}
			failing := ans.Failed + ans.Errors
			if n := e.count(`SELECT count(*) FROM results WHERE signature_id IS NOT NULL`); n != failing {
				t.Errorf("stored %d signed results, want %d", n, failing)
			}
			for _, r := range ans.Results {
				if (r.Outcome == "fail" || r.Outcome == "error") != (r.Signature != "") {
					t.Errorf("%s: outcome %s with signature %q", r.Test, r.Outcome, r.Signature)
				}
			}
			// The retry is answered the same and stores nothing more.
			code, again := upload(e, "repo=python/cpython&revision=abc1234&builder=ci-1&batch=b1", tt.contentType, sample(t, tt.file))
			if code != http.StatusOK || !again.Duplicate || again.Tests != ans.Tests {
				t.Errorf("retry: %d %+v", code, again)
			}
			if n := e.count(`SELECT count(*) FROM results`); n != ans.Tests {
				t.Errorf("after retry: %d results, want %d", n, ans.Tests)
			}
		})
	}
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{MaxBodyBytes: 4 << 10, MaxResults: 5})
	const q = "repo=o/r&revision=abc1234&builder=b"
	big := `{"results":[` + strings.Repeat(`{"test":"t","outcome":"pass"},`, 300) + `{"test":"t","outcome":"pass"}]}`
	many := `{"results":[` + strings.Repeat(`{"test":"t","outcome":"pass"},`, 5) + `{"test":"t","outcome":"pass"}]}`
	tests := []struct {
		name, token, query, contentType, body string
		want                                  int
	}{
		{"no token", "", q, "application/json", `{"results":[]}`, 401},
		{"wrong token", "nope", q, "application/json", `{"results":[]}`, 401},
		{"unknown content type", admin, q, "text/csv", "a,b", 415},
		{"missing repo", admin, "revision=abc1234&builder=b", "application/json", `{"results":[]}`, 400},
		{"repo not owner/name", admin, "repo=cpython&revision=abc1234&builder=b", "application/json", `{"results":[]}`, 400},
		{"revision with spaces", admin, "repo=o/r&revision=a%20b&builder=b", "application/json", `{"results":[]}`, 400},
		{"malformed JSON", admin, q, "application/json", `{"results":[{"test":`, 400},
		{"bad outcome", admin, q, "application/json", `{"results":[{"test":"t","outcome":"maybe"}]}`, 400},
		{"malformed XML", admin, q, "application/xml", `<testsuite><testcase name="a"></testsuite>`, 400},
		{"body too large", admin, q, "application/json", big, 413},
		{"too many results", admin, q, "application/json", many, 413},
	}
	for _, tt := range tests {
		var problem struct{ Error, Detail string }
		code := e.do("POST", "/api/v1/results?"+tt.query, tt.token, tt.contentType, strings.NewReader(tt.body), &problem)
		if code != tt.want {
			t.Errorf("%s: got %d, want %d (%+v)", tt.name, code, tt.want, problem)
		}
		if problem.Error == "" {
			t.Errorf("%s: answer has no error field", tt.name)
		}
	}
	for _, table := range []string{"results", "upload_batches", "tests"} {
		if n := e.count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Errorf("%s: %d rows stored by refused uploads", table, n)
		}
	}
}

func TestUploadCutsLongFailureText(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{MaxFailureText: 1024})
	text := "Traceback (most recent call last):\n" + strings.Repeat("  noise line\n", 2000) + "AssertionError: boom\n"
	body, _ := json.Marshal(map[string]any{"results": []map[string]any{{"test": "t.a", "outcome": "fail", "failure_text": text}}})
	code, ans := upload(e, "repo=o/r&revision=abc1234&builder=b", "application/json", string(body))
	if code != 200 || len(ans.Results) != 1 {
		t.Fatalf("got %d %+v", code, ans)
	}
	var stored string
	e.store.Pool().QueryRow(context.Background(), `SELECT text FROM failure_texts`).Scan(&stored)
	if len(stored) > 1200 || !strings.Contains(stored, "truncated") || !strings.Contains(stored, "AssertionError: boom") {
		t.Errorf("stored text of %d bytes, want the cut text with a marker and the tail kept:\n%.300s", len(stored), stored)
	}
}

func TestClassification(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	doc := func(results ...string) string { return `{"results":[` + strings.Join(results, ",") + `]}` }
	fail := func(test, msg string) string {
		return fmt.Sprintf(`{"test":%q,"outcome":"fail","failure_text":"Traceback (most recent call last):\n  File \"x.py\", line 3, in f\nAssertionError: %s\n"}`, test, msg)
	}
	pass := func(test string) string { return fmt.Sprintf(`{"test":%q,"outcome":"pass"}`, test) }
	class := func(ans ingest.Answer, test string) verdict.Class {
		for _, r := range ans.Results {
			if r.Test == test && r.Class != "" {
				return r.Class
			}
		}
		return ""
	}

	_, a1 := upload(e, "repo=o/r&revision=aaa1111&builder=b&batch=1", "application/json", doc(fail("t.flaky", "timeout"), pass("t.other")))
	if got := class(a1, "t.flaky"); got != verdict.New {
		t.Errorf("first failure: got %q, want new", got)
	}
	_, a2 := upload(e, "repo=o/r&revision=aaa1111&builder=b&batch=2", "application/json", doc(pass("t.flaky"), fail("t.flaky", "timeout")))
	if got := class(a2, "t.flaky"); got != verdict.Flaky {
		t.Errorf("passed and failed on one revision: got %q, want flaky", got)
	}
	_, a3 := upload(e, "repo=o/r&revision=aaa2222&builder=b&batch=3", "application/json", doc(fail("t.flaky", "timeout"), fail("t.new", "other bug")))
	if got := class(a3, "t.flaky"); got != verdict.Known {
		t.Errorf("same signature on a later revision: got %q, want known", got)
	}
	if got := class(a3, "t.new"); got != verdict.New {
		t.Errorf("unseen signature: got %q, want new", got)
	}
	if a3.NewFailures != 1 || a3.KnownFlaky != 1 {
		t.Errorf("counts: new %d known %d, want 1 and 1", a3.NewFailures, a3.KnownFlaky)
	}

	var mass []string
	for i := range 12 {
		mass = append(mass, fail(fmt.Sprint("t.m", i), "connection refused"))
	}
	_, a4 := upload(e, "repo=o/r&revision=aaa3333&builder=b&batch=4", "application/json", doc(mass...))
	if !a4.Infra || class(a4, "t.m0") != verdict.Infra || a4.NewFailures != 0 {
		t.Errorf("mass failure: infra=%v class=%q new=%d", a4.Infra, class(a4, "t.m0"), a4.NewFailures)
	}

	// A test failing on every run of two revisions is broken, since the
	// first of them; the infrastructure batch between is not history.
	_, a5 := upload(e, "repo=o/r&revision=aaa4444&builder=b&batch=5", "application/json", doc(fail("t.new", "other bug"), pass("t.other")))
	for _, r := range a5.Results {
		if r.Test == "t.new" && (r.Class != verdict.Broken || r.Since != "aaa2222") {
			t.Errorf("failing on two revisions: got %s since %q, want broken since aaa2222", r.Class, r.Since)
		}
	}
	if a5.NewFailures != 1 {
		t.Errorf("a broken test fails the status: new_failures %d, want 1", a5.NewFailures)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	var created struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
		Kind  string `json:"kind"`
	}
	if code := e.do("POST", "/api/v1/tokens", admin, "application/json", strings.NewReader(`{"name":"ci","kind":"upload"}`), &created); code != 201 || created.Token == "" {
		t.Fatalf("create: %d %+v", code, created)
	}
	body := `{"results":[{"test":"t","outcome":"pass"}]}`
	q := "/api/v1/results?repo=o/r&revision=abc1234&builder=b"
	if code := e.do("POST", q, created.Token, "application/json", strings.NewReader(body), nil); code != 200 {
		t.Errorf("upload with an upload token: got %d, want 200", code)
	}
	if code := e.do("POST", "/api/v1/tokens", created.Token, "application/json", strings.NewReader(`{"name":"x","kind":"admin"}`), nil); code != 403 {
		t.Errorf("upload token creating tokens: got %d, want 403", code)
	}
	if code := e.do("POST", "/api/v1/tokens", admin, "application/json", strings.NewReader(`{"name":"x","kind":"root"}`), nil); code != 400 {
		t.Errorf("bad kind: got %d, want 400", code)
	}
	if code := e.do("POST", "/api/v1/tokens", admin, "text/plain", strings.NewReader(`{}`), nil); code != 415 {
		t.Errorf("wrong content type: got %d, want 415", code)
	}
	var list struct{ Tokens []map[string]any }
	e.do("GET", "/api/v1/tokens", admin, "", nil, &list)
	if len(list.Tokens) != 1 || list.Tokens[0]["token"] != nil {
		t.Errorf("list: %+v (want one token, secret not shown)", list)
	}
	if code := e.do("DELETE", fmt.Sprint("/api/v1/tokens/", created.ID), admin, "", nil, nil); code != 204 {
		t.Errorf("revoke: got %d", code)
	}
	if code := e.do("POST", q, created.Token, "application/json", strings.NewReader(body), nil); code != 403 {
		t.Errorf("upload with a revoked token: got %d, want 403", code)
	}
	if n := e.count(`SELECT count(*) FROM results`); n != 1 {
		t.Errorf("results stored: got %d, want the one accepted upload", n)
	}
}

// testLogger sends server logs to the test log, so a failing test shows the
// server's side of the story.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestAdminMarkMakesAKnownFlake: an admin's mark is flaky evidence, for the
// failure's signature only.
func TestAdminMarkMakesAKnownFlake(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	doc := func(msg string) string {
		return fmt.Sprintf(`{"results":[{"test":"t.net","outcome":"fail","failure_text":"Traceback (most recent call last):\n  File \"x.py\", line 3, in f\n%s\n"}]}`, msg)
	}
	_, a1 := upload(e, "repo=o/r&revision=aaa1111&builder=b&batch=1", "application/json", doc("TimeoutError: read"))
	var tv view.Test
	var sigs struct{ Signatures []struct{ ID int64 } }
	e.do("GET", "/api/v1/signatures", "", "", nil, &sigs)
	if a1.Results[0].Class != verdict.New || len(sigs.Signatures) != 1 {
		t.Fatalf("first failure: %+v, signatures %+v", a1.Results[0], sigs)
	}
	var id struct{ ID int64 }
	e.store.Pool().QueryRow(context.Background(), `SELECT id FROM tests WHERE name = 't.net'`).Scan(&id.ID)
	body := fmt.Sprintf(`{"signature_id":%d,"reason":"the lab's network drops packets; owned by netops"}`, sigs.Signatures[0].ID)
	for _, tc := range []struct {
		name, token, path, body string
		want                    int
	}{
		{"no reason", admin, fmt.Sprintf("/api/v1/tests/%d/flaky", id.ID), fmt.Sprintf(`{"signature_id":%d}`, sigs.Signatures[0].ID), 400},
		{"no such signature", admin, fmt.Sprintf("/api/v1/tests/%d/flaky", id.ID), `{"signature_id":999999,"reason":"x"}`, 404},
		{"no such test", admin, "/api/v1/tests/999999/flaky", body, 404},
		{"not an admin", "", fmt.Sprintf("/api/v1/tests/%d/flaky", id.ID), body, 401},
		{"marked", admin, fmt.Sprintf("/api/v1/tests/%d/flaky", id.ID), body, 201},
	} {
		if code := e.do("POST", tc.path, tc.token, "application/json", strings.NewReader(tc.body), nil); code != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, code, tc.want)
		}
	}
	_, a2 := upload(e, "repo=o/r&revision=aaa2222&builder=b&batch=2", "application/json", doc("TimeoutError: read"))
	_, a3 := upload(e, "repo=o/r&revision=aaa3333&builder=b&batch=3", "application/json", doc("KeyError: 'x'"))
	if a2.Results[0].Class != verdict.Known || a3.Results[0].Class != verdict.New {
		t.Errorf("after the mark: same signature %s, another %s; want known and new", a2.Results[0].Class, a3.Results[0].Class)
	}
	e.do("GET", fmt.Sprintf("/api/v1/tests/%d", id.ID), "", "", nil, &tv)
	if tv.Class != verdict.Flaky || len(tv.Marks) != 1 || tv.Marks[0].CreatedBy != "bootstrap admin" {
		t.Errorf("test page: %s, marks %+v", tv.Class, tv.Marks)
	}
	if code := e.do("DELETE", fmt.Sprintf("/api/v1/tests/%d/flaky/%d", id.ID, sigs.Signatures[0].ID), admin, "", nil, nil); code != 204 {
		t.Errorf("unmark: %d", code)
	}
	_, a4 := upload(e, "repo=o/r&revision=aaa4444&builder=b&batch=4", "application/json", doc("TimeoutError: read"))
	if a4.Results[0].Class == verdict.Known {
		t.Errorf("after the mark was lifted: still known")
	}
}

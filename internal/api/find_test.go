package api_test

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/github"
)

// res is one result of a native upload.
type res struct{ test, outcome, text string }

func nativeBody(rs ...res) string {
	out := make([]map[string]any, len(rs))
	for i, r := range rs {
		m := map[string]any{"test": r.test, "outcome": r.outcome}
		if r.text != "" {
			m["failure_text"] = r.text
		}
		out[i] = m
	}
	b, _ := json.Marshal(map[string]any{"results": out})
	return string(b)
}

// send uploads rs as a batch with the query's meta and wants a 200.
func (e *env) send(query string, rs ...res) {
	e.t.Helper()
	if code, ans := upload(e, query, "application/json", nativeBody(rs...)); code != http.StatusOK {
		e.t.Fatalf("upload %s: %d %+v", query, code, ans)
	}
}

// record computes statuses and verdicts as the server's recorder does
// shortly after uploads.
func (e *env) record() {
	e.t.Helper()
	if _, err := github.NewRecorder(e.store, github.Config{}, testLogger(e.t)).Once(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// get fetches a JSON answer and wants status want.
func (e *env) get(path string, want int, out any) {
	e.t.Helper()
	if code := e.do("GET", path, "", "", nil, out); code != want {
		e.t.Fatalf("GET %s: %d, want %d (%+v)", path, code, want, out)
	}
}

type testRow struct {
	ID    int64  `json:"id"`
	Repo  string `json:"repo"`
	Name  string `json:"name"`
	Class string `json:"class"`
	Rate  struct {
		Runs     int     `json:"runs"`
		Failures int     `json:"failures"`
		Rate     float64 `json:"repro_rate"`
		Low      float64 `json:"ci95_low"`
		High     float64 `json:"ci95_high"`
	} `json:"rate"`
	Impact      float64 `json:"impact"`
	LastFailure *struct {
		Title    string `json:"title"`
		URL      string `json:"url"`
		Branch   string `json:"branch"`
		Builder  string `json:"builder"`
		RunnerOS string `json:"runner_os"`
	} `json:"last_failure"`
}

type testPage struct {
	Tests      []testRow `json:"tests"`
	NextCursor string    `json:"next_cursor"`
}

func names(rows []testRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	slices.Sort(out)
	return out
}

// findData uploads a small history of two repos, on branches, builders
// and OSes, and records the verdicts.
func findData(e *env) {
	const lookup = "lookup golang.org: i/o timeout"
	e.send("repo=golang/go&revision=aaaa111&builder=linux-amd64&os=linux&branch=main&url=https://ci.example/jobs/1",
		res{"net.TestLookupHost", "fail", "dial: " + lookup}, res{"net.TestLookupPort", "pass", ""},
		res{"os.TestStat", "pass", ""}, res{"runtime.TestGC", "pass", ""})
	e.send("repo=golang/go&revision=aaaa111&builder=linux-amd64-2&os=linux&ref=refs/heads/main&url=https://ci.example/jobs/2",
		res{"net.TestLookupHost", "pass", ""}, res{"runtime.TestGC", "pass", ""})
	e.send("repo=golang/go&revision=aaaa111&builder=windows-amd64&os=Windows&branch=main&url=https://ci.example/jobs/3",
		res{"net.TestLookupHost", "pass", ""}, res{"os.TestStat", "fail", "stat C:\\x: Access is denied."})
	e.send("repo=golang/go&revision=bbbb222&builder=linux-amd64&os=linux&branch=feature/x&url=https://ci.example/jobs/4",
		res{"net.TestLookupHost", "fail", "dial: " + lookup}, res{"runtime.TestGC", "fail", "panic: GC ran twice"})
	e.send("repo=python/cpython&revision=cccc333&builder=win-buildbot&os=windows",
		res{"test.test_os.TestStat.test_stat", "fail", "AssertionError: 1 != 2"})
	e.record()
}

// TestTestListFilters checks each filter of GET /api/v1/tests and what
// each row carries.
func TestTestListFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	findData(e)
	today := time.Now().UTC().Format(time.DateOnly)
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"everything", "", []string{"net.TestLookupHost", "net.TestLookupPort", "os.TestStat", "runtime.TestGC", "test.test_os.TestStat.test_stat"}},
		{"name, any case", "q=LOOKUP", []string{"net.TestLookupHost", "net.TestLookupPort"}},
		{"name with a wildcard is literal", "q=Lookup%25", nil},
		{"repo", "repo=python/cpython", []string{"test.test_os.TestStat.test_stat"}},
		{"search in a repo", "q=stat&repo=golang/go", []string{"os.TestStat"}},
		{"a branch", "branch=feature/x", []string{"net.TestLookupHost", "runtime.TestGC"}},
		// main is the default branch: uploads that named none count on it.
		{"the default branch", "branch=main", []string{"net.TestLookupHost", "net.TestLookupPort", "os.TestStat", "runtime.TestGC", "test.test_os.TestStat.test_stat"}},
		{"every branch", "branch=*", []string{"net.TestLookupHost", "net.TestLookupPort", "os.TestStat", "runtime.TestGC", "test.test_os.TestStat.test_stat"}},
		{"builder", "builder=windows-amd64", []string{"net.TestLookupHost", "os.TestStat"}},
		{"builder and branch", "builder=linux-amd64&branch=feature/x", []string{"net.TestLookupHost", "runtime.TestGC"}},
		{"os", "os=windows", []string{"net.TestLookupHost", "os.TestStat", "test.test_os.TestStat.test_stat"}},
		{"os and branch", "os=linux&branch=feature/x", []string{"net.TestLookupHost", "runtime.TestGC"}},
		{"flaky", "class=flaky", []string{"net.TestLookupHost"}},
		{"new", "class=new", []string{"os.TestStat", "runtime.TestGC", "test.test_os.TestStat.test_stat"}},
		{"stable", "class=stable", []string{"net.TestLookupPort"}},
		{"flaky on windows", "class=flaky&os=windows", nil},
		{"since today", "since=" + today, []string{"net.TestLookupHost", "net.TestLookupPort", "os.TestStat", "runtime.TestGC", "test.test_os.TestStat.test_stat"}},
		{"until yesterday", "until=" + yesterday, nil},
		{"a window in RFC 3339", "since=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)) + "&until=" +
			url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)) + "&os=linux",
			[]string{"net.TestLookupHost", "net.TestLookupPort", "os.TestStat", "runtime.TestGC"}},
	} {
		var p testPage
		e.get("/api/v1/tests?"+tc.query, http.StatusOK, &p)
		if got := names(p.Tests); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s (%s): got %v, want %v", tc.name, tc.query, got, tc.want)
		}
		if p.NextCursor != "" {
			t.Errorf("%s: a single page has next_cursor %q", tc.name, p.NextCursor)
		}
	}

	// A row: its class, its rate in the window with the interval, its
	// latest failure with the signature and the CI job.
	var p testPage
	e.get("/api/v1/tests?q=TestLookupHost", http.StatusOK, &p)
	if len(p.Tests) != 1 {
		t.Fatalf("TestLookupHost: %+v", p)
	}
	r := p.Tests[0]
	lf := r.LastFailure
	if r.Class != "flaky" || r.Rate.Runs != 4 || r.Rate.Failures != 2 || r.Rate.Rate != 0.5 || !(r.Rate.Low < 0.5 && r.Rate.High > 0.5) ||
		lf == nil || lf.URL != "https://ci.example/jobs/4" || lf.Branch != "feature/x" || !strings.Contains(lf.Title, "timeout") || r.Repo != "golang/go" {
		t.Errorf("TestLookupHost row: %+v, last failure %+v", r, lf)
	}
	// Narrowed to main, its figures and latest failure are main's.
	e.get("/api/v1/tests?q=TestLookupHost&branch=main&os=linux", http.StatusOK, &p)
	if r := p.Tests[0]; r.Rate.Runs != 2 || r.Rate.Failures != 1 || r.LastFailure == nil || r.LastFailure.URL != "https://ci.example/jobs/1" {
		t.Errorf("TestLookupHost on main/linux: %+v %+v", r, r.LastFailure)
	}

	// Sorts: by failures, rate, impact (most first; ties by id; tests
	// that did not fail last), by name. LookupHost failed 2 of 4 runs,
	// os.TestStat 1 of 2, runtime.TestGC 1 of 3, LookupPort 0 of 1.
	byFailures := []string{"net.TestLookupHost", "os.TestStat", "runtime.TestGC", "net.TestLookupPort"}
	for sort, want := range map[string][]string{
		"failures": byFailures, "impact": byFailures,
		"rate": {"net.TestLookupHost", "os.TestStat", "runtime.TestGC", "net.TestLookupPort"},
		"name": {"net.TestLookupHost", "net.TestLookupPort", "os.TestStat", "runtime.TestGC"},
	} {
		e.get("/api/v1/tests?repo=golang/go&sort="+sort, http.StatusOK, &p)
		var got []string
		for _, r := range p.Tests {
			got = append(got, r.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("sort=%s: %v, want %v", sort, got, want)
		}
	}
	e.get("/api/v1/tests?repo=golang/go&sort=rate&os=linux", http.StatusOK, &p)
	if len(p.Tests) != 4 || p.Tests[0].Name != "net.TestLookupHost" || p.Tests[1].Name != "runtime.TestGC" {
		t.Errorf("sort=rate on linux (2/3, 1/3, then those that did not fail): %+v", p.Tests)
	}
}

// TestListFiltersOnOtherLists checks the filters of the signature,
// campaign, builder and revision lists and of the overview.
func TestListFiltersOnOtherLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	findData(e)

	type sigPage struct {
		Signatures []struct {
			Title       string `json:"title"`
			Failures    int    `json:"failures"`
			LastFailure *struct {
				Test string `json:"test"`
				URL  string `json:"url"`
			} `json:"last_failure"`
		} `json:"signatures"`
		NextCursor string `json:"next_cursor"`
	}
	var s sigPage
	e.get("/api/v1/signatures", http.StatusOK, &s)
	if len(s.Signatures) != 4 || !strings.Contains(s.Signatures[0].Title, "timeout") || s.Signatures[0].Failures != 2 {
		t.Errorf("signatures: %+v", s)
	}
	for q, want := range map[string]int{"os=windows": 2, "branch=feature/x": 2, "builder=windows-amd64": 1, "repo=python/cpython": 1,
		"q=denied": 1, "q=timeout&os=linux": 1, "sort=new": 4, "until=2020-01-01": 0} {
		e.get("/api/v1/signatures?"+q, http.StatusOK, &s)
		if len(s.Signatures) != want {
			t.Errorf("signatures?%s: %d, want %d: %+v", q, len(s.Signatures), want, s)
		}
	}
	e.get("/api/v1/signatures?q=timeout&branch=feature/x", http.StatusOK, &s)
	if len(s.Signatures) != 1 || s.Signatures[0].Failures != 1 || s.Signatures[0].LastFailure == nil || s.Signatures[0].LastFailure.URL != "https://ci.example/jobs/4" {
		t.Errorf("timeout on feature/x: %+v", s)
	}

	var b struct {
		Builders []struct {
			Name        string `json:"name"`
			RunnerOS    string `json:"runner_os"`
			Batches     int    `json:"batches"`
			FailureRate struct {
				Rate float64 `json:"repro_rate"`
			} `json:"failure_rate"`
			Worst []struct {
				Key string `json:"key"`
			} `json:"worst_tests"`
		} `json:"builders"`
	}
	e.get("/api/v1/builders", http.StatusOK, &b)
	if len(b.Builders) != 4 || b.Builders[0].Name != "linux-amd64" || b.Builders[0].Batches != 2 || len(b.Builders[0].Worst) == 0 ||
		b.Builders[0].Worst[0].Key != "net.TestLookupHost" || b.Builders[0].FailureRate.Rate != 0.5 {
		t.Errorf("builders: %+v", b)
	}
	for q, want := range map[string]int{"q=AMD64": 3, "os=windows": 2, "repo=python/cpython": 1, "branch=feature/x": 1} {
		e.get("/api/v1/builders?"+q, http.StatusOK, &b)
		if len(b.Builders) != want {
			t.Errorf("builders?%s: %d, want %d: %+v", q, len(b.Builders), want, b)
		}
	}
	var one struct {
		Builder struct {
			Name    string `json:"name"`
			Batches int    `json:"batches"`
		} `json:"builder"`
		Worst   []testRow `json:"worst_tests"`
		Batches []struct {
			Revision string `json:"revision"`
			Branch   string `json:"branch"`
			URL      string `json:"url"`
		} `json:"batches"`
	}
	e.get("/api/v1/builders/linux-amd64", http.StatusOK, &one)
	if one.Builder.Batches != 2 || len(one.Batches) != 2 || one.Batches[0].URL != "https://ci.example/jobs/4" || one.Batches[0].Branch != "feature/x" ||
		len(one.Worst) != 2 || one.Worst[0].Name != "net.TestLookupHost" {
		t.Errorf("builder linux-amd64: %+v", one)
	}
	e.get("/api/v1/builders/nobody", http.StatusNotFound, nil)

	var revs struct {
		Branch    string `json:"branch"`
		Revisions []struct {
			Repo     string   `json:"repo"`
			Revision string   `json:"revision"`
			Branches []string `json:"branches"`
			Status   string   `json:"status"`
			New      int      `json:"new"`
			Flaky    int      `json:"flaky"`
		} `json:"revisions"`
	}
	e.get("/api/v1/revisions?repo=golang/go", http.StatusOK, &revs)
	if revs.Branch != "main" || len(revs.Revisions) != 1 || revs.Revisions[0].Revision != "aaaa111" || revs.Revisions[0].Status != "failure" ||
		revs.Revisions[0].Flaky != 1 || revs.Revisions[0].New != 1 || !slices.Equal(revs.Revisions[0].Branches, []string{"main"}) {
		t.Errorf("revisions on main: %+v", revs)
	}
	e.get("/api/v1/revisions?repo=golang/go&branch=feature/x", http.StatusOK, &revs)
	if len(revs.Revisions) != 1 || revs.Revisions[0].Revision != "bbbb222" {
		t.Errorf("revisions on feature/x: %+v", revs)
	}
	e.get("/api/v1/revisions?branch=*", http.StatusOK, &revs)
	if len(revs.Revisions) != 3 {
		t.Errorf("revisions on every branch: %+v", revs)
	}

	var o struct {
		Branch   string `json:"branch"`
		TopFlaky []struct {
			Name string `json:"name"`
		} `json:"top_flaky"`
		NewSignatures []struct {
			Title string `json:"title"`
		} `json:"new_signatures"`
	}
	// The overview shows main: the GC panic came on feature/x only.
	e.get("/api/v1/overview", http.StatusOK, &o)
	if o.Branch != "main" || len(o.TopFlaky) != 1 || o.TopFlaky[0].Name != "net.TestLookupHost" || len(o.NewSignatures) != 3 {
		t.Errorf("overview: %+v", o)
	}
	e.get("/api/v1/overview?branch=feature/x&os=windows", http.StatusOK, &o)
	if len(o.TopFlaky) != 0 || len(o.NewSignatures) != 0 {
		t.Errorf("overview on feature/x, windows: %+v", o)
	}
	e.get("/api/v1/overview?os=windows", http.StatusOK, &o)
	if len(o.NewSignatures) != 2 {
		t.Errorf("overview on windows: %+v", o)
	}
	e.get("/api/v1/overview?branch=*", http.StatusOK, &o)
	if o.Branch != "" || len(o.NewSignatures) != 4 {
		t.Errorf("overview on every branch: %+v", o)
	}
}

// TestCampaignListFilters checks the campaign list's filters and the
// columns it gained: who started it, its branch.
func TestCampaignListFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	for _, body := range []string{
		`{"name": "stat on main", "kind": "exec", "command": ["go", "test"], "iterations": 10, "repo": "golang/go", "revision": "aaaa111", "branch": "main", "created_by": "mallory"}`,
		`{"name": "gc on feature", "kind": "exec", "command": ["go", "test"], "iterations": 10, "repo": "golang/go", "revision": "bbbb222", "branch": "refs/heads/feature/x"}`,
		`{"name": "echo", "kind": "scenario", "scenario": "echo-pause", "iterations": 5}`,
	} {
		var c map[string]any
		if code := e.do("POST", "/api/v1/campaigns", admin, "application/json", strings.NewReader(body), &c); code != http.StatusCreated {
			t.Fatalf("create %s: %d %v", body, code, c)
		}
		if c["created_by"] != "bootstrap admin" {
			t.Errorf("created_by %v, want the caller, whatever the body says", c["created_by"])
		}
	}
	if _, err := e.store.Pool().Exec(context.Background(), `UPDATE campaigns SET state = 'done', started_at = now() - interval '90 seconds', finished_at = now() WHERE name = 'echo'`); err != nil {
		t.Fatal(err)
	}
	type page struct {
		Campaigns []struct {
			Name     string  `json:"name"`
			Branch   string  `json:"branch"`
			By       string  `json:"created_by"`
			Duration float64 `json:"duration_seconds"`
		} `json:"campaigns"`
		NextCursor string `json:"next_cursor"`
	}
	for q, want := range map[string][]string{
		"":                          {"echo", "gc on feature", "stat on main"},
		"q=ON":                      {"gc on feature", "stat on main"},
		"repo=golang/go":            {"gc on feature", "stat on main"},
		"branch=feature/x":          {"gc on feature"},
		"state=done":                {"echo"},
		"state=queued&q=stat":       {"stat on main"},
		"since=2020-01-01":          {"echo", "gc on feature", "stat on main"},
		"until=2020-01-01":          nil,
		"builder=no-such-runner":    nil,
		"os=plan9":                  nil,
		"limit=2&repo=golang/go&q=": {"gc on feature", "stat on main"},
	} {
		var p page
		e.get("/api/v1/campaigns?"+q, http.StatusOK, &p)
		var got []string
		for _, c := range p.Campaigns {
			got = append(got, c.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("campaigns?%s: %v, want %v", q, got, want)
		}
	}
	var p page
	e.get("/api/v1/campaigns?state=done", http.StatusOK, &p)
	if c := p.Campaigns[0]; c.Duration != 90 || c.By != "bootstrap admin" {
		t.Errorf("done campaign: %+v", c)
	}
	e.get("/api/v1/campaigns?q=gc", http.StatusOK, &p)
	if c := p.Campaigns[0]; c.Branch != "feature/x" {
		t.Errorf("branch: %+v", c)
	}
	var bad struct{ Detail string }
	e.get("/api/v1/campaigns?branch=..", http.StatusBadRequest, &bad)
	e.get("/api/v1/campaigns?class=flaky", http.StatusBadRequest, &bad)
	if !strings.Contains(bad.Detail, "cannot be filtered by class") {
		t.Errorf("class on campaigns: %q", bad.Detail)
	}
}

// TestPagingWhileResultsArrive pages through lists in pages of 5 while
// uploads keep changing the figures they are sorted by: no row is lost or
// repeated.
func TestPagingWhileResultsArrive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	const n = 23
	words := strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo")
	var rs []res
	for i := range n {
		for k := range i % 6 {
			// Python errors of many types, so many signatures (Go panics
			// without frames would all key on their one place).
			w := words[(i+k)%len(words)]
			rs = append(rs, res{fmt.Sprintf("pkg.TestCase%02d", i), "fail",
				fmt.Sprintf("Traceback (most recent call last):\n  File \"t.py\", line 3, in t\n%sError: case\n", strings.ToUpper(w[:1])+w[1:])})
		}
		rs = append(rs, res{fmt.Sprintf("pkg.TestCase%02d", i), "pass", ""})
	}
	e.send("repo=o/r&revision=aaaa111&builder=b1&os=linux&branch=main", rs...)
	// More builders and revisions, for the other lists.
	for i := range 7 {
		e.send(fmt.Sprintf("repo=o/r&revision=%07x&builder=host-%d&os=linux&branch=main", 0xbbb0000+i, i), res{"pkg.TestCase01", "pass", ""})
	}
	e.record()

	for _, sort := range []string{"failures", "rate", "impact", "name"} {
		t.Run(sort, func(t *testing.T) {
			before := map[string]bool{}
			var all testPage
			e.get("/api/v1/tests?limit=500&sort="+sort, http.StatusOK, &all)
			for _, r := range all.Tests {
				before[r.Name] = true
			}
			seen := map[string]int{}
			path := "/api/v1/tests?limit=5&sort=" + sort
			for page := 0; ; page++ {
				var p testPage
				e.get(path, http.StatusOK, &p)
				if len(p.Tests) > 5 {
					t.Fatalf("page of %d", len(p.Tests))
				}
				for _, r := range p.Tests {
					seen[r.Name]++
				}
				// Between pages: a test that had not failed fails a lot (it
				// would jump ahead), one of the most failing passes a lot
				// (it would fall behind), and a new test appears.
				late := []res{{fmt.Sprintf("pkg.TestNew%s%d", sort, page), "fail", "panic: new"}}
				for range 7 {
					late = append(late, res{fmt.Sprintf("pkg.TestCase%02d", 6*(page%4)), "fail", "panic: late"},
						res{fmt.Sprintf("pkg.TestCase%02d", 6*(page%4)+5), "pass", ""})
				}
				e.send(fmt.Sprintf("repo=o/r&revision=aaaa111&builder=b2&os=linux&branch=main&batch=%s-%d", sort, page), late...)
				if p.NextCursor == "" {
					break
				}
				if page > 20 {
					t.Fatal("too many pages")
				}
				path = "/api/v1/tests?limit=5&sort=" + sort + "&cursor=" + url.QueryEscape(p.NextCursor)
			}
			for name := range before {
				if seen[name] != 1 {
					t.Errorf("%s seen %d times", name, seen[name])
				}
			}
			for name, c := range seen {
				if c != 1 {
					t.Errorf("%s repeated %d times", name, c)
				}
			}
		})
	}

	// The other lists, by their keys.
	for li, l := range []struct{ path, field string }{
		{"/api/v1/signatures?sort=failures", "signatures"},
		{"/api/v1/signatures?sort=new", "signatures"},
		{"/api/v1/builders", "builders"},
		{"/api/v1/builders/b2", "batches"},
		{"/api/v1/revisions?branch=*", "revisions"},
	} {
		seen := map[string]int{}
		path := l.path + "&limit=5"
		if !strings.Contains(l.path, "?") {
			path = l.path + "?limit=5"
		}
		first := path
		for page := 0; page < 30; page++ {
			var p map[string]json.RawMessage
			e.get(path, http.StatusOK, &p)
			var rows []map[string]any
			json.Unmarshal(p[l.field], &rows)
			for _, r := range rows {
				key := fmt.Sprint(r["id"], r["name"], r["revision"])
				seen[key]++
			}
			e.send(fmt.Sprintf("repo=o/r&revision=%07x&builder=b%d&os=linux&batch=x%d-%d", 0xccc0000+page, 3+page, page, li),
				// A new signature each page: an error of its own type (a Go
				// panic without frames keys on its place, the same for all).
				res{"pkg.TestCase00", "fail", fmt.Sprintf("Traceback (most recent call last):\n  File \"t.py\", line 3, in t\n%s%dError: another\n",
					strings.ToUpper(words[page%len(words)][:1])+words[page%len(words)][1:], li)})
			var next string
			json.Unmarshal(p["next_cursor"], &next)
			if next == "" {
				break
			}
			path = first + "&cursor=" + url.QueryEscape(next)
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("%s: %s seen %d times", l.path, k, c)
			}
		}
		if len(seen) < 5 {
			t.Errorf("%s: only %d rows", l.path, len(seen))
		}
	}
}

// TestListRefusals checks that a bad filter or cursor is a 400 that says
// what to fix, on the API and on the pages.
func TestListRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	findData(e)
	var p testPage
	e.get("/api/v1/tests?limit=1", http.StatusOK, &p)
	good := p.NextCursor
	raw := func(s string) string { return base64URL(s) }
	for _, tc := range []struct{ name, query, says string }{
		{"repo", "repo=golang", "owner/name"},
		{"branch", "branch=a..b", "branch"},
		{"builder", "builder=/etc/passwd", "builder"},
		{"os", "os=" + url.QueryEscape("linux\x00"), "os"},
		{"class", "class=known", "flaky, broken, new or stable"},
		{"since", "since=yesterday", "RFC 3339"},
		{"until", "until=2026-13-01", "RFC 3339"},
		{"since after until", "since=2026-02-01&until=2026-01-01", "not before"},
		{"sort", "sort=random", "failures, rate, impact, name"},
		{"limit zero", "limit=0", "1 to 500"},
		{"limit too large", "limit=501", "1 to 500"},
		{"limit not a number", "limit=ten", "1 to 500"},
		{"a filter twice", "repo=a/b&repo=c/d", "once"},
		{"a page number", "page=2", "cursor"},
		{"not base64", "cursor=%25%25%25", "cursor"},
		{"not JSON", "cursor=" + raw("hello"), "cursor"},
		{"unknown field", "cursor=" + raw(`{"v":1,"x":1}`), "cursor"},
		{"another version", "cursor=" + raw(`{"v":9,"h":"","a":1700000000,"w":0}`), "cursor"},
		{"other filters", "q=lookup&cursor=" + url.QueryEscape(good), "other filters"},
		{"another sort", "sort=name&cursor=" + url.QueryEscape(good), "other filters"},
		{"a cut cursor", "cursor=" + url.QueryEscape(good[:len(good)-4]), "cursor"},
		{"a huge cursor", "cursor=" + strings.Repeat("A", 5000), "cursor"},
		{"format", "format=xml", "csv or json"},
	} {
		var bad struct{ Error, Detail string }
		if code := e.do("GET", "/api/v1/tests?"+tc.query, "", "", nil, &bad); code != http.StatusBadRequest || !strings.Contains(bad.Detail, tc.says) {
			t.Errorf("%s (%s): %d %+v, want 400 saying %q", tc.name, tc.query, code, bad, tc.says)
		}
	}
	// A cursor forged to count results the server does not have, or to
	// pin a time in the future.
	for _, forged := range []string{
		forge(t, good, func(c map[string]any) { c["w"] = 1 << 40 }),
		forge(t, good, func(c map[string]any) { c["a"] = time.Now().Add(48 * time.Hour).Unix() }),
		forge(t, good, func(c map[string]any) { c["k"] = "1e999" }),
		forge(t, good, func(c map[string]any) { c["s"] = 7 }),
	} {
		var bad struct{ Detail string }
		if code := e.do("GET", "/api/v1/tests?limit=1&cursor="+url.QueryEscape(forged), "", "", nil, &bad); code != http.StatusBadRequest {
			t.Errorf("forged cursor %s: %d %+v", forged, code, bad)
		}
	}
	for _, path := range []string{"/api/v1/signatures?class=flaky", "/api/v1/builders?cursor=" + raw(`{}`), "/api/v1/revisions?repo=x",
		"/api/v1/campaigns?cursor=abc", "/api/v1/overview?limit=5", "/api/v1/overview?os=" + strings.Repeat("x", 50),
		"/api/v1/builders/linux-amd64?since=nope"} {
		e.get(path, http.StatusBadRequest, nil)
	}
	// The pages answer the same with a 400 page.
	for _, path := range []string{"/tests?branch=..", "/signatures?since=never", "/campaigns?state=lost", "/builders?limit=-1",
		"/revisions?cursor=zz", "/?os=" + url.QueryEscape("a\x00"), "/tests?cursor=" + url.QueryEscape(good) + "&q=other"} {
		resp, err := http.Get(e.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "cannot show that") {
			t.Errorf("page %s: %d", path, resp.StatusCode)
		}
	}
}

// TestUploadBranchAndURL checks the branch and CI job an upload names:
// refused when malformed, stored when good.
func TestUploadBranchAndURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	const q = "repo=o/r&revision=abc1234&builder=b"
	for _, tc := range []struct{ query, says string }{
		{"&url=javascript:alert(1)", "http or https"},
		{"&url=" + url.QueryEscape("https://user:pw@ci.example/1"), "password"},
		{"&url=/relative", "http or https"},
		{"&branch=-rf", "branch"},
		{"&branch=main&ref=refs/heads/main", "not both"},
		{"&ref=refs/tags/v1", "refs/heads/"},
		{"&os=" + url.QueryEscape("linux\t"), "os"},
	} {
		var bad struct{ Detail string }
		if code := e.do("POST", "/api/v1/results?"+q+tc.query, admin, "application/json", strings.NewReader(nativeBody(res{"t", "pass", ""})), &bad); code != http.StatusBadRequest ||
			!strings.Contains(bad.Detail, tc.says) {
			t.Errorf("%s: %d %+v, want 400 saying %q", tc.query, code, bad, tc.says)
		}
	}
	e.send(q+"&batch=b1&ref=refs/heads/release/1.2&url="+url.QueryEscape("https://ci.example/run/7?attempt=2"), res{"t", "fail", "boom"})
	var branch, u string
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT branch, url FROM upload_batches`).Scan(&branch, &u); err != nil {
		t.Fatal(err)
	}
	if branch != "release/1.2" || u != "https://ci.example/run/7?attempt=2" {
		t.Errorf("stored branch %q, url %q", branch, u)
	}
	// A retry naming another branch is another batch, refused; one naming
	// none is the same.
	var bad struct{ Detail string }
	if code := e.do("POST", "/api/v1/results?"+q+"&batch=b1&branch=main", admin, "application/json", strings.NewReader(nativeBody(res{"t", "fail", "boom"})), &bad); code != http.StatusConflict ||
		!strings.Contains(bad.Detail, "branch") {
		t.Errorf("retry on another branch: %d %+v", code, bad)
	}
	if code, ans := upload(e, q+"&batch=b1", "application/json", nativeBody(res{"t", "fail", "boom"})); code != http.StatusOK || !ans.Duplicate {
		t.Errorf("retry naming no branch: %d %+v", code, ans)
	}
	// A link that would break out of its attribute is escaped where it
	// leaves.
	evil := `https://ci.example/run/8?a="><script>alert(1)</script>`
	e.send(q+"&batch=b3&url="+url.QueryEscape(evil), res{"t", "fail", "boom"})
	var id int64
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT id FROM tests WHERE name = 't'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{fmt.Sprintf("/tests/%d", id), "/tests", "/revisions/abc1234?repo=o/r", "/builders/b"} {
		resp, err := http.Get(e.url + page)
		if err != nil {
			t.Fatal(err)
		}
		html, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(string(html), "<script>alert(1)") || !strings.Contains(string(html), "ci.example/run/8") {
			t.Errorf("%s: %d, the CI link is missing or not escaped", page, resp.StatusCode)
		}
	}
	// Without a branch, the branch a webhook saw the commit on.
	if _, err := e.store.Pool().Exec(context.Background(), `INSERT INTO revisions (repo, sha, branch) VALUES ('o/r', 'def5678', 'hooked')`); err != nil {
		t.Fatal(err)
	}
	e.send("repo=o/r&revision=def5678&builder=b&batch=b2", res{"t", "pass", ""})
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT branch FROM upload_batches WHERE revision = 'def5678'`).Scan(&branch); err != nil || branch != "hooked" {
		t.Errorf("branch from the webhook: %q %v", branch, err)
	}
}

// TestListsAsCSV checks the CSV twin of each list: by Accept header or
// format=csv, every page streamed, formula cells escaped.
func TestListsAsCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	var rs []res
	for i := range 7 {
		rs = append(rs, res{fmt.Sprintf("pkg.TestPlain%d", i), "pass", ""})
	}
	rs = append(rs, res{"=HYPERLINK(\"http://evil.example\",\"x\")", "fail", "@SUM(1+1)*cmd|' /C calc'!A0"},
		res{"+cmd", "pass", ""}, res{"-2+3", "pass", ""}, res{"@import", "pass", ""})
	e.send("repo=o/r&revision=abc1234&builder=b&os=linux&url="+url.QueryEscape("https://ci.example/1"), rs...)
	e.record()

	get := func(path, accept string) (*http.Response, [][]string) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.url+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		recs, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			t.Fatalf("GET %s: not CSV: %v", path, err)
		}
		return resp, recs
	}
	resp, recs := get("/api/v1/tests", "text/csv")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if len(recs) != 12 || recs[0][0] != "id" || recs[0][2] != "name" {
		t.Fatalf("tests CSV: %d records: %v", len(recs), recs)
	}
	byName := map[string][]string{}
	for _, r := range recs[1:] {
		byName[r[2]] = r
	}
	for _, name := range []string{"'=HYPERLINK(\"http://evil.example\",\"x\")", "'+cmd", "'-2+3", "'@import", "pkg.TestPlain0"} {
		if byName[name] == nil {
			t.Errorf("no escaped row %q in %v", name, recs)
		}
	}
	evil := byName["'=HYPERLINK(\"http://evil.example\",\"x\")"]
	if evil != nil && (evil[3] != "new" || evil[5] != "1" || !strings.HasPrefix(evil[12], "'@SUM") || evil[17] != "https://ci.example/1") {
		t.Errorf("failing row: %v", evil)
	}
	// Every page, streamed, when no page is asked for; one page with a
	// cursor header otherwise.
	_, all := get("/api/v1/tests?format=csv&sort=name", "")
	resp, first := get("/api/v1/tests?format=csv&sort=name&limit=5", "")
	next := resp.Header.Get("X-Next-Cursor")
	_, second := get("/api/v1/tests?format=csv&sort=name&limit=5&cursor="+url.QueryEscape(next), "")
	if len(all) != 12 || len(first) != 6 || next == "" || len(second) != 6 || second[1][0] != all[6][0] {
		t.Errorf("paged CSV: all %d, first %d (next %q), second %d", len(all), len(first), next, len(second))
	}
	for _, path := range []string{"/api/v1/signatures", "/api/v1/campaigns", "/api/v1/builders", "/api/v1/builders/b", "/api/v1/revisions?branch=*"} {
		_, recs := get(path+sep(path)+"format=csv", "")
		if len(recs) < 1 || len(recs[0]) < 5 {
			t.Errorf("%s CSV: %v", path, recs)
		}
		for _, r := range recs[1:] {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
					t.Errorf("%s CSV: unescaped cell %q", path, c)
				}
			}
		}
	}
	// JSON stays the default.
	var p testPage
	e.get("/api/v1/tests?format=json&limit=3", http.StatusOK, &p)
	if len(p.Tests) != 3 || p.NextCursor == "" {
		t.Errorf("JSON: %+v", p)
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// forge edits the fields of a cursor a list gave.
func forge(t *testing.T, c string, edit func(map[string]any)) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(c)
	var m map[string]any
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("cursor %q is not base64url JSON", c)
	}
	edit(m)
	b, _ := json.Marshal(m)
	return base64URL(string(b))
}

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triaged/triaged/internal/browsertest"
	"github.com/triaged/triaged/internal/winetest"
)

// fakeGitHub records the commit statuses posted to it.
type fakeGitHub struct {
	mu       sync.Mutex
	statuses []postedStatus
}

type postedStatus struct {
	SHA         string
	State       string `json:"state"`
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

func (g *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// POST [/api/v3]/repos/{owner}/{repo}/statuses/{sha}: the prefix is
	// what go-github adds for an Enterprise base URL.
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v3"), "/"), "/")
	if r.Method != "POST" || len(parts) != 5 || parts[0] != "repos" || parts[3] != "statuses" {
		http.NotFound(w, r)
		return
	}
	var st postedStatus
	json.NewDecoder(r.Body).Decode(&st)
	st.SHA = parts[4]
	g.mu.Lock()
	g.statuses = append(g.statuses, st)
	id := len(g.statuses)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":%d,"state":%q,"context":%q}`, id, st.State, st.Context)
}

func (g *fakeGitHub) posted() []postedStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]postedStatus(nil), g.statuses...)
}

// TestWalkthrough is the README's bpo-33694 story from a fresh start: the
// server on the embedded default, a Linux runner and a Windows runner
// (under Wine), a CI job uploading JUnit with a failing test, campaigns of
// the legacy and the fixed proactor on both runners and of CPython's own
// test_sslproto on Linux; then the legacy loss grouped under one signature
// with the detector's offsets, the fixed proactor clean with its
// rule-of-three bound, the CPython tests counted right, and the commit
// statuses on a fake GitHub. Screenshots go to artifacts/screenshots.
func TestWalkthrough(t *testing.T) {
	t.Parallel()
	wineEnv, wine := winetest.Env(t)
	exe := filepath.Join(t.TempDir(), "triaged.exe")
	build := exec.Command("go", "build", "-o", exe, "../cmd/triaged")
	build.Env = append(wineEnv, "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build triaged.exe: %v\n%s", err, out)
	}
	gh := &fakeGitHub{}
	ghServer := httptest.NewServer(gh)
	defer ghServer.Close()

	// The embedded default: no database URL, a data directory of its own.
	data := t.TempDir()
	for p := data; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		os.Chmod(p, 0o711) // the embedded cluster runs as postgres when we are root
	}
	s := &server{t: t, addr: freeAddr(t), stderr: &lockedBuffer{}}
	s.args = []string{"serve", "--addr", s.addr, "--data-dir", filepath.Join(data, "state"), "--local-runner=false",
		"--github-token", "gh-token", "--github-api-url", ghServer.URL + "/", "--public-url", "http://" + s.addr}
	s.start()
	t.Cleanup(func() {
		s.cmd.Process.Signal(os.Interrupt)
		<-s.done
	})
	api := func(method, path, contentType, body string, out any) int {
		req, _ := http.NewRequest(method, s.url(path), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil {
			json.Unmarshal(b, out)
		}
		return resp.StatusCode
	}

	linux := startRunner(t, s.url(""), "linux-1", "--labels", "py3")
	windows := exec.Command(wine, exe, "runner", "--server", s.url(""), "--name", "win-1", "--state-dir",
		winetest.WindowsPath(t.TempDir()), "--registration-token", admin, "--poll-interval", "200ms")
	windows.Env = wineEnv
	winLog := &lockedBuffer{}
	windows.Stdout, windows.Stderr = winLog, winLog
	if err := windows.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { windows.Process.Kill(); windows.Wait() }()
	waitFor(t, 60*time.Second, "both runners to register", func() bool {
		var rs struct{ Runners []struct{ Name string } }
		api("GET", "/api/v1/runners", "", "", &rs)
		return len(rs.Runners) == 2
	})

	// A CI job uploads a JUnit report (pytest's) with a failing test.
	const sha, repo = "5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c", "python/cpython"
	junit, err := os.ReadFile("../internal/report/testdata/pytest-employee.xml")
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		Failed      int `json:"failed"`
		NewFailures int `json:"new_failures"`
	}
	if code := api("POST", "/api/v1/results?repo="+repo+"&revision="+sha+"&builder=ci-1&batch=ci-1", "application/xml", string(junit), &up); code != 200 || up.NewFailures == 0 {
		t.Fatalf("upload JUnit: %d %+v, want new failures", code, up)
	}

	type campaign struct {
		ID               int64    `json:"id"`
		State            string   `json:"state"`
		Runs             int      `json:"runs"`
		Failures         int      `json:"failures"`
		ZeroFailureUpper *float64 `json:"zero_failure_upper"`
		Runners          []struct {
			OS             string `json:"os"`
			Runs, Failures int
		} `json:"runners"`
	}
	create := func(body string) int64 {
		var c campaign
		if code := api("POST", "/api/v1/campaigns", "application/json", body, &c); code != 201 {
			t.Fatalf("create campaign %s: %d", body, code)
		}
		return c.ID
	}
	at := fmt.Sprintf(`"repo":%q,"revision":%q`, repo, sha)
	legacyID := create(`{"kind":"scenario","scenario":"starttls-server","proactor":"legacy","each_runner":true,"iterations":12,"params":{"pause_every":"5ms"},` + at + `}`)
	fixedID := create(`{"kind":"scenario","scenario":"starttls-server","proactor":"fixed","each_runner":true,"iterations":60,` + at + `}`)
	cpythonID := create(`{"kind":"exec","command":["python3","-m","test","test_asyncio.test_sslproto","-v"],"labels":["linux"],"iterations":2,"parallel":2,` + at + `}`)
	get := func(id int64) campaign {
		var c campaign
		api("GET", fmt.Sprint("/api/v1/campaigns/", id), "", "", &c)
		return c
	}
	waitFor(t, 5*time.Minute, "the campaigns to finish", func() bool {
		for _, id := range []int64{legacyID, fixedID, cpythonID} {
			if st := get(id).State; st == "queued" || st == "running" {
				return false
			}
		}
		return true
	})

	legacy, fixed, cpython := get(legacyID), get(fixedID), get(cpythonID)
	t.Logf("legacy: %d/%d failed %+v; fixed: %d/%d failed, 95%% upper bound %v; cpython: %d runs",
		legacy.Failures, legacy.Runs, legacy.Runners, fixed.Failures, fixed.Runs, fixed.ZeroFailureUpper, cpython.Runs)
	if legacy.State != "done" || legacy.Runs != 24 || legacy.Failures == 0 {
		t.Errorf("legacy campaign: %+v, want 24 runs on both runners with failures", legacy)
	}
	if fixed.State != "done" || fixed.Runs != 120 || fixed.Failures != 0 || fixed.ZeroFailureUpper == nil || *fixed.ZeroFailureUpper > 0.03 {
		t.Errorf("fixed campaign: %+v, want 120 clean runs with the exact one-sided 95%% bound", fixed)
	}
	if len(fixed.Runners) != 2 {
		t.Errorf("fixed campaign ran on %d runners, want 2 (linux and windows)", len(fixed.Runners))
	}

	// The legacy loss is grouped under one signature, with the offsets.
	var findings struct {
		Findings []struct {
			Iteration   int    `json:"iteration"`
			SignatureID *int64 `json:"signature_id"`
			Title       string `json:"title"`
			Detector    struct {
				Anomalies []struct {
					Kind   string   `json:"kind"`
					Offset *float64 `json:"offset"`
				} `json:"anomalies"`
			} `json:"detector"`
		} `json:"findings"`
	}
	api("GET", fmt.Sprintf("/api/v1/campaigns/%d/findings", legacyID), "", "", &findings)
	sigs := map[string]int{}
	for _, f := range findings.Findings {
		sigs[f.Title]++
		if a := f.Detector.Anomalies; len(a) == 0 || a[0].Offset == nil {
			t.Errorf("iteration %d: a finding without the detector's offset: %+v", f.Iteration, f)
		}
	}
	if len(findings.Findings) == 0 || len(sigs) != 1 {
		t.Errorf("legacy findings: %d under signatures %v, want all under one", len(findings.Findings), sigs)
	}

	// CPython's own tests, counted right: 32 tests a run, 11 skipped.
	var rev struct {
		Results, Passed, Failed, Errors, Skipped int
	}
	api("GET", "/api/v1/revisions/"+sha+"?repo="+repo, "", "", &rev)
	t.Logf("revision page: %+v", rev)
	if cpython.Runs != 2 {
		t.Errorf("cpython campaign: %d runs, want 2", cpython.Runs)
	}
	// Skipped tests on the commit: 3 in the pytest upload, and regrtest's 11
	// skips of test_sslproto in each of the 2 iterations.
	if rev.Skipped != 3+2*11 {
		t.Errorf("skipped results on the commit: %d, want %d (regrtest's own count)", rev.Skipped, 3+2*11)
	}

	// The commit's status reached GitHub.
	waitFor(t, 30*time.Second, "a commit status on GitHub", func() bool {
		for _, st := range gh.posted() {
			if st.SHA == sha && st.Context == "triaged" && st.State == "failure" && strings.Contains(st.TargetURL, "/revisions/"+sha) {
				return true
			}
		}
		return false
	})
	for _, st := range gh.posted() {
		t.Logf("GitHub status: %s %s %q %s", st.Context, st.State, st.Description, st.TargetURL)
	}

	ctx := browsertest.New(t)
	for _, p := range []struct{ name, path string }{
		{"walkthrough-1-overview", "/"},
		{"walkthrough-2-legacy-campaign", fmt.Sprint("/campaigns/", legacyID)},
		{"walkthrough-3-fixed-campaign", fmt.Sprint("/campaigns/", fixedID)},
		{"walkthrough-4-revision", "/revisions/" + sha + "?repo=" + repo},
		{"walkthrough-5-runners", "/runners"},
	} {
		browsertest.Do(t, ctx, "open "+p.path, chromedp.Navigate(s.url(p.path)), chromedp.WaitReady("body"))
		browsertest.Screenshot(t, ctx, p.name)
	}
	linux.stop(t)
	if t.Failed() {
		t.Logf("windows runner log:\n%s\nlinux runner log:\n%s", winLog, linux.stderr)
	}
}

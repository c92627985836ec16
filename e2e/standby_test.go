//go:build !windows

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/localpg"
)

// TestReadsFromAStandby serves with --read-database-url pointing at a real
// streaming standby of the primary, made with pg_basebackup. With the
// standby's replay paused, so it is behind by every write: lists come
// from the standby (they miss the new campaign), one thing by id falls
// back to the primary (the new campaign is not a 404), the answer to a
// write shows the write, and the person who made a change through the
// pages sees it on the next page while others see the standby's lists.
func TestReadsFromAStandby(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bin, err := localpg.FindBinaries("")
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("", "standby")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	os.Chmod(root, 0o711) // the clusters run as another user when tests run as root
	primary, err := localpg.Start(ctx, localpg.Options{Dir: filepath.Join(root, "primary"), Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Stop()

	// The standby: a base backup of the primary, streaming from it.
	standbyDir := filepath.Join(root, "standby")
	if err := os.MkdirAll(filepath.Join(standbyDir, "postgres"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(standbyDir, 0o711)
	u, _ := url.Parse(primary.URL("postgres"))
	backup := exec.Command(filepath.Join(bin, "pg_basebackup"), "-h", u.Query().Get("host"), "-p", u.Query().Get("port"),
		"-U", "postgres", "-D", filepath.Join(standbyDir, "postgres", "data"), "-R", "-X", "stream", "-c", "fast")
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("tests run as root need the postgres user for the clusters: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(filepath.Join(standbyDir, "postgres"), uid, gid); err != nil {
			t.Fatal(err)
		}
		backup.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	if out, err := backup.CombinedOutput(); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	standby, err := localpg.Start(ctx, localpg.Options{Dir: standbyDir, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Stop()
	sconn, err := pgx.Connect(ctx, standby.URL(localpg.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer sconn.Close(ctx)
	var recovering bool
	if sconn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); !recovering {
		t.Fatal("the standby is not in recovery: the test would prove nothing")
	}

	s := startServer(t, primary.URL(localpg.Database), "--read-database-url", standby.URL(localpg.Database))
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr)
		}
	}()
	campaignNames := func(c *http.Client, base string) []string {
		req, _ := http.NewRequest("GET", base+"/api/v1/campaigns", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list struct{ Campaigns []struct{ Name string } }
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /api/v1/campaigns: %d, %v", resp.StatusCode, err)
		}
		var names []string
		for _, c := range list.Campaigns {
			names = append(names, c.Name)
		}
		return names
	}
	has := func(names []string, name string) bool {
		for _, n := range names {
			if n == name {
				return true
			}
		}
		return false
	}

	// A first campaign, and the standby caught up with it.
	if code := apiJSON(t, s.url(""), "POST", "/api/v1/campaigns", `{"kind":"exec","name":"before","command":["true"],"iterations":1}`, nil); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	waitFor(t, time.Minute, "the standby to replay the first campaign", func() bool { return has(campaignNames(http.DefaultClient, s.url("")), "before") })

	// Replay paused: the standby stays where it is.
	if _, err := sconn.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID   int64
		Name string
	}
	if code := apiJSON(t, s.url(""), "POST", "/api/v1/campaigns", `{"kind":"exec","name":"while-paused","command":["true"],"iterations":1}`, &created); code != 201 || created.Name != "while-paused" {
		t.Fatalf("create campaign while the standby is behind: %d %+v", code, created)
	}
	var got struct{ Name, State string }
	if code := apiJSON(t, s.url(""), "GET", fmt.Sprintf("/api/v1/campaigns/%d", created.ID), "", &got); code != 200 || got.Name != "while-paused" {
		t.Errorf("GET the new campaign by id: %d %+v, want 200 from the primary", code, got)
	}
	if code := apiJSON(t, s.url(""), "POST", fmt.Sprintf("/api/v1/campaigns/%d/cancel", created.ID), "", &got); code != 200 || got.State != "cancelled" {
		t.Errorf("cancel: %d %+v, want the answer to show the campaign cancelled", code, got)
	}
	if names := campaignNames(http.DefaultClient, s.url("")); has(names, "while-paused") || !has(names, "before") {
		t.Errorf("campaign list with the standby paused: %q; want it read from the standby (before, not while-paused)", names)
	}
	var readers int
	sconn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'triaged-reader'`).Scan(&readers)
	if readers == 0 {
		t.Error("no triaged-reader session on the standby")
	}

	// Pages: the admin who just logged in (a change: a new session) sees
	// the primary; a reader without that cookie sees the standby.
	jar, _ := cookiejar.New(nil)
	adminClient := &http.Client{Jar: jar}
	loginPage := getPage(t, adminClient, s.url("/login"))
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(loginPage)
	if m == nil {
		t.Fatalf("no csrf field on the login page:\n%s", loginPage)
	}
	resp, err := adminClient.PostForm(s.url("/login"), url.Values{"csrf": {m[1]}, "token": {admin}, "next": {"/campaigns"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "while-paused") {
		t.Errorf("campaigns page right after logging in: %d, without the new campaign; want it read from the primary", resp.StatusCode)
	}
	if page := getPage(t, http.DefaultClient, s.url("/campaigns")); strings.Contains(page, "while-paused") || !strings.Contains(page, "before") {
		t.Error("campaigns page for an anonymous reader shows the new campaign; want the standby's list")
	}

	// Ready, with the lag reported; then replay resumes and lists catch up.
	var ready struct {
		Status  string
		ReadLag *float64 `json:"read_lag_seconds"`
	}
	if code := apiJSON(t, s.url(""), "GET", "/readyz", "", &ready); code != 200 || ready.ReadLag == nil {
		t.Errorf("readyz with a paused standby: %d %+v, want ready with read_lag_seconds", code, ready)
	}
	if _, err := sconn.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the standby to catch up", func() bool { return has(campaignNames(http.DefaultClient, s.url("")), "while-paused") })
	if strings.Contains(s.stderr.String(), "read-only") {
		t.Error("the server tried to write to the standby")
	}
}

// getPage GETs a page and returns its body, failing on anything but 200.
func getPage(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/pgtest"
)

// balancer spreads requests over servers in turn, as a load balancer does,
// and sends a request to the next server when one does not answer.
type balancer struct {
	servers []string
	next    atomic.Uint64
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	start := b.next.Add(1)
	for i := range len(b.servers) {
		target := b.servers[(int(start)+i)%len(b.servers)]
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			continue // that server is down: the next one
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "no server answered", http.StatusBadGateway)
}

// TestTwoServersOneDatabase runs two servers on one database behind a
// balancer: runners lease, heartbeat and upload through both, CI jobs
// upload, a webhook is delivered to both, and one server is killed with
// SIGKILL mid-campaign. The campaign ends with exactly its iterations
// stored once each; GitHub gets each status change once and in order; the
// replayed webhook is refused by the other server.
func TestTwoServersOneDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	gh := &fakeGitHub{}
	ghServer := httptest.NewServer(gh)
	defer ghServer.Close()
	const secret = "replicas-webhook-secret"
	args := []string{"--github-token", "gh-token", "--github-api-url", ghServer.URL + "/", "--github-webhook-secret", secret}
	s1, s2 := startServer(t, db, args...), startServer(t, db, args...)
	lb := httptest.NewServer(&balancer{servers: []string{s1.url(""), s2.url("")}})
	defer lb.Close()

	// A webhook delivered to both servers is recorded once.
	push := fmt.Sprintf(`{"ref":"refs/heads/main","after":"c0de001","repository":{"full_name":"o/r","pushed_at":%d},"head_commit":{"id":"c0de001","message":"m"},"commits":[]}`,
		time.Now().Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(push))
	for i, s := range []*server{s1, s2} {
		req, _ := http.NewRequest("POST", s.url("/webhooks/github"), strings.NewReader(push))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", "delivery-1")
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[int]int{0: 200, 1: 409}[i]; resp.StatusCode != want {
			t.Errorf("webhook to server %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}

	// Three runners through the balancer, and a campaign on a commit.
	for i := range 3 {
		startRunner(t, lb.URL, fmt.Sprintf("replica-runner-%d", i))
	}
	const iterations = 1500
	var created struct{ ID int64 }
	body := fmt.Sprintf(`{"kind":"scenario","scenario":"echo-pause","proactor":"fixed","backend":"emu","iterations":%d,
		"params":{"packets":50,"packet_size":1024,"pause_every":"5ms"},"repo":"o/r","revision":"c0de001"}`, iterations)
	if code := apiJSON(t, lb.URL, "POST", "/api/v1/campaigns", body, &created); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}

	// CI jobs upload to a few commits meanwhile, through the balancer.
	ctx := context.Background()
	var uploads sync.WaitGroup
	for c := range 4 {
		uploads.Go(func() {
			for k := range 5 {
				q := fmt.Sprintf("repo=o/r&revision=c0de%03d&builder=ci-%d&batch=ci-%d-%d", c+1, c, c, k)
				if _, err := uploadUntilStored(ctx, http.DefaultClient, func() string { return lb.URL }, q, batch(40, c+k)); err != nil {
					t.Errorf("upload: %v", err)
				}
			}
		})
	}

	// Kill one server once a third of the campaign ran.
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	waitFor(t, 3*time.Minute, "a third of the campaign", func() bool {
		var runs int
		conn.QueryRow(ctx, `SELECT runs FROM campaigns WHERE id = $1`, created.ID).Scan(&runs)
		return runs >= iterations/3
	})
	var atKill int
	conn.QueryRow(ctx, `SELECT runs FROM campaigns WHERE id = $1`, created.ID).Scan(&atKill)
	s1.kill()
	uploads.Wait()
	waitCampaignDone(t, db, 4*time.Minute)

	var rows, distinct int
	var state string
	conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT iteration) FROM results WHERE campaign_id = $1`, created.ID).Scan(&rows, &distinct)
	conn.QueryRow(ctx, `SELECT state FROM campaigns WHERE id = $1`, created.ID).Scan(&state)
	if rows != iterations || distinct != iterations || state != "done" {
		t.Errorf("campaign: %d results over %d iterations, state %s; want %d once each, done", rows, distinct, state, iterations)
	}

	// Every status is posted once per change: the surviving server's
	// workers post what both recorded, never the same status twice in a
	// row for one commit and context, ending with what was recorded last.
	waitFor(t, time.Minute, "the statuses posted", func() bool {
		var pending int
		conn.QueryRow(ctx, `SELECT count(*) FROM status_outbox WHERE delivered_at IS NULL AND covered_by IS NULL AND NOT dead`).Scan(&pending)
		var dirty int
		conn.QueryRow(ctx, `SELECT count(*) FROM status_dirty`).Scan(&dirty)
		return pending == 0 && dirty == 0
	})
	last := map[string]string{}
	for _, st := range gh.posted() {
		key, said := st.SHA+" "+st.Context, st.State+" "+st.Description
		if last[key] == said {
			t.Errorf("%s: %q posted twice in a row", key, said)
		}
		last[key] = said
	}
	rowsOut, _ := conn.Query(ctx, `SELECT DISTINCT ON (revision, context) revision, context, state || ' ' || description
		FROM status_outbox ORDER BY revision, context, id DESC`)
	var recorded int
	for rowsOut.Next() {
		var sha, context, said string
		rowsOut.Scan(&sha, &context, &said)
		recorded++
		if got := last[sha+" "+context]; got != said {
			t.Errorf("%s %s: GitHub shows %q, the newest recorded is %q", sha, context, got, said)
		}
	}
	t.Logf("server 1 killed at %d of %d iterations; %d statuses posted, %d commit/context statuses recorded", atKill, iterations, len(gh.posted()), recorded)
	if atKill >= iterations {
		t.Errorf("the campaign was over before server 1 was killed: the test proved nothing")
	}
	if recorded < 5 {
		t.Errorf("%d commit statuses recorded, want the campaign's and the four commits'", recorded)
	}
	if t.Failed() {
		t.Logf("server 2:\n%s", s2.stderr)
	}
}

// apiJSON sends a JSON request as admin and decodes the answer into out.
func apiJSON(t *testing.T, base, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

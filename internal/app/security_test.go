package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/pgtest"
)

// TestWriteEndpointsRefuseWrongCallers sends every write endpoint of the
// API a request with no token, an unknown token, and a token of the wrong
// kind: 401, 401 and 403, and nothing is stored.
func TestWriteEndpointsRefuseWrongCallers(t *testing.T) {
	t.Parallel()
	const admin = "sec-admin"
	ctx := context.Background()
	st := pgtest.NewStore(t)
	ts := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler)}, st).Handler())
	defer ts.Close()
	token := func(kind string) string {
		secret, hash := auth.NewToken()
		if _, err := st.CreateToken(ctx, "t-"+kind, kind, hash); err != nil {
			t.Fatal(err)
		}
		return secret
	}
	upload, register := token(auth.Upload), token(auth.Register)
	// A runner, for the endpoints only runners may call.
	var reg struct{ Token string }
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/runners/register", strings.NewReader(`{"name":"r1","os":"linux","arch":"amd64"}`))
	req.Header.Set("Authorization", "Bearer "+register)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()

	endpoints := []struct {
		method, path, body string
		wrongKind          string // a valid token that lacks the right
	}{
		{"POST", "/api/v1/results?repo=o/r&revision=a&builder=b", `{"results":[{"test":"t","outcome":"pass"}]}`, register},
		{"POST", "/api/v1/tokens", `{"name":"x","kind":"upload"}`, upload},
		{"GET", "/api/v1/tokens", ``, upload},
		{"DELETE", "/api/v1/tokens/1", ``, upload},
		{"POST", "/api/v1/campaigns", `{"kind":"exec","command":["true"],"iterations":1}`, upload},
		{"POST", "/api/v1/campaigns/1/cancel", ``, reg.Token},
		{"POST", "/api/v1/runners/register", `{"name":"r2","os":"linux","arch":"amd64"}`, upload},
		{"POST", "/api/v1/runners/1/disable", ``, reg.Token},
		{"POST", "/api/v1/runners/1/enable", ``, register},
		{"POST", "/api/v1/runners/heartbeat", `{}`, admin},
		{"POST", "/api/v1/jobs/lease", `{}`, upload},
		{"POST", "/api/v1/jobs/1/results?batch=b", `{"results":[]}`, admin},
		{"POST", "/api/v1/jobs/1/complete", `{}`, register},
		{"GET", "/api/v1/github/statuses", ``, reg.Token},
	}
	for _, ep := range endpoints {
		for _, c := range []struct {
			name, token string
			want        int
		}{{"no token", "", 401}, {"unknown token", "tri_unknown", 401}, {"wrong kind", ep.wrongKind, 403}} {
			req, _ := http.NewRequest(ep.method, ts.URL+ep.path, strings.NewReader(ep.body))
			req.Header.Set("Content-Type", "application/json")
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var problem struct{ Error string }
			json.NewDecoder(resp.Body).Decode(&problem)
			resp.Body.Close()
			if resp.StatusCode != c.want || problem.Error == "" {
				t.Errorf("%s %s with %s: got %d %q, want %d with an error body", ep.method, ep.path, c.name, resp.StatusCode, problem.Error, c.want)
			}
		}
	}
	for _, table := range []string{"results", "campaigns", "upload_batches"} {
		var n int
		st.Pool().QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s`, table)).Scan(&n)
		if n != 0 {
			t.Errorf("%s: %d rows stored by refused requests", table, n)
		}
	}
	var tokens int
	st.Pool().QueryRow(ctx, `SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL`).Scan(&tokens)
	if tokens != 0 {
		t.Errorf("a refused request revoked %d tokens", tokens)
	}
}

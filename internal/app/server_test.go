package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	srv := app.New(app.Config{Version: "test", Database: "pgtest", Log: slog.New(slog.DiscardHandler)}, pgtest.NewStore(t))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tests := []struct {
		path     string
		wantCode int
		wantType string
		wantBody string
	}{
		{"/healthz", 200, "application/json", `"status":"ok"`},
		{"/readyz", 200, "application/json", `"status":"ready"`},
		{"/", 200, "text/html", "Nothing uploaded yet"},
		{"/static/style.css", 200, "text/css", "--accent"},
		{"/no/such/page", 404, "text/html", "404 Not Found"},
		{"/metrics", 200, "text/plain", "triaged_http_request_duration_seconds"},
	}
	for _, tt := range tests {
		resp, err := http.Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantCode {
			t.Errorf("GET %s: got %d, want %d", tt.path, resp.StatusCode, tt.wantCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
			t.Errorf("GET %s: content type %q, want %s", tt.path, ct, tt.wantType)
		}
		if !strings.Contains(string(body), tt.wantBody) {
			t.Errorf("GET %s: body lacks %q", tt.path, tt.wantBody)
		}
	}
}

func TestReadyzWithoutDatabase(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	srv := app.New(app.Config{Version: "test", Log: slog.New(slog.DiscardHandler)}, st)
	st.Close()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("got %d, want 503", rec.Code)
	}
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz: got %d, want 200", rec.Code)
	}
}

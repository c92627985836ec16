package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestServeWithLocalRunner is the README's main job: `triaged serve` on the
// embedded default runs a campaign with its local runner, no other setup.
func TestServeWithLocalRunner(t *testing.T) {
	t.Parallel()
	dir, addr := dataDir(t), freeAddr(t)
	p := start(t, []string{"TRIAGED_ADMIN_TOKEN=local-admin-token-0123"}, "serve", "--addr", addr, "--data-dir", dir)
	waitReady(t, p, addr)
	api := func(method, path, body string, out any) int {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer local-admin-token-0123")
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
	var c struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Runs  int    `json:"runs"`
	}
	body := `{"kind":"scenario","scenario":"echo-pause","proactor":"fixed","labels":["local"],"iterations":4,"params":{"packets":100,"packet_size":8192}}`
	if code := api("POST", "/api/v1/campaigns", body, &c); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	waitFor(t, 60*time.Second, "the local runner to finish the campaign", func() bool {
		api("GET", fmt.Sprint("/api/v1/campaigns/", c.ID), "", &c)
		return c.State == "done"
	})
	if c.Runs != 4 {
		t.Errorf("runs: got %d, want 4", c.Runs)
	}
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Errorf("exit %d; stderr:\n%s", code, p.stderr)
	}
	noOrphans(t, dir)
}

package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
)

// TestBidiControlsShowOnPages: names and texts with bidi controls were
// shown raw, so "test_\u202egnp.exe" read as "test_exe.png" (issue #14,
// item 15). Every page shows them as escapes instead.
func TestBidiControlsShowOnPages(t *testing.T) {
	t.Parallel()
	_, base := bareServer(t, app.Config{})
	test := "t.test_\u202egnp.exe"
	text := "Traceback (most recent call last):\nAssertionError: \u2066admin\u2069 \u200fis\u200e ok\u061c\n"
	var ans struct {
		Results []struct {
			TestID      int64 `json:"test_id"`
			SignatureID int64 `json:"signature_id"`
		}
	}
	for i, outcome := range []string{"fail", "pass"} {
		doc, _ := json.Marshal(map[string]any{"results": []map[string]string{{"test": test, "outcome": outcome, "failure_text": text}}})
		q := "/api/v1/results?repo=o/r&revision=abc1234&builder=b\u202e&batch=b" + string(rune('0'+i))
		if code := api(t, "POST", base+q, adminToken, string(doc), &ans); code != 400 {
			// A builder name is one plain word: bidi controls are refused there.
			t.Errorf("builder with U+202E: %d, want 400", code)
		}
		q = "/api/v1/results?repo=o/r&revision=abc1234&builder=b&batch=b" + string(rune('0'+i))
		if code := api(t, "POST", base+q, adminToken, string(doc), &ans); code != 200 {
			t.Fatalf("upload: %d", code)
		}
	}
	var testID int64
	var list struct{ Signatures []struct{ ID int64 } }
	getJSON(t, base+"/api/v1/signatures", &list)
	if len(list.Signatures) != 1 {
		t.Fatalf("signatures: %+v", list)
	}
	var sig struct{ Tests []struct{ ID int64 } }
	getJSON(t, base+"/api/v1/signatures/"+itoa(list.Signatures[0].ID), &sig)
	if len(sig.Tests) == 1 {
		testID = sig.Tests[0].ID
	}
	if code := api(t, "POST", base+"/api/v1/campaigns", adminToken,
		`{"name":"stress \u202etxt.exe","kind":"exec","command":["python3","-m","test","\u202e"],"iterations":1,"test":"`+test+`"}`, nil); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	pages := []string{"/", "/signatures", "/signatures/" + itoa(list.Signatures[0].ID), "/tests/" + itoa(testID),
		"/revisions/abc1234?repo=" + url.QueryEscape("o/r"), "/campaigns", "/campaigns/1"}
	for _, p := range pages {
		code, page := get(t, base+p)
		if code != 200 {
			t.Errorf("GET %s: %d", p, code)
			continue
		}
		if i := strings.IndexFunc(page, func(r rune) bool {
			return strings.ContainsRune("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", r)
		}); i >= 0 {
			t.Errorf("GET %s: a raw bidi control at byte %d: %q", p, i, page[max(0, i-40):min(len(page), i+40)])
		}
	}
	_, page := get(t, base+"/tests/"+itoa(testID))
	if !strings.Contains(page, `\u202egnp.exe`) || !strings.Contains(page, `\u2066admin\u2069`) {
		t.Errorf("the test page does not show the controls as escapes")
	}
	_, page = get(t, base+"/campaigns")
	if !strings.Contains(page, `stress \u202etxt.exe`) {
		t.Errorf("the campaigns page does not show the name's control as an escape")
	}
}

package app_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// layers ranks every package of the module, top to bottom; it is the table
// docs/ARCHITECTURE.md shows. A package may import only packages of a
// lower layer, except that domain packages may import each other (Go rules
// out cycles). Test-only helpers may be imported by tests alone.
var layers = []struct {
	name     string
	packages []string
}{
	{"command", []string{"cmd/triaged"}},
	{"wiring", []string{"internal/app"}},
	{"edges", []string{"internal/api", "web", "internal/runner", "internal/github"}},
	{"services", []string{"ingest", "internal/view", "internal/auth"}},
	{"store", []string{"internal/store"}},
	{"domain", []string{"internal/campaign", "internal/verdict", "internal/protocol", "internal/signature", "internal/stats", "internal/report",
		"internal/vcs", "internal/checkout", "internal/repo", "internal/bisect", "internal/rule", "internal/quarantine", "internal/owner",
		"internal/issue", "stress", "stress/detect", "stress/detect/fault", "proactor", "proactor/emu", "proactor/iocp"}},
	{"leaves", []string{"internal/config", "internal/localpg", "internal/jsonapi", "migrations"}},
	{"test helpers", []string{"internal/pgtest", "internal/proctest", "internal/winetest", "internal/browsertest", "internal/gittest",
		"proactor/internal/streamtest", "e2e"}},
}

const module = "github.com/triaged/triaged/"

// TestLayers checks every import of every non-test file against the table,
// so the tree keeps the shape the architecture page draws.
func TestLayers(t *testing.T) {
	t.Parallel()
	rank := map[string]int{}
	for i, l := range layers {
		for _, p := range l.packages {
			rank[p] = i
		}
	}
	domain, helpers := 5, len(layers)-1
	out, err := exec.Command("go", "list", "-json", "-e", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		from, ok := rank[name]
		if !ok {
			t.Errorf("package %s is in no layer: add it to the table here and in docs/ARCHITECTURE.md", name)
			continue
		}
		if from == helpers {
			continue // test helpers may use anything
		}
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			to, ok := rank[dep]
			switch {
			case !ok:
				continue // reported as a package of its own
			case to == helpers:
				t.Errorf("%s (%s) imports the test helper %s", name, layers[from].name, dep)
			case to < from, to == from && from != domain && name != dep:
				t.Errorf("%s (%s) imports %s (%s): a package imports only from the layers below it",
					name, layers[from].name, dep, layers[to].name)
			}
		}
	}
}

//go:build linux

package stress

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/winetest"
)

// TestFrozenProcessIsNotATimeout runs starttls-server iterations in a child
// process and stops it (SIGSTOP, CPU starvation taken to its limit) for
// longer than an iteration's time limit. The iteration the freeze falls in
// did nothing wrong: it must pass, as it does on an idle host.
func TestFrozenProcessIsNotATimeout(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFrozenCampaignHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TRIAGED_FREEZE_HELPER=emu")
	checkFrozenCampaign(t, cmd)
}

// TestFrozenProcessIsNotATimeoutUnderWine is the same on the iocp backend:
// the Windows test binary under Wine, whose process is a Linux process
// that SIGSTOP freezes as a whole.
func TestFrozenProcessIsNotATimeoutUnderWine(t *testing.T) {
	t.Parallel()
	env, wine := winetest.Env(t)
	bin := filepath.Join(t.TempDir(), "stress.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(env, "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows test binary: %v\n%s", err, out)
	}
	cmd := exec.Command(wine, bin, "-test.run=^TestFrozenCampaignHelper$", "-test.count=1")
	cmd.Env = append(env, "TRIAGED_FREEZE_HELPER=iocp")
	checkFrozenCampaign(t, cmd)
}

// checkFrozenCampaign starts the helper, freezes it once it is running
// iterations, and checks the iteration the freeze fell in.
func checkFrozenCampaign(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(cmd.Process.Pid, syscall.SIGCONT)
		cmd.Process.Kill()
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "ready" {
	}
	time.Sleep(time.Second)
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(freeze)
	syscall.Kill(cmd.Process.Pid, syscall.SIGCONT)

	var recs []frozenRecord
	for lines.Scan() {
		var r frozenRecord
		if json.Unmarshal(lines.Bytes(), &r) == nil {
			recs = append(recs, r)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v\n%s", err, stderr.String())
	}
	frozen := 0
	for _, r := range recs {
		if r.Duration >= freeze {
			frozen++
		}
		if r.Failed {
			t.Errorf("iteration %d (%v) failed:\n%s", r.Iteration, r.Duration, r.Text)
		}
	}
	// The freeze may fall between two iterations; then there is nothing
	// to judge, which is rare enough to say so loudly rather than retry.
	if frozen == 0 {
		t.Fatalf("the freeze fell in no iteration (%d iterations ran); nothing was tested", len(recs))
	}
	t.Logf("%d iterations, %d of them spanning the %v freeze", len(recs), frozen, freeze)
}

//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notRunHere lists the README commands this test does not run, each with
// the reason, so that what is skipped is in plain sight. A command the
// README no longer has fails the test: the list stays true.
var notRunHere = []struct{ command, reason string }{
	{"apt-get install postgresql", "installs system packages: needs root and the network, and changes the machine"},
	{"docker compose up --build", "needs Docker, which CI and this test do not have"},
	{"scripts/test.sh", "runs the whole suite, this test included"},
	{"createdb triaged_bench", "part of the benchmark recipe: it writes five million results (minutes); scripts/bench.sh runs it"},
	{"go run ./cmd/triaged seed --database-url postgres://postgres@127.0.0.1:5432/triaged_bench",
		"the benchmark's five million results take minutes; internal/store tests the seed on a small history"},
	{"TRIAGED_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/triaged_bench go test ./web -run '^$' -bench Pages -benchtime 200x",
		"the benchmark itself, over the five million results above; scripts/bench.sh runs it"},
	{"TRIAGED_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/triaged_bench go test ./internal/view -run '^$' -bench RulePreview -benchtime 20x",
		"the rule preview's benchmark over the five million results above"},
}

// readmeFails lists README commands that exit 1: they find failures on
// purpose. Every other command must exit 0.
var readmeFails = []string{
	"triaged stress run --scenario echo-pause --proactor legacy --iterations 20",
	"triaged stress exec --iterations 4 --parallel 2 -- go -C internal/report/testdata/src/gomod test -count=1 -run 'TestFail|TestSub' ./calc",
}

// readmeCommand is a command of a fenced sh block of the README: its
// continuation lines joined and, in a transcript ("$ " lines), the output
// the README shows after it.
type readmeCommand struct {
	line int
	text string
	want []string
}

func (c readmeCommand) String() string { return fmt.Sprintf("README.md:%d: %s", c.line, c.text) }

// readmeCommands reads the commands of every ```sh block.
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	f, err := os.Open(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []readmeCommand
	in, transcript, continued := false, false, false
	var block []string
	flush := func(start int) {
		transcript = false
		for _, l := range block {
			if strings.HasPrefix(l, "$ ") {
				transcript = true
			}
		}
		for i, l := range block {
			n := start + i + 1
			switch {
			case transcript && strings.HasPrefix(l, "$ "):
				cmds = append(cmds, readmeCommand{line: n, text: strings.TrimPrefix(l, "$ ")})
			case transcript && len(cmds) > 0:
				cmds[len(cmds)-1].want = append(cmds[len(cmds)-1].want, l)
			case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
			case continued:
				last := &cmds[len(cmds)-1]
				last.text += " " + strings.TrimSpace(strings.TrimSuffix(l, "\\"))
			default:
				cmds = append(cmds, readmeCommand{line: n, text: strings.TrimSpace(strings.TrimSuffix(l, "\\"))})
			}
			continued = !transcript && strings.HasSuffix(l, "\\")
		}
		block = nil
	}
	sc := bufio.NewScanner(f)
	start := 0
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case !in && strings.TrimSpace(l) == "```sh":
			in, start = true, n
		case in && strings.TrimSpace(l) == "```":
			in = false
			flush(start)
		case in:
			block = append(block, l)
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("found %d commands in %s; the parser lost them", len(cmds), readmePath)
	}
	return cmds
}

// TestREADMECommands runs every command of the README's sh blocks, in
// order, as a reader would: `serve` on the embedded default with a fresh
// data directory, then the campaign, the stress examples (their output
// compared with what the README shows), a registration token, a runner
// and an upload against it. The substitutions are the ones a reader makes
// by hand: this machine's address for 127.0.0.1:8080 and triaged.example,
// the binary built once for `go run ./cmd/triaged` and `triaged`, the
// registration token the README's own command printed for `tri_…`, and a
// JUnit file for @junit.xml.
func TestREADMECommands(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(binary, filepath.Join(bin, "triaged")); err != nil {
		t.Fatal(err)
	}
	tmp, addr := t.TempDir(), freeAddr(t)
	url := "http://" + addr
	junit := filepath.Join(t.TempDir(), "junit.xml")
	os.WriteFile(junit, []byte(`<testsuite name="t"><testcase classname="test.test_x.T" name="test_ok"/>`+
		`<testcase classname="test.test_x.T" name="test_bad"><failure message="boom">AssertionError: boom</failure></testcase></testsuite>`), 0o600)
	env := map[string]string{
		"PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": tmp,
		"GOFLAGS": os.Getenv("GOFLAGS"), "GOCACHE": goEnv(t, "GOCACHE"), "GOMODCACHE": goEnv(t, "GOMODCACHE"), "GOTOOLCHAIN": "local",
		// Where a reader's machine has its defaults, this test has its own.
		"TRIAGED_ADDR": addr, "TRIAGED_DATA_DIR": dataDir(t), "TRIAGED_STATE_DIR": t.TempDir(), "TRIAGED_LOG_FORMAT": "text",
		// What a CI job would have for the upload example.
		"TRIAGED": url, "SHA": "0123456789abcdef0123456789abcdef01234567", "HOST": "ci-host-1", "CI_JOB_ID": "4242",
	}
	subst := func(s string) string {
		r := strings.NewReplacer("go run ./cmd/triaged ", "triaged ", "http://127.0.0.1:8080", url, "https://triaged.example", url,
			"tri_…", env["REGISTRATION_TOKEN"], "@junit.xml", "@"+junit)
		return r.Replace(s)
	}
	command := func(text string) *exec.Cmd {
		cmd := exec.Command("sh", "-c", text)
		cmd.Dir = root
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		return cmd
	}
	var server *proc
	used := map[string]bool{}
	for _, c := range readmeCommands(t) {
		if i := slices.IndexFunc(notRunHere, func(n struct{ command, reason string }) bool { return n.command == c.text }); i >= 0 {
			used[c.text] = true
			t.Logf("not run here: %s: %s", c, notRunHere[i].reason)
			continue
		}
		used[c.text] = true
		text := subst(c.text)
		t.Logf("run: %s", c)
		switch {
		case strings.HasPrefix(text, "export "):
			name, _, _ := strings.Cut(strings.TrimPrefix(text, "export "), "=")
			out, err := command(text + "\nprintf %s \"$" + name + "\"").Output()
			if err != nil || len(out) == 0 {
				t.Fatalf("%s: %v (%q)", c, err, out)
			}
			env[name] = string(out)
		case strings.HasSuffix(text, "triaged serve"):
			server = startReadme(t, command("exec "+text))
			waitReady(t, server, addr)
			env["UPLOAD_TOKEN"] = createToken(t, addr, env["TRIAGED_ADMIN_TOKEN"], "upload")
		case strings.HasPrefix(text, "triaged runner "):
			runReadmeRunner(t, c, command("exec "+text), addr, env["TRIAGED_ADMIN_TOKEN"])
		default:
			if server == nil && strings.Contains(text, url) {
				t.Fatalf("%s needs the server, which the README has not started yet", c)
			}
			var stdout, stderr bytes.Buffer
			cmd := command(text)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			err := runWithin(ctx, cmd)
			cancel()
			code := cmd.ProcessState.ExitCode()
			want := exitOK
			if slices.Contains(readmeFails, c.text) {
				want = exitFailures
			}
			if code != want {
				t.Fatalf("%s: exit %d (%v), want %d\nstdout:\n%s\nstderr:\n%s", c, code, err, want, stdout.String(), stderr.String())
			}
			got := strings.ReplaceAll(stderr.String()+stdout.String(), tmp, "/tmp")
			if err := matchTranscript(c.want, got); err != nil {
				t.Errorf("%s: the output differs from the README's: %v\ngot:\n%s", c, err, got)
			}
			checkReadmeAnswer(t, c, stdout.Bytes(), addr, env)
		}
	}
	for _, n := range notRunHere {
		if !used[n.command] {
			t.Errorf("notRunHere lists %q, which the README no longer has", n.command)
		}
	}
	for _, f := range readmeFails {
		if !used[f] {
			t.Errorf("readmeFails lists %q, which the README no longer has", f)
		}
	}
	if server == nil {
		t.Fatal("the README never started the server")
	}
	server.cmd.Process.Signal(os.Interrupt)
	if code := server.wait(t, 90*time.Second); code != 0 {
		t.Errorf("serve exited %d after Ctrl-C; stderr:\n%s", code, server.stderr)
	}
}

// checkReadmeAnswer checks what a README command's answer promises, and
// keeps what later commands need.
func checkReadmeAnswer(t *testing.T, c readmeCommand, out []byte, addr string, env map[string]string) {
	t.Helper()
	switch {
	case strings.HasSuffix(c.text, "/api/v1/campaigns"):
		var camp struct {
			ID     int64
			Labels []string
		}
		if err := json.Unmarshal(out, &camp); err != nil || camp.ID == 0 {
			t.Fatalf("%s: answer %q: %v", c, out, err)
		}
		// The local runner takes it: it does not stay queued.
		waitFor(t, 60*time.Second, "the local runner to start the README's campaign", func() bool {
			var v struct{ Runs int }
			apiCall(t, addr, env["TRIAGED_ADMIN_TOKEN"], "GET", fmt.Sprint("/api/v1/campaigns/", camp.ID), "", &v)
			return v.Runs > 0
		})
	case strings.HasSuffix(c.text, "/api/v1/tokens"):
		var tok struct{ Token, Kind string }
		if err := json.Unmarshal(out, &tok); err != nil || tok.Kind != "register" || !strings.HasPrefix(tok.Token, "tri_") {
			t.Fatalf("%s: answer %q: %v", c, out, err)
		}
		env["REGISTRATION_TOKEN"] = tok.Token
	case strings.Contains(c.text, "/api/v1/results"):
		var ans struct{ Tests, Passed, Failed int }
		if err := json.Unmarshal(out, &ans); err != nil || ans.Tests != 2 || ans.Failed != 1 {
			t.Fatalf("%s: answer %q: %v", c, out, err)
		}
	}
}

// runReadmeRunner starts the README's runner, waits until the server
// lists it online, and stops it as a service manager would.
func runReadmeRunner(t *testing.T, c readmeCommand, cmd *exec.Cmd, addr, admin string) {
	t.Helper()
	name := regexp.MustCompile(`--name (\S+)`).FindStringSubmatch(c.text)
	if name == nil {
		t.Fatalf("%s: no --name", c)
	}
	p := startReadme(t, cmd)
	waitFor(t, 60*time.Second, "the README's runner to register", func() bool {
		var rs struct {
			Runners []struct {
				Name   string
				Online bool
			}
		}
		apiCall(t, addr, admin, "GET", "/api/v1/runners", "", &rs)
		for _, r := range rs.Runners {
			if r.Name == name[1] && r.Online {
				return true
			}
		}
		select {
		case <-p.done:
			p.done <- nil
			t.Fatalf("%s exited; stderr:\n%s", c, p.stderr)
		default:
		}
		return false
	})
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Errorf("%s: exit %d after SIGINT; stderr:\n%s", c, code, p.stderr)
	}
}

// startReadme starts a long-running README command (serve, runner).
func startReadme(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = p.stderr, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// runWithin runs cmd, killing it when ctx ends.
func runWithin(ctx context.Context, cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	defer stop()
	return cmd.Wait()
}

// createToken makes an API token of kind with the admin token.
func createToken(t *testing.T, addr, admin, kind string) string {
	t.Helper()
	var tok struct{ Token string }
	if code := apiCall(t, addr, admin, "POST", "/api/v1/tokens", `{"name":"readme-`+kind+`","kind":"`+kind+`"}`, &tok); code != 201 {
		t.Fatalf("create %s token: %d", kind, code)
	}
	return tok.Token
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// matchTranscript checks that the lines the README shows after a command
// appear in got, in order, where what varies from run to run is allowed
// to: numbers and durations, runs of spaces, and "…" (anything).
func matchTranscript(want []string, got string) error {
	lines := strings.Split(got, "\n")
	k := 0
	for _, w := range want {
		if strings.TrimSpace(w) == "" {
			continue
		}
		re := transcriptLine(w)
		for k < len(lines) && !re.MatchString(lines[k]) {
			k++
		}
		if k == len(lines) {
			return fmt.Errorf("no line like %q (after the lines before it)", w)
		}
		k++
	}
	return nil
}

var (
	durationWord = regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?(ns|µs|ms|s|m|h)\b`)
	numberWord   = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)
	spaces       = regexp.MustCompile(`\s+`)
)

// transcriptLine is the pattern of one shown output line.
func transcriptLine(w string) *regexp.Regexp {
	const dur, num, any, sp = "\x00D\x00", "\x00N\x00", "\x00A\x00", "\x00S\x00"
	w = strings.TrimSpace(w)
	w = durationWord.ReplaceAllString(w, dur)
	w = numberWord.ReplaceAllString(w, num)
	w = strings.ReplaceAll(w, "…", any)
	w = spaces.ReplaceAllString(w, sp)
	w = regexp.QuoteMeta(w)
	w = strings.NewReplacer(dur, `[0-9.]+(ns|µs|ms|s|m|h)([0-9.]+(ms|s))?`, num, `[0-9]+(\.[0-9]+)?`, any, `.*`, sp, `\s+`).Replace(w)
	return regexp.MustCompile(`^\s*` + w + `\s*$`)
}

package stress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress/detect"
)

// Scenario names the built-in scenarios.
var Scenarios = []string{"echo-pause", "starttls-server", "starttls-client"}

// Scenario bounds, shared with the campaign API: beyond them an iteration is
// a typo rather than a plan.
const (
	MaxPackets    = 1_000_000
	MinPacketSize = 64
	MaxPacketSize = 4 << 20
	MaxStreamSize = 4 << 30
)

// ScenarioConfig configures a built-in scenario. Zero fields take the
// scenario's defaults (see Normalize).
type ScenarioConfig struct {
	Name    string
	Mode    proactor.Mode
	Backend string // "emu" or "iocp"; default: iocp on Windows, emu elsewhere
	// Packets and PacketSize shape each direction's stream: echo-pause sends
	// Packets×PacketSize bytes each way; the start_tls scenarios send
	// Packets×PacketSize before and after the upgrade (default 100 KiB).
	Packets    int
	PacketSize int
	// PauseEvery is the period of pause/resume cycles; Pauses says where they
	// are injected besides the upgrade: "periodic" or "random" (seeded).
	PauseEvery time.Duration
	Pauses     string
	Seed       int64
	// Timeout is the time limit of one iteration, in run time: time the
	// process was starved of CPU or stopped does not count (see runClock).
	Timeout time.Duration
	// NoDetector turns the data-loss detector off (counting bytes only), to
	// measure what it costs.
	NoDetector bool
	// NoFaults turns the emu backend's fault hooks off, leaving only real
	// timing: for measuring the transport rather than reproducing races.
	NoFaults bool
}

// Check fills the scenario's defaults and checks the configuration without
// regard to this host: the campaign API validates specs with it on the
// server, whatever runner will run them. An empty Backend stays empty
// (the runner's default).
func (c ScenarioConfig) Check() (ScenarioConfig, error) {
	if !slices.Contains(Scenarios, c.Name) {
		return c, fmt.Errorf("unknown scenario %q: want one of %s", c.Name, strings.Join(Scenarios, ", "))
	}
	if c.Backend != "" && c.Backend != "emu" && c.Backend != "iocp" {
		return c, fmt.Errorf("unknown backend %q: want emu or iocp", c.Backend)
	}
	if c.Packets == 0 {
		c.Packets = map[string]int{"echo-pause": 2000, "starttls-server": 100, "starttls-client": 100}[c.Name]
	}
	if c.PacketSize == 0 {
		c.PacketSize = map[string]int{"echo-pause": 16 << 10, "starttls-server": 1 << 10, "starttls-client": 1 << 10}[c.Name]
	}
	if c.PauseEvery == 0 {
		c.PauseEvery = 100 * time.Millisecond
	}
	if c.Pauses == "" {
		c.Pauses = "periodic"
	}
	switch {
	case c.Packets < 1 || c.Packets > MaxPackets:
		return c, fmt.Errorf("packets: want 1 to %d, got %d", MaxPackets, c.Packets)
	case c.PacketSize < MinPacketSize || c.PacketSize > MaxPacketSize:
		return c, fmt.Errorf("packet size: want %d to %d bytes, got %d", MinPacketSize, MaxPacketSize, c.PacketSize)
	case int64(c.Packets)*int64(c.PacketSize) > MaxStreamSize:
		return c, fmt.Errorf("%d packets of %d bytes exceed %d bytes a stream", c.Packets, c.PacketSize, int64(MaxStreamSize))
	case c.PauseEvery < time.Millisecond || c.PauseEvery > time.Minute:
		return c, fmt.Errorf("pause every: want 1ms to 1m, got %v", c.PauseEvery)
	case c.Pauses != "periodic" && c.Pauses != "random":
		return c, fmt.Errorf("pauses: want periodic or random, got %q", c.Pauses)
	}
	if _, err := detect.NewGenerator(0, 1, int64(c.Packets)*int64(c.PacketSize), frameSize); err != nil {
		return c, fmt.Errorf("stream of %d×%d bytes: %w", c.Packets, c.PacketSize, err)
	}
	return c, nil
}

// Normalize is Check plus what this host decides: the default backend, a
// backend this host can run, and the per-iteration timeout. A scenario
// runs only from a normalized configuration.
func (c ScenarioConfig) Normalize() (ScenarioConfig, error) {
	c, err := c.Check()
	if err != nil {
		return c, err
	}
	if c.Backend == "" {
		c.Backend = DefaultBackend
	}
	if c.Backend == "iocp" && !iocpSupported {
		return c, errors.New("the iocp backend needs Windows; use --backend emu here")
	}
	if c.Timeout == 0 {
		// A backstop for an iteration that keeps moving but never ends: a
		// hang is a stall, which the watchdog catches after stallAfter, so
		// the limit can be generous enough that slowness never reaches it.
		c.Timeout = 60*time.Second + time.Duration(int64(c.Packets)*int64(c.PacketSize)/(1<<20))*time.Second
	}
	return c, nil
}

// TestID names the scenario as a test in results: the mode is part of it,
// since the legacy control and the fixed transport are different subjects.
func (c ScenarioConfig) TestID() string { return TestID(c.Name, c.Mode) }

// testIDPrefix starts the test id of every built-in scenario.
const testIDPrefix = "proactor."

// TestID is the test id runners report for scenario name run on a
// proactor in mode: "proactor.<scenario>.<mode>".
func TestID(name string, mode proactor.Mode) string {
	return testIDPrefix + name + "." + mode.String()
}

// ParseTestID is TestID backwards: it reports whether id names a built-in
// scenario, and which, so that a consumer of stored results (a webhook
// that verifies flaky tests) can stress it again as that scenario.
func ParseTestID(id string) (name string, mode proactor.Mode, ok bool) {
	rest, ok := strings.CutPrefix(id, testIDPrefix)
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 || !slices.Contains(Scenarios, rest[:i]) {
		return "", 0, false
	}
	m, err := proactor.ParseMode(rest[i+1:])
	if err != nil {
		return "", 0, false
	}
	return rest[:i], m, true
}

// SeedPins says what a scenario iteration's seed reproduces and what it
// cannot, for people replaying a failure with --seed S --iterations 1.
const SeedPins = "A seed pins the bytes of every stream, the TLS version, when random pauses fire, and the emu backend's " +
	"fault plan for each read and write by its number (delays, forced lost races, short reads). " +
	"It cannot pin what the kernel and the scheduler decide: how many bytes each read finds, and where in the stream a timed pause lands. " +
	"So a replay fails the same way (the same kind and phase, hence the same signature) about as often, but at another offset."

// Iteration returns the campaign iteration that runs the scenario once with
// seed Seed+i: everything seeded in it derives from that seed alone (see
// SeedPins), so --seed Seed+i --iterations 1 replays it.
func (c ScenarioConfig) Iteration() Iteration {
	return func(ctx context.Context, i int) Record {
		seed := c.Seed + int64(i)
		start := time.Now()
		out := c.run(ctx, seed)
		rec := Record{Iteration: i, Seed: seed, Duration: time.Since(start), Outcome: report.Pass}
		res := report.Result{Test: c.TestID(), Outcome: report.Pass, Duration: rec.Duration, Iteration: i, Seed: seed}
		if out.failed() {
			rec.Outcome, res.Outcome = report.Fail, report.Fail
			res.FailureText = out.failureText()
		}
		det, _ := json.Marshal(out)
		rec.Detector, res.Detector = det, det
		rec.Results = []report.Result{res}
		return rec
	}
}

// run dispatches to the scenario.
func (c ScenarioConfig) run(ctx context.Context, seed int64) *Outcome {
	ctx, w := startWatchdog(ctx, c.Timeout)
	o := newOutcome(c, seed)
	switch c.Name {
	case "echo-pause":
		runEcho(ctx, c, seed, o, w)
	case "starttls-server":
		runStartTLS(ctx, c, seed, tlsVersion(seed), true, o, w)
	case "starttls-client":
		runStartTLS(ctx, c, seed, tlsVersion(seed), false, o, w)
	}
	run, wall := w.stop()
	o.RunSeconds, o.WallSeconds = run.Seconds(), wall.Seconds()
	o.finish()
	return o
}

package stress

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
)

func scenario(t *testing.T, name string, mode proactor.Mode, packets, size int) ScenarioConfig {
	t.Helper()
	c, err := ScenarioConfig{Name: name, Mode: mode, Packets: packets, PacketSize: size, PauseEvery: 5 * time.Millisecond, Seed: 1}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func runScenario(t *testing.T, c ScenarioConfig, iterations int) (Summary, []Record) {
	t.Helper()
	var recs []Record
	sum := Run(context.Background(), Options{Iterations: iterations, OnRecord: func(r Record) { recs = append(recs, r) }}, c.Iteration())
	return sum, recs
}

func TestScenariosFixedNeverLose(t *testing.T) {
	t.Parallel()
	for _, name := range Scenarios {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := scenario(t, name, proactor.Fixed, 200, 4096)
			sum, recs := runScenario(t, c, 6)
			if sum.Failures != 0 {
				var o Outcome
				for _, r := range recs {
					if r.Failed() {
						json.Unmarshal(r.Detector, &o)
						t.Fatalf("fixed %s failed at iteration %d:\n%s", name, r.Iteration, r.Results[0].FailureText)
					}
				}
			}
			for _, r := range recs {
				var o Outcome
				if err := json.Unmarshal(r.Detector, &o); err != nil {
					t.Fatal(err)
				}
				if o.BytesDelivered == 0 || o.BytesSent == 0 || o.Transport == nil {
					t.Errorf("iteration %d: nothing measured: %+v", r.Iteration, &o)
				}
				if err := o.Transport.Check(); err != nil {
					t.Errorf("iteration %d: transport invariants: %v", r.Iteration, err)
				}
			}
		})
	}
}

func TestEchoLegacyLosesAndIsExplained(t *testing.T) {
	t.Parallel()
	c := scenario(t, "echo-pause", proactor.Legacy, 400, 8192)
	var recs []Record
	sum := Run(context.Background(), Options{Iterations: 50, Stop: stopAtFirstFailure,
		OnRecord: func(r Record) { recs = append(recs, r) }}, c.Iteration())
	if sum.Failures == 0 {
		t.Fatal("legacy echo-pause never lost a byte: the positive control is broken")
	}
	for _, r := range recs {
		if !r.Failed() {
			continue
		}
		var o Outcome
		json.Unmarshal(r.Detector, &o)
		if o.BytesLost <= 0 || len(o.Anomalies) == 0 {
			t.Fatalf("failed iteration without lost bytes: %+v", &o)
		}
		a := o.Anomalies[0]
		if a.Kind != "lost-bytes" || !strings.Contains(a.Phase, "pause_reading") || len(a.Trace) == 0 {
			t.Errorf("anomaly not explained by the trace: %+v", a)
		}
		// Every loss is explained by a discard of the same stream range.
		for _, a := range o.Anomalies {
			if !strings.Contains(a.Phase, "pause_reading") {
				t.Errorf("iteration %d: %s at %d not matched to a discarded read", r.Iteration, a.Kind, a.Offset)
			}
		}
		// The loss is exactly the completed reads the transport discarded.
		if o.BytesLost != o.Transport.BytesLostToCancel {
			t.Errorf("detector lost %d bytes (corrupt %d, dup %d, reordered %d), transport discarded %d after cancels; anomalies %+v", o.BytesLost, o.Corrupt, o.Duplicates, o.Reordered, o.Transport.BytesLostToCancel, o.Anomalies)
		}
	}
}

// TestStartTLSLegacyFails runs with the default time limit: a TLS stream
// that lost bytes waits for them forever, and the watchdog must end it as
// a stall long before the limit, signed by the loss rather than the stall.
func TestStartTLSLegacyFails(t *testing.T) {
	t.Parallel()
	c := scenario(t, "starttls-server", proactor.Legacy, 100, 1024)
	var recs []Record
	sum := Run(context.Background(), Options{Iterations: 60, Stop: stopAtFirstFailure,
		OnRecord: func(r Record) { recs = append(recs, r) }}, c.Iteration())
	if sum.Failures == 0 {
		t.Fatal("legacy starttls-server never failed")
	}
	for _, r := range recs {
		if !r.Failed() {
			continue
		}
		var o Outcome
		json.Unmarshal(r.Detector, &o)
		if !strings.Contains(r.Results[0].FailureText, "lost-bytes") || o.Anomalies[0].Kind != "lost-bytes" {
			t.Errorf("failure not explained at the byte level:\n%s", r.Results[0].FailureText)
		}
		if o.TimedOut || o.RunSeconds > (stallAfter+5*time.Second).Seconds() {
			t.Errorf("iteration %d ran %.1fs (timed out: %t), want it ended as a stall after %v:\n%s",
				r.Iteration, o.RunSeconds, o.TimedOut, stallAfter, r.Results[0].FailureText)
		}
	}
}

func TestScenarioConfigRefusals(t *testing.T) {
	t.Parallel()
	for _, c := range []ScenarioConfig{
		{Name: "nope"},
		{Name: "echo-pause", Packets: -1},
		{Name: "echo-pause", PacketSize: 10},
		{Name: "echo-pause", Packets: MaxPackets, PacketSize: MaxPacketSize},
		{Name: "echo-pause", Backend: "kqueue"},
		{Name: "echo-pause", PauseEvery: time.Hour},
	} {
		if _, err := c.Normalize(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}

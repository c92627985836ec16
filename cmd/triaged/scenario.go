package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/triaged/triaged/internal/runner"
	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress"
)

// scenarioIteration builds a runner's iteration for a scenario campaign.
func scenarioIteration(c runner.Campaign) (stress.Iteration, error) {
	var p struct {
		Packets    int    `json:"packets"`
		PacketSize int    `json:"packet_size"`
		PauseEvery string `json:"pause_every"`
		Seed       int64  `json:"seed"`
	}
	if len(c.Params) > 0 {
		if err := json.Unmarshal(c.Params, &p); err != nil {
			return nil, fmt.Errorf("campaign params: %w", err)
		}
	}
	mode, err := proactor.ParseMode(c.Proactor)
	if err != nil {
		return nil, err
	}
	var every time.Duration
	if p.PauseEvery != "" {
		if every, err = time.ParseDuration(p.PauseEvery); err != nil {
			return nil, fmt.Errorf("pause_every: %w", err)
		}
	}
	if p.Seed == 0 {
		p.Seed = c.ID * 1_000_003 // distinct per campaign, the same on every runner and retry
	}
	sc, err := stress.ScenarioConfig{Name: c.Scenario, Mode: mode, Backend: c.Backend, Packets: p.Packets,
		PacketSize: p.PacketSize, PauseEvery: every, Seed: p.Seed}.Normalize()
	if err != nil {
		return nil, err
	}
	return sc.Iteration(), nil
}

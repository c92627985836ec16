package ingest

import (
	"fmt"
	"time"
)

// Scenario parameter bounds. Above them a run would take hours or gigabytes
// per iteration, which is a typo rather than a plan.
const (
	MaxPackets    = 1_000_000
	MaxPacketSize = 4 << 20
	MaxStreamSize = 4 << 30
)

// Check reports the first out-of-range parameter.
func (p ScenarioParams) Check() error {
	switch {
	case p.Packets < 0 || p.Packets > MaxPackets:
		return fmt.Errorf("params.packets: want 1 to %d, got %d", MaxPackets, p.Packets)
	case p.PacketSize < 0 || p.PacketSize > MaxPacketSize:
		return fmt.Errorf("params.packet_size: want 1 to %d bytes, got %d", MaxPacketSize, p.PacketSize)
	case int64(p.Packets)*int64(p.PacketSize) > MaxStreamSize:
		return fmt.Errorf("params: %d packets of %d bytes is more than %d bytes a stream", p.Packets, p.PacketSize, int64(MaxStreamSize))
	}
	if p.PauseEvery != "" {
		d, err := time.ParseDuration(p.PauseEvery)
		if err != nil || d < time.Millisecond || d > time.Minute {
			return fmt.Errorf("params.pause_every: want a duration from 1ms to 1m, got %q", p.PauseEvery)
		}
	}
	return nil
}

package emu

import (
	"fmt"
	"time"

	"github.com/triaged/triaged/proactor"
)

// Faults are seeded fault hooks. Every decision is a pure function of
// (Seed, the operation's number among its kind, hook), not of timing or
// goroutine interleaving: the k-th read a port is given gets the same
// delays, short read and forced lost race whenever the seed is reused,
// however reads and writes interleaved. (Operation ids count reads and
// writes together, in an order timing decides, so plans are not keyed on
// them.) What a seed cannot pin is what the kernel and the scheduler
// decide: how many bytes each read finds, and where in the stream a
// timer-driven pause lands. Probabilities are in [0, 1]; zero Faults
// inject nothing.
type Faults struct {
	Seed int64
	// PostDelay is the chance of sleeping up to PostDelayMax between a
	// read's data copy and the posting of its completion: the window in
	// which a cancel finds the operation already completed.
	PostDelay    float64
	PostDelayMax time.Duration
	// DequeueDelay is the chance of sleeping up to DequeueDelayMax after a
	// completion is dequeued and before the loop sees it.
	DequeueDelay    float64
	DequeueDelayMax time.Duration
	// CompleteBeforeCancel is the chance that a cancel of a running read
	// first waits up to CancelWait for the read to finish, forcing the
	// cancel to lose the race (ErrNotFound) whenever data arrives.
	CompleteBeforeCancel float64
	CancelWait           time.Duration
	// ShortRead is the chance a read is limited to a random prefix of its
	// buffer.
	ShortRead float64
	// SyncSuccess is the chance Submit waits up to SyncWait and returns the
	// completion itself, with no queued packet, as IOCP does with
	// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
	SyncSuccess float64
	SyncWait    time.Duration
}

// DefaultFaults returns the hooks the stress scenarios use by default: they
// make the bpo-33694 race frequent without slowing a run much.
func DefaultFaults(seed int64) Faults {
	return Faults{
		Seed:                 seed,
		PostDelay:            0.2,
		PostDelayMax:         200 * time.Microsecond,
		DequeueDelay:         0.1,
		DequeueDelayMax:      100 * time.Microsecond,
		CompleteBeforeCancel: 0.5,
		CancelWait:           2 * time.Millisecond,
		ShortRead:            0.1,
		SyncSuccess:          0.05,
		SyncWait:             100 * time.Microsecond,
	}
}

// Plan is what the hooks decided for one operation.
type Plan struct {
	Op                   proactor.OpID
	PostDelay            time.Duration
	DequeueDelay         time.Duration
	CompleteBeforeCancel bool
	ShortRead            int // read limit in bytes, 0 for none
	Sync                 bool
}

// Any reports whether the plan injects any fault.
func (p Plan) Any() bool {
	return p.PostDelay > 0 || p.DequeueDelay > 0 || p.CompleteBeforeCancel || p.ShortRead > 0 || p.Sync
}

// String formats the plan for a replay log.
func (p Plan) String() string {
	return fmt.Sprintf("op=%d post=%v dequeue=%v cancel-loses=%t short=%d sync=%t",
		p.Op, p.PostDelay, p.DequeueDelay, p.CompleteBeforeCancel, p.ShortRead, p.Sync)
}

// hook numbers salt the per-operation random stream.
const (
	hookPost = iota + 1
	hookDequeue
	hookCancel
	hookShort
	hookSync
)

// Plan returns the decisions for the op-th operation of its kind (from 1)
// reading or writing a buffer of size bytes. It is deterministic in (f,
// op, kind, size). The Port numbers operations per kind; Plan.Op is then
// the operation's id, for the replay log.
func (f Faults) Plan(op proactor.OpID, kind proactor.OpKind, size int) Plan {
	p := Plan{Op: op}
	if chance(f.Seed, op, hookDequeue, f.DequeueDelay) {
		p.DequeueDelay = scale(f.Seed, op, hookDequeue, f.DequeueDelayMax)
	}
	if kind != proactor.OpRead {
		return p
	}
	if chance(f.Seed, op, hookPost, f.PostDelay) {
		p.PostDelay = scale(f.Seed, op, hookPost, f.PostDelayMax)
	}
	p.CompleteBeforeCancel = chance(f.Seed, op, hookCancel, f.CompleteBeforeCancel)
	if size > 1 && chance(f.Seed, op, hookShort, f.ShortRead) {
		p.ShortRead = 1 + int(mix(f.Seed, op, hookShort, 2)%uint64(size-1))
	}
	p.Sync = chance(f.Seed, op, hookSync, f.SyncSuccess)
	return p
}

func chance(seed int64, op proactor.OpID, hook uint64, p float64) bool {
	if p <= 0 {
		return false
	}
	return float64(mix(seed, op, hook, 0)>>11)/(1<<53) < p
}

func scale(seed int64, op proactor.OpID, hook uint64, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return 1 + time.Duration(mix(seed, op, hook, 1)%uint64(max))
}

// mix is splitmix64 over the inputs: cheap, stateless and well spread.
func mix(seed int64, op proactor.OpID, hook, salt uint64) uint64 {
	z := uint64(seed) ^ uint64(op)*0x9e3779b97f4a7c15 ^ hook<<56 ^ salt<<48
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

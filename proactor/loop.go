package proactor

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Loop is a single-goroutine event loop in the asyncio style: callbacks run
// one at a time on the goroutine that called Run, so transport state needs
// no locks. Other goroutines hand work to it with CallSoon or Call.
type Loop struct {
	mu       sync.Mutex
	queue    []func()
	spare    []func()
	started  bool
	stopping bool
	closed   bool

	wake chan struct{}
	done chan struct{}

	// Touched only on the loop goroutine.
	transports map[*Transport]struct{}
}

// NewLoop returns a loop that is not running yet; start it with Run.
func NewLoop() *Loop {
	return &Loop{
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		transports: make(map[*Transport]struct{}),
	}
}

// CallSoon schedules f to run on the loop goroutine, after everything
// already scheduled. It returns ErrLoopClosed once Run has returned; a
// callback it accepted is guaranteed to run.
func (l *Loop) CallSoon(f func()) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrLoopClosed
	}
	l.queue = append(l.queue, f)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return nil
}

// Call runs f on the loop goroutine and waits for it to return. Calling it
// from the loop goroutine itself deadlocks.
func (l *Loop) Call(f func()) error {
	ran := make(chan struct{})
	if err := l.CallSoon(func() { f(); close(ran) }); err != nil {
		return err
	}
	<-ran
	return nil
}

// CallLater runs f on the loop after d. The returned function cancels it;
// a timer that fires after the loop closed is dropped, so no callback runs
// on a dead loop.
func (l *Loop) CallLater(d time.Duration, f func()) (cancel func() bool) {
	t := time.AfterFunc(d, func() { _ = l.CallSoon(f) })
	return t.Stop
}

// Stop asks Run to return. Run first aborts every open transport and waits
// until each one's outstanding operations have completed, so no goroutine
// or overlapped operation outlives the loop.
func (l *Loop) Stop() {
	l.mu.Lock()
	l.stopping = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Close stops the loop and waits for Run to return. On a loop that was
// never run, Close runs the shutdown itself, so transports created on it
// still release their ports and goroutines.
func (l *Loop) Close() {
	l.Stop()
	l.mu.Lock()
	started := l.started
	l.mu.Unlock()
	if !started && l.Run(context.Background()) == nil {
		return
	}
	<-l.done
}

// Done is closed when Run has returned.
func (l *Loop) Done() <-chan struct{} { return l.done }

// Run runs callbacks until Stop is called or ctx is done, then shuts down
// as Stop describes. It returns ctx's error when ctx ended it, else nil.
func (l *Loop) Run(ctx context.Context) error {
	l.mu.Lock()
	if l.started {
		l.mu.Unlock()
		return errors.New("proactor: loop already started")
	}
	l.started = true
	l.mu.Unlock()
	defer close(l.done)

	shuttingDown := false
	for {
		l.mu.Lock()
		batch := l.queue
		l.queue = l.spare[:0]
		stopping := l.stopping
		l.mu.Unlock()

		for i, f := range batch {
			f()
			batch[i] = nil
		}
		l.mu.Lock()
		l.spare = batch
		l.mu.Unlock()

		if !shuttingDown && (stopping || ctx.Err() != nil) {
			shuttingDown = true
		}
		if shuttingDown {
			for t := range l.transports {
				t.Abort()
			}
			if len(l.transports) == 0 && l.closeIfIdle() {
				return ctx.Err()
			}
		}
		if len(batch) > 0 {
			continue
		}
		if shuttingDown {
			<-l.wake
			continue
		}
		select {
		case <-l.wake:
		case <-ctx.Done():
		}
	}
}

// closeIfIdle marks the loop closed when nothing is queued, so that every
// callback CallSoon accepted has run.
func (l *Loop) closeIfIdle() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 {
		return false
	}
	l.closed = true
	return true
}

package detect

import (
	"encoding/binary"
	"sync"
	"time"
)

// Config configures a Receiver.
type Config struct {
	Seed   uint64
	Stream uint32
	// StallAfter is how long Check tolerates no progress while the peer has
	// unacknowledged bytes. Zero means 5 seconds.
	StallAfter time.Duration
	// Total and FrameSize, when both are set, give the stream geometry up
	// front, as NewGenerator took it, so that even the first bytes can be
	// checked. Otherwise it is learnt from the first valid header.
	Total     int64
	FrameSize int
	// MaxAnomalies caps the anomalies listed in a Report; the rest are only
	// counted. Zero means 100.
	MaxAnomalies int
}

// Receiver checks a framed stream as it is delivered. Feed it every chunk the
// transport delivers with Write, call CloseEOF at EOF, and read the findings
// with Report. Its methods are safe for concurrent use, so a watchdog can
// call Check while another goroutine writes.
//
// While the bytes arrive in order the receiver compares them against the
// stream it expects, eight at a time. On the first mismatch it buffers what
// follows until it finds a valid frame header, which tells it where the
// transport resumed; the bytes in between are then placed exactly, so a
// vanished read buffer is reported as one lost range rather than as
// corruption.
type Receiver struct {
	mu  sync.Mutex
	cfg Config
	key uint64
	max int
	pat *pattern

	lay     layout
	haveLay bool
	gen     *Generator // regenerates expected bytes off the hot path

	fed   int64 // bytes passed to Write
	pos   int64 // received position of the next byte the state machine takes
	eof   bool
	phase string
	marks []phaseMark

	// In sync: byte pos of the received stream is stream offset exp.
	synced    bool
	exp       int64
	cur       frameBounds
	hdr       [HeaderSize]byte // expected header of the current frame
	stageOff  int64            // header bytes from stageOff to exp matched but are not yet accepted
	trailer   [TrailerSize]byte
	trailerOK bool

	// Out of sync: rb holds received bytes from position rbPos. The first
	// mism of them matched the stream from offset anchor.
	rb, work []byte
	scratch  []byte
	hay      []byte
	rbPos    int64
	mism     int
	anchor   int64
	scan     int
	skip     int64 // bytes of a misdelivered frame still to pass over

	hw        int64 // every stream byte below hw arrived, except the gaps
	gaps      []gap
	frames    int64
	verified  int64
	dup       int64
	reordered int64
	corrupt   int64
	misdeliv  int64
	afterEOF  int64
	lostFinal int64
	missing   int64

	counts  map[Kind]int
	list    []Anomaly
	omitted int
	open    Anomaly
	hasOpen bool

	lastFed    int64
	progressAt time.Time
	stalled    bool
}

type phaseMark struct {
	pos   int64
	phase string
}

// NewReceiver returns a receiver for the stream cfg names. It fails only
// for a geometry NewGenerator would refuse.
func NewReceiver(cfg Config) (*Receiver, error) {
	if cfg.StallAfter <= 0 {
		cfg.StallAfter = 5 * time.Second
	}
	if cfg.MaxAnomalies <= 0 {
		cfg.MaxAnomalies = 100
	}
	r := &Receiver{cfg: cfg, key: streamKey(cfg.Seed, cfg.Stream), max: cfg.MaxAnomalies, counts: map[Kind]int{}}
	if cfg.Total > 0 && cfg.FrameSize > 0 {
		l, err := newLayout(cfg.Total, int64(cfg.FrameSize))
		if err != nil {
			return nil, err
		}
		r.setLayout(l)
		r.enterSync(0, 0)
	}
	return r, nil
}

// SetPhase labels the bytes written from now on (for example "plaintext",
// "upgrade", "tls"); anomalies carry the label of their first byte.
func (r *Receiver) SetPhase(phase string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if phase == r.phase {
		return
	}
	r.phase = phase
	if len(r.marks) > 16 {
		// Only positions from the oldest byte not yet placed can still be
		// looked up.
		floor := r.pos
		if !r.synced {
			floor = r.rbPos
		}
		i := len(r.marks) - 1
		for i > 0 && r.marks[i].pos > floor {
			i--
		}
		r.marks = append(r.marks[:0], r.marks[i:]...)
	}
	r.marks = append(r.marks, phaseMark{pos: r.fed, phase: phase})
}

func (r *Receiver) phaseAt(pos int64) string {
	for i := len(r.marks) - 1; i >= 0; i-- {
		if r.marks[i].pos <= pos {
			return r.marks[i].phase
		}
	}
	return ""
}

// Received returns the number of bytes written so far.
func (r *Receiver) Received() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fed
}

// Write feeds the next chunk of delivered bytes. It never fails.
func (r *Receiver) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.eof {
		r.afterEOF += int64(len(p))
		off := r.hw
		if r.haveLay {
			off = r.lay.total
		}
		r.note(Anomaly{Kind: KindDataAfterEOF, Offset: off, Length: int64(len(p)), Position: r.fed,
			Detail: "bytes delivered after EOF"})
		r.fed += int64(len(p))
		r.pos = r.fed
		return len(p), nil
	}
	r.fed += int64(len(p))
	r.feed(p)
	return len(p), nil
}

func (r *Receiver) feed(p []byte) {
	for len(p) > 0 {
		switch {
		case r.skip > 0:
			k := min(int64(len(p)), r.skip)
			r.skip -= k
			r.misdeliv += k
			r.pos += k
			p = p[k:]
			continue
		case r.synced:
			r.syncFeed(p)
		default:
			if len(r.rb) == 0 {
				r.rbPos = r.pos
			}
			r.rb = append(r.rb, p...)
			r.pos += int64(len(p))
		}
		p = nil
		if !r.synced && r.skip == 0 && len(r.rb) > 0 {
			p = r.resolve()
		}
	}
}

// syncFeed checks p against the expected stream. On a mismatch it moves the
// unplaced bytes to the resynchronisation buffer.
func (r *Receiver) syncFeed(p []byte) {
	for len(p) > 0 {
		if r.exp >= r.lay.total {
			r.toResync(p, 0)
			return
		}
		var n, j int
		switch {
		case r.exp < r.cur.pstart:
			// Headers are accepted whole, so that a foreign or repeated
			// header whose first bytes happen to match is still found by
			// the resynchronisation scan.
			h := int(r.exp - r.cur.start)
			n = min(len(p), HeaderSize-h)
			if j = matchBytes(p[:n], r.hdr[h:]); j < n {
				r.toResync(p, j)
				return
			}
			r.exp += int64(n)
			r.pos += int64(n)
			if r.exp == r.cur.pstart {
				staged := r.exp - r.stageOff
				if r.stageOff >= r.hw {
					r.frames++
				}
				r.accept(r.stageOff, staged, r.pos-staged)
			}
		case r.exp < r.cur.tstart:
			n = int(min(int64(len(p)), r.cur.tstart-r.exp))
			j = r.pat.match(p[:n], r.cur.k, r.exp-r.cur.pstart)
			r.accept(r.exp, int64(j), r.pos)
			r.exp += int64(j)
			r.pos += int64(j)
			if j < n {
				r.toResync(p[j:], 0)
				return
			}
		default:
			if !r.trailerOK {
				r.loadTrailer()
			}
			t := int(r.exp - r.cur.tstart)
			n = min(len(p), TrailerSize-t)
			j = matchBytes(p[:n], r.trailer[t:])
			r.accept(r.exp, int64(j), r.pos)
			r.exp += int64(j)
			r.pos += int64(j)
			if j < n {
				r.toResync(p[j:], 0)
				return
			}
			if r.exp == r.cur.end && r.cur.k+1 < r.lay.frames {
				r.enterFrame(r.cur.k + 1)
			}
		}
		p = p[n:]
	}
}

func (r *Receiver) loadTrailer() {
	binary.LittleEndian.PutUint32(r.trailer[:], r.pat.sum(r.cur.k, r.cur.tstart-r.cur.pstart))
	r.trailerOK = true
}

func (r *Receiver) enterFrame(k int64) {
	r.cur = r.lay.bounds(k)
	putHeader(&r.hdr, r.lay.header(r.cfg.Stream, k))
	r.stageOff = r.cur.start
	r.trailerOK = false
}

// enterSync resumes checking at stream offset off, received position pos.
func (r *Receiver) enterSync(off, pos int64) {
	r.synced, r.exp, r.pos = true, off, pos
	r.enterFrame(r.lay.frameAt(min(off, r.lay.total-1)))
	r.stageOff = off
}

func (r *Receiver) setLayout(l layout) {
	r.lay, r.haveLay = l, true
	r.gen = newGenerator(r.key, r.cfg.Stream, l)
	r.pat = r.gen.pat
}

func matchBytes(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// generator makes the synthetic history of Seed: flaky tests with
// per-OS rates, some rising lately, signatures of which a few are new, and
// revisions run by a few runners each.
type generator struct {
	o          SeedOptions
	rng        *rand.Rand
	start      time.Time
	tests      []seedTest
	sigs       []seedSig
	runners    []seedRunner
	revisions  []seedRevision
	nextID     int64
	batches    int
	rollups    map[rollupDayKey][2]int32
	revRollups map[revKey]*revCounts // of the revisions in the current chunk
	batchRows  [][]any
}

type seedTest struct {
	id     int64
	name   string
	rate   float64 // base failure rate; 0 for stable tests
	osMul  map[string]float64
	sigs   []int  // indexes into sigs, most frequent first
	skipOn string // an OS where the test is skipped
	rising bool   // fails much more in the last two days
}

type seedSig struct {
	id                      int64
	hash, title, normalized string
	text                    string
	first                   time.Time
}

type seedRunner struct {
	id       int64
	name, os string
	lastSeen time.Time
}

type seedRevision struct {
	sha     string
	branch  string
	at      time.Time
	runners []int
}

type rollupDayKey struct {
	day        time.Time
	test, sig  int64
	os, branch string
}

type revKey struct {
	repo string
	rev  string
	test int64
	os   string
}

type revCounts struct {
	runs, passes, failures int32
	first, last            time.Time
}

var (
	seedModules = []string{"test_asyncio.test_sslproto", "test_asyncio.test_events", "test_asyncio.test_proactor_events", "test_asyncio.test_streams",
		"test_asyncio.test_subprocess", "test_socket", "test_ssl", "test_os", "test_subprocess", "test_threading", "test_multiprocessing_spawn",
		"test_concurrent_futures", "test_httplib", "test_urllib2_localnet", "test_selectors", "test_signal", "test_time", "test_logging",
		"test_tempfile", "test_shutil", "test_zipfile", "test_json", "test_winreg", "test_io", "test_socketserver", "test_ftplib"}
	seedVerbs  = []string{"start_tls_server", "read_pause", "close_during_write", "reconnect", "timeout", "cancel", "roundtrip", "large_payload", "eof", "shutdown"}
	seedErrors = []string{
		"AssertionError: Event loop stopped before Future completed.",
		"TimeoutError: timed out after <N1> seconds",
		"ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host",
		"OSError: [Errno 98] Address already in use",
		"AssertionError: <N1> != <N2>",
		"lost-bytes after pause_reading during start_tls",
		"PermissionError: [WinError 5] Access is denied: '<TMP>'",
		"BrokenPipeError: [Errno 32] Broken pipe",
		"ssl.SSLError: [SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY] application data after close notify",
		"AssertionError: ResourceWarning: unclosed <socket.socket fd=<N1>>",
	}
	seedOSes = []string{"windows", "windows", "windows", "linux", "linux", "macos"}
)

func newGenerator(o SeedOptions) *generator {
	g := &generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		rollups: map[rollupDayKey][2]int32{}}
	today := o.Now.UTC().Truncate(24 * time.Hour)
	g.start = today.AddDate(0, 0, -(o.Days - 1))
	for i := range o.Signatures {
		tmpl := seedErrors[i%len(seedErrors)]
		// Titles mask numbers as signatures do; the texts carry real ones.
		title := strings.NewReplacer("<N1>", "<N>", "<N2>", "<N>").Replace(tmpl)
		fn := fmt.Sprintf("test_%s_%d", seedVerbs[i%len(seedVerbs)], i)
		norm := title + "\n  File \"test_module.py\", in " + fn + "\n  File \"base_events.py\", in run_until_complete"
		h := sha256.Sum256([]byte(norm))
		first := g.start.Add(time.Duration(g.rng.Int64N(int64(o.Days)*24)) * time.Hour / 2)
		if i%100 == 7 { // a few signatures appear only since yesterday
			first = o.Now.Add(-time.Duration(2+g.rng.IntN(18)) * time.Hour)
		}
		g.sigs = append(g.sigs, seedSig{hash: hex.EncodeToString(h[:8]), title: title + " (" + fn + ")", normalized: norm, first: first,
			text: "Traceback (most recent call last):\n  File \"C:\\\\buildbot\\\\3.x.win\\\\build\\\\Lib\\\\test\\\\test_module.py\", line " +
				fmt.Sprint(100+i) + ", in " + fn + "\n    self.loop.run_until_complete(coro)\n" +
				strings.NewReplacer("<N1>", fmt.Sprint(3+i%50), "<N2>", fmt.Sprint(4+i%50), "<TMP>", "C:\\\\Temp\\\\tmpa1b2").Replace(tmpl)})
	}
	for i := range o.Tests {
		t := seedTest{name: fmt.Sprintf("test.%s.Test%s.test_%s_%d", seedModules[i%len(seedModules)],
			strings.ToUpper(seedVerbs[i/len(seedModules)%len(seedVerbs)][:1])+seedVerbs[i/len(seedModules)%len(seedVerbs)][1:], seedVerbs[i%len(seedVerbs)], i),
			osMul: map[string]float64{"windows": 1, "linux": 1, "macos": 1}}
		if g.rng.Float64() < 0.15 && len(g.sigs) > 0 {
			t.rate = math.Exp(math.Log(0.0005) + g.rng.Float64()*(math.Log(0.06)-math.Log(0.0005)))
			t.osMul = map[string]float64{"windows": 1 + 4*g.rng.Float64(), "linux": g.rng.Float64(), "macos": g.rng.Float64()}
			for range 1 + g.rng.IntN(3) {
				t.sigs = append(t.sigs, g.rng.IntN(len(g.sigs)))
			}
			t.rising = g.rng.Float64() < 0.05
		}
		if g.rng.Float64() < 0.03 {
			t.skipOn = seedOSes[g.rng.IntN(len(seedOSes))]
		}
		g.tests = append(g.tests, t)
	}
	// New signatures come with a test that started failing with them.
	for i := range g.sigs {
		if g.sigs[i].first.After(o.Now.Add(-24*time.Hour)) && len(g.tests) > 0 {
			t := &g.tests[g.rng.IntN(len(g.tests))]
			t.sigs = append([]int{i}, t.sigs...)
			t.rate, t.rising = math.Max(t.rate, 0.01), true
		}
	}
	for i := range o.Runners {
		os := seedOSes[i%len(seedOSes)]
		r := seedRunner{name: fmt.Sprintf("%s-buildbot-%02d", os, i+1), os: os, lastSeen: o.Now.Add(-20 * time.Second)}
		if i%10 == 9 {
			r.lastSeen = o.Now.Add(-3 * time.Hour)
		}
		g.runners = append(g.runners, r)
	}
	perBatch := max(1, o.Tests*37/40)
	batches := max(1, o.Results/perBatch)
	revs := max(o.Days, batches/3)
	span := o.Now.Sub(g.start)
	for i := range revs {
		h := sha256.Sum256(fmt.Appendf(nil, "%d/%d", o.Seed, i))
		// span*i would overflow past about a thousand revisions over 90 days.
		at := g.start.Add(time.Duration(float64(span) * float64(i) / float64(revs)))
		rev := seedRevision{sha: hex.EncodeToString(h[:20]), branch: "main", at: at}
		if i%9 == 8 { // some revisions are pull requests' heads
			rev.branch = fmt.Sprintf("pull/%d", 1000+i)
		}
		n := batches/revs + boolInt(i < batches%revs)
		for _, k := range g.rng.Perm(len(g.runners))[:min(n, len(g.runners))] {
			rev.runners = append(rev.runners, k)
		}
		g.revisions = append(g.revisions, rev)
	}
	return g
}

// plan groups whole revisions into chunks of about 250,000 results.
func (g *generator) plan() [][]int {
	var chunks [][]int
	var cur []int
	size := 0
	for i, r := range g.revisions {
		cur = append(cur, i)
		size += len(r.runners) * len(g.tests)
		if size >= 250_000 {
			chunks, cur, size = append(chunks, cur), nil, 0
		}
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// results generates the results of a chunk of revisions, adds them to the
// rollups, and returns them with the failure texts.
func (g *generator) results(chunk []int) (rows, texts [][]any) {
	g.revRollups = map[revKey]*revCounts{}
	recent := g.o.Now.Add(-48 * time.Hour)
	for _, ri := range chunk {
		rev := g.revisions[ri]
		for k, runner := range rev.runners {
			r := g.runners[runner]
			g.batches++
			batch := fmt.Sprintf("seed-%d-%s", ri, r.name)
			at := rev.at.Add(time.Duration(k*7) * time.Minute)
			n, failures, skips := 0, 0, 0
			for ti := range g.tests {
				t := &g.tests[ti]
				if g.rng.IntN(40) < 3 { // not every test runs on every host
					continue
				}
				outcome, sig := "pass", int64(0)
				rate := t.rate * t.osMul[r.os]
				if t.rising && at.After(recent) {
					rate = math.Min(0.5, rate*8+0.02)
				}
				switch {
				case t.skipOn == r.os:
					outcome = "skip"
				case rate > 0 && g.rng.Float64() < rate:
					s := &g.sigs[t.sigs[min(len(t.sigs)-1, int(g.rng.ExpFloat64()))]]
					if s.first.After(at) {
						break
					}
					outcome, sig = "fail", s.id
					if g.rng.IntN(5) == 0 {
						outcome = "error"
					}
					texts = append(texts, []any{g.nextID, s.text, int32(0), at})
					failures++
				}
				if outcome == "skip" {
					skips++
				}
				var sigArg any
				if sig != 0 {
					sigArg = sig
				}
				rows = append(rows, []any{g.nextID, batch, t.id, outcome, int64(1000 + g.rng.IntN(2_000_000)), g.o.Repo, rev.sha,
					r.name, r.id, r.os, sigArg, at})
				g.nextID++
				n++
				g.count(g.o.Repo, rev.sha, rev.branch, at, t.id, sig, r.os, outcome)
			}
			g.batchRows = append(g.batchRows, []any{batch, g.o.Repo, rev.sha, r.name, r.id, int32(n), "{}", at,
				rev.branch, fmt.Sprintf("https://ci.example.com/%s/builds/%d", r.name, g.batches), int32(failures), int32(skips)})
		}
	}
	return rows, texts
}

func (g *generator) count(repo, rev, branch string, at time.Time, test, sig int64, os, outcome string) {
	failed := outcome == "fail" || outcome == "error"
	k := rollupDayKey{day: at.UTC().Truncate(24 * time.Hour), test: test, sig: sig, os: os, branch: branch}
	c := g.rollups[k]
	c[0]++
	if failed {
		c[1]++
	}
	g.rollups[k] = c
	rk := revKey{repo: repo, rev: rev, test: test, os: os}
	rc := g.revRollups[rk]
	if rc == nil {
		rc = &revCounts{first: at}
		g.revRollups[rk] = rc
	}
	rc.runs++
	rc.last = at
	switch {
	case outcome == "pass":
		rc.passes++
	case failed:
		rc.failures++
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

package detect_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/triaged/triaged/stress/detect"
)

// A scenario's peer sends 64 packets of 16 KiB; the transport under test
// loses the eleventh.
func Example() {
	const seed, id, total, frame = 1, 7, 64 << 14, 16<<10 + detect.Overhead
	g, _ := detect.NewGenerator(seed, id, total, frame)
	r, _ := detect.NewReceiver(detect.Config{Seed: seed, Stream: id, Total: total, FrameSize: frame})
	r.SetPhase("plaintext")
	packet := make([]byte, 16<<10)
	for i := 0; ; i++ {
		n, err := g.Read(packet)
		if err == io.EOF {
			break
		}
		if i == 10 {
			continue // what the transport dropped
		}
		r.Write(packet[:n]) // what the transport delivered
	}
	r.CloseEOF()
	// A watchdog would call this while the peer still has bytes in flight.
	r.Check(time.Now(), 0, nil)

	rep := r.Report()
	fmt.Println("ok:", rep.OK())
	for _, a := range rep.Anomalies {
		fmt.Println(a)
	}
	json.NewEncoder(os.Stdout).Encode(rep.Counts)
	// Output:
	// ok: false
	// lost-bytes at offset 163840 length 16384 (received position 163840, phase plaintext)
	// {"lost-bytes":1}
}

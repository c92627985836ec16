package api

import (
	"errors"
	"io"
	"net/http"
	"sync"
)

// errUploadsBusy is an upload refused because the bodies of the uploads
// in progress already take the server's budget; the client should send it
// again a little later.
var errUploadsBusy = errors.New("the server is busy with other uploads")

// bodyBudget bounds the bytes of upload bodies the server holds at once,
// whatever parses them: each upload takes its bytes as they arrive (or its
// Content-Length at once) and gives them back when it is answered. A
// parsed upload takes a few times its body in memory, so the budget bounds
// the memory of all uploads together where MaxBodyBytes bounds one.
type bodyBudget struct {
	mu   sync.Mutex
	free int64
}

func newBodyBudget(total int64) *bodyBudget { return &bodyBudget{free: total} }

// take takes n bytes if that many are free.
func (b *bodyBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.free {
		return false
	}
	b.free -= n
	return true
}

func (b *bodyBudget) give(n int64) {
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
}

// budgetedBody reads a request body within limit bytes, taking them from
// the budget beyond what was taken for it up front.
type budgetedBody struct {
	r          io.Reader
	budget     *bodyBudget
	read, held int64
}

func (bb *budgetedBody) Read(p []byte) (int, error) {
	n, err := bb.r.Read(p)
	bb.read += int64(n)
	if more := bb.read - bb.held; more > 0 {
		if !bb.budget.take(more) {
			return n, errUploadsBusy
		}
		bb.held += more
	}
	return n, err
}

// uploadBody returns r's body, capped at the upload limit and counted
// against the server's budget, and the function that gives its bytes back
// when the upload is answered. When the budget cannot hold the body, as
// its Content-Length says, it answers 503 itself and returns ok false.
func (a *API) uploadBody(w http.ResponseWriter, r *http.Request) (body io.Reader, release func(), ok bool) {
	limit := a.ingest.Limits().MaxBodyBytes
	bb := &budgetedBody{r: http.MaxBytesReader(w, r.Body, limit), budget: a.budget}
	if r.ContentLength > 0 {
		bb.held = min(r.ContentLength, limit+1)
		if !a.budget.take(bb.held) {
			a.writeIngestError(w, r, errUploadsBusy)
			return nil, nil, false
		}
	}
	return bb, func() { a.budget.give(bb.held) }, true
}

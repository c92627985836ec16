package app

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// DefaultBodyTimeout bounds how long a client may take to send a request
// body, unless a route that knows its caller allows more (uploads).
const DefaultBodyTimeout = 30 * time.Second

// newBodyDeadline sets a read deadline of d on the connection while a
// request's body is read, so a client that trickles a body, or stops
// sending one, holds its connection and its handler for at most d rather
// than for ever. Headers have their own timeout (http.Server's
// ReadHeaderTimeout); requests without a body are left alone.
//
// The deadline is lifted once the body has been read to its end: net/http
// then watches the connection for the client going away, and a deadline
// left in place would cancel a slow handler's context when it passed.
// Routes that take long bodies from authenticated callers extend it with
// their own http.ResponseController.
func newBodyDeadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body != nil && r.Body != http.NoBody {
				rc := http.NewResponseController(w)
				if rc.SetReadDeadline(time.Now().Add(d)) == nil {
					r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// deadlineBody lifts the connection's read deadline when the body ends.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !b.done {
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

package jsonapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

var (
	errBadContentType = errors.New("send the body as application/json")
	errTrailing       = errors.New("unexpected data after the JSON value")
)

// DecodeStatus is the status to answer a Decode error with: 415 for a body
// that is not JSON, 413 for one over the limit, 408 for one not sent in
// time, 400 otherwise.
func DecodeStatus(err error) int {
	var maxBytes *http.MaxBytesError
	switch {
	case errors.Is(err, errBadContentType):
		return http.StatusUnsupportedMediaType
	case errors.As(err, &maxBytes):
		return http.StatusRequestEntityTooLarge
	case TimedOut(err):
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

// TimedOut reports whether err is a read that passed its deadline: the
// client did not send its body in time.
func TimedOut(err error) bool {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) {
		return false // a deadline of our own, not the client's slowness
	}
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// jsonError says what is wrong with a JSON body and where.
func jsonError(err error, offset int64) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("empty body: send a JSON object")
	case errors.As(err, &syn):
		return fmt.Errorf("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q at byte %d: want %v, got %s", typ.Field, typ.Offset, typ.Type, typ.Value)
	}
	return fmt.Errorf("bad JSON body near byte %d: %w", offset, err)
}

// Decode reads a JSON request body strictly: known fields only, one value,
// at most limit bytes. Its errors say what is wrong and where; answer them
// with DecodeStatus.
func Decode(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errBadContentType
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, dec.InputOffset())
	}
	if dec.More() {
		return jsonError(errTrailing, dec.InputOffset())
	}
	return nil
}

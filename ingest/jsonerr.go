package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

var (
	errBadContentType = errors.New("send the body as application/json")
	errTrailing       = errors.New("unexpected data after the JSON value")
)

// decodeStatus is the status for a decodeJSON error.
func decodeStatus(err error) int {
	var maxBytes *http.MaxBytesError
	switch {
	case errors.Is(err, errBadContentType):
		return http.StatusUnsupportedMediaType
	case errors.As(err, &maxBytes):
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
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

// Package jsonapi writes triaged's JSON responses. Every API error goes out
// through Error, so error bodies have one shape ({"error", "detail"}) and a
// server error is logged exactly once, where the response is written.
package jsonapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
)

// Problem is the body of every error response.
type Problem struct {
	Error  string `json:"error"`
	Detail string `json:"detail,omitempty"`
}

// Write sends v as JSON with the given status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// Error sends a problem with the status's standard text as "error". A
// server error (a 5xx with its cause) is logged with err; the client only
// sees a generic detail, never internals. A 5xx without a cause, such as a
// 503 the caller already explained, is not logged again.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, detail string, err error) {
	if status >= 500 && err != nil {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		if detail == "" {
			detail = "internal error; see the server log"
		}
	}
	Write(w, status, Problem{Error: http.StatusText(status), Detail: detail})
}

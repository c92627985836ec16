package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// pathID reads the positive {id} of a route; ok is false for anything else.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id, err == nil && id > 0
}

package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/checkout"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/store"
)

// ReportCheckout handles POST /api/v1/jobs/{id}/checkout: the runner
// holding a job says which commit it checked out (and, for a bisection's
// bad end, the history it listed) before the job's first iteration. A
// commit other than the campaign's is 409: the runner fails the job rather
// than run it there.
func (a *API) ReportCheckout(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	id, ok := a.pathID(w, r, "job")
	if !ok {
		return
	}
	var rep protocol.CheckoutReport
	if err := jsonapi.Decode(w, r, &rep, 2<<20); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	if err := checkReport(rep); err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	rep.HistoryError = clipUTF8(rep.HistoryError, 2000)
	switch err := a.store.RecordCheckout(r.Context(), p.RunnerID, id, rep); {
	case errors.Is(err, store.ErrNotHeld):
		jsonapi.Error(w, r, a.log, http.StatusConflict, "this runner does not hold the job; its lease may have expired", nil)
	case errors.Is(err, store.ErrWrongCommit):
		jsonapi.Error(w, r, a.log, http.StatusConflict, err.Error(), nil)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	default:
		a.log.Info("job checked out", "job", id, "runner", p.Name, "commit", rep.Commit, "history", len(rep.History), "build_seconds", rep.BuildSeconds)
		w.WriteHeader(http.StatusNoContent)
	}
}

// checkReport refuses a report whose commits are not full commit ids, or
// whose history does not end at the commit.
func checkReport(rep protocol.CheckoutReport) error {
	full := func(s string) bool {
		return (len(s) == 40 || len(s) == 64) && isLowerHex(s)
	}
	switch {
	case !full(rep.Commit):
		return fmt.Errorf("commit %q: want the full commit id git rev-parse HEAD prints", rep.Commit)
	case len(rep.History) > checkout.MaxHistory:
		return fmt.Errorf("history: at most %d commits", checkout.MaxHistory)
	case len(rep.History) > 0 && rep.History[len(rep.History)-1] != rep.Commit:
		return fmt.Errorf("history: want it to end at the commit checked out, %s", rep.Commit)
	case len(rep.History) > 0 && !full(rep.HistoryBase):
		return fmt.Errorf("history_base %q: want a full commit id", rep.HistoryBase)
	}
	for _, c := range rep.History {
		if !full(c) {
			return fmt.Errorf("history: %q is not a full commit id", c)
		}
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

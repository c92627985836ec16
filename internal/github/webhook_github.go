package github

import (
	"cmp"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// maxWebhookBody is GitHub's cap on a webhook payload.
const maxWebhookBody = 25 << 20

// deliveryPattern is what an X-GitHub-Delivery id may be (GitHub sends a
// UUID).
var deliveryPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,200}$`)

// WebhookConfig configures POST /webhooks/github.
type WebhookConfig struct {
	// Secret is the webhook's secret; empty: the endpoint answers 404.
	Secret string
	// ReplayWindow is how long delivery ids are remembered; an event older
	// than it is refused as stale (default 7 days).
	ReplayWindow time.Duration
	// Verify says which repos get verification campaigns on push and
	// pull_request, and how.
	Verify VerifyConfig
}

// Webhooks receives GitHub webhooks.
type Webhooks struct {
	store *store.Store
	cfg   WebhookConfig
	log   *slog.Logger
	now   func() time.Time
}

// NewWebhooks returns the webhook receiver.
func NewWebhooks(st *store.Store, cfg WebhookConfig, log *slog.Logger) *Webhooks {
	cfg.ReplayWindow = cmp.Or(cfg.ReplayWindow, 7*24*time.Hour)
	cfg.Verify = cfg.Verify.withDefaults()
	return &Webhooks{store: st, cfg: cfg, log: log, now: time.Now}
}

// WebhookAnswer is the body of an accepted delivery.
type WebhookAnswer struct {
	Status    string  `json:"status"` // "pong", "recorded" or "ignored"
	Event     string  `json:"event"`
	Commits   int     `json:"commits"`
	Campaigns []int64 `json:"campaigns"`
	// NotVerified lists flaky tests no campaign was made for, and Refused
	// says why of each: no command configured for a test that is not a
	// built-in scenario, or an id that cannot be put on the command line.
	NotVerified []string  `json:"not_verified,omitempty"`
	Refused     []Refusal `json:"refused,omitempty"`
}

// Refusal is a flaky test no verification campaign was made for, and why.
type Refusal struct {
	Test   string `json:"test"`
	Reason string `json:"reason"`
}

// Receive handles POST /webhooks/github: it checks the signature, refuses
// replays and stale events, answers ping, and records push and pull_request
// commits, starting verification campaigns for configured repos.
func (h *Webhooks) Receive(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Secret == "" {
		jsonapi.Error(w, r, h.log, http.StatusNotFound, "webhooks are off: start triaged with --github-webhook-secret", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		jsonapi.Error(w, r, h.log, jsonapi.DecodeStatus(err), "reading the body: "+err.Error(), nil)
		return
	}
	if err := verifySignature(r.Header, h.cfg.Secret, body); err != nil {
		h.log.Warn("webhook refused", "delivery", r.Header.Get("X-GitHub-Delivery"), "remote", r.RemoteAddr, "reason", err)
		jsonapi.Error(w, r, h.log, http.StatusUnauthorized, err.Error(), nil)
		return
	}
	event, delivery := r.Header.Get("X-GitHub-Event"), r.Header.Get("X-GitHub-Delivery")
	if event == "" || !deliveryPattern.MatchString(delivery) {
		jsonapi.Error(w, r, h.log, http.StatusBadRequest, "X-GitHub-Event and X-GitHub-Delivery are required", nil)
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			jsonapi.Error(w, r, h.log, http.StatusBadRequest, "malformed form body", nil)
			return
		}
		body = []byte(form.Get("payload"))
	}
	d, at, err := h.parseEvent(r, event, delivery, body)
	if err != nil {
		jsonapi.Error(w, r, h.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	if err := checkFresh(at, h.cfg.ReplayWindow, h.now()); err != nil {
		jsonapi.Error(w, r, h.log, http.StatusConflict, err.Error(), nil)
		return
	}
	created, err := h.store.ReceiveWebhook(r.Context(), d.WebhookDelivery, h.cfg.ReplayWindow+24*time.Hour)
	switch {
	case errors.Is(err, store.ErrReplayed):
		jsonapi.Error(w, r, h.log, http.StatusConflict, "delivery "+delivery+" was already received; replays are refused", nil)
		return
	case err != nil:
		jsonapi.Error(w, r, h.log, http.StatusInternalServerError, "", err)
		return
	}
	ans := WebhookAnswer{Status: d.status, Event: event, Commits: len(d.Commits), Campaigns: []int64{}, Refused: d.refused}
	for _, rf := range d.refused {
		ans.NotVerified = append(ans.NotVerified, rf.Test)
	}
	for _, c := range created {
		ans.Campaigns = append(ans.Campaigns, c.ID)
		h.log.Info("verification campaign created", "id", c.ID, "name", c.Name, "repo", c.Repo, "revision", c.Revision)
	}
	jsonapi.Write(w, http.StatusOK, ans)
}

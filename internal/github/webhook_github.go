package github

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// DefaultWebhookMaxBody is the largest webhook body read by default.
// GitHub caps payloads at 25 MiB, but push and pull_request payloads are
// far smaller (a push lists at most 20 commits), and the body is read
// before its signature can be checked, from anyone.
const DefaultWebhookMaxBody = 5 << 20

// DefaultWebhookConcurrency is how many webhook bodies are read at once by
// default; more wait for a turn, briefly.
const DefaultWebhookConcurrency = 8

// webhookQueueWait is how long a delivery waits for a turn before it is
// answered 503. GitHub gives up on a delivery after 10 s.
const webhookQueueWait = 5 * time.Second

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
	// MaxBody is the largest body read (default DefaultWebhookMaxBody);
	// larger ones are refused with 413.
	MaxBody int64
	// Concurrency bounds the bodies read at once (default
	// DefaultWebhookConcurrency), so unauthenticated posts cannot hold
	// more than Concurrency × MaxBody of memory.
	Concurrency int
}

// Webhooks receives GitHub webhooks.
type Webhooks struct {
	store *store.Store
	cfg   WebhookConfig
	log   *slog.Logger
	now   func() time.Time
	turns chan struct{} // one per body being read and handled
}

// NewWebhooks returns the webhook receiver.
func NewWebhooks(st *store.Store, cfg WebhookConfig, log *slog.Logger) *Webhooks {
	cfg.ReplayWindow = cmp.Or(cfg.ReplayWindow, 7*24*time.Hour)
	cfg.Verify = cfg.Verify.withDefaults()
	cfg.MaxBody = cmp.Or(cfg.MaxBody, DefaultWebhookMaxBody)
	cfg.Concurrency = cmp.Or(cfg.Concurrency, DefaultWebhookConcurrency)
	return &Webhooks{store: st, cfg: cfg, log: log, now: time.Now, turns: make(chan struct{}, cfg.Concurrency)}
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
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	defer func() { <-h.turns }()
	if err := verifySignature(r.Header, h.cfg.Secret, body); err != nil {
		h.log.Warn("webhook refused", "delivery", r.Header.Get("X-GitHub-Delivery"), "remote", r.RemoteAddr, "reason", err)
		jsonapi.Error(w, r, h.log, http.StatusUnauthorized, err.Error(), nil)
		return
	}
	signed := sha256.Sum256(body)
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
	d.BodySHA256 = signed[:]
	if err := checkFresh(at, h.cfg.ReplayWindow, h.now()); err != nil {
		jsonapi.Error(w, r, h.log, http.StatusConflict, err.Error(), nil)
		return
	}
	created, err := h.store.ReceiveWebhook(r.Context(), d.WebhookDelivery, h.cfg.ReplayWindow+24*time.Hour)
	switch {
	case errors.Is(err, store.ErrReplayed):
		h.log.Warn("webhook replay refused", "delivery", delivery, "event", event, "remote", r.RemoteAddr)
		jsonapi.Error(w, r, h.log, http.StatusConflict, "delivery "+delivery+", or one with the same signed body, was already received; replays are refused", nil)
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

// readBody reads a delivery's body within the limits and takes a turn,
// which the caller gives back when done with the body. It answers the
// request itself when it cannot: 413 for a body over MaxBody (refused
// before reading when its length says so), 503 with Retry-After when every
// turn stays taken, 408 for a body that did not arrive in time.
func (h *Webhooks) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	tooLarge := fmt.Sprintf("the body is larger than %d bytes (--github-webhook-max-bytes)", h.cfg.MaxBody)
	if r.ContentLength > h.cfg.MaxBody {
		jsonapi.Error(w, r, h.log, http.StatusRequestEntityTooLarge, tooLarge, nil)
		return nil, false
	}
	wait := time.NewTimer(webhookQueueWait)
	defer wait.Stop()
	select {
	case h.turns <- struct{}{}:
	case <-wait.C:
		h.log.Warn("webhook refused: too many deliveries at once", "remote", r.RemoteAddr, "concurrency", h.cfg.Concurrency)
		w.Header().Set("Retry-After", "5")
		jsonapi.Error(w, r, h.log, http.StatusServiceUnavailable, "too many webhook deliveries at once; redeliver it shortly", nil)
		return nil, false
	case <-r.Context().Done():
		return nil, false
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 0)+1))
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		<-h.turns
		msg := "reading the body: " + err.Error()
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			msg = tooLarge
		}
		jsonapi.Error(w, r, h.log, jsonapi.DecodeStatus(err), msg, nil)
		return nil, false
	}
	return buf.Bytes(), true
}

package github

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// errUnsigned and errSignature are refusals of a webhook's signature.
var (
	errUnsigned  = errors.New("missing X-Hub-Signature-256: set a secret on the GitHub webhook; unsigned deliveries are refused")
	errSHA1Only  = errors.New("only an X-Hub-Signature (HMAC-SHA1) was sent; triaged accepts X-Hub-Signature-256 only")
	errSignature = errors.New("X-Hub-Signature-256 does not match the body: check that the webhook secret equals --github-webhook-secret")
)

// verifySignature checks the HMAC-SHA256 of body under secret against the
// X-Hub-Signature-256 header, in constant time. SHA-1 signatures are
// refused: GitHub sends both, and only a downgrade would send SHA-1 alone.
func verifySignature(h http.Header, secret string, body []byte) error {
	sig := h.Get("X-Hub-Signature-256")
	if sig == "" {
		if h.Get("X-Hub-Signature") != "" {
			return errSHA1Only
		}
		return errUnsigned
	}
	algo, hexSum, ok := strings.Cut(sig, "=")
	if !ok || algo != "sha256" {
		return fmt.Errorf("X-Hub-Signature-256 %q: want sha256=<hex>", truncate(sig, 20))
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return errSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errSignature
	}
	return nil
}

// checkFresh refuses an event older than the replay window. GitHub does not
// sign a delivery time, but remembered delivery ids and body hashes cover
// the window and the event's own time (signed, in the body) covers what is
// older.
func checkFresh(at time.Time, window time.Duration, now time.Time) error {
	if at.IsZero() || now.Sub(at) <= window {
		return nil
	}
	return fmt.Errorf("stale delivery: the event is from %s, older than the %s replay window", at.UTC().Format(time.RFC3339), window)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

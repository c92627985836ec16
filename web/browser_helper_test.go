package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/triaged/triaged/internal/browsertest"
)

func newBrowser(t *testing.T) context.Context { return browsertest.New(t) }

func screenshot(t *testing.T, ctx context.Context, name string) { browsertest.Screenshot(t, ctx, name) }

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, what, steps...)
}

func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	return browsertest.Read(t, ctx, what, a)
}

// Package github tells GitHub what triaged knows about a commit: it words
// commit statuses ("1 new failure · 2 known flaky (test_x 2.1%)") for the
// store to record in its outbox, and runs the worker that posts them with
// retries, backoff and GitHub's rate limits honoured.
//
// Statuses are recorded in the same transaction as the results they
// describe, with or without a token; only the worker needs one. Several
// server replicas may run the worker: rows are claimed under a lock per
// commit and context, so each status line is posted by one replica, in
// order, and a status already on GitHub is not posted again.
package github

-- The classifier reads a test's latest revisions on one runner OS for
-- every failure it judges: on an upload, on a revision's page, in the
-- recorder. Its index now carries the counts it reads, so the read is an
-- index-only scan instead of one heap page per revision: on the 5-million
-- seed, a page's history read of 24 tests fell from 51 ms to 17 ms (with
-- EXPLAIN ANALYZE's own overhead), 1,493 buffers to 340.

-- +goose Up
CREATE INDEX revision_rollups_history_counts ON revision_rollups (test_id, runner_os, repo, last_seen DESC)
    INCLUDE (revision, runs, passes, failures);
DROP INDEX revision_rollups_history;

-- +goose Down
CREATE INDEX revision_rollups_history ON revision_rollups (test_id, runner_os, repo, last_seen DESC);
DROP INDEX revision_rollups_history_counts;

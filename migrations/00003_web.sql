-- What the web dashboard needs besides the ingest tables: admin sessions
-- shared by every replica, a partial index so the overview reads only the
-- failing rollup rows, and per-revision failure counts per signature, so a
-- signature's rate over revisions is read from a small table rather than
-- from results.

-- +goose Up

-- A browser session opened by logging in with an admin token. Only a SHA-256
-- of the cookie value is stored; csrf is the per-session form token.
CREATE TABLE sessions (
    hash       bytea       PRIMARY KEY,
    csrf       text        NOT NULL,
    principal  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- The overview ranks tests by recent failures; failing rows are a small part
-- of the rollups, so it reads them through this index.
CREATE INDEX rollups_failing ON rollups (day, test_id) INCLUDE (signature_id, runner_os, failures) WHERE failures > 0;
-- ... and then sums those tests' runs from this one without touching the
-- table (an index-only scan).
CREATE INDEX rollups_test_day ON rollups (test_id, day) INCLUDE (runs, failures);

-- Failures per signature, revision, test and runner OS.
CREATE TABLE signature_revisions (
    signature_id bigint      NOT NULL,
    repo         text        NOT NULL,
    revision     text        NOT NULL,
    test_id      bigint      NOT NULL,
    runner_os    text        NOT NULL,
    failures     integer     NOT NULL DEFAULT 0,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (signature_id, repo, revision, test_id, runner_os)
);
CREATE INDEX signature_revisions_revision ON signature_revisions (repo, revision);
CREATE INDEX signature_revisions_recent ON signature_revisions (signature_id, last_seen DESC);

-- Kept current by a statement-level trigger, so every writer of results
-- (ingest, the campaign protocol, COPY from the seeder) updates it in its
-- own transaction without knowing about it. Rows are inserted in key order
-- so concurrent batches lock them in the same order.
-- +goose StatementBegin
CREATE FUNCTION signature_revisions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signature_revisions AS sr (signature_id, repo, revision, test_id, runner_os, failures, first_seen, last_seen)
    SELECT signature_id, repo, revision, test_id, runner_os, count(*), min(created_at), max(created_at)
    FROM new_results
    WHERE signature_id IS NOT NULL AND outcome IN ('fail', 'error')
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (signature_id, repo, revision, test_id, runner_os) DO UPDATE
    SET failures = sr.failures + excluded.failures,
        first_seen = least(sr.first_seen, excluded.first_seen),
        last_seen = greatest(sr.last_seen, excluded.last_seen);
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER results_signature_revisions AFTER INSERT ON results
    REFERENCING NEW TABLE AS new_results
    FOR EACH STATEMENT EXECUTE FUNCTION signature_revisions_add();

INSERT INTO signature_revisions (signature_id, repo, revision, test_id, runner_os, failures, first_seen, last_seen)
SELECT signature_id, repo, revision, test_id, runner_os, count(*), min(created_at), max(created_at)
FROM results
WHERE signature_id IS NOT NULL AND outcome IN ('fail', 'error')
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
DROP TRIGGER results_signature_revisions ON results;
DROP FUNCTION signature_revisions_add();
DROP TABLE signature_revisions;
DROP INDEX rollups_test_day;
DROP INDEX rollups_failing;
DROP TABLE sessions;

-- An upload path that only appends. Uploads no longer upsert the rollup rows
-- every uploader of a test shares (the daily counts, a commit's counts per
-- test, failures per signature and revision), which made fifty uploaders of
-- one commit wait on one another's row locks: they append their batch's
-- counts to delta tables, and a folder (one at a time, across replicas)
-- adds them into the rollups. Readers that must be exact — the classifier —
-- read the rollups and the pending deltas together.
--
-- The foreign keys of results cost a locking lookup of the test and the
-- signature per row written; ingest writes both ids from rows it upserted
-- in the same transaction, so they go.

-- +goose Up

ALTER TABLE results DROP CONSTRAINT results_test_id_fkey, DROP CONSTRAINT results_signature_id_fkey;

CREATE TABLE rollup_deltas (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day          date    NOT NULL,
    test_id      bigint  NOT NULL,
    signature_id bigint  NOT NULL,
    runner_os    text    NOT NULL,
    runs         integer NOT NULL,
    failures     integer NOT NULL,
    skips        integer NOT NULL
);

CREATE TABLE revision_rollup_deltas (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo      text        NOT NULL,
    revision  text        NOT NULL,
    test_id   bigint      NOT NULL,
    runner_os text        NOT NULL,
    runs      integer     NOT NULL,
    passes    integer     NOT NULL,
    failures  integer     NOT NULL,
    skips     integer     NOT NULL,
    infra     integer     NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revision_rollup_deltas_test ON revision_rollup_deltas (test_id, runner_os, repo);
CREATE INDEX revision_rollup_deltas_commit ON revision_rollup_deltas (repo, revision);

CREATE TABLE signature_revision_deltas (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signature_id bigint      NOT NULL,
    repo         text        NOT NULL,
    revision     text        NOT NULL,
    test_id      bigint      NOT NULL,
    runner_os    text        NOT NULL,
    failures     integer     NOT NULL,
    infra        integer     NOT NULL,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL
);
CREATE INDEX signature_revision_deltas_commit ON signature_revision_deltas (repo, revision);
CREATE INDEX signature_revision_deltas_test ON signature_revision_deltas (test_id, runner_os, repo, revision);

-- A test's latest revisions on one runner OS, as the classifier reads them
-- for every failure: straight from the index, newest first.
CREATE INDEX revision_rollups_history ON revision_rollups (test_id, runner_os, repo, last_seen DESC);
-- ... and the signatures of its failures on one of them.
CREATE INDEX signature_revisions_test ON signature_revisions (test_id, runner_os, repo, revision);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION signature_revisions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signature_revision_deltas (signature_id, repo, revision, test_id, runner_os, failures, infra, first_seen, last_seen)
    SELECT signature_id, repo, revision, test_id, runner_os, count(*), count(*) FILTER (WHERE infra), min(created_at), max(created_at)
    FROM new_results
    WHERE signature_id IS NOT NULL AND outcome IN ('fail', 'error')
    GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION signature_revisions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signature_revisions AS sr (signature_id, repo, revision, test_id, runner_os, failures, infra, first_seen, last_seen)
    SELECT signature_id, repo, revision, test_id, runner_os, count(*), count(*) FILTER (WHERE infra), min(created_at), max(created_at)
    FROM new_results
    WHERE signature_id IS NOT NULL AND outcome IN ('fail', 'error')
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (signature_id, repo, revision, test_id, runner_os) DO UPDATE
    SET failures = sr.failures + excluded.failures,
        infra = sr.infra + excluded.infra,
        first_seen = least(sr.first_seen, excluded.first_seen),
        last_seen = greatest(sr.last_seen, excluded.last_seen);
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP INDEX signature_revisions_test;
DROP INDEX revision_rollups_history;
DROP TABLE signature_revision_deltas;
DROP TABLE revision_rollup_deltas;
DROP TABLE rollup_deltas;
ALTER TABLE results ADD CONSTRAINT results_test_id_fkey FOREIGN KEY (test_id) REFERENCES tests NOT VALID,
    ADD CONSTRAINT results_signature_id_fkey FOREIGN KEY (signature_id) REFERENCES signatures NOT VALID;

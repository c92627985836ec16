-- What GitHub tells triaged (revisions from push and pull_request webhooks,
-- and the delivery ids that make a replayed webhook harmless) and what the
-- status worker needs beyond 00001's status_outbox to post each status once
-- and in order.

-- +goose Up

-- A commit as webhooks describe it. The revision page shows it; rows are
-- upserted, so a push and a pull request for the same commit merge.
CREATE TABLE revisions (
    repo         text        NOT NULL,
    sha          text        NOT NULL,
    message      text        NOT NULL DEFAULT '',
    author       text        NOT NULL DEFAULT '',
    branch       text        NOT NULL DEFAULT '',
    pull_request integer,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, sha)
);

-- Webhook deliveries already processed, by X-GitHub-Delivery id. A delivery
-- seen again is a replay and is refused; rows older than the replay window
-- are deleted as new deliveries arrive.
CREATE TABLE webhook_deliveries (
    id          text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    event       text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- covered_by: the row whose delivery makes this one pointless, so it is never
-- posted: a newer status for the same commit and context, or an identical
-- status already on GitHub. github_id: the id GitHub gave the posted status.
ALTER TABLE status_outbox
    ADD COLUMN covered_by bigint REFERENCES status_outbox ON DELETE SET NULL,
    ADD COLUMN github_id  bigint;
CREATE INDEX status_outbox_pending ON status_outbox (id)
    WHERE delivered_at IS NULL AND NOT dead AND covered_by IS NULL;

-- A commit's status reads its failing results on every upload; this keeps
-- that read proportional to the failures, not to all results of the commit.
CREATE INDEX results_revision_failing ON results (repo, revision)
    WHERE outcome IN ('fail', 'error') AND campaign_id IS NULL;

-- +goose Down
DROP INDEX results_revision_failing;
DROP INDEX status_outbox_pending;
ALTER TABLE status_outbox DROP COLUMN github_id, DROP COLUMN covered_by;
DROP TABLE webhook_deliveries;
DROP TABLE revisions;

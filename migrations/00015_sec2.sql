-- Security, second round (issue #14).
--
-- An upload or registration token may be bound to the repos it may write:
-- tokens.repos lists them, empty meaning any repo (as every token before).
-- A runner registered with a bound registration token is bound the same
-- way (runners.repos): it leases only campaigns on those repos (or on
-- none) and its results are refused for others.
--
-- A webhook delivery is remembered by the SHA-256 of its signed body as
-- well as by its X-GitHub-Delivery id, which is not signed: the same body
-- under a new id is a replay too. Rows from before have none (NULLs do not
-- collide).

-- +goose Up
ALTER TABLE tokens ADD COLUMN repos text[] NOT NULL DEFAULT '{}';
ALTER TABLE runners ADD COLUMN repos text[] NOT NULL DEFAULT '{}';
ALTER TABLE webhook_deliveries ADD COLUMN body_sha256 bytea;
CREATE UNIQUE INDEX webhook_deliveries_body ON webhook_deliveries (body_sha256);

-- +goose Down
DROP INDEX webhook_deliveries_body;
ALTER TABLE webhook_deliveries DROP COLUMN body_sha256;
ALTER TABLE runners DROP COLUMN repos;
ALTER TABLE tokens DROP COLUMN repos;

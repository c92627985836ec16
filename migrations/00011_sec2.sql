-- Security, second round (issue #14).
--
-- An upload or registration token may be bound to the repos it may write:
-- tokens.repos lists them, empty meaning any repo (as every token before).
-- A runner registered with a bound registration token is bound the same
-- way (runners.repos): it leases only campaigns on those repos (or on
-- none) and its results are refused for others.

-- +goose Up
ALTER TABLE tokens ADD COLUMN repos text[] NOT NULL DEFAULT '{}';
ALTER TABLE runners ADD COLUMN repos text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE runners DROP COLUMN repos;
ALTER TABLE tokens DROP COLUMN repos;

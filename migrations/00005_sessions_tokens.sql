-- A session ends with the token that opened it. An admin-created token is
-- named by token_id, so revoking it ends its sessions and the session check
-- joins on it not being revoked. The bootstrap admin token is not stored;
-- its sessions keep bootstrap_proof, an HMAC of the session's cookie keyed
-- with that token (auth.BootstrapProof), which every request recomputes with
-- the server's current token: a server restarted with another --admin-token,
-- or none, no longer honours them. Keyed by the cookie, which only the
-- browser has, the proof gives a database dump nothing to guess the token
-- against.

-- +goose Up

-- Sessions from before cannot be tied to a token: their holders log in again.
DELETE FROM sessions;
ALTER TABLE sessions
    ADD COLUMN token_id bigint REFERENCES tokens (id) ON DELETE CASCADE,
    ADD COLUMN bootstrap_proof bytea,
    ADD CONSTRAINT sessions_opened_by CHECK ((token_id IS NULL) <> (bootstrap_proof IS NULL));
CREATE INDEX sessions_token ON sessions (token_id) WHERE token_id IS NOT NULL;

-- +goose Down
DROP INDEX sessions_token;
ALTER TABLE sessions
    DROP CONSTRAINT sessions_opened_by,
    DROP COLUMN bootstrap_proof,
    DROP COLUMN token_id;

-- Accounts people can trust: verified emails, profiles, device sessions, one-time links and
-- the background job queue.

ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
ALTER TABLE users ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
-- Public name in URLs (`/u/{handle}`): lower-case letters, digits and `_`, starting with a
-- letter, so it never reads as a numeric id. Existing rows get one derived from their id.
ALTER TABLE users ADD COLUMN handle TEXT;
UPDATE users SET handle = 'user' || id WHERE handle IS NULL;
CREATE UNIQUE INDEX users_by_handle ON users (handle COLLATE NOCASE);

-- What the sessions page shows about each signed-in device.
ALTER TABLE refresh_families ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE refresh_families ADD COLUMN last_used_at INTEGER;

-- Email verification and password-reset links. Only SHA-256 hashes are kept; a link works
-- once (`used_at`) and until `expires_at`.
CREATE TABLE one_time_tokens (
    token_hash BLOB    PRIMARY KEY,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX one_time_tokens_by_user ON one_time_tokens (user_id, purpose);
CREATE INDEX one_time_tokens_by_expiry ON one_time_tokens (expires_at);
CREATE INDEX refresh_families_by_expiry ON refresh_families (expires_at);

-- The durable job queue. A job is enqueued in the same transaction as the data it refers to.
-- Workers claim a due job by leasing it (`locked_until`); a worker that dies mid-job lets the
-- lease lapse and the job runs again, so handlers are idempotent.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'queued'
                         CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    locked_until INTEGER,
    last_error   TEXT,
    -- Periodic jobs carry a key per period, so several workers schedule each run only once.
    unique_key   TEXT UNIQUE,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
-- The claim query: due queued jobs, and running ones whose lease lapsed.
CREATE INDEX jobs_due ON jobs (state, run_at);

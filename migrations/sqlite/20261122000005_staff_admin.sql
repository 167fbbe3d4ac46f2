-- The staff admin: deactivated accounts, hidden posts, the audit trail, and the indexes that
-- keep every admin list an index seek at a million rows.

-- A deactivated account cannot sign in, and its sessions were revoked when it was deactivated.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
-- The admin's user filters. Staff, deactivated and unverified accounts are the rare ones, so
-- each gets a partial index that lists exactly them, newest first.
CREATE INDEX users_staff ON users (id) WHERE is_staff = 1;
CREATE INDEX users_deactivated ON users (id) WHERE deactivated_at IS NOT NULL;
CREATE INDEX users_unverified ON users (id) WHERE email_verified_at IS NULL;

-- The admin's user search: a trigram index over everything it searches, kept in step with
-- `users` by triggers. Any three or more characters match anywhere in a field.
CREATE VIRTUAL TABLE users_search USING fts5 (
    email, handle, display_name, first_name, last_name,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_search (rowid, email, handle, display_name, first_name, last_name)
    SELECT id, email, handle, display_name, first_name, last_name FROM users;
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, email, handle, display_name, first_name, last_name)
    VALUES (new.id, new.email, new.handle, new.display_name, new.first_name, new.last_name);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, handle, display_name, first_name, last_name)
    VALUES ('delete', old.id, old.email, old.handle, old.display_name, old.first_name, old.last_name);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF email, handle, display_name, first_name, last_name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, handle, display_name, first_name, last_name)
    VALUES ('delete', old.id, old.email, old.handle, old.display_name, old.first_name, old.last_name);
    INSERT INTO users_search (rowid, email, handle, display_name, first_name, last_name)
    VALUES (new.id, new.email, new.handle, new.display_name, new.first_name, new.last_name);
END;

-- Staff can hide a post: it leaves every feed and the API, and the reason is kept.
ALTER TABLE posts ADD COLUMN hidden_at INTEGER;
ALTER TABLE posts ADD COLUMN hidden_reason TEXT;
ALTER TABLE posts ADD COLUMN hidden_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
-- Date filters turn into id bounds (ids grow with time) through this index.
CREATE INDEX posts_by_time ON posts (created_at);

-- Every staff action: who did what to which record, and when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
);

-- The request-log views: filters by status, user, path and route walk these newest first;
-- the time index now also covers the per-status counts.
DROP INDEX request_log_by_time;
CREATE INDEX request_log_by_time ON request_log (at, status);
CREATE INDEX request_log_by_status ON request_log (status, id);
CREATE INDEX request_log_by_user ON request_log (user_id, id);
CREATE INDEX request_log_by_path ON request_log (path, id);
CREATE INDEX request_log_by_route ON request_log (route, id);

-- The jobs view lists one state at a time, newest first.
CREATE INDEX jobs_by_state ON jobs (state, id);
-- The admin's "hidden posts" filter.
CREATE INDEX posts_hidden ON posts (id) WHERE hidden_at IS NOT NULL;

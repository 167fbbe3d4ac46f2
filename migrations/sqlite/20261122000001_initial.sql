-- Users sign in with an email, compared case-insensitively (also stored lower-cased).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_staff      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Ids grow with time, so "newest first" is `ORDER BY id DESC` and the keyset cursor is an id.
CREATE TABLE posts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 280),
    created_at INTEGER NOT NULL,
    edited_at  INTEGER
);
-- An author's page: WHERE author_id = ? AND id < ? ORDER BY id DESC.
CREATE INDEX posts_by_author ON posts (author_id, id DESC);

-- The primary key makes a second like by the same user impossible, and serves both the
-- per-post count and the "liked by me" lookup of the feed query.
CREATE TABLE likes (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
) WITHOUT ROWID;
CREATE INDEX likes_by_user ON likes (user_id);

-- One family per sign-in. It ends when revoked (logout, token reuse) or 30 days after sign-in.
CREATE TABLE refresh_families (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX refresh_families_by_user ON refresh_families (user_id);

-- Only SHA-256 hashes of refresh tokens are kept. A token is current until it is rotated.
CREATE TABLE refresh_tokens (
    token_hash    BLOB    PRIMARY KEY,
    family_id     INTEGER NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    issued_at     INTEGER NOT NULL,
    superseded_at INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

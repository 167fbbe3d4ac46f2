-- Users the DjaoDjin session proxy signs in are linked by its `username`, set when mublog first
-- sees them (see `domain/src/auth/djaodjin`). Their `password_hash` is `!`, which no password
-- matches: they never use mublog's own sign-in.
ALTER TABLE users ADD COLUMN proxy_username TEXT;
CREATE UNIQUE INDEX users_by_proxy_username ON users (proxy_username) WHERE proxy_username IS NOT NULL;

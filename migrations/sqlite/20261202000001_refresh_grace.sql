-- A rotated refresh token may be presented once more by a concurrent browser tab within the
-- grace window; this records that it has been, so a replay gets no second access token.
ALTER TABLE refresh_tokens ADD COLUMN grace_spent_at INTEGER;

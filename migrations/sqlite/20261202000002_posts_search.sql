-- Public post search: a trigram index over post bodies, kept in step with `posts` by triggers.
-- Any three or more characters match anywhere; a search that matches nothing is one lookup,
-- where the LIKE it replaces read every post.
CREATE VIRTUAL TABLE posts_search USING fts5 (
    body,
    content = 'posts', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO posts_search (rowid, body) SELECT id, body FROM posts;
CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_search (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_search (posts_search, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER posts_search_update AFTER UPDATE OF body ON posts BEGIN
    INSERT INTO posts_search (posts_search, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO posts_search (rowid, body) VALUES (new.id, new.body);
END;

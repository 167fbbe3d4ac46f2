-- Each post keeps its like count, so a page reads it with the row instead of counting likes
-- per post: a page costs the same however many likes its posts have. Triggers keep the count
-- in the same transaction as the like itself (including the cascade when a user is deleted).
ALTER TABLE posts ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;
UPDATE posts SET like_count = (SELECT COUNT(*) FROM likes l WHERE l.post_id = posts.id);
CREATE TRIGGER likes_count_insert AFTER INSERT ON likes BEGIN
    UPDATE posts SET like_count = like_count + 1 WHERE id = new.post_id;
END;
CREATE TRIGGER likes_count_delete AFTER DELETE ON likes BEGIN
    UPDATE posts SET like_count = like_count - 1 WHERE id = old.post_id;
END;

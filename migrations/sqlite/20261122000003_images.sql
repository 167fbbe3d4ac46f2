-- A post may carry one image. The upload is re-encoded and stored under a name the server
-- generates (`image_key` + `image_ext`); a background job renders the smaller sizes and lists
-- their widths in `image_sizes` (NULL until it has run: the page shows a placeholder).
ALTER TABLE posts ADD COLUMN image_key TEXT;
ALTER TABLE posts ADD COLUMN image_ext TEXT;
ALTER TABLE posts ADD COLUMN image_width INTEGER;
ALTER TABLE posts ADD COLUMN image_height INTEGER;
ALTER TABLE posts ADD COLUMN image_sizes TEXT;

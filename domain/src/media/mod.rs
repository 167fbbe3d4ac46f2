//! Pictures on posts: safe decoding and re-encoding ([`image`]), storage ([`store`]), and the
//! domain steps that tie them to posts and jobs.

pub mod image;
pub mod store;

pub use store::MediaStore;

use crate::store::ImageColumns;
use crate::{DomainError, Mublog};
use shared::{ImageSize, PostId, PostImage};

/// A stored file's name: `{key}.{ext}` for the full picture, `{key}-{width}.{ext}` for a size.
/// Keys are 128 random bits chosen by the server, so names never come from a client.
pub fn file_name(key: &str, ext: &str, width: Option<u32>) -> String {
    match width {
        Some(w) => format!("{key}-{w}.{ext}"),
        None => format!("{key}.{ext}"),
    }
}

/// The Content-Type of a file name this server could have generated; `None` for any other
/// name (which is then simply not found).
pub fn content_type(name: &str) -> Option<&'static str> {
    let (stem, ext) = name.rsplit_once('.')?;
    let safe = !stem.is_empty()
        && stem.len() <= 40
        && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    match ext {
        "jpg" if safe => Some("image/jpeg"),
        "png" if safe => Some("image/png"),
        _ => None,
    }
}

impl Mublog {
    /// Decodes, re-encodes and stores an uploaded picture; returns the columns to save with the
    /// post. At most two decodes run at once, so concurrent uploads cannot add up past the
    /// per-image memory cap.
    pub(crate) async fn store_upload(&self, bytes: Vec<u8>) -> Result<ImageColumns, DomainError> {
        if bytes.len() > image::MAX_UPLOAD_BYTES {
            return Err(DomainError::TooLarge);
        }
        let _permit = self.image_permits.acquire().await.map_err(|e| DomainError::Internal(e.to_string()))?;
        let encoded =
            tokio::task::spawn_blocking(move || image::decode(&bytes).and_then(|i| image::encode(&i)))
                .await
                .map_err(|e| DomainError::Internal(e.to_string()))??;
        let key = crate::auth::random_token(16);
        self.media.put(&file_name(&key, encoded.ext, None), encoded.bytes).await?;
        Ok(ImageColumns {
            image_key: Some(key),
            image_ext: Some(encoded.ext.to_owned()),
            image_width: Some(encoded.width.into()),
            image_height: Some(encoded.height.into()),
            image_sizes: None,
        })
    }

    /// The job behind `srcset`: renders the standard widths narrower than the picture.
    /// Running it twice rewrites the same files.
    pub(crate) async fn render_image_sizes(&self, post: PostId) -> Result<(), DomainError> {
        let Some(columns) = self.db.post_image(post).await? else { return Ok(()) }; // deleted meanwhile
        let (Some(key), Some(ext)) = (columns.image_key.clone(), columns.image_ext.clone()) else {
            return Ok(());
        };
        let Some(original) = self.media.get(&file_name(&key, &ext, None)).await? else {
            return Err(DomainError::Internal(format!("image file of post {post} is missing")));
        };
        let _permit = self.image_permits.acquire().await.map_err(|e| DomainError::Internal(e.to_string()))?;
        let rendered = tokio::task::spawn_blocking(move || {
            let picture = image::decode(&original)?;
            image::SIZES
                .into_iter()
                .filter(|w| *w < picture.width())
                .map(|w| image::resized(&picture, w).map(|e| (w, e)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))??;
        let mut widths = Vec::new();
        for (width, encoded) in rendered {
            self.media.put(&file_name(&key, &ext, Some(width)), encoded.bytes).await?;
            widths.push(width);
        }
        self.db.set_image_sizes(post, &widths).await?;
        Ok(())
    }

    /// A stored picture and its Content-Type, for `/media/{name}`.
    pub async fn media_file(&self, name: &str) -> Result<Option<(Vec<u8>, &'static str)>, DomainError> {
        let Some(content_type) = content_type(name) else { return Ok(None) };
        Ok(self.media.get(name).await?.map(|bytes| (bytes, content_type)))
    }

    pub(crate) async fn delete_media(&self, names: &[String]) -> Result<(), DomainError> {
        for name in names {
            self.media.delete(name).await?;
        }
        Ok(())
    }
}

impl ImageColumns {
    /// Every stored file of this image: the full picture and its rendered sizes.
    pub fn file_names(&self) -> Vec<String> {
        let (Some(key), Some(ext)) = (&self.image_key, &self.image_ext) else { return Vec::new() };
        std::iter::once(crate::media::file_name(key, ext, None))
            .chain(self.widths().map(|w| crate::media::file_name(key, ext, Some(w))))
            .collect()
    }

    fn widths(&self) -> impl Iterator<Item = u32> + '_ {
        self.image_sizes.iter().flat_map(|s| s.split(',')).filter_map(|w| w.parse().ok())
    }

    /// The picture as clients see it, with the URLs `/media/{name}` serves.
    pub(crate) fn picture(&self) -> Option<PostImage> {
        let (key, ext) = (self.image_key.as_deref()?, self.image_ext.as_deref()?);
        let url = |width| format!("/media/{}", crate::media::file_name(key, ext, width));
        Some(PostImage {
            url: url(None),
            width: self.image_width.unwrap_or_default() as u32,
            height: self.image_height.unwrap_or_default() as u32,
            sizes: self.widths().map(|w| ImageSize { url: url(Some(w)), width: w }).collect(),
            ready: self.image_sizes.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_generated_names_are_served() {
        assert_eq!(super::content_type("abcDEF_12-640.jpg"), Some("image/jpeg"));
        assert_eq!(super::content_type("abc.png"), Some("image/png"));
        for bad in ["../secret.jpg", "a/b.png", "x.svg", "x.html", ".jpg", "noext", "a b.jpg"] {
            assert_eq!(super::content_type(bad), None, "{bad}");
        }
    }
}

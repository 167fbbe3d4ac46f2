//! Where image files live. One interface, chosen by configuration: a local folder (the
//! default) or S3-compatible object storage for deployments with several servers.

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("media storage: {0}")]
pub struct StoreError(pub String);

pub enum MediaStore {
    /// Files in a folder (`<data>/media`).
    Local(PathBuf),
    /// Objects in an S3-compatible bucket, addressed path-style (works with AWS, MinIO, moto…).
    S3(S3Store),
}

pub struct S3Store {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

/// Signed request URLs are valid this long; they are used at once.
const SIGNATURE_TTL: Duration = Duration::from_secs(60);

impl MediaStore {
    pub fn local(dir: PathBuf) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&dir).map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
        Ok(MediaStore::Local(dir))
    }

    /// A bucket at `url` (`https://s3.example.com/bucket-name`: endpoint, then the bucket).
    pub fn s3(url: &str, region: &str, access_key: &str, secret_key: &str) -> Result<Self, StoreError> {
        let parsed: reqwest::Url = url.parse().map_err(|_| StoreError(format!("`{url}` is not a URL")))?;
        let name = parsed.path().trim_matches('/').to_owned();
        if name.is_empty() || name.contains('/') {
            return Err(StoreError(format!("`{url}` must end with the bucket name")));
        }
        let mut endpoint = parsed.clone();
        endpoint.set_path("/");
        let bucket = Bucket::new(endpoint, UrlStyle::Path, name, region.to_owned())
            .map_err(|e| StoreError(e.to_string()))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| StoreError(e.to_string()))?;
        Ok(MediaStore::S3(S3Store { bucket, credentials: Credentials::new(access_key, secret_key), http }))
    }

    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        generated(name)?;
        match self {
            MediaStore::S3(s3) => {
                let url = s3.bucket.put_object(Some(&s3.credentials), name).sign(SIGNATURE_TTL);
                s3.expect_success(s3.http.put(url).body(bytes).send().await).await.map(drop)
            }
            MediaStore::Local(dir) => {
                // Written aside and renamed, so a reader never sees half a file.
                let partial = dir.join(format!(".{name}.partial"));
                tokio::fs::write(&partial, bytes).await.map_err(io)?;
                tokio::fs::rename(&partial, dir.join(name)).await.map_err(io)
            }
        }
    }

    /// The file's bytes, or `None` if there is no such file.
    pub async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        generated(name)?;
        match self {
            MediaStore::S3(s3) => {
                let url = s3.bucket.get_object(Some(&s3.credentials), name).sign(SIGNATURE_TTL);
                let response = s3.http.get(url).send().await.map_err(http)?;
                if response.status() == reqwest::StatusCode::NOT_FOUND {
                    return Ok(None);
                }
                let response = s3.expect_success(Ok(response)).await?;
                Ok(Some(response.bytes().await.map_err(http)?.to_vec()))
            }
            MediaStore::Local(dir) => match tokio::fs::read(dir.join(name)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io(e)),
            },
        }
    }

    /// Deletes a file; deleting a missing one is not an error (jobs may run twice).
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        generated(name)?;
        match self {
            // S3 answers 204 whether or not the object existed.
            MediaStore::S3(s3) => {
                let url = s3.bucket.delete_object(Some(&s3.credentials), name).sign(SIGNATURE_TTL);
                s3.expect_success(s3.http.delete(url).send().await).await.map(drop)
            }
            MediaStore::Local(dir) => match tokio::fs::remove_file(dir.join(name)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                _ => Ok(()),
            },
        }
    }
}

impl S3Store {
    async fn expect_success(
        &self,
        sent: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<reqwest::Response, StoreError> {
        let response = sent.map_err(http)?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let detail = response.text().await.unwrap_or_default();
        Err(StoreError(format!("S3 answered {status}: {}", detail.chars().take(300).collect::<String>())))
    }
}

/// Only names this server generates reach the disk or the bucket: no path separators, no
/// dot files, nothing a stored row could have been edited into (`../mublog.db`).
fn generated(name: &str) -> Result<(), StoreError> {
    match super::content_type(name) {
        Some(_) => Ok(()),
        None => Err(StoreError(format!("refusing a file name mublog does not generate: {name:?}"))),
    }
}

fn http(e: reqwest::Error) -> StoreError {
    StoreError(e.to_string())
}

fn io(e: std::io::Error) -> StoreError {
    StoreError(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::MediaStore;

    /// Whatever a stored row says, local storage reads, writes and deletes only names it
    /// generates: never a path out of its folder.
    #[tokio::test]
    async fn local_storage_refuses_names_it_did_not_generate() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.db"), b"keep").unwrap();
        let store = MediaStore::local(dir.path().join("media")).unwrap();
        for name in ["../secret.db", "..%2Fsecret.db", "a/b.jpg", ".hidden.jpg", "x.db"] {
            assert!(store.get(name).await.is_err(), "{name}");
            assert!(store.put(name, b"x".to_vec()).await.is_err(), "{name}");
            assert!(store.delete(name).await.is_err(), "{name}");
        }
        assert_eq!(std::fs::read(dir.path().join("secret.db")).unwrap(), b"keep");
        store.put("abc-320.jpg", b"ok".to_vec()).await.unwrap();
        assert_eq!(store.get("abc-320.jpg").await.unwrap().as_deref(), Some(&b"ok"[..]));
    }
}

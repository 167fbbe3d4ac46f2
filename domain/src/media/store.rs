//! Where image files live. One interface, chosen by configuration: a local folder (the
//! default) or S3-compatible object storage for deployments with several servers.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error("media storage: {0}")]
pub struct StoreError(pub String);

pub enum MediaStore {
    /// Files in a folder (`<data>/media`).
    Local(PathBuf),
}

impl MediaStore {
    pub fn local(dir: PathBuf) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&dir).map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
        Ok(MediaStore::Local(dir))
    }

    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        match self {
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
        match self {
            MediaStore::Local(dir) => match tokio::fs::read(dir.join(name)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io(e)),
            },
        }
    }

    /// Deletes a file; deleting a missing one is not an error (jobs may run twice).
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        match self {
            MediaStore::Local(dir) => match tokio::fs::remove_file(dir.join(name)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                _ => Ok(()),
            },
        }
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError(e.to_string())
}

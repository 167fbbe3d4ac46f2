//! The built site (CSS, JS, WASM) that pages link to. cargo-leptos hashes those file names and
//! writes the hashes to `hash.txt` beside the binary; it also sets `LEPTOS_HASH_FILES=true`
//! when it runs the server. A deployment runs the binary itself, so there the file decides:
//! without this, pages named unhashed files that do not exist, and every asset was a 404.

use leptos::prelude::LeptosOptions;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error(
    "LEPTOS_HASH_FILES is true but {0} is missing: copy hash.txt from the build \
     (target/<profile>/hash.txt) next to the binary, or leave LEPTOS_HASH_FILES unset"
)]
pub struct MissingHashFile(PathBuf);

/// `options` with `hash_files` as the build left them: on when `hash.txt` is beside the binary,
/// unless `LEPTOS_HASH_FILES` says otherwise. Asked to hash without that file, start-up stops
/// here, not at the first page (where Leptos would panic).
pub fn with_built_file_names(mut options: LeptosOptions) -> Result<LeptosOptions, MissingHashFile> {
    let hash_file = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
        .unwrap_or_else(|| PathBuf::from(&*options.hash_file));
    let exists = hash_file.exists();
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = exists;
    } else if options.hash_files && !exists {
        return Err(MissingHashFile(hash_file));
    }
    Ok(options)
}

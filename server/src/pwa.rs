//! The installable app: `/sw.js`, the service worker, filled in with this build's hashed asset
//! names (cargo-leptos `hash-files`) so that every deploy installs a fresh worker and cache.

use axum::response::{IntoResponse, Response};
use http::header;
use leptos::prelude::LeptosOptions;

/// Files the worker precaches besides the offline page.
const STATIC_ASSETS: [&str; 6] = [
    "/favicon.svg",
    "/manifest.webmanifest",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
    "/icons/maskable-512.png",
    "/icons/apple-touch-icon.png",
];

/// The service worker for this build, rendered once at start-up.
pub fn service_worker(options: &LeptosOptions) -> String {
    let hashes = read_hashes(options);
    let name = |kind: &str, ext: &str| match hashes.iter().find(|(k, _)| k == kind) {
        Some((_, hash)) => format!("/{}/{}.{hash}.{ext}", options.site_pkg_dir, options.output_name),
        None => format!("/{}/{}.{ext}", options.site_pkg_dir, options.output_name),
    };
    let mut assets = vec![name("js", "js"), name("wasm", "wasm"), name("css", "css")];
    // A split build's chunk loader, which the app's script imports (`--split`).
    if let Some((_, hash)) = hashes.iter().find(|(kind, _)| kind == "split") {
        assets.push(format!("/{}/__wasm_split.{hash}.js", options.site_pkg_dir));
    }
    assets.extend(STATIC_ASSETS.iter().map(|a| a.to_string()));
    let version = if hashes.is_empty() {
        env!("CARGO_PKG_VERSION").to_owned()
    } else {
        hashes.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join("-")
    };
    include_str!("sw.js")
        .replace("__VERSION__", &version)
        .replace("__ASSETS__", &serde_json::to_string(&assets).unwrap_or_else(|_| "[]".into()))
}

/// `kind: hash` lines of the hash file cargo-leptos writes next to the binary.
fn read_hashes(options: &LeptosOptions) -> Vec<(String, String)> {
    if !options.hash_files {
        return Vec::new();
    }
    let path = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        tracing::warn!(
            "file hashing is on but the hash file is missing; the service worker names unhashed files"
        );
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
        .collect()
}

/// Served fresh on every check (`no-cache`), so browsers notice a new build at once.
/// The service worker's script, written once at start-up.
#[derive(Clone)]
pub struct ServiceWorker(pub std::sync::Arc<str>);

pub async fn serve(
    axum::extract::State(ServiceWorker(script)): axum::extract::State<ServiceWorker>,
) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        script.to_string(),
    )
        .into_response()
}

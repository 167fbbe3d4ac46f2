//! Smaller answers for slow networks: the build's files in `/pkg` are served as the brotli or
//! gzip copies made at build time, and HTML and JSON are compressed as they stream.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};
use std::path::Path;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// `/pkg`: the script, WASM and stylesheet of this build, with `Content-Encoding` negotiated
/// from the `.br` and `.gz` files beside them (`scripts/precompress`; a file without them is
/// compressed on the fly by [`layer`]). Hashed names change with every build, so browsers may
/// keep them for good; unhashed ones must be checked each time.
pub fn pkg_files(dir: &Path, hashed: bool) -> axum::routing::MethodRouter {
    let cache = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    axum::routing::get_service(
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(cache)))
            .service(files),
    )
}

/// Compresses responses the client accepts compressed (brotli or gzip, the encodings this
/// build enables), except those of [`carries_credentials`]. Images, server-sent events and
/// tiny bodies stay as they are (tower-http's default predicate).
pub fn layer() -> tower_http::compression::CompressionLayer {
    tower_http::compression::CompressionLayer::new()
}

/// Answers that carry tokens are never compressed: a compressed secret next to text an
/// attacker chose leaks through the answer's size (BREACH). They are small anyway.
fn carries_credentials(path: &str) -> bool {
    path.starts_with("/api/auth/") || path.starts_with("/api/v1/token")
}

/// Runs outside [`layer`]: credential answers are asked for uncompressed.
pub async fn never_for_credentials(mut req: Request, next: Next) -> Response {
    if carries_credentials(req.uri().path()) {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use http::{header, Request, StatusCode};
    use tower::ServiceExt;

    #[test]
    fn token_endpoints_are_told_apart() {
        assert!(super::carries_credentials("/api/auth/refresh"));
        assert!(super::carries_credentials("/api/v1/token/refresh"));
        assert!(!super::carries_credentials("/api/v1/posts") && !super::carries_credentials("/"));
    }

    async fn get(
        dir: &std::path::Path,
        hashed: bool,
        encoding: &str,
    ) -> (StatusCode, http::HeaderMap, Vec<u8>) {
        use http_body_util::BodyExt;
        let request = Request::get("/mublog.abc.wasm")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = super::pkg_files(dir, hashed).oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
    }

    /// The build's copies are sent as they are, per the client's `Accept-Encoding`; hashed
    /// names are cached for good, others revalidated.
    #[tokio::test]
    async fn build_files_go_out_as_their_precompressed_copies() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mublog.abc.wasm"), b"raw wasm").unwrap();
        std::fs::write(dir.path().join("mublog.abc.wasm.br"), b"brotli copy").unwrap();
        std::fs::write(dir.path().join("mublog.abc.wasm.gz"), b"gzip copy").unwrap();

        let (status, headers, body) = get(dir.path(), true, "gzip, br").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (&headers[header::CONTENT_ENCODING], &body[..]),
            (&"br".parse().unwrap(), &b"brotli copy"[..])
        );
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        let (_, headers, body) = get(dir.path(), true, "gzip").await;
        assert_eq!(
            (&headers[header::CONTENT_ENCODING], &body[..]),
            (&"gzip".parse().unwrap(), &b"gzip copy"[..])
        );
        let (_, headers, body) = get(dir.path(), false, "identity").await;
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(&body[..], b"raw wasm");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    }
}

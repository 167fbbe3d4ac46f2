//! Host allow-listing: with `MUBLOG_ALLOWED_HOSTS` set, requests naming any other host are
//! refused, so forged Host headers cannot reach pages, links or cookies.

use crate::http_errors::error_response;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header;
use shared::{ApiError, ErrorCode};
use std::sync::Arc;

#[derive(Clone)]
pub struct AllowedHosts(Arc<[String]>);

impl AllowedHosts {
    pub fn new(hosts: &[String]) -> Self {
        AllowedHosts(hosts.iter().map(|h| h.to_ascii_lowercase()).collect())
    }

    /// An entry matches the host exactly, or the host without its port.
    fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let name = host.rsplit_once(':').map_or(host.as_str(), |(name, _port)| name);
        self.0.is_empty() || self.0.iter().any(|allowed| *allowed == host || allowed == name)
    }
}

pub async fn reject_unknown_host(State(allowed): State<AllowedHosts>, req: Request, next: Next) -> Response {
    let host =
        req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).or(req.uri().host()).unwrap_or("");
    if allowed.allows(host) {
        next.run(req).await
    } else {
        error_response(ApiError::new(ErrorCode::BadRequest, "This server does not answer to that host name."))
    }
}

#[cfg(test)]
mod tests {
    use super::AllowedHosts;

    #[test]
    fn hosts_match_with_or_without_port() {
        let allowed = AllowedHosts::new(&["mublog.example".into(), "127.0.0.1:3000".into()]);
        assert!(allowed.allows("mublog.example"));
        assert!(allowed.allows("MUBLOG.example:443"));
        assert!(allowed.allows("127.0.0.1:3000"));
        assert!(!allowed.allows("127.0.0.1:3001"));
        assert!(!allowed.allows("evil.example"));
        assert!(!allowed.allows(""));
        assert!(AllowedHosts::new(&[]).allows("anything"));
    }
}

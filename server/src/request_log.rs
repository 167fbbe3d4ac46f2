//! μblog's RequestLog without its cost: the middleware hands each entry to a bounded channel
//! and moves on; a writer task inserts them in batches. When the channel is full the entry is
//! dropped and counted, so logging can never slow or fail a request.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::Mublog;
use shared::admin::RequestEntry;
use shared::UserId;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

/// Entries waiting for the writer; beyond this they are dropped.
pub const DEFAULT_CAPACITY: usize = 10_000;
const BATCH: usize = 500;

/// Not worth a row: probes and static files.
fn skipped(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/sw.js" | "/favicon.svg" | "/manifest.webmanifest")
        || ["/pkg/", "/media/", "/icons/", "/vendor/"].iter().any(|p| path.starts_with(p))
}

/// A path as it may be stored or logged: the secret of a verification or reset link
/// (`/verify/{token}`, `/reset/{token}`) is replaced, as in the metrics' route label.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/verify/", "/reset/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |slash| &rest[slash..]);
            return format!("{prefix}{{token}}{tail}").into();
        }
    }
    path.into()
}

#[derive(Clone)]
pub struct RequestLog {
    sender: mpsc::Sender<RequestEntry>,
    /// Tells the writer to take no more entries, write what it has, and end.
    closing: Arc<tokio::sync::Notify>,
    dropped: Arc<AtomicU64>,
    app: Mublog,
}

impl RequestLog {
    /// The middleware's handle, and the writer task, which ends (after a last flush) once every
    /// handle is gone or [`RequestLog::close`] is called.
    pub fn start(app: Mublog, capacity: usize) -> (Self, tokio::task::JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let closing = Arc::new(tokio::sync::Notify::new());
        let writer = tokio::spawn(write_batches(app.clone(), receiver, closing.clone()));
        let log = RequestLog { sender, closing, dropped: Default::default(), app };
        (log, writer)
    }

    /// Stops taking entries and lets the writer flush and end, even while requests cut off at
    /// shutdown still hold handles.
    pub fn close(&self) {
        self.closing.notify_one();
    }

    /// Entries dropped because the writer could not keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The user the session proxy's gate found (it runs inside this layer, and the proxy's header
/// is no access token), passed out on the answer.
#[derive(Clone, Copy)]
pub struct ProxiedUser(pub UserId);

pub async fn record(State(log): State<RequestLog>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if skipped(&path) {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method = req.method().to_string();
    let route = crate::metrics::route_of(&req);
    let device = crate::client_addr::device(req.extensions());
    let client_ip = device.ip.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
    let user_agent: String = device.user_agent.chars().take(300).collect();
    let bearer = crate::client_addr::bearer(req.headers()).map(str::to_owned);
    let response = next.run(req).await;
    // Behind the proxy its gate named the user, and the bearer token is the proxy's: not
    // verified a second time.
    let user_id = match response.extensions().get::<ProxiedUser>() {
        Some(proxied) => Some(proxied.0),
        None => bearer.and_then(|token| log.app.claimed_user(&token)),
    };
    let status = response.status().as_u16();
    let entry = RequestEntry {
        at: domain::now(),
        method,
        route: crate::metrics::route_label(route, response.status()),
        path: loggable_path(&path).chars().take(500).collect(),
        status,
        duration_us: started.elapsed().as_micros() as i64,
        user_id,
        client_ip,
        user_agent,
    };
    if log.sender.try_send(entry).is_err() {
        log.dropped.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("mublog_request_log_dropped_total").increment(1);
    }
    response
}

/// Takes whatever is waiting (up to a batch) and writes it in one statement: one row at a
/// time when traffic is light, hundreds per insert under load. Ends when the channel is closed
/// (every sender gone, or `closing` notified) and drained.
async fn write_batches(
    app: Mublog,
    mut receiver: mpsc::Receiver<RequestEntry>,
    closing: Arc<tokio::sync::Notify>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut batch, BATCH) => {
                if received == 0 {
                    break;
                }
                if let Err(e) = app.db().insert_request_log(&batch).await {
                    tracing::error!(error = %e, entries = batch.len(), "writing the request log failed; entries lost");
                }
                batch.clear();
            }
            // Buffered entries stay readable after this; new ones are refused (and counted).
            () = closing.notified() => receiver.close(),
        }
    }
    tracing::debug!("request log flushed and closed");
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn link_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/verify/s3cr3t"), "/verify/{token}");
        assert_eq!(loggable_path("/reset/s3cr3t/extra"), "/reset/{token}/extra");
        assert_eq!(loggable_path("/api/v1/posts/42"), "/api/v1/posts/42");
        assert_eq!(loggable_path("/verifying"), "/verifying");
    }
}

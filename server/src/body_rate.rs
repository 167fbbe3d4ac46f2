//! Request bodies must keep moving: one that stalls for [`IDLE`], or that after [`GRACE`]
//! averages under [`MIN_BYTES_PER_SEC`], is cut off. Without this a client trickling ten
//! 10 MB uploads a byte at a time would pin their buffers (and a connection each) for hours.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Longest wait for the next piece of a body.
pub const IDLE: Duration = Duration::from_secs(10);
/// How long a body may start slowly before its average rate counts.
pub const GRACE: Duration = Duration::from_secs(10);
/// 16 KiB/s: a poor mobile connection uploads a 10 MB picture in about ten minutes at worst.
pub const MIN_BYTES_PER_SEC: u64 = 16 * 1024;

pub async fn enforce(req: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    // Most requests (every GET) have no body: nothing to watch, no timer to arm.
    if req.body().size_hint().exact() == Some(0) {
        return next.run(req).await;
    }
    next.run(req.map(|body| Body::new(MinRateBody::new(body)))).await
}

struct MinRateBody {
    inner: Body,
    started: Instant,
    received: u64,
    idle: Pin<Box<Sleep>>,
}

impl MinRateBody {
    fn new(inner: Body) -> Self {
        let started = Instant::now();
        MinRateBody { inner, started, received: 0, idle: Box::pin(tokio::time::sleep_until(started + IDLE)) }
    }

    fn too_slow(&self) -> bool {
        let elapsed = self.started.elapsed();
        elapsed > GRACE && (self.received as f64) < MIN_BYTES_PER_SEC as f64 * elapsed.as_secs_f64()
    }
}

fn cut_off(why: &'static str) -> axum::Error {
    tracing::info!(why, "request body cut off");
    axum::Error::new(why)
}

impl http_body::Body for MinRateBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.received += frame.data_ref().map_or(0, |data| data.len() as u64);
                if this.too_slow() {
                    return Poll::Ready(Some(Err(cut_off("the request body arrived too slowly"))));
                }
                this.idle.as_mut().reset(Instant::now() + IDLE);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => match this.idle.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(cut_off("the request body stalled")))),
                Poll::Pending => Poll::Pending,
            },
            done => done,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

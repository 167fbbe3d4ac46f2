//! `GET /events`: a page's live updates, as server-sent events.

use super::docs::refusals::{Invalid, Malformed};
use super::extract::Query;
use super::RestResult;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use domain::live::{Heard, Missing};
use domain::Mublog;
use futures::StreamExt;
use shared::{LiveEvent, LiveQuery};
use std::convert::Infallible;
use std::time::Duration;

/// A comment line this often keeps idle streams open through proxies and tells a client whose
/// network went away that it did (its next read fails).
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[utoipa::path(get, path = "/events", tag = "live", params(LiveQuery), security(()),
    responses((status = 200, content_type = "text/event-stream", body = LiveEvent,
        description = "Server-sent events. Each event's name (`event:`) is its `type`; its `data:` is the \
            event as JSON. The stream first sends the current counts of `posts` (and `gone` for any that \
            went), their edits since `since`, the posts after `after`, then `synced`; then changes as \
            they are committed, at most one per post every 100 ms. It ends when the client reads too \
            slowly or the server stops: reconnect with `since` (the last `synced` event's `now`) and \
            `after` (the newest post shown)."),
        Malformed, Invalid))]
/// Live updates for a page: like counts, edits and removals of the posts it shows, and new
/// posts. Public data only; no session needed.
pub async fn stream(
    State(app): State<Mublog>,
    Query(query): Query<LiveQuery>,
) -> RestResult<impl IntoResponse> {
    let live = app.watch(&query, Missing::ReportGone).await?;
    let events = crate::graphql::events(live).map(|heard| Ok::<_, Infallible>(sse_event(&heard)));
    // nginx would buffer the stream: this turns that off for this answer alone. Nothing may
    // store it either (axum says `no-cache`, which allows storing).
    let headers = [("x-accel-buffering", "no"), ("cache-control", "no-store")];
    Ok((headers, Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))))
}

/// The event's JSON was written once, for every stream that sends it.
fn sse_event(heard: &Heard) -> Event {
    Event::default().event(heard.event.name()).data(&*heard.json)
}

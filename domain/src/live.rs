//! Live updates. The hub hears every committed change (this instance's, and on PostgreSQL every
//! instance's: see [`crate::store::Change`]), gathers them for a short window, reads the posts'
//! current state once per window, and hands the window's events to every open stream. Each
//! stream keeps the events its page watches.
//!
//! Slow readers never slow writers: writers only announce, the hub keeps a bounded backlog of
//! windows, and a stream that falls behind it ends (its page reconnects and resynchronises).

use crate::store::{Change, Db, LivePost};
use crate::{now, DomainError, Mublog};
use shared::live::MAX_WATCHED_POSTS;
use shared::{FieldError, LiveEvent, LiveQuery, PostId, UserId};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Changes heard within one window go out together, each post once: a viral post's likes
/// reach each reader ten times a second at most, whatever their rate.
const WINDOW: Duration = Duration::from_millis(100);
/// Windows a stream may fall behind (about six seconds) before it is dropped.
const BACKLOG: usize = 64;
/// New posts announced at once to a page that reconnects.
const MISSED_POSTS: u32 = 100;
/// Posts one stream follows, counting the new ones it announced.
const MAX_FOLLOWED: usize = 1_000;

/// Streams are spread over this many channels, which the hub fills one after another: about
/// eight streams each with 2,000 open.
const SHARDS: usize = 256;
/// How long handing out one window takes: most of the window. A window wakes every stream's
/// task; all at once, 2,000 of them queue ahead of every request arriving meanwhile. A few at a
/// time, spread over the window, they take turns with requests instead. With 2,000 streams
/// open and the load client's readers niced (`READERS_NICE=19 scripts/bench-live`, one
/// machine, one session), a like's p99 was 26 and 27 ms with 64 shards over 40 ms, 9.2 ms with
/// 64 over 90 ms, and 6.4 and 7.7 ms with 256 over 90 ms (4.4 to 5.3 ms without streams); the
/// delivery p99 went from 164–170 ms to 184 ms.
const SPREAD: Duration = Duration::from_millis(90);

/// The hub's output: each window's events, for every stream.
#[derive(Clone)]
pub struct Live {
    shards: Arc<[broadcast::Sender<Arc<[Heard]>>]>,
    /// Which shard the next stream joins.
    next_shard: Arc<std::sync::atomic::AtomicUsize>,
    /// Set when the server stops: every stream ends, so the server need not wait for them.
    closing: Arc<watch::Sender<bool>>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            shards: (0..SHARDS).map(|_| broadcast::channel(BACKLOG).0).collect(),
            next_shard: Default::default(),
            closing: Arc::new(watch::channel(false).0),
        }
    }
}

impl Live {
    /// Hands a window to every stream, a shard at a time, over [`SPREAD`].
    async fn send(&self, window: Arc<[Heard]>) {
        let start = tokio::time::Instant::now();
        for (sent, shard) in (1u32..).zip(self.shards.iter()) {
            // No stream in this shard: nobody to tell.
            let _ = shard.send(window.clone());
            tokio::time::sleep_until(start + SPREAD * sent / SHARDS as u32).await;
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<[Heard]>> {
        let shard = self.next_shard.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % SHARDS;
        self.shards[shard].subscribe()
    }
}

/// An event and its JSON (what a stream sends), written once per window however many streams
/// send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heard {
    pub event: LiveEvent,
    pub json: Arc<str>,
}

impl From<LiveEvent> for Heard {
    fn from(event: LiveEvent) -> Self {
        let json = serde_json::to_string(&event).unwrap_or_default().into();
        Heard { event, json }
    }
}

/// What to do with watched posts that no longer exist (or are hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Say they are gone (a page that slept through a deletion).
    ReportGone,
    /// Refuse the whole subscription (a client that asked for ids it never saw).
    Refuse,
}

/// Runs the hub until `shutdown`: hears changes, and on PostgreSQL keeps listening for other
/// instances' (reconnecting after a failure).
pub async fn run(app: Mublog, mut shutdown: watch::Receiver<bool>) {
    let mut heard = app.db.changes();
    let listening = tokio::spawn(hear_other_instances(app.db.clone(), shutdown.clone()));
    // Windows are handed out by a task of their own, in order, while the next one gathers.
    let (windows, mut to_send) = tokio::sync::mpsc::channel::<Arc<[Heard]>>(BACKLOG);
    let live = app.live.clone();
    let sending = tokio::spawn(async move {
        while let Some(window) = to_send.recv().await {
            live.send(window).await;
        }
    });
    loop {
        let mut window = Vec::new();
        tokio::select! {
            change = heard.recv() => match change {
                Ok(change) => window.push(change),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the live hub fell behind; some pages miss updates");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = shutdown.changed() => break,
        }
        let end = tokio::time::Instant::now() + WINDOW;
        while let Ok(Ok(change)) = tokio::time::timeout_at(end, heard.recv()).await {
            window.push(change);
        }
        match resolve(&app.db, window).await {
            Ok(events) if !events.is_empty() => {
                if windows.send(events.into_iter().map(Heard::from).collect()).await.is_err() {
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reading live changes failed; pages miss a window"),
        }
    }
    listening.abort();
    sending.abort();
}

async fn hear_other_instances(db: Db, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            heard = db.hear_changes() => match heard {
                Ok(()) => return,
                Err(e) => tracing::warn!(error = %e, "listening for other instances' changes failed; retrying"),
            },
            _ = shutdown.changed() => return,
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A window's changes as events: each post once, with its state as committed now. A post that
/// is gone or hidden by now sends nothing but `gone`, and only when it was removed.
async fn resolve(db: &Db, window: Vec<Change>) -> Result<Vec<LiveEvent>, DomainError> {
    let (mut liked, mut edited, mut removed) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut posted = Vec::new();
    for change in window {
        match change {
            Change::Liked(post) => {
                liked.insert(post);
            }
            Change::Edited(post) => {
                edited.insert(post);
            }
            Change::Removed(post) => {
                removed.insert(post);
            }
            Change::Posted { post, author } => posted.push((post, author)),
        }
    }
    let read: Vec<PostId> = liked.union(&edited).filter(|p| !removed.contains(p)).copied().collect();
    let current: HashMap<PostId, LivePost> =
        db.live_posts(&read).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut events = Vec::new();
    for (post_id, author_id) in posted {
        if !removed.contains(&post_id) {
            events.push(LiveEvent::NewPost { post_id, author_id });
        }
    }
    for post in read.iter().filter_map(|id| current.get(id)) {
        if liked.contains(&post.id) {
            events.push(LiveEvent::Likes { post_id: post.id, like_count: post.like_count });
        }
        if edited.contains(&post.id) {
            events.push(edited_event(post));
        }
    }
    events.extend(removed.into_iter().map(|post_id| LiveEvent::Gone { post_id }));
    Ok(events)
}

fn edited_event(post: &LivePost) -> LiveEvent {
    LiveEvent::Edited { post_id: post.id, body: post.body.clone(), edited_at: post.edited_at.unwrap_or(0) }
}

/// One page's stream: first what it missed, then each window's events for the posts it shows
/// and the new posts it may offer.
#[derive(Debug)]
pub struct LiveStream {
    pending: VecDeque<Heard>,
    windows: broadcast::Receiver<Arc<[Heard]>>,
    closing: watch::Receiver<bool>,
    /// The posts it follows, with the count it last sent of each.
    followed: HashMap<PostId, Option<i64>>,
    author: Option<UserId>,
    /// The newest post the page had: newer ones are announced, older ones are not new to it.
    /// `None`: the page offers no new posts (a single post's page).
    after: Option<PostId>,
}

impl LiveStream {
    /// The next event; `None` once this stream fell too far behind (or the server is stopping):
    /// the page reconnects and resynchronises.
    pub async fn next(&mut self) -> Option<Heard> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            let window = tokio::select! {
                window = self.windows.recv() => window.ok()?,
                _ = self.closing.changed() => return None,
            };
            for heard in window.iter() {
                if self.wants(&heard.event) {
                    self.pending.push_back(heard.clone());
                }
            }
        }
    }

    fn wants(&mut self, event: &LiveEvent) -> bool {
        match event {
            // A count the page has already (from a window that raced the snapshot, or a like
            // undone within a window) is not news.
            LiveEvent::Likes { post_id, like_count } => match self.followed.get_mut(post_id) {
                Some(last) if *last != Some(*like_count) => {
                    *last = Some(*like_count);
                    true
                }
                _ => false,
            },
            LiveEvent::Edited { post_id, .. } | LiveEvent::Gone { post_id } => {
                self.followed.contains_key(post_id)
            }
            LiveEvent::NewPost { post_id, author_id } => {
                // A post the page shows, or was offered already, is not new to it.
                let wanted = self.after.is_some_and(|after| *post_id > after)
                    && self.author.is_none_or(|author| author == *author_id)
                    && !self.followed.contains_key(post_id);
                // The page may show it next: its counts follow.
                if wanted && self.followed.len() < MAX_FOLLOWED {
                    self.followed.insert(*post_id, None);
                }
                wanted
            }
            LiveEvent::Synced { .. } => false,
        }
    }
}

impl Mublog {
    /// Ends every open stream, now and from now on (the server is stopping).
    pub fn end_live_streams(&self) {
        self.live.closing.send_replace(true);
    }

    /// Opens a stream for the page `query` describes. It first sends the current counts of its
    /// posts (and `gone` for those that went, or refuses: see [`Missing`]), their edits since
    /// `query.since`, the posts after `query.after`, and `synced`.
    pub async fn watch(&self, query: &LiveQuery, missing: Missing) -> Result<LiveStream, DomainError> {
        let posts = watched_posts(query.posts.as_deref())?;
        // Before reading: a change committed after the read is then heard, not lost in between.
        let windows = self.live.subscribe();
        let current: HashMap<PostId, LivePost> =
            self.db.live_posts(&posts).await?.into_iter().map(|p| (p.id, p)).collect();
        if missing == Missing::Refuse && current.len() < posts.len() {
            return Err(DomainError::NotFound("post"));
        }
        let mut pending = VecDeque::new();
        let mut followed = HashMap::with_capacity(posts.len());
        for post_id in &posts {
            followed.insert(*post_id, current.get(post_id).map(|post| post.like_count));
            match current.get(post_id) {
                Some(post) => {
                    pending
                        .push_back(LiveEvent::Likes { post_id: post.id, like_count: post.like_count }.into());
                    if query.since.is_some_and(|since| post.edited_at.is_some_and(|at| at >= since)) {
                        pending.push_back(edited_event(post).into());
                    }
                }
                None => pending.push_back(LiveEvent::Gone { post_id: *post_id }.into()),
            }
        }
        if let Some(after) = query.after {
            for (post_id, author_id) in self.db.posts_after(after, query.author, MISSED_POSTS).await? {
                followed.insert(post_id, None);
                pending.push_back(LiveEvent::NewPost { post_id, author_id }.into());
            }
        }
        pending.push_back(LiveEvent::Synced { now: now() }.into());
        let closing = self.live.closing.subscribe();
        Ok(LiveStream { pending, windows, closing, followed, author: query.author, after: query.after })
    }
}

impl Mublog {
    /// A stream of the posts published from now on (by `author`, if given), and nothing else.
    pub async fn watch_new_posts(&self, author: Option<UserId>) -> Result<LiveStream, DomainError> {
        let newest = self.db.list_posts(None, author, None, None, 1).await?;
        let after = newest.first().map_or(PostId(0), |post| post.head.id);
        let mut stream = self.watch(&LiveQuery { author, ..LiveQuery::default() }, Missing::Refuse).await?;
        stream.after = Some(after);
        Ok(stream)
    }
}

/// `1,2,3`: distinct post ids, at most [`MAX_WATCHED_POSTS`].
fn watched_posts(list: Option<&str>) -> Result<Vec<PostId>, FieldError> {
    let Some(list) = list.filter(|l| !l.is_empty()) else { return Ok(Vec::new()) };
    let mut posts = Vec::new();
    for id in list.split(',') {
        match id.parse::<i64>() {
            Ok(id) if id > 0 => posts.push(PostId(id)),
            _ => return Err(FieldError::new("posts", "List post ids as numbers separated by commas.")),
        }
    }
    posts.sort_unstable();
    posts.dedup();
    if posts.len() > MAX_WATCHED_POSTS {
        return Err(FieldError::new("posts", format!("Watch at most {MAX_WATCHED_POSTS} posts at once.")));
    }
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window with one post's like count.
    fn window(count: i64) -> Arc<[Heard]> {
        [LiveEvent::Likes { post_id: PostId(1), like_count: count }.into()].into()
    }

    /// A stream that falls more than [`BACKLOG`] windows behind ends (its page reconnects and
    /// resynchronises), and the windows it missed cost nothing more than the hub's own backlog.
    #[tokio::test]
    async fn a_reader_that_falls_behind_is_dropped_and_one_that_keeps_up_hears_each_count_once() {
        let s = crate::tests::Scratch::new().await;
        let mut stream = s.app.watch(&LiveQuery::posts(&[PostId(1)]), Missing::ReportGone).await.unwrap();
        for _ in 0..=BACKLOG {
            s.app.live.send(window(1)).await;
        }
        // What it had before falling behind, then the end.
        assert_eq!(stream.next().await.map(|h| h.event), Some(LiveEvent::Gone { post_id: PostId(1) }));
        assert!(matches!(stream.next().await.map(|h| h.event), Some(LiveEvent::Synced { .. })));
        assert_eq!(stream.next().await, None);

        let mut keeping_up = s.app.watch(&LiveQuery::posts(&[PostId(1)]), Missing::ReportGone).await.unwrap();
        keeping_up.pending.clear();
        for count in [2, 2, 3] {
            s.app.live.send(window(count)).await;
        }
        assert_eq!(
            keeping_up.next().await.map(|h| h.event),
            Some(LiveEvent::Likes { post_id: PostId(1), like_count: 2 })
        );
        // A count it sent already is not sent again.
        let heard = keeping_up.next().await.unwrap();
        assert_eq!(heard.event, LiveEvent::Likes { post_id: PostId(1), like_count: 3 });
        assert_eq!(&*heard.json, r#"{"type":"likes","post_id":1,"like_count":3}"#);
    }
}

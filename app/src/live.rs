//! Live updates on a page of posts. Each post card puts on its page's [`LiveBoard`] the signals
//! it already renders from (its like count, its text, whether it is gone); the page's stream
//! sets them as changes arrive. The stream (an `EventSource` on `/api/v1/events`), its
//! reconnecting, and what it shows above the list ("N new posts", "paused") are code loaded
//! after hydration (`cargo leptos build --split`): the first load carries only the board.
//! A reader's own liked state is never in the stream. Without JavaScript, or with the stream
//! blocked, the page is what the server rendered.

use leptos::html::Div;
use leptos::prelude::*;
use shared::{PostId, PostView, UserId};

/// The signals of one post card that the stream may set.
#[cfg_attr(
    not(any(feature = "hydrate", feature = "csr")),
    expect(dead_code, reason = "read by the stream, in the browser")
)]
#[derive(Clone, Copy)]
pub struct LiveCard {
    pub post: PostId,
    pub like_count: RwSignal<i64>,
    pub body: RwSignal<String>,
    pub edited: RwSignal<bool>,
    /// While its author edits the post here, an edit heard live leaves the text alone.
    pub editing: RwSignal<bool>,
    /// Deleted, or hidden by staff, since the page loaded.
    pub gone: RwSignal<bool>,
}

/// A list of posts (`PostList`'s state), where a live page offers new posts — by `author`
/// only, if set — behind an "N new posts" button, and shows them there when asked.
#[cfg_attr(
    not(any(feature = "hydrate", feature = "csr")),
    expect(dead_code, reason = "read by the stream, in the browser")
)]
#[derive(Clone, Copy)]
pub struct LiveList {
    pub author: Option<UserId>,
    pub posts: RwSignal<Vec<PostView>>,
    /// Posts created in this tab, above the rest.
    pub fresh: RwSignal<Vec<PostView>>,
    pub next: RwSignal<Option<String>>,
    pub now: RwSignal<i64>,
    pub problem: RwSignal<Option<String>>,
}

/// A live page: the cards on it, and a place above them for what its stream shows.
#[cfg_attr(
    not(any(feature = "hydrate", feature = "csr")),
    expect(dead_code, reason = "read by the stream, in the browser")
)]
#[derive(Clone, Copy)]
pub struct LiveBoard {
    /// The stream reopens to watch the posts shown when they change.
    cards: RwSignal<Vec<LiveCard>>,
    /// Where new posts go; none on a single post's page.
    list: Option<LiveList>,
    /// When the server rendered the page: the stream sends edits made since.
    rendered_at: i64,
    /// The list's banner ([`LiveBoard::banner`]).
    banner: NodeRef<Div>,
}

impl LiveBoard {
    /// Makes the page rendered at `rendered_at` live, for the cards under it: once hydrated, it
    /// follows the stream while it lives.
    pub fn provide(rendered_at: i64, list: Option<LiveList>) -> Self {
        let board = LiveBoard { cards: RwSignal::new(Vec::new()), list, rendered_at, banner: NodeRef::new() };
        provide_context(board);
        #[cfg(any(feature = "hydrate", feature = "csr"))]
        leptos::task::spawn_local_scoped(follow(board));
        board
    }

    /// Puts a card on the board of the page around it, if the page is live, until the card goes.
    pub fn add(card: LiveCard) {
        let Some(board) = use_context::<LiveBoard>() else { return };
        board.cards.update(|cards| cards.push(card));
        on_cleanup(move || {
            board.cards.try_update(|cards| cards.retain(|shown| shown.body != card.body));
        });
    }

    /// Above a list: whether live updates are paused, and the "N new posts" button. Static
    /// markup, hidden until the stream's code shows it (its first load then carries no view
    /// code for it).
    pub fn banner(self) -> impl IntoView {
        view! {
            <div class="live" node_ref=self.banner>
                <p class="live-paused" role="status" hidden>"Live updates paused. Reconnecting…"</p>
                <button class="new-posts" type="button" hidden></button>
            </div>
        }
    }
}

/// Loaded after hydration; runs under the page's owner.
#[cfg(any(feature = "hydrate", feature = "csr"))]
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn follow(board: LiveBoard) {
    stream::follow(board);
}

#[cfg(any(feature = "hydrate", feature = "csr"))]
mod stream {
    use super::{LiveBoard, LiveCard, LiveList};
    use crate::api::posts::list_posts;
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use shared::live::MAX_WATCHED_POSTS;
    use shared::{LiveEvent, LiveQuery, PostId, PostPage, PostQuery, PostView};
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};
    use std::time::Duration;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, EventSource, MessageEvent};

    const EVENTS: [&str; 5] = ["likes", "new_post", "edited", "gone", "synced"];
    const FIRST_RETRY: Duration = Duration::from_secs(1);
    const LAST_RETRY: Duration = Duration::from_secs(30);

    /// What the page has heard beyond its cards' signals. It outlives each connection.
    struct Heard {
        /// New posts not on the page yet.
        offered: Vec<PostId>,
        /// The server's time at the last `synced`: a reconnection asks for edits since then.
        since: i64,
        banner: Option<Banner>,
    }

    /// The list's banner ([`LiveBoard::banner`]), drawn here: the markup is static, so the
    /// first load has no view code for it.
    struct Banner {
        root: Element,
        paused: Element,
        new_posts: Element,
        _click: Closure<dyn FnMut()>,
    }

    impl Banner {
        fn find(board: LiveBoard, heard: Weak<RefCell<Heard>>) -> Option<Banner> {
            let root: Element = board.banner.get_untracked()?.into();
            let paused = root.query_selector(".live-paused").ok()??;
            let new_posts = root.query_selector(".new-posts").ok()??;
            let click = Closure::<dyn FnMut()>::new(move || {
                let (Some(heard), Some(list)) = (heard.upgrade(), board.list) else { return };
                let mut heard = heard.borrow_mut();
                heard.offered.clear();
                heard.show_offers();
                spawn_local(show_newest(list));
            });
            let _ = new_posts.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
            Some(Banner { root, paused, new_posts, _click: click })
        }
    }

    impl Heard {
        /// `connecting`, `live` or `paused`, as `data-live` (which styles and tests read).
        fn status(&self, status: &str) {
            if let Some(banner) = &self.banner {
                let _ = banner.root.set_attribute("data-live", status);
                let _ = banner.paused.toggle_attribute_with_force("hidden", status != "paused");
            }
        }

        fn show_offers(&self) {
            if let Some(banner) = &self.banner {
                let count = self.offered.len();
                let label = if count == 1 { "1 new post".to_owned() } else { format!("{count} new posts") };
                banner.new_posts.set_text_content(Some(&label));
                let _ = banner.new_posts.toggle_attribute_with_force("hidden", count == 0);
            }
        }
    }

    /// Opens the page's stream (reopening it when its posts change) and closes it when the
    /// page goes.
    pub fn follow(board: LiveBoard) {
        // The page went while this code loaded.
        if board.cards.try_with_untracked(|_| ()).is_none() {
            return;
        }
        let heard =
            Rc::new(RefCell::new(Heard { offered: Vec::new(), since: board.rendered_at, banner: None }));
        let open = StoredValue::new_local(None::<Connection>);
        Effect::new(move |_| {
            board.cards.track();
            if heard.borrow().banner.is_none() {
                let banner = Banner::find(board, Rc::downgrade(&heard));
                heard.borrow_mut().banner = banner;
            }
            // Replacing the previous connection closes it.
            open.set_value(Some(Connection::open(board, heard.clone())));
        });
        on_cleanup(move || {
            open.try_set_value(None);
        });
    }

    /// Shows the newest posts in place.
    async fn show_newest(list: LiveList) {
        match list_posts(PostQuery { author: list.author, ..PostQuery::default() }).await {
            Ok(newest) => {
                list.now.set(newest.now);
                put_on_top(newest, list);
            }
            Err(e) => list.problem.set(Some(e.message)),
        }
    }

    /// Puts the newest page's unseen posts on top. When even its oldest post is newer than
    /// everything shown (more arrived than a page holds), the list starts over from it.
    fn put_on_top(newest: PostPage, list: LiveList) {
        let top = list.posts.with_untracked(|p| p.first().map(|post| post.id));
        let mine: Vec<PostId> = list.fresh.with_untracked(|f| f.iter().map(|p| p.id).collect());
        let fetched = newest.posts.len();
        let unseen: Vec<PostView> = newest
            .posts
            .into_iter()
            .filter(|post| top.is_none_or(|top| post.id > top) && !mine.contains(&post.id))
            .collect();
        if newest.next_cursor.is_some() && unseen.len() == fetched {
            list.posts.set(unseen);
            list.next.set(newest.next_cursor);
        } else {
            list.posts.update(|p| {
                let mut shown = unseen;
                shown.append(p);
                *p = shown;
            });
        }
    }

    /// One open stream. After an error it waits (1 s, doubling to 30 s) and reopens, asking
    /// for what it missed; it reopens at once when the device comes back online. Dropping it
    /// closes everything.
    struct Connection {
        /// Kept for its `Drop`; the handlers hold only weak references.
        _open: Rc<RefCell<Inner>>,
    }

    struct Inner {
        board: LiveBoard,
        heard: Rc<RefCell<Heard>>,
        source: Option<(EventSource, Vec<Closure<dyn FnMut(MessageEvent)>>, Closure<dyn FnMut()>)>,
        retry: Duration,
        timer: Option<TimeoutHandle>,
        network: Vec<WindowListenerHandle>,
    }

    impl Connection {
        fn open(board: LiveBoard, heard: Rc<RefCell<Heard>>) -> Connection {
            heard.borrow().status("connecting");
            let inner = Rc::new(RefCell::new(Inner {
                board,
                heard,
                source: None,
                retry: FIRST_RETRY,
                timer: None,
                network: Vec::new(),
            }));
            let (back, gone) = (Rc::downgrade(&inner), Rc::downgrade(&inner));
            let online = window_event_listener(leptos::ev::online, move |_| {
                if let Some(inner) = back.upgrade() {
                    inner.borrow_mut().retry = FIRST_RETRY;
                    reopen(&inner);
                }
            });
            let offline = window_event_listener(leptos::ev::offline, move |_| {
                if let Some(inner) = gone.upgrade() {
                    let mut inner = inner.borrow_mut();
                    inner.close();
                    inner.heard.borrow().status("paused");
                }
            });
            inner.borrow_mut().network = vec![online, offline];
            reopen(&inner);
            Connection { _open: inner }
        }
    }

    impl Inner {
        fn close(&mut self) {
            if let Some((source, _, _)) = self.source.take() {
                source.close();
            }
            if let Some(timer) = self.timer.take() {
                timer.clear();
            }
        }
    }

    impl Drop for Inner {
        fn drop(&mut self) {
            self.close();
            for listener in self.network.drain(..) {
                listener.remove();
            }
        }
    }

    /// What the page watches: its posts (the newest [`MAX_WATCHED_POSTS`]), new posts after the
    /// newest of them (on a list), and edits since it last synced.
    fn watched(board: LiveBoard, since: i64) -> LiveQuery {
        let mut ids: Vec<PostId> = board.cards.with_untracked(|cards| cards.iter().map(|c| c.post).collect());
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.truncate(MAX_WATCHED_POSTS);
        let newest = ids.first().copied().unwrap_or(PostId(0));
        LiveQuery {
            after: board.list.map(|_| newest),
            author: board.list.and_then(|list| list.author),
            since: Some(since),
            ..LiveQuery::posts(&ids)
        }
    }

    /// Sets what `event` changed on the page.
    fn apply(board: LiveBoard, heard: &mut Heard, event: LiveEvent) {
        let cards = |post: PostId| -> Vec<LiveCard> {
            board.cards.with_untracked(|cards| cards.iter().filter(|c| c.post == post).copied().collect())
        };
        match event {
            LiveEvent::Likes { post_id, like_count } => {
                cards(post_id).iter().for_each(|card| card.like_count.set(like_count));
            }
            LiveEvent::Edited { post_id, body, .. } => {
                for card in cards(post_id).iter().filter(|card| !card.editing.get_untracked()) {
                    card.body.set(body.clone());
                    card.edited.set(true);
                }
            }
            LiveEvent::Gone { post_id } => {
                cards(post_id).iter().for_each(|card| card.gone.set(true));
                heard.offered.retain(|post| *post != post_id);
                heard.show_offers();
            }
            LiveEvent::NewPost { post_id, .. } => {
                if cards(post_id).is_empty() && !heard.offered.contains(&post_id) {
                    heard.offered.push(post_id);
                    heard.show_offers();
                }
            }
            LiveEvent::Synced { now } => {
                heard.since = now;
                heard.status("live");
            }
        }
    }

    fn reopen(inner: &Rc<RefCell<Inner>>) {
        let mut this = inner.borrow_mut();
        this.close();
        let since = this.heard.borrow().since;
        let url = format!(
            "{}/api/v1/events?{}",
            server_fn::client::get_server_url(),
            watched(this.board, since).to_query_string()
        );
        let Ok(source) = EventSource::new(&url) else { return lost(&mut this, Rc::downgrade(inner)) };
        let handlers: Vec<_> = EVENTS
            .iter()
            .map(|name| {
                let weak = Rc::downgrade(inner);
                let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                    let Some(inner) = weak.upgrade() else { return };
                    let Some(event) =
                        message.data().as_string().and_then(|d| shared::json::from_json(&d).ok())
                    else {
                        return;
                    };
                    let mut inner = inner.borrow_mut();
                    if matches!(event, LiveEvent::Synced { .. }) {
                        inner.retry = FIRST_RETRY;
                    }
                    apply(inner.board, &mut inner.heard.borrow_mut(), event);
                });
                let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
                handler
            })
            .collect();
        let weak = Rc::downgrade(inner);
        let on_error = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                let again = Rc::downgrade(&inner);
                lost(&mut inner.borrow_mut(), again);
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        this.source = Some((source, handlers, on_error));
    }

    /// The stream failed (or ended): pause, and try again later.
    fn lost(this: &mut Inner, inner: Weak<RefCell<Inner>>) {
        this.close();
        this.heard.borrow().status("paused");
        let wait = this.retry;
        this.retry = (this.retry * 2).min(LAST_RETRY);
        this.timer = set_timeout_with_handle(
            move || {
                if let Some(inner) = inner.upgrade() {
                    reopen(&inner);
                }
            },
            wait,
        )
        .ok();
    }
}

//! Live updates on a page of posts. What the stream says — counts, edits, removals, new posts —
//! lands in [`LivePage`]'s signals, which the post cards read; a reader's own liked state is
//! never in it. The stream (an `EventSource` on `/api/v1/events`) opens after hydration, from
//! code loaded on first use, so it costs the first load nothing. Without JavaScript, or with
//! the stream blocked, the page is what the server rendered.

use leptos::prelude::*;
use shared::{LiveEvent, LiveQuery, PostId};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Whether the page is hearing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Live,
    /// The connection dropped (or the device is offline); it retries with backoff.
    Paused,
}

impl Status {
    /// For `data-live`, which styles and tests read.
    pub fn name(self) -> &'static str {
        match self {
            Status::Connecting => "connecting",
            Status::Live => "live",
            Status::Paused => "paused",
        }
    }
}

/// What the stream has said about the page's posts.
#[derive(Clone, Copy)]
pub struct LivePage {
    counts: RwSignal<HashMap<PostId, i64>>,
    edits: RwSignal<HashMap<PostId, String>>,
    gone: RwSignal<HashSet<PostId>>,
    /// New posts the page may show (its "N new posts" button).
    pub offered: RwSignal<BTreeSet<PostId>>,
    pub status: RwSignal<Status>,
    /// The server's time at the last `synced`: a reconnection asks for edits since then.
    since: StoredValue<Option<i64>>,
}

impl LivePage {
    /// A page's live state, for the cards under it (see [`use_live_page`]).
    pub fn provide(rendered_at: i64) -> Self {
        let page = LivePage {
            counts: RwSignal::new(HashMap::new()),
            edits: RwSignal::new(HashMap::new()),
            gone: RwSignal::new(HashSet::new()),
            offered: RwSignal::new(BTreeSet::new()),
            status: RwSignal::new(Status::Connecting),
            since: StoredValue::new(Some(rendered_at)),
        };
        provide_context(page);
        page
    }

    /// The post's like count as last heard (tracked).
    pub fn count(&self, post: PostId) -> Option<i64> {
        self.counts.with(|counts| counts.get(&post).copied())
    }

    /// The post's text after an edit heard live (tracked).
    pub fn edit(&self, post: PostId) -> Option<String> {
        self.edits.with(|edits| edits.get(&post).cloned())
    }

    /// Whether the post was deleted or hidden since the page loaded (tracked).
    pub fn is_gone(&self, post: PostId) -> bool {
        self.gone.with(|gone| gone.contains(&post))
    }

    /// Takes in one event. `shown` tells whether a post is on the page already.
    #[cfg_attr(not(any(feature = "hydrate", feature = "csr")), expect(dead_code, reason = "browser only"))]
    fn heard(&self, event: LiveEvent, shown: impl Fn(PostId) -> bool) {
        match event {
            LiveEvent::Likes { post_id, like_count } => self.counts.update(|counts| {
                counts.insert(post_id, like_count);
            }),
            LiveEvent::Edited { post_id, body, .. } => self.edits.update(|edits| {
                edits.insert(post_id, body);
            }),
            LiveEvent::Gone { post_id } => {
                self.gone.update(|gone| {
                    gone.insert(post_id);
                });
                self.offered.update(|offered| {
                    offered.remove(&post_id);
                });
            }
            LiveEvent::NewPost { post_id, .. } if !shown(post_id) => self.offered.update(|offered| {
                offered.insert(post_id);
            }),
            LiveEvent::NewPost { .. } => {}
            LiveEvent::Synced { now } => {
                self.since.set_value(Some(now));
                self.status.set(Status::Live);
            }
        }
    }
}

/// The live state of the page around a component, if it has one.
pub fn use_live_page() -> Option<LivePage> {
    use_context::<LivePage>()
}

/// Keeps a stream open for `query` (reopened when it changes) while the page lives.
/// `shown` tells whether a post is on the page already.
pub fn follow(
    page: LivePage,
    query: impl Fn() -> LiveQuery + Send + Sync + 'static,
    shown: impl Fn(PostId) -> bool + Send + Sync + 'static,
) {
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        let shown = Callback::new(shown);
        let open = StoredValue::new_local(None::<stream::Connection>);
        Effect::new(move |_| {
            let query = query();
            leptos::task::spawn_local(async move {
                let connection = connect(page, query, shown).await;
                // Replacing the previous connection closes it.
                open.set_value(Some(connection.take()));
            });
        });
        on_cleanup(move || open.set_value(None));
    }
    #[cfg(not(any(feature = "hydrate", feature = "csr")))]
    let _ = (page, query, shown);
}

/// Loaded on first use (`cargo leptos build --split`).
#[cfg(any(feature = "hydrate", feature = "csr"))]
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn connect(
    page: LivePage,
    query: LiveQuery,
    shown: Callback<PostId, bool>,
) -> send_wrapper::SendWrapper<stream::Connection> {
    send_wrapper::SendWrapper::new(stream::Connection::open(page, query, shown))
}

#[cfg(any(feature = "hydrate", feature = "csr"))]
mod stream {
    use super::{LivePage, Status};
    use leptos::prelude::*;
    use shared::{LiveEvent, LiveQuery, PostId};
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};
    use std::time::Duration;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    const EVENTS: [&str; 5] = ["likes", "new_post", "edited", "gone", "synced"];
    const FIRST_RETRY: Duration = Duration::from_secs(1);
    const LAST_RETRY: Duration = Duration::from_secs(30);

    /// One page's stream. After an error it waits (1 s, doubling to 30 s) and reopens, asking
    /// for what it missed; it reopens at once when the device comes back online. Dropping it
    /// closes everything.
    pub struct Connection {
        /// Kept for its `Drop`; the handlers hold only weak references.
        _open: Rc<RefCell<Inner>>,
    }

    struct Inner {
        page: LivePage,
        query: LiveQuery,
        shown: Callback<PostId, bool>,
        source: Option<(EventSource, Vec<Closure<dyn FnMut(MessageEvent)>>, Closure<dyn FnMut()>)>,
        retry: Duration,
        timer: Option<TimeoutHandle>,
        network: Vec<WindowListenerHandle>,
    }

    impl Connection {
        pub fn open(page: LivePage, query: LiveQuery, shown: Callback<PostId, bool>) -> Connection {
            let inner = Rc::new(RefCell::new(Inner {
                page,
                query,
                shown,
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
                    inner.borrow_mut().close();
                    inner.borrow().page.status.set(Status::Paused);
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

    fn reopen(inner: &Rc<RefCell<Inner>>) {
        let mut this = inner.borrow_mut();
        this.close();
        let query = LiveQuery { since: this.page.since.get_value(), ..this.query.clone() };
        let url =
            format!("{}/api/v1/events?{}", server_fn::client::get_server_url(), query.to_query_string());
        let Ok(source) = EventSource::new(&url) else { return lost(&mut this, Rc::downgrade(inner)) };
        let handlers: Vec<_> = EVENTS
            .iter()
            .map(|name| {
                let weak = Rc::downgrade(inner);
                let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                    let Some(inner) = weak.upgrade() else { return };
                    let Some(event) = message.data().as_string().and_then(|d| serde_json::from_str(&d).ok())
                    else {
                        return;
                    };
                    if matches!(event, LiveEvent::Synced { .. }) {
                        inner.borrow_mut().retry = FIRST_RETRY;
                    }
                    let this = inner.borrow();
                    this.page.heard(event, |post| this.shown.run(post));
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
        this.page.status.set(Status::Paused);
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

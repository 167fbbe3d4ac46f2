use crate::api::posts::list_posts;
use crate::components::post_card::PostCard;
use crate::live::{self, LivePage, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::live::MAX_WATCHED_POSTS;
use shared::{LiveQuery, PostId, PostPage, PostQuery, PostView, UserId};

/// A page of posts with "Load more". The button is a real link to the next page, so it works
/// without JavaScript; once hydrated, it appends the next page in place instead. Once hydrated,
/// the list is also live: counts, edits and removals show as they happen, and new posts wait
/// behind an "N new posts" button at the top.
#[component]
pub fn PostList(
    page: PostPage,
    /// Restricts "Load more" to one author's posts.
    #[prop(optional)]
    author: Option<UserId>,
    /// Posts created in this tab, shown above the rest.
    #[prop(optional)]
    fresh: Option<RwSignal<Vec<PostView>>>,
) -> impl IntoView {
    let live = LivePage::provide(page.now);
    let posts = RwSignal::new(page.posts);
    let next = RwSignal::new(page.next_cursor);
    let now = RwSignal::new(page.now);
    let loading = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let fresh = fresh.unwrap_or_else(|| RwSignal::new(Vec::new()));
    let base = match author {
        Some(id) => format!("/u/{id}"),
        None => "/".to_owned(),
    };

    let load_more = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        spawn_local(async move {
            match list_posts(PostQuery { cursor: Some(cursor), author, ..PostQuery::default() }).await {
                Ok(more) => {
                    posts.update(|p| p.extend(more.posts));
                    next.set(more.next_cursor);
                    now.set(more.now);
                    problem.set(None);
                }
                Err(e) => problem.set(Some(e.message)),
            }
            loading.set(false);
        });
    };

    let shown = move |id: PostId| {
        let has = |list: &Vec<PostView>| list.iter().any(|post| post.id == id);
        fresh.with_untracked(has) || posts.with_untracked(has)
    };
    live::follow(live, move || watched(author, fresh, posts), shown);
    let show_new = move |_| {
        spawn_local(async move {
            match list_posts(PostQuery { author, ..PostQuery::default() }).await {
                Ok(newest) => {
                    now.set(newest.now);
                    show_newer(newest, posts, next, fresh);
                    live.offered.set(Default::default());
                }
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };

    let remove = move |list: RwSignal<Vec<PostView>>, id| list.update(|p| p.retain(|post| post.id != id));
    view! {
        <section class="posts" aria-label="Posts" data-live=move || live.status.get().name()>
            <Show when=move || live.status.get() == Status::Paused>
                <p class="live-paused" role="status">"Live updates paused. Reconnecting…"</p>
            </Show>
            {move || {
                let count = live.offered.with(|offered| offered.len());
                (count > 0).then(|| view! {
                    <button class="new-posts" on:click=show_new>
                        {if count == 1 { "1 new post".to_owned() } else { format!("{count} new posts") }}
                    </button>
                })
            }}
            <For each=move || fresh.get() key=|p| p.id let:post>
                {
                    let id = post.id;
                    view! { <PostCard post now=now.get_untracked() on_deleted=move |_| remove(fresh, id) /> }
                }
            </For>
            <For each=move || posts.get() key=|p| p.id let:post>
                {
                    let id = post.id;
                    view! { <PostCard post now=now.get_untracked() on_deleted=move |_| remove(posts, id) /> }
                }
            </For>
            <Show when=move || posts.with(Vec::is_empty) && fresh.with(Vec::is_empty)>
                <p class="empty">"No posts yet."</p>
            </Show>
            {move || problem.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || {
                let base = base.clone();
                next.get().map(|cursor| view! {
                    <a class="load-more" href=format!("{base}?cursor={cursor}") on:click=load_more>
                        {move || if loading.get() { "Loading…" } else { "Load more" }}
                    </a>
                })
            }}
        </section>
    }
}

/// What the list's stream watches: its posts (the newest [`MAX_WATCHED_POSTS`]), and new posts
/// (by `author` on an author's page) after the newest of them.
fn watched(
    author: Option<UserId>,
    fresh: RwSignal<Vec<PostView>>,
    posts: RwSignal<Vec<PostView>>,
) -> LiveQuery {
    let mut ids: Vec<PostId> = fresh.with(|f| f.iter().map(|p| p.id).collect());
    posts.with(|p| ids.extend(p.iter().map(|p| p.id)));
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.truncate(MAX_WATCHED_POSTS);
    LiveQuery { author, after: Some(ids.first().copied().unwrap_or(PostId(0))), ..LiveQuery::posts(&ids) }
}

/// Puts the newest page's unseen posts on top. When even its oldest post is newer than
/// everything shown (more arrived than a page holds), the list starts over from it.
fn show_newer(
    newest: PostPage,
    posts: RwSignal<Vec<PostView>>,
    next: RwSignal<Option<String>>,
    fresh: RwSignal<Vec<PostView>>,
) {
    let top = posts.with_untracked(|p| p.first().map(|post| post.id));
    let mine: Vec<PostId> = fresh.with_untracked(|f| f.iter().map(|p| p.id).collect());
    let fetched = newest.posts.len();
    let unseen: Vec<PostView> = newest
        .posts
        .into_iter()
        .filter(|post| top.is_none_or(|top| post.id > top) && !mine.contains(&post.id))
        .collect();
    if newest.next_cursor.is_some() && unseen.len() == fetched {
        posts.set(unseen);
        next.set(newest.next_cursor);
    } else {
        posts.update(|p| {
            let mut list = unseen;
            list.append(p);
            *p = list;
        });
    }
}

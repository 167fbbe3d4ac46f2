use crate::api::posts::list_posts;
use crate::components::post_card::PostCard;
use crate::live::{LiveBoard, LiveList};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ApiError, PostPage, PostQuery, PostView, UserId};

/// A page of posts with "Load more". The button is a real link to the next page, so it works
/// without JavaScript; once hydrated, it appends the next page in place instead. Once hydrated,
/// the list is also live: counts, edits and removals show as they happen, and new posts (by
/// `author`, if given) wait behind an "N new posts" button at the top.
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
    let posts = RwSignal::new(page.posts);
    let next = RwSignal::new(page.next_cursor);
    let now = RwSignal::new(page.now);
    let loading = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let fresh = fresh.unwrap_or_else(|| RwSignal::new(Vec::new()));
    let live = LiveBoard::provide(page.now, Some(LiveList { author, posts, fresh, next, now, problem }));
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
            match more_posts(PostQuery { cursor: Some(cursor), author, ..PostQuery::default() }).await {
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

    let remove = move |list: RwSignal<Vec<PostView>>, id| list.update(|p| p.retain(|post| post.id != id));
    view! {
        <section class="posts" aria-label="Posts">
            {live.banner()}
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

/// The next page, loaded on the first "Load more" (`cargo leptos build --split`).
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn more_posts(query: PostQuery) -> Result<PostPage, ApiError> {
    list_posts(query).await
}

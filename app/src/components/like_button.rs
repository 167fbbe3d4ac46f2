use crate::api::posts::set_like;
use crate::session::{use_session, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ApiError, LikeState, PostId};

/// `<button aria-pressed>` with the count. The server renders the viewer's state; after
/// hydration a click flips it at once and rolls back, with the reason, if the server refuses.
/// `count` is the card's, which live updates set too.
#[component]
pub fn LikeButton(post_id: PostId, liked: bool, count: RwSignal<i64>) -> impl IntoView {
    let session = use_session();
    let liked = RwSignal::new(liked);
    let pending = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let needs_sign_in = RwSignal::new(false);

    let toggle = move |_| {
        if pending.get_untracked() {
            return;
        }
        if session.user_untracked().is_none() {
            needs_sign_in.set(true);
            return;
        }
        let (was_liked, was_count) = (liked.get_untracked(), count.get_untracked());
        let want = !was_liked;
        liked.set(want);
        count.set(was_count + if want { 1 } else { -1 });
        problem.set(None);
        pending.set(true);
        spawn_local(async move {
            match like_as(session, post_id, want).await {
                Ok(state) => {
                    liked.set(state.liked);
                    count.set(state.like_count);
                }
                Err(e) => {
                    liked.set(was_liked);
                    count.set(was_count);
                    problem.set(Some(e.message));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <button
            class="like"
            aria-pressed=move || liked.get().to_string()
            aria-label=move || if liked.get() { "Unlike" } else { "Like" }
            on:click=toggle
        >
            <span aria-hidden="true">"♥"</span>
            " "
            <span class="count">{count}</span>
        </button>
        {move || needs_sign_in.get().then(|| view! {
            <span class="notice" role="status">
                <a href="/login">"Sign in"</a>" to like posts."
            </span>
        })}
        {move || problem.get().map(|message| view! { <span class="error" role="alert">{message}</span> })}
    }
}

/// The request, loaded on the first click (`cargo leptos build --split`): the count has
/// already flipped by then, so the reader does not wait for it.
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn like_as(session: Session, post_id: PostId, liked: bool) -> Result<LikeState, ApiError> {
    session.authed(|| set_like(post_id, liked)).await
}

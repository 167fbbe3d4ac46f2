use crate::api::posts::{delete_post, edit_post};
use crate::components::like_button::LikeButton;
use crate::live::{LiveBoard, LiveCard};
use crate::session::{use_session, Session};
use crate::when;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ApiError, PostId, PostImage, PostView};

/// One post: author, age, body, likes, and — for its author — edit and delete.
/// `on_deleted` lets the surrounding list or page react when the post goes away. On a live page,
/// its count and text follow what others do; a post deleted or hidden elsewhere stays in place,
/// marked gone, so nothing moves under the reader.
#[component]
pub fn PostCard(post: PostView, now: i64, #[prop(into)] on_deleted: Callback<()>) -> impl IntoView {
    let session = use_session();
    let body = RwSignal::new(post.body.clone());
    let edited = RwSignal::new(post.edited_at.is_some());
    let editing = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let (id, author) = (post.id, post.author.id);
    let like_count = RwSignal::new(post.like_count);
    let gone = RwSignal::new(false);
    LiveBoard::add(LiveCard { post: id, like_count, body, edited, editing, gone });
    let is_mine = move || session.user_id() == Some(author);

    let delete = move |_| {
        spawn_local(async move {
            match delete_post_as(session, id).await {
                Ok(()) => on_deleted.run(()),
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    // The editor's code arrives before it opens, so it opens at once.
    let edit = move |_| {
        spawn_local(async move {
            preload_post_editor().await;
            editing.set(true);
        });
    };

    view! {
        <article class="post" class:gone=gone data-post-id=id.0>
            <header>
                <a class="author" href=format!("/u/{}", post.author.handle)>{post.author.display_name.clone()}</a>
                " · "
                <a class="permalink" href=format!("/posts/{id}")>
                    <time datetime=when::iso(post.created_at) title=when::absolute(post.created_at)>
                        {when::age(post.created_at, now)}
                    </time>
                </a>
                {move || edited.get().then(|| view! { <span class="edited">" · edited"</span> })}
            </header>
            <Show
                when=move || editing.get()
                fallback=move || view! { <p class="body">{move || body.get()}</p> }
            >
                {move || Suspend::new(post_editor(id, body, editing, edited))}
            </Show>
            {post.image.clone().map(|image| view! { <PostPicture image /> })}
            <footer>
                <LikeButton post_id=id liked=post.liked count=like_count />
                {move || is_mine().then(|| view! {
                    <button class="link" on:click=edit>"Edit"</button>
                    <button class="link danger" on:click=delete>"Delete"</button>
                })}
                {move || problem.get().map(|m| view! { <span class="error" role="alert">{m}</span> })}
            </footer>
        </article>
    }
}

/// Only authors edit and delete, and only now and then: both load their code on first use
/// (`cargo leptos build --split`), so it is not in every reader's first load.
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn post_editor(
    id: PostId,
    body: RwSignal<String>,
    editing: RwSignal<bool>,
    edited: RwSignal<bool>,
) -> AnyView {
    view! { <PostEditor id body editing edited /> }.into_any()
}

async fn preload_post_editor() {
    #[cfg(all(feature = "hydrate", not(feature = "csr")))]
    __preload_post_editor().await;
}

#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn delete_post_as(session: Session, id: PostId) -> Result<(), ApiError> {
    session.authed(|| delete_post(id)).await
}

/// Inline editor for a post's body.
#[component]
fn PostEditor(
    id: PostId,
    body: RwSignal<String>,
    editing: RwSignal<bool>,
    edited: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let draft = RwSignal::new(body.get_untracked());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        let Some(text) = super::submitted_post(&ev, draft, problem) else {
            return;
        };
        spawn_local(async move {
            match session.authed(|| edit_post(id, text.clone())).await {
                Ok(post) => {
                    body.set(post.body);
                    edited.set(true);
                    editing.set(false);
                }
                Err(e) => problem.set(Some(e.field("body").unwrap_or(&e.message).to_owned())),
            }
        });
    };
    view! {
        <form class="editor" method="post" on:submit=save>
            <textarea aria-label="Edit post" bind:value=draft maxlength="2000"></textarea>
            {move || problem.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <button type="submit">"Save"</button>
            <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
        </form>
    }
}

/// A post's picture. Width and height are always set, so nothing shifts while it loads;
/// smaller sizes come through `srcset` once the background job has rendered them, and a
/// placeholder of the same shape stands in until then.
#[component]
fn PostPicture(image: PostImage) -> impl IntoView {
    if !image.ready {
        // An SVG with the picture's viewBox keeps its shape without inline styles (the CSP
        // forbids them).
        let view_box = format!("0 0 {} {}", image.width.max(1), image.height.max(1));
        return view! {
            <svg class="picture placeholder" viewBox=view_box role="img" aria-label="Picture being prepared"></svg>
        }
        .into_any();
    }
    // The Trunk build runs on another origin than the server that stores the pictures.
    let server = server_fn::client::get_server_url();
    let srcset = image
        .sizes
        .iter()
        .map(|s| format!("{server}{} {}w", s.url, s.width))
        .chain(std::iter::once(format!("{server}{} {}w", image.url, image.width)))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <img
            class="picture"
            src=format!("{server}{}", image.url)
            srcset=srcset
            sizes="(max-width: 40rem) 100vw, 40rem"
            width=image.width
            height=image.height
            loading="lazy"
            decoding="async"
            alt=""
        />
    }
    .into_any()
}

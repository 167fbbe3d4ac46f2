use crate::api::posts::create_post;
use crate::session::use_session;
use crate::upload::post_with_picture;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::validate::POST_MAX_CHARS;
use shared::PostView;

/// The composer, as a chunk of its own in a split build (`--split`): readers who cannot post
/// never download it, nor the upload code behind it. The Trunk build (`csr`) cannot split.
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
pub async fn lazy_composer(fresh: RwSignal<Vec<PostView>>) -> AnyView {
    view! { <Composer fresh /> }.into_any()
}

/// Loads the composer's chunk. A `Suspend` that is still waiting when the page hydrates cannot
/// take over the server's HTML, so the browser entry point calls this first on a page whose
/// HTML has a composer (`form.composer`); `lazy_composer` is then ready at once.
#[cfg(feature = "hydrate")]
pub async fn preload() {
    #[cfg(not(feature = "csr"))]
    __preload_lazy_composer().await;
}

/// Pictures over this many bytes are refused before they are sent.
const MAX_PICTURE_BYTES: f64 = 10.0 * 1024.0 * 1024.0;

/// The "what's happening" box, with an optional picture. Checks length (and the picture's
/// size) as you go; the server checks again and decides. A picture upload shows its progress.
#[component]
fn Composer(fresh: RwSignal<Vec<PostView>>) -> impl IntoView {
    let session = use_session();
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let progress = RwSignal::new(None::<f64>);
    let picture: NodeRef<Input> = NodeRef::new();
    let left = move || POST_MAX_CHARS as i64 - draft.with(|d| d.trim().chars().count()) as i64;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(text) = super::submitted_post(&ev, draft, problem) else {
            return;
        };
        let file = picture.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        if file.as_ref().is_some_and(|f| f.size() > MAX_PICTURE_BYTES) {
            problem.set(Some("Pictures are limited to 10 MB.".into()));
            return;
        }
        sending.set(true);
        spawn_local(async move {
            let result = match file {
                Some(file) => {
                    progress.set(Some(0.0));
                    let report = move |done: f64| progress.set(Some(done));
                    session.authed(|| post_with_picture(text.clone(), file.clone(), report)).await
                }
                None => session.authed(|| create_post(text.clone())).await,
            };
            match result {
                Ok(post) => {
                    fresh.update(|p| p.insert(0, post));
                    draft.set(String::new());
                    problem.set(None);
                    if let Some(input) = picture.get_untracked() {
                        input.set_value("");
                    }
                }
                Err(e) => {
                    let message = e.field("body").or(e.field("image")).unwrap_or(&e.message).to_owned();
                    problem.set(Some(message));
                }
            }
            progress.set(None);
            sending.set(false);
        });
    };

    view! {
        <form class="composer" method="post" on:submit=submit>
            <label for="new-post" class="visually-hidden">"New post"</label>
            <textarea
                id="new-post"
                name="body"
                placeholder="What's happening?"
                bind:value=draft
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby="new-post-error"
            ></textarea>
            <div class="composer-bar">
                <label class="attach">
                    "Add a picture"
                    <input type="file" name="image" accept="image/jpeg,image/png,image/webp,image/gif" node_ref=picture />
                </label>
                <span class="counter" class:over=move || left() < 0>{left}</span>
                <button type="submit" disabled=move || sending.get()>"Post"</button>
            </div>
            {move || progress.get().map(|p| view! {
                <progress class="upload" max="1" value=p.to_string() aria-label="Upload progress"></progress>
            })}
            <p id="new-post-error" class="error" role="alert">{move || problem.get()}</p>
        </form>
    }
}

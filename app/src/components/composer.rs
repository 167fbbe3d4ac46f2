use crate::api::posts::create_post;
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::validate::{self, POST_MAX_CHARS};
use shared::PostView;

/// The "what's happening" box. Checks length as you type; the server checks again and decides.
#[component]
pub fn Composer(fresh: RwSignal<Vec<PostView>>) -> impl IntoView {
    let session = use_session();
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let left = move || POST_MAX_CHARS as i64 - draft.with(|d| d.trim().chars().count()) as i64;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        if let Err(e) = validate::post_body(&text) {
            problem.set(Some(e.message));
            return;
        }
        sending.set(true);
        spawn_local(async move {
            match session.authed(|| create_post(text.clone())).await {
                Ok(post) => {
                    fresh.update(|p| p.insert(0, post));
                    draft.set(String::new());
                    problem.set(None);
                }
                Err(e) => problem.set(Some(e.field("body").unwrap_or(&e.message).to_owned())),
            }
            sending.set(false);
        });
    };

    view! {
        <form class="composer" on:submit=submit>
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
                <span class="counter" class:over=move || left() < 0>{left}</span>
                <button type="submit" disabled=move || sending.get()>"Post"</button>
            </div>
            <p id="new-post-error" class="error" role="alert">{move || problem.get()}</p>
        </form>
    }
}

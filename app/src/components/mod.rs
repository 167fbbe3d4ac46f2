pub mod composer;
pub mod install_button;
pub mod like_button;
pub mod nav;
pub mod post_card;
pub mod post_list;
pub mod theme_toggle;
pub mod verify_banner;

use leptos::prelude::*;

/// A post form's submit: stops the browser's own post and checks the draft as the server will.
/// A draft the server would refuse is not sent; `problem` says why.
fn submitted_post(
    ev: &leptos::ev::SubmitEvent,
    draft: RwSignal<String>,
    problem: RwSignal<Option<String>>,
) -> Option<String> {
    ev.prevent_default();
    let text = draft.get_untracked();
    match shared::validate::post_body(&text) {
        Ok(_) => Some(text),
        Err(e) => {
            problem.set(Some(e.message));
            None
        }
    }
}

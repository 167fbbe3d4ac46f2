use super::account_form::AccountForm;
use crate::api::auth::reset_password;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::validate::PASSWORD_MIN_CHARS;
use shared::ResetPasswordRequest;

/// `/reset/{token}`: the link from the reset email. A new password signs out every device.
#[component]
pub fn ResetPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let params = use_params_map();
    let password = RwSignal::new(String::new());
    let action = move || format!("/reset/{}", params.read().get("token").unwrap_or_default());
    let form = AccountForm::new(reset_password, move |()| {
        session.signed_out();
        navigate("/login?reset=1", Default::default());
    });
    let submit = form.on_submit(move || ResetPasswordRequest {
        token: params.read_untracked().get("token").unwrap_or_default(),
        password: password.get_untracked(),
    });

    view! {
        <Title text="Choose a new password" />
        <form class="auth" method="post" action=action on:submit=submit>
            <h1>"Choose a new password"</h1>
            <label>"New password " <small>{format!("(at least {PASSWORD_MIN_CHARS} characters)")}</small>
                <input type="password" name="password" autocomplete="new-password" required bind:value=password />
            </label>
            <p class="error" role="alert">
                {move || form.problem.get().map(|e| {
                    e.field("password").or(e.field("token")).unwrap_or(&e.message).to_owned()
                })}
            </p>
            <button type="submit" disabled=form.busy()>"Set the new password"</button>
            <p><a href="/forgot">"Ask for a new link"</a></p>
        </form>
    }
}

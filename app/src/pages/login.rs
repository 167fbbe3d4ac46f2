use super::account_form::AccountForm;
use crate::api::auth::login;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::LoginRequest;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let just_registered = query.read_untracked().get("registered").is_some();
    let just_reset = query.read_untracked().get("reset").is_some();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = AccountForm::new(login, move |auth| {
        session.signed_in(auth);
        navigate("/", Default::default());
    });
    let submit = form
        .on_submit(move || LoginRequest { email: email.get_untracked(), password: password.get_untracked() });

    view! {
        <Title text="Sign in" />
        // Posts to the server itself until the page is hydrated (see `server/src/forms.rs`).
        <form class="auth" method="post" action="/login" on:submit=submit>
            <h1>"Sign in"</h1>
            <Show when=move || just_registered>
                <p class="notice" role="status">
                    "Check your inbox: we have sent you a link to confirm your email address. "
                    "You can sign in meanwhile; posting and liking wait for the confirmation."
                </p>
            </Show>
            <Show when=move || just_reset>
                <p class="notice" role="status">"Your password is changed and every device is signed out. Sign in with the new password."</p>
            </Show>
            <label>"Email"
                <input type="email" name="email" autocomplete="username" required bind:value=email />
            </label>
            <label>"Password"
                <input type="password" name="password" autocomplete="current-password" required bind:value=password />
            </label>
            <p class="error" role="alert">{move || form.problem.get().map(|e| e.message)}</p>
            <button type="submit" disabled=form.busy()>"Sign in"</button>
            <p><a href="/forgot">"Forgot your password?"</a></p>
            <p>"New here? " <a href="/register">"Create an account"</a></p>
        </form>
    }
}

use super::account_form::AccountForm;
use crate::api::auth::forgot_password;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::ForgotPasswordRequest;

/// `/forgot`: asks for a reset link. The answer never says whether the address has an account.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let query = use_query_map();
    // `?sent=1`: the form was posted without JavaScript and the server accepted it.
    let sent = RwSignal::new(query.read_untracked().get("sent").map(|_| shared::RESET_SENT.to_owned()));
    let form = AccountForm::new(forgot_password, move |accepted| sent.set(Some(accepted.message)));
    let submit = form.on_submit(move || ForgotPasswordRequest { email: email.get_untracked() });

    view! {
        <Title text="Forgot your password" />
        <form class="auth" method="post" action="/forgot" on:submit=submit>
            <h1>"Forgot your password?"</h1>
            <p>"Enter your email address and we will send you a link to choose a new password."</p>
            <label>"Email"
                <input type="email" name="email" autocomplete="username" required bind:value=email />
            </label>
            <p class="error" role="alert">{move || form.problem.get().map(|e| e.field("email").unwrap_or(&e.message).to_owned())}</p>
            <p class="notice" role="status">{move || sent.get()}</p>
            <button type="submit" disabled=form.busy()>"Send the link"</button>
            <p><a href="/login">"Back to sign in"</a></p>
        </form>
    }
}

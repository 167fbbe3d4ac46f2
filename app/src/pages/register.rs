use super::account_form::AccountForm;
use crate::api::auth::register;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use shared::validate::PASSWORD_MIN_CHARS;
use shared::RegisterRequest;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let form = AccountForm::new(register, move |_| navigate("/login?registered=1", Default::default()));
    let field = move |name: &'static str| form.field(name);
    let submit = form.on_submit(move || {
        let name = display_name.get_untracked();
        RegisterRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            display_name: (!name.trim().is_empty()).then_some(name),
        }
    });

    view! {
        <Title text="Create an account" />
        <form class="auth" method="post" action="/register" on:submit=submit>
            <h1>"Create an account"</h1>
            <label>"Email"
                <input type="email" name="email" autocomplete="username" required bind:value=email />
            </label>
            <p class="error">{field("email")}</p>
            <label>"Display name " <small>"(optional)"</small>
                <input type="text" name="display_name" autocomplete="nickname" bind:value=display_name />
            </label>
            <p class="error">{field("display_name")}</p>
            <label>"Password " <small>{format!("(at least {PASSWORD_MIN_CHARS} characters)")}</small>
                <input type="password" name="password" autocomplete="new-password" required bind:value=password />
            </label>
            <p class="error">{field("password")}</p>
            <p class="error" role="alert">
                {move || form.problem.get().filter(|e| e.fields.is_empty()).map(|e| e.message)}
            </p>
            <button type="submit" disabled=form.busy()>"Create account"</button>
            <p>"Already have one? " <a href="/login">"Sign in"</a></p>
        </form>
    }
}

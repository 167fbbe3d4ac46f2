use crate::api::auth::register;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::validate::PASSWORD_MIN_CHARS;
use shared::RegisterRequest;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let problem = RwSignal::new(super::form_post_error(&use_query_map().read_untracked()));
    let busy = RwSignal::new(false);
    let field = move |name: &'static str| super::field_error(problem, name);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = display_name.get_untracked();
        let req = RegisterRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            display_name: (!name.trim().is_empty()).then_some(name),
        };
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            match register(req).await {
                Ok(_) => navigate("/login?registered=1", Default::default()),
                Err(e) => problem.set(Some(e)),
            }
            busy.set(false);
        });
    };

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
                {move || problem.get().filter(|e| e.fields.is_empty()).map(|e| e.message)}
            </p>
            <button type="submit" disabled=move || busy.get()>"Create account"</button>
            <p>"Already have one? " <a href="/login">"Sign in"</a></p>
        </form>
    }
}

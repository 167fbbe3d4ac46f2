use crate::api::auth::verify_email;
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::{ApiError, Me, VerifyEmailRequest};

/// `/verify/{token}`: the link from the verification email. The token is confirmed from the
/// browser with a POST, so a mail scanner that merely fetches the link cannot spend it.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let outcome = RwSignal::new(None::<Result<Me, ApiError>>);
    Effect::new(move |_| {
        let token = params.read_untracked().get("token").unwrap_or_default();
        spawn_local(async move {
            let result = verify_email(VerifyEmailRequest { token }).await;
            if let Ok(me) = &result {
                if session.user_untracked().is_some_and(|signed_in| signed_in.id == me.id) {
                    session.updated(me.clone());
                }
            }
            outcome.set(Some(result));
        });
    });

    view! {
        <Title text="Confirm your email" />
        <section class="auth">
            <h1>"Confirm your email"</h1>
            {move || match outcome.get() {
                None => view! { <p class="loading" role="status">"Confirming…"</p> }.into_any(),
                Some(Ok(_)) => view! {
                    <p class="notice" role="status">"Thank you! Your email address is confirmed."</p>
                    <p><a href="/">"Go to the feed"</a></p>
                }.into_any(),
                Some(Err(e)) => view! {
                    <p class="error" role="alert">{e.field("token").unwrap_or(&e.message).to_owned()}</p>
                    <p><a href="/">"Back to the feed"</a></p>
                }.into_any(),
            }}
        </section>
    }
}

use crate::api::auth::resend_verification;
use crate::session::{use_session, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Asks for another confirmation link; what the server said, in words. Few readers ever need
/// it, so its code loads on first use (`cargo leptos build --split`).
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn resend_link(session: Session) -> String {
    match session.authed(resend_verification).await {
        Ok(accepted) => accepted.message,
        Err(e) => e.message,
    }
}

/// For a signed-in account whose email is not confirmed: why posting and liking are off, and
/// a (rate-limited) way to get the link again.
#[component]
pub fn VerifyBanner() -> impl IntoView {
    let session = use_session();
    let status = RwSignal::new(None::<String>);
    let resend = move |_| {
        spawn_local(async move {
            status.set(Some(resend_link(session).await));
        });
    };
    // Inside Suspense: the session comes from a resource the server resolves first.
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let _ = session.initial.await;
                view! {
                    <Show when=move || session.user().is_some_and(|me| !me.email_verified)>
                        <aside class="banner" role="note">
                            <p>
                                "Confirm your email address to post and like: open the link we sent to "
                                <strong>{move || session.user().map(|me| me.email)}</strong> ". "
                                <button class="link" on:click=resend>"Send the link again"</button>
                            </p>
                            <p class="notice" role="status">{move || status.get()}</p>
                        </aside>
                    </Show>
                }
            })}
        </Suspense>
    }
}

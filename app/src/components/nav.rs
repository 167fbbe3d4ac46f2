use crate::components::install_button::InstallButton;
use crate::components::theme_toggle::ThemeToggle;
use crate::session::{use_session, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// The top bar: the brand, and who is signed in.
#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    let sign_out = move |_| {
        spawn_local(async move {
            // Whatever the server said, this tab has forgotten its token; reload so every
            // server-rendered like button is the anonymous one again.
            sign_out_of(session).await;
            let _ = window().location().assign("/");
        });
    };

    view! {
        <header class="top">
            <A href="/" attr:class="brand">"μblog"</A>
            <nav aria-label="Account">
                <InstallButton />
                <ThemeToggle />
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let _ = session.initial.await;
                        view! {
                            {move || match session.user() {
                                Some(me) => view! {
                                    <A href=format!("/u/{}", me.handle) attr:class="me">{me.display_name}</A>
                                    {me.staff.then(|| view! { <A href="/admin">"Admin"</A> })}
                                    <A href="/settings">"Settings"</A>
                                    {if me.proxied {
                                        // The proxy's session ends at the proxy (the server
                                        // sends this there): a page load, not a route.
                                        view! { <a href="/logout" rel="external">"Sign out"</a> }.into_any()
                                    } else {
                                        view! { <button class="link" on:click=sign_out>"Sign out"</button> }.into_any()
                                    }}
                                }.into_any(),
                                None => view! {
                                    <A href="/login">"Sign in"</A>
                                    <A href="/register">"Register"</A>
                                }.into_any(),
                            }}
                        }
                    })}
                </Suspense>
            </nav>
        </header>
    }
}

/// Loaded on the click (`cargo leptos build --split`).
#[cfg_attr(not(feature = "csr"), leptos::lazy)]
async fn sign_out_of(session: Session) {
    let _ = session.logout().await;
}

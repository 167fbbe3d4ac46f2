use leptos::prelude::*;
use leptos_meta::Title;

/// `/offline`: what the service worker shows for a page it cannot fetch and has not stored.
#[component]
pub fn OfflinePage() -> impl IntoView {
    view! {
        <Title text="Offline" />
        <section class="problem">
            <h1>"You are offline"</h1>
            <p>"mublog cannot reach the server. Pages you have opened before still work; try again when you are back online."</p>
            <p><a href="/">"Try the feed"</a></p>
        </section>
    }
}

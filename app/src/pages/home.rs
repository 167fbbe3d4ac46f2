use crate::api::posts::list_posts;
use crate::api::resource::load;
use crate::components::{composer::lazy_composer, post_list::PostList};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::PostQuery;

/// `/`: the feed, newest first. `?cursor=` starts further down (the no-JavaScript "Load more").
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let page = load(
        move || query.read().get("cursor"),
        |cursor| list_posts(PostQuery { cursor, ..PostQuery::default() }),
    );
    let fresh = RwSignal::new(Vec::new());

    view! {
        <Title text="" />
        <h1 class="visually-hidden">"Feed"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                super::build_once_on_server().await;
                let _ = session.initial.await;
                match page.await {
                    Ok(page) => view! {
                        <Show when=move || session.user().is_some_and(|me| me.email_verified)>
                            {move || Suspend::new(lazy_composer(fresh))}
                        </Show>
                        <PostList page fresh />
                    }.into_any(),
                    Err(e) => super::load_error(e),
                }
            })}
        </Suspense>
    }
}

use crate::api::posts::get_author_page;
use crate::api::resource::load;
use crate::components::post_list::PostList;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::{ApiError, ErrorCode};

/// `/u/{handle}` (or `/u/{id}`): an author and their posts.
#[component]
pub fn AuthorPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let query = use_query_map();
    let page = load(
        move || (params.read().get("handle"), query.read().get("cursor")),
        |(handle, cursor)| async move {
            match handle {
                Some(handle) => get_author_page(handle, cursor).await,
                None => Err(ApiError::new(ErrorCode::NotFound, "That user does not exist.")),
            }
        },
    );

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                super::build_once_on_server().await;
                let _ = session.initial.await;
                match page.await {
                    Ok(page) => {
                        let name = page.author.display_name.clone();
                        view! {
                            <Title text=name.clone() />
                            <h1 class="author-name">{name}</h1>
                            <p class="handle">"@" {page.author.handle.clone()}</p>
                            <PostList page=page.posts author=page.author.id />
                        }.into_any()
                    }
                    Err(e) => super::load_error(e),
                }
            })}
        </Suspense>
    }
}

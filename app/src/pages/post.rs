use crate::api::posts::get_post;
use crate::api::resource::load;
use crate::components::post_card::PostCard;
use crate::live::LiveBoard;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{ApiError, ErrorCode, PostId};

/// `/posts/{id}`: one post.
#[component]
pub fn PostPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let post = load(
        move || params.read().get("id").and_then(|id| id.parse::<PostId>().ok()),
        |id| async move {
            match id {
                Some(id) => get_post(id).await,
                None => Err(ApiError::new(ErrorCode::NotFound, "That post does not exist.")),
            }
        },
    );
    let navigate = use_navigate();

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let navigate = navigate.clone();
                Suspend::new(async move {
                    super::build_once_on_server().await;
                    let _ = session.initial.await;
                    match post.await {
                        Ok(detail) => {
                            // Live: its count, an edit, its removal; no new posts here.
                            LiveBoard::provide(detail.now, None);
                            view! {
                                <Title text=format!("{}'s post", detail.post.author.display_name) />
                                <PostCard
                                    post=detail.post
                                    now=detail.now
                                    on_deleted=move |_| navigate("/", Default::default())
                                />
                            }
                            .into_any()
                        }
                        Err(e) => super::load_error(e),
                    }
                })
            }}
        </Suspense>
    }
}

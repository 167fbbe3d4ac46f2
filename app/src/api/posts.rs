//! `/api/posts/*`: the feed, single posts, author pages, and the mutations on them.

use crate::client::AuthClient;
use leptos::prelude::*;
use shared::json::Json;
use shared::{ApiError, AuthorPage, LikeState, PostDetail, PostId, PostPage, PostQuery, PostView};

#[cfg(feature = "ssr")]
use super::request::*;

#[server(endpoint = "posts/list", input = Json, output = Json, client = AuthClient)]
pub async fn list_posts(#[server(flatten)] query: PostQuery) -> Result<PostPage, ApiError> {
    let viewer = viewer().await?;
    Ok(mublog()?.list_posts(viewer, &query).await?)
}

#[server(endpoint = "posts/get", input = Json, output = Json, client = AuthClient)]
pub async fn get_post(id: PostId) -> Result<PostDetail, ApiError> {
    let viewer = viewer().await?;
    let post = mublog()?.post(viewer, id).await?;
    Ok(PostDetail { post, now: domain::now() })
}

/// An author's page; `author` is a handle or a numeric id.
#[server(endpoint = "posts/author", input = Json, output = Json, client = AuthClient)]
pub async fn get_author_page(
    author: String,
    #[server(default)] cursor: Option<String>,
) -> Result<AuthorPage, ApiError> {
    let viewer = viewer().await?;
    let query = PostQuery { cursor, ..PostQuery::default() };
    Ok(mublog()?.author_page(viewer, &author, query).await?)
}

#[server(endpoint = "posts/create", input = Json, output = Json, client = AuthClient)]
pub async fn create_post(body: String) -> Result<PostView, ApiError> {
    let caller = require_caller().await?;
    Ok(with_status(http::StatusCode::CREATED, mublog()?.create_post(&caller, &body).await?))
}

#[server(endpoint = "posts/edit", input = Json, output = Json, client = AuthClient)]
pub async fn edit_post(id: PostId, body: String) -> Result<PostView, ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.edit_post(&caller, id, &body).await?)
}

#[server(endpoint = "posts/delete", input = Json, output = Json, client = AuthClient)]
pub async fn delete_post(id: PostId) -> Result<(), ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.delete_post(&caller, id).await?)
}

/// Sets the caller's like on a post (idempotent) and returns the exact new count.
#[server(endpoint = "posts/like", input = Json, output = Json, client = AuthClient)]
pub async fn set_like(id: PostId, liked: bool) -> Result<LikeState, ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.set_like(&caller, id, liked).await?)
}

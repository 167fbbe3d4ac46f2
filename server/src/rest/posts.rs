use super::docs::refusals::{
    Invalid, Malformed, NotFound, NotJson, NotYours, TooLarge, Unauthenticated, Unverified,
};
use super::extract::{AuthCaller, Id, Json, PostForm, Query, Viewer};
use super::RestResult;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use domain::Mublog;
use shared::{ApiError, LikeState, NewPost, NewPostUpload, PostId, PostPage, PostQuery, PostView};

#[utoipa::path(get, path = "/posts", tag = "posts", params(PostQuery), security(("bearer" = []), ()),
    responses((status = 200, description = "A page of posts, newest first", body = PostPage), Malformed, Unauthenticated, Invalid))]
/// List posts, newest first, with a keyset cursor. `q` searches bodies.
pub async fn list(
    State(app): State<Mublog>,
    Viewer(viewer): Viewer,
    Query(query): Query<PostQuery>,
) -> RestResult<axum::Json<PostPage>> {
    Ok(axum::Json(app.list_posts(viewer, &query).await?))
}

#[utoipa::path(post, path = "/posts", tag = "posts",
    request_body(content((NewPost = "application/json"), (NewPostUpload = "multipart/form-data"))), security(("bearer" = [])),
    responses((status = 201, description = "Created", body = PostView, headers(("Location" = String))), Unauthenticated, (status = 400, description = "Malformed JSON, form or query string", body = ApiError), Unverified, (status = 413, description = "JSON over 16 KiB, or an image over 10 MB", body = ApiError), (status = 415, description = "Neither JSON nor a form; or the image is not JPEG, PNG, WebP or GIF", body = ApiError), Invalid))]
/// Create a post of 1 to 280 characters (after trimming), optionally with one picture
/// (multipart `image`): it is re-encoded, stripped of metadata, and rendered in smaller sizes
/// in the background.
pub async fn create(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    req: axum::extract::Request,
) -> RestResult<impl IntoResponse> {
    // Refused before a byte of a possibly 10 MB body is read.
    caller.require_verified()?;
    let form = <PostForm as axum::extract::FromRequest<()>>::from_request(req, &()).await?;
    let post = app.create_post_with_image(&caller, &form.body, form.image).await?;
    let location = format!("/api/v1/posts/{}", post.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(post)))
}

#[utoipa::path(get, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "Post id")), security(("bearer" = []), ()),
    responses((status = 200, description = "The post", body = PostView), Unauthenticated, NotFound))]
/// Read one post.
pub async fn get(
    State(app): State<Mublog>,
    Viewer(viewer): Viewer,
    Id(id): Id<PostId>,
) -> RestResult<axum::Json<PostView>> {
    Ok(axum::Json(app.post(viewer, id).await?))
}

#[utoipa::path(patch, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "Post id")), request_body = NewPost, security(("bearer" = [])),
    responses((status = 200, description = "The edited post", body = PostView), Unauthenticated, NotYours, NotFound, Malformed, TooLarge, NotJson, Invalid))]
/// Edit a post. Only its author (or staff) may.
pub async fn update(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Id(id): Id<PostId>,
    Json(edit): Json<NewPost>,
) -> RestResult<axum::Json<PostView>> {
    Ok(axum::Json(app.edit_post(&caller, id, &edit.body).await?))
}

#[utoipa::path(delete, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), Unauthenticated, NotYours, NotFound))]
/// Delete a post. Only its author (or staff) may.
pub async fn delete(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Id(id): Id<PostId>,
) -> RestResult<StatusCode> {
    app.delete_post(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/posts/{id}/like", tag = "likes", params(("id" = i64, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, description = "Liked (idempotent)", body = LikeState), Unauthenticated, Unverified, NotFound))]
/// Like a post. Liking twice counts once.
pub async fn like(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Id(id): Id<PostId>,
) -> RestResult<axum::Json<LikeState>> {
    Ok(axum::Json(app.set_like(&caller, id, true).await?))
}

#[utoipa::path(delete, path = "/posts/{id}/like", tag = "likes", params(("id" = i64, Path, description = "Post id")), security(("bearer" = [])),
    responses((status = 200, description = "Not liked (idempotent)", body = LikeState), Unauthenticated, Unverified, NotFound))]
/// Remove your like, if any.
pub async fn unlike(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Id(id): Id<PostId>,
) -> RestResult<axum::Json<LikeState>> {
    Ok(axum::Json(app.set_like(&caller, id, false).await?))
}

use super::extract::{AuthUser, Id, Json, Query, Viewer};
use super::RestResult;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use domain::Mublog;
use shared::{LikeState, NewPost, PostPage, PostQuery, PostView};

pub async fn list(State(app): State<Mublog>, Viewer(viewer): Viewer, Query(query): Query<PostQuery>) -> RestResult<axum::Json<PostPage>> {
    Ok(axum::Json(app.list_posts(viewer, &query).await?))
}

pub async fn create(State(app): State<Mublog>, AuthUser(user): AuthUser, Json(new): Json<NewPost>) -> RestResult<impl IntoResponse> {
    let post = app.create_post(user, &new.body).await?;
    let location = format!("/api/v1/posts/{}", post.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(post)))
}

pub async fn get(State(app): State<Mublog>, Viewer(viewer): Viewer, Id(id): Id) -> RestResult<axum::Json<PostView>> {
    Ok(axum::Json(app.post(viewer, id).await?))
}

pub async fn update(State(app): State<Mublog>, AuthUser(user): AuthUser, Id(id): Id, Json(edit): Json<NewPost>) -> RestResult<axum::Json<PostView>> {
    Ok(axum::Json(app.edit_post(user, id, &edit.body).await?))
}

pub async fn delete(State(app): State<Mublog>, AuthUser(user): AuthUser, Id(id): Id) -> RestResult<StatusCode> {
    app.delete_post(user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn like(State(app): State<Mublog>, AuthUser(user): AuthUser, Id(id): Id) -> RestResult<axum::Json<LikeState>> {
    Ok(axum::Json(app.set_like(user, id, true).await?))
}

pub async fn unlike(State(app): State<Mublog>, AuthUser(user): AuthUser, Id(id): Id) -> RestResult<axum::Json<LikeState>> {
    Ok(axum::Json(app.set_like(user, id, false).await?))
}

use super::extract::{AuthUser, Id, Json, Query, Viewer};
use super::RestResult;
use axum::extract::State;
use domain::Mublog;
use shared::{Me, PostPage, PostQuery, UpdateMe, UserView};

pub async fn get(State(app): State<Mublog>, Id(id): Id) -> RestResult<axum::Json<UserView>> {
    Ok(axum::Json(app.user(id).await?))
}

pub async fn posts(State(app): State<Mublog>, Viewer(viewer): Viewer, Id(id): Id, Query(query): Query<PostQuery>) -> RestResult<axum::Json<PostPage>> {
    app.user(id).await?; // 404 for an unknown user rather than an empty page
    let query = PostQuery { author: Some(id), ..query };
    Ok(axum::Json(app.list_posts(viewer, &query).await?))
}

pub async fn me(State(app): State<Mublog>, AuthUser(user): AuthUser) -> RestResult<axum::Json<Me>> {
    Ok(axum::Json(app.me(user).await?))
}

pub async fn update_me(State(app): State<Mublog>, AuthUser(user): AuthUser, Json(changes): Json<UpdateMe>) -> RestResult<axum::Json<Me>> {
    Ok(axum::Json(app.update_me(user, changes).await?))
}

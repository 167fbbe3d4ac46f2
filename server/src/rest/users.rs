use super::extract::{AuthCaller, Id, Json, Query, Viewer};
use super::RestResult;
use axum::extract::State;
use domain::Mublog;
use shared::{ApiError, Me, PostPage, PostQuery, UpdateMe, UserView};

#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The public profile", body = UserView), (status = 404, description = "No such resource", body = ApiError)))]
/// A user's public profile.
pub async fn get(State(app): State<Mublog>, Id(id): Id) -> RestResult<axum::Json<UserView>> {
    Ok(axum::Json(app.user(id).await?))
}

#[utoipa::path(get, path = "/users/{id}/posts", tag = "users", params(("id" = i64, Path, description = "User id"), PostQuery), security(("bearer" = []), ()),
    responses((status = 200, description = "Their posts, newest first", body = PostPage), (status = 400, description = "Malformed JSON or query string", body = ApiError), (status = 401, description = "Missing or invalid access token", body = ApiError, headers(("WWW-Authenticate" = String, description = "Bearer"))), (status = 404, description = "No such resource", body = ApiError), (status = 422, description = "Invalid input; `fields` says which", body = ApiError)))]
/// A user's posts.
pub async fn posts(
    State(app): State<Mublog>,
    Viewer(viewer): Viewer,
    Id(id): Id,
    Query(query): Query<PostQuery>,
) -> RestResult<axum::Json<PostPage>> {
    Ok(axum::Json(app.author_page(viewer, &id.to_string(), query).await?.posts))
}

#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Your account", body = Me), (status = 401, description = "Missing or invalid access token", body = ApiError, headers(("WWW-Authenticate" = String, description = "Bearer")))))]
/// The signed-in user's own account.
pub async fn me(State(app): State<Mublog>, AuthCaller(caller): AuthCaller) -> RestResult<axum::Json<Me>> {
    Ok(axum::Json(app.me(caller.user()).await?))
}

#[utoipa::path(patch, path = "/me", tag = "users", request_body = UpdateMe, security(("bearer" = [])),
    responses((status = 200, description = "Your updated account", body = Me), (status = 401, description = "Missing or invalid access token", body = ApiError, headers(("WWW-Authenticate" = String, description = "Bearer"))), (status = 400, description = "Malformed JSON or query string", body = ApiError), (status = 413, description = "Body over 16 KiB", body = ApiError), (status = 415, description = "Body is not JSON", body = ApiError), (status = 422, description = "Invalid input; `fields` says which", body = ApiError)))]
/// Change your profile.
pub async fn update_me(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Json(changes): Json<UpdateMe>,
) -> RestResult<axum::Json<Me>> {
    Ok(axum::Json(app.update_me(&caller, changes).await?))
}

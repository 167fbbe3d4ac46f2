use super::docs::refusals::{Invalid, Malformed, NotFound, NotJson, TooLarge, Unauthenticated};
use super::extract::{AuthCaller, Id, Json, Query, Viewer};
use super::RestResult;
use axum::extract::State;
use domain::auth::djaodjin::ProxySession;
use domain::Mublog;
use shared::{ApiError, Me, PostPage, PostQuery, UpdateMe, UserId, UserView};

#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The public profile", body = UserView), NotFound))]
/// A user's public profile.
pub async fn get(State(app): State<Mublog>, Id(id): Id<UserId>) -> RestResult<axum::Json<UserView>> {
    Ok(axum::Json(app.user(id).await?))
}

#[utoipa::path(get, path = "/users/{id}/posts", tag = "users", params(("id" = i64, Path, description = "User id"), PostQuery), security(("bearer" = []), ()),
    responses((status = 200, description = "Their posts, newest first", body = PostPage), Malformed, Unauthenticated, NotFound, Invalid))]
/// A user's posts.
pub async fn posts(
    State(app): State<Mublog>,
    Viewer(viewer): Viewer,
    Id(id): Id<UserId>,
    Query(query): Query<PostQuery>,
) -> RestResult<axum::Json<PostPage>> {
    Ok(axum::Json(app.author_page(viewer, &id.to_string(), query).await?.posts))
}

#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Your account", body = Me), Unauthenticated))]
/// The signed-in user's own account.
pub async fn me(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    proxied: Option<axum::Extension<ProxySession>>,
) -> RestResult<axum::Json<Me>> {
    Ok(axum::Json(app.me_as(&caller, proxied.as_deref()).await?))
}

#[utoipa::path(patch, path = "/me", tag = "users", request_body = UpdateMe, security(("bearer" = [])),
    responses((status = 200, description = "Your updated account", body = Me), Unauthenticated, Malformed, (status = 409, description = "The handle belongs to someone else (named in `fields`)", body = ApiError), TooLarge, NotJson, Invalid))]
/// Change your profile.
pub async fn update_me(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Json(changes): Json<UpdateMe>,
) -> RestResult<axum::Json<Me>> {
    Ok(axum::Json(app.update_me(&caller, changes).await?))
}

//! The OpenAPI 3.1 document, generated from the handlers' annotations and the `shared` types
//! (each route is still listed here by hand, beside the router); and the docs UI, served from
//! vendored Swagger UI assets.

use shared::{
    ApiError, ChangePasswordRequest, ErrorCode, FieldError, ImageSize, LikeState, LoginRequest, Me, NewPost,
    NewPostUpload, PostImage, PostPage, PostView, RefreshTokenRequest, SessionList, SessionView,
    TokenResponse, UpdateMe, UserView,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mublog REST API",
        version = "1",
        description = "Posts, likes and users. Authenticate with `Authorization: Bearer <access token>` \
                       from `POST /token`. Every error is `{code, message, fields?}`."
    ),
    servers((url = "/api/v1")),
    paths(
        super::posts::list, super::posts::create, super::posts::get, super::posts::update,
        super::posts::delete, super::posts::like, super::posts::unlike,
        super::users::get, super::users::posts, super::users::me, super::users::update_me,
        super::account::sessions, super::account::revoke_session, super::account::change_password,
        super::tokens::issue, super::tokens::refresh, super::tokens::revoke,
    ),
    components(schemas(
        ApiError, ErrorCode, FieldError, LikeState, LoginRequest, Me, NewPost, PostPage, PostView,
        RefreshTokenRequest, TokenResponse, UpdateMe, UserView, ChangePasswordRequest, SessionList,
        SessionView, NewPostUpload, PostImage, ImageSize,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "posts", description = "Reading and writing posts"),
        (name = "likes", description = "Idempotent likes"),
        (name = "users", description = "Profiles"),
        (name = "auth", description = "Tokens for clients without a cookie jar"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// Swagger UI, from the npm package `swagger-ui-dist`, copied into `/vendor` at build time:
/// the page works with no internet access.
pub async fn docs_page() -> axum::response::Response {
    crate::vendored_page(
        "mublog API",
        "/vendor/swagger-ui/swagger-ui.css",
        r#"<div id="swagger-ui"></div>"#,
        &["/vendor/swagger-ui/swagger-ui-bundle.js", "/vendor/swagger-ui/init.js"],
    )
}

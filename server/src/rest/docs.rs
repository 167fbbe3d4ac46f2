//! What the OpenAPI 3.1 document says besides its paths (which the router adds, route by route,
//! from the handlers' annotations); and the docs UI, served from vendored Swagger UI assets.

use shared::{
    ApiError, ChangePasswordRequest, ErrorCode, FieldError, ImageSize, LikeState, LiveEvent, LoginRequest,
    Me, NewPost, NewPostUpload, PostImage, PostPage, PostView, RefreshTokenRequest, SessionList, SessionView,
    TokenResponse, UpdateMe, UserView,
};
use utoipa::openapi::encoding::EncodingBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
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
    components(schemas(
        ApiError, ErrorCode, FieldError, LikeState, LoginRequest, Me, NewPost, PostPage, PostView,
        RefreshTokenRequest, TokenResponse, UpdateMe, UserView, ChangePasswordRequest, SessionList,
        SessionView, NewPostUpload, PostImage, ImageSize, LiveEvent,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "posts", description = "Reading and writing posts"),
        (name = "likes", description = "Idempotent likes"),
        (name = "users", description = "Profiles"),
        (name = "auth", description = "Tokens for clients without a cookie jar"),
        (name = "live", description = "Live updates, as server-sent events"),
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

/// Writes each field's rule into the document as a pattern, from `shared::validate::patterns`
/// beside the rules themselves (utoipa's attributes take only literals), and the picture
/// part's media types. `tests/api/docs.rs` checks every pattern against its validation.
pub fn with_field_rules(doc: &mut utoipa::openapi::OpenApi) {
    use shared::validate::patterns;
    let schemas = &mut doc.components.get_or_insert_with(Default::default).schemas;
    for (schema, field, pattern) in [
        ("NewPost", "body", patterns::post_body()),
        ("NewPostUpload", "body", patterns::post_body()),
        ("UpdateMe", "display_name", patterns::display_name()),
        ("UpdateMe", "handle", patterns::handle()),
        ("UpdateMe", "first_name", patterns::person_name()),
        ("UpdateMe", "last_name", patterns::person_name()),
    ] {
        if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(schema) {
            set_pattern(object.properties.get_mut(field), pattern);
        }
    }
    // The picture's part takes the image types the server decodes (it reads the bytes, and
    // ignores the part's own Content-Type).
    let upload = doc.paths.paths.get_mut("/posts").and_then(|item| item.post.as_mut());
    let upload = upload.and_then(|create| create.request_body.as_mut());
    if let Some(form) = upload.and_then(|body| body.content.get_mut("multipart/form-data")) {
        let image = EncodingBuilder::new().content_type(Some(IMAGE_TYPES)).build();
        form.encoding.insert("image".into(), image);
    }
    let reads = doc.paths.paths.values_mut().filter_map(|item| item.get.as_mut());
    for param in reads.flat_map(|read| read.parameters.iter_mut().flatten()) {
        if param.name == "q" {
            set_pattern(param.schema.as_mut(), patterns::search());
        }
    }
}

const IMAGE_TYPES: &str = "image/jpeg, image/png, image/webp, image/gif";

fn set_pattern(schema: Option<&mut RefOr<Schema>>, pattern: String) {
    if let Some(RefOr::T(Schema::Object(object))) = schema {
        object.pattern = Some(pattern);
    }
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

/// Error answers many operations share, named once: `responses((status = 200, ..), NotFound)`.
pub mod refusals {
    #![expect(dead_code, reason = "read by the OpenAPI derive only: they describe bodies, never carry one")]
    use shared::ApiError;
    use utoipa::IntoResponses;

    /// Missing or invalid access token
    #[derive(IntoResponses)]
    #[response(status = 401, headers(("WWW-Authenticate" = String, description = "Bearer")))]
    pub struct Unauthenticated(ApiError);

    /// Malformed JSON or query string
    #[derive(IntoResponses)]
    #[response(status = 400)]
    pub struct Malformed(ApiError);

    /// Email not verified yet (`email_unverified`)
    #[derive(IntoResponses)]
    #[response(status = 403)]
    pub struct Unverified(ApiError);

    /// Not the author (or staff)
    #[derive(IntoResponses)]
    #[response(status = 403)]
    pub struct NotYours(ApiError);

    /// No such resource
    #[derive(IntoResponses)]
    #[response(status = 404)]
    pub struct NotFound(ApiError);

    /// Body over 16 KiB
    #[derive(IntoResponses)]
    #[response(status = 413)]
    pub struct TooLarge(ApiError);

    /// Body is not JSON
    #[derive(IntoResponses)]
    #[response(status = 415)]
    pub struct NotJson(ApiError);

    /// Invalid input; `fields` says which
    #[derive(IntoResponses)]
    #[response(status = 422)]
    pub struct Invalid(ApiError);
}

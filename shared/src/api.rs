//! Request and response bodies. Requests reject unknown fields so a typo is an error, not a no-op.

use serde::{Deserialize, Serialize};

pub use crate::ids::{JobId, PostId, SessionId, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[cfg_attr(feature = "openapi", schema(example = "ada@example.com"))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(example = "correct horse battery"))]
    pub password: String,
    /// Shown next to posts; defaults to the part of the email before `@`.
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(example = "ada@example.com"))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(example = "mublog-demo"))]
    pub password: String,
}

/// A user as others see them. The email is private and only appears in [`Me`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": 1, "display_name": "Ada", "handle": "ada"})))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "User"))]
pub struct UserView {
    pub id: UserId,
    pub display_name: String,
    /// Unique; the profile lives at `/u/{handle}`.
    pub handle: String,
}

/// The signed-in user's own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": 1, "display_name": "Ada", "email": "ada@example.com", "handle": "ada", "first_name": "Ada", "last_name": "Lovelace", "email_verified": true, "staff": false})))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct Me {
    pub id: UserId,
    pub display_name: String,
    pub email: String,
    pub handle: String,
    pub first_name: String,
    pub last_name: String,
    /// Until the email is verified the account can read but not post or like.
    pub email_verified: bool,
    /// Staff may use the admin at `/admin`.
    #[serde(default)]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub staff: bool,
    /// Behind the DjaoDjin session proxy (which signed the user in): the organizations the
    /// session gives them roles on. Absent when mublog signed them in.
    // The browser app never reads it (the settings page asks with a call of its own), so
    // reading it costs the first load nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", serde(skip))]
    pub organizations: Option<Vec<Organization>>,
    /// Signed in by the DjaoDjin session proxy: the proxy signs them out (`/logout` goes
    /// there), and mublog issues them no tokens to refresh.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proxied: bool,
}

/// A profile (an organization) the DjaoDjin proxy's session gives the user roles on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct Organization {
    pub slug: String,
    pub printable_name: String,
    /// The user's roles on it (`manager`, …).
    pub roles: Vec<String>,
    /// The plans it has a subscription to that runs now.
    pub plans: Vec<String>,
}

impl Me {
    /// The profile counts as set up once both names are filled in.
    pub fn profile_complete(&self) -> bool {
        !self.first_name.is_empty() && !self.last_name.is_empty()
    }
}

impl From<&Me> for UserView {
    fn from(me: &Me) -> Self {
        UserView { id: me.id, display_name: me.display_name.clone(), handle: me.handle.clone() }
    }
}

/// `PATCH /me`: fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"first_name": "Ada", "last_name": "Lovelace", "handle": "ada"})))]
pub struct UpdateMe {
    /// At most 40 printable characters, trimmed; empty means the email's local part.
    pub display_name: Option<String>,
    /// 3–30 letters, digits or `_`, starting with a letter (stored lower-cased); unique.
    pub handle: Option<String>,
    /// At most 50 printable characters, trimmed; may be empty.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// The answer to registering and to "forgot password": the same bytes whatever the
/// address, so these endpoints never reveal who has an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accepted {
    pub message: String,
}

/// `POST /api/auth/verify`: the token from a verification link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    pub token: String,
}

/// `POST /api/auth/password/forgot`.
/// The one answer to "forgot password", whether or not the address has an account.
pub const RESET_SENT: &str =
    "If an account uses that address, we have sent it a link to choose a new password. It works for an hour.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

/// `POST /api/auth/password/reset`: the token from a reset link and the new password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub token: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

/// A password change by the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
    /// Also end every other signed-in device.
    #[serde(default)]
    pub sign_out_other_devices: bool,
}

/// A signed-in device on the sessions page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub id: SessionId,
    /// Unix seconds of the sign-in.
    pub created_at: i64,
    /// Unix seconds of the last token refresh.
    pub last_used_at: i64,
    pub user_agent: String,
    /// The session making this request.
    pub current: bool,
}

/// The sessions page: the devices and the server time their ages are measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
    pub now: i64,
}

/// `POST /api/v1/token/refresh` and `/token/revoke`, for clients without a cookie jar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"refresh_token": "q0bM2w8cX1sJ7d0l6Qn1m3o8VhYp4rT2uE5iW9zK0aA"})))]
pub struct RefreshTokenRequest {
    pub refresh_token: String,
}

/// A token pair for API clients (`POST /api/v1/token` and `/token/refresh`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "refresh_token": "q0bM2w8cX1sJ7d0l6Qn1m3o8VhYp4rT2uE5iW9zK0aA", "token_type": "Bearer", "expires_in": 900})))]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
}

/// Answer to login and refresh. The refresh token never appears here: it travels only in an
/// HttpOnly cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    pub access_token: String,
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    pub user: Me,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": 42, "author": {"id": 1, "display_name": "Ada", "handle": "ada"}, "body": "Hello, mublog!", "created_at": 1795326000, "edited_at": null, "like_count": 3, "liked": true})))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "Post"))]
pub struct PostView {
    pub id: PostId,
    pub author: UserView,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last edit, if any.
    pub edited_at: Option<i64>,
    pub like_count: i64,
    /// Whether the viewer likes this post (always false for anonymous viewers).
    pub liked: bool,
    /// The attached picture, if any.
    #[serde(default)]
    pub image: Option<PostImage>,
}

/// A post's picture: the full re-encoded image, and smaller widths for `srcset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct PostImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub sizes: Vec<ImageSize>,
    /// False until the sizes are rendered (the page shows a placeholder meanwhile).
    pub ready: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct ImageSize {
    pub url: String,
    pub width: u32,
}

/// One page of posts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"posts": [{"id": 42, "author": {"id": 1, "display_name": "Ada", "handle": "ada"}, "body": "Hello, mublog!", "created_at": 1795326000, "edited_at": null, "like_count": 3, "liked": true}], "next_cursor": "42", "now": 1795326060})))]
pub struct PostPage {
    pub posts: Vec<PostView>,
    /// Pass back as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Server time (unix seconds) the ages on this page are measured against, so the server
    /// and the hydrating browser render the same text.
    pub now: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct PostQuery {
    /// The previous page's `next_cursor`; absent or empty for the first page.
    #[cfg_attr(feature = "openapi", param(pattern = "^([1-9][0-9]{0,17})?$"))]
    pub cursor: Option<String>,
    pub author: Option<UserId>,
    /// Page size: 20 by default; larger values are read as 100, 0 as 1.
    #[cfg_attr(feature = "openapi", param(value_type = u64, maximum = 4294967295_u64, example = 20))]
    pub limit: Option<u32>,
    /// Only posts whose body contains this text (case-insensitive): 3 to 100 printable
    /// characters once leading and trailing white space is trimmed; empty or white space alone
    /// is no search.
    pub q: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// 1 to 280 characters once trimmed; printable, but for line breaks and tabs.
    #[cfg_attr(feature = "openapi", schema(example = "Hello, mublog!"))]
    pub body: String,
}

/// `POST /posts` as `multipart/form-data`: the text and an optional picture, no other parts.
/// (Deserialize only lends utoipa `deny_unknown_fields`; the server reads the parts itself.)
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPostUpload {
    /// As `NewPost`'s.
    #[schema(example = "Sunset")]
    pub body: String,
    /// JPEG, PNG, WebP or GIF, at most 10 MB and 8192 pixels a side.
    #[schema(value_type = String, format = Binary, required = false)]
    pub image: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"post_id": 42, "like_count": 4, "liked": true})))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct LikeState {
    pub post_id: PostId,
    pub like_count: i64,
    pub liked: bool,
}

/// An author's page: who they are and their newest posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorPage {
    pub author: UserView,
    pub posts: PostPage,
}

/// A single post with the server time its age is measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostDetail {
    pub post: PostView,
    pub now: i64,
}

//! GraphQL at `/graphql`: the same domain calls as REST, with depth and complexity limits so a
//! hostile query is refused before it runs. Posts come with author and like counts from the
//! feed's single joined query, so no field resolves one row at a time (no N+1).

mod types;

use crate::rest::AuthCaller;
use async_graphql::{Context, ErrorExtensions, Object, Result, Schema, Subscription, ID};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use domain::auth::djaodjin::ProxySession;
use domain::live::{Heard, LiveStream, Missing};
use domain::{Caller, DomainError, Mublog};
use futures::{Stream, StreamExt};
use shared::live::LikeCount;
use shared::{ApiError, LikeState, LiveEvent, LiveQuery, Me, PostQuery, PostView as Post, UserView as User};
use types::PostConnection;

pub const MAX_DEPTH: usize = 8;
pub const MAX_COMPLEXITY: usize = 300;

pub type MublogSchema = Schema<Query, Mutation, Subscription>;

/// The schema, with its limits, resolving through `app`.
pub fn schema(app: Mublog) -> MublogSchema {
    Schema::build(Query, Mutation, Subscription)
        .data(app)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// POST /graphql. Authentication is REST's: an optional bearer token, refused if invalid (or,
/// behind the DjaoDjin proxy, its session).
pub async fn execute(
    State(schema): State<MublogSchema>,
    caller: Option<AuthCaller>,
    proxied: Option<axum::Extension<ProxySession>>,
    req: GraphQLRequest,
) -> GraphQLResponse {
    let mut req = req.into_inner().data(Asking(caller.map(|c| c.0)));
    if let Some(axum::Extension(session)) = proxied {
        req = req.data(session);
    }
    schema.execute(req).await.into()
}

/// GET /graphql/ws: subscriptions over a WebSocket (`graphql-transport-ws`, or the older
/// `graphql-ws`), with the same limits as queries. They carry public data only: no session.
pub fn subscriptions(schema: MublogSchema) -> async_graphql_axum::GraphQLSubscription<MublogSchema> {
    async_graphql_axum::GraphQLSubscription::new(schema)
}

/// GET /graphql: GraphiQL, from vendored npm assets (no CDN).
pub async fn graphiql() -> axum::response::Response {
    crate::vendored_page(
        "mublog GraphQL",
        "/vendor/graphiql/graphiql.min.css",
        r#"<div id="graphiql" style="height: 100vh"></div>"#,
        &[
            "/vendor/graphiql/react.production.min.js",
            "/vendor/graphiql/react-dom.production.min.js",
            "/vendor/graphiql/graphiql.min.js",
            "/vendor/graphiql/init.js",
        ],
    )
}

/// Who is asking, for this request.
struct Asking(Option<Caller>);

fn caller<'c>(ctx: &Context<'c>) -> Option<&'c Caller> {
    ctx.data_opt::<Asking>().and_then(|asking| asking.0.as_ref())
}

fn viewer(ctx: &Context<'_>) -> Option<shared::UserId> {
    caller(ctx).map(Caller::user)
}

fn signed_in<'c>(ctx: &Context<'c>) -> Result<&'c Caller> {
    caller(ctx).ok_or_else(|| gql_error(DomainError::Unauthenticated))
}

/// Domain errors become GraphQL errors with the same `code` REST uses; internal details are
/// logged by the conversion to `ApiError`, never returned.
fn gql_error(e: DomainError) -> async_graphql::Error {
    let api = ApiError::from(e);
    let code = serde_json::to_value(api.code).unwrap_or_default();
    async_graphql::Error::new(api.message).extend_with(|_, ext| {
        ext.set("code", code.as_str().unwrap_or("internal"));
    })
}

/// The number in an `ID`; one that is not a number names no `kind` ("post", "user").
fn id<T: std::str::FromStr>(raw: &ID, kind: &'static str) -> Result<T> {
    raw.parse::<T>().map_err(|_| gql_error(DomainError::NotFound(kind)))
}

pub struct Query;

/// The complexity of one `posts` field: its selection, plus a share of the page size, plus a
/// search's index walk. 100 aliased searches add up to thousands, far over [`MAX_COMPLEXITY`].
fn posts_complexity(first: i32, search: bool, child_complexity: usize) -> usize {
    const SEARCH_COST: usize = 25;
    let page = usize::try_from(first.clamp(0, domain::MAX_PAGE_SIZE as i32)).unwrap_or(0);
    1 + child_complexity + page / 4 + if search { SEARCH_COST } else { 0 }
}

#[Object]
impl Query {
    /// Newest posts first. `after` is the previous page's `pageInfo.endCursor`. Its cost grows
    /// with `first`, and a search costs more, so a query cannot alias many of them at once.
    #[graphql(complexity = "posts_complexity(first, search.is_some(), child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        search: Option<String>,
        author: Option<ID>,
    ) -> Result<PostConnection> {
        let app = ctx.data::<Mublog>()?;
        let query = PostQuery {
            cursor: after,
            author: author.as_ref().map(|author| id(author, "user")).transpose()?,
            // The domain caps the page size; a negative `first` reads as 0, the smallest page.
            limit: Some(u32::try_from(first).unwrap_or(0)),
            q: search,
        };
        Ok(app.list_posts(viewer(ctx), &query).await.map_err(gql_error)?.into())
    }

    async fn post(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Post>> {
        let app = ctx.data::<Mublog>()?;
        match app.post(viewer(ctx), self::id(&id, "post")?).await {
            Ok(post) => Ok(Some(post)),
            Err(DomainError::NotFound(_)) => Ok(None),
            Err(e) => Err(gql_error(e)),
        }
    }

    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        let app = ctx.data::<Mublog>()?;
        match app.user(self::id(&id, "user")?).await {
            Ok(user) => Ok(Some(user)),
            Err(DomainError::NotFound(_)) => Ok(None),
            Err(e) => Err(gql_error(e)),
        }
    }

    /// The signed-in user, or null.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Me>> {
        let app = ctx.data::<Mublog>()?;
        match caller(ctx) {
            Some(caller) => {
                Ok(Some(app.me_as(caller, ctx.data_opt::<ProxySession>()).await.map_err(gql_error)?))
            }
            None => Ok(None),
        }
    }
}

pub struct Mutation;

#[Object]
impl Mutation {
    async fn create_post(&self, ctx: &Context<'_>, body: String) -> Result<Post> {
        let app = ctx.data::<Mublog>()?;
        app.create_post(signed_in(ctx)?, &body).await.map_err(gql_error)
    }

    async fn update_post(&self, ctx: &Context<'_>, id: ID, body: String) -> Result<Post> {
        let app = ctx.data::<Mublog>()?;
        app.edit_post(signed_in(ctx)?, self::id(&id, "post")?, &body).await.map_err(gql_error)
    }

    async fn delete_post(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let app = ctx.data::<Mublog>()?;
        app.delete_post(signed_in(ctx)?, self::id(&id, "post")?).await.map_err(gql_error)?;
        Ok(true)
    }

    async fn like_post(&self, ctx: &Context<'_>, id: ID) -> Result<LikeState> {
        let app = ctx.data::<Mublog>()?;
        app.set_like(signed_in(ctx)?, self::id(&id, "post")?, true).await.map_err(gql_error)
    }

    async fn unlike_post(&self, ctx: &Context<'_>, id: ID) -> Result<LikeState> {
        let app = ctx.data::<Mublog>()?;
        app.set_like(signed_in(ctx)?, self::id(&id, "post")?, false).await.map_err(gql_error)
    }
}

pub struct Subscription;

#[Subscription]
impl Subscription {
    /// The like counts of these posts (at most 200): the current ones first, then each change.
    /// Ids that name no visible post are refused.
    async fn like_counts(
        &self,
        ctx: &Context<'_>,
        post_ids: Vec<ID>,
    ) -> Result<impl Stream<Item = LikeCount>> {
        let app = ctx.data::<Mublog>()?;
        let posts = post_ids.iter().map(|raw| id(raw, "post")).collect::<Result<Vec<_>>>()?;
        let live = app.watch(&LiveQuery::posts(&posts), Missing::Refuse).await.map_err(gql_error)?;
        Ok(events(live).filter_map(|heard| async move {
            match heard.event {
                LiveEvent::Likes { post_id, like_count } => Some(LikeCount { post_id, like_count }),
                _ => None,
            }
        }))
    }

    /// Posts as they are published, by `author` if given.
    async fn new_posts(&self, ctx: &Context<'_>, author: Option<ID>) -> Result<impl Stream<Item = Post>> {
        let app = ctx.data::<Mublog>()?.clone();
        let author = author.as_ref().map(|author| id(author, "user")).transpose()?;
        let live = app.watch_new_posts(author).await.map_err(gql_error)?;
        Ok(events(live).filter_map(move |heard| {
            let app = app.clone();
            async move {
                let LiveEvent::NewPost { post_id, .. } = heard.event else { return None };
                // Deleted or hidden in the meantime: nothing to show.
                app.post(None, post_id).await.ok()
            }
        }))
    }
}

/// A live stream as a `Stream`; it ends where the live stream does (REST's events too).
pub(crate) fn events(live: LiveStream) -> impl Stream<Item = Heard> {
    futures::stream::unfold(live, |mut live| async move { live.next().await.map(|heard| (heard, live)) })
}

//! GraphQL views of the `shared` types.

use async_graphql::{SimpleObject, ID};

#[derive(SimpleObject)]
pub struct User {
    pub id: ID,
    pub display_name: String,
    pub handle: String,
}

impl From<shared::UserView> for User {
    fn from(u: shared::UserView) -> Self {
        User { id: u.id.into(), display_name: u.display_name, handle: u.handle }
    }
}

#[derive(SimpleObject)]
pub struct Me {
    pub id: ID,
    pub display_name: String,
    pub email: String,
    pub handle: String,
    pub first_name: String,
    pub last_name: String,
    pub email_verified: bool,
}

impl From<shared::Me> for Me {
    fn from(m: shared::Me) -> Self {
        Me {
            id: m.id.into(),
            display_name: m.display_name,
            email: m.email,
            handle: m.handle,
            first_name: m.first_name,
            last_name: m.last_name,
            email_verified: m.email_verified,
        }
    }
}

#[derive(SimpleObject)]
pub struct Post {
    pub id: ID,
    pub author: User,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub like_count: i64,
    /// Whether the caller likes it.
    pub liked: bool,
    /// The attached picture, if any.
    pub image: Option<shared::PostImage>,
}

impl From<shared::PostView> for Post {
    fn from(p: shared::PostView) -> Self {
        Post {
            id: p.id.into(),
            author: p.author.into(),
            body: p.body,
            created_at: p.created_at,
            edited_at: p.edited_at,
            like_count: p.like_count,
            liked: p.liked,
            image: p.image,
        }
    }
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct PostConnection {
    pub nodes: Vec<Post>,
    pub page_info: PageInfo,
}

impl From<shared::PostPage> for PostConnection {
    fn from(page: shared::PostPage) -> Self {
        PostConnection {
            page_info: PageInfo { has_next_page: page.next_cursor.is_some(), end_cursor: page.next_cursor },
            nodes: page.posts.into_iter().map(Post::from).collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct LikeState {
    pub post_id: ID,
    pub like_count: i64,
    pub liked: bool,
}

impl From<shared::LikeState> for LikeState {
    fn from(s: shared::LikeState) -> Self {
        LikeState { post_id: s.post_id.into(), like_count: s.like_count, liked: s.liked }
    }
}

//! GraphQL's own shapes. Posts, users and like states are the `shared` types themselves.

use async_graphql::SimpleObject;
use shared::PostView;

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct PostConnection {
    pub nodes: Vec<PostView>,
    pub page_info: PageInfo,
}

impl From<shared::PostPage> for PostConnection {
    fn from(page: shared::PostPage) -> Self {
        PostConnection {
            page_info: PageInfo { has_next_page: page.next_cursor.is_some(), end_cursor: page.next_cursor },
            nodes: page.posts,
        }
    }
}

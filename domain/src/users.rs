use crate::{DomainError, Mublog};
use shared::{AuthorPage, PostQuery, UserId, UserView};

impl Mublog {
    pub async fn user(&self, id: UserId) -> Result<UserView, DomainError> {
        Ok(self.db.user_by_id(id).await?.ok_or(DomainError::NotFound("user"))?.view())
    }

    /// An author's profile with one page of their posts.
    pub async fn author_page(
        &self,
        viewer: Option<UserId>,
        author: UserId,
        cursor: Option<String>,
    ) -> Result<AuthorPage, DomainError> {
        let author_view = self.user(author).await?;
        let query = PostQuery { cursor, author: Some(author), limit: None };
        let posts = self.list_posts(viewer, &query).await?;
        Ok(AuthorPage { author: author_view, posts })
    }
}

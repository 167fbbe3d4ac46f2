use crate::{DomainError, Mublog};
use shared::{validate, AuthorPage, Me, PostQuery, UpdateMe, UserId, UserView};

impl Mublog {
    pub async fn user(&self, id: UserId) -> Result<UserView, DomainError> {
        Ok(self.db.user_by_id(id).await?.ok_or(DomainError::NotFound("user"))?.view())
    }

    /// Changes the caller's own profile.
    pub async fn update_me(&self, user: UserId, changes: UpdateMe) -> Result<Me, DomainError> {
        let me = self.me(user).await?;
        if let Some(name) = changes.display_name {
            let name = validate::display_name(Some(&name), &me.email)?;
            self.db.set_display_name(user, &name).await?;
        }
        self.me(user).await
    }

    /// An author's profile with one page of their posts (`query.author` is overridden).
    /// An unknown author is `NotFound`, not an empty page.
    pub async fn author_page(
        &self,
        viewer: Option<UserId>,
        author: UserId,
        query: PostQuery,
    ) -> Result<AuthorPage, DomainError> {
        let author_view = self.user(author).await?;
        let query = PostQuery { author: Some(author), ..query };
        let posts = self.list_posts(viewer, &query).await?;
        Ok(AuthorPage { author: author_view, posts })
    }
}

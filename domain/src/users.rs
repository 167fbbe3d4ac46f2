use crate::store::ProfileChange;
use crate::{Caller, DomainError, Mublog};
use shared::{validate, AuthorPage, FieldError, Me, PostQuery, UpdateMe, UserId, UserView};

impl Mublog {
    pub async fn user(&self, id: UserId) -> Result<UserView, DomainError> {
        Ok(self.db.user_by_id(id).await?.ok_or(DomainError::NotFound("user"))?.view())
    }

    /// A user by handle, or by numeric id (handles never look like numbers).
    pub async fn user_by_name(&self, handle_or_id: &str) -> Result<UserView, DomainError> {
        let row = match handle_or_id.parse::<UserId>() {
            Ok(id) => self.db.user_by_id(id).await?,
            Err(_) => self.db.user_by_handle(handle_or_id).await?,
        };
        Ok(row.ok_or(DomainError::NotFound("user"))?.view())
    }

    /// Changes the caller's own profile. Every field is checked before anything is written.
    pub async fn update_me(&self, caller: &Caller, changes: UpdateMe) -> Result<Me, DomainError> {
        let user = caller.user();
        let me = self.me(user).await?;
        let mut problems = Vec::new();
        let mut keep = |r: Result<String, FieldError>| r.map_err(|e| problems.push(e)).ok();
        let display_name =
            changes.display_name.and_then(|n| keep(validate::display_name(Some(&n), &me.email)));
        let handle = changes.handle.and_then(|h| keep(validate::handle(&h)));
        let first_name = changes.first_name.and_then(|n| keep(validate::person_name("first_name", &n)));
        let last_name = changes.last_name.and_then(|n| keep(validate::person_name("last_name", &n)));
        if !problems.is_empty() {
            return Err(DomainError::Validation(problems));
        }
        let change = ProfileChange {
            display_name: display_name.as_deref(),
            handle: handle.as_deref(),
            first_name: first_name.as_deref(),
            last_name: last_name.as_deref(),
        };
        if !self.db.update_profile(user, change).await? {
            return Err(DomainError::Taken(FieldError::new(
                "handle",
                "This handle is taken. Choose another.",
            )));
        }
        self.me(user).await
    }

    /// An author's profile with one page of their posts (`query.author` is overridden).
    /// An unknown author is `NotFound`, not an empty page.
    pub async fn author_page(
        &self,
        viewer: Option<UserId>,
        author: &str,
        query: PostQuery,
    ) -> Result<AuthorPage, DomainError> {
        let author_view = self.user_by_name(author).await?;
        let query = PostQuery { author: Some(author_view.id), ..query };
        let posts = self.list_posts(viewer, &query).await?;
        Ok(AuthorPage { author: author_view, posts })
    }
}

//! Posts and likes. Ownership is checked here, so every adapter gets it for free.

use crate::admin::{commit_audited, Staff};
use crate::jobs::Job;
use crate::store::{AuthorColumns, Db, ImageColumns, ModeratedPost, PostRow};
use crate::{now, Caller, DomainError, Mublog};
use shared::{validate, FieldError, LikeState, PostId, PostPage, PostQuery, PostView, UserId, UserView};

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

impl Mublog {
    /// One page of posts, newest first, with like counts and the viewer's likes.
    pub async fn list_posts(
        &self,
        viewer: Option<UserId>,
        query: &PostQuery,
    ) -> Result<PostPage, DomainError> {
        let before = parse_cursor(query.cursor.as_deref())?.map(PostId);
        let search = validate::search(query.q.as_deref())?;
        let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        // One extra row tells whether another page exists without a COUNT.
        let mut rows = self.db.list_posts(viewer, query.author, search.as_deref(), before, limit + 1).await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = has_more.then(|| rows.last().map(|r| r.head.id.to_string())).flatten();
        Ok(PostPage { posts: rows.into_iter().map(PostView::from).collect(), next_cursor, now: now() })
    }

    pub async fn post(&self, viewer: Option<UserId>, id: PostId) -> Result<PostView, DomainError> {
        let row = self.db.post(viewer, id).await?.ok_or(DomainError::NotFound("post"))?;
        Ok(row.into())
    }

    pub async fn create_post(&self, author: &Caller, body: &str) -> Result<PostView, DomainError> {
        self.create_post_with_image(author, body, None).await
    }

    /// A post with an optional picture (the raw upload). The picture is re-encoded and stored
    /// first; the post and the job that renders its sizes are then written in one transaction.
    pub async fn create_post_with_image(
        &self,
        author: &Caller,
        body: &str,
        image: Option<Vec<u8>>,
    ) -> Result<PostView, DomainError> {
        let author = author.require_poster()?;
        let body = validate::post_body(body)?;
        let image = match image {
            Some(bytes) => self.store_upload(bytes).await?,
            None => ImageColumns::default(),
        };
        let mut tx = self.db.begin().await?;
        let id = Db::insert_post_in(&mut tx, author, &body, &image, now()).await?;
        if image.image_key.is_some() {
            Job::RenderImageSizes { post: id }.enqueue_in(&mut tx, now(), None).await?;
        }
        tx.commit().await?;
        self.jobs_enqueued();
        tracing::info!(post = %id, author = %author, image = image.image_key.is_some(), "post created");
        self.post(Some(author), id).await
    }

    /// The author edits their post; staff may edit anyone's, and such an edit is written to
    /// the audit trail with the text before and after, in the same transaction.
    pub async fn edit_post(&self, actor: &Caller, id: PostId, body: &str) -> Result<PostView, DomainError> {
        let moderator = self.authorize_post_change(actor, id).await?;
        let actor = actor.require_verified()?;
        let body = validate::post_body(body)?;
        let mut tx = self.db.begin().await?;
        if !Db::update_post_in(&mut tx, id, &body, now()).await? {
            return Err(DomainError::NotFound("post"));
        }
        match moderator {
            Some((staff, before)) => {
                let detail = format!("@{}: {} → {body}", before.head.author.author_handle, before.head.body);
                commit_audited(tx, staff, ("edit_post", "post", id.0), &detail).await?;
            }
            None => tx.commit().await?,
        }
        self.post(Some(actor), id).await
    }

    /// The author deletes their post; staff may delete anyone's, audited as in the admin.
    pub async fn delete_post(&self, caller: &Caller, id: PostId) -> Result<(), DomainError> {
        let moderator = self.authorize_post_change(caller, id).await?;
        let actor = caller.user();
        let mut tx = self.db.begin().await?;
        remove_post_in(&mut tx, id).await?;
        match moderator {
            Some((staff, before)) => {
                commit_audited(tx, staff, ("delete_post", "post", id.0), &deleted_post_detail(&before))
                    .await?;
            }
            None => tx.commit().await?,
        }
        self.jobs_enqueued();
        tracing::info!(post = %id, actor = %actor, "post deleted");
        Ok(())
    }

    /// Idempotent: liking twice counts once, unliking a post you never liked is a no-op.
    pub async fn set_like(
        &self,
        actor: &Caller,
        post: PostId,
        liked: bool,
    ) -> Result<LikeState, DomainError> {
        let actor = actor.require_verified()?;
        self.db.set_like(actor, post, liked, now()).await?.ok_or(DomainError::NotFound("post"))
    }

    /// Only the author or staff may change a post. `None`: the author; `Some`: staff acting on
    /// someone else's post (as it is now), which the change must audit.
    async fn authorize_post_change(
        &self,
        actor: &Caller,
        id: PostId,
    ) -> Result<Option<(Staff, ModeratedPost)>, DomainError> {
        let author = self.db.post_author(id).await?.ok_or(DomainError::NotFound("post"))?;
        if author == actor.user() {
            return Ok(None);
        }
        let staff = self.staff(actor).await?;
        let post = self.db.moderated_post(id).await?.ok_or(DomainError::NotFound("post"))?;
        Ok(Some((staff, post)))
    }
}

impl From<AuthorColumns> for UserView {
    fn from(a: AuthorColumns) -> Self {
        UserView { id: a.author_id, display_name: a.author_name, handle: a.author_handle }
    }
}

impl From<PostRow> for PostView {
    fn from(r: PostRow) -> Self {
        PostView {
            id: r.head.id,
            author: r.head.author.into(),
            body: r.head.body,
            created_at: r.head.created_at,
            edited_at: r.edited_at,
            like_count: r.like_count,
            liked: r.liked,
            image: r.image.picture(),
        }
    }
}

/// Deletes a post inside `tx` and queues the removal of its picture files (in the same
/// transaction, so files go only if the post does).
pub(crate) async fn remove_post_in(tx: &mut crate::store::Tx, id: PostId) -> Result<(), DomainError> {
    let image = Db::delete_post_in(tx, id).await?.ok_or(DomainError::NotFound("post"))?;
    let names = image.file_names();
    if !names.is_empty() {
        Job::DeleteMedia { names }.enqueue_in(tx, now(), None).await?;
    }
    Ok(())
}

/// What the audit trail keeps of a deleted post: who wrote it and what it said.
pub(crate) fn deleted_post_detail(post: &ModeratedPost) -> String {
    format!("@{}: {}", post.head.author.author_handle, post.head.body)
}

/// A page link's cursor: the id of the last row of the previous page. Absent or empty (as a
/// form or a client sends an unset field), it is the first page.
pub(crate) fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, DomainError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else { return Ok(None) };
    match cursor.parse::<i64>() {
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(FieldError::new("cursor", "This page link is not valid.").into()),
    }
}

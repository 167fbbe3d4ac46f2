//! Posts in the admin: search and filters, and hiding (with a reason), showing and deleting.

use super::{commit_audited, filled, page_of, parse_cursor, parse_range, Staff, PAGE_SIZE};
use crate::store::{Db, ModeratedPost, PostSelection};
use crate::{now, DomainError, Mublog};
use shared::admin::{AdminPost, Hidden, Page, PostAction, PostFilter};
use shared::{validate, FieldError, PostId};

pub const REASON_MAX_CHARS: usize = 500;

impl Mublog {
    pub async fn admin_posts(&self, _: Staff, filter: &PostFilter) -> Result<Page<AdminPost>, DomainError> {
        let search = validate::search(filled(&filter.q))?;
        let author = self.named_user("author", &filter.author).await?;
        let like = search.as_deref().map(crate::store::contains_pattern);
        let selection = PostSelection {
            author,
            body_like: like.as_deref(),
            hidden: filter.hidden,
            created: parse_range(&filter.from, &filter.until)?,
            before: parse_cursor(filter.cursor.as_deref())?,
        };
        let rows = self.db.select_posts(&selection, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, |p| p.head.id.0, AdminPost::from))
    }

    /// Hides, shows or deletes a post, and records it in the audit trail. The returned post is
    /// `None` once deleted.
    pub async fn act_on_post(
        &self,
        staff: Staff,
        id: PostId,
        action: PostAction,
    ) -> Result<Option<AdminPost>, DomainError> {
        let post = self.db.moderated_post(id).await?.ok_or(DomainError::NotFound("post"))?;
        let mut tx = self.db.begin().await?;
        let (name, detail) = match action {
            PostAction::Hide { reason } => {
                let reason = hiding_reason(&reason)?;
                if !Db::set_hidden_in(&mut tx, id, Some((now(), &reason, staff.id()))).await? {
                    return Err(DomainError::Conflict("This post is hidden already."));
                }
                ("hide_post", reason)
            }
            PostAction::Unhide => {
                if !Db::set_hidden_in(&mut tx, id, None).await? {
                    return Err(DomainError::Conflict("This post is not hidden."));
                }
                ("unhide_post", String::new())
            }
            PostAction::Delete => {
                crate::posts::remove_post_in(&mut tx, id).await?;
                // What was deleted stays readable in the trail.
                ("delete_post", crate::posts::deleted_post_detail(&post))
            }
        };
        commit_audited(tx, staff, (name, "post", id.0), &detail).await?;
        self.jobs_enqueued();
        Ok(self.db.moderated_post(id).await?.map(AdminPost::from))
    }
}

fn hiding_reason(raw: &str) -> Result<String, FieldError> {
    let reason = raw.trim();
    match reason.chars().count() {
        0 => Err(FieldError::new("reason", "Say why the post is hidden.")),
        n if n > REASON_MAX_CHARS => {
            Err(FieldError::new("reason", format!("Keep the reason under {REASON_MAX_CHARS} characters.")))
        }
        _ => Ok(reason.to_owned()),
    }
}

impl From<ModeratedPost> for AdminPost {
    fn from(p: ModeratedPost) -> Self {
        AdminPost {
            id: p.head.id,
            author: p.head.author.into(),
            body: p.head.body,
            created_at: p.head.created_at,
            hidden: p.hidden_at.map(|at| Hidden {
                at,
                reason: p.hidden_reason.unwrap_or_default(),
                by: p.hidden_by,
            }),
        }
    }
}

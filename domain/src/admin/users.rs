//! Accounts in the admin: search and filters, the detail view, and the staff actions on them.

use super::{commit_audited, filled, page_of, parse_cursor, Staff, PAGE_SIZE};
use crate::jobs::Job;
use crate::store::{Db, PostSelection, UserRow, UserSelection};
use crate::{now, DomainError, Mublog};
use shared::admin::{AdminUser, AdminUserDetail, Page, UserAction, UserFilter};
use shared::{validate, SessionView, UserId};

impl Mublog {
    pub async fn admin_users(&self, _: Staff, filter: &UserFilter) -> Result<Page<AdminUser>, DomainError> {
        let search = validate::search(filled(&filter.q))?;
        let selection = UserSelection {
            search: search.as_deref(),
            verified: filter.verified,
            staff: filter.staff,
            active: filter.active,
            before: parse_cursor(filter.cursor.as_deref())?,
        };
        let rows = self.db.select_users(&selection, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, |u| u.id.0, |u| admin_user(&u)))
    }

    /// An account with its newest posts (hidden ones included) and its live sessions.
    pub async fn admin_user(&self, _: Staff, id: UserId) -> Result<AdminUserDetail, DomainError> {
        let user = self.db.user_by_id(id).await?.ok_or(DomainError::NotFound("user"))?;
        let posts =
            self.db.select_posts(&PostSelection { author: Some(id), ..Default::default() }, 20).await?;
        let now = now();
        let sessions = self.db.sessions_of(id, now).await?;
        Ok(AdminUserDetail {
            user: admin_user(&user),
            posts: posts.into_iter().map(Into::into).collect(),
            sessions: sessions
                .into_iter()
                .map(|s| SessionView {
                    id: s.id,
                    created_at: s.created_at,
                    last_used_at: s.last_used_at,
                    user_agent: s.user_agent,
                    current: false,
                })
                .collect(),
            now,
        })
    }

    /// Applies a staff action to an account and records it in the audit trail. Deactivating
    /// ends every session in the same transaction, so the user's next request is refused.
    pub async fn act_on_user(
        &self,
        staff: Staff,
        id: UserId,
        action: UserAction,
    ) -> Result<AdminUser, DomainError> {
        let target = self.db.user_by_id(id).await?.ok_or(DomainError::NotFound("user"))?;
        let own = id == staff.id();
        let now = now();
        let mut tx = self.db.begin().await?;
        let refused = |message| Err(DomainError::Conflict(message));
        let detail = match action {
            UserAction::Deactivate if own => return refused("You cannot deactivate your own account."),
            UserAction::Deactivate => {
                if !Db::set_deactivated_in(&mut tx, id, Some(now)).await? {
                    return refused("This account is already deactivated.");
                }
                sessions_ended(Db::revoke_families_in(&mut tx, id, None, now).await?)
            }
            UserAction::Reactivate => {
                if !Db::set_deactivated_in(&mut tx, id, None).await? {
                    return refused("This account is active.");
                }
                String::new()
            }
            UserAction::GrantStaff => {
                if !Db::set_staff_in(&mut tx, id, true).await? {
                    return refused("This account is staff already.");
                }
                String::new()
            }
            UserAction::RevokeStaff if own => return refused("You cannot remove your own staff access."),
            UserAction::RevokeStaff => {
                if !Db::set_staff_in(&mut tx, id, false).await? {
                    return refused("This account is not staff.");
                }
                String::new()
            }
            UserAction::ResendVerification => {
                if target.email_verified_at.is_some() {
                    return refused("This address is verified already.");
                }
                Job::SendVerification { user: id }.enqueue_in(&mut tx, now, None).await?;
                String::new()
            }
            UserAction::SignOutEverywhere => {
                sessions_ended(Db::revoke_families_in(&mut tx, id, None, now).await?)
            }
        };
        commit_audited(tx, staff, (action.as_str(), "user", id.0), &detail).await?;
        self.jobs_enqueued();
        let user = self.db.user_by_id(id).await?.ok_or(DomainError::NotFound("user"))?;
        Ok(admin_user(&user))
    }
}

fn sessions_ended(count: u64) -> String {
    format!("{count} session(s) ended")
}

fn admin_user(u: &UserRow) -> AdminUser {
    AdminUser {
        id: u.id,
        email: u.email.clone(),
        handle: u.handle.clone(),
        display_name: u.display_name.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        staff: u.is_staff,
        verified: u.email_verified_at.is_some(),
        active: u.is_active(),
        created_at: u.created_at,
    }
}

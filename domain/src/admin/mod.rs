//! The staff admin (Django's admin, for mublog's operators). Every method takes a [`Staff`],
//! which only [`Mublog::staff`] makes: no admin rule can be reached without the staff check.
//! Every change is written together with its audit-trail row, in one transaction.

mod jobs;
mod posts;
mod requests;
mod users;

use crate::posts::parse_cursor;
use crate::store::{AuditEvent, Db, Tx};
use crate::{now, Caller, DomainError, Mublog};
use shared::admin::{AuditRecord, Page};
use shared::{FieldError, UserId, UserView};

/// Rows on one admin page.
pub const PAGE_SIZE: u32 = 50;

/// Proof that the caller is active staff.
#[derive(Debug, Clone, Copy)]
pub struct Staff(UserId);

impl Staff {
    pub fn id(self) -> UserId {
        self.0
    }
}

impl Mublog {
    /// The caller as staff; `Forbidden` for everyone else (the caller's session and account
    /// were checked when they were authenticated). Behind the DjaoDjin proxy, their roles say.
    pub async fn staff(&self, caller: &Caller) -> Result<Staff, DomainError> {
        match caller.proxy {
            Some(grant) if grant.staff => Ok(Staff(caller.user())),
            Some(_) => {
                tracing::warn!(user = %caller.user(), "admin access refused: no staff role in the proxy's session");
                Err(DomainError::Forbidden)
            }
            None => self.staff_by_id(caller.user()).await,
        }
    }

    /// The user as staff, by the account's own flag: for a reader known only by id (a page
    /// rendered for the refresh cookie).
    pub async fn staff_by_id(&self, user: UserId) -> Result<Staff, DomainError> {
        match self.db.user_by_id(user).await? {
            Some(u) if u.is_staff && u.is_active() => Ok(Staff(u.id)),
            _ => {
                tracing::warn!(user = %user, "admin access refused");
                Err(DomainError::Forbidden)
            }
        }
    }

    /// The audit trail, newest first.
    pub async fn audit_trail(
        &self,
        _: Staff,
        cursor: Option<&str>,
    ) -> Result<Page<AuditRecord>, DomainError> {
        let rows = self.db.audit_trail(parse_cursor(cursor)?, PAGE_SIZE + 1).await?;
        Ok(page_of(
            rows,
            |r| r.id,
            |r| AuditRecord {
                id: r.id,
                at: r.at,
                actor: r
                    .actor_id
                    .zip(r.actor_name)
                    .zip(r.actor_handle)
                    .map(|((id, display_name), handle)| UserView { id, display_name, handle }),
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                detail: r.detail,
            },
        ))
    }
}

/// Records a staff action inside the transaction that makes the change, then commits both.
pub(crate) async fn commit_audited(
    mut tx: Tx,
    staff: Staff,
    event: (&str, &str, i64),
    detail: &str,
) -> Result<(), DomainError> {
    let (action, target_type, target_id) = event;
    let audit = AuditEvent { actor: staff.0, action, target_type, target_id, detail };
    Db::record_audit_in(&mut tx, audit, now()).await?;
    tx.commit().await?;
    tracing::info!(staff = %staff.0, action, target_type, target_id, "staff action");
    Ok(())
}

/// Rows fetched with one extra (`PAGE_SIZE + 1`) as a page: the extra row only says that
/// another page exists, so no COUNT is ever run.
fn page_of<R, T>(mut rows: Vec<R>, id: impl Fn(&R) -> i64, view: impl FnMut(R) -> T) -> Page<T> {
    let has_more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let next_cursor = has_more.then(|| rows.last().map(|r| id(r).to_string())).flatten();
    Page { items: rows.into_iter().map(view).collect(), next_cursor, now: now() }
}

impl Mublog {
    /// The user a filter names by handle (`@` optional) or id; an unknown one is a validation
    /// error on `field`.
    async fn named_user(&self, field: &str, raw: &Option<String>) -> Result<Option<UserId>, DomainError> {
        let Some(name) = filled(raw) else { return Ok(None) };
        match self.user_by_name(name.trim_start_matches('@')).await {
            Ok(user) => Ok(Some(user.id)),
            Err(DomainError::NotFound(_)) => {
                Err(FieldError::new(field, "No user has this handle or id.").into())
            }
            Err(e) => Err(e),
        }
    }
}

/// A blank text filter is no filter.
fn filled(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A time-range bound: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (what a date or datetime-local input
/// sends), in UTC. A bare date as the end of a range includes that whole day.
fn parse_time(field: &str, raw: &Option<String>, end_of_range: bool) -> Result<Option<i64>, FieldError> {
    use time::macros::format_description;
    let Some(raw) = filled(raw) else { return Ok(None) };
    if let Ok(at) =
        time::PrimitiveDateTime::parse(raw, format_description!("[year]-[month]-[day]T[hour]:[minute]"))
    {
        return Ok(Some(at.assume_utc().unix_timestamp()));
    }
    if let Ok(day) = time::Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        let start = day.midnight().assume_utc().unix_timestamp();
        return Ok(Some(if end_of_range { start + 24 * 3600 } else { start }));
    }
    Err(FieldError::new(field, "Use a date like 2026-11-22, or 2026-11-22T14:30 (UTC)."))
}

/// Both ends of a time range, checked together.
fn parse_range(
    from: &Option<String>,
    until: &Option<String>,
) -> Result<(Option<i64>, Option<i64>), DomainError> {
    let mut problems = Vec::new();
    let from = parse_time("from", from, false).map_err(|e| problems.push(e)).ok().flatten();
    let until = parse_time("until", until, true).map_err(|e| problems.push(e)).ok().flatten();
    if let (Some(f), Some(u)) = (from, until) {
        if f >= u {
            problems.push(FieldError::new("until", "The end must come after the start."));
        }
    }
    if problems.is_empty() {
        Ok((from, until))
    } else {
        Err(DomainError::Validation(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_datetimes_are_utc_and_whole_days_end_inclusive() {
        let day = Some("2026-11-22".to_owned());
        assert_eq!(parse_time("from", &day, false).unwrap(), Some(1_795_305_600));
        assert_eq!(parse_time("until", &day, true).unwrap(), Some(1_795_305_600 + 86_400));
        let minute = Some("2026-11-22T14:30".to_owned());
        assert_eq!(parse_time("from", &minute, false).unwrap(), Some(1_795_305_600 + 14 * 3600 + 1800));
        assert_eq!(parse_time("from", &Some(" ".to_owned()), false).unwrap(), None);
        assert_eq!(parse_time("from", &Some("22/11/2026".to_owned()), false).unwrap_err().field, "from");
        let backwards = parse_range(&Some("2026-11-23".into()), &Some("2026-11-21".into()));
        assert!(matches!(backwards, Err(DomainError::Validation(f)) if f[0].field == "until"));
    }
}

//! A proxy session's user in mublog: linked by the proxy's `username`, created the first time
//! it is seen. What the session grants (staff, posting) holds for its request only, so it
//! follows the proxy's roles and plans as they change.

use super::ProxySession;
use crate::auth::access::ProxyGrant;
use crate::auth::handle_candidates;
use crate::store::{Db, Inserted, NewUser, ProxyLink, UserRow, UNUSABLE_PASSWORD};
use crate::{now, Caller, DomainError, Mublog};
use shared::validate;
use time::OffsetDateTime;

/// What proxy sessions grant in mublog (`MUBLOG_DJAODJIN_STAFF_ROLES`,
/// `MUBLOG_DJAODJIN_POSTING_PLANS`).
#[derive(Debug, Clone)]
pub struct ProxyPowers {
    /// Roles on the site's own profile that make a user staff.
    pub staff_roles: Vec<String>,
    /// Plans of which one must be active for a user to post; empty: anyone may post.
    pub posting_plans: Vec<String>,
}

impl Default for ProxyPowers {
    fn default() -> Self {
        ProxyPowers { staff_roles: vec![super::MANAGER.to_owned()], posting_plans: Vec::new() }
    }
}

impl ProxyPowers {
    fn grant(&self, session: &ProxySession, at: OffsetDateTime) -> ProxyGrant {
        let roles: Vec<&str> = self.staff_roles.iter().map(String::as_str).collect();
        let site = session.site.as_ref().and_then(|site| site.slug.as_deref());
        let active = session.accessible_plans(None, Some(at));
        ProxyGrant {
            staff: site.is_some_and(|site| session.has_role(site, &roles)),
            may_post: self.posting_plans.is_empty()
                || self.posting_plans.iter().any(|p| active.contains(&p.as_str())),
        }
    }
}

impl Mublog {
    /// The caller a proxy session speaks for: its user (created on first sight, refused when
    /// staff deactivated them), with what the session grants.
    pub async fn proxy_caller(
        &self,
        session: &ProxySession,
        powers: &ProxyPowers,
    ) -> Result<Caller, DomainError> {
        let user = match self.db.user_by_proxy_username(&session.username).await? {
            Some(user) => user,
            None => self.proxy_user_on_first_sight(session).await?,
        };
        if !user.is_active() {
            return Err(DomainError::AccountDeactivated);
        }
        Ok(Caller::proxied(user.id, powers.grant(session, OffsetDateTime::now_utc())))
    }

    /// A new user for the session: a handle made from the proxy's username, the session's name
    /// and email when it has usable ones. An email that belongs to another account is not
    /// taken over: the new user gets an address of the reserved `.invalid` domain instead.
    async fn proxy_user_on_first_sight(&self, session: &ProxySession) -> Result<UserRow, DomainError> {
        let username = &session.username;
        let mut tx = self.db.begin().await?;
        let mut session_email = session.email.as_deref().and_then(|e| validate::email(e).ok());
        let mut candidates = handle_candidates(username);
        let mut handle = candidates.next().ok_or_else(|| DomainError::Internal("no free handle".into()))?;
        let user = loop {
            let email = session_email.clone().unwrap_or_else(|| format!("{handle}@proxy.invalid"));
            let name =
                validate::display_name(session.full_name.as_deref(), username).unwrap_or(handle.clone());
            let new = NewUser {
                email: &email,
                display_name: &name,
                handle: &handle,
                password_hash: UNUSABLE_PASSWORD,
            };
            match Db::insert_user(&mut tx, new, now()).await? {
                Inserted::New(user) => break user,
                Inserted::Duplicate if session_email.is_some() => session_email = None,
                Inserted::Duplicate | Inserted::HandleTaken => {
                    handle =
                        candidates.next().ok_or_else(|| DomainError::Internal("no free handle".into()))?;
                }
            }
        };
        let full_name = session.full_name.as_deref().unwrap_or_default();
        let (first, last) = natural_split(full_name);
        let name = |field, value: &str| validate::person_name(field, value).unwrap_or_default();
        let link = ProxyLink {
            username,
            first_name: &name("first_name", &first),
            last_name: &name("last_name", &last),
        };
        if !Db::link_proxy_user_in(&mut tx, user.id, link, now()).await? {
            // Another request saw this user first; theirs stands.
            drop(tx);
            return self.db.user_by_proxy_username(username).await?.ok_or(DomainError::NotFound("user"));
        }
        tx.commit().await?;
        tracing::info!(user = %user.id, "created a user for a session of the proxy");
        Ok(user)
    }
}

/// A full name's first and last name, as deployutils' `full_name_natural_split` finds them: the
/// first word ("El" takes the next along), and the last word (a final "I" to "III" keeps the
/// word before it); words between are middle names, left out.
fn natural_split(full_name: &str) -> (String, String) {
    let mut words: Vec<&str> = full_name.split_whitespace().collect();
    let joined = words.first().is_some_and(|w| w.eq_ignore_ascii_case("el")) && words.len() > 1;
    let rest = words.split_off(words.len().min(if joined { 2 } else { 1 }));
    let first = words.join(" ");
    match rest.as_slice() {
        [.., before, last] if ["i", "ii", "iii"].iter().any(|s| last.eq_ignore_ascii_case(s)) => {
            (first, format!("{before} {last}"))
        }
        [.., last] => (first, last.to_string()),
        [] => (first, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::natural_split;

    #[test]
    fn full_names_split_as_deployutils_splits_them() {
        assert_eq!(natural_split("Ada Lovelace"), ("Ada".into(), "Lovelace".into()));
        assert_eq!(natural_split("  Ada  King Lovelace "), ("Ada".into(), "Lovelace".into()));
        assert_eq!(natural_split("El Hadj Omar Tall"), ("El Hadj".into(), "Tall".into()));
        assert_eq!(natural_split("El Greco"), ("El Greco".into(), String::new()));
        assert_eq!(natural_split("John Davison Rockefeller III"), ("John".into(), "Rockefeller III".into()));
        assert_eq!(natural_split("Cher"), ("Cher".into(), String::new()));
        assert_eq!(natural_split(""), (String::new(), String::new()));
    }
}

//! The sessions page: a user's signed-in devices, and signing them out.

use crate::{now, Caller, DomainError, Mublog};
use shared::{SessionId, SessionList, SessionView};

impl Mublog {
    pub async fn sessions(&self, caller: &Caller) -> Result<SessionList, DomainError> {
        let now = now();
        let sessions = self
            .db
            .sessions_of(caller.user(), now)
            .await?
            .into_iter()
            .map(|s| SessionView {
                current: Some(s.id) == caller.session(),
                id: s.id,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                user_agent: s.user_agent,
            })
            .collect();
        Ok(SessionList { sessions, now })
    }

    /// Signs out one of the caller's devices. Someone else's session is `NotFound`, exactly
    /// like one that does not exist.
    pub async fn revoke_session(&self, caller: &Caller, session: SessionId) -> Result<(), DomainError> {
        if !self.db.revoke_family_of(caller.user(), session, now()).await? {
            return Err(DomainError::NotFound("session"));
        }
        tracing::info!(user = %caller.user(), session = %session, "session signed out");
        Ok(())
    }

    /// Signs the caller out on every device, this one included.
    pub async fn revoke_all_sessions(&self, caller: &Caller) -> Result<(), DomainError> {
        let ended = self.db.revoke_families_of(caller.user(), None, now()).await?;
        tracing::info!(user = %caller.user(), ended, "signed out everywhere");
        Ok(())
    }
}

//! Email verification, password reset and password change.

use super::{password, refresh_token, Device};
use crate::jobs::Job;
use crate::store::{Db, Purpose, Tx};
use crate::{now, Caller, DomainError, Mublog};
use shared::{
    validate, Accepted, ChangePasswordRequest, FieldError, ForgotPasswordRequest, Me, ResetPasswordRequest,
    UserId, VerifyEmailRequest,
};

impl Mublog {
    /// Creates a single-use link token of `purpose` for `user` and returns it; only its hash
    /// is stored.
    pub(crate) async fn issue_link(
        &self,
        purpose: Purpose,
        user: UserId,
        ttl_secs: i64,
    ) -> Result<String, DomainError> {
        let token = refresh_token::generate();
        let now = now();
        self.db
            .insert_one_time_token(purpose, user, &refresh_token::hash(&token), now, now + ttl_secs)
            .await?;
        Ok(token)
    }

    /// Spends a link token inside `tx`; unknown, forged, expired and used tokens are all the
    /// same error.
    async fn spend_link(tx: &mut Tx, purpose: Purpose, token: &str) -> Result<UserId, DomainError> {
        let token = token.trim();
        if token.is_empty() || token.len() > 100 {
            return Err(DomainError::InvalidLink);
        }
        Db::spend_one_time_token_in(tx, purpose, &refresh_token::hash(token), now())
            .await?
            .ok_or(DomainError::InvalidLink)
    }

    /// Confirms an email address from the link in the verification email.
    pub async fn verify_email(&self, req: VerifyEmailRequest) -> Result<Me, DomainError> {
        let mut tx = self.db.begin().await?;
        let user = Self::spend_link(&mut tx, Purpose::VerifyEmail, &req.token).await.inspect_err(|_| {
            tracing::info!("email verification refused: bad link");
        })?;
        Db::mark_email_verified_in(&mut tx, user, now()).await?;
        tx.commit().await?;
        tracing::info!(user = %user, "email verified");
        self.me(user).await
    }

    /// Sends the verification email again (rate-limited). Already verified: nothing to do.
    pub async fn resend_verification(&self, caller: &Caller) -> Result<Accepted, DomainError> {
        let user = caller.user();
        self.throttles
            .resend(user)
            .await
            .inspect_err(|_| tracing::warn!(user = %user, "verification resend throttled"))?;
        let me = self.me(user).await?;
        if !me.email_verified {
            self.enqueue(Job::SendVerification { user }).await?;
        }
        Ok(Accepted { message: format!("We have sent a new link to {}.", me.email) })
    }

    /// Emails a reset link if the address has an account. The answer is the same either way.
    pub async fn forgot_password(
        &self,
        req: ForgotPasswordRequest,
        device: &Device,
    ) -> Result<Accepted, DomainError> {
        let email = validate::email(&req.email)?;
        let ip = device.ip;
        self.throttles
            .forgot(&email, ip)
            .await
            .inspect_err(|_| tracing::warn!(%email, ?ip, "forgot-password throttled"))?;
        // The job looks the address up: the request does the same work whether it exists or not.
        tracing::info!(%email, "password reset requested");
        self.enqueue(Job::SendPasswordReset { email }).await?;
        Ok(Accepted { message: shared::RESET_SENT.to_owned() })
    }

    /// Sets a new password from a reset link, and signs the account out everywhere: whoever
    /// knew the old password loses access.
    pub async fn reset_password(
        &self,
        req: ResetPasswordRequest,
        device: &Device,
    ) -> Result<(), DomainError> {
        let ip = device.ip;
        self.throttles.reset(ip).await.inspect_err(|_| tracing::warn!(?ip, "password reset throttled"))?;
        password::check_policy(&req.password)?;
        let hash = password::hash(&self.hashing, req.password).await?;
        // One transaction: the link is spent, the password set, the other links spent and
        // every session ended together, or none of it happens.
        let now = now();
        let mut tx = self.db.begin().await?;
        let user = Self::spend_link(&mut tx, Purpose::ResetPassword, &req.token).await.inspect_err(|_| {
            tracing::info!(?ip, "password reset refused: bad link");
        })?;
        Db::set_password_hash_in(&mut tx, user, &hash).await?;
        Db::spend_all_one_time_tokens_in(&mut tx, Purpose::ResetPassword, user, now).await?;
        // The link arrived by email, which proves the address as well.
        Db::mark_email_verified_in(&mut tx, user, now).await?;
        let ended = Db::revoke_families_in(&mut tx, user, None, now).await?;
        tx.commit().await?;
        tracing::info!(user = %user, sessions_ended = ended, "password reset");
        Ok(())
    }

    /// Changes the caller's password after checking the current one (with the sign-in rate
    /// limit), optionally signing out every other device.
    pub async fn change_password(
        &self,
        caller: &Caller,
        req: ChangePasswordRequest,
        device: &Device,
    ) -> Result<(), DomainError> {
        let user = self.db.user_by_id(caller.user()).await?.ok_or(DomainError::Unauthenticated)?;
        self.throttles.sign_in(&user.email, device.ip).await?;
        if !password::verify(&self.hashing, req.current_password, Some(user.password_hash)).await? {
            tracing::info!(user = %user.id, "password change refused: wrong current password");
            return Err(FieldError::new("current_password", "That is not your current password.").into());
        }
        password::check_policy(&req.new_password).map_err(|e| FieldError::new("new_password", e.message))?;
        let hash = password::hash(&self.hashing, req.new_password).await?;
        let mut tx = self.db.begin().await?;
        Db::set_password_hash_in(&mut tx, user.id, &hash).await?;
        let ended = if req.sign_out_other_devices {
            Db::revoke_families_in(&mut tx, user.id, caller.session(), now()).await?
        } else {
            0
        };
        tx.commit().await?;
        tracing::info!(user = %user.id, other_sessions_ended = ended, "password changed");
        Ok(())
    }
}

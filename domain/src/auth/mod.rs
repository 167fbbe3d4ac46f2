//! Sign-up, sign-in and the refresh-token lifecycle.
//!
//! A sign-in starts a *family* of refresh tokens. Each refresh rotates the token; presenting a
//! rotated token again means it leaked, so the whole family is revoked. A family ends 30 days
//! after sign-in regardless of use.

mod access;
mod account;
pub mod djaodjin;
mod handle;
pub mod password;
mod refresh_token;
mod sessions;
pub mod throttle;

pub use access::{bearer_token, AccessTokens, Caller, ACCESS_TTL_SECS};
pub(crate) use handle::candidates as handle_candidates;
pub(crate) use refresh_token::random_token;
pub use throttle::Throttles;

use crate::jobs::Job;
use crate::store::{Db, Inserted, NewUser, UserRow};
use crate::{now, DomainError, Mublog};
use shared::{validate, Accepted, AuthResponse, LoginRequest, Me, RegisterRequest, SessionId, UserId};
use std::net::IpAddr;

/// What the domain knows about the device a request comes from.
#[derive(Debug, Clone, Default)]
pub struct Device {
    /// For rate limits; `None` when unknown.
    pub ip: Option<IpAddr>,
    /// Shown on the sessions page.
    pub user_agent: String,
}

/// The one answer to a registration, whether or not the address already had an account.
pub const REGISTERED: &str =
    "Thanks! We have sent a link to your email address. Open it to confirm your address, then sign in.";

pub const FAMILY_TTL_SECS: i64 = 30 * 24 * 60 * 60;
/// Two browser tabs refreshing at once present the same token; the later one, arriving within
/// this window after the rotation, gets one access token instead of being treated as a thief.
pub const CONCURRENT_REFRESH_GRACE_SECS: i64 = 30;

/// A new sign-in: the body for the client and the refresh token for its cookie.
pub struct SignedIn {
    pub response: AuthResponse,
    pub refresh_token: String,
    pub refresh_expires_at: i64,
}

/// A successful refresh. `rotated` is the new refresh token and its expiry, or `None` when this
/// request lost a race with a concurrent refresh whose response already carries the new token.
pub struct Refreshed {
    pub response: AuthResponse,
    pub rotated: Option<(String, i64)>,
}

impl Mublog {
    /// Creates an account and emails a verification link. Registering an address that has an
    /// account already answers the same bytes and emails its owner instead, so the endpoint
    /// never reveals who is registered.
    pub async fn register(&self, req: RegisterRequest, device: &Device) -> Result<Accepted, DomainError> {
        let ip = device.ip;
        self.throttles.register(ip).await.inspect_err(|_| tracing::warn!(?ip, "registration throttled"))?;
        let mut problems = Vec::new();
        let email = validate::email(&req.email).map_err(|e| problems.push(e)).ok();
        if let Err(e) = password::check_policy(&req.password) {
            problems.push(e);
        }
        let name = email.as_deref().and_then(|email| {
            validate::display_name(req.display_name.as_deref(), email).map_err(|e| problems.push(e)).ok()
        });
        let (Some(email), Some(name), true) = (email, name, problems.is_empty()) else {
            return Err(DomainError::Validation(problems));
        };
        // Hashed in both cases, so a taken address takes as long as a new one.
        let hash = password::hash(&self.hashing, req.password).await?;
        let mut tx = self.db.begin().await?;
        let mut candidates = handle::candidates(&email);
        let job = loop {
            let handle = candidates.next().ok_or_else(|| DomainError::Internal("no free handle".into()))?;
            let user = NewUser { email: &email, display_name: &name, handle: &handle, password_hash: &hash };
            match Db::insert_user(&mut tx, user, now()).await? {
                Inserted::New(user) => {
                    tracing::info!(user = %user.id, "registered");
                    break Job::SendVerification { user: user.id };
                }
                Inserted::Duplicate => {
                    let owner = self.db.user_by_email(&email).await?.ok_or(DomainError::NotFound("user"))?;
                    tracing::info!(user = %owner.id, "registration for a taken address; telling its owner");
                    break Job::SendAccountExists { user: owner.id };
                }
                Inserted::HandleTaken => continue,
            }
        };
        job.enqueue_in(&mut tx, now(), None).await?;
        tx.commit().await?;
        self.jobs_enqueued();
        Ok(Accepted { message: REGISTERED.to_owned() })
    }

    /// A wrong password and an unknown email fail identically, in about the same time.
    pub async fn login(&self, creds: LoginRequest, device: &Device) -> Result<SignedIn, DomainError> {
        let email = creds.email.trim().to_lowercase();
        let ip = device.ip;
        // Every attempt is logged, with the account it named and never the password.
        self.throttles
            .sign_in(&email, ip)
            .await
            .inspect_err(|_| tracing::warn!(%email, ?ip, "sign-in throttled"))?;
        let user = self.db.user_by_email(&email).await?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        if !password::verify(&self.hashing, creds.password, stored).await? {
            // Said the same way whether or not the address has an account: the log must not
            // become a list of who is registered.
            tracing::info!(%email, ?ip, "sign-in refused: wrong email or password");
            return Err(DomainError::InvalidCredentials);
        }
        let user = user.ok_or(DomainError::InvalidCredentials)?;
        // Said only to someone who knows the password.
        if user.deactivated_at.is_some() {
            tracing::info!(user = %user.id, "sign-in refused: account deactivated");
            return Err(DomainError::AccountDeactivated);
        }

        let now = now();
        let token = refresh_token::generate();
        let user_agent: String = device.user_agent.chars().take(300).collect();
        let family = self
            .db
            .insert_family(user.id, &refresh_token::hash(&token), &user_agent, now, now + FAMILY_TTL_SECS)
            .await?;
        tracing::info!(user = %user.id, family = %family.id, "signed in");
        Ok(SignedIn {
            response: self.auth_response(user.me(), family.id, now)?,
            refresh_token: token,
            refresh_expires_at: family.expires_at,
        })
    }

    /// Rotates the presented refresh token. A token presented again after its rotation is
    /// reuse and revokes the whole sign-in, with one exception for browsers (`from_browser`):
    /// two tabs refreshing at once present the same token, so within the grace window the
    /// later one gets an access token, once, and never a new refresh token.
    pub async fn refresh(&self, presented: &str, from_browser: bool) -> Result<Refreshed, DomainError> {
        let now = now();
        let old_hash = refresh_token::hash(presented);
        let Some(row) = self.db.find_refresh_token(&old_hash).await? else {
            tracing::info!("refresh refused: unknown token");
            return Err(DomainError::SessionEnded);
        };
        if row.revoked_at.is_some() || row.expires_at <= now {
            tracing::info!(family = %row.family_id, "refresh refused: session ended");
            return Err(DomainError::SessionEnded);
        }
        if row.superseded_at.is_none() {
            let token = refresh_token::generate();
            if self
                .db
                .rotate_refresh_token(row.family_id, &old_hash, &refresh_token::hash(&token), now)
                .await?
            {
                return self.refreshed(row.user_id, row.family_id, now, Some((token, row.expires_at))).await;
            }
        }
        // Rotated already: earlier, or a moment ago by a concurrent request.
        let superseded_at = row.superseded_at.unwrap_or(now);
        let in_grace = from_browser && now - superseded_at <= CONCURRENT_REFRESH_GRACE_SECS;
        if in_grace {
            if self.db.spend_refresh_grace(&old_hash, now).await? {
                return self.refreshed(row.user_id, row.family_id, now, None).await;
            }
            tracing::warn!(family = %row.family_id, "rotated refresh token replayed; grace already spent");
            return Err(DomainError::RefreshGraceSpent);
        }
        tracing::warn!(family = %row.family_id, from_browser, "refresh token reused; revoking its family");
        self.db.revoke_family(row.family_id, now).await?;
        Err(DomainError::SessionEnded)
    }

    async fn refreshed(
        &self,
        user: UserId,
        family: SessionId,
        now: i64,
        rotated: Option<(String, i64)>,
    ) -> Result<Refreshed, DomainError> {
        let user = self.db.user_by_id(user).await?.filter(UserRow::is_active);
        let user = user.ok_or(DomainError::SessionEnded)?;
        Ok(Refreshed { response: self.auth_response(user.me(), family, now)?, rotated })
    }

    /// Ends the family of the presented token. Unknown tokens are ignored: logging out twice
    /// is not an error.
    pub async fn logout(&self, presented: &str) -> Result<(), DomainError> {
        if let Some(row) = self.db.find_refresh_token(&refresh_token::hash(presented)).await? {
            self.db.revoke_family(row.family_id, now()).await?;
            tracing::info!(family = %row.family_id, "signed out");
        }
        Ok(())
    }

    /// Who a page request comes from, read from the refresh cookie *without* rotating it: page
    /// GETs may render personalised HTML but never change session state.
    pub async fn viewer_from_refresh(&self, presented: &str) -> Result<Option<Me>, DomainError> {
        let now = now();
        let Some(row) = self.db.find_refresh_token_with_user(&refresh_token::hash(presented)).await? else {
            return Ok(None);
        };
        let token = row.token;
        let in_grace = token.superseded_at.is_none_or(|at| now - at <= CONCURRENT_REFRESH_GRACE_SECS);
        if token.revoked_at.is_some() || token.expires_at <= now || !in_grace {
            return Ok(None);
        }
        Ok(Some(row.user).filter(UserRow::is_active).map(|u| u.me()))
    }

    /// The user an access token names, from its signature alone (no database read): for
    /// attributing a request in the request log, never for authorising anything.
    pub fn claimed_user(&self, bearer: &str) -> Option<UserId> {
        self.tokens.verify(bearer).ok().map(|claims| claims.user)
    }

    /// The user and sign-in an access token speaks for. Besides the signature, the sign-in must
    /// still be live and the account active: signing out a device, resetting the password or
    /// deactivating the account takes effect on the very next request, not when the token
    /// expires. One primary-key lookup, which also tells whether the email is verified.
    pub async fn caller(&self, bearer: &str) -> Result<Caller, DomainError> {
        let claims = self.tokens.verify(bearer)?;
        let Some(email_verified) = self.db.live_session(claims.user, claims.session, now()).await? else {
            tracing::info!(user = %claims.user, session = %claims.session, "access token of an ended session");
            return Err(DomainError::SessionEnded);
        };
        Ok(Caller::new(claims, email_verified))
    }

    pub async fn me(&self, user: UserId) -> Result<Me, DomainError> {
        Ok(self.db.user_by_id(user).await?.ok_or(DomainError::Unauthenticated)?.me())
    }

    /// The caller's own account; behind the DjaoDjin proxy, `staff` is what their `session`
    /// grants, and its organizations are listed.
    pub async fn me_as(
        &self,
        caller: &Caller,
        session: Option<&djaodjin::ProxySession>,
    ) -> Result<Me, DomainError> {
        let mut me = self.me(caller.user()).await?;
        if let Some(grant) = caller.proxy {
            me.staff = grant.staff;
            me.proxied = true;
            let at = time::OffsetDateTime::now_utc();
            me.organizations = Some(session.map(|s| s.organizations(at)).unwrap_or_default());
        }
        Ok(me)
    }

    fn auth_response(&self, user: Me, session: SessionId, now: i64) -> Result<AuthResponse, DomainError> {
        Ok(AuthResponse {
            access_token: self.tokens.issue(user.id, session, now)?,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TTL_SECS,
            user,
        })
    }
}
